// Internal: Debian's SentencePiece 0.1.97, loaded at run time into a scope of
// its own. Why not simply link it: libsentencepiece.so.0 carries its own copy
// of protobuf-lite (third_party/protobuf-lite) and exports all of it, while
// Debian's LibTorch loads libprotobuf.so.32 (protobuf 3.21, through ONNX).
// Linked together, whichever comes first in the process's symbol search order
// serves the other's calls. With SentencePiece first, libprotobuf's start-up
// code runs SentencePiece's protobuf and crashes before main (seen: SIGSEGV
// in ReflectionOps::FindInitializationErrors, every test binary); with
// libprotobuf first, the 23 protobuf functions libsentencepiece_train imports
// (ArenaStringPtr::Set, ...) would be 3.21 code working on objects of the
// bundled version. So the library is dlopen()ed with RTLD_LOCAL (its symbols
// stay out of the global scope) and RTLD_DEEPBIND (its own references resolve
// inside it first), and the few entry points used are looked up by their
// mangled names.
//
// What this costs: the calls below depend on the Itanium C++ ABI of that build
// (GCC, x86-64/arm64 Linux, the C++11 std::string), i.e. on Debian's package;
// every symbol is looked up when the library is first loaded, and a missing
// one is an attn::Error naming it. Training reads its sentences from a text
// file: the in-memory SentenceIterator interface would require constructing a
// sentencepiece::util::Status in this library, i.e. calling into SentencePiece
// from code the linker resolves.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace attn::data::sentencepiece_library {

/// Trains with SentencePieceTrainer::Train(args + " --input=<file>") and returns
/// the serialized model. Throws attn::Error with SentencePiece's message.
std::string train(const std::string& args, const std::filesystem::path& input);

/// A sentencepiece::SentencePieceProcessor that owns a loaded model.
class Processor {
 public:
  /// Loads a serialized model; throws attn::Error "<origin>: not a SentencePiece model (...)".
  Processor(const std::string& serialized, const std::string& origin);
  ~Processor();
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  std::vector<int> encode(std::string_view text) const;
  std::string decode(const std::vector<int>& ids) const;
  std::string id_to_piece(int id) const;
  int piece_size() const;
  int pad_id() const;
  int bos_id() const;
  int eos_id() const;
  int unk_id() const;

 private:
  struct Storage;
  std::unique_ptr<Storage> storage_;
};

}  // namespace attn::data::sentencepiece_library
