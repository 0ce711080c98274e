// reverse-copy: an experiment defined outside libattn with the library's pieces
// (docs/library.md walks through it). The model must output its input in
// REVERSE order, so attention has to learn the anti-diagonal (target step t
// reads source position L-1-t). The same run is trained twice through the
// library's recorded-run path: normally, and with attention uniform
// throughout; the paper predicts that KTIW (which input word produces which
// output word) is learned in both, while attention accuracy stays at chance
// in the uniform run. It prints a table of the final accuracies and draws
// both runs' learning curves (<out>/learning_curves.png, with gnuplot).
//
//   reverse-copy --config reverse.yaml --out runs/reverse [--threads N] [--set train.steps=50]
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "attn/cli/command_line.h"
#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/core/seed_streams.h"
#include "attn/data/copy_data_config.h"
#include "attn/metrics/copy_accuracy.h"
#include "attn/nn/copy_model_config.h"
#include "attn/plot/copy_figures.h"
#include "attn/probes/ktiw.h"
#include "attn/train/recorded_run.h"
#include "attn/train/train_config.h"

using namespace attn;

// The config: the library's data:, model: and train: sections, plus a seed.
struct ReverseConfig {
  int64_t seed = 0;
  data::CopyTaskOptions data;
  nn::CopyModelOptions model;
  train::TrainConfig train;
  std::string resolved_yaml;  // recorded as the run's config.yaml
};

ReverseConfig load_config(const cli::CommonOptions& common, int64_t uniform_steps) {
  auto overrides = common.overrides;  // --set, then this run's K
  overrides.push_back(fmt::format("train.uniform_steps={}", uniform_steps));
  const auto root = io::ConfigNode::load_file(common.configs.at(0), overrides);
  ReverseConfig c;
  c.seed = root.get_int("seed", c.seed);
  root.require(c.seed >= 0, "seed", "expected a non-negative seed");
  c.data = data::read_copy_task_options(root.child("data"), "data", c.data);
  c.model = nn::read_copy_model_options(root.child("model"), c.model)
                .vocab_size(data::CopyVocabulary{c.data.vocab()}.total());  // content + EOS + SOS
  c.train = train::read_train_config(root.child("train"), c.train);
  root.finish();  // any key no reader asked for is an error
  c.resolved_yaml = root.resolved_yaml();
  return c;
}

// A copy batch turned around: target = content reversed, then EOS.
data::CopyBatch reversed(data::CopyBatch b) {
  const int64_t n = b.source.size(1) - 1;  // content tokens; position n is the source EOS
  const auto content = b.source.narrow(1, 0, n).flip({1});
  b.target_out = torch::cat({content, b.source.narrow(1, n, 1)}, 1);
  b.target_in = torch::cat({b.target_in.narrow(1, 0, 1), content}, 1);  // SOS + reversed content
  const auto gold = torch::cat({torch::arange(n - 1, -1, -1, b.source.options()),  // t -> n-1-t
                                torch::full({1}, n, b.source.options())});          // EOS -> EOS
  b.gold_alignment = gold.unsqueeze(0).expand_as(b.target_out).contiguous();
  return b;
}

class ReverseTask : public train::TrainingTask {
 public:
  ReverseTask(const ReverseConfig& config, torch::Device device) : c_(config), device_(device) {
    torch::manual_seed(static_cast<uint64_t>(c_.seed));
    model_ = nn::make_copy_model(c_.model);
    model_->to(device_);
  }
  torch::nn::Module& model() override { return *model_; }
  void begin_stage(train::Stage stage) override { model_->set_uniform_attention(stage == train::Stage::kUniform); }
  torch::Tensor training_loss(int64_t step) override {
    const auto b = batch(c_.train.batch_size, static_cast<uint64_t>(c_.seed), step);
    const auto out = model_->forward(b.source, b.source_mask, b.target_in);
    return torch::nll_loss(out.log_probs.flatten(0, 1), b.target_out.flatten());
  }
  train::MetricRow evaluate(int64_t step) override {  // fresh examples from a stream apart from training
    const uint64_t eval_seed = stream_seed(static_cast<uint64_t>(c_.seed), SeedStream::kCopyEvaluation);
    const auto b = batch(c_.train.eval_examples, eval_seed, step);
    torch::NoGradGuard no_grad;
    const auto out = model_->forward(b.source, b.source_mask, b.target_in);
    const auto beta = probes::ktiw_beta(*model_, out, b.target_out, b.source_mask);
    train::MetricRow row;
    row.set("eval_loss", metrics::mean_nll(out.log_probs, b.target_out));
    row.set("token_acc", metrics::token_accuracy(out.log_probs, b.target_out));
    row.set("attention_acc", metrics::alignment_accuracy(out.attention, b.gold_alignment));
    row.set("ktiw_acc", metrics::alignment_accuracy(beta, b.gold_alignment));
    return row;
  }
  std::vector<std::string> progress_metrics() const override { return {"token_acc", "attention_acc", "ktiw_acc"}; }

 private:
  data::CopyBatch batch(int64_t size, uint64_t seed, int64_t step) const {
    return reversed(data::make_copy_batch(c_.data, {c_.data.vocab()}, size, seed, step, device_));
  }
  ReverseConfig c_;
  torch::Device device_;
  std::shared_ptr<nn::Seq2SeqModel> model_;
};

int app_main(int argc, char** argv) {
  cli::CommandLine cli("reverse-copy", "Reverse-copy task, trained normally and with uniform attention.",
                       cli::kConfig | cli::kOut | cli::kResume | cli::kOverrides | cli::kDevice | cli::kThreads |
                           cli::kQuiet);
  if (!cli.parse(argc, argv)) return 0;
  const auto& common = cli.common();
  check(!common.configs.empty(), "--config: expected the experiment YAML (see --help)");
  const auto normal = load_config(common, 0);
  const auto uniform = load_config(common, normal.train.trainer.steps());  // K = steps: uniform throughout
  if (common.print_config) {
    cli::print_configs({normal.resolved_yaml, uniform.resolved_yaml});
    return 0;
  }
  check(!common.out.empty(), "--out: expected the folder of the two runs (see --help)");
  const int threads = configure_threads(common.threads);
  std::string table = "| run | token acc | attention acc | KTIW acc |\n|---|---:|---:|---:|\n";
  std::vector<plot::CurveSet> curves;  // the learning curves of both runs, side by side
  for (const ReverseConfig* config : {&normal, &uniform}) {
    const std::string name = config == &normal ? "normal" : "uniform";
    train::RecordedRun run;
    run.dir = common.out / name;
    run.config_yaml = config->resolved_yaml;
    run.experiment = fmt::format("reverse-copy {}", name);
    run.seed = config->seed;
    run.trainer = config->train.trainer;
    run.trainer.label(name);
    run.resume = common.resume;
    const auto result = train::run_recorded(run, common.run_context(threads),
                                            [&] { return std::make_unique<ReverseTask>(*config, common.device); });
    const auto& last = result.history.back();
    table += fmt::format("| {} | {:.3f} | {:.3f} | {:.3f} |\n", name, last.get("token_acc"),
                         last.get("attention_acc"), last.get("ktiw_acc"));
    curves.push_back({name, {run.dir / "metrics.csv"}});
  }
  fmt::print("\n{}", table);
  if (plot::render_copy_learning_curves(common.out / "learning_curves.png", curves))
    fmt::print("figure: {}\n", (common.out / "learning_curves.png").string());
  return 0;
}

int main(int argc, char** argv) {
  ensure_fast_runtime(argc, argv);
  return run_app("reverse-copy", [&] { return app_main(argc, argv); });
}
