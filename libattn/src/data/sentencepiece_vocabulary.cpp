// SentencePiece through its C++ API (see attn/data/sentencepiece_vocabulary.h).
#include "attn/data/sentencepiece_vocabulary.h"

#include <fmt/format.h>
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include "attn/core/error.h"
#include "attn/io/checksum.h"
#include "attn/io/files.h"

namespace attn::data {

namespace fs = std::filesystem;

namespace {

/// Feeds training sentences from memory, so that no text file is written.
class VectorSentences : public sentencepiece::SentenceIterator {
 public:
  explicit VectorSentences(const std::vector<std::string>& sentences) : sentences_(sentences) {}
  bool done() const override { return next_ >= sentences_.size(); }
  void Next() override { ++next_; }
  const std::string& value() const override { return sentences_[next_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  const std::vector<std::string>& sentences_;
  size_t next_ = 0;
};

}  // namespace

struct SentencePieceVocabulary::Model {
  std::string serialized;
  sentencepiece::SentencePieceProcessor processor;
};

SentencePieceVocabulary::SentencePieceVocabulary(std::shared_ptr<const Model> model) : model_(std::move(model)) {}

std::string sentencepiece_trainer_args(const SentencePieceOptions& options) {
  check(options.vocab_size > 4, "sentencepiece: vocab_size: expected more than the 4 control ids, got {}",
        options.vocab_size);
  check(options.character_coverage > 0.0 && options.character_coverage <= 1.0,
        "sentencepiece: character_coverage: expected a value in (0, 1], got {}", options.character_coverage);
  check(options.max_sentence_length > 0, "sentencepiece: max_sentence_length: expected a positive number, got {}",
        options.max_sentence_length);
  // --minloglevel=1 keeps the trainer's progress lines (INFO) off stderr.
  return fmt::format(
      "--model_type=unigram --vocab_size={} --character_coverage={} --max_sentence_length={} "
      "--pad_id=0 --bos_id=1 --eos_id=2 --unk_id=3 --pad_piece=<pad> --bos_piece=<s> --eos_piece=</s> "
      "--unk_piece=<unk> --num_threads=1 --minloglevel=1",
      options.vocab_size, options.character_coverage, options.max_sentence_length);
}

SentencePieceVocabulary SentencePieceVocabulary::train(const std::vector<std::string>& sentences,
                                                       const SentencePieceOptions& options) {
  const std::string args = sentencepiece_trainer_args(options);
  check(!sentences.empty(), "sentencepiece: no training sentences");
  VectorSentences input(sentences);
  std::string serialized;
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, &input, &serialized);
  check(status.ok(), "sentencepiece: training failed: {}", status.ToString());
  return from_serialized(std::move(serialized), "the model just trained");
}

SentencePieceVocabulary SentencePieceVocabulary::from_serialized(std::string serialized, const std::string& origin) {
  auto model = std::make_shared<Model>();
  const auto status = model->processor.LoadFromSerializedProto(serialized);
  check(status.ok(), "{}: not a SentencePiece model ({})", origin, status.ToString());
  const auto& p = model->processor;
  check(p.pad_id() == kPad && p.bos_id() == kBos && p.eos_id() == kEos && p.unk_id() == kUnk,
        "{}: expected ids pad 0, bos 1, eos 2, unk 3, got {}, {}, {}, {}", origin, p.pad_id(), p.bos_id(), p.eos_id(),
        p.unk_id());
  model->serialized = std::move(serialized);
  return SentencePieceVocabulary(std::move(model));
}

SentencePieceVocabulary SentencePieceVocabulary::load(const fs::path& model_file) {
  check(fs::is_regular_file(model_file), "{}: SentencePiece model not found", model_file.string());
  return from_serialized(io::read_text_file(model_file), model_file.string());
}

void SentencePieceVocabulary::save(const fs::path& model_file) const {
  io::write_file_atomic(model_file, model_->serialized);
}

std::vector<int64_t> SentencePieceVocabulary::encode(std::string_view text) const {
  std::vector<int> ids;
  const auto status = model_->processor.Encode(absl::string_view(text.data(), text.size()), &ids);
  check(status.ok(), "sentencepiece: cannot encode '{}': {}", text.substr(0, 60), status.ToString());
  return std::vector<int64_t>(ids.begin(), ids.end());
}

std::string SentencePieceVocabulary::decode(const std::vector<int64_t>& ids) const {
  std::vector<int> narrow;
  narrow.reserve(ids.size());
  for (const int64_t id : ids) {
    check(id >= 0 && id < size(), "sentencepiece: decode: id {} is outside the vocabulary [0, {})", id, size());
    narrow.push_back(static_cast<int>(id));
  }
  std::string text;
  const auto status = model_->processor.Decode(narrow, &text);
  check(status.ok(), "sentencepiece: decode failed: {}", status.ToString());
  return text;
}

std::string SentencePieceVocabulary::piece(int64_t id) const {
  check(id >= 0 && id < size(), "sentencepiece: id {} is outside the vocabulary [0, {})", id, size());
  return model_->processor.IdToPiece(static_cast<int>(id));
}

std::vector<std::string> SentencePieceVocabulary::pieces(const std::vector<int64_t>& ids) const {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const int64_t id : ids) out.push_back(piece(id));
  return out;
}

int64_t SentencePieceVocabulary::size() const { return model_->processor.GetPieceSize(); }

const std::string& SentencePieceVocabulary::serialized() const { return model_->serialized; }

std::vector<int64_t> with_bos_eos(const std::vector<int64_t>& ids) {
  std::vector<int64_t> out;
  out.reserve(ids.size() + 2);
  out.push_back(SentencePieceVocabulary::kBos);
  out.insert(out.end(), ids.begin(), ids.end());
  out.push_back(SentencePieceVocabulary::kEos);
  return out;
}

std::string sentencepiece_cache_key(const std::vector<std::string>& sentences, const SentencePieceOptions& options) {
  // Options, then each sentence with its length, so that no two different
  // inputs can concatenate to the same text.
  std::string text = "sentencepiece 0.1.97\n" + sentencepiece_trainer_args(options) + "\n";
  for (const std::string& s : sentences) {
    text += std::to_string(s.size());
    text += ':';
    text += s;
    text += '\n';
  }
  return io::sha256_hex(text);
}

CachedSentencePiece train_or_load(const std::vector<std::string>& sentences, const SentencePieceOptions& options,
                                  const fs::path& cache_dir) {
  const fs::path file = cache_dir / ("sentencepiece-" + sentencepiece_cache_key(sentences, options) + ".model");
  if (fs::is_regular_file(file)) return {SentencePieceVocabulary::load(file), file, false};
  SentencePieceVocabulary vocabulary = SentencePieceVocabulary::train(sentences, options);
  vocabulary.save(file);
  return {std::move(vocabulary), file, true};
}

}  // namespace attn::data
