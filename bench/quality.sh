#!/usr/bin/env bash
# Issue 15's quality figures: builds the messy evaluation corpus (clean and scraped shapes) and its indexes under
# bench/out/, then reports every question set. Tuning uses --split tune (bench/calibrate.py); this prints the
# held-out parts: bench/heldout2_questions.jsonl whole, and the test split of the messy and law sets
# (bench/heldout_questions.jsonl, the first held-out set, is tune since it was used for one choice).
set -euo pipefail
cd "$(dirname "$0")/.."
PB=${PB:-.venv/bin/policybot}
python3 bench/messy/make_messy.py bench/out/messy
for v in clean messy; do "$PB" index --corpus bench/out/messy/$v --index bench/out/index-$v >/dev/null; done
"$PB" index >/dev/null
"$PB" eval bench/questions.jsonl                       # tune: the questions the rules were written against
"$PB" eval bench/heldout_questions.jsonl               # the first held-out set: tune since 2026-12-03
"$PB" eval bench/heldout2_questions.jsonl              # held out
for v in clean messy; do
  "$PB" eval bench/messy/questions.jsonl --split test --corpus bench/out/messy/$v --index bench/out/index-$v
  "$PB" eval bench/law_questions.jsonl --split test --corpus bench/out/messy/$v --index bench/out/index-$v
done
