#!/usr/bin/env bash
# README set-up command 1: install what is missing, build, and run the main
# job: the copy experiment at a small scale that still shows the paper's
# phenomenon (see README "Main job"). A second run resumes/skips finished seeds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"

OUT="${ATTN_MAIN_OUT:-$ROOT/runs/main}"
resume=()
[[ -d "$OUT" ]] && resume=(--resume)
cd "$ROOT"
"${ATTN_BUILD_DIR:-$ROOT/build}/bin/attn-copy" \
  --config experiments/copy/main-permutation.yaml \
  --config experiments/copy/main-subset.yaml \
  --out "$OUT" --quiet "${resume[@]}" "$@"
echo "[run] results: $OUT/summary.md, figure: $OUT/learning_curves.png"
