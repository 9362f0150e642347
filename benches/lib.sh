# Shared helpers of the benchmark scripts (sourced, not run).
# shellcheck shell=bash

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
HALLPLAN="$ROOT/target/release/hallplan"
EXAMPLES="$ROOT/target/release/examples"
RESULTS="${RESULTS:-$ROOT/target/bench-results}"
mkdir -p "$RESULTS"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/hallplan-bench.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT

say() { printf '\n== %s\n' "$*" >&2; }

machine() {
  local cpu
  cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  printf '%s cores (%s), %s GB RAM, %s, load avg %s' "$(nproc)" "$cpu" "$(free -g | awk '/Mem:/{print $2}')" "$(uname -sr)" "$(cut -d" " -f1 /proc/loadavg)"
}

# Tools the scripts need; installed when missing (apt and pip only, no other network).
need_time() {
  if [ ! -x /usr/bin/time ]; then
    say "installing GNU time"
    apt-get update -qq && apt-get install -y -qq time >/dev/null
  fi
}
need_hyperfine() {
  if ! command -v hyperfine >/dev/null 2>&1; then
    say "installing hyperfine"
    apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
  fi
}
need_python_module() { # module [pip name]
  if ! python3 -c "import $1" >/dev/null 2>&1; then
    say "installing python package ${2:-$1}"
    python3 -m pip install -q "${2:-$1}"
  fi
}

# Release build of the binary and the named examples (never a debug build).
build_release() { # [example...]
  local flags=()
  for e in "$@"; do flags+=(--example "$e"); done
  say "cargo build --release ${flags[*]}"
  (cd "$ROOT" && cargo build --release --bin hallplan "${flags[@]}")
}

# The 10 M-ticket hall (about 1 GB), generated once.
ensure_big_hall() { # dir tickets
  local dir="$1" n="$2"
  if [ -s "$dir/tickets.csv" ] && [ -s "$dir/windows.csv" ] && [ -s "$dir/matters.csv" ]; then
    say "reusing $dir ($(du -h "$dir/tickets.csv" | cut -f1) tickets.csv)"
  else
    say "generating $dir with $n tickets"
    "$EXAMPLES/gen_tickets" --tickets "$n" --out "$dir" --force
  fi
}

# Reads a file once so every measured run starts from the page cache.
warm() { cat "$@" >/dev/null; }

# measure NAME RUNS cmd... : runs the command RUNS times under /usr/bin/time and sets
# WALL (median seconds, ms resolution) and RSS_MB (median peak RSS, MiB). The runs are
# listed on stderr. A failing command prints its stderr and returns 1.
measure() {
  local name="$1" runs="$2"
  shift 2
  local walls=() rsss=() i t0 t1 w r
  for ((i = 1; i <= runs; i++)); do
    t0=$(date +%s%N)
    FAIL_STATUS=0
    /usr/bin/time -f '%M' -o "$SCRATCH/time" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err" || FAIL_STATUS=$?
    t1=$(date +%s%N)
    if [ "$FAIL_STATUS" -ne 0 ]; then
      FAIL_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)/1e9}')
      FAIL_MSG=$(grep -v '^Command exited' "$SCRATCH/err" | tail -1)
      printf 'FAILED: %s (exit status %s after %s s)\n  command: %s\n  stderr:\n' "$name" "$FAIL_STATUS" "$FAIL_WALL" "$*" >&2
      sed 's/^/    /' "$SCRATCH/err" | tail -40 >&2
      return 1
    fi
    w=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')
    r=$(tail -1 "$SCRATCH/time" | awk '{printf "%.0f", $1/1024}')
    walls+=("$w")
    rsss+=("$r")
    printf '  %-34s run %d: %8.3f s  %6d MiB\n' "$name" "$i" "$w" "$r" >&2
  done
  WALL=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
  RSS_MB=$(printf '%s\n' "${rsss[@]}" | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
  LAST_OUT="$SCRATCH/out"
  LAST_ERR="$SCRATCH/err"
  printf '  %-34s median %8.3f s  %6d MiB\n' "$name" "$WALL" "$RSS_MB" >&2
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }

# Waits (up to QUIET_WAIT seconds, default 300) until the 1-minute load average is below
# QUIET_LOAD (default 0.5), so that a shared machine's builds do not skew the figures.
# Prints a warning and carries on when it never gets quiet.
wait_quiet() {
  local max="${QUIET_WAIT:-300}" limit="${QUIET_LOAD:-0.5}" waited=0 load
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" -v m="$limit" 'BEGIN{exit !(l < m)}'; then return 0; fi
    if [ "$waited" -ge "$max" ]; then
      say "WARNING: load average still $load after ${max} s; figures may be skewed by other work"
      return 0
    fi
    [ "$waited" -eq 0 ] && say "waiting for the machine to go quiet (load $load ≥ $limit)"
    sleep 10
    waited=$((waited + 10))
  done
}
