#!/bin/bash
# Issue 24: the default run on a GPU node (here one H100, two ranks sharing it), its wall time,
# plan and '!' count; the limits scenario's '!' count; the host run's.
set -u
. .gpukit/env.sh
export TMPDIR=/dev/shm
W=/tmp/c4; mkdir -p $W
exec > >(tee $W/log.txt) 2>&1
GX=.gpukit/b4/src/gpuxfer
MR="mpirun -np 2 --bind-to none -x TMPDIR"
bang() { grep -cE '[0-9]!$' "$1"; }
nvidia-smi -L; $GX --version | head -3
echo "== default run (no options)"
s=$(date +%s.%N); $MR $GX --output $W/default.json > $W/default.txt 2>&1; rc=$?; e=$(date +%s.%N)
echo "rc=$rc wall $(python3 -c "print('%.1f s' % ($e - $s))") '!' results: $(bang $W/default.txt)"
cat $W/default.txt
echo "== default run again"
s=$(date +%s.%N); $MR $GX --output $W/default2.json > $W/default2.txt 2>&1; rc=$?; e=$(date +%s.%N)
echo "rc=$rc wall $(python3 -c "print('%.1f s' % ($e - $s))") '!' results: $(bang $W/default2.txt)"
echo "== limits scenario"
s=$(date +%s.%N); timeout 280 $MR $GX --scenario limits --output $W/limits.json > $W/limits.txt 2>&1; rc=$?; e=$(date +%s.%N)
echo "rc=$rc wall $(python3 -c "print('%.1f s' % ($e - $s))") '!' results: $(bang $W/limits.txt)"; grep -E '[0-9]!$' -B30 $W/limits.txt | grep -E "^# path|!$" | head -20
echo "== host run"
$MR $GX --path host --output $W/host.json > $W/host.txt 2>&1; echo "rc=$? '!' results: $(bang $W/host.txt)"; grep -E '!$' $W/host.txt | head
cd /tmp && tar czf $OUT/c4.tar.gz c4
