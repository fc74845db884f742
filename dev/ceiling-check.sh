#!/bin/bash
# A benchmark of the ceilings (not part of make check): runs gpuxfer N times in a row, with a
# CPU hog beside it if asked, and prints per run its wall time, --dry-run's estimate, the
# probes' time, the rated results, those marked '!' and those whose efficiency is above 100%,
# and how many steps ended on precision, time and iterations; then the totals.
#   ceiling-check.sh [-n RUNS] [-o DIR] [-H HOGS] [-- GPUXFER OPTIONS]
# Without options after --, the default run (`mpirun -np 2 gpuxfer`). -H: that many busy loops
# run beside every run (a loaded machine). Environment: GPUXFER (default: the build's
# src/gpuxfer), MPIRUN (default mpirun), MPIRUN_ARGS (default: -np 2 --bind-to none).
set -u
here=$(cd "$(dirname "$0")" && pwd)
runs=10 dir=./ceiling-check hogs=0
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0; }
while [ $# -gt 0 ]; do
    case $1 in
    -n) runs=${2:?-n needs a number of runs}; shift 2 ;;
    -o) dir=${2:?-o needs a directory}; shift 2 ;;
    -H) hogs=${2:?-H needs a number of busy loops}; shift 2 ;;
    --) shift; break ;;
    -h|--help) usage ;;
    *) echo "ceiling-check.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
G=${GPUXFER:-$here/../src/gpuxfer}
[ -x "$G" ] || { echo "ceiling-check.sh: no gpuxfer binary at '$G' (set GPUXFER)" >&2; exit 2; }
mkdir -p "$dir" || exit 2
pids=()
for _ in $(seq "$hogs"); do (while :; do :; done) & pids+=($!); done
trap '[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null' EXIT
# The table folds long lines ("...; estimate 109" then "#   s, ..."): join them before reading.
# shellcheck disable=SC2086
est=$(${MPIRUN:-mpirun} ${MPIRUN_ARGS:--np 2 --bind-to none} "$G" --dry-run "$@" 2>/dev/null |
    sed 's/^#  *//' | tr '\n' ' ' | sed -n 's/.*; estimate \([0-9]*\) s.*/\1/p')
printf '%-4s %5s %7s %6s %8s %6s %4s %8s %8s %s\n' run rc wall_s est_s probes_s rated '!' 'eff>100' \
    'max_eff%' 'stops(precision/time/iterations)'
for i in $(seq "$runs"); do
    start=$(date +%s.%N)
    ${MPIRUN:-mpirun} ${MPIRUN_ARGS:--np 2 --bind-to none} "$G" --quiet --force \
        --output "$dir/run$i.json" "$@" >"$dir/run$i.txt" 2>&1
    rc=$?
    wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    python3 - "$dir/run$i.json" "$i" "$rc" "$wall" "${est:--}" <<'PY'
import json, sys
f, i, rc, wall, est = sys.argv[1:]
try:
    d = json.load(open(f))
except (OSError, ValueError) as e:
    print("%-4s %5s %7s  no report: %s" % (i, rc, wall, e))
    sys.exit(0)
rated = [r for r in d.get("results", []) if r.get("ceiling")]
bang = sum(1 for r in rated if "ceiling_exceeded" in r)
above = sum(1 for r in rated if r["efficiency"] > 1)
top = max(rated, key=lambda r: r["efficiency"], default=None)
# the table's mark of the most efficient result: ! beyond its ceiling, = its interval reaches it
mark = "" if top is None or top["efficiency"] <= 1 else "!" if "ceiling_exceeded" in top else \
    "=" if "ceiling_within" in top else " UNMARKED"
by = [r.get("stop", {}).get("by") for r in d.get("results", [])]
stops = "%d/%d/%d" % tuple(by.count(k) for k in ("precision", "time", "iterations"))
print("%-4s %5s %7s %6s %8.1f %6d %4d %8d %8s %s" % (i, rc, wall, est, d.get(
    "ceilings", {}).get("seconds", 0), len(rated), bang, above,
    "%.1f%s" % (100 * top["efficiency"] if top else 0, mark), stops))
PY
done | tee "$dir/summary.txt"
awk 'NF == 10 && $1 ~ /^[0-9]+$/ { n++; r += $6; b += $7; a += $8 }
     END { printf "%d runs: %d rated results, %d marked !, %d above 100%%\n", n, r, b, a }' \
    "$dir/summary.txt"
