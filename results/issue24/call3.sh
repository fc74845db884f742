#!/bin/bash
# Issue 24 item 2, A/B in one call on one GPU node (kit's Open MPI 4.1.4): the host path on
# pageable memory with the MPI calibration's repeats back to back (old: .gpukit/old/gpuxfer)
# and spread over passes of the curve (new: .gpukit/b/src/gpuxfer), interleaved, '!' counted.
set -u
. .gpukit/env.sh
export TMPDIR=/dev/shm
W=/tmp/c3; mkdir -p $W
exec > >(tee $W/log.txt) 2>&1
MR="mpirun -np 2 --bind-to none -x TMPDIR"
bang() { grep -cE '[0-9]!$' "$1"; }
nvidia-smi -L
for i in 1 2; do
    for v in old new; do
        GX=.gpukit/b/src/gpuxfer; [ $v = old ] && GX=.gpukit/old/gpuxfer
        s=$(date +%s.%N); timeout 100 $MR $GX --path host --output $W/$v$i.json > $W/$v$i.txt 2>&1
        rc=$?; e=$(date +%s.%N)
        echo "$v run $i: rc=$rc wall $(python3 -c "print('%.1f s' % ($e - $s))") '!' results: $(bang $W/$v$i.txt) of $(grep -cE '^ +[0-9]+ +0->1' $W/$v$i.txt)"
        grep -E '[0-9]!$' $W/$v$i.txt
    done
done
cd /tmp && tar czf $OUT/c3.tar.gz c3
