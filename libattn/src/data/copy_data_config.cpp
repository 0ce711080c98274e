// The copy data reader (see attn/data/copy_data_config.h).
#include "attn/data/copy_data_config.h"

#include <fmt/format.h>

#include "attn/core/error.h"

namespace attn::data {

CopyTaskOptions read_copy_task_options(const io::ConfigNode& node, const std::string& section,
                                       const CopyTaskOptions& defaults) {
  CopyTaskOptions o;
  o.vocab(node.get_int("vocab", defaults.vocab()));
  o.length(node.get_int("length", defaults.length()));
  o.repeats(node.get_bool("repeats", defaults.repeats()));
  // The data module's own rules, reported with the config file in front.
  try {
    validate(o, {o.vocab()}, section);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", node.origin(), e.what()));
  }
  return o;
}

}  // namespace attn::data
