// Comparing resolved configs (attn/io/config.h) while ignoring one section:
// how a run set decides that another config trains the same runs.
#pragma once

#include <string>

namespace attn::io {

/// True when two resolved configs (ConfigNode::resolved_yaml) are equal
/// except for the top-level mapping `section` (e.g. an analysis-only section:
/// configs that agree on the rest share a run set).
bool same_config_except(const std::string& resolved_a, const std::string& resolved_b, const std::string& section);

}  // namespace attn::io
