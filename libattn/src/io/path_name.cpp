// Plain path components (see attn/io/path_name.h).
#include "attn/io/path_name.h"

#include <fmt/format.h>

#include "attn/core/error.h"

namespace attn::io {

namespace {
// Far below every file system's name limit (255 bytes), leaving room for
// suffixes such as ".tmp" or "_draw_000".
constexpr size_t kMaxNameBytes = 128;
}  // namespace

std::string path_component_problem(const std::string& name) {
  if (name.empty()) return "must not be empty";
  if (name == "." || name == "..") return "must not be '.' or '..'";
  if (name.find('/') != std::string::npos) return "must not contain '/'";
  if (name.find('\\') != std::string::npos) return "must not contain '\\'";
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return "must not contain control characters";
  if (name.front() == '-') return "must not start with '-'";  // would read as a flag in worker command lines
  if (name.front() == ' ' || name.back() == ' ') return "must not start or end with a space";
  if (name.size() > kMaxNameBytes) return fmt::format("must be at most {} bytes long", kMaxNameBytes);
  return "";
}

void check_path_component(const std::string& name, const std::string& where) {
  const std::string problem = path_component_problem(name);
  check(problem.empty(), "{}: expected a plain folder name (one path component; {}), got '{}'", where, problem, name);
}

}  // namespace attn::io
