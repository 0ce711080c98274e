// The analysis of a finished translation run set (PAPER.md 3, 4 and 4.1):
// every probe at every snapshot on the first `analysis.examples` validation
// pairs, the agreement table with its xi values, the comparison curve, BLEU
// of beam search over checkpoints, and the per-pair maps for the HTML page.
//
//   gold alpha       run A's attention at its best snapshot (validation token accuracy)
//   Delta            run A's gradient influence there (probes/translation_influence.h)
//   beta^uf(ckpt)    the uniform run's KTIW probe at each snapshot (probes/ktiw.h)
//   beta_B(ckpt)     run B's KTIW probe at each snapshot
//   beta^px          the word-translation probe (probes/word_translation.h)
//   rows             A(alpha, beta^uf), A(Delta, beta^uf), A(beta^px, beta^uf),
//                    A(alpha, beta_B): max over the named run's snapshots
//   c(ckpt), perf    runs B..: mean A(gold alpha, alpha_run(ckpt)) and mean
//                    validation token accuracy; xi(X) = perf at the first
//                    snapshot with c > A(X); xi* = run A's best accuracy
//   A-hat            the mean over B's snapshots of A(gold alpha, shuffled alpha_B)
// A row is one (pair, target token after <s>, </s> included); its positions
// are the source's, <s> and </s> included (analysis.positions: all, the
// authors' convention) or only the pieces between them (words; the </s> row
// is then left out too). Rows are weighed equally (long sentences weigh more).
//
// Legend: P = analysed pairs; per batch B = pairs, T = target steps, S = source positions.
#pragma once

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "attn/plot/translation_figures.h"
#include "attn/tasks/agreement_table.h"
#include "attn/tasks/translation_config.h"
#include "attn/tasks/translation_data.h"

namespace attn::tasks {


struct TranslationAnalysis : AgreementTable {
  std::string positions;                       ///< "all" or "words"
  int64_t pairs = 0, rows_compared = 0;        ///< analysed pairs; (pair, target token) rows
  std::vector<double> gold_perplexity;         ///< run A's validation perplexity per snapshot
  std::vector<double> uniform_accuracy;        ///< the uniform run's validation token accuracy per snapshot
  std::vector<std::vector<double>> bleu;       ///< [run][ckpt] BLEU of beam search (runs A, B.., uniform)
  std::vector<std::string> bleu_runs;          ///< their names
  int64_t bleu_pairs = 0;
  double gold_bleu = 0;                        ///< run A at the gold step, on every analysed pair
  int64_t px_best_epoch = 0;
  double px_validation_loss = 0;
  std::vector<plot::TranslationSample> samples;  ///< for the HTML page

  /// The dictionary score (analysis.lexicon): over target pieces that are a
  /// whole word and a dictionary translation of exactly one source word that
  /// is a whole piece, how often each map ranks that source position first.
  int64_t lexicon_targets = 0;
  std::vector<double> lexicon_beta_uf, lexicon_beta_b, lexicon_alpha_b;  ///< per snapshot
  double lexicon_alpha = 0, lexicon_delta = 0, lexicon_beta_px = 0;      ///< gold alpha, gold Delta, beta^px
  double seconds = 0;
};

struct TranslationAnalysisOptions {
  bool progress = true;
  torch::Device device = torch::kCPU;
  /// Where what each snapshot gave (maps, scores, BLEU; Delta; beta^px) is
  /// kept, keyed by the reading settings and the snapshot file's SHA-256, so
  /// that a stopped analysis resumes and a re-analysis with other table
  /// settings (percent, positions, lexicon) reads no snapshot again. Empty:
  /// nothing is kept. attn-analyze uses <analysis folder>/readings.
  std::filesystem::path readings;
};

/// Reads every snapshot of every run in `out_dir` and computes the above.
TranslationAnalysis analyze_translation_run_set(const TranslationConfig& config, const TranslationData& data,
                                                const std::filesystem::path& out_dir,
                                                const TranslationAnalysisOptions& options = {});

/// Reads into options.readings every snapshot that exists now, of finished
/// runs or of runs still training, and returns how many it read (those
/// already kept are skipped): the analysis of a long run set can proceed
/// beside its training (attn-analyze --read-available). `only`: these runs
/// ("A", "B", "uniform"; empty = all, and then beta^px too), so that processes
/// can share the work.
int64_t read_available_translation_snapshots(const TranslationConfig& config, const TranslationData& data,
                                             const std::filesystem::path& out_dir,
                                             const TranslationAnalysisOptions& options,
                                             const std::vector<std::string>& only = {});

}  // namespace attn::tasks
