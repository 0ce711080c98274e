// The translation analysis's figures and page (PAPER.md 3-4, issue 15): BLEU,
// token accuracy and perplexity over checkpoints, and an HTML page of sample
// sentence pairs with source x target heat maps of alpha, beta^uf and Delta
// side by side, the beam-search output next to the reference. Plain data in,
// files out: plot knows nothing of tasks/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace attn::plot {

/// One sentence pair of the page; maps are [target token][source position].
struct TranslationSample {
  std::vector<std::string> source_pieces;  ///< S, <s> and </s> included
  std::vector<std::string> target_pieces;  ///< T: after <s>, </s> included
  std::vector<std::vector<float>> alpha, beta_uf, delta;
  std::string source_text, reference, hypothesis;
};

struct TranslationPage {
  std::string name;
  int64_t gold_step = 0, uniform_step = 0;
  double agreement = 0, a_hat = 0, bleu = 0;
  int64_t pairs = 0;
  std::vector<TranslationSample> samples;
};

/// The page as one self-contained HTML document.
std::string translation_html(const TranslationPage& page);

/// BLEU per run (top), run A's token accuracy and perplexity (middle) over
/// training steps, from bleu.csv (step, one column per run) and
/// training_curve.csv (step, gold_accuracy, gold_perplexity, uniform_accuracy);
/// with a non-empty `lexicon_csv` (step, beta_uf, beta_B, alpha_B) a third
/// panel shows the dictionary score. Returns false (with a warning) when
/// gnuplot is missing or fails.
bool render_translation_curves(const std::filesystem::path& output_png, const std::filesystem::path& bleu_csv,
                               const std::filesystem::path& curve_csv, const std::string& name,
                               const std::vector<std::string>& runs, const std::filesystem::path& lexicon_csv = {});

}  // namespace attn::plot
