// SentencePiece through its C++ API, loaded in a scope of its own (see
// attn/data/sentencepiece_vocabulary.h and data/sentencepiece_library.h).
#include "attn/data/sentencepiece_vocabulary.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "attn/core/error.h"
#include "attn/io/checksum.h"
#include "attn/io/files.h"
#include "data/sentencepiece_library.h"

namespace attn::data {

namespace fs = std::filesystem;

namespace {

/// The training sentences as a text file, one a line, removed when done.
class TrainingFile {
 public:
  explicit TrainingFile(const std::vector<std::string>& sentences) {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() / fmt::format("attn-sentencepiece-{}-{}.txt", ::getpid(), counter++);
    std::string text;
    for (size_t i = 0; i < sentences.size(); ++i) {
      check(sentences[i].find_first_of("\n\r") == std::string::npos,
            "sentencepiece: training sentence {} holds a line break; expected one sentence", i);
      text += sentences[i];
      text += '\n';
    }
    io::write_file_atomic(path_, text);
  }
  ~TrainingFile() { std::remove(path_.c_str()); }
  TrainingFile(const TrainingFile&) = delete;
  TrainingFile& operator=(const TrainingFile&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Protocol-buffer wire format, just enough to edit one field of a model.
uint64_t read_varint(std::string_view bytes, size_t* at) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    check(*at < bytes.size(), "sentencepiece: truncated model");
    const auto byte = static_cast<unsigned char>(bytes[(*at)++]);
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) return value;
  }
  throw Error("sentencepiece: malformed model (varint too long)");
}

void write_varint(uint64_t value, std::string* out) {
  do {
    const auto byte = static_cast<char>((value & 0x7F) | (value > 0x7F ? 0x80 : 0));
    out->push_back(byte);
    value >>= 7;
  } while (value);
}

/// Walks the fields of a message; `keep(field, wire_type, whole field bytes)`
/// appends what it wants to keep to `out`.
template <typename Keep>
void for_each_field(std::string_view message, Keep keep) {
  for (size_t at = 0; at < message.size();) {
    const size_t start = at;
    const uint64_t key = read_varint(message, &at);
    const int wire_type = static_cast<int>(key & 7);
    if (wire_type == 0)
      read_varint(message, &at);
    else if (wire_type == 1)
      at += 8;
    else if (wire_type == 5)
      at += 4;
    else if (wire_type == 2)
      at += read_varint(message, &at);
    else
      throw Error(fmt::format("sentencepiece: malformed model (wire type {})", wire_type));
    check(at <= message.size(), "sentencepiece: truncated model");
    keep(key >> 3, wire_type, message.substr(start, at - start));
  }
}

/// The model without TrainerSpec.input (ModelProto field 2, its field 1): the
/// path of the temporary training file, which would make two trainings on
/// the same sentences differ in their bytes.
std::string without_training_input(const std::string& model) {
  std::string out;
  for_each_field(model, [&](uint64_t field, int wire_type, std::string_view bytes) {
    if (field != 2 || wire_type != 2) {
      out.append(bytes);
      return;
    }
    size_t at = 0;
    read_varint(bytes, &at);  // the key
    const uint64_t length = read_varint(bytes, &at);
    std::string spec;
    for_each_field(bytes.substr(at, length), [&](uint64_t inner, int inner_type, std::string_view inner_bytes) {
      if (!(inner == 1 && inner_type == 2)) spec.append(inner_bytes);
    });
    write_varint((2 << 3) | 2, &out);
    write_varint(spec.size(), &out);
    out += spec;
  });
  return out;
}

}  // namespace

struct SentencePieceVocabulary::Model {
  std::string serialized;
  std::unique_ptr<sentencepiece_library::Processor> processor;
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
  const TrainingFile input(sentences);
  return from_serialized(without_training_input(sentencepiece_library::train(args, input.path())),
                         "the model just trained");
}

SentencePieceVocabulary SentencePieceVocabulary::from_serialized(std::string serialized, const std::string& origin) {
  auto model = std::make_shared<Model>();
  model->processor = std::make_unique<sentencepiece_library::Processor>(serialized, origin);
  const auto& p = *model->processor;
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
  const std::vector<int> ids = model_->processor->encode(text);
  return std::vector<int64_t>(ids.begin(), ids.end());
}

std::string SentencePieceVocabulary::decode(const std::vector<int64_t>& ids) const {
  std::vector<int> narrow;
  narrow.reserve(ids.size());
  for (const int64_t id : ids) {
    check(id >= 0 && id < size(), "sentencepiece: decode: id {} is outside the vocabulary [0, {})", id, size());
    narrow.push_back(static_cast<int>(id));
  }
  return model_->processor->decode(narrow);
}

std::string SentencePieceVocabulary::piece(int64_t id) const {
  check(id >= 0 && id < size(), "sentencepiece: id {} is outside the vocabulary [0, {})", id, size());
  return model_->processor->id_to_piece(static_cast<int>(id));
}

std::vector<std::string> SentencePieceVocabulary::pieces(const std::vector<int64_t>& ids) const {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const int64_t id : ids) out.push_back(piece(id));
  return out;
}

int64_t SentencePieceVocabulary::size() const { return model_->processor->piece_size(); }

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
