#!/bin/bash
# The CPU machine's evidence for issue 34 (results/issue34/README.md): run from the source
# tree's root after building into build/ (build/src/gpuxfer). As root, Open MPI also needs
# OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1.
# The sweep files and the outputs are in results/issue34/.
#   bench/compare-ab-cpu.sh [aa|ab|slow|all]
set -u
here=results/issue34
step=${1:-all}  # aa, ab, slow or all
export GPUXFER=$PWD/build/src/gpuxfer MPIRUN_ARGS="--oversubscribe --bind-to none"
if [ "$step" = aa ] || [ "$step" = all ]; then
    # A/A: 5 + 5 default host runs, interleaved, one CPU hog running beside all of them.
    yes >/dev/null &
    hog=$!
    scripts/gpuxfer-config-sweep -n 2 -r 5 -o $here/cpu-aa-hog $here/aa.sweep --
    kill $hog
fi
if [ "$step" = ab ] || [ "$step" = all ]; then
    # A/B: TCP only against the default transports, 5 runs each, interleaved, no hog; 8 sizes
    # of the default run's 23 (a default run took 200 s on the machine loaded by other work).
    scripts/gpuxfer-config-sweep -n 2 -r 5 -o $here/cpu-ab-btl $here/ab-btl.sweep -- \
        --sizes 1,8,64,512,4K,32K,256K,4M
fi
if [ "$step" = slow ] || [ "$step" = all ]; then
    # A/B: one size slowed by a fault (1-3 ms an iteration at 4 MiB on rank 0), the other
    # sizes untouched, 5 runs each, interleaved, no hog.
    scripts/gpuxfer-config-sweep -n 2 -r 5 -o $here/cpu-ab-slow $here/ab-slow.sweep -- \
        --sizes 8,4K,256K,4M
fi
