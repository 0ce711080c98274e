// attn-bench's JSON data set modes: write a synthetic data set in the paper's
// preprocessed layout ({"vocab": [words], "XY": [[[ids], label], ...]}) and
// time data::read_json_dataset on a file, with the process's peak memory.
// Target (issue 14): a 29 MB file in under 2 s and under 300 MB.
#pragma once

#include <filesystem>

namespace attn_bench {

/// Writes about `megabytes` MB of the paper's layout to `path` (deterministic).
void make_json_dataset(const std::filesystem::path& path, double megabytes);

/// Reads `path` with data::read_json_dataset and prints time and peak RSS.
void time_json_dataset(const std::filesystem::path& path);

}  // namespace attn_bench
