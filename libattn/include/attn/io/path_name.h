// Names that become one folder or file name inside a run folder (experiment
// names from configs, run names from flags such as --only): checked once here,
// so no name can climb out of --out ("../x"), nest ("a/b") or vanish ("").
#pragma once

#include <string>

namespace attn::io {

/// Empty when `name` is one plain path component; otherwise what is wrong with
/// it ("must not contain '/'"), for a caller's message.
std::string path_component_problem(const std::string& name);

/// Throws attn::Error "<where>: expected a plain folder name (...), got '<name>'"
/// unless `name` is one plain path component. `where` names the file and key
/// or the flag, e.g. "exp.yaml: name" or "--only".
void check_path_component(const std::string& name, const std::string& where);

}  // namespace attn::io
