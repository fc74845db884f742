#!/bin/bash
# Issue 24 item 2 on one GPU node with the kit's CUDA-aware Open MPI 4.1.4: the host path on
# pageable memory against MPI calibrated on pageable buffers (mpi_bw, schema 1.10), and on
# pinned memory against mpi_pinned_bw; the count of results flagged '!'.
set -u
. .gpukit/env.sh
export TMPDIR=/dev/shm
W=/tmp/c2; mkdir -p $W
exec > >(tee $W/log.txt) 2>&1
GX=.gpukit/b/src/gpuxfer
MR="mpirun -np 2 --bind-to none -x TMPDIR"
bang() { grep -cE '[0-9]!$' "$1"; }
nvidia-smi -L; $GX --version | head -2
for i in 1 2; do
    echo "== host run $i: --path host (pageable)"
    s=$(date +%s.%N); timeout 120 $MR $GX --path host --output $W/host$i.json > $W/host$i.txt 2>&1
    rc=$?; e=$(date +%s.%N)
    echo "rc=$rc wall $(python3 -c "print('%.1f s' % ($e - $s))") '!' results: $(bang $W/host$i.txt)"
    cat $W/host$i.txt
done
echo "== --path host --mem pinned"
timeout 90 $MR $GX --path host --mem pinned --pattern latency,bw --sizes 8,64K,1M,4M \
    --output $W/pinned.json > $W/pinned.txt 2>&1
echo "rc=$? '!' results: $(bang $W/pinned.txt)"; cat $W/pinned.txt
cd /tmp && tar czf $OUT/c2.tar.gz c2
