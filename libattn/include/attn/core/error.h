// attn::Error: the one exception type the library throws for bad input (a
// config key, a data file, a flag). Its message is a single line that names
// the file/field/flag and what was expected; the apps print it and exit 2.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace attn {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Throws attn::Error with a fmt-formatted message unless `condition` holds.
template <typename... Args>
void check(bool condition, fmt::format_string<Args...> format, Args&&... args) {
  if (!condition) throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace attn
