// Running the built apps from a test: exit code and combined output, files
// read back whole, metrics.csv without its wall-time column, the last output
// line (earlier lines are the BLAS log line).
#pragma once

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace attn_test {

struct Outcome {
  int code;
  std::string output;
};

/// Runs a shell command, stderr with stdout.
inline Outcome run_shell(const std::string& command) {
  Outcome outcome{-1, ""};
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) outcome.output += buffer;
  const int status = ::pclose(pipe);
  outcome.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

/// Runs "<build>/bin/<arguments>" through the shell, stderr with stdout.
inline Outcome run_app(const std::string& arguments) {
  return run_shell(std::string(ATTN_BINARY_DIR) + "/bin/" + arguments);
}

inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// metrics.csv without its wall-time column, for comparing two runs.
inline std::string metrics_without_seconds(const std::filesystem::path& file) {
  std::istringstream in(read_file(file));
  std::string line, out;
  int seconds_column = -1;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) fields.push_back(field);
    if (seconds_column < 0)
      for (size_t i = 0; i < fields.size(); ++i)
        if (fields[i] == "seconds") seconds_column = static_cast<int>(i);
    if (seconds_column >= 0 && seconds_column < static_cast<int>(fields.size()))
      fields.erase(fields.begin() + seconds_column);
    for (const auto& f : fields) out += f + ",";
    out += "\n";
  }
  return out;
}

inline std::string last_line(const std::string& text) {
  auto trimmed = text.substr(0, text.find_last_not_of('\n') + 1);
  return trimmed.substr(trimmed.find_last_of('\n') + 1);
}

}  // namespace attn_test
