// attn-prepare-translation: turns the German gettext catalogues of unpacked
// Debian packages into data/translation/gettext-en-de/{train,valid,test}.{en,de}
// + manifest.json, the translation experiment's embedded English -> German
// corpus (PAPER.md 2.2 and 5, "translation"). scripts/prepare-data.sh
// translation fetches and unpacks the packages and runs this. All the work is
// in attn/data/gettext_corpus.h (the filter: attn/data/message_pairs.h).
#include <cxxopts.hpp>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "attn/cli/command_line.h"
#include "attn/core/runtime.h"
#include "attn/data/gettext_corpus.h"

namespace {

std::vector<std::string> split_commas(const std::string& list) {
  std::vector<std::string> names;
  for (size_t start = 0; start <= list.size();) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) names.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return names;
}

double mean(int64_t total, size_t n) { return n ? static_cast<double>(total) / static_cast<double>(n) : 0.0; }

int64_t words(const std::vector<attn::data::MessagePair>& pairs, bool source) {
  int64_t total = 0;
  for (const auto& p : pairs) total += attn::data::count_words(source ? p.source : p.target);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  return attn::run_app("attn-prepare-translation", [&]() -> int {
    cxxopts::Options cli("attn-prepare-translation",
                         "Build the English -> German gettext corpus from unpacked Debian packages");
    cli.add_options()
        ("unpacked", "folder of unpacked packages, one folder each (with DEBIAN/control)",
         cxxopts::value<std::string>()->default_value("data/downloads/translation/unpacked"))
        ("packages", "comma-separated package names to read (default: every folder in --unpacked)",
         cxxopts::value<std::string>()->default_value(""))
        ("out", "output folder", cxxopts::value<std::string>()->default_value("data/translation/gettext-en-de"))
        ("seed", "seed of the train/valid/test split", cxxopts::value<uint64_t>()->default_value("1"))
        ("valid-fraction", "share of pairs in valid", cxxopts::value<double>()->default_value("0.05"))
        ("test-fraction", "share of pairs in test", cxxopts::value<double>()->default_value("0.05"))
        ("min-words", "fewest source words kept", cxxopts::value<int64_t>()->default_value("3"))
        ("max-words", "most source words kept", cxxopts::value<int64_t>()->default_value("50"))
        ("verify", "only check an existing corpus against its manifest (exit 1 if it fails)")
        ("force", "rebuild even when the output already matches its manifest")
        ("h,help", "print this help");
    const auto args = attn::cli::parse_flags(cli, argc, argv);
    if (args.count("help")) {
      fmt::print("{}\n", cli.help());
      return 0;
    }
    const std::string out = args["out"].as<std::string>();
    attn::data::GettextCorpusOptions options;
    options.filter.min_source_words = args["min-words"].as<int64_t>();
    options.filter.max_source_words = args["max-words"].as<int64_t>();
    options.split.seed = args["seed"].as<uint64_t>();
    options.split.valid_fraction = args["valid-fraction"].as<double>();
    options.split.test_fraction = args["test-fraction"].as<double>();
    const std::string unpacked = args["unpacked"].as<std::string>();
    const std::vector<std::string> names = split_commas(args["packages"].as<std::string>());

    std::string problem;
    if (args.count("verify")) {
      const bool intact = attn::data::verify_gettext_corpus(out, &problem);
      fmt::print(intact ? "{}: intact\n" : "{}: not intact: {}\n", out, problem);
      return intact ? 0 : 1;
    }
    const std::vector<attn::data::DebianPackage> packages = attn::data::list_packages(unpacked, names);
    if (attn::data::verify_gettext_corpus(out, &problem, &options, &packages) && !args.count("force")) {
      fmt::print("{}: already prepared from these packages and intact (use --force to rebuild)\n", out);
      return 0;
    }
    if (problem.find("not found") == std::string::npos) fmt::print("{}: rebuilding: {}\n", out, problem);

    const attn::data::GettextCorpus corpus = attn::data::build_gettext_corpus(unpacked, names, options);
    attn::data::write_gettext_corpus(corpus, options, out);

    for (size_t i = 0; i < corpus.packages.size(); ++i)
      fmt::print("{} {}: {} German catalogue(s)\n", corpus.packages[i].name, corpus.packages[i].version,
                 corpus.package_catalogues[i]);
    const auto& c = corpus.counts;
    fmt::print("{} entries ({} with msgctxt, kept); dropped: {} plural, {} untranslated, {} invalid UTF-8, "
               "{} format-only, {} with e2fsck abbreviations, {} identical, {} below {} source words, {} above {}, "
               "{} duplicate pairs, {} alternative targets; {} pairs in {} near-duplicate groups\n",
               c.entries, c.with_context, c.plural, c.untranslated, c.invalid_utf8, c.format_only, c.abbreviated,
               c.identical, c.too_short, options.filter.min_source_words, c.too_long, options.filter.max_source_words,
               c.duplicates, c.alternative_targets, c.kept, corpus.split.groups);
    const std::pair<const char*, const std::vector<attn::data::MessagePair>*> splits[] = {
        {"train", &corpus.split.train}, {"valid", &corpus.split.valid}, {"test", &corpus.split.test}};
    for (const auto& [name, pairs] : splits)
      fmt::print("{}/{}.{{en,de}}: {} pairs, mean {:.2f} English and {:.2f} German words\n", out, name,
                 pairs->size(), mean(words(*pairs, true), pairs->size()), mean(words(*pairs, false), pairs->size()));
    return 0;
  });
}
