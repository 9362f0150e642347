#!/usr/bin/env bash
# hallplan ingest + profile against DuckDB doing the same aggregation on the same CSV.
#
#   benches/profile_vs_duckdb.sh            # 10 M tickets in /tmp/big, 3 runs each
#   RUNS=5 BIG=/data/big TICKETS=10000000 benches/profile_vs_duckdb.sh
#
# Measures (median of RUNS rounds, the four commands taking turns, each run under
# /usr/bin/time for the peak RSS, the CSV warm in the page cache):
#   hallplan validate  — ingest only (read, parse, account for every row)
#   hallplan profile   — ingest + per-department/per-hour aggregation + report, charts
#   DuckDB (python)    — read tickets.csv, wait = called − issued, group by department
#                        and hour: count, mean/median/p90 wait, no-shows (default
#                        threads = all cores, and threads = 1)
# Targets: hallplan profile ≤ 1.0× DuckDB (default threads) wall time, ≤ 3 GB peak RSS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS="${RUNS:-3}"
BIG="${BIG:-/tmp/big}"
TICKETS="${TICKETS:-10000000}"
OUT="${OUT:-/tmp/big-out}"

need_time
need_python_module duckdb
build_release gen_tickets
ensure_big_hall "$BIG" "$TICKETS"
rows=$(($(wc -l <"$BIG/tickets.csv") - 1))
size=$(du -h "$BIG/tickets.csv" | cut -f1)
wait_quiet
say "machine: $(machine)"
say "tickets.csv: $rows rows, $size; warming the page cache"
warm "$BIG"/*.csv

# The four commands take turns (round i runs each once), so that other work on a shared
# machine hits all of them alike rather than one block of runs.
H_VALIDATE=("$HALLPLAN" validate --data "$BIG")
H_PROFILE=("$HALLPLAN" profile --data "$BIG" --out "$OUT" --force)
D_DEFAULT=(python3 "$BENCH_DIR/duckdb_profile.py" "$BIG/tickets.csv" "$SCRATCH/duckdb.csv")
D_ONE=(python3 "$BENCH_DIR/duckdb_profile.py" "$BIG/tickets.csv" "$SCRATCH/duckdb1.csv" --threads 1)
for ((i = 1; i <= RUNS; i++)); do
  say "round $i of $RUNS"
  record "hallplan validate" "${H_VALIDATE[@]}"
  record "hallplan profile" "${H_PROFILE[@]}"
  record "duckdb (default threads)" "${D_DEFAULT[@]}"
  d_json="$LAST_OUT"
  record "duckdb (1 thread)" "${D_ONE[@]}"
done
say "medians"
summary "hallplan validate"
v_wall=$WALL v_rss=$RSS_MB
summary "hallplan profile"
p_wall=$WALL p_rss=$RSS_MB
summary "duckdb (default threads)"
d_wall=$WALL d_rss=$RSS_MB
summary "duckdb (1 thread)"
d1_wall=$WALL d1_rss=$RSS_MB
cat "$d_json" >&2
d_threads=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["threads"])' "$d_json")
cp "$SCRATCH/duckdb.csv" "$RESULTS/duckdb_profile.csv"

# Cross-check: hallplan's per-department mean waits against DuckDB's.
check="(no waits_by_department.csv in $OUT to cross-check)"
if [ -f "$OUT/waits_by_department.csv" ]; then
  check=$(python3 - "$OUT/waits_by_department.csv" "$RESULTS/duckdb_profile.csv" <<'PY'
import csv, sys
h = {r["department"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))}
d = {r["department"]: r for r in csv.DictReader(open(sys.argv[2])) if r["hour"] == ""}
worst, n = 0.0, 0
for dept, r in d.items():
    if dept in h and h[dept].get("mean_wait_min") and r["mean_wait_min"]:
        worst = max(worst, abs(float(h[dept]["mean_wait_min"]) - float(r["mean_wait_min"])))
        n += 1
print(f"per-department mean wait, hallplan vs DuckDB: {n}/{len(d)} departments compared, largest difference {worst:.3f} min")
PY
)
fi

cat <<EOF | tee "$RESULTS/profile_vs_duckdb.md"

### profile vs DuckDB — $(date -u +%Y-%m-%d), $(machine)
tickets.csv: $rows rows, $size; median of $RUNS runs, page cache warm.

| command | wall (s) | peak RSS (MiB) | wall ÷ DuckDB ($d_threads threads) | RSS ÷ DuckDB |
| --- | ---: | ---: | ---: | ---: |
| hallplan validate (ingest only) | $v_wall | $v_rss | $(ratio "$v_wall" "$d_wall")× | $(ratio "$v_rss" "$d_rss")× |
| hallplan profile | $p_wall | $p_rss | **$(ratio "$p_wall" "$d_wall")×** | $(ratio "$p_rss" "$d_rss")× |
| DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)') ($d_threads threads) | $d_wall | $d_rss | 1.00× | 1.00× |
| DuckDB (1 thread) | $d1_wall | $d1_rss | $(ratio "$d1_wall" "$d_wall")× | $(ratio "$d1_rss" "$d_rss")× |

hallplan profile ÷ DuckDB 1 thread: $(ratio "$p_wall" "$d1_wall")×.
Targets: hallplan profile ≤ 1.0× DuckDB wall time: $(awk -v a="$p_wall" -v b="$d_wall" 'BEGIN{print (a<=b) ? "met" : "NOT met"}'); peak RSS ≤ 3 GB (3072 MiB): $(awk -v a="$p_rss" 'BEGIN{print (a<=3072) ? "met" : "NOT met"}').
$check
EOF
