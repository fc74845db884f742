#!/bin/bash
# Issue 33 on one GPU: the chunk search sliced by time (a candidate stops after one timed
# iteration once its slice of half the step's share is spent, no validation of its own) against
# the build before it, and the best chunk it finds against the exhaustive search (--chunk auto,
# no budget), in one sitting, the kit's Open MPI 4.1.4 (.gpukit, ../shared/device/README.md).
# From the source tree's root on the GPU machine:
#   OUT=DIR OLD=path/to/gpuxfer-before NEW=.gpukit/b/src/gpuxfer bench/search-ab.sh
# Writes DIR/NAME.{json,txt} for each run and its wall time to stdout; compare with
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
# RUNS picks and orders them (default: the three above); also new-plan (--scenario plan) and
# the --dry-run estimates dry-default and dry-plan, validate-all; a second default run is
# new-default2, a second plan new-plan2; pairs (after exhaustive, ROUNDS of them, 4 by default)
# measures in one job the settings a default run chose otherwise (DIR/paired.txt); um-oldnew
# runs unified-prefetch alone with each build in turn (bench/um-oldnew.py DIR), um64m its 64M
# alone (the same table).
for r in ${RUNS:-old-default new-default exhaustive}; do
    case $r in
    old-default) run old-default 170 "$OLD" ;;
    new-default*) run "$r" 150 "$NEW" ;;
    new-plan*) run "$r" 200 "$NEW" --scenario plan ;;
    dry-default) run dry-default 60 "$NEW" --dry-run ;;
    dry-plan) run dry-plan 60 "$NEW" --scenario plan --dry-run ;;
    validate-all) # every iteration's data checked, the unified paths' message regions too
        run validate-all 120 "$NEW" --path unified-prefetch,unified-demand --pattern bw \
            --sizes 4K,1M,16M --validate all --calibrate off ;;
    exhaustive)
        run exhaustive 240 "$NEW" --path staged,staged-mpi,zerocopy,unified-prefetch \
            --pattern bw --sizes 4K,64K,1M,16M,64M --chunk auto --calibrate off ;;
    um-oldnew | um64m) # unified-prefetch alone, OLD and NEW in turn, three jobs each: its
        # default sizes, or 64M alone
        sizes=4K,64K,1M,16M,64M limit=150
        [ "$r" = um64m ] && sizes=64M limit=120
        for i in 1 2 3; do
            for b in old new; do
                g=$OLD
                [ $b = new ] && g=$NEW
                run "${r%-oldnew}-$b$i" "$limit" "$g" --path unified-prefetch --pattern bw \
                    --sizes "$sizes" --calibrate off
            done
        done ;;
    pairs) # after exhaustive: the settings a default run chose otherwise, in turn in one job
        n=$(python3 bench/search-ab.py pairs "$OUT" "${ROUNDS:-4}")
        if [ "$n" -gt 0 ]; then
            run pairs 300 "$NEW" --scenario "$OUT/pairs-scenario.json" --quiet --samples
            python3 bench/search-ab.py paired "$OUT" >"$OUT/paired.txt"
        fi ;;
    *) echo "search-ab.sh: unknown run '$r'" >&2; exit 2 ;;
    esac
done
