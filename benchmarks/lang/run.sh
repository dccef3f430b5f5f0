#!/usr/bin/env bash
# Language speed: each workload run by tl (release build), python3 and lua5.4
# in one go, best of N runs each, printed with the tl/python3 and tl/lua ratios.
# Usage: benchmarks/lang/run.sh [runs]   (goal: every tl/python3 ratio <= 1.0)
#        TL=/path/to/tl benchmarks/lang/run.sh   times that binary instead of building
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
if [ -n "${TL:-}" ]; then
  tl=$TL
else
  swift build -c release --product tl >/dev/null
  tl=$(swift build -c release --show-bin-path)/tl
fi
dir=benchmarks/lang

best() {  # best wall time in seconds of running "$@" $runs times
  local best=999999
  for _ in $(seq "$runs"); do
    local t0 t1 t
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    t=$(echo "$t1 - $t0" | bc -l)
    if (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
  done
  printf '%.3f' "$best"
}

printf '%-10s %9s %9s %9s %12s %12s\n' workload tl python3 lua5.4 tl/python3 tl/lua
for w in fib loop sort strings props; do
  # the same answer first: a fast wrong interpreter proves nothing
  if [ "$("$tl" "$dir/$w.tl")" != "$(python3 "$dir/$w.py")" ]; then
    echo "$w: tl's output differs from python3's" >&2; exit 1
  fi
  t_tl=$(best "$tl" "$dir/$w.tl")
  t_py=$(best python3 "$dir/$w.py")
  if command -v lua5.4 >/dev/null; then t_lua=$(best lua5.4 "$dir/$w.lua"); else t_lua=nan; fi
  r_py=$(echo "$t_tl / $t_py" | bc -l)
  r_lua=$( [ "$t_lua" = nan ] && echo nan || echo "$t_tl / $t_lua" | bc -l)
  printf '%-10s %9s %9s %9s %12.2f %12s\n' "$w" "$t_tl" "$t_py" "$t_lua" "$r_py" \
    "$( [ "$r_lua" = nan ] && echo n/a || printf '%.2f' "$r_lua")"
done
