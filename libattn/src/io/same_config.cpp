// Resolved configs compared without one section (see attn/io/same_config.h).
#include "attn/io/same_config.h"

#include <yaml-cpp/yaml.h>

namespace attn::io {

bool same_config_except(const std::string& resolved_a, const std::string& resolved_b, const std::string& section) {
  if (resolved_a == resolved_b) return true;
  auto without = [&](const std::string& yaml) {
    YAML::Node node = YAML::Load(yaml);
    if (node.IsMap()) node.remove(section);
    YAML::Emitter out;
    out << node;
    return std::string(out.c_str());
  };
  return without(resolved_a) == without(resolved_b);
}

}  // namespace attn::io
