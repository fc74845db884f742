#!/bin/bash
# Issue 23, Open MPI 4.1.4: complaint hypothesis, latency A/B, side-by-side.
set -u
. .gpukit/env.sh
W=/tmp/c1; mkdir -p $W
exec > >(tee $W/log.txt) 2>&1
T0=$(date +%s)
echo "== machine"; nvidia-smi -L; nvidia-smi topo -m | head -4; nproc; df -h /tmp /dev/shm; mount | grep -E ' (/|/tmp|/dev/shm) ' ; ompi_info --version | head -1
P=.gpukit/peers; GX=.gpukit/b4/src/gpuxfer; GXD=.gpukit/b4diag/src/gpuxfer
MR="mpirun -np 2 --bind-to none"
cplt() { grep -Ec -f scripts/mpi-complaints.ere "$1"; }
echo "== cuMemHostRegister: Open MPI's session dir on /tmp (default) vs /dev/shm"
$MR $P/osu_latency -d cuda -m 8:8 D D > $W/reg-default.txt 2>&1; echo "default: complaint lines $(cplt $W/reg-default.txt)"; grep -m1 "cuMemHostRegister(" $W/reg-default.txt
$MR --mca orte_tmpdir_base /dev/shm $P/osu_latency -d cuda -m 8:8 D D > $W/reg-shm.txt 2>&1; echo "orte_tmpdir_base=/dev/shm: complaint lines $(cplt $W/reg-shm.txt)"; tail -2 $W/reg-shm.txt
TMPDIR=/dev/shm $MR -x TMPDIR $P/osu_latency -d cuda -m 8:8 D D > $W/reg-shm2.txt 2>&1; echo "TMPDIR=/dev/shm: complaint lines $(cplt $W/reg-shm2.txt)"
gxstat() { python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
print(' '.join('%s:med=%.3f,mean=%.3f,p5=%.3f' % (r['size'], r['stats']['median'], r['stats']['mean'], r['stats']['p5']) for r in d['results'] if r['status']=='ok'))" "$1" 2>&1; }
echo "== latency A/B, 8 B and 4 KiB, rounds interleaved (us, one way)"
for r in 1 2 3 4; do
  $MR $P/osu_latency -d cuda -m 8:4096 D D > $W/osu-lat.$r.txt 2>&1
  echo "r$r osu            $(awk '$1==8||$1==4096{printf "%s:%s ",$1,$2}' $W/osu-lat.$r.txt)"
  for v in gx gxblk gxnobind; do
    case $v in gx) B=$GX; X=;; gxblk) B=$GXD; X=;; gxnobind) B=$GX; X="--bind none";; esac
    $MR $B --path mpi --pattern latency --sizes 8,4K --calibrate off --quiet --force --output $W/$v-lat.$r.json $X > $W/$v-lat.$r.txt 2>&1
    echo "r$r $(printf %-14s $v) $(gxstat $W/$v-lat.$r.json) complaints $(cplt $W/$v-lat.$r.txt)"
  done
  $MR .gpukit/probe funneled send each 8 > $W/probe.$r.txt 2>&1; echo "r$r probe-send    $(grep probe $W/probe.$r.txt)"
done
echo "== side by side (final build), t=$(( $(date +%s) - T0 ))s"
MPIRUN="$MR" scripts/osu-side-by-side.sh -g $GX -b $P -r 2 -o $W/side4
echo "== end t=$(( $(date +%s) - T0 ))s"
cd /tmp && tar czf $OUT/c1.tar.gz c1
cp /tmp/c1/log.txt $OUT/
