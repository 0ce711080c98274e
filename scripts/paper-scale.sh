#!/usr/bin/env bash
# Runs, or continues, the two paper-scale jobs that take hours on a 2-core CPU
# (docs/reproduction.md 2 and 3). Every step resumes from what is on disk, so
# the script can be killed at any time and run again; a killed training run
# loses at most the steps since its last checkpoint (classification: 250
# steps) or the multi-head run in progress.
#
# Usage: scripts/paper-scale.sh [classification] [multihead]
#   (no argument: both, classification first). Build first: scripts/run.sh
#   or cmake --build build.
#   classification  SpamAssassin, experiments/classification/spamassassin.yaml
#                   -> runs/spamassassin (7 runs x 4000 steps, ~4.5 h), then
#                   attn-analyze -> runs/spamassassin/analysis (table, figure, HTML)
#   multihead       experiments/multihead/paper.yaml -> runs/mh-paper
#                   (screening to 20 good / 20 bad heads, then 3 x 50 trials)
# Environment: ATTN_BIN (default build/bin), ATTN_THREADS (default 0 = all cores).
# Each step's wall time is appended to <run folder>.time.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bin="${ATTN_BIN:-build/bin}"
threads="${ATTN_THREADS:-0}"

log() { printf '[paper-scale] %s\n' "$*" >&2; }
die() { printf '[paper-scale] error: %s\n' "$*" >&2; exit 1; }

for program in attn-prepare-spam attn-classify attn-analyze attn-multihead; do
  [[ -x "$bin/$program" ]] || die "$bin/$program not found; build first (scripts/run.sh or cmake --build build)"
done

# Runs a command and appends its wall time to $1.time.
timed() {
  local record="$1" start=$SECONDS
  shift
  log "$*"
  "$@"
  printf "%s wall %d s: %s\n" "$(date -u +%FT%TZ)" $((SECONDS - start)) "$*" >>"$record.time"
}

resume_flag() { if [[ -d "$1" ]]; then echo --resume; fi; }

classification() {
  local out=runs/spamassassin
  scripts/prepare-data.sh "$bin/attn-prepare-spam"
  # shellcheck disable=SC2046  # empty or one word
  timed "$out" "$bin/attn-classify" --config experiments/classification/spamassassin.yaml --out "$out" \
    --threads "$threads" $(resume_flag "$out")
  timed "$out" "$bin/attn-analyze" --runs "$out" --config experiments/classification/spamassassin.yaml \
    --threads "$threads" --benchmark 4000
}

multihead() {
  local out=runs/mh-paper
  # shellcheck disable=SC2046
  timed "$out" "$bin/attn-multihead" --config experiments/multihead/paper.yaml --out "$out" \
    --threads "$threads" $(resume_flag "$out")
}

jobs=("$@")
if [[ ${#jobs[@]} -eq 0 ]]; then jobs=(classification multihead); fi
mkdir -p runs
for job in "${jobs[@]}"; do
  case "$job" in
    classification | multihead) "$job" ;;
    *) die "unknown job '$job'; expected classification and/or multihead" ;;
  esac
done
log "done: ${jobs[*]}"
