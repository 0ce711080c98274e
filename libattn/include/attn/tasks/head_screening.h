// Screening single heads on top of the fixed base (paper Section 5.2,
// PAPER.md 5 "multihead"). Head k is drawn from torch seed head_seed + k and
// trained alone (base + that head) on every screening data seed:
//   good      token accuracy > good_threshold at some evaluation, every seed;
//   bad       final token accuracy < bad_threshold (never above the good
//             threshold), every seed;
//   discarded anything else.
// A head's seeds are trained in order and screening stops as soon as the
// head can no longer be good or bad (most heads cost one run), or can only
// be of a class whose quota is already full ("unverified").
//
// Folder layout in the experiment folder:
//   screening/draw_0007/seed_1/   one run (metrics.csv, done, ...)
//   screening/draw_0007/result.csv   the head's class (written last: the marker)
//   screening/draw_0007/head.pt      its weights, when good or bad
//   heads/good_00.pt, heads/bad_00.pt  the kept heads: the first `good` good
//                                     and first `bad` bad heads by draw index
//   screening/kept.csv, screening/summary.md, screening/draws.csv
//   screening/claims/draw_0007/      a worker has taken the draw (while screening)
// Screening is resumable at run granularity and runs in parallel: each worker
// takes the lowest draw that is neither finished nor claimed, so the workers
// stay together at the front and none is left alone with a backlog at the
// end. Which heads are kept does not depend on the number of workers or their
// timing.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "attn/tasks/multihead_config.h"
#include "attn/tasks/multihead_model.h"
#include "attn/tasks/multihead_task.h"
#include "attn/train/recorded_run.h"
#include "attn/train/metric_row.h"

namespace attn::tasks {

enum class HeadClass { kGood, kBad, kDiscarded, kUnverified };

/// "good", "bad", "discarded", "unverified".
std::string head_class_name(HeadClass head_class);

/// What one screening run showed.
struct ScreeningRun {
  int64_t data_seed = 0;
  double final_acc = 0;
  double best_acc = 0;
  int64_t step_to_good = -1;  ///< first evaluated step with token acc > good_threshold, -1 never
  bool reached_good = false;  ///< token acc > good_threshold at some evaluation
  bool low = false;           ///< never reached_good and final acc < bad_threshold
};

ScreeningRun classify_screening_run(int64_t data_seed, const std::vector<train::MetricRow>& history,
                                    const ScreeningOptions& options);

struct HeadResult {
  int64_t draw = 0;
  HeadClass head_class = HeadClass::kDiscarded;
  std::vector<ScreeningRun> runs;  ///< the runs made, in data-seed order
};

/// Combines the runs made so far: the class if decided, given which classes
/// are still wanted. Returns false while more runs are needed.
bool decide_head(const std::vector<ScreeningRun>& runs, const ScreeningOptions& options, bool need_good,
                 bool need_bad, HeadClass* decided);

/// Screening folders and files.
std::filesystem::path draw_directory(const std::filesystem::path& experiment_dir, int64_t draw);
std::filesystem::path kept_head_path(const std::filesystem::path& experiment_dir, HeadClass head_class,
                                     int64_t index);

/// Reads every finished draw (result.csv) in the experiment folder, by draw index.
std::vector<HeadResult> read_screening_results(const std::filesystem::path& experiment_dir);

struct ScreeningTally {
  int64_t screened = 0, good = 0, bad = 0, discarded = 0, unverified = 0, runs = 0;
  /// Draws needed, in draw order, to find the kept heads (-1: not yet found).
  int64_t draws_needed = -1;
  std::vector<int64_t> kept_good, kept_bad;  ///< draw indices of the kept heads
  bool complete(const ScreeningOptions& options) const;
};

/// Counts `results`; with `below_draw` >= 0, only the draws with a smaller
/// index. Screening decides draw d (whether its quota is full, whether to go
/// on) from the draws below d only: they are decided whatever the workers'
/// timing, so the kept heads (the first good and bad by index) are the same
/// with any number of workers.
ScreeningTally tally_screening(const std::vector<HeadResult>& results, const ScreeningOptions& options,
                               int64_t below_draw = -1);

/// Screens draw `draw` (resuming its runs) unless it is finished; returns its result.
HeadResult screen_head(const MultiheadExperimentConfig& config, const std::filesystem::path& experiment_dir,
                       int64_t draw, const train::RunContext& context);

/// screen_head for several draws in lockstep: the next run of every draw
/// still undecided is trained with the others' as one batched model (issue
/// 17 point 4); each draw is decided, and its result written, as alone.
std::vector<HeadResult> screen_heads(const MultiheadExperimentConfig& config,
                                     const std::filesystem::path& experiment_dir, const std::vector<int64_t>& draws,
                                     const train::RunContext& context);

/// Claims for one screening session: a draw is claimed by creating
/// screening/claims/draw_NNNN (atomic), so two workers never screen the same
/// draw. reset_screening_claims clears the claims of an earlier, killed
/// session; call it once before starting the workers, with no other session
/// running on the folder. finish_screening removes the folder.
std::filesystem::path screening_claims_directory(const std::filesystem::path& experiment_dir);
void reset_screening_claims(const std::filesystem::path& experiment_dir);
/// True when this call claimed the draw, false when some worker already had.
/// A worker with an index (>= 0) writes it into the claim, so that the same
/// worker started again (a requeued Slurm task) resumes the draw it held.
bool claim_draw(const std::filesystem::path& experiment_dir, int64_t draw, int64_t worker = -1);
/// True when worker `worker` (>= 0) holds the claim of `draw`.
bool claimed_by(const std::filesystem::path& experiment_dir, int64_t draw, int64_t worker);

/// One screening worker: takes the lowest draw that is neither finished nor
/// claimed (or is claimed by this `worker` index, when >= 0) and screens it,
/// until the finished draws below its next one (any worker's) meet the quotas
/// or max_draws is reached. With `batch_runs` > 1 it claims that many draws
/// and screens them together (screen_heads).
void run_screening_worker(const MultiheadExperimentConfig& config, const std::filesystem::path& experiment_dir,
                          const train::RunContext& context, int64_t worker = -1, int64_t batch_runs = 1);

/// Copies the kept heads to heads/ and writes screening/kept.csv,
/// screening/summary.md and screening/draws.csv; returns the tally. Throws attn::Error when the
/// quotas were not met (max_draws too small).
ScreeningTally finish_screening(const MultiheadExperimentConfig& config, const std::filesystem::path& experiment_dir);

/// finish_screening unless screening/kept.csv shows it has been done; safe
/// when several processes call it at once (trial tasks of a Slurm array: they
/// take turns on a lock of screening/.finish.lock).
void ensure_screening_finished(const MultiheadExperimentConfig& config, const std::filesystem::path& experiment_dir);

/// The screening lines of the summary (counts, draws, rarity of good and bad heads).
std::string format_screening(const ScreeningTally& tally, const ScreeningOptions& options);

/// Every run of every finished draw, one line each, in draw order
/// (draw,class,data_seed,final_acc,best_acc,step_to_good); written to
/// screening/draws.csv with the summary.
std::string screening_results_csv(const std::vector<HeadResult>& results);

}  // namespace attn::tasks
