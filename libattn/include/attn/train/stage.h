// The two stages of PAPER.md 2: attention frozen uniform, then learned. The
// numbers are what metrics.csv's `stage` column and checkpoints record.
#pragma once

namespace attn::train {

enum class Stage : int {
  kUniform = 1,  ///< attention frozen uniform (and, in a curriculum, the stage-1 data)
  kLearned = 2,  ///< attention learned
};

/// 1 or 2, as logged.
inline int stage_number(Stage stage) { return static_cast<int>(stage); }

}  // namespace attn::train
