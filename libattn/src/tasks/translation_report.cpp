// A translation analysis as files (see attn/tasks/translation_report.h).
#include "attn/tasks/translation_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "attn/io/csv.h"
#include "attn/io/files.h"
#include "attn/plot/classification_figures.h"
#include "attn/plot/translation_figures.h"
#include "attn/tasks/agreement_report.h"

namespace attn::tasks {

std::string translation_bleu_csv(const TranslationAnalysis& a) {
  std::string out = "step";
  for (const auto& run : a.bleu_runs) out += "," + io::csv_field("bleu_" + run);
  out += "\n";
  for (size_t c = 0; c < a.steps.size(); ++c) {
    out += std::to_string(a.steps[c]);
    for (const auto& run : a.bleu) out += fmt::format(",{:.6f}", run[c]);
    out += "\n";
  }
  return out;
}

std::string translation_curve_csv(const TranslationAnalysis& a) {
  std::string out = "step,gold_accuracy,gold_perplexity,uniform_accuracy\n";
  for (size_t c = 0; c < a.steps.size(); ++c)
    out += fmt::format("{},{:.6f},{:.6f},{:.6f}\n", a.steps[c], a.gold_accuracy[c], a.gold_perplexity[c],
                       a.uniform_accuracy[c]);
  return out;
}

std::string translation_lexicon_csv(const TranslationAnalysis& a) {
  std::string out = "step,beta_uf,beta_B,alpha_B\n";
  for (size_t c = 0; c < a.steps.size(); ++c)
    out += fmt::format("{},{:.6f},{:.6f},{:.6f}\n", a.steps[c], a.lexicon_beta_uf[c], a.lexicon_beta_b[c],
                       a.lexicon_alpha_b[c]);
  return out;
}

void write_translation_report(const TranslationConfig& config, const TranslationAnalysis& a,
                              const std::filesystem::path& out_dir) {
  const std::string footer = fmt::format(
      "\n{} validation pairs, {} (pair, target token) rows, positions: {} ({}); gold attention = run A at step {} "
      "(BLEU {:.2f}, beam {}); comparison run(s) {}; beta^px best epoch {} (validation loss {:.4f}).\n",
      a.pairs, a.rows_compared, a.positions,
      a.positions == "all" ? "<s> and </s> compared, as the authors" : "<s> and </s> left out", a.gold_step,
      a.gold_bleu, config.analysis.beam, fmt::join(a.comparison_runs, ", "), a.px_best_epoch, a.px_validation_loss);
  std::string lexicon;
  if (a.lexicon_targets > 0)
    lexicon = fmt::format(
        "\nDictionary score ({}: {} target pieces that translate exactly one source word): the source word ranked "
        "first by gold alpha {:.4f}, gold Delta {:.4f}, beta^px {:.4f}, beta^uf {:.4f} (best snapshot), beta_B "
        "{:.4f}, alpha_B {:.4f} (last snapshot); per snapshot in lexicon.csv.\n",
        config.analysis.lexicon, a.lexicon_targets, a.lexicon_alpha, a.lexicon_delta, a.lexicon_beta_px,
        *std::max_element(a.lexicon_beta_uf.begin(), a.lexicon_beta_uf.end()), a.lexicon_beta_b.back(),
        a.lexicon_alpha_b.back());
  write_agreement_tables(a, footer + lexicon, out_dir);
  if (a.lexicon_targets > 0) io::write_file_atomic(out_dir / "lexicon.csv", translation_lexicon_csv(a));
  io::write_file_atomic(out_dir / "bleu.csv", translation_bleu_csv(a));
  io::write_file_atomic(out_dir / "training_curve.csv", translation_curve_csv(a));
  if (plot::render_translation_curves(out_dir / "translation.png", out_dir / "bleu.csv",
                                      out_dir / "training_curve.csv", a.name, a.bleu_runs,
                                      a.lexicon_targets > 0 ? out_dir / "lexicon.csv" : std::filesystem::path()))
    fmt::print("figure: {}\n", (out_dir / "translation.png").string());
  plot::TranslationPage page;
  page.name = a.name;
  page.gold_step = a.gold_step;
  page.uniform_step = a.rows.empty() ? 0 : a.rows.front().step;
  page.agreement = a.rows.empty() ? 0 : a.rows.front().agreement;
  page.a_hat = a.a_hat;
  page.bleu = a.gold_bleu;
  page.pairs = a.pairs;
  page.samples = a.samples;
  io::write_file_atomic(out_dir / "samples.html", plot::translation_html(page));
  fmt::print("html: {}\n", (out_dir / "samples.html").string());
}

}  // namespace attn::tasks
