// The analysis of a translation run set (see attn/tasks/translation_analysis.h).
#include "attn/tasks/translation_analysis.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/autograd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include "attn/core/error.h"
#include "attn/data/freedict.h"
#include "attn/data/translation_batch.h"
#include "attn/io/checksum.h"
#include "attn/metrics/agreement.h"
#include "attn/metrics/bleu.h"
#include "attn/metrics/checkpoint_protocol.h"
#include "attn/nn/beam_search.h"
#include "attn/probes/ktiw.h"
#include "attn/probes/translation_influence.h"
#include "attn/probes/word_translation.h"
#include "attn/tasks/translation_runs.h"
#include "attn/tasks/translation_task.h"
#include "core/stopwatch.h"
#include "reading_cache.h"

namespace attn::tasks {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

/// One score tensor per analysis batch, (B, T, S) each.
using Blocks = std::vector<torch::Tensor>;

/// The analysed pairs in length-sorted batches and what is compared in each.
struct AnalysisSet {
  std::vector<std::vector<int64_t>> rows;      ///< pair indices of batch k
  std::vector<data::TranslationBatch> batches;
  Blocks masks;                                ///< (B, T, S) bool: positions compared in each row
  int64_t rows_compared = 0;
  Blocks lexicon_gold;                         ///< (B, T) int64: the dictionary's source position, -1 = none
  int64_t lexicon_targets = 0;
};

constexpr const char* kWordStart = "\xE2\x96\x81";  // U+2581, SentencePiece's word-start mark

/// For each piece: the word it spells when it is a whole word by itself (it
/// starts a word and the next piece starts another or ends the sentence), else "".
std::vector<std::string> whole_words(const std::vector<std::string>& pieces) {
  std::vector<std::string> out(pieces.size());
  auto starts = [&](size_t i) { return pieces[i].rfind(kWordStart, 0) == 0; };
  for (size_t i = 0; i < pieces.size(); ++i) {
    const bool next_starts = i + 1 == pieces.size() || starts(i + 1) || pieces[i + 1] == "</s>";
    if (starts(i) && next_starts && pieces[i].size() > 3) out[i] = data::lexicon_lower(pieces[i].substr(3));
  }
  return out;
}

/// The gold source position of every target step (-1 when the target piece is
/// not a whole word translating exactly one whole-word source piece).
std::vector<int64_t> lexicon_positions(const data::Lexicon& lexicon, const data::SentencePieceVocabulary& vocabulary,
                                       const data::EncodedPair& pair) {
  const auto source = whole_words(vocabulary.pieces(pair.source));
  const auto target = whole_words(vocabulary.pieces(std::vector<int64_t>(pair.target.begin() + 1, pair.target.end())));
  std::vector<int64_t> gold(target.size(), -1);
  for (size_t t = 0; t < target.size(); ++t) {
    if (target[t].empty()) continue;
    int64_t found = -1;
    int count = 0;
    for (size_t l = 0; l < source.size(); ++l)
      if (!source[l].empty() && lexicon.translates(source[l], target[t])) found = static_cast<int64_t>(l), ++count;
    if (count == 1) gold[t] = found;
  }
  return gold;
}

/// Fraction of dictionary targets whose highest-scoring source position under `x` is the dictionary's.
double lexicon_score(const AnalysisSet& set, const Blocks& x) {
  if (set.lexicon_targets == 0) return std::numeric_limits<double>::quiet_NaN();
  int64_t hits = 0;
  for (size_t k = 0; k < set.batches.size(); ++k) {
    auto scores = x[k].masked_fill(set.batches[k].source_mask.logical_not().unsqueeze(1),
                                   -std::numeric_limits<float>::infinity());
    auto best = scores.argmax(2);  // (B, T)
    const auto& gold = set.lexicon_gold[k];
    hits += best.eq(gold).logical_and(gold.ge(0)).sum().item<int64_t>();
  }
  return static_cast<double>(hits) / static_cast<double>(set.lexicon_targets);
}

AnalysisSet analysis_set(const TranslationConfig& config, const TranslationData& data,
                         const data::Lexicon* lexicon) {
  AnalysisSet set;
  const int64_t count = std::min<int64_t>(config.analysis.examples, data.valid.size());
  set.rows = data::length_sorted_batches(data.valid, count, config.analysis.chunk);
  const bool words = config.analysis.positions == "words";
  for (const auto& rows : set.rows) {
    auto batch = data::make_translation_batch(data.valid, rows);
    auto row_mask = batch.target_in.ne(0);          // (B, T) target tokens after <s>, </s> included
    auto column_mask = batch.source_mask.clone();  // (B, S)
    if (words) {
      row_mask = row_mask.logical_and(batch.target_out.ne(data::SentencePieceVocabulary::kEos));
      column_mask = column_mask.logical_and(batch.source.ne(data::SentencePieceVocabulary::kBos))
                        .logical_and(batch.source.ne(data::SentencePieceVocabulary::kEos));
    }
    auto mask = row_mask.unsqueeze(2).logical_and(column_mask.unsqueeze(1));  // (B, T, S)
    set.rows_compared += mask.any(2).sum().item<int64_t>();
    set.masks.push_back(mask);
    if (lexicon) {
      auto gold = torch::full_like(batch.target_in, -1);
      for (size_t r = 0; r < rows.size(); ++r) {
        const auto positions = lexicon_positions(*lexicon, *data.vocabulary, data.valid[rows[r]]);
        for (size_t t = 0; t < positions.size(); ++t) gold[r][t] = positions[t];
      }
      set.lexicon_targets += gold.ge(0).sum().item<int64_t>();
      set.lexicon_gold.push_back(gold);
    }
    set.batches.push_back(std::move(batch));
  }
  return set;
}

/// Mean of a per-row statistic over every batch (rows weighed equally; NaN rows skipped).
template <typename Statistic>
double pooled(const AnalysisSet& set, const Blocks& x, const Blocks& y, Statistic statistic) {
  double total = 0;
  int64_t count = 0;
  for (size_t k = 0; k < set.batches.size(); ++k) {
    const auto scores = statistic(x[k], y[k], set.masks[k]);
    if (scores.count == 0) continue;
    total += scores.mean * static_cast<double>(scores.count);
    count += scores.count;
  }
  return count > 0 ? total / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
}

double match(const AnalysisSet& set, const Blocks& x, const Blocks& y, double percent) {
  return pooled(set, x, y, [&](const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& m) {
    return metrics::top_percent_match(a, b, m, percent);
  });
}

double tau(const AnalysisSet& set, const Blocks& x, const Blocks& y) {
  return pooled(set, x, y, [&](const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& m) {
    return metrics::kendall_tau_b(a, b, m);
  });
}

double shuffled(const AnalysisSet& set, const Blocks& x, const Blocks& y, metrics::Statistic statistic,
                const metrics::ShuffleOptions& options) {
  int64_t batch = 0;
  return pooled(set, x, y, [&](const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& m) {
    auto o = options;
    o.seed(options.seed() + static_cast<uint64_t>(batch++));
    return metrics::shuffled_baseline(statistic, a, b, m, o);
  });
}

/// What one snapshot gives on the analysis set.
struct SnapshotReading {
  Blocks alpha, beta;  ///< beta only when asked for
  TokenScores scores;
  double bleu = 0;     ///< beam search over the first bleu_pairs analysed pairs
};

SnapshotReading read_snapshot(nn::TranslationModelImpl& model, const AnalysisSet& set, const torch::Device& device,
                              bool with_beta) {
  torch::NoGradGuard no_grad;
  SnapshotReading out;
  double nll = 0;
  int64_t correct = 0, tokens = 0;
  for (const auto& cpu_batch : set.batches) {
    auto batch = cpu_batch.to(device);
    auto forward = model.forward(batch.source, batch.source_mask, batch.target_in);
    auto real = batch.target_in.ne(0);
    auto gold = forward.log_probs.gather(2, batch.target_out.unsqueeze(2)).squeeze(2);  // (B, T)
    nll -= gold.masked_select(real).sum().item<double>();
    correct += forward.log_probs.argmax(2).eq(batch.target_out).logical_and(real).sum().item<int64_t>();
    tokens += real.sum().item<int64_t>();
    out.alpha.push_back(forward.attention.cpu());
    if (with_beta) out.beta.push_back(probes::ktiw_beta(model, forward, batch.target_out, batch.source_mask).cpu());
  }
  out.scores = {nll / static_cast<double>(tokens), static_cast<double>(correct) / static_cast<double>(tokens),
                tokens};
  return out;
}

/// BLEU of beam search over the first `pairs` analysed pairs (in file order).
double beam_bleu(nn::TranslationModelImpl& model, const TranslationConfig& config, const TranslationData& data,
                 int64_t pairs, const torch::Device& device, std::vector<std::string>* hypotheses = nullptr) {
  nn::DecodingOptions decoding;
  decoding.beam(config.analysis.beam).max_length(config.analysis.max_length)
      .length_penalty(config.analysis.length_penalty);
  if (pairs == 0) return std::numeric_limits<double>::quiet_NaN();
  std::vector<std::string> hyps(static_cast<size_t>(pairs)), refs;
  for (const auto& rows : data::length_sorted_batches(data.valid, pairs, config.analysis.chunk)) {
    auto batch = data::make_translation_batch(data.valid, rows).to(device);
    auto best = nn::beam_search(model, batch.source, batch.source_mask, decoding);
    for (size_t r = 0; r < rows.size(); ++r) hyps[rows[r]] = data.vocabulary->decode(nn::output_ids(best[r], decoding));
  }
  for (int64_t i = 0; i < pairs; ++i) refs.push_back(data.valid_text[i].target);
  if (hypotheses) *hypotheses = hyps;
  return metrics::corpus_counts(hyps, refs).score();
}

/// Run A's gold snapshot: Delta and the beam-search output on every analysed pair.
struct GoldReading {
  Blocks delta;
  std::vector<std::string> hypotheses;
  double bleu = 0;
  double delta_seconds = 0;
};

/// The word-translation probe, fitted once, on the analysis set.
struct WordTranslationReading {
  Blocks beta_px;
  int64_t best_epoch = 0;
  double validation_loss = 0, seconds = 0;
};

/// Every reading of the analysis, each through the cache (options.readings):
/// an entry is used when it was read with the same settings from a snapshot
/// file with the same bytes, else the snapshot is read and the entry kept.
class SnapshotReader {
 public:
  SnapshotReader(const TranslationConfig& config, const TranslationData& data, const AnalysisSet& set,
                 int64_t bleu_pairs, const TranslationAnalysisOptions& options)
      : config_(config), data_(data), set_(set), bleu_pairs_(bleu_pairs), device_(options.device),
        cache_(options.readings) {
    const auto& a = config.analysis;
    // Everything besides the snapshot that a reading depends on. The device is
    // named because a GPU's readings differ from the CPU's in the last bits.
    settings_ = fmt::format("libattn translation readings 1; examples {} chunk {} beam {} max_length {} "
                            "length_penalty {} bleu_examples {}; device {}",
                            a.examples, a.chunk, a.beam, a.max_length, a.length_penalty, bleu_pairs,
                            device_.is_cuda() ? "cuda" : "cpu");
  }

  /// `was_read`, when given, tells whether the snapshot was read (not found kept).
  SnapshotReading snapshot(const TranslationRun& run, int64_t step, bool with_beta, bool* was_read = nullptr) const {
    if (was_read) *was_read = false;
    if (auto found = find(run, step, with_beta)) return *found;
    if (was_read) *was_read = true;
    auto model = load_translation_snapshot(config_, data_, run, step, device_);
    auto reading = read_snapshot(*model, set_, device_, with_beta);
    reading.bleu = beam_bleu(*model, config_, data_, bleu_pairs_, device_);
    CachedReading entry;
    entry.tensors["alpha"] = reading.alpha;
    if (with_beta) entry.tensors["beta"] = reading.beta;
    entry.numbers = {{"loss", reading.scores.loss},
                     {"accuracy", reading.scores.accuracy},
                     {"tokens", static_cast<double>(reading.scores.tokens)},
                     {"bleu", reading.bleu}};
    cache_.keep(entry_name(run, step), snapshot_key(run, step), entry);
    return reading;
  }

  GoldReading gold(const TranslationRun& run, int64_t step, int64_t pairs) const {
    const std::string name = "gold-" + entry_name(run, step);
    const std::string key = fmt::format("{}; gold pairs {}", snapshot_key(run, step), pairs);
    GoldReading gold;
    if (auto found = cache_.find(name, key)) {
      gold.delta = found->blocks("delta");
      gold.hypotheses = found->texts;
      gold.bleu = found->number("bleu");
      gold.delta_seconds = found->number("delta_seconds");
      return gold;
    }
    auto model = load_translation_snapshot(config_, data_, run, step, device_);
    const auto start = Clock::now();
    for (const auto& batch : set_.batches) gold.delta.push_back(probes::translation_influence(*model, batch.to(device_)).cpu());
    gold.delta_seconds = seconds_since(start);
    gold.bleu = beam_bleu(*model, config_, data_, pairs, device_, &gold.hypotheses);
    CachedReading entry;
    entry.tensors["delta"] = gold.delta;
    entry.texts = gold.hypotheses;
    entry.numbers = {{"bleu", gold.bleu}, {"delta_seconds", gold.delta_seconds}};
    cache_.keep(name, key, entry);
    return gold;
  }

  WordTranslationReading word_translation() const {
    const auto& a = config_.analysis;
    // The fit depends on the training pairs (their vocabulary) and its own
    // options; its scores on the analysis set's batches.
    const std::string key = fmt::format(
        "{}; beta^px embedding {} epochs {} batch {} seed {}; {} train / {} valid pairs; vocabulary {}", settings_,
        config_.model.embedding_dim(), a.bow_epochs, a.bow_batch_size, config_.uniform_seed, data_.train.size(),
        data_.valid.size(), vocabulary_checksum());
    WordTranslationReading px;
    if (auto found = cache_.find("beta_px", key)) {
      px.beta_px = found->blocks("beta_px");
      px.best_epoch = static_cast<int64_t>(found->number("best_epoch"));
      px.validation_loss = found->number("validation_loss");
      px.seconds = found->number("seconds");
      return px;
    }
    auto fit = probes::train_word_translator(data_.train, data_.valid, data_.vocabulary_size(),
                                             probes::WordTranslatorOptions()
                                                 .embedding_dim(config_.model.embedding_dim())
                                                 .epochs(a.bow_epochs)
                                                 .batch_size(a.bow_batch_size)
                                                 .seed(static_cast<uint64_t>(config_.uniform_seed)));
    px.best_epoch = fit.best_epoch;
    px.validation_loss = fit.validation_loss[fit.best_epoch];
    px.seconds = fit.seconds;
    for (const auto& batch : set_.batches) px.beta_px.push_back(fit.model->pair_scores(batch.source, batch.target_out));
    CachedReading entry;
    entry.tensors["beta_px"] = px.beta_px;
    entry.numbers = {{"best_epoch", static_cast<double>(px.best_epoch)},
                     {"validation_loss", px.validation_loss},
                     {"seconds", px.seconds}};
    cache_.keep("beta_px", key, entry);
    return px;
  }

 private:
  static std::string entry_name(const TranslationRun& run, int64_t step) {
    return fmt::format("{}-step_{}", run.dir.filename().string(), step);
  }

  std::string snapshot_key(const TranslationRun& run, int64_t step) const {
    return fmt::format("{}; snapshot sha256 {}", settings_,
                       io::sha256_file(translation_snapshot_path(run, step)));
  }

  std::string vocabulary_checksum() const {
    std::vector<int64_t> ids(static_cast<size_t>(data_.vocabulary_size()));
    std::iota(ids.begin(), ids.end(), int64_t{0});
    return io::sha256_hex(fmt::format("{}", fmt::join(data_.vocabulary->pieces(ids), "\n")));
  }

  std::optional<SnapshotReading> find(const TranslationRun& run, int64_t step, bool with_beta) const {
    if (!cache_.enabled()) return std::nullopt;
    auto found = cache_.find(entry_name(run, step), snapshot_key(run, step));
    if (!found || (with_beta && !found->tensors.count("beta"))) return std::nullopt;
    SnapshotReading reading;
    reading.alpha = found->blocks("alpha");
    if (with_beta) reading.beta = found->blocks("beta");
    reading.scores = {found->number("loss"), found->number("accuracy"),
                      static_cast<int64_t>(found->number("tokens"))};
    reading.bleu = found->number("bleu");
    return reading;
  }

  const TranslationConfig& config_;
  const TranslationData& data_;
  const AnalysisSet& set_;
  int64_t bleu_pairs_;
  torch::Device device_;
  ReadingCache cache_;
  std::string settings_;
};

std::vector<std::vector<float>> rows_of(const torch::Tensor& map, int64_t T, int64_t S) {
  auto m = map.narrow(0, 0, T).narrow(1, 0, S).to(torch::kFloat).contiguous();
  std::vector<std::vector<float>> out(static_cast<size_t>(T));
  for (int64_t t = 0; t < T; ++t) out[t].assign(m[t].data_ptr<float>(), m[t].data_ptr<float>() + S);
  return out;
}

}  // namespace

int64_t read_available_translation_snapshots(const TranslationConfig& config, const TranslationData& data,
                                             const fs::path& out_dir, const TranslationAnalysisOptions& options,
                                             const std::vector<std::string>& only) {
  check(!options.readings.empty(), "{}: reading snapshots ahead needs a cache folder for the readings", config.name);
  const auto start = Clock::now();
  const auto runs = translation_runs(config, out_dir);
  for (const auto& name : only) find_translation_run(runs, name);  // a name that is no run is an error
  const auto set = analysis_set(config, data, nullptr);
  const int64_t pairs = std::min<int64_t>(config.analysis.examples, data.valid.size());
  const SnapshotReader reader(config, data, set, std::min<int64_t>(config.analysis.bleu_examples, pairs), options);
  const auto steps = config.trainer_options(static_cast<int64_t>(data.train.size())).snapshot_steps();
  int64_t read = 0, kept = 0;
  for (size_t r = 0; r < runs.size(); ++r) {
    // As the analysis reads them: beta for the uniform run and the first comparison run.
    const bool with_beta = runs[r].uniform || r == 1;
    if (!only.empty() && std::find(only.begin(), only.end(), runs[r].name) == only.end()) continue;
    for (int64_t step : steps) {
      if (!fs::exists(translation_snapshot_path(runs[r], step))) continue;
      const auto snapshot_start = Clock::now();
      bool was_read = false;
      const auto reading = reader.snapshot(runs[r], step, with_beta, &was_read);
      if (!was_read) {
        ++kept;
        continue;
      }
      ++read;
      if (options.progress)
        fmt::print(stderr,
                   "[attn-analyze {:.0f}s] read run {} step {} in {:.0f}s: token accuracy {:.4f}, BLEU {:.2f}\n",
                   seconds_since(start), runs[r].name, step, seconds_since(snapshot_start), reading.scores.accuracy,
                   reading.bleu);
    }
  }
  // beta^px needs no snapshot: fitted now unless kept (only with every run, so that parallel readers don't repeat it).
  if (only.empty()) {
    const auto px = reader.word_translation();
    if (options.progress)
      fmt::print(stderr, "[attn-analyze {:.0f}s] beta^px: best epoch {}, validation loss {:.4f} ({:.0f}s)\n",
                 seconds_since(start), px.best_epoch, px.validation_loss, px.seconds);
  }
  if (options.progress)
    fmt::print(stderr, "[attn-analyze {:.0f}s] {} snapshot(s) read, {} already in {}\n", seconds_since(start), read,
               kept, options.readings.string());
  return read;
}

TranslationAnalysis analyze_translation_run_set(const TranslationConfig& config, const TranslationData& data,
                                                const fs::path& out_dir, const TranslationAnalysisOptions& options) {
  const auto start = Clock::now();
  auto log = [&](const std::string& line) {
    if (options.progress) fmt::print(stderr, "[attn-analyze {:.0f}s] {}\n", seconds_since(start), line);
  };
  const auto runs = translation_runs(config, out_dir);
  for (const auto& run : runs)
    check(translation_run_finished(run), "{}: run {} is not finished; complete it with attn-translate --resume",
          run.dir.string(), run.name);
  const double p = config.analysis.percent;
  std::optional<data::Lexicon> lexicon;
  if (!config.analysis.lexicon.empty())
    lexicon = data::read_freedict(config.analysis.lexicon + ".index", config.analysis.lexicon + ".dict.dz");
  const auto set = analysis_set(config, data, lexicon ? &*lexicon : nullptr);

  TranslationAnalysis a;
  a.name = config.name;
  a.percent = p;
  a.positions = config.analysis.positions;
  a.steps = config.trainer_options(static_cast<int64_t>(data.train.size())).snapshot_steps();
  a.pairs = std::min<int64_t>(config.analysis.examples, data.valid.size());
  a.rows_compared = set.rows_compared;
  a.performance = "val. token acc.";
  a.a_hat_label = "A-hat (shuffled alpha_B, mean over B's checkpoints)";
  a.bleu_pairs = std::min<int64_t>(config.analysis.bleu_examples, a.pairs);
  a.lexicon_targets = set.lexicon_targets;
  log(fmt::format("{} validation pairs, {} target-token rows, positions: {}{}", a.pairs, a.rows_compared, a.positions,
                  lexicon ? fmt::format("; {} dictionary targets", set.lexicon_targets) : std::string()));

  const auto& gold_run = runs.front();
  const auto& uniform_run = runs.back();
  const std::vector<TranslationRun> comparison_runs(runs.begin() + 1, runs.end() - 1);
  for (const auto& run : runs) a.bleu_runs.push_back(run.name);
  a.bleu.assign(runs.size(), {});

  const SnapshotReader reader(config, data, set, a.bleu_pairs, options);

  // 1. Run A at every snapshot: accuracy, perplexity, BLEU; the best is gold
  //    (its attention is kept: the gold alpha).
  double best_accuracy = -1;
  Blocks gold_alpha;
  for (int64_t step : a.steps) {
    auto reading = reader.snapshot(gold_run, step, false);
    a.gold_accuracy.push_back(reading.scores.accuracy);
    a.gold_perplexity.push_back(reading.scores.perplexity());
    a.bleu[0].push_back(reading.bleu);
    if (reading.scores.accuracy > best_accuracy) {
      best_accuracy = reading.scores.accuracy;
      a.gold_step = step;
      gold_alpha = std::move(reading.alpha);
    }
    log(fmt::format("run A step {}: token accuracy {:.4f}, perplexity {:.2f}, BLEU {:.2f}", step,
                    reading.scores.accuracy, reading.scores.perplexity(), a.bleu[0].back()));
  }
  a.xi_star = best_accuracy;

  // 2. Delta and the gold translations.
  const auto gold = reader.gold(gold_run, a.gold_step, a.pairs);
  const Blocks& gold_delta = gold.delta;
  const std::vector<std::string>& gold_hypotheses = gold.hypotheses;
  a.gold_bleu = gold.bleu;
  a.lexicon_alpha = lexicon_score(set, gold_alpha);
  a.lexicon_delta = lexicon_score(set, gold_delta);
  log(fmt::format("gold: run A at step {} (token accuracy {:.4f}); Delta in {:.0f}s", a.gold_step, best_accuracy,
                  gold.delta_seconds));
  log(fmt::format("gold BLEU {:.2f} on {} pairs (beam {})", a.gold_bleu, a.pairs, config.analysis.beam));

  // 3. beta^px, fitted once.
  const auto px = reader.word_translation();
  const Blocks& beta_px = px.beta_px;
  a.px_best_epoch = px.best_epoch;
  a.px_validation_loss = px.validation_loss;
  a.lexicon_beta_px = lexicon_score(set, beta_px);
  log(fmt::format("beta^px: best epoch {} of {}, validation loss {:.4f} ({:.0f}s)", px.best_epoch,
                  config.analysis.bow_epochs, a.px_validation_loss, px.seconds));

  // 4. The uniform run's beta^uf at every snapshot.
  struct Best {
    double agreement = -std::numeric_limits<double>::infinity();
    int64_t step = -1;
    double tau = std::numeric_limits<double>::quiet_NaN();
    Blocks y;  // the probe at that step (kept for the HTML page)
  };
  auto consider = [&](Best& best, double agreement, int64_t step, const Blocks& x, const Blocks& y) {
    if (!std::isnan(agreement) && agreement > best.agreement) {
      best.agreement = agreement;
      best.step = step;
      best.tau = tau(set, x, y);
      best.y = y;
    }
  };
  Best uf_alpha, uf_delta, uf_px, own_b;
  for (size_t c = 0; c < a.steps.size(); ++c) {
    const int64_t step = a.steps[c];
    auto reading = reader.snapshot(uniform_run, step, true);
    a.uniform_accuracy.push_back(reading.scores.accuracy);
    a.bleu.back().push_back(reading.bleu);
    const double agreement = match(set, gold_alpha, reading.beta, p);
    a.uniform_agreement.push_back(agreement);
    a.lexicon_beta_uf.push_back(lexicon_score(set, reading.beta));
    consider(uf_alpha, agreement, step, gold_alpha, reading.beta);
    consider(uf_delta, match(set, gold_delta, reading.beta, p), step, gold_delta, reading.beta);
    // Argument order as the authors: the argmax of beta^px ranked in beta^uf.
    const double px = match(set, beta_px, reading.beta, p);
    if (!std::isnan(px) && px > uf_px.agreement) {
      uf_px.agreement = px;
      uf_px.step = step;
      uf_px.tau = tau(set, beta_px, reading.beta);
    }
    log(fmt::format("uniform step {}: A(alpha, beta^uf) {:.4f}, token accuracy {:.4f}, BLEU {:.2f}", step, agreement,
                    reading.scores.accuracy, a.bleu.back().back()));
  }

  // 5. Comparison runs: c(ckpt), perf(ckpt), A(alpha, beta_B), A-hat.
  const auto shuffle = metrics::ShuffleOptions().repeats(config.analysis.shuffle_repeats).seed(0).percent(p);
  double a_hat_sum = 0, a_hat_tau_sum = 0;
  int64_t a_hat_count = 0;
  for (size_t r = 0; r < comparison_runs.size(); ++r) {
    const auto& run = comparison_runs[r];
    std::vector<double> agreement, accuracy;
    for (int64_t step : a.steps) {
      auto reading = reader.snapshot(run, step, r == 0);
      agreement.push_back(match(set, gold_alpha, reading.alpha, p));
      accuracy.push_back(reading.scores.accuracy);
      a.bleu[r + 1].push_back(reading.bleu);
      if (r == 0) {
        a.lexicon_alpha_b.push_back(lexicon_score(set, reading.alpha));
        a.lexicon_beta_b.push_back(lexicon_score(set, reading.beta));
        consider(own_b, match(set, gold_alpha, reading.beta, p), step, gold_alpha, reading.beta);
        a_hat_sum += shuffled(set, gold_alpha, reading.alpha, metrics::Statistic::kTopPercentMatch, shuffle);
        a_hat_tau_sum += shuffled(set, gold_alpha, reading.alpha, metrics::Statistic::kKendallTau, shuffle);
        ++a_hat_count;
      }
      log(fmt::format("run {} step {}: A(gold alpha, alpha) {:.4f}, token accuracy {:.4f}, BLEU {:.2f}", run.name,
                      step, agreement.back(), accuracy.back(), a.bleu[r + 1].back()));
    }
    a.comparison_runs.push_back(run.name);
    a.comparison_agreement.push_back(agreement);
    a.comparison_accuracy.push_back(accuracy);
  }
  a.mean_agreement = metrics::mean_over_runs(a.comparison_agreement);
  a.mean_accuracy = metrics::mean_over_runs(a.comparison_accuracy);
  a.a_hat = a_hat_sum / static_cast<double>(std::max<int64_t>(a_hat_count, 1));
  a.a_hat_tau = a_hat_tau_sum / static_cast<double>(std::max<int64_t>(a_hat_count, 1));

  // 6. The table.
  auto row = [&](const std::string& key, const std::string& label, const Best& best, const std::string& over) {
    check(best.step >= 0, "{}: {} is undefined at every checkpoint of the {}", config.name, label, over);
    a.rows.push_back({key, label, best.agreement, best.tau, best.step,
                      metrics::xi(best.agreement, a.mean_agreement, a.mean_accuracy), over});
  };
  row("alpha_beta_uf", "A(alpha, beta^uf)", uf_alpha, "uniform run");
  row("delta_beta_uf", "A(Delta, beta^uf)", uf_delta, "uniform run");
  row("beta_px_beta_uf", "A(beta^px, beta^uf)", uf_px, "uniform run");
  row("alpha_beta_B", "A(alpha, beta_B)", own_b, "run B");

  // 7. Samples for the HTML page: the first pairs of the analysis set in file order.
  const int64_t samples = std::min<int64_t>(config.analysis.html_examples, a.pairs);
  for (int64_t i = 0; i < samples; ++i) {
    for (size_t k = 0; k < set.rows.size(); ++k)
      for (size_t r = 0; r < set.rows[k].size(); ++r) {
        if (set.rows[k][r] != i) continue;
        const auto& pair = data.valid[i];
        plot::TranslationSample s;
        s.source_pieces = data.vocabulary->pieces(pair.source);
        s.target_pieces = data.vocabulary->pieces(std::vector<int64_t>(pair.target.begin() + 1, pair.target.end()));
        const int64_t T = static_cast<int64_t>(s.target_pieces.size()), S = static_cast<int64_t>(s.source_pieces.size());
        s.alpha = rows_of(gold_alpha[k][r], T, S);
        s.beta_uf = rows_of(uf_alpha.y[k][r], T, S);
        s.delta = rows_of(gold_delta[k][r], T, S);
        s.source_text = data.valid_text[i].source;
        s.reference = data.valid_text[i].target;
        s.hypothesis = gold_hypotheses[i];
        a.samples.push_back(std::move(s));
      }
  }
  a.seconds = seconds_since(start);
  return a;
}

}  // namespace attn::tasks
