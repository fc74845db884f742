#!/bin/bash
# Issue 33: the default chunk search against the exhaustive one (--chunk auto) in the same job.
# On one GPU shared by two ranks a job can settle in a slower state for unified-prefetch's
# small chunks (results/issue33/h200x1-wave4/o: 256K/1 at 1M read 0.27-0.29 GB/s in some
# jobs of unified-prefetch at 1M alone, 0.36-0.46 in others), so a default run set against an
# exhaustive run of another job compares the states as much as the searches. Here each job runs
# both searches twice, adjacent, in turn (default, exhaustive, exhaustive, default; the next
# job the other way round), probes off, no budget; JOBS jobs. From the source tree's root on
# the GPU machine (the kit's Open MPI 4.1.4):
#   OUT=DIR NEW=.gpukit/b/src/gpuxfer [PATHS='PATH:SIZES ...'] [JOBS=3] bench/search-injob.sh
# then bench/search-injob.py DIR.
set -u
: "${OUT:?set OUT}" "${NEW:?set NEW}"
# shellcheck source=/dev/null
. "$PWD/.gpukit/env.sh"
export TMPDIR=/dev/shm
mkdir -p "$OUT"
# PATHS: each path with its sizes; unified-prefetch's 4K and 64K are whole-message chunks at
# depths 1, 2 and 4, whose steps without a budget run to their iteration cap (95 s at 4K).
PATHS=${PATHS:-staged-mpi:4K,64K,1M,16M,64M unified-prefetch:1M,16M,64M}
runs() { # NAME [EXTRA]: one run object for each path of PATHS, named NAME-PATH
    local sep="" p sizes
    for ps in $PATHS; do
        p=${ps%%:*} sizes=$(echo "${ps#*:}" | sed 's/[^,][^,]*/"&"/g')
        printf '%s{"name":"%s-%s","path":"%s","pattern":"bw","sizes":[%s]%s}' \
            "$sep" "$1" "$p" "$p" "$sizes" "${2:+,$2}"
        sep=,
    done
}
def1=$(runs def1) def2=$(runs def2)
exh1=$(runs exh1 '"chunk":"auto"') exh2=$(runs exh2 '"chunk":"auto"')
echo "{\"description\":\"search-injob DEED\",\"runs\":[$def1,$exh1,$exh2,$def2]}" >"$OUT/deed.json"
echo "{\"description\":\"search-injob EDDE\",\"runs\":[$exh1,$def1,$def2,$exh2]}" >"$OUT/edde.json"
for job in $(seq "${JOBS:-3}"); do
    order=deed
    [ $((job % 2)) -eq 0 ] && order=edde
    t0=$(date +%s.%N)
    timeout -k 10 190 mpirun -np 2 --bind-to none -x TMPDIR "$NEW" --scenario "$OUT/$order.json" \
        --calibrate off --quiet --output "$OUT/job$job.json" >"$OUT/job$job.txt" 2>&1
    rc=$?
    echo "job$job ($order): exit $rc, $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
done
