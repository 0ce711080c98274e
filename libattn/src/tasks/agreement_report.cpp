// The agreement table as Markdown and CSV (see attn/tasks/agreement_report.h).
#include "attn/tasks/agreement_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>

#include "attn/io/csv.h"
#include "attn/io/files.h"
#include "attn/plot/classification_figures.h"
#include "attn/tasks/classification_figure_data.h"

namespace attn::tasks {

namespace {
std::string xi_text(const std::optional<double>& xi) { return xi ? fmt::format("{:.4f}", *xi) : "never"; }
}  // namespace

std::string top_percent_label(double percent) { return fmt::format("top-{:g}%", percent); }

std::string agreement_markdown(const AgreementTable& a) {
  std::string out = fmt::format(
      "| quantity | A ({} match) | Kendall tau-b | checkpoint | xi ({}) |\n|---|---:|---:|---:|---:|\n",
      top_percent_label(a.percent), a.performance);
  for (const auto& r : a.rows)
    out += fmt::format("| {} | {:.4f} | {:.4f} | {} ({}) | {} |\n", r.label, r.agreement, r.kendall_tau, r.step,
                       r.over, xi_text(r.xi));
  out += fmt::format("| {} | {:.4f} | {:.4f} | | |\n", a.a_hat_label, a.a_hat, a.a_hat_tau);
  out += fmt::format("| xi* (run A's best {}) | | | {} (run A) | {:.4f} |\n", a.performance, a.gold_step, a.xi_star);
  return out;
}

std::string agreement_markdown(const ClassificationAnalysis& a) {
  return agreement_markdown(static_cast<const AgreementTable&>(a)) +
         fmt::format("\n{} test examples, positions: {}; gold attention = run A at step {}; comparison runs {}; beta^px best epoch {} "
                     "(val. acc. {:.4f}); beta^logistic C = {:g} (val. acc. {:.4f}).\n",
                     a.test_examples, a.positions, a.gold_step, fmt::join(a.comparison_runs, ", "), a.bow_best_epoch,
                     a.bow_validation_accuracy, a.logistic_c, a.logistic_validation_accuracy);
}

std::string agreement_csv(const AgreementTable& a) {
  std::string out = "quantity,agreement,kendall_tau,step,xi\n";
  for (const auto& r : a.rows)
    out += fmt::format("{},{:.6f},{:.6f},{},{}\n", io::csv_field(r.key), r.agreement, r.kendall_tau, r.step,
                       r.xi ? fmt::format("{:.6f}", *r.xi) : "");
  out += fmt::format("a_hat,{:.6f},{:.6f},,\n", a.a_hat, a.a_hat_tau);
  out += fmt::format("xi_star,,,{},{:.6f}\n", a.gold_step, a.xi_star);
  return out;
}

std::string agreement_curve_csv(const AgreementTable& a) {
  std::string out = "step";
  for (const auto& r : a.comparison_runs) out += "," + io::csv_field("agreement_" + r);
  out += ",agreement_mean";
  for (const auto& r : a.comparison_runs) out += "," + io::csv_field("val_acc_" + r);
  out += ",val_acc_mean,val_acc_A,agreement_alpha_beta_uf\n";
  for (size_t c = 0; c < a.steps.size(); ++c) {
    out += std::to_string(a.steps[c]);
    for (const auto& run : a.comparison_agreement) out += fmt::format(",{:.6f}", run[c]);
    out += fmt::format(",{:.6f}", a.mean_agreement[c]);
    for (const auto& run : a.comparison_accuracy) out += fmt::format(",{:.6f}", run[c]);
    out += fmt::format(",{:.6f},{:.6f},{:.6f}\n", a.mean_accuracy[c], a.gold_accuracy[c], a.uniform_agreement[c]);
  }
  return out;
}

void write_agreement_tables(const AgreementTable& a, const std::string& footer, const std::filesystem::path& out_dir) {
  const std::string table = agreement_markdown(a);
  io::write_file_atomic(out_dir / "agreement.md", fmt::format("# {}: agreement table\n\n{}{}", a.name, table, footer));
  io::write_file_atomic(out_dir / "agreement.csv", agreement_csv(a));
  io::write_file_atomic(out_dir / "agreement_curve.csv", agreement_curve_csv(a));
  fmt::print("{}{}\n", table, footer);
  if (plot::render_agreement_figure(out_dir / "agreement.png", out_dir / "agreement_curve.csv", agreement_figure(a)))
    fmt::print("figure: {}\n", (out_dir / "agreement.png").string());
}

void write_agreement_report(const ClassificationConfig& config, const ClassificationData& data,
                            const ClassificationAnalysis& analysis, const std::filesystem::path& out_dir) {
  const std::string full = agreement_markdown(analysis);
  const std::string footer = full.substr(agreement_markdown(static_cast<const AgreementTable&>(analysis)).size());
  write_agreement_tables(analysis, footer, out_dir);
  io::write_file_atomic(out_dir / "probes.html", plot::probe_html(probe_page(analysis, data), config.probes.html_examples,
                                                                  config.probes.html_max_tokens));
  fmt::print("html: {}\n", (out_dir / "probes.html").string());
}

}  // namespace attn::tasks
