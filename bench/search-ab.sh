#!/bin/bash
# Issue 33 on one GPU: the chunk search sliced by time (a candidate stops after one timed
# iteration once its slice of half the step's share is spent, no validation of its own) against
# the build before it, and the best chunk it finds against the exhaustive search (--chunk auto,
# no budget), in one sitting, the kit's Open MPI 4.1.4 (.gpukit, ../shared/device/README.md).
# From the source tree's root on the GPU machine:
#   OUT=DIR OLD=path/to/gpuxfer-before NEW=.gpukit/b/src/gpuxfer bench/search-ab.sh
# Writes DIR/{old,new}-default.{json,txt} and DIR/exhaustive.{json,txt}; compare with
# bench/search-ab.py DIR.
set -u
: "${OUT:?set OUT}" "${OLD:?set OLD to the gpuxfer before the change}" "${NEW:?set NEW}"
# shellcheck source=/dev/null
. "$PWD/.gpukit/env.sh"
export TMPDIR=/dev/shm
mkdir -p "$OUT"
run() { # NAME LIMIT GPUXFER ARGS...
    local name=$1 limit=$2 g=$3; shift 3
    local t0; t0=$(date +%s.%N)
    timeout -k 10 "$limit" mpirun -np 2 --bind-to none -x TMPDIR "$g" "$@" \
        --output "$OUT/$name.json" >"$OUT/$name.txt" 2>&1
    local rc=$? t1; t1=$(date +%s.%N)
    echo "$name: exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
}
run old-default 170 "$OLD"
run new-default 150 "$NEW"
run exhaustive 240 "$NEW" --path staged,staged-mpi,zerocopy,unified-prefetch --pattern bw \
    --sizes 4K,64K,1M,16M,64M --chunk auto --calibrate off
