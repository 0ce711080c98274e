// Runs independent jobs as child processes of the current program, at most
// `jobs` at a time. The apps use it to train seeds (or runs) side by side:
// on a 2-core CPU two 1-thread processes beat one 2-thread process for the
// small matrices of a 256-wide LSTM, and a killed child loses only its own
// run, which resumes from its checkpoint.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace attn::io {

/// Runs each argument list with /proc/self/exe (argv[0] replaced by
/// `program_name`). Returns the exit codes in the order of `argument_lists`
/// (128 + signal for a killed child). `on_exit(index, code)`, when given, is
/// called as each child ends (for a progress line).
std::vector<int> run_self_in_parallel(const std::vector<std::vector<std::string>>& argument_lists,
                                      int jobs, const std::string& program_name,
                                      const std::function<void(size_t index, int code)>& on_exit = {});

}  // namespace attn::io
