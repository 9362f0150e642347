#!/usr/bin/env bash
# `hallplan plan` end to end on the bundled sample and five generated halls of 40–100
# windows with four weeks of tickets (issue 10 item 7: < 1 s each), against a baseline
# measured in the same run.
#
#   benches/plan_halls.sh
#   BASELINE_BIN=/path/to/old/hallplan RUNS=5 benches/plan_halls.sh
#   CITY=1 benches/plan_halls.sh          # also the city hall (target < 30 s), one run
#
# Halls (examples/gen_tickets, fixed seeds, ≈ 20 open days each; generated once into
# HALLS, default /tmp/hallplan-bench-halls, reused when present):
#   b1-large   5 departments, 60 windows, 80 matters            (few large departments)
#   b2-small  35 departments, 70 windows, 140 matters           (many small ones)
#   b3-joint  12 departments, 90 windows, 300 matters           (many merge-group matters)
#   b4-peaks  10 departments, 50 windows, 100 matters, load 0.75–0.9 (overloaded peaks)
#   b5-100    20 departments, 100 windows, 200 matters
# Baseline: BASELINE_BIN (e.g. the previous binary) when given, else `hallplan erlang`
# (a process start and a formula: the floor of any command). Per hall the table gives the
# median of RUNS hyperfine runs, the ratio to the baseline, the plan's windows and waiting,
# and from one extra run with HALLPLAN_TIMING=1 the split of the time: prepare
# (capacities A_p(c) inside it), stage 1, stage 2 / local search, replay checks.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS="${RUNS:-5}"
HALLS="${HALLS:-/tmp/hallplan-bench-halls}"
CITY="${CITY:-0}"
CITY_DIR="${CITY_DIR:-/tmp/city}"

need_hyperfine
build_release gen_tickets
wait_quiet
say "machine: $(machine)"

gen() { # name args...
  local name="$1"
  shift
  if [ ! -s "$HALLS/$name/tickets.csv" ]; then
    "$EXAMPLES/gen_tickets" "$@" --out "$HALLS/$name" --force >&2
  fi
}
mkdir -p "$HALLS"
"$HALLPLAN" sample --out "$HALLS/sample" --force >/dev/null
gen b1-large --tickets 36000 --departments 5 --windows 60 --matters 80 --load 0.55:0.68 --seed 11
gen b2-small --tickets 44000 --departments 35 --windows 70 --matters 140 --load 0.55:0.68 --seed 12
gen b3-joint --tickets 48000 --departments 12 --windows 90 --matters 300 --load 0.55:0.68 --seed 13
gen b4-peaks --tickets 35000 --departments 10 --windows 50 --matters 100 --load 0.75:0.9 --seed 14
gen b5-100 --tickets 50000 --departments 20 --windows 100 --matters 200 --load 0.55:0.68 --seed 15
HALL_LIST=(sample/binjiang b1-large b2-small b3-joint b4-peaks b5-100)
if [ "$CITY" = 1 ]; then
  if [ ! -s "$CITY_DIR/tickets.csv" ]; then
    "$EXAMPLES/gen_tickets" --tickets 1000000 --departments 200 --windows 1000 --matters 1500 --load 0.55:0.68 --out "$CITY_DIR" --force >&2
  fi
fi

median_of() { # json -> median seconds
  python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"
}

# phases TIMING_LOG : "prepare x | capacities x | stage 1 x | stage 2 x | replay x (n)"
phases() {
  python3 - "$1" <<'PY'
import re, sys
tot = {"prepare": 0.0, "capacities": 0.0, "stage1": 0.0, "stage2": 0.0, "cuts": 0.0, "replay": 0.0}
n_replay = n_budget = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.match(r"\[timing\]\s+([0-9.]+) s\s+(.*)", line)
    if not m:
        continue
    t, what = float(m.group(1)), m.group(2)
    if what.startswith("prepare"): tot["prepare"] += t
    elif what.startswith("capacities"): tot["capacities"] += t
    elif what.startswith("stage 1"): tot["stage1"] += t
    elif what.startswith("stage 2") or what.startswith("least waiting"): tot["stage2"] += t
    elif what.startswith("tangent cut table"): tot["cuts"] += t
    elif what.startswith("replay check"): tot["replay"] += t; n_replay += 1
    elif what.startswith("MILP and exact-mix repair (LeastWaiting"): n_budget += 1
print(f'{tot["prepare"]:.2f} ({tot["capacities"]:.2f}) | {tot["stage1"]:.2f} | {tot["cuts"]:.2f} | {tot["stage2"]:.2f} | {tot["replay"]:.2f} ({n_replay}) | {n_budget}')
PY
}

summary() { # out dir -> "before → after (MILP m) | waiting"
  python3 - "$1/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f'{d["windows_before"]} → {d["windows_after"]} (MILP {d.get("milp_windows", "?")}) | {d["waiting_person_min_per_day"]:.1f}')
PY
}

rows=()
for h in "${HALL_LIST[@]}"; do
  name=$(basename "$h")
  dir="$HALLS/$h"
  say "plan on $name"
  out="$SCRATCH/plan-$name"
  if ! HALLPLAN_TIMING=1 "$HALLPLAN" plan --data "$dir" --out "$out" --force >/dev/null 2>"$SCRATCH/timing-$name"; then
    rows+=("| $name | FAILED: $(tail -1 "$SCRATCH/timing-$name") | | | | |")
    continue
  fi
  if [ -n "${BASELINE_BIN:-}" ]; then
    base_cmd="$BASELINE_BIN plan --data $dir --out $SCRATCH/base-$name --force"
    base_label="BASELINE_BIN plan"
  else
    base_cmd="$HALLPLAN erlang --arrivals-per-hour 100 --handle-min 5 --windows 10"
    base_label="hallplan erlang"
  fi
  hyperfine --warmup 1 --runs "$RUNS" --style basic --export-json "$SCRATCH/hf-$name.json" \
    -n plan "$HALLPLAN plan --data $dir --out $out --force" \
    -n baseline "$base_cmd" >&2 || true
  plan_s=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print("%.3f" % r[0]["median"])' "$SCRATCH/hf-$name.json")
  base_s=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print("%.3f" % r[1]["median"] if len(r) > 1 else "n/a")' "$SCRATCH/hf-$name.json")
  rows+=("| $name | $plan_s | $base_s | $(ratio "$plan_s" "$base_s") | $(summary "$out") | $(phases "$SCRATCH/timing-$name") |")
done

city_row=""
if [ "$CITY" = 1 ]; then
  say "plan on the city hall (one run)"
  t0=$(date +%s%N)
  if HALLPLAN_TIMING=1 "$HALLPLAN" plan --data "$CITY_DIR" --out "$SCRATCH/plan-city" --force >/dev/null 2>"$SCRATCH/timing-city"; then
    t1=$(date +%s%N)
    city_row="| city (200 departments, 1 000 windows, 10⁶ tickets) | $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)/1e9}') | | | $(summary "$SCRATCH/plan-city") | $(phases "$SCRATCH/timing-city") |"
  else
    city_row="| city | FAILED: $(tail -1 "$SCRATCH/timing-city") | | | | |"
  fi
fi

# The transient evaluator's cost per pool-day (examples/transient_cost.rs, when present).
per_day=""
if [ -f "$ROOT/examples/transient_cost.rs" ]; then
  build_release transient_cost >/dev/null 2>&1 || true
  if [ -x "$EXAMPLES/transient_cost" ]; then
    per_day=$("$EXAMPLES/transient_cost" 2>&1 | tail -12)
  fi
fi

{
  printf '\n### plan on generated halls — %s, %s\n\n' "$(date -u +%Y-%m-%d)" "$(machine)"
  printf 'Baseline: %s, same run. Times: hyperfine median of %s runs (s). Phases: one run with HALLPLAN_TIMING=1, seconds of wall time.\n\n' "$base_label" "$RUNS"
  echo "| hall | plan (s) | baseline (s) | ratio | windows before → after | waiting (person-min/day) | prepare (capacities) | stage 1 | cut table | stage 2 / local search | replay checks (n) | budgets tried |"
  echo "| --- | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: | --- | ---: |"
  printf '%s\n' "${rows[@]}"
  [ -n "$city_row" ] && echo "$city_row"
  if [ -n "$per_day" ]; then
    printf '\nTransient evaluator, cost per pool-day (examples/transient_cost):\n\n```\n%s\n```\n' "$per_day"
  fi
} | tee "$RESULTS/plan_halls.md"
