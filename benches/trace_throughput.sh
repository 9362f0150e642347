#!/usr/bin/env bash
# Trace-driven engine throughput on the 10 M-ticket hall (target ≥ 20 M customers/s on
# one core).
#
#   benches/trace_throughput.sh
#   BIG=/tmp/big TICKETS=10000000 REPEATS=5 RUNS=3 benches/trace_throughput.sh
#
# 1. examples/trace_throughput: loads the hall, turns every ticket into an engine
#    customer of its department's pool (own issue and handling time), and times only
#    engine::run_pool over all pools (median of REPEATS, one thread); then the same for
#    engine::run_rostered over today's pools as the replay reads them from the log
#    (per-window off-duty periods); it also times simulate::trace::replay (today's hall)
#    once, which adds pool mapping, the rosters and the summaries.
# 2. `hallplan simulate --mode trace --data BIG` end to end (ingest + replay + report),
#    median of RUNS under /usr/bin/time.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIG="${BIG:-/tmp/big}"
TICKETS="${TICKETS:-10000000}"
REPEATS="${REPEATS:-5}"
RUNS="${RUNS:-3}"

need_time
build_release gen_tickets trace_throughput
ensure_big_hall "$BIG" "$TICKETS"
wait_quiet
say "machine: $(machine)"
warm "$BIG"/*.csv

say "engine only (examples/trace_throughput, $REPEATS repeats)"
measure "trace_throughput example" 1 "$EXAMPLES/trace_throughput" "$BIG" "$REPEATS"
cp "$LAST_OUT" "$SCRATCH/engine.json"
cat "$SCRATCH/engine.json" >&2

say "hallplan simulate --mode trace (end to end)"
e2e="not run"
if measure "hallplan simulate --mode trace" "$RUNS" "$HALLPLAN" simulate --mode trace --data "$BIG" --out "$SCRATCH/sim" --force; then
  e2e="$WALL s, peak RSS $RSS_MB MiB"
else
  e2e="FAILED (stderr above)"
fi

python3 - "$SCRATCH/engine.json" "$e2e" "$(machine)" <<'PY' | tee "$RESULTS/trace_throughput.md"
import json, sys, datetime
e = json.load(open(sys.argv[1]))
rate = e["engine_customers_per_s"] / 1e6
print(f"\n### trace throughput — {datetime.date.today()}, {sys.argv[3]}")
print(f"{e['customers']:,} customers in {e['pools']} pools, {e['sessions_per_pool']} sessions each.\n")
print("| measure | time (s) | customers/s |")
print("| --- | ---: | ---: |")
print(f"| engine::run_pool, all pools (median of {len(e['engine_runs_s'])}) — plan replay, synthetic days | {e['engine_median_s']:.3f} | **{rate:.1f} M** |")
rr = e["rostered_customers_per_s"] / 1e6
print(f"| engine::run_rostered, all pools (median of {len(e['rostered_runs_s'])}) — today's replay, {e['rostered_off_periods']:,} off-duty periods | {e['rostered_median_s']:.3f} | **{rr:.1f} M** |")
print(f"| rosters, after-call work and patience read from the log (trace::today_pools) | {e['rosters_s']:.2f} | {e['rostered_customers']/e['rosters_s']/1e6:.2f} M |")
print(f"| simulate::trace::replay (today's hall, in process) | {e['replay_s']:.3f} | {e['replay_customers_per_s']/1e6:.1f} M |")
print(f"| ingest (library load of the hall) | {e['load_s']:.2f} | {e['customers']/e['load_s']/1e6:.2f} M |")
print(f"\ntarget ≥ 20 M customers/s on one core: run_pool {'met' if rate >= 20 else 'NOT met'}, run_rostered {'met' if rr >= 20 else 'NOT met'}.")
print(f"`hallplan simulate --mode trace` end to end: {sys.argv[2]}.")
print(f"replay: {e.get('replay')}; mean wait in the engine replay {e['mean_wait_min']:.2f} min.")
PY
