#!/bin/bash
# The same answer twice (not part of make check): runs one gpuxfer command N times in a row,
# then sets every run beside every other with gpuxfer-report compare and prints, per pair, the
# rows it calls slower or faster (an identical run should call none), and per row the spread of
# its medians over the runs (max/min), worst first. Run it on a GPU node inside one allocation.
#   aa-check.sh [-n RUNS] [-o DIR] [-- GPUXFER OPTIONS]
# Without options after --, the default run. Environment: GPUXFER (default: the build's
# src/gpuxfer), MPIRUN (default mpirun), MPIRUN_ARGS (default: -np 2 --bind-to none), PYTHON.
set -u
here=$(cd "$(dirname "$0")" && pwd)
runs=3 dir=./aa-check
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0; }
while [ $# -gt 0 ]; do
    case $1 in
    -n) runs=${2:?-n needs a number of runs}; shift 2 ;;
    -o) dir=${2:?-o needs a directory}; shift 2 ;;
    --) shift; break ;;
    -h|--help) usage ;;
    *) echo "aa-check.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
case $runs in '' | *[!0-9]*) echo "aa-check.sh: -n needs a number of runs, got '$runs'" >&2; exit 2 ;; esac
[ "$runs" -ge 2 ] || { echo "aa-check.sh: -n needs 2 runs at least" >&2; exit 2; }
G=${GPUXFER:-$here/../src/gpuxfer}
[ -x "$G" ] || { echo "aa-check.sh: no gpuxfer binary at '$G' (set GPUXFER)" >&2; exit 2; }
PY=${PYTHON:-python3}
mkdir -p "$dir" || exit 2
# shellcheck disable=SC2086  # MPIRUN_ARGS is a list of words
for i in $(seq "$runs"); do
    ${MPIRUN:-mpirun} ${MPIRUN_ARGS:--np 2 --bind-to none} "$G" "$@" --quiet --force \
        --output "$dir/run$i.json" >"$dir/run$i.txt" 2>&1 ||
        { echo "aa-check.sh: run $i failed (exit $?): $dir/run$i.txt" >&2; exit 1; }
done
for i in $(seq "$runs"); do
    for j in $(seq $((i + 1)) "$runs"); do
        "$PY" "$here/../scripts/gpuxfer-report" compare --json "$dir/run$i.json" \
            "$dir/run$j.json" >"$dir/cmp-$i-$j.json" 2>"$dir/cmp-$i-$j.err"
    done
done
"$PY" - "$dir" "$runs" <<'PY'
import glob, json, os, sys
d, n = sys.argv[1], int(sys.argv[2])
called = {}
for f in sorted(glob.glob(os.path.join(d, "cmp-*.json"))):
    rows = json.load(open(f))["rows"]
    hits = [(r["path"], r["pattern"], r["size"], c["verdict"], c["ratio"])
            for r in rows for c in r["cells"][1:2] if c and c["verdict"] in ("slower", "faster")]
    pair = os.path.basename(f)[4:-5]
    print(f"runs {pair}: {len(hits)} of {len(rows)} rows called")
    for h in hits:
        print(f"  {h[0]} {h[1]} {h[2]}: {h[3]} ({h[4]:.3f})")
        called[h[:3]] = called.get(h[:3], 0) + 1
spread = {}
for i in range(1, n + 1):
    for r in json.load(open(os.path.join(d, f"run{i}.json")))["results"]:
        if "stats" in r:
            spread.setdefault((r["path"], r["pattern"], r["size"]), []).append(r["stats"]["median"])
worst = sorted(((max(v) / min(v), k, len(v)) for k, v in spread.items() if min(v) > 0), reverse=True)
print("\nspread of the medians over the runs (max/min), the 10 widest:")
for s, k, m in worst[:10]:
    print(f"  {k[0]} {k[1]} {k[2]}: {s:.3f} over {m} runs")
PY
