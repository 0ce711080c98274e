// CSV fields as RFC 4180 writes them: a field with a comma, a double quote, a
// line break or surrounding spaces is double-quoted, its quotes doubled. Every
// CSV the library writes goes through csv_field / csv_row for its text fields,
// so a name such as "a,b" stays one column.
#pragma once

#include <string>
#include <vector>

namespace attn::io {

/// `text` as one CSV field (quoted only when it must be).
std::string csv_field(const std::string& text);

/// The fields joined by commas, each through csv_field, ending in "\n".
std::string csv_row(const std::vector<std::string>& fields);

}  // namespace attn::io
