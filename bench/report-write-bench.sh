#!/bin/sh
# Builds report-write-bench.c twice, against this tree's report code (the build's src/libgx.a)
# and against ea798bb's report.c, summary.c and samples_file.c, then runs each REPEATS times
# with N results, alternating.   bench/report-write-bench.sh [N] [REPEATS]
# Run from the top of a configured, built tree.
set -eu
n=${1:-30000}
repeats=${2:-3}
top=$(pwd)
old=$(mktemp -d /tmp/gx-ea798bb.XXXXXX)
git archive ea798bb src | tar -x -C "$old"
incs() { for d in report core schemes cli paths mem calib topo mpilib; do printf -- '-I%s/src/%s ' "$1" "$d"; done; }
cuda=/usr/local/cuda/lib64
libs="$top/src/libgx.a -L$cuda -Wl,-rpath,$cuda -lnccl -lcudart -lstdc++ $(mpicc --showme:link) -lcjson -lhwloc -ldl -lm -lpthread"
# shellcheck disable=SC2046,SC2086
gcc -O2 -I"$top" $(incs "$top") $(mpicc --showme:compile) -o "$old/bench-new" \
    bench/report-write-bench.c $libs
# shellcheck disable=SC2046,SC2086
gcc -O2 -I"$top" $(incs "$old") $(mpicc --showme:compile) -o "$old/bench-old" \
    bench/report-write-bench.c "$old/src/report/report.c" \
    "$old/src/report/summary.c" "$old/src/report/samples_file.c" $libs
i=0
while [ $i -lt "$repeats" ]; do
    printf 'ea798bb: '; "$old/bench-old" "$n" "$old/r.json"
    printf 'this:    '; "$old/bench-new" "$n" "$old/r.json"
    i=$((i + 1))
done
rm -rf "$old"
