#!/usr/bin/env bash
# Fetches the Debian packages that scripts/gpu-check.sh unpacks on a GPU
# machine without a package manager or network (docs/cuda.md): the build's
# dependencies other than LibTorch, which the PyTorch wheel there provides.
# Run here (Debian 12, network to the Debian mirror); the .deb files and a
# manifest (package, version, sha256) go to data/gpu-debs/, which the
# device tool carries (`carry: ["data/gpu-debs"]`).
#
#   scripts/fetch-gpu-debs.sh [folder]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/data/gpu-debs}"
# fmt, yaml-cpp, cxxopts, Catch2 and nlohmann-json: headers and CMake
# configs (libfmt9 too: fmt's CMake config checks that libfmt.so.9 exists,
# although libattn uses fmt header-only). SentencePiece: its header for the
# build, its library for the translation tests (loaded at run time). zlib:
# only used when the machine has no zlib.h of its own.
PACKAGES=(libfmt-dev libfmt9 libyaml-cpp-dev libyaml-cpp0.7 libcxxopts-dev catch2 nlohmann-json3-dev
          libsentencepiece-dev libsentencepiece0 zlib1g-dev zlib1g)
command -v apt-get >/dev/null || { echo "fetch-gpu-debs: apt-get not found (run this on Debian 12)" >&2; exit 1; }
mkdir -p "$OUT"
cd "$OUT"
rm -f ./*.deb
# (apt warns that it downloads as root, unsandboxed: harmless here.)
apt-get download "${PACKAGES[@]}" >apt.log 2>&1 || { cat apt.log >&2; exit 1; }
rm -f apt.log
{
  echo "# package version sha256 (scripts/fetch-gpu-debs.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ))"
  for deb in ./*.deb; do
    echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version) $(sha256sum "$deb" | cut -d' ' -f1)"
  done
} > manifest.txt.tmp
mv manifest.txt.tmp manifest.txt
echo "[fetch-gpu-debs] $(ls ./*.deb | wc -l) packages, $(du -sh . | cut -f1) in $OUT"
