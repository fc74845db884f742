#!/bin/bash
# Issue 23, Open MPI 5.0.7 + UCX 1.22 with the UCX rule: no crash without UCX_MEMTYPE_CACHE=n,
# the UCX configuration sweep, the GPU suite on ob1.
set -u
. .gpukit5/env5.sh
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .gpukit5/whl/*.whl && export PYTHONPATH=/tmp/site
W=/tmp/c3; mkdir -p $W
exec > >(tee $W/log.txt) 2>&1
T0=$(date +%s); t() { echo "t=$(( $(date +%s) - T0 ))s"; }
GX=$PWD/.gpukit5/b5/src/gpuxfer
export TMPDIR=/dev/shm
MR="mpirun -np 2 --bind-to none -x TMPDIR"
cplt() { grep -Ec -f scripts/mpi-complaints.ere "$1"; }
echo "== pml ucx, UCX_MEMTYPE_CACHE not given"
timeout 120 $MR --mca pml ucx $GX --path mpi --pattern latency,bw --sizes 8,1M --calibrate off --force --output $W/gx-ucx-nocache.json > $W/gx-ucx-nocache.txt 2>&1; echo "rc=$? complaints $(cplt $W/gx-ucx-nocache.txt)"; grep -v "^$" $W/gx-ucx-nocache.txt | tail -6
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('cuda_aware_mpi_reason:', d['context'].get('cuda_aware_mpi_reason')); print('skipped:', [(s['path'], s['reason']) for s in d['skipped']][:2])" $W/gx-ucx-nocache.json
echo "== pml ucx, UCX_MEMTYPE_CACHE=n"
timeout 120 $MR --mca pml ucx -x UCX_MEMTYPE_CACHE=n $GX --path mpi --pattern bw --sizes 1M --calibrate off --force --output $W/gx-ucx-n.json > $W/gx-ucx-n.txt 2>&1; echo "rc=$? complaints $(cplt $W/gx-ucx-n.txt)"; grep -v "^$" $W/gx-ucx-n.txt | tail -4
echo "== UCX configuration sweep"; t
printf '# UCX on the GPU: the default transports against no CUDA IPC\nOMPI_MCA_pml=ucx UCX_MEMTYPE_CACHE=n\nOMPI_MCA_pml=ucx UCX_MEMTYPE_CACHE=n UCX_TLS=tcp,cuda_copy,self\n' > $W/sweep.txt
GX_JOB_TIMEOUT=120 GPUXFER=$GX MPIRUN_ARGS="--bind-to none -x TMPDIR" timeout 300 scripts/gpuxfer-config-sweep -n 2 -o $W/sweep5 $W/sweep.txt -- --path mpi --pattern bw,bibw --sizes 1M,64M --calibrate off --iters 10
echo "sweep rc=$?"; head -24 $W/sweep5/compare.txt
echo "== GPU suite, ob1"; t
cd .gpukit5/b5 && GPUXFER=$GX top_srcdir=../.. TEST_TMP=/tmp/gt5 GX_MPIRUN_OPTS="--oversubscribe --bind-to none -x TMPDIR" timeout 330 sh ../../tests/gpu_paths.sh > $W/gpu_paths5-ob1.tap 2>&1; echo "suite rc=$?"; cd - >/dev/null
grep -c "^ok" $W/gpu_paths5-ob1.tap; grep "^not ok" $W/gpu_paths5-ob1.tap | head; tail -3 $W/gpu_paths5-ob1.tap
echo "== end"; t
cd /tmp && tar czf $OUT/c3.tar.gz c3
