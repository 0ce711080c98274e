// RFC 4180 CSV fields (see attn/io/csv.h).
#include "attn/io/csv.h"

namespace attn::io {

std::string csv_field(const std::string& text) {
  const bool must_quote = text.find_first_of(",\"\r\n") != std::string::npos ||
                          (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!must_quote) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) out += (i > 0 ? "," : "") + csv_field(fields[i]);
  return out + "\n";
}

}  // namespace attn::io
