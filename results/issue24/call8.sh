#!/bin/bash
# Issue 24 on one H200 shared by two ranks, kit's Open MPI 4.1.4: the limits scenario through
# the benchmark (scripts/gpuxfer-bench -s scenarios/limits.json): its wall time, the plan and
# the goals table, whose "every ceiling a bound" row counts the results marked '!'.
set -u
. .gpukit/env.sh
export TMPDIR=/dev/shm
W=/tmp/c8; mkdir -p $W
exec > >(tee $W/log.txt) 2>&1
nvidia-smi -L; .gpukit/b/src/gpuxfer --version | sed -n 3p
GPUXFER=.gpukit/b/src/gpuxfer MPIRUN_ARGS="--bind-to none -x TMPDIR" \
    scripts/gpuxfer-bench -s scenarios/limits.json -o $W/bench -t 520
echo "gpuxfer-bench exit $?; '!' lines in the table: $(grep -cE '[0-9]!$' $W/bench/bench.txt)"
cd /tmp && tar czf $OUT/c8.tar.gz c8
