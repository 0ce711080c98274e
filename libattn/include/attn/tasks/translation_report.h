// A translation analysis as files: the shared agreement table and figure
// (agreement_report.h), BLEU / accuracy / perplexity over checkpoints (CSV and
// figure) and the HTML page of sample pairs (plot/translation_figures.h).
#pragma once

#include <filesystem>
#include <string>

#include "attn/tasks/translation_analysis.h"
#include "attn/tasks/translation_config.h"

namespace attn::tasks {

/// bleu.csv: step, BLEU of each run (A, B.., uniform) at that snapshot.
std::string translation_bleu_csv(const TranslationAnalysis& analysis);
/// training_curve.csv: step, gold_accuracy, gold_perplexity, uniform_accuracy.
std::string translation_curve_csv(const TranslationAnalysis& analysis);
/// lexicon.csv: step, the dictionary score of beta^uf, beta_B and alpha_B.
std::string translation_lexicon_csv(const TranslationAnalysis& analysis);

/// Writes agreement.md/.csv, agreement_curve.csv, agreement.png, bleu.csv,
/// training_curve.csv, translation.png and samples.html into `out_dir` and
/// prints the table.
void write_translation_report(const TranslationConfig& config, const TranslationAnalysis& analysis,
                              const std::filesystem::path& out_dir);

}  // namespace attn::tasks
