// The agreement table of PAPER.md section 4 as both analyses produce it
// (classification_analysis.h, translation_analysis.h): one row per probe
// pair with its max over checkpoints, Kendall tau-b and xi; the shuffled
// baseline A-hat; xi*; and the per-checkpoint curves the figure is drawn
// from. agreement_report.h writes it as Markdown, CSV and a figure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attn::tasks {

/// One row of the agreement table.
struct AgreementRow {
  std::string key;          ///< "alpha_beta_uf", ... (CSV)
  std::string label;        ///< "A(alpha, beta^uf)" (Markdown)
  double agreement = 0;     ///< A: max over the checkpoints named in `over`
  double kendall_tau = 0;   ///< mean tau-b at the checkpoint giving A
  int64_t step = -1;        ///< that checkpoint (-1: no checkpoint involved)
  std::optional<double> xi; ///< xi(A); nullopt = never reached by the comparison runs
  std::string over;         ///< which checkpoints the max ranges over
};

struct AgreementTable {
  std::string name;
  double percent = 5.0;                                   ///< p of the top-p% match
  std::vector<int64_t> steps;                             ///< snapshot steps
  std::vector<std::string> comparison_runs;               ///< "B", "C", ...
  std::vector<std::vector<double>> comparison_agreement;  ///< [run][ckpt] A(gold alpha, alpha_run)
  std::vector<std::vector<double>> comparison_accuracy;   ///< [run][ckpt] validation accuracy
  std::vector<double> mean_agreement, mean_accuracy;      ///< c(ckpt), perf(ckpt)
  std::vector<double> gold_accuracy;                      ///< run A's validation accuracy per ckpt
  std::vector<double> uniform_agreement;                  ///< A(gold alpha, beta^uf(ckpt)) per ckpt
  int64_t gold_step = 0;                                  ///< run A's best snapshot
  double xi_star = 0;                                     ///< its validation accuracy
  std::vector<AgreementRow> rows;
  double a_hat = 0, a_hat_tau = 0;                        ///< shuffled baseline
  std::string a_hat_label = "A-hat (shuffled beta^uf)";   ///< what A-hat shuffles
  std::string performance = "val. acc.";                  ///< what perf and xi measure
};

}  // namespace attn::tasks
