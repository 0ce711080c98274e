#!/usr/bin/env bash
# README set-up command 2: install what is missing, build, and run the whole
# test suite (Catch2 through CTest). CI (.ci/run) calls this script.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
cd "${ATTN_BUILD_DIR:-$ROOT/build}"
ctest --output-on-failure -j "$(nproc)" --timeout 900 "$@"
