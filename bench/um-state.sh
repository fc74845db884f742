#!/bin/bash
# Issue 33: what earlier steps of a job do to unified-prefetch at 1M. Its default search read
# 256K/1 at 0.22-0.28 GB/s in every default run and at 0.33-0.47 in most jobs of 1M alone
# (results/issue33/h200x1-wave4). Each condition is a scenario whose last run is
# unified-prefetch at 1M (the default search); the runs before it are the condition. The
# conditions go in turn, ROUNDS times, the kit's Open MPI 4.1.4, probes off. From the source
# tree's root on the GPU machine:
#   OUT=DIR NEW=.gpukit/b/src/gpuxfer bench/um-state.sh
# then bench/um-state.py DIR.
set -u
: "${OUT:?set OUT}" "${NEW:?set NEW}"
# shellcheck source=/dev/null
. "$PWD/.gpukit/env.sh"
export TMPDIR=/dev/shm
mkdir -p "$OUT"
ALL='"mpi","staged","staged-mpi","p2p","zerocopy","unified-prefetch","unified-demand"'
NOTUM='"mpi","staged","staged-mpi","p2p","zerocopy"'
SIZES='["4K","64K","1M","16M","64M"]'
UM1M='{"name":"um1m","path":"unified-prefetch","pattern":"bw","sizes":["1M"]}'
lat() { echo "{\"name\":\"lat\",\"path\":[$1],\"pattern\":\"latency\",\"sizes\":[\"8\"]}"; }
bw() { echo "{\"name\":\"bw-$2\",\"path\":[$1],\"pattern\":\"bw\",\"sizes\":$SIZES}"; }
scenario() { # NAME RUNS...
    local name=$1; shift
    local IFS=,
    echo "{\"description\":\"um-state $name\",${BUDGET:+\"budget\":$BUDGET,}\"runs\":[${*:+$*,}$UM1M]}" >"$OUT/$name.scenario.json"
}
scenario alone
scenario lat-um "$(lat '"unified-prefetch","unified-demand"')"
scenario lat-demand "$(lat '"unified-demand"')"
scenario lat-all "$(lat "$ALL")"
scenario mpi "$(bw '"mpi"' mpi)"
# the default run's steps of the other paths, in about the time they take there
BUDGET=40 scenario others "$(lat "$NOTUM")" "$(bw "$NOTUM" others)"
# "default" is the default run itself (probes on), for reference.
for round in $(seq "${ROUNDS:-3}"); do
    for c in ${CONDITIONS:-alone lat-um lat-demand lat-all mpi others}; do
        args=(--scenario "$OUT/$c.scenario.json" --calibrate off --quiet)
        [ "$c" = default ] && args=(--quiet)
        t0=$(date +%s.%N)
        timeout -k 10 150 mpirun -np 2 --bind-to none -x TMPDIR "$NEW" "${args[@]}" \
            --output "$OUT/$c-$round.json" >"$OUT/$c-$round.txt" 2>&1
        rc=$?
        echo "$c-$round: exit $rc, $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
    done
done
