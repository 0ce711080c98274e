// The plot inputs of a classification analysis: fills plot's plain structs
// (plot/classification_figures.h) from the analysis and the run set's data,
// so that plot needs nothing from tasks/.
#pragma once

#include "attn/plot/classification_figures.h"
#include "attn/tasks/classification_analysis.h"
#include "attn/tasks/classification_data.h"

namespace attn::tasks {

/// The agreement figure's levels: every table row's A, A-hat and xi*.
plot::AgreementFigure agreement_figure(const AgreementTable& table);

/// The HTML page's texts (the test set, decoded) and maps; beta^uf is the
/// uniform run's at the checkpoint giving A(alpha, beta^uf), the first row.
plot::ProbePage probe_page(const ClassificationAnalysis& analysis, const ClassificationData& data);

}  // namespace attn::tasks
