#!/bin/bash
# Issue 23, Open MPI 5.0.7 + UCX 1.22: complaint, ob1 beside osu, UCX (memory-type cache cause,
# gpuxfer's own setting), unified paths over UCX, the UCX configuration sweep, GPU suite (ob1).
set -u
. .gpukit5/env5.sh
W=/tmp/c2; mkdir -p $W
exec > >(tee $W/log.txt) 2>&1
T0=$(date +%s); t() { echo "t=$(( $(date +%s) - T0 ))s"; }
P=.gpukit5/omb5; GX=.gpukit5/b5/src/gpuxfer
MR="mpirun -np 2 --bind-to none"
cplt() { grep -Ec -f scripts/mpi-complaints.ere "$1"; }
nvidia-smi -L; ompi_info --version | head -1; ucx_info -v | head -1
echo "== cuMemHostRegister: session dir on /tmp vs TMPDIR=/dev/shm"
$MR $P/osu_latency -d cuda -m 8:8 D D > $W/reg-default.txt 2>&1; echo "default: complaint lines $(cplt $W/reg-default.txt)"
TMPDIR=/dev/shm $MR -x TMPDIR $P/osu_latency -d cuda -m 8:8 D D > $W/reg-shm.txt 2>&1; echo "TMPDIR=/dev/shm: complaint lines $(cplt $W/reg-shm.txt)"
export TMPDIR=/dev/shm
echo "== UCX memory-type cache: what UCX says with it on (osu_latency under pml ucx, UCX_LOG_LEVEL=debug)"
UCX_MEMTYPE_CACHE=y UCX_LOG_LEVEL=debug timeout 60 $MR --mca pml ucx -x UCX_MEMTYPE_CACHE -x UCX_LOG_LEVEL -x TMPDIR $P/osu_latency -d cuda -m 8:8 D D > $W/ucx-cache-y.txt 2>&1
echo "rc=$?"; grep -iE "memtype|mem_type|hook|cuda.*(alloc|detect)|ucm" $W/ucx-cache-y.txt | sed 's/^\[[0-9.]*\] //' | sort | uniq -c | sort -rn | head -25
grep -iE "Caught signal|ERR_INTERN|ucs_memcpy|am_short" $W/ucx-cache-y.txt | head -5
echo "== gpuxfer over pml ucx, UCX_MEMTYPE_CACHE not given: gpuxfer sets it"; t
unset UCX_MEMTYPE_CACHE
timeout 120 $MR --mca pml ucx -x TMPDIR $GX --path mpi --pattern latency,bw,bibw --sizes 8,1M,64M --calibrate off --force --output $W/gx-ucx.json > $W/gx-ucx.txt 2>&1; echo "rc=$? complaints $(cplt $W/gx-ucx.txt)"; grep -v "^$" $W/gx-ucx.txt | tail -14
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d['context']['ranks'][0].get('mpi_transport'),indent=1))" $W/gx-ucx.json | head -40
echo "== ob1 beside osu"; t
MPIRUN="$MR -x TMPDIR" scripts/osu-side-by-side.sh -g $GX -b $P -r 2 -o $W/side5-ob1
echo "== ucx beside osu (osu given UCX_MEMTYPE_CACHE=n, which it needs)"; t
MPIRUN="$MR -x TMPDIR --mca pml ucx -x UCX_MEMTYPE_CACHE=n" scripts/osu-side-by-side.sh -g $GX -b $P -r 1 -o $W/side5-ucx
echo "== unified paths over pml ucx, calibrated"; t
timeout 150 $MR --mca pml ucx -x TMPDIR $GX --path unified-prefetch,unified-demand --pattern bw,bibw --sizes 64M --force --output $W/u5ucx.json > $W/u5ucx.txt 2>&1; echo "rc=$? complaints $(cplt $W/u5ucx.txt)"; grep -v "^$" $W/u5ucx.txt | grep -v "^#  " | tail -30
echo "== UCX configuration sweep"; t
printf '# UCX on the GPUs: default transports vs no CUDA IPC\nOMPI_MCA_pml=ucx\nOMPI_MCA_pml=ucx UCX_TLS=tcp,cuda_copy,self\n' > $W/sweep.txt
GX_JOB_TIMEOUT=100 GPUXFER=$GX MPIRUN_ARGS="--bind-to none -x TMPDIR" timeout 260 scripts/gpuxfer-config-sweep -n 2 -o $W/sweep5 $W/sweep.txt -- --path mpi --pattern bw,bibw --sizes 1M,64M --calibrate off --iters 10
echo "sweep rc=$?"; head -30 $W/sweep5/compare.txt
echo "== end"; t
cd /tmp && tar czf $OUT/c2.tar.gz c2
cp /tmp/c2/log.txt $OUT/
