#!/usr/bin/env bash
# hallplan's simulation engine against Ciw on the same M/M/c scenario, in one run.
#
#   benches/simulate_vs_ciw.sh
#   CUSTOMERS=1000000 CIW_CUSTOMERS=100000 REPS=10 RUNS=11 benches/simulate_vs_ciw.sh
#
# Scenario: M/M/3, λ = 2.4 /min, μ = 1 /min per server (offered load 2.4, ρ = 0.8),
# CUSTOMERS customers in total (default 10⁶) split into REPS independent replications
# (default 10), the first 10 % of each replication dropped as warm-up. Each tool reports
# the mean wait over replications with a Student-t 95 % half-width; the exact Erlang C
# mean wait is printed beside them.
#   hallplan: examples/mmc.rs (synthetic::generate_stationary → engine::run_pool →
#             stats::summarize / mean_ci), median of RUNS runs of the in-process timing.
#   Ciw:      benches/ciw_mmc.py, one run (it is slow). By default it simulates the same
#             CUSTOMERS; set CIW_CUSTOMERS lower (e.g. 100000) to shorten it, in which
#             case the speed ratio is per customer (customers/s ÷ customers/s) and says so.
# Targets: hallplan ≥ 500× Ciw's customers per second; mean waits agree within their CIs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CUSTOMERS="${CUSTOMERS:-1000000}"
CIW_CUSTOMERS="${CIW_CUSTOMERS:-$CUSTOMERS}"
REPS="${REPS:-10}"
RUNS="${RUNS:-11}"
SEED="${SEED:-2020}"
SCEN=(--servers 3 --lambda 2.4 --mu 1.0 --warmup 0.1 --replications "$REPS")

need_time
need_python_module ciw
build_release mmc
wait_quiet
say "machine: $(machine)"

say "hallplan (examples/mmc), $CUSTOMERS customers, $RUNS runs"
for ((i = 1; i <= RUNS; i++)); do
  "$EXAMPLES/mmc" --customers "$CUSTOMERS" --seed "$SEED" "${SCEN[@]}" | tee -a "$SCRATCH/hallplan.jsonl" >&2
done
measure "hallplan mmc process (wall)" 1 "$EXAMPLES/mmc" --customers "$CUSTOMERS" --seed "$SEED" "${SCEN[@]}"
h_proc_wall=$WALL

say "Ciw $(python3 -c 'import ciw; print(ciw.__version__)'), $CIW_CUSTOMERS customers, 1 run (this takes a while)"
measure "ciw process (wall)" 1 python3 "$BENCH_DIR/ciw_mmc.py" --customers "$CIW_CUSTOMERS" --seed "$SEED" "${SCEN[@]}"
c_proc_wall=$WALL
cp "$LAST_OUT" "$SCRATCH/ciw.json"
cat "$SCRATCH/ciw.json" >&2

python3 - "$SCRATCH/hallplan.jsonl" "$SCRATCH/ciw.json" "$h_proc_wall" "$c_proc_wall" "$(machine)" <<'PY' | tee "$RESULTS/simulate_vs_ciw.md"
import json, math, statistics, sys, datetime
hs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
c = json.load(open(sys.argv[2]))
h_proc, c_proc, machine = float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
h = hs[0]  # same seed every run: identical estimates, only the timing differs
h_el = statistics.median(x["elapsed_s"] for x in hs)
h_rate = h["customers"] / h_el
c_rate = c["customers"] / c["elapsed_s"]
exact = h["erlang_c_mean_wait_min"]
same_n = h["customers"] == c["customers"]
diff = h["mean_wait_min"] - c["mean_wait_min"]
diff_hw = math.hypot(h["ci95_half_width_min"], c["ci95_half_width_min"])
def inside(x):
    return abs(x["mean_wait_min"] - exact) <= x["ci95_half_width_min"]
print(f"\n### simulate vs Ciw — {datetime.date.today()}, {machine}")
print(f"M/M/{h['servers']}, λ = {h['lambda_per_min']}/min, μ = {h['mu_per_min']}/min per server; "
      f"{h['replications']} replications, first 10 % of each dropped; exact Erlang C mean wait {exact:.4f} min.\n")
print("| tool | customers | elapsed (s) | customers/s | mean wait (min) | 95 % CI | Erlang C inside CI |")
print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
print(f"| hallplan (examples/mmc, median of {len(hs)}) | {h['customers']:,} | {h_el:.3f} | {h_rate:,.0f} | {h['mean_wait_min']:.4f} | ± {h['ci95_half_width_min']:.4f} | {'yes' if inside(h) else 'NO'} |")
print(f"| Ciw {c['ciw_version']} (1 run) | {c['customers']:,} | {c['elapsed_s']:.1f} | {c_rate:,.0f} | {c['mean_wait_min']:.4f} | ± {c['ci95_half_width_min']:.4f} | {'yes' if inside(c) else 'NO'} |")
kind = "wall-time ratio on the same customers" if same_n else \
       f"per-customer throughput ratio (Ciw ran {c['customers']:,} customers, hallplan {h['customers']:,})"
speed = h_rate / c_rate
print(f"\nhallplan speed ÷ Ciw: **{speed:,.0f}×** ({kind}; target ≥ 500×: {'met' if speed >= 500 else 'NOT met'}).")
print(f"Whole processes (start-up, imports included): hallplan {h_proc:.3f} s, Ciw {c_proc:.1f} s.")
print(f"Mean waits: hallplan − Ciw = {diff:+.4f} min, 95 % half-width of the difference ± {diff_hw:.4f}: "
      f"{'agree' if abs(diff) <= diff_hw else 'DISAGREE'} within their confidence intervals.")
PY
