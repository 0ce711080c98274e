// Run records (see attn/io/run_record.h).
#include "attn/io/run_record.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <regex>

#include <fmt/format.h>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/files.h"
#include "attn/version.h"

namespace attn::io {
namespace {

// run.json's started_utc, for strftime and strptime.
constexpr const char* kUtcFormat = "%Y-%m-%dT%H:%M:%SZ";

}  // namespace

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
  std::strftime(when, sizeof(when), kUtcFormat, std::gmtime(&now));
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

double recorded_start(const std::filesystem::path& dir) {
  const auto record = dir / "run.json";
  check(std::filesystem::exists(record), "{}: missing (a finished run records its start there)", record.string());
  static const std::regex started(R"re("started_utc"\s*:\s*"([^"]*)")re");
  const std::string json = read_text_file(record);
  std::smatch match;
  check(std::regex_search(json, match, started), "{}: expected a \"started_utc\" field", record.string());
  const std::string text = match[1].str();
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), kUtcFormat, &tm);
  check(end != nullptr && *end == '\0', "{}: started_utc: expected YYYY-MM-DDTHH:MM:SSZ, got '{}'", record.string(),
        text);
  return static_cast<double>(::timegm(&tm));
}

void write_done_marker(const std::filesystem::path& dir, double seconds) {
  write_file_atomic(dir / kDoneMarker, fmt::format("{:.1f} s\n", seconds));
}

bool run_done(const std::filesystem::path& dir) { return std::filesystem::exists(dir / kDoneMarker); }

std::optional<double> recorded_seconds(const std::filesystem::path& dir) {
  if (!run_done(dir)) return std::nullopt;
  const auto done = dir / kDoneMarker;
  const std::string marker = read_text_file(done);  // "213.3 s\n"
  double seconds = 0;
  size_t used = 0;
  try {
    seconds = std::stod(marker, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  check(used > 0 && seconds >= 0 && marker.compare(used, 2, " s") == 0, "{}: expected '<seconds> s', got '{}'",
        done.string(), marker.substr(0, marker.find('\n')));
  return seconds;
}

}  // namespace attn::io
