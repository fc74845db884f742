#!/bin/bash
# Issue 34 on one GPU: the UCX sweep of the Open MPI 5 kit, 3 runs of each line, interleaved.
# Two ranks share the one GPU and send device buffers over the mpi path with --mca pml ucx
# (OMPI_MCA_pml=ucx; pml_ucx_tls/devices=any, since the kit's machine has no InfiniBand device,
# which pml ucx otherwise asks for) and UCX_MEMTYPE_CACHE=n, UCX_TLS:
#   line 1, 2: self,sm,cuda_copy,cuda_ipc (the default line, twice: an A/A, expected quiet)
#   line 3:    self,sm,cuda_copy          (no cuda_ipc: device data through host staging,
#                                          expected slower at large sizes)
# Run from the source tree's root on the GPU machine, with the kit unpacked in KIT (default
# .gpukit5, per /work/shared/device/README.md: openmpi-5.0.7-ucx-cuda.tar.gz, runtime-libs.tar.gz
# and env5.sh) and gpuxfer built against it (GPUXFER, default build5/src/gpuxfer):
#   OUT=/some/folder bench/ucx-sweep.sh
# Everything goes under $OUT: the machine (nvidia-smi, ompi_info, ucx_info), the sweep folder
# ($OUT/ucx-sweep: manifest.json, cfg-<i>-.../run<k>.json and .txt, compare.txt), compare's
# text and JSON of the A/A and of the A/B, and a plot where matplotlib is there. Each run is
# capped at 35 s (GX_JOB_TIMEOUT), so 9 runs stay under 6 minutes.
set -u
: "${OUT:?set OUT to the folder for the results}"
KIT=${KIT:-$PWD/.gpukit5}
GPUXFER=${GPUXFER:-$PWD/build5/src/gpuxfer}
[ -r "$KIT/env5.sh" ] || { echo "ucx-sweep.sh: no $KIT/env5.sh (set KIT)" >&2; exit 2; }
[ -x "$GPUXFER" ] || { echo "ucx-sweep.sh: no gpuxfer at $GPUXFER (set GPUXFER)" >&2; exit 2; }
# shellcheck source=/dev/null
. "$KIT/env5.sh"
export GPUXFER
mkdir -p "$OUT"
{
    date -u +%Y-%m-%dT%H:%M:%SZ
    nvidia-smi -L
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
    mpirun --version | head -n 1
    ompi_info | grep -E 'MCA (pml|accelerator)'
    ucx_info -v
    ucx_info -d | grep -E '^# +(Transport|Device):'
    "$GPUXFER" --version
} >"$OUT/machine.txt" 2>&1

sweep=$OUT/ucx.sweep
cat >"$sweep" <<'LINES'
# pml ucx over one GPU's two ranks; the common settings are exported by ucx-sweep.sh.
UCX_TLS=self,sm,cuda_copy,cuda_ipc GX_AA_SIDE=A
UCX_TLS=self,sm,cuda_copy,cuda_ipc GX_AA_SIDE=B
UCX_TLS=self,sm,cuda_copy
LINES
export OMPI_MCA_pml=ucx OMPI_MCA_pml_ucx_tls=any OMPI_MCA_pml_ucx_devices=any UCX_MEMTYPE_CACHE=n UCX_RCACHE_ENABLE=n
export MPIRUN_ARGS="--bind-to none" GX_JOB_TIMEOUT=35
start=$(date +%s)
scripts/gpuxfer-config-sweep -n 2 -r 3 -o "$OUT/ucx-sweep" "$sweep" -- \
    --path mpi --mem device --pattern latency,bw --sizes 8,4K,64K,1M,16M --quiet \
    >"$OUT/sweep.txt" 2>&1
echo "sweep: exit $?, $(($(date +%s) - start)) s" >>"$OUT/sweep.txt"
d=$OUT/ucx-sweep
aa=$(ls -d "$d"/cfg-0-* "$d"/cfg-1-* 2>/dev/null)
ab=$(ls -d "$d"/cfg-0-* "$d"/cfg-2-* 2>/dev/null)
# shellcheck disable=SC2086
{
    scripts/gpuxfer-compare $aa >"$OUT/compare-aa.txt" 2>&1; echo "exit $?" >>"$OUT/compare-aa.txt"
    scripts/gpuxfer-compare --fail-below 0.9 $aa >"$OUT/compare-aa-fail-below-0.9.txt" 2>&1
    echo "exit $?" >>"$OUT/compare-aa-fail-below-0.9.txt"
    scripts/gpuxfer-compare --json $aa >"$OUT/compare-aa.json" 2>"$OUT/compare-aa.err"
    scripts/gpuxfer-compare $ab >"$OUT/compare-ab.txt" 2>&1; echo "exit $?" >>"$OUT/compare-ab.txt"
    scripts/gpuxfer-compare --json $ab >"$OUT/compare-ab.json" 2>"$OUT/compare-ab.err"
    scripts/gpuxfer-plot "$d" -o "$OUT/ucx-sweep.png" --describe >"$OUT/plot-describe.json" 2>"$OUT/plot.err"
} || true
tail -n 1 "$OUT/sweep.txt"
sed -n '/^# significance/,/^# missing/p' "$OUT/compare-aa.txt" "$OUT/compare-ab.txt"
