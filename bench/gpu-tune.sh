#!/bin/bash
# Issue 37 on one GPU with the Open MPI 5 + UCX kit (not run yet: for the lead). A tune of
# UCX_RNDV_THRESH, UCX_RNDV_FRAG_SIZE and UCX_TLS on the mpi path over pml ucx, device memory,
# two ranks sharing the GPU, with UCX's protocol per size (UCX 1.22 prints UCX_PROTO_INFO with
# its default protocol selection) in every run's report (library_protocols) and the advice.
# pml ucx needs pml_ucx_tls/devices=any there (no InfiniBand device) and UCX_MEMTYPE_CACHE=n UCX_RCACHE_ENABLE=n (the
# kit's UCX lacks its CUDA hooks: docs/mpi-libraries.md); all four are --set, so the default and
# every candidate run with them. Planned into BUDGET minutes (default 8; --budget): one command stays under the
# device's 10-minute limit.
# From the source tree's root on the GPU machine, the kit unpacked in KIT (default .gpukit5, per
# ../shared/device/README.md) and gpuxfer built against it (GPUXFER, default build5/src/gpuxfer):
#   OUT=/some/folder bench/gpu-tune.sh
set -u
: "${OUT:?set OUT to the folder for the results}"
KIT=${KIT:-$PWD/.gpukit5}
GPUXFER=${GPUXFER:-$PWD/build5/src/gpuxfer}
[ -r "$KIT/env5.sh" ] || { echo "gpu-tune.sh: no $KIT/env5.sh (set KIT)" >&2; exit 2; }
[ -x "$GPUXFER" ] || { echo "gpu-tune.sh: no gpuxfer at $GPUXFER (set GPUXFER)" >&2; exit 2; }
# shellcheck source=/dev/null
. "$KIT/env5.sh"
export GPUXFER MPIRUN_ARGS="--bind-to none" GX_JOB_TIMEOUT=60
mkdir -p "$OUT"
{
    date -u +%Y-%m-%dT%H:%M:%SZ
    nvidia-smi -L
    mpirun --version | head -n 1
    ompi_info | grep -E 'MCA (pml|btl|accelerator)'
    ucx_info -v
    cut -d' ' -f1-3 /proc/loadavg
} >"$OUT/machine.txt" 2>&1
scripts/gpuxfer-tune -r 3 --budget "${BUDGET:-8}" --proto-info \
    --set OMPI_MCA_pml=ucx --set OMPI_MCA_pml_ucx_tls=any --set OMPI_MCA_pml_ucx_devices=any \
    --set UCX_MEMTYPE_CACHE=n --set UCX_RCACHE_ENABLE=n --knobs UCX_RNDV_THRESH,UCX_RNDV_FRAG_SIZE,UCX_TLS \
    -o "$OUT/gpu-ucx" -- --path mpi --mem device --pattern latency,bw --sizes 8,4K,64K,1M,16M,64M \
    >"$OUT/gpu-ucx.txt" 2>&1
echo "exit $?" >>"$OUT/gpu-ucx.txt"
tail -n 30 "$OUT/gpu-ucx.txt"
