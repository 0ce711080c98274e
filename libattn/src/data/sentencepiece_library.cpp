// SentencePiece loaded in a scope of its own (see data/sentencepiece_library.h).
// Nothing here calls SentencePiece through the linker: its header is included
// for the object's size only, and every call goes through a pointer from dlsym.
#include "data/sentencepiece_library.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <sentencepiece_processor.h>

#include <cstdlib>
#include <mutex>
#include <new>

#include "attn/core/error.h"

namespace attn::data::sentencepiece_library {

namespace {

constexpr const char* kLibrary = "libsentencepiece_train.so.0";  // needs libsentencepiece.so.0

/// A sentencepiece::util::Status as the callee returns it: one pointer, null
/// when OK. The user-provided destructor makes it non-trivial, so that, like
/// the real class, it is returned through a hidden pointer (Itanium ABI).
struct RawStatus {
  void* rep = nullptr;
  ~RawStatus();
  bool ok() const { return rep == nullptr; }
};
static_assert(sizeof(RawStatus) == sizeof(sentencepiece::util::Status), "util::Status is one pointer");

/// An opaque SentencePieceProcessor (its storage is ours, its bytes are SentencePiece's).
struct Proc;

// Member functions are called as free functions taking `this` first; a
// function returning a class by value takes the return slot before `this`,
// which is what a free function returning RawStatus does too.
struct Api {
  RawStatus (*train)(std::string_view args, void* iterator, std::string* model);
  std::string (*status_text)(const RawStatus*);
  void (*status_free)(RawStatus*);
  void (*construct)(Proc*);
  void (*destroy)(Proc*);
  RawStatus (*load)(Proc*, std::string_view serialized);
  RawStatus (*encode)(const Proc*, std::string_view text, std::vector<int>* ids);
  RawStatus (*decode)(const Proc*, const std::vector<int>& ids, std::string* text);
  const std::string& (*id_to_piece)(const Proc*, int id);
  int (*piece_size)(const Proc*);
  int (*pad_id)(const Proc*);
  int (*bos_id)(const Proc*);
  int (*eos_id)(const Proc*);
  int (*unk_id)(const Proc*);
};

template <typename Function>
void bind(void* handle, const char* name, Function* slot) {
  void* symbol = ::dlsym(handle, name);
  check(symbol != nullptr, "{}: symbol {} not found; libattn expects Debian's SentencePiece 0.1.97", kLibrary, name);
  *slot = reinterpret_cast<Function>(symbol);
}

const Api& api() {
  static Api loaded;
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    void* handle = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      failure = fmt::format("{}: cannot load SentencePiece ({}); install libsentencepiece0", kLibrary,
                            why ? why : "unknown reason");
      return;
    }
    try {
      Api a{};
      bind(handle,
           "_ZN13sentencepiece20SentencePieceTrainer5TrainESt17basic_string_viewIcSt11char_traitsIcEEPNS_"
           "16SentenceIteratorEPNSt7__cxx1112basic_stringIcS3_SaIcEEE",
           &a.train);
      bind(handle, "_ZNK13sentencepiece4util6Status8ToStringB5cxx11Ev", &a.status_text);
      bind(handle, "_ZN13sentencepiece4util6StatusD1Ev", &a.status_free);
      bind(handle, "_ZN13sentencepiece22SentencePieceProcessorC1Ev", &a.construct);
      bind(handle, "_ZN13sentencepiece22SentencePieceProcessorD1Ev", &a.destroy);
      bind(handle,
           "_ZN13sentencepiece22SentencePieceProcessor23LoadFromSerializedProtoESt17basic_string_viewIcSt11char_"
           "traitsIcEE",
           &a.load);
      bind(handle,
           "_ZNK13sentencepiece22SentencePieceProcessor6EncodeESt17basic_string_viewIcSt11char_traitsIcEEPSt6vectorI"
           "iSaIiEE",
           &a.encode);
      bind(handle,
           "_ZNK13sentencepiece22SentencePieceProcessor6DecodeERKSt6vectorIiSaIiEEPNSt7__cxx1112basic_stringIcSt11"
           "char_traitsIcESaIcEEE",
           &a.decode);
      bind(handle, "_ZNK13sentencepiece22SentencePieceProcessor9IdToPieceB5cxx11Ei", &a.id_to_piece);
      bind(handle, "_ZNK13sentencepiece22SentencePieceProcessor12GetPieceSizeEv", &a.piece_size);
      bind(handle, "_ZNK13sentencepiece22SentencePieceProcessor6pad_idEv", &a.pad_id);
      bind(handle, "_ZNK13sentencepiece22SentencePieceProcessor6bos_idEv", &a.bos_id);
      bind(handle, "_ZNK13sentencepiece22SentencePieceProcessor6eos_idEv", &a.eos_id);
      bind(handle, "_ZNK13sentencepiece22SentencePieceProcessor6unk_idEv", &a.unk_id);
      loaded = a;
    } catch (const Error& e) {
      failure = e.what();
    }
  });
  check(failure.empty(), "{}", failure);
  return loaded;
}

RawStatus::~RawStatus() {
  if (rep != nullptr) api().status_free(this);
}

std::string text_of(const RawStatus& status) { return status.ok() ? "OK" : api().status_text(&status); }

}  // namespace

std::string train(const std::string& args, const std::filesystem::path& input) {
  const std::string path = input.string();
  check(path.find_first_of(" \t\n") == std::string::npos,
        "{}: SentencePiece cannot read a training file whose path has spaces", path);
  const Api& a = api();
  std::string model;
  const RawStatus status = a.train(args + " --input=" + path, nullptr, &model);
  check(status.ok(), "sentencepiece: training failed: {}", text_of(status));
  return model;
}

struct Processor::Storage {
  alignas(sentencepiece::SentencePieceProcessor) unsigned char bytes[sizeof(sentencepiece::SentencePieceProcessor)];
  Proc* proc() { return reinterpret_cast<Proc*>(bytes); }
  const Proc* proc() const { return reinterpret_cast<const Proc*>(bytes); }
};

Processor::Processor(const std::string& serialized, const std::string& origin) : storage_(new Storage) {
  const Api& a = api();
  a.construct(storage_->proc());
  const RawStatus status = a.load(storage_->proc(), serialized);
  if (!status.ok()) {
    const std::string why = text_of(status);
    a.destroy(storage_->proc());
    storage_.reset();
    throw Error(fmt::format("{}: not a SentencePiece model ({})", origin, why));
  }
}

Processor::~Processor() {
  if (storage_) api().destroy(storage_->proc());
}

std::vector<int> Processor::encode(std::string_view text) const {
  std::vector<int> ids;
  const RawStatus status = api().encode(storage_->proc(), text, &ids);
  check(status.ok(), "sentencepiece: cannot encode '{}': {}", text.substr(0, 60), text_of(status));
  return ids;
}

std::string Processor::decode(const std::vector<int>& ids) const {
  std::string text;
  const RawStatus status = api().decode(storage_->proc(), ids, &text);
  check(status.ok(), "sentencepiece: decode failed: {}", text_of(status));
  return text;
}

std::string Processor::id_to_piece(int id) const { return api().id_to_piece(storage_->proc(), id); }
int Processor::piece_size() const { return api().piece_size(storage_->proc()); }
int Processor::pad_id() const { return api().pad_id(storage_->proc()); }
int Processor::bos_id() const { return api().bos_id(storage_->proc()); }
int Processor::eos_id() const { return api().eos_id(storage_->proc()); }
int Processor::unk_id() const { return api().unk_id(storage_->proc()); }

}  // namespace attn::data::sentencepiece_library
