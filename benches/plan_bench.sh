#!/usr/bin/env bash
# `hallplan plan` and `hallplan frontier` end to end.
#
#   benches/plan_bench.sh
#   RUNS=5 CITY=/tmp/city CITY_TICKETS=1000000 CITY_RUNS=3 CITY_TIMEOUT=900 benches/plan_bench.sh
#
# 1. The bundled sample (`hallplan sample`, data/binjiang): `plan` (target < 1 s) and
#    `frontier` (target < 10× one plan), hyperfine, 1 warm-up + RUNS runs, median.
# 2. A generated city-scale hall: 200 departments, 1 000 windows, 1 500 matters,
#    CITY_TICKETS tickets (examples/gen_tickets, --load CITY_LOAD: peak hours below ~95 %
#    utilisation, so that a plan exists): `plan --data CITY` (target < 60 s),
#    CITY_RUNS runs under /usr/bin/time, each killed after CITY_TIMEOUT seconds.
# 3. Both solvers side by side (HIGHS=1, the default when cmake is installed): a
#    `--features highs` build copied aside, `plan --solver highs` on the sample (hyperfine)
#    and the windows and waiting of both plans, which must agree.
# A command that fails is reported with its exit status and stderr; the others still run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS="${RUNS:-5}"
CITY="${CITY:-/tmp/city}"
CITY_TICKETS="${CITY_TICKETS:-1000000}"
CITY_RUNS="${CITY_RUNS:-3}"
CITY_TIMEOUT="${CITY_TIMEOUT:-900}"
CITY_LOAD="${CITY_LOAD:-0.55:0.68}"
SAMPLE="$SCRATCH/sample"

need_time
need_hyperfine
HIGHS="${HIGHS:-$(command -v cmake >/dev/null && echo 1 || echo 0)}"
HIGHS_BIN="$SCRATCH/hallplan-highs"
if [ "$HIGHS" = 1 ]; then
  say "cargo build --release --features highs (copied aside)"
  (cd "$ROOT" && cargo build --release --features highs --bin hallplan)
  cp "$HALLPLAN" "$HIGHS_BIN"
fi
build_release gen_tickets
wait_quiet
say "machine: $(machine)"

"$HALLPLAN" sample --out "$SAMPLE" --force
HALL="$SAMPLE/binjiang"

# hyperfine_median NAME cmd : sets MEDIAN (s) or returns 1 with the command's stderr.
hyperfine_median() {
  local name="$1" cmd="$2"
  if ! (cd "$SCRATCH" && bash -c "$cmd" >/dev/null 2>"$SCRATCH/hf.err"); then
    printf 'FAILED: %s\n  command: %s\n  stderr:\n' "$name" "$cmd" >&2
    sed 's/^/    /' "$SCRATCH/hf.err" | tail -40 >&2
    return 1
  fi
  hyperfine --warmup 1 --runs "$RUNS" --style basic --export-json "$SCRATCH/hf.json" "$cmd" >&2
  MEDIAN=$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$SCRATCH/hf.json")
}

plan_s="FAILED" frontier_s="FAILED" city_s="FAILED"
say "plan on the bundled sample"
if hyperfine_median "plan (sample)" "$HALLPLAN plan --data $HALL --out $SCRATCH/plan --force"; then plan_s=$MEDIAN; fi
say "frontier on the bundled sample"
if hyperfine_median "frontier (sample)" "$HALLPLAN frontier --data $HALL --out $SCRATCH/frontier --force"; then frontier_s=$MEDIAN; fi

highs_s="not run (HIGHS=0)" same="-"
if [ "$HIGHS" = 1 ]; then
  say "plan on the bundled sample with HiGHS"
  if hyperfine_median "plan --solver highs (sample)" "$HIGHS_BIN plan --solver highs --data $HALL --out $SCRATCH/plan-highs --force"; then
    highs_s=$MEDIAN
    # The solvers' optimum is the MILP's (fewest windows, then waiting within the 0.1 %
    # gap both are given); the plans then pass the exact-mix and replay checks, which may
    # add windows differently for different channel choices of equal waiting.
    same=$(python3 - "$SCRATCH/plan" "$SCRATCH/plan-highs" <<'PY'
import json, sys, os
a, b = (json.load(open(os.path.join(p, "summary.json"))) for p in sys.argv[1:3])
wa, wb = a["waiting_person_min_per_day"], b["waiting_person_min_per_day"]
ok = a["milp_windows"] == b["milp_windows"] and abs(wa - wb) <= 0.002 * max(wa, wb) + 1e-6
print(f'{"same optimum" if ok else "DIFFERENT"}: MILP {a["milp_windows"]} vs {b["milp_windows"]} windows, waiting {wa:.1f} vs {wb:.1f} person-min/day; after the replay check {a["windows_after"]} vs {b["windows_after"]} windows')
PY
)
  fi
fi

say "city-scale hall"
if [ ! -s "$CITY/tickets.csv" ]; then
  "$EXAMPLES/gen_tickets" --tickets "$CITY_TICKETS" --departments 200 --windows 1000 --matters 1500 --load "$CITY_LOAD" --out "$CITY" --force
fi
city_rss="-"
if measure "plan (city)" "$CITY_RUNS" timeout "$CITY_TIMEOUT" "$HALLPLAN" plan --data "$CITY" --out "$SCRATCH/city-plan" --force; then
  city_s=$WALL city_rss=$RSS_MB
  tail -6 "$LAST_ERR" >&2 || true
else
  if [ "$FAIL_STATUS" -eq 124 ]; then
    city_s="not finished after ${CITY_TIMEOUT} s (killed)"
  else
    city_s="FAILED: exit status $FAIL_STATUS after $FAIL_WALL s: \`${FAIL_MSG//|/\\|}\`"
  fi
fi

verdict() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a+0 == 0 && a != "0") print "n/a"; else print (a < b) ? "met" : "NOT met" }'; }
ten_plans=$(awk -v p="$plan_s" 'BEGIN{ if (p+0 > 0) printf "%.3f", 10*p; else print "n/a" }')
cat <<EOF | tee "$RESULTS/plan_bench.md"

### plan / frontier — $(date -u +%Y-%m-%d), $(machine)

| command | median (s) | target | verdict |
| --- | ---: | --- | --- |
| plan, bundled sample (hyperfine, $RUNS runs) | $plan_s | < 1 s | $(verdict "$plan_s" 1) |
| plan --solver highs, bundled sample (hyperfine, $RUNS runs) | $highs_s | same optimum as microlp | $same ($(ratio "$highs_s" "$plan_s")× microlp) |
| frontier, bundled sample (hyperfine, $RUNS runs) | $frontier_s | < 10× plan = $ten_plans s | $(verdict "$frontier_s" "$ten_plans") ($(ratio "$frontier_s" "$plan_s")× plan) |
| plan, city hall: 200 departments, 1 000 windows, 1 500 matters, $CITY_TICKETS tickets, load $CITY_LOAD ($CITY_RUNS run) | $city_s | < 60 s | $(verdict "$city_s" 60) (peak RSS $city_rss MiB) |
EOF
