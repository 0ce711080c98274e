// The examples of a classification experiment (PAPER.md sections 2.3 and 3):
// the files its config names (tsv, aclImdb, json) or the generated keyword
// task, split into train / validation / test and encoded with one vocabulary.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attn/data/text_batch.h"
#include "attn/data/vocabulary.h"
#include "attn/tasks/classification_config.h"

namespace attn::tasks {

/// The examples of one experiment, encoded with its vocabulary.
struct ClassificationData {
  data::Vocabulary vocab;
  std::vector<data::EncodedExample> train, validation, test;
  /// Keyword task only: the gold salient position of each test example (-1 none).
  std::vector<int64_t> test_salient;
  std::string describe() const;  ///< one line of counts
};

/// Reads the files the config names (or generates the keyword data), splits
/// validation off train, caps test at max_test and every example at
/// max_tokens. The vocabulary is built from the training split, or, when
/// `vocab` is given (a run folder's vocab.txt), taken as it is.
ClassificationData load_classification_data(const ClassificationConfig& config,
                                            const data::Vocabulary* vocab = nullptr);

}  // namespace attn::tasks
