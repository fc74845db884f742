#!/bin/bash
# Issue 24 on one H200 shared by two ranks, kit's Open MPI 4.1.4: slow paths' windows of about
# 20 ms (unified-prefetch at 16M: 2 messages, was 16; at 64M: 1, was 4). A/B in this call, the
# unified paths' bw at 16M and 64M with the old windows (given) and the new defaults,
# interleaved; then the default run's wall time and '!' count with the new windows.
set -u
. .gpukit/env.sh
export TMPDIR=/dev/shm
W=/tmp/c6; mkdir -p $W
exec > >(tee $W/log.txt) 2>&1
GX=.gpukit/b/src/gpuxfer
MR="mpirun -np 2 --bind-to none -x TMPDIR"
nvidia-smi -L; $GX --version | sed -n 3p
for i in 1 2; do
    for v in old new; do
        for s in 16M:16 64M:4; do
            size=${s%:*} win=${s#*:}; extra=(); [ $v = old ] && extra=(--window $win)
            o=$W/$v$i-$size
            s0=$(date +%s.%N)
            # One chunk and depth (4M/4: the chunk search costs the same either way), 10 iterations.
            timeout 100 $MR $GX --path unified-prefetch --chunk 4M --depth 4 --pattern bw --sizes $size \
                --iters 10 --warmup 2 "${extra[@]}" --calibrate off --quiet --output $o.json > $o.txt 2>&1 &&
            timeout 100 $MR $GX --path unified-demand --pattern bw --sizes $size --iters 10 --warmup 2 \
                "${extra[@]}" --calibrate off --quiet --output $o-d.json > $o-d.txt 2>&1
            rc=$?; e=$(date +%s.%N)
            echo "$v run $i $size: rc=$rc wall $(python3 -c "print('%.1f' % ($e - $s0))") s"
            python3 -c "
import json,sys
for r in [r for f in sys.argv[1:] for r in json.load(open(f))['results']]:
    st=r['stats']; print('   %-17s %5s window %3d chunk %s/%s median %.4f GB/s p5 %.4f p95 %.4f cv %.2f%%' % (r['path'], '$size', r['window'], r.get('chunk'), r.get('depth'), st['median'], st['p5'], st['p95'], 100*st['cv']))" $o.json $o-d.json
        done
    done
done
s=$(date +%s.%N); timeout 330 $MR $GX --output $W/default.json > $W/default.txt 2>&1; rc=$?; e=$(date +%s.%N)
echo "default run rc=$rc wall $(python3 -c "print('%.1f s' % ($e - $s))") '!' results: $(grep -cE '[0-9]!$' $W/default.txt)"
grep -E '^# calibration' $W/default.txt
cd /tmp && tar czf $OUT/c6.tar.gz c6
