// The data sections of a copy-task config (`data:` and the curriculum's
// `stage1_data:`) and their one reader: {vocab, length, repeats}, defaults
// from the CopyTaskOptions passed in.
#pragma once

#include <string>

#include "attn/data/copy_data.h"
#include "attn/io/config.h"

namespace attn::data {

/// Reads and checks `node` (the section named `section`) over `defaults`;
/// errors name the file and key.
CopyTaskOptions read_copy_task_options(const io::ConfigNode& node, const std::string& section,
                                       const CopyTaskOptions& defaults = {});

}  // namespace attn::data
