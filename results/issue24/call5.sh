#!/bin/bash
# Issue 24 on one H200 shared by two ranks (the only kind lent this session), kit's Open MPI
# 4.1.4: the default run's wall time, '!' count and the ceilings measured again after results
# crossed them (managed MPI curves included); its dry run first.
set -u
. .gpukit/env.sh
export TMPDIR=/dev/shm
W=/tmp/c5; mkdir -p $W
exec > >(tee $W/log.txt) 2>&1
GX=.gpukit/b/src/gpuxfer
MR="mpirun -np 2 --bind-to none -x TMPDIR"
bang() { grep -cE '[0-9]!$' "$1"; }
nvidia-smi -L; $GX --version | head -3
$MR $GX --dry-run > $W/dry.txt 2>&1; echo "dry run rc=$?"; tail -5 $W/dry.txt
s=$(date +%s.%N); timeout 450 $MR $GX --output $W/default.json > $W/default.txt 2>&1; rc=$?; e=$(date +%s.%N)
echo "default run rc=$rc wall $(python3 -c "print('%.1f s' % ($e - $s))") '!' results: $(bang $W/default.txt)"
grep -E '[0-9]!$|^# (path|latency|bandwidth|calibration)|^#   [a-z_]+ ' $W/default.txt | head -60
python3 - $W/default.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("results", len(d["results"]), "rechecked", [(r["path"], r["pattern"], r["size"], round(r.get("efficiency", 0), 3), "ceiling_exceeded" in r) for r in d["results"] if r.get("ceiling_rechecked")])
for grp in ("gpus", "gpu_pairs", "rank_pairs"):
    for e in d["calibration"][grp]:
        for k, v in e.items():
            for p in (v.get("points", []) if isinstance(v, dict) else []):
                if p.get("rechecked"):
                    print("point measured again:", k, p)
PY
cd /tmp && tar czf $OUT/c5.tar.gz c5
