#!/usr/bin/env bash
# `hallplan serve` latency: starts the server on a hall (the bundled sample unless DATA),
# sweeps 36 settings through POST /api/plan — 12 demand changes, 12 window budgets, 12
# sets of locked windows, each a new question for the server — then asks the same 36
# again (answered from the server's cache), and prints p50/p95 of each pass and of each
# kind. Writes target/bench-results/serve_latency.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DATA="${DATA:-$ROOT/data/binjiang}"
[ -n "${SKIP_BUILD:-}" ] || build_release

say "starting hallplan serve on $DATA"
"$HALLPLAN" serve --data "$DATA" --port 0 >"$SCRATCH/out" 2>"$SCRATCH/err" &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$SCRATCH"' EXIT
for _ in $(seq 600); do grep -q listening "$SCRATCH/out" 2>/dev/null && break; sleep 0.1; done
URL="$(sed -n 's/^listening on //p' "$SCRATCH/out")"
[ -n "$URL" ] || { cat "$SCRATCH/err"; exit 1; }
FEWEST="$(curl -s "$URL/api/hall" | python3 -c 'import json,sys; print(json.load(sys.stdin)["fewest_windows"])')"
IDS="$(curl -s "$URL/api/hall" | python3 -c 'import json,sys; print(" ".join(w["id"] for w in json.load(sys.stdin)["windows"]))')"

bodies=()
for d in -0.55 -0.5 -0.45 -0.4 -0.35 -0.3 -0.25 -0.2 -0.15 -0.1 0.05 0.1; do
  bodies+=("demand|{\"set\": {\"demand_change\": $d}}")
done
for k in $(seq 1 12); do
  bodies+=("budget|{\"max_windows\": $((FEWEST + k))}")
done
read -r -a ids <<<"$IDS"
for k in $(seq 0 11); do
  bodies+=("locked|{\"locked\": [\"${ids[$(( (k * 7) % ${#ids[@]} ))]}\", \"${ids[$(( (k * 7 + 3) % ${#ids[@]} ))]}\"]}")
done

: >"$SCRATCH/times"
for pass in new cached; do
  say "pass: $pass (${#bodies[@]} requests)"
  for b in "${bodies[@]}"; do
    kind="${b%%|*}"; body="${b#*|}"
    read -r code t < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X POST "$URL/api/plan" -d "$body")
    printf '%s %s %s %s\n' "$pass" "$kind" "$code" "$t" >>"$SCRATCH/times"
  done
done

python3 - "$SCRATCH/times" "$RESULTS/serve_latency.md" "$(machine)" "$DATA" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
def pct(v, q):
    v = sorted(v); return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]
lines = [f"`hallplan serve` on {sys.argv[4]}; {sys.argv[3]}", "",
         "| pass | kind | requests | status | p50 ms | p95 ms | max ms |", "| --- | --- | --- | --- | --- | --- | --- |"]
for p in ("new", "cached"):
    for k in ("demand", "budget", "locked", "all"):
        sel = [r for r in rows if r[0] == p and (k == "all" or r[1] == k)]
        ms = [1000 * float(r[3]) for r in sel]
        codes = ",".join(sorted({r[2] for r in sel}))
        lines.append(f"| {p} | {k} | {len(sel)} | {codes} | {pct(ms, .5):.0f} | {pct(ms, .95):.0f} | {max(ms):.0f} |")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
