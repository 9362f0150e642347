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
#    median of RUNS under /usr/bin/time (wall, user + system CPU, peak RSS).
#
# Engine figures are given as wall time and as the thread's CPU time (the scheduler's
# count in /proc/thread-self/schedstat): on a shared 2-core machine the wall clock of a
# sub-second run measures the other builds more than hallplan; CPU time much less so.
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
: >"$SCRATCH/e2e.times"
for ((i = 1; i <= RUNS; i++)); do
  if /usr/bin/time -f '%e %U %S %M' -o "$SCRATCH/e2e.time" "$HALLPLAN" simulate --mode trace \
    --data "$BIG" --out "$SCRATCH/sim" --force >/dev/null 2>"$SCRATCH/e2e.err"; then
    tail -1 "$SCRATCH/e2e.time" >>"$SCRATCH/e2e.times"
    printf '  simulate --mode trace run %d: %s (wall s, user s, sys s, KiB; load %s)\n' "$i" \
      "$(tail -1 "$SCRATCH/e2e.time")" "$(cut -d' ' -f1 /proc/loadavg)" >&2
  else
    e2e="FAILED: $(tail -1 "$SCRATCH/e2e.err")"
    break
  fi
done
if [ -s "$SCRATCH/e2e.times" ] && [ "${e2e#FAILED}" = "$e2e" ]; then
  med() { sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
  wall=$(awk '{print $1}' "$SCRATCH/e2e.times" | med)
  cpu=$(awk '{print $2 + $3}' "$SCRATCH/e2e.times" | med)
  rss=$(awk '{printf "%.0f\n", $4 / 1024}' "$SCRATCH/e2e.times" | med)
  e2e="$wall s wall, $cpu s CPU (user + sys), peak RSS $rss MiB (medians of $RUNS)"
fi
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$SCRATCH/engine.json" "$e2e" "$(machine)" "$load_end" <<'PY' | tee "$RESULTS/trace_throughput.md"
import json, sys, datetime
e = json.load(open(sys.argv[1]))
m = lambda x: x / 1e6
print(f"\n### trace throughput — {datetime.date.today()}, {sys.argv[3]}; load average at the end {sys.argv[4]}")
print(f"{e['customers']:,} customers in {e['pools']} pools, {e['sessions_per_pool']} sessions each.\n")
print("| measure | wall (s) | CPU (s) | customers/s (wall) | customers/s (CPU) |")
print("| --- | ---: | ---: | ---: | ---: |")
n, rn = e["customers"], e["rostered_customers"]
print(f"| engine::run_pool, all pools (median of {len(e['engine_runs_s'])}) — plan replay, synthetic days | {e['engine_median_s']:.3f} | {e['engine_cpu_median_s']:.3f} | {m(e['engine_customers_per_s']):.1f} M | **{m(e['engine_customers_per_cpu_s']):.1f} M** |")
print(f"| engine::run_rostered, all pools (median of {len(e['rostered_runs_s'])}) — today's replay, {e['rostered_off_periods']:,} off-duty periods | {e['rostered_median_s']:.3f} | {e['rostered_cpu_median_s']:.3f} | {m(e['rostered_customers_per_s']):.1f} M | **{m(e['rostered_customers_per_cpu_s']):.1f} M** |")
print(f"| rosters, after-call work and patience read from the log (trace::today_pools) | {e['rosters_s']:.2f} | {e['rosters_cpu_s']:.2f} | {m(rn / e['rosters_s']):.2f} M | {m(rn / e['rosters_cpu_s']):.2f} M |")
print(f"| simulate::trace::replay (today's hall, in process) | {e['replay_s']:.3f} | {e['replay_cpu_s']:.3f} | {m(e['replay_customers_per_s']):.2f} M | {m(n / e['replay_cpu_s']):.2f} M |")
print(f"| ingest (library load of the hall, all threads) | {e['load_s']:.2f} | — | {m(n / e['load_s']):.2f} M | — |")
ok = lambda r: "met" if r >= 20 else "NOT met"
print(f"\ntarget ≥ 20 M customers/s on one core (wall / CPU): run_pool {ok(m(e['engine_customers_per_s']))} / {ok(m(e['engine_customers_per_cpu_s']))}, run_rostered {ok(m(e['rostered_customers_per_s']))} / {ok(m(e['rostered_customers_per_cpu_s']))}.")
print(f"Memory the replay adds to the loaded hall (peak RSS during the replay − RSS before it, hall {e['hall_rss_mib']:.0f} MiB): {e['replay_extra_mib']:.0f} MiB.")
print(f"`hallplan simulate --mode trace` end to end: {sys.argv[2]}.")
print(f"replay: {e.get('replay')}; mean wait in the engine replay {e['mean_wait_min']:.2f} min.")
PY
