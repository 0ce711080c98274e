// Which app wrote a folder, told from what lies in it, so that a folder given
// to the wrong app is named for what it is ("this is a copy-task folder")
// instead of failing on the first config field that app expects.
#pragma once

#include <filesystem>
#include <string>

namespace attn::tasks {

/// "translation", "classification", "multihead", "copy", or "" (unknown).
/// A copy folder is attn-copy's --out (summary.csv beside config folders), one
/// config's folder, or one seed's run folder.
std::string folder_kind(const std::filesystem::path& dir);

/// Throws attn::Error "<dir>: this is a <kind> folder (written by <app>);
/// <program> reads <what>" when `dir` is recognisably another app's folder.
void check_folder_kind(const std::filesystem::path& dir, const std::string& program, const std::string& expected_kind,
                       const std::string& what);

}  // namespace attn::tasks
