// JSON helpers (see core/json.h).
#include "io/json.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

#include "attn/core/error.h"
#include "attn/io/files.h"

namespace attn::json {

std::string syntax_error_message(const std::string& origin, const std::exception& e) {
  // nlohmann: "[json.exception.parse_error.101] parse error at line 2, column 2:
  // syntax error while parsing value - unexpected ']'; expected '[', '{', or a literal"
  std::string what = e.what();
  if (what.rfind("[json.exception.", 0) == 0 && what.find("] ") != std::string::npos)
    what = what.substr(what.find("] ") + 2);
  int line = 1, column = 0;
  if (std::sscanf(what.c_str(), "parse error at line %d, column %d", &line, &column) == 2 &&
      what.find(": ") != std::string::npos) {
    what = what.substr(what.find(": ") + 2);
  } else if (what.rfind("parse error: ", 0) == 0) {
    what = what.substr(13);
  }
  if (what.rfind("syntax error ", 0) == 0) what = what.substr(13);  // "while parsing value - unexpected ..."
  return fmt::format("{}:{}: JSON syntax error: {}", origin, line, what);
}

Value parse(const std::string& text, const std::string& origin) {
  try {
    return Value::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(syntax_error_message(origin, e));
  }
}

Value read_file(const std::filesystem::path& path) {
  check(std::filesystem::is_regular_file(path), "{}: not found", path.string());
  return parse(io::read_text_file(path), path.string());
}

std::string to_text(const Value& document) {
  // Bytes that are not UTF-8 (a Latin-1 file name on the command line) become
  // U+FFFD instead of failing the run.
  return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string string_text(const std::string& text) {
  return Value(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string number_text(double v) {
  if (!std::isfinite(v)) return "null";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);  // shortest text that reads back to the same double
}

Value number(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == std::floor(v) && std::fabs(v) < 1e15) return static_cast<int64_t>(v);
  return v;
}

bool scalar_text(const Value& value, std::string* text) {
  if (value.is_string()) *text = value.get<std::string>();
  else if (value.is_number() || value.is_boolean()) *text = value.dump();
  else return false;
  return true;
}

}  // namespace attn::json
