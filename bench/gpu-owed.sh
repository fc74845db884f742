#!/bin/bash
# The GPU checks still owed by the open issues, in parts that each fit one device call (under
# its 10-minute limit), most needed first. For the lead, on the one-GPU machine, from the source
# tree's root, with the kits unpacked and gpuxfer built against them (../shared/device/README.md):
# .gpukit (Open MPI 4.1.4, gpuxfer in .gpukit/b, osu's programs in .gpukit/peers) and .gpukit5
# (Open MPI 5.0.7 + UCX 1.22, gpuxfer in .gpukit5/b); carry both.
#   OUT=$OUT bench/gpu-owed.sh PART
# PART:
#   engine  issues 32, 33: the default run twice and the plan scenario once (ceiling-check:
#           wall, probes, '!'), with --dry-run's estimates of both (about 5 minutes)
#   limits  issue 32: scenarios/limits.json twice (each cut at 280 s)
#   osu     issue 38: gpuxfer beside osu on device and on host buffers, then tests/gpu_paths.sh
#   ucx     issue 34: the UCX sweep (bench/ucx-sweep.sh, under 6 minutes)
#   tune    issue 37: gpuxfer-tune of UCX's knobs (bench/gpu-tune.sh, 8 minutes)
# Everything goes under $OUT/PART; the machine's description in $OUT/PART/machine.txt.
set -u
: "${OUT:?set OUT to the folder for the results}"
part=${1:?usage: OUT=DIR bench/gpu-owed.sh engine|limits|osu|ucx|tune}
root=$PWD
out=$OUT/$part
mkdir -p "$out"

machine() {
    {
        date -u +%Y-%m-%dT%H:%M:%SZ
        nvidia-smi -L
        nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
        mpirun --version 2>&1 | head -n 1
        git -C "$root" log --oneline -1 2>/dev/null || true
        cut -d' ' -f1-3 /proc/loadavg
    } >"$out/machine.txt" 2>&1
}

kit4() {
    # shellcheck source=/dev/null
    . "$root/.gpukit/env.sh"
    export TMPDIR=/dev/shm GPUXFER=$root/.gpukit/b/src/gpuxfer \
        MPIRUN_ARGS="-np 2 --bind-to none -x TMPDIR"
}

case $part in
engine)
    kit4
    machine
    for s in default plan; do
        a=; [ $s = plan ] && a="--scenario plan"
        # shellcheck disable=SC2086
        mpirun $MPIRUN_ARGS "$GPUXFER" --dry-run $a >"$out/dry-$s.txt" 2>&1
    done
    scripts/ceiling-check.sh -n 2 -o "$out/default" >"$out/default.txt" 2>&1
    scripts/ceiling-check.sh -n 1 -o "$out/plan" -- --scenario plan >"$out/plan.txt" 2>&1
    tail -n 4 "$out/default.txt" "$out/plan.txt"
    grep -h "^# [0-9]* measurements" "$out"/dry-*.txt
    ;;
limits)
    kit4
    machine
    for i in 1 2; do
        timeout -k 10 280 scripts/ceiling-check.sh -n 1 -o "$out/limits$i" -- \
            --scenario scenarios/limits.json >"$out/limits$i.txt" 2>&1
        tail -n 2 "$out/limits$i.txt"
    done
    ;;
osu)
    kit4
    machine
    export MPIRUN="mpirun -np 2 --bind-to none -x TMPDIR"
    for m in D H; do
        timeout -k 10 200 scripts/osu-side-by-side.sh -g "$GPUXFER" -b "$root/.gpukit/peers" \
            -m $m -r 3 -o "$out/side-$m" >"$out/side-$m.txt" 2>&1
        sed -n '1,40p' "$out/side-$m.txt"
    done
    (cd .gpukit/b && TMPDIR=/dev/shm GX_MPIRUN_OPTS="--oversubscribe --bind-to none -x TMPDIR" \
        GPUXFER=$PWD/src/gpuxfer top_srcdir=$root top_builddir=$PWD MPIRUN=mpirun \
        timeout -k 10 200 sh "$root/tests/gpu_paths.sh") >"$out/gpu_paths.txt" 2>&1
    grep -E "^(ok|not ok)|wall" "$out/gpu_paths.txt"
    ;;
ucx)
    OUT=$out KIT=$root/.gpukit5 GPUXFER=$root/.gpukit5/b/src/gpuxfer bench/ucx-sweep.sh
    ;;
tune)
    OUT=$out KIT=$root/.gpukit5 GPUXFER=$root/.gpukit5/b/src/gpuxfer bench/gpu-tune.sh
    ;;
*)
    echo "gpu-owed.sh: unknown part '$part' (expected engine, limits, osu, ucx or tune)" >&2
    exit 2
    ;;
esac
