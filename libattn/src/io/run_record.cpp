// Run records (see attn/io/run_record.h).
#include "attn/io/run_record.h"

#include <unistd.h>

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "attn/core/runtime.h"
#include "attn/io/files.h"
#include "attn/version.h"

namespace attn::io {

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

void write_run_record(const std::filesystem::path& dir, const RunRecord& record) {
  write_file_atomic(dir / "config.yaml", record.config_yaml);
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  const std::time_t now = std::time(nullptr);
  char when[64];
  std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  std::vector<std::string> args;
  for (const auto& a : record.command_line) args.push_back(json_string(a));
  const std::string json = fmt::format(
      "{{\n  \"experiment\": {},\n  \"seed\": {},\n  \"libattn_version\": {},\n  \"device\": {},\n"
      "  \"threads\": {},\n  \"blas_core\": {},\n  \"command_line\": [{}],\n  \"host\": {},\n"
      "  \"started_utc\": {}\n}}\n",
      json_string(record.experiment), record.seed, json_string(kVersion), json_string(record.device),
      record.threads, json_string(blas_info().corename), fmt::join(args, ", "), json_string(host),
      json_string(when));
  write_file_atomic(dir / "run.json", json);
}

std::string recorded_config(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir / "config.yaml")) return "";
  return read_text_file(dir / "config.yaml");
}

}  // namespace attn::io
