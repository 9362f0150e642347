#!/usr/bin/env bash
# hallplan compare on two 10 M-ticket exports against hallplan profile on one of them.
#
#   benches/compare_vs_profile.sh           # /tmp/big and /tmp/big-after, 3 runs each
#   RUNS=5 BIG=/data/big AFTER=/data/big-after benches/compare_vs_profile.sh
#
# Measures (median of RUNS rounds, the two commands taking turns, each run under
# /usr/bin/time for the peak RSS, both CSVs warm in the page cache):
#   hallplan compare  — ingest of both exports, per-department before/after figures,
#                       day-clustered bootstrap (RESAMPLES, default 1000 as the CLI),
#                       report, charts, xlsx
#   hallplan profile  — the whole profile of the before export
# Target (issue 5): compare ≤ 2× profile wall time, bootstrap included.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS="${RUNS:-3}"
BIG="${BIG:-/tmp/big}"
AFTER="${AFTER:-/tmp/big-after}"
TICKETS="${TICKETS:-10000000}"
AFTER_SEED="${AFTER_SEED:-2}"
RESAMPLES="${RESAMPLES:-1000}"
OUT="${OUT:-/tmp/big-compare-out}"
POUT="${POUT:-/tmp/big-out}"

need_time
build_release gen_tickets
ensure_big_hall "$BIG" "$TICKETS"
if [ -s "$AFTER/tickets.csv" ]; then
  say "reusing $AFTER ($(du -h "$AFTER/tickets.csv" | cut -f1) tickets.csv)"
else
  # A second hall of the same shape, another seed: a different export of the same size.
  say "generating $AFTER with $TICKETS tickets (seed $AFTER_SEED)"
  "$EXAMPLES/gen_tickets" --tickets "$TICKETS" --seed "$AFTER_SEED" --out "$AFTER" --force
fi
rows_b=$(($(wc -l <"$BIG/tickets.csv") - 1))
rows_a=$(($(wc -l <"$AFTER/tickets.csv") - 1))
wait_quiet
say "machine: $(machine)"
say "before: $rows_b rows, after: $rows_a rows; warming the page cache"
warm "$BIG"/*.csv "$AFTER"/*.csv

H_COMPARE=("$HALLPLAN" compare --before "$BIG" --after "$AFTER" --resamples "$RESAMPLES" --out "$OUT" --force)
H_PROFILE=("$HALLPLAN" profile --data "$BIG" --out "$POUT" --force)
for ((i = 1; i <= RUNS; i++)); do
  say "round $i of $RUNS"
  record "hallplan compare" "${H_COMPARE[@]}"
  record "hallplan profile" "${H_PROFILE[@]}"
done
say "medians"
summary "hallplan compare"
c_wall=$WALL c_rss=$RSS_MB
summary "hallplan profile"
p_wall=$WALL p_rss=$RSS_MB
load=$(cut -d' ' -f1 /proc/loadavg)

cat <<EOF | tee "$RESULTS/compare_vs_profile.md"

### compare vs profile — $(date -u +%Y-%m-%d), $(machine)
before: $rows_b tickets ($BIG), after: $rows_a tickets ($AFTER); median of $RUNS runs, page cache warm, $RESAMPLES bootstrap resamples.

| command | wall (s) | peak RSS (MiB) | wall ÷ profile |
| --- | ---: | ---: | ---: |
| hallplan compare (two exports, bootstrap included) | $c_wall | $c_rss | **$(ratio "$c_wall" "$p_wall")×** |
| hallplan profile (one export) | $p_wall | $p_rss | 1.00× |

Target compare ≤ 2× profile wall time: $(awk -v a="$c_wall" -v b="$p_wall" 'BEGIN{print (a<=2*b) ? "met" : "NOT met"}'). Load average at the end: $load.
EOF
