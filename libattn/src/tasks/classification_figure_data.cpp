// Plot inputs of a classification analysis (see
// attn/tasks/classification_figure_data.h).
#include "attn/tasks/classification_figure_data.h"

namespace attn::tasks {

plot::AgreementFigure agreement_figure(const AgreementTable& a) {
  plot::AgreementFigure figure;
  figure.name = a.name;
  figure.comparison_runs = a.comparison_runs;
  for (const auto& row : a.rows) figure.levels.push_back({row.label, row.agreement});
  figure.a_hat = a.a_hat;
  figure.xi_star = a.xi_star;
  return figure;
}

plot::ProbePage probe_page(const ClassificationAnalysis& a, const ClassificationData& data) {
  plot::ProbePage page;
  page.name = a.name;
  page.gold_step = a.gold_step;
  page.uniform_step = a.rows.empty() ? -1 : a.rows.front().step;
  page.agreement = a.rows.empty() ? 0.0 : a.rows.front().agreement;
  page.a_hat = a.a_hat;
  page.test_examples = a.test_examples;
  for (const auto& e : data.test) {
    plot::ProbePageText text;
    text.label = e.label;
    for (size_t j = 1; j + 1 < e.ids.size(); ++j) text.words.push_back(data.vocab.token(e.ids[j]));  // <bos>/<eos> out
    page.texts.push_back(std::move(text));
  }
  page.alpha = a.alpha;
  page.beta_uf = a.beta_uf;
  page.beta_px = a.beta_px;
  page.delta = a.delta;
  page.gold_probability = a.gold_probability;
  return page;
}

}  // namespace attn::tasks
