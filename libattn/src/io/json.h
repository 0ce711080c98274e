// Internal (not installed): JSON through nlohmann-json, for every JSON file
// the library writes (run.json, metrics.jsonl, benchmark.json, the
// SpamAssassin manifest.json) or reads (run.json, data sets). Parsing is
// strict (RFC 8259: no comments, trailing commas, NaN or Infinity), and a
// syntax error is an attn::Error naming the file and line. Writers never emit
// inf or nan: non-finite numbers are written as null.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace attn::json {

/// A JSON document; objects keep their keys in the order written.
using Value = nlohmann::ordered_json;

/// Parses `text` strictly. Throws attn::Error
/// "<origin>:<line>: JSON syntax error: <what was expected>".
Value parse(const std::string& text, const std::string& origin);

/// Reads and parses `path` (errors name the file).
Value read_file(const std::filesystem::path& path);

/// The attn::Error message for nlohmann's parse error `e` in `origin`:
/// "<origin>:<line>: JSON syntax error: <detail>".
std::string syntax_error_message(const std::string& origin, const std::exception& e);

/// A document's text: two-space indent and a final newline.
std::string to_text(const Value& document);

/// `text` as a JSON string literal (quoted and escaped).
std::string string_text(const std::string& text);

/// `v` as JSON number text: whole numbers below 1e15 without a decimal point,
/// others in the shortest form that reads back to the same double (fmt's,
/// correctly rounded; nlohmann's Grisu2 differs on ~0.3% of values), and null
/// for inf and nan, which JSON cannot represent.
std::string number_text(double v);

/// `v` as a JSON value: null when not finite, an integer when whole and below
/// 1e15, else the double.
Value number(double v);

/// When `value` is a string, number or bool (a scalar, as YAML would read it),
/// sets `*text` to its text (a string without quotes) and returns true.
bool scalar_text(const Value& value, std::string* text);

}  // namespace attn::json
