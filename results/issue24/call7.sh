#!/bin/bash
# Issue 24 on one H200 shared by two ranks, kit's Open MPI 4.1.4: the peer-copy ceiling timed
# over the window of copies the paths it bounds push (new) against about 256 MiB a repeat
# (old), interleaved in this call: p2p and mpi (device memory, one node) bw and bibw at 1M, 64M
# and 1G, their efficiency against it and the '!' count.
set -u
. .gpukit/env.sh
export TMPDIR=/dev/shm
W=/tmp/c7; mkdir -p $W
exec > >(tee $W/log.txt) 2>&1
MR="mpirun -np 2 --bind-to none -x TMPDIR"
nvidia-smi -L
for i in 1 2; do
    for v in old new; do
        GX=.gpukit/b/src/gpuxfer; [ $v = old ] && GX=.gpukit/old/gpuxfer
        o=$W/$v$i
        timeout 120 $MR $GX --path p2p,mpi --pattern bw,bibw --sizes 1M,64M,1G --quiet \
            --output $o.json > $o.txt 2>&1
        echo "$v run $i: rc=$? '!' results: $(grep -cE '[0-9]!$' $o.txt)"
        python3 - $o.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["status"] != "ok":
        continue
    print("   %-4s %-5s %5s median %9.2f ceiling %9.2f eff %6.1f%%%s%s" % (
        r["path"], r["pattern"], r["size"] >> 20, r["stats"]["median"], r.get("ceiling", 0),
        100 * r.get("efficiency", 0), " !" if "ceiling_exceeded" in r else "",
        " (rechecked)" if r.get("ceiling_rechecked") else ""))
for e in d["calibration"]["gpu_pairs"]:
    for k in ("peer", "peer_bidir"):
        for p in e.get(k, {}).get("points", []):
            print("   %-10s %5s median %9.2f range %9.2f .. %9.2f" % (k, p["size"] >> 20, p["median"], p["min"], p["max"]))
PY
    done
done
cd /tmp && tar czf $OUT/c7.tar.gz c7
