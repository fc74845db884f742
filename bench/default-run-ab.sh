#!/bin/bash
# Issue 33 on a machine without GPUs: the default host run of two builds, interleaved, and each
# build's --dry-run estimate; then the new build with --budget 10. Prints a table: run, build,
# wall seconds (mpirun start to end), the estimate, results and '!' flags.
#   OLD=path/to/gpuxfer NEW=path/to/gpuxfer [RUNS=3] [OUT=DIR] bench/default-run-ab.sh
set -u
: "${OLD:?set OLD to the gpuxfer before the change}" "${NEW:?set NEW}"
RUNS=${RUNS:-3}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
estimate() { # GPUXFER ARGS...: the --dry-run estimate in seconds
    local g=$1; shift
    mpirun -np 2 "$g" --dry-run "$@" 2>&1 | sed -n 's/.*; estimate \([0-9]*\) s,.*/\1/p'
}
one() { # NAME ESTIMATE GPUXFER ARGS...
    local name=$1 est=$2 g=$3; shift 3
    local t0 t1 rc
    t0=$(date +%s.%N)
    mpirun -np 2 "$g" "$@" --output "$OUT/$name.json" --force >"$OUT/$name.txt" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    printf '%-14s %6s %8.2f %9s %8s %6s\n' "$name" "$rc" "$(echo "$t1 - $t0" | bc)" \
        "$est" "$(grep -c ' ok ' "$OUT/$name.txt")" "$(grep -c '!' "$OUT/$name.txt")"
}
e_old=$(estimate "$OLD")
e_new=$(estimate "$NEW")
e_budget=$(estimate "$NEW" --budget 10)
echo "# $(date -u +%FT%TZ) $(uname -n), $(nproc) cores; reports in $OUT"
printf '%-14s %6s %8s %9s %8s %6s\n' run exit wall_s estimate results flags
for i in $(seq 1 "$RUNS"); do
    one "old-$i" "$e_old" "$OLD"
    one "new-$i" "$e_new" "$NEW"
done
for i in $(seq 1 "$RUNS"); do
    one "budget10-$i" "$e_budget" "$NEW" --budget 10
done
