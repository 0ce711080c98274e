// Head screening (see attn/tasks/head_screening.h).
#include "attn/tasks/head_screening.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "attn/io/csv.h"
#include "attn/core/error.h"
#include "attn/io/files.h"

namespace attn::tasks {

namespace fs = std::filesystem;

// Written last in a draw's folder: its presence marks the draw finished.
constexpr const char* kResultFile = "result.csv";

std::string head_class_name(HeadClass head_class) {
  switch (head_class) {
    case HeadClass::kGood: return "good";
    case HeadClass::kBad: return "bad";
    case HeadClass::kDiscarded: return "discarded";
    case HeadClass::kUnverified: return "unverified";
  }
  return "?";
}

namespace {
HeadClass parse_head_class(const std::string& name, const fs::path& origin) {
  for (auto c : {HeadClass::kGood, HeadClass::kBad, HeadClass::kDiscarded, HeadClass::kUnverified})
    if (head_class_name(c) == name) return c;
  throw Error(fmt::format("{}: unknown head class '{}'", origin.string(), name));
}
}  // namespace

ScreeningRun classify_screening_run(int64_t data_seed, const std::vector<train::MetricRow>& history,
                                    const ScreeningOptions& options) {
  check(!history.empty(), "screening run of data seed {}: no evaluations recorded", data_seed);
  ScreeningRun run;
  run.data_seed = data_seed;
  run.final_acc = history.back().get("token_acc");
  for (const auto& row : history) {
    const double acc = row.get("token_acc");
    run.best_acc = std::max(run.best_acc, acc);
    if (acc > options.good_threshold && run.step_to_good < 0) run.step_to_good = static_cast<int64_t>(row.get("step"));
  }
  run.reached_good = run.step_to_good >= 0;
  run.low = !run.reached_good && run.final_acc < options.bad_threshold;
  return run;
}

bool decide_head(const std::vector<ScreeningRun>& runs, const ScreeningOptions& options, bool need_good,
                 bool need_bad, HeadClass* decided) {
  if (runs.empty()) return false;
  const bool can_good = std::all_of(runs.begin(), runs.end(), [](const auto& r) { return r.reached_good; });
  const bool can_bad = std::all_of(runs.begin(), runs.end(), [](const auto& r) { return r.low; });
  if (runs.size() >= options.data_seeds.size()) {
    *decided = can_good ? HeadClass::kGood : can_bad ? HeadClass::kBad : HeadClass::kDiscarded;
    return true;
  }
  if (!can_good && !can_bad) {
    *decided = HeadClass::kDiscarded;
    return true;
  }
  if ((can_good && need_good) || (can_bad && need_bad)) return false;
  *decided = HeadClass::kUnverified;  // could only be of a class that is already full
  return true;
}

fs::path draw_directory(const fs::path& experiment_dir, int64_t draw) {
  return experiment_dir / "screening" / fmt::format("draw_{:04d}", draw);
}

fs::path kept_head_path(const fs::path& experiment_dir, HeadClass head_class, int64_t index) {
  return experiment_dir / "heads" / fmt::format("{}_{:02d}.pt", head_class_name(head_class), index);
}

namespace {

const char kResultHeader[] = "draw,class,data_seed,final_acc,best_acc,step_to_good\n";

std::string result_lines(const HeadResult& result) {
  std::string out;
  for (const auto& r : result.runs)
    out += fmt::format("{},{},{},{:.6f},{:.6f},{}\n", result.draw, io::csv_field(head_class_name(result.head_class)), r.data_seed,
                       r.final_acc, r.best_acc, r.step_to_good);
  return out;
}

HeadResult parse_result_csv(const fs::path& path, const ScreeningOptions& options) {
  std::istringstream in(io::read_text_file(path));
  std::string line;
  std::getline(in, line);  // header
  HeadResult result;
  bool any = false;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string x; std::getline(fields, x, ',');) f.push_back(x);
    check(f.size() == 6, "{}: expected 6 fields per line, got {}", path.string(), f.size());
    try {
      result.draw = std::stoll(f[0]);
      result.head_class = parse_head_class(f[1], path);
      ScreeningRun r;
      r.data_seed = std::stoll(f[2]);
      r.final_acc = std::stod(f[3]);
      r.best_acc = std::stod(f[4]);
      r.step_to_good = std::stoll(f[5]);
      r.reached_good = r.step_to_good >= 0;
      r.low = !r.reached_good && r.final_acc < options.bad_threshold;
      result.runs.push_back(r);
    } catch (const std::logic_error&) {
      throw Error(fmt::format("{}: unreadable line '{}'", path.string(), line));
    }
    any = true;
  }
  check(any, "{}: no runs recorded", path.string());
  return result;
}

}  // namespace

std::vector<HeadResult> read_screening_results(const fs::path& experiment_dir) {
  std::vector<HeadResult> results;
  const fs::path dir = experiment_dir / "screening";
  if (!fs::exists(dir)) return results;
  // Thresholds only re-derive the flags; the class is read from the file.
  const ScreeningOptions defaults;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path file = entry.path() / kResultFile;
    if (entry.is_directory() && fs::exists(file)) results.push_back(parse_result_csv(file, defaults));
  }
  std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) { return a.draw < b.draw; });
  return results;
}

bool ScreeningTally::complete(const ScreeningOptions& options) const {
  return static_cast<int64_t>(kept_good.size()) >= options.good && static_cast<int64_t>(kept_bad.size()) >= options.bad;
}

ScreeningTally tally_screening(const std::vector<HeadResult>& results, const ScreeningOptions& options,
                               int64_t below_draw) {
  ScreeningTally t;
  int64_t expected = 0;  // draws 0 .. expected-1 all finished so far (results are sorted)
  bool contiguous = true;
  for (const auto& r : results) {
    if (below_draw >= 0 && r.draw >= below_draw) break;
    ++t.screened;
    t.runs += static_cast<int64_t>(r.runs.size());
    contiguous = contiguous && r.draw == expected;
    ++expected;
    switch (r.head_class) {
      case HeadClass::kGood:
        ++t.good;
        if (static_cast<int64_t>(t.kept_good.size()) < options.good) t.kept_good.push_back(r.draw);
        break;
      case HeadClass::kBad:
        ++t.bad;
        if (static_cast<int64_t>(t.kept_bad.size()) < options.bad) t.kept_bad.push_back(r.draw);
        break;
      case HeadClass::kDiscarded: ++t.discarded; break;
      case HeadClass::kUnverified: ++t.unverified; break;
    }
    if (contiguous && t.draws_needed < 0 && t.complete(options)) t.draws_needed = r.draw + 1;
  }
  return t;
}

HeadResult screen_head(const MultiheadExperimentConfig& config, const fs::path& experiment_dir, int64_t draw,
                       const train::RunContext& context) {
  return screen_heads(config, experiment_dir, {draw}, context).at(0);
}

std::vector<HeadResult> screen_heads(const MultiheadExperimentConfig& config, const fs::path& experiment_dir,
                                     const std::vector<int64_t>& draws, const train::RunContext& context) {
  const auto& s = config.screening;
  const auto copy = config.with_heads(1);
  std::vector<HeadResult> results(draws.size());
  std::vector<bool> decided(draws.size(), false);
  for (size_t d = 0; d < draws.size(); ++d) {
    const fs::path dir = draw_directory(experiment_dir, draws[d]);
    results[d].draw = draws[d];
    if (fs::exists(dir / kResultFile)) {
      results[d] = parse_result_csv(dir / kResultFile, s);
      decided[d] = true;
    }
  }
  // A decided draw: its head saved when good or bad, result.csv written (the
  // marker other draws' quotas read), a line printed.
  auto finish = [&](const HeadResult& result) {
    const fs::path dir = draw_directory(experiment_dir, result.draw);
    if (result.head_class == HeadClass::kGood || result.head_class == HeadClass::kBad) {
      auto head = draw_head(copy.model, s.head_seed + result.draw);
      save_head(dir / "head.pt", *head);
    }
    io::write_file_atomic(dir / kResultFile, kResultHeader + result_lines(result));
    std::string runs;
    for (const auto& r : result.runs)
      runs += fmt::format(" seed {}: final {:.3f} best {:.3f}{};", r.data_seed, r.final_acc, r.best_acc,
                          r.reached_good ? fmt::format(" >{} at step {}", s.good_threshold, r.step_to_good) : "");
    const auto tally = tally_screening(read_screening_results(experiment_dir), s);
    fmt::print(stderr, "[screening] draw {:>4}: {:<10}{} [{} screened: good {}/{}, bad {}/{}]\n", result.draw,
               head_class_name(result.head_class), runs, tally.screened, tally.good, s.good, tally.bad, s.bad);
  };
  // Once token accuracy passes the good threshold a run can only count
  // towards "good" (bad needs a low final accuracy), so it stops there.
  const double good_threshold = s.good_threshold;
  auto stop_when = [good_threshold](const train::MetricRow& row) { return row.get("token_acc") > good_threshold; };
  while (true) {
    // The next run of every undecided draw, the quotas re-read before each
    // (other workers may have filled one; only draws below count, see
    // tally_screening).
    std::vector<MultiheadRun> next;
    std::vector<size_t> owner;
    for (size_t d = 0; d < draws.size(); ++d) {
      if (decided[d]) continue;
      const auto tally = tally_screening(read_screening_results(experiment_dir), s, draws[d]);
      if (decide_head(results[d].runs, s, tally.good < s.good, tally.bad < s.bad, &results[d].head_class)) {
        decided[d] = true;
        finish(results[d]);
        continue;
      }
      const int64_t draw = draws[d], seed = s.data_seeds[results[d].runs.size()];
      auto make_model = [&copy, &experiment_dir, head_seed = s.head_seed + draw] {
        return assemble_model(copy.model, fixed_base_path(experiment_dir), {draw_head(copy.model, head_seed)});
      };
      next.push_back({seed, make_model, draw_directory(experiment_dir, draw) / fmt::format("seed_{}", seed),
                      fmt::format("draw {} seed {}", draw, seed), stop_when});
      owner.push_back(d);
    }
    if (next.empty()) break;
    const auto histories = train_multihead_runs(copy, next, /*with_ktiw=*/false, context);
    for (size_t k = 0; k < next.size(); ++k)
      results[owner[k]].runs.push_back(classify_screening_run(next[k].seed, histories[k], s));
  }
  return results;
}

fs::path screening_claims_directory(const fs::path& experiment_dir) {
  return experiment_dir / "screening" / "claims";
}

void reset_screening_claims(const fs::path& experiment_dir) {
  const fs::path claims = screening_claims_directory(experiment_dir);
  fs::remove_all(claims);
  fs::create_directories(claims);
}

namespace {
// The file in a claim naming the worker that holds it.
constexpr const char* kClaimOwnerFile = "worker";
}  // namespace

bool claim_draw(const fs::path& experiment_dir, int64_t draw, int64_t worker) {
  const fs::path claims = screening_claims_directory(experiment_dir);
  std::error_code ignored;  // another worker may create it at the same moment
  fs::create_directories(claims, ignored);
  // mkdir is atomic: of the workers that try, exactly one creates the folder.
  const fs::path claim = claims / draw_directory(experiment_dir, draw).filename();
  if (!fs::create_directory(claim)) return false;
  if (worker >= 0) io::write_file_atomic(claim / kClaimOwnerFile, std::to_string(worker));
  return true;
}

bool claimed_by(const fs::path& experiment_dir, int64_t draw, int64_t worker) {
  if (worker < 0) return false;
  const fs::path owner =
      screening_claims_directory(experiment_dir) / draw_directory(experiment_dir, draw).filename() / kClaimOwnerFile;
  return fs::exists(owner) && io::read_text_file(owner) == std::to_string(worker);
}

void run_screening_worker(const MultiheadExperimentConfig& config, const fs::path& experiment_dir,
                          const train::RunContext& context, int64_t worker, int64_t batch_runs) {
  check(batch_runs >= 1, "--batch-runs: expected at least 1 run per process, got {}", batch_runs);
  const auto& s = config.screening;
  std::vector<int64_t> claimed;  // screened together once batch_runs are claimed
  for (int64_t draw = 0; draw < s.max_draws; ++draw) {
    if (fs::exists(draw_directory(experiment_dir, draw) / kResultFile)) continue;
    if (tally_screening(read_screening_results(experiment_dir), s, draw).complete(s)) break;
    // A requeued worker (Slurm) finds its own unfinished claim and resumes it.
    if (claim_draw(experiment_dir, draw, worker) || claimed_by(experiment_dir, draw, worker)) claimed.push_back(draw);
    if (static_cast<int64_t>(claimed.size()) == batch_runs) {
      screen_heads(config, experiment_dir, claimed, context);
      claimed.clear();
    }
  }
  if (!claimed.empty()) screen_heads(config, experiment_dir, claimed, context);
}

std::string format_screening(const ScreeningTally& t, const ScreeningOptions& s) {
  std::string out = fmt::format(
      "| screened heads | good | bad | discarded | unverified | training runs | draws needed |\n"
      "|---:|---:|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} | {} | {} |\n\n",
      t.screened, t.good, t.bad, t.discarded, t.unverified, t.runs,
      t.draws_needed >= 0 ? std::to_string(t.draws_needed) : "not reached");
  out += fmt::format(
      "good = token acc > {} within the run on all {} data seeds; bad = final token acc < {} on all of them; "
      "unverified = stopped early because it could only be of a class whose quota ({} good, {} bad) was full.\n",
      s.good_threshold, s.data_seeds.size(), s.bad_threshold, s.good, s.bad);
  if (t.screened > 0) {
    out += fmt::format("Good heads: {} of {} screened ({:.1f}%); bad heads: {} of {} ({:.1f}%).{}\n", t.good, t.screened,
                       100.0 * t.good / t.screened, t.bad, t.screened, 100.0 * t.bad / t.screened,
                       t.unverified > 0 ? " The class whose quota was full first is undercounted: its later heads "
                                          "stopped as unverified."
                                        : "");
    // Before a quota fills every draw is screened in full: the unbiased view of rarity.
    auto filled = [&](const char* name, const std::vector<int64_t>& kept, int64_t quota) {
      if (quota > 0 && static_cast<int64_t>(kept.size()) >= quota)
        out += fmt::format("The {} quota filled at draw {} ({} {} in draws 0-{}).\n", name, kept.back(), quota, name,
                           kept.back());
    };
    filled("good", t.kept_good, s.good);
    filled("bad", t.kept_bad, s.bad);
  }
  return out;
}

std::string screening_results_csv(const std::vector<HeadResult>& results) {
  std::string out = kResultHeader;
  for (const auto& r : results) out += result_lines(r);
  return out;
}

ScreeningTally finish_screening(const MultiheadExperimentConfig& config, const fs::path& experiment_dir) {
  const auto& s = config.screening;
  const auto results = read_screening_results(experiment_dir);
  const auto tally = tally_screening(results, s);
  io::write_file_atomic(experiment_dir / "screening" / "draws.csv", screening_results_csv(results));
  io::write_file_atomic(experiment_dir / "screening" / "summary.md",
                        "# Head screening\n\n" + format_screening(tally, s));
  check(tally.complete(s),
        "{}: screening found {} good and {} bad heads in {} draws (screening.max_draws {}); raise max_draws or "
        "lower screening.good / screening.bad",
        experiment_dir.string(), tally.kept_good.size(), tally.kept_bad.size(), tally.screened, s.max_draws);
  check(tally.draws_needed >= 0,
        "{}: screening has its heads, but some draws below them are unfinished (a killed run); rerun with --resume",
        experiment_dir.string());
  std::string kept = "class,index,draw,head_seed\n";
  for (auto head_class : {HeadClass::kGood, HeadClass::kBad}) {
    const auto& draws = head_class == HeadClass::kGood ? tally.kept_good : tally.kept_bad;
    for (size_t i = 0; i < draws.size(); ++i) {
      const fs::path target = kept_head_path(experiment_dir, head_class, static_cast<int64_t>(i));
      io::ensure_directory(target.parent_path());
      const fs::path tmp = io::temporary_sibling(target);
      fs::copy_file(draw_directory(experiment_dir, draws[i]) / "head.pt", tmp, fs::copy_options::overwrite_existing);
      fs::rename(tmp, target);
      kept += fmt::format("{},{},{},{}\n", head_class_name(head_class), i, draws[i], s.head_seed + draws[i]);
    }
  }
  io::write_file_atomic(experiment_dir / "screening" / "kept.csv", kept);
  fs::remove_all(screening_claims_directory(experiment_dir));
  return tally;
}

void ensure_screening_finished(const MultiheadExperimentConfig& config, const fs::path& experiment_dir) {
  // Trial tasks starting together take turns (a blocking flock, unlike
  // io::RunLock, which refuses a second holder); the first one finishes.
  const fs::path lock_file = experiment_dir / "screening" / ".finish.lock";
  io::ensure_directory(lock_file.parent_path());
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  check(fd >= 0, "{}: cannot open ({})", lock_file.string(), std::strerror(errno));
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }  // closing drops the flock
  } unlock{fd};
  while (::flock(fd, LOCK_EX) != 0)
    check(errno == EINTR, "{}: cannot lock ({})", lock_file.string(), std::strerror(errno));
  if (fs::exists(experiment_dir / "screening" / "kept.csv")) return;
  finish_screening(config, experiment_dir);
}

}  // namespace attn::tasks
