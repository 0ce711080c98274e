// The translation experiment's data (see attn/tasks/translation_data.h).
#include "attn/tasks/translation_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "attn/core/error.h"
#include "attn/core/seed_streams.h"
#include "attn/core/seeded_random.h"

namespace attn::tasks {

namespace {

double mean_length(const std::vector<data::EncodedPair>& pairs, bool source) {
  if (pairs.empty()) return 0;
  double total = 0;
  for (const auto& p : pairs) total += static_cast<double>(source ? p.source.size() : p.target.size());
  return total / static_cast<double>(pairs.size());
}

}  // namespace

std::string TranslationData::describe() const {
  return fmt::format("{}->{}: {} train / {} valid pairs, {} pieces; mean {:.1f} / {:.1f} ids with <s> and </s>",
                     source_language, target_language, train.size(), valid.size(), vocabulary_size(),
                     mean_length(train, true), mean_length(train, false));
}

data::ParallelSplits read_translation_corpus(const TranslationConfig& config) {
  const auto& d = config.data;
  data::ParallelSplits splits;
  if (d.format == "gettext") {
    splits = data::read_gettext_corpus(d.dir);
  } else if (d.format == "multi30k") {
    splits = data::read_multi30k(d.dir);
  } else if (d.format == "iwslt14") {
    splits = data::read_iwslt14(d.dir);
  } else if (d.format == "news_commentary") {
    splits = data::read_news_commentary(d.dir);
  } else {
    splits.source_language = "source";
    splits.target_language = "target";
    splits.train = data::read_parallel_text(d.dir / d.train_source, d.dir / d.train_target);
    splits.valid = data::read_parallel_text(d.dir / d.valid_source, d.dir / d.valid_target);
  }
  if (d.max_train > 0 && splits.train.size() > d.max_train) {
    std::vector<int64_t> order(static_cast<size_t>(splits.train.size()));
    std::iota(order.begin(), order.end(), int64_t{0});
    std::mt19937_64 rng(stream_seed(0, SeedStream::kTranslationSubset));
    shuffle_in_place(order, rng);
    order.resize(static_cast<size_t>(d.max_train));
    std::sort(order.begin(), order.end());
    std::vector<data::SentencePair> kept;
    for (int64_t i : order) kept.push_back(std::move(splits.train.pairs[i]));
    splits.train.pairs = std::move(kept);
  }
  if (d.max_valid > 0 && splits.valid.size() > d.max_valid) splits.valid.pairs.resize(static_cast<size_t>(d.max_valid));
  check(splits.valid.size() > 0, "{}: no validation pairs", splits.valid.origin);
  return splits;
}

data::CachedSentencePiece translation_vocabulary(const TranslationConfig& config, const data::ParallelSplits& corpus,
                                                 const std::filesystem::path& cache_dir) {
  data::SentencePieceOptions options;
  options.vocab_size = config.pieces;
  const auto sentences = corpus.train.sentences();
  if (!cache_dir.empty()) return data::train_or_load(sentences, options, cache_dir);
  return {data::SentencePieceVocabulary::train(sentences, options), {}, true};
}

TranslationData encode_translation_data(const data::ParallelSplits& corpus,
                                        const data::SentencePieceVocabulary& vocabulary) {
  TranslationData out;
  out.vocabulary = std::make_shared<const data::SentencePieceVocabulary>(vocabulary);
  out.source_language = corpus.source_language;
  out.target_language = corpus.target_language;
  auto encode = [&](const std::vector<data::SentencePair>& pairs) {
    std::vector<data::EncodedPair> encoded;
    encoded.reserve(pairs.size());
    for (const auto& p : pairs)
      encoded.push_back({data::with_bos_eos(vocabulary.encode(p.source)), data::with_bos_eos(vocabulary.encode(p.target))});
    return encoded;
  };
  out.train = encode(corpus.train.pairs);
  out.valid = encode(corpus.valid.pairs);
  out.valid_text = corpus.valid.pairs;
  return out;
}

}  // namespace attn::tasks
