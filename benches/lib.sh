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

# record NAME cmd... : runs the command once under /usr/bin/time and appends its wall time
# (ms resolution) and peak RSS (MiB) to NAME's samples. A failing command prints its
# stderr, sets FAIL_STATUS / FAIL_WALL / FAIL_MSG and returns 1. LAST_OUT / LAST_ERR hold
# the run's stdout / stderr.
record() {
  local name="$1" key t0 t1 w r
  shift
  key=$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '_')
  FAIL_STATUS=0
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$SCRATCH/time" "$@" >"$SCRATCH/out.$key" 2>"$SCRATCH/err.$key" || FAIL_STATUS=$?
  t1=$(date +%s%N)
  LAST_OUT="$SCRATCH/out.$key"
  LAST_ERR="$SCRATCH/err.$key"
  if [ "$FAIL_STATUS" -ne 0 ]; then
    FAIL_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)/1e9}')
    FAIL_MSG=$(grep -v '^Command exited' "$LAST_ERR" | tail -1)
    printf 'FAILED: %s (exit status %s after %s s)\n  command: %s\n  stderr:\n' "$name" "$FAIL_STATUS" "$FAIL_WALL" "$*" >&2
    sed 's/^/    /' "$LAST_ERR" | tail -40 >&2
    return 1
  fi
  w=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')
  r=$(tail -1 "$SCRATCH/time" | awk '{printf "%.0f", $1/1024}')
  echo "$w" >>"$SCRATCH/wall.$key"
  echo "$r" >>"$SCRATCH/rss.$key"
  printf '  %-34s run %d: %8.3f s  %6d MiB  (load %s)\n' "$name" "$(wc -l <"$SCRATCH/wall.$key")" "$w" "$r" "$(cut -d' ' -f1 /proc/loadavg)" >&2
}

# summary NAME : sets WALL (median s) and RSS_MB (median MiB) of NAME's samples.
summary() {
  local key
  key=$(printf '%s' "$1" | tr -c 'A-Za-z0-9' '_')
  WALL=$(sort -n "$SCRATCH/wall.$key" | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
  RSS_MB=$(sort -n "$SCRATCH/rss.$key" | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
  printf '  %-34s median %8.3f s  %6d MiB\n' "$1" "$WALL" "$RSS_MB" >&2
}

# measure NAME RUNS cmd... : RUNS runs in a row, then the medians (WALL, RSS_MB).
measure() {
  local name="$1" runs="$2" i
  shift 2
  for ((i = 1; i <= runs; i++)); do
    record "$name" "$@" || return 1
  done
  summary "$name"
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
