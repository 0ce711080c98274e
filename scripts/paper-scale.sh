#!/usr/bin/env bash
# Runs, or continues, the paper-scale jobs that take hours on a 2-core CPU
# (docs/reproduction.md 2, 2b and 3). Every step resumes from what is on disk,
# so the script can be killed at any time and run again; a killed training run
# loses at most the steps since its last checkpoint (classification: 250
# steps, translation: 500) or the multi-head run in progress.
#
# Usage: scripts/paper-scale.sh [classification] [multihead] [translation]
#   (no argument: classification and multihead). Build first: scripts/run.sh
#   or cmake --build build.
#   classification  SpamAssassin, experiments/classification/spamassassin.yaml
#                   -> runs/spamassassin (7 runs x 4000 steps, ~4.5 h), then
#                   attn-analyze -> runs/spamassassin/analysis (table, figure, HTML)
#   multihead       experiments/multihead/paper.yaml -> runs/mh-paper
#                   (screening to 20 good / 20 bad heads, then 3 x 50 trials)
#   translation     the gettext English -> German corpus,
#                   experiments/translation/gettext-en-de.yaml -> runs/gettext-en-de
#                   (runs A, B and uniform x 35,233 steps, three at a time, ~6 h
#                   of 2 cores), with attn-analyze --read-available reading each
#                   snapshot as it appears (every 10 min), then the analysis ->
#                   runs/gettext-en-de/analysis (table, figures, BLEU, HTML)
# Environment: ATTN_BIN (default build/bin), ATTN_THREADS (default 0 = all cores),
# ATTN_READ_EVERY (translation: seconds between reading passes, default 600).
# Each step's wall time is appended to <run folder>.time.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bin="${ATTN_BIN:-build/bin}"
threads="${ATTN_THREADS:-0}"

log() { printf '[paper-scale] %s\n' "$*" >&2; }
die() { printf '[paper-scale] error: %s\n' "$*" >&2; exit 1; }

for program in attn-prepare-spam attn-classify attn-analyze attn-multihead attn-prepare-translation attn-translate; do
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

translation() {
  local out=runs/gettext-en-de reader=""
  scripts/prepare-data.sh translation "$bin/attn-prepare-translation"
  # The three runs train side by side while a reader keeps up with their
  # snapshots (one thread each: readings made at one thread count throughout).
  # shellcheck disable=SC2046
  timed "$out" "$bin/attn-translate" --config experiments/translation/gettext-en-de.yaml --out "$out" \
    --jobs 3 --threads "$threads" $(resume_flag "$out") &
  local trainer=$!
  ( while kill -0 "$trainer" 2>/dev/null; do
      sleep "${ATTN_READ_EVERY:-600}"
      if [[ -f "$out/sentencepiece.model" ]]; then
        "$bin/attn-analyze" --runs "$out" --threads 1 --quiet --read-available all || true
      fi
    done ) &
  reader=$!
  wait "$trainer" || { kill "$reader" 2>/dev/null; die "attn-translate failed; run the script again to resume"; }
  wait "$reader" || true
  timed "$out" "$bin/attn-analyze" --runs "$out" --threads 1
}

jobs=("$@")
if [[ ${#jobs[@]} -eq 0 ]]; then jobs=(classification multihead); fi
mkdir -p runs
for job in "${jobs[@]}"; do
  case "$job" in
    classification | multihead | translation) "$job" ;;
    *) die "unknown job '$job'; expected classification, multihead and/or translation" ;;
  esac
done
log "done: ${jobs[*]}"
