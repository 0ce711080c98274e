// The embedded English -> German corpus of the translation experiment
// (PAPER.md 2.2 and 5, "translation"; issue 15), built from the German gettext
// catalogues of unpacked Debian packages: find the catalogues, read them
// (attn/data/gettext_catalogue.h), filter and split them
// (attn/data/message_pairs.h), and write
//   <out>/{train,valid,test}.{en,de}   one sentence a line, UTF-8, line i of
//                                      .en translates to line i of .de
//   <out>/manifest.json                packages and versions, catalogues and
//                                      entry counts, counts at each filter
//                                      stage, split options and sizes, SHA-256
// scripts/prepare-data.sh fetches and unpacks the packages (apt-get download,
// dpkg-deb -x, and dpkg-deb -e for DEBIAN/control); attn-prepare-translation
// runs this. The corpus is read back with attn/data/parallel_text.h.
//
// Which catalogues: every "*/LC_MESSAGES/*.mo" under a locale folder named
// exactly "de" (usr/share/locale/de/..., LibreOffice's
// program/resource/de/...). Regional variants (de_AT, de_CH, de_DE) are not
// read: they repeat most German messages with small spelling differences,
// which would only add alternative targets.
//
// Files are complete or absent: everything is written into a sibling folder
// that is renamed into place at the end, so an error (a missing package, a
// damaged .mo) leaves no output folder behind and an older corpus intact.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "attn/data/message_pairs.h"

namespace attn::data {

/// A package's identity from its control file.
struct DebianPackage {
  std::string name;          ///< "Package:"
  std::string version;       ///< "Version:", epoch included ("1:3.8-4")
  std::string architecture;  ///< "Architecture:" ("amd64", "all")
};

/// Parses `<package_dir>/DEBIAN/control` (what `dpkg-deb -e` writes). Throws
/// attn::Error naming the file when it is missing or lacks a field, and when
/// its Package is not the folder's name.
DebianPackage read_package_control(const std::filesystem::path& package_dir);

/// The German catalogues of one unpacked package, as paths relative to
/// `package_dir`, sorted.
std::vector<std::filesystem::path> find_german_catalogues(const std::filesystem::path& package_dir);

struct GettextCorpusOptions {
  MessageFilterOptions filter;
  MessageSplitOptions split;
};

/// One catalogue as the manifest lists it.
struct CatalogueSummary {
  std::string file;                      ///< "<package>/<path inside the package>"
  std::string package;                   ///< package name
  std::string charset;                   ///< as its header named it
  int64_t entries = 0;                   ///< entries read (header excluded)
  int64_t system_dependent = 0;          ///< of those, from the revision-1 section
  int64_t skipped_system_dependent = 0;  ///< naming a segment the reader cannot expand
  int64_t pairs = 0;                     ///< pairs it contributed to the corpus
};

struct GettextCorpus {
  std::vector<DebianPackage> packages;       ///< in the order asked for
  std::vector<int64_t> package_catalogues;   ///< German catalogues found per package
  std::vector<CatalogueSummary> catalogues;  ///< package order, then path order
  MessageFilterCounts counts;
  MessageSplit split;
};

/// Reads the control file of each of `packages` (folder names under
/// `unpacked`; every folder there, sorted, when empty).
std::vector<DebianPackage> list_packages(const std::filesystem::path& unpacked,
                                         const std::vector<std::string>& packages);

/// Finds, reads, filters and splits. Throws attn::Error naming the package
/// folder or catalogue file that is missing or damaged, or when no pair is left.
GettextCorpus build_gettext_corpus(const std::filesystem::path& unpacked, const std::vector<std::string>& packages,
                                   const GettextCorpusOptions& options);

/// Writes the six text files and manifest.json into `out_dir` (replacing
/// what was there, atomically: see the header comment). Returns the manifest text.
std::string write_gettext_corpus(const GettextCorpus& corpus, const GettextCorpusOptions& options,
                                 const std::filesystem::path& out_dir);

/// True when `<out_dir>/manifest.json` exists, every file it lists has the
/// recorded SHA-256, and (when given) it was made with `expected` options
/// from exactly `packages` (names and versions); otherwise false with
/// `problem` saying what differs.
bool verify_gettext_corpus(const std::filesystem::path& out_dir, std::string* problem = nullptr,
                           const GettextCorpusOptions* expected = nullptr,
                           const std::vector<DebianPackage>* packages = nullptr);

}  // namespace attn::data
