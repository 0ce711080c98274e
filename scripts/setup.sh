#!/usr/bin/env bash
# Shared set-up for scripts/run.sh and scripts/test.sh: installs the Debian
# packages that are missing (as root), then configures and builds libattn in
# Release into build/. Safe to run again: it skips what is already done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ATTN_BUILD_DIR:-$ROOT/build}"
JOBS="${ATTN_BUILD_JOBS:-$(nproc)}"

# libopenblas0-openmp: without it Debian's LibTorch falls back to the
# reference BLAS and an LSTM step is ~7x slower (see README, Performance).
# nlohmann-json3-dev: a strict JSON reader and writer (run.json, metrics.jsonl,
# the paper's JSON data sets) instead of hand-made escapers and yaml-cpp.
# libsentencepiece-dev: the translation experiment's tokenizer (a joint unigram
# model, as the authors used), through its C++ API (found with pkg-config).
# zlib1g-dev: gzip, for FreeDict's dictionary files (the translation dictionary score).
# slurm-wlm, munge: the Slurm tests start a one-node cluster on localhost
# (scripts/local-slurm.sh; `--launcher slurm`, docs/cluster.md). The packages
# only install the programs here: nothing starts a daemon but the tests.
PACKAGES=(build-essential cmake ninja-build pkg-config libtorch-dev libopenblas0-openmp libfmt-dev
          libyaml-cpp-dev libcxxopts-dev nlohmann-json3-dev catch2 libsentencepiece-dev zlib1g-dev gnuplot-nox
          slurm-wlm munge)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[setup] installing: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "[setup] error: packages missing and not root; run: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "[setup] packages: all present"
fi

if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  echo "[setup] configuring $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
echo "[setup] building ($JOBS jobs)"
cmake --build "$BUILD_DIR" -j "$JOBS"
