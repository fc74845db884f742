#!/bin/sh
# The collectives on host memory (issue 63): every collective, out of place and in place, over a
# group of 4 ranks (--pairs job) and of each node's ranks (--pairs node), validated on every
# member and every iteration; nccl-tests' busbw factors and the size rounded to whole blocks; a
# member's corrupt output fails the group's result; patterns of the other kind refused; the
# report tools read them.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/collectives_host.XXXXXX")
all=allreduce,allgather,reduce-scatter,alltoall,broadcast
inplace=allreduce-inplace,allgather-inplace,reduce-scatter-inplace,alltoall-inplace,broadcast-inplace

out="$dir/job.json"
gx_mpirun_table "$dir/job.txt" 4 --pairs job --pattern $all,$inplace --sizes 8,4K,100000 \
    --iters 5 --window 1 --visits 1 --validate all --quiet --output "$out" >"$dir/job.mpirun" 2>&1
ok $? "4 ranks, --pairs job, 10 collectives at 3 sizes, --validate all: exit 0" || diag <"$dir/job.mpirun"
check_report "$out" --ranks 4 --patterns $all,$inplace --sizes 3 --pairs 0-3
ok $? "--pairs job: a valid report, one result per collective and size, ranks [0, 3]"
py_check "$out" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
factor = {"allreduce": 1.5, "allgather": 0.75, "reduce-scatter": 0.75, "alltoall": 0.75,
          "broadcast": 1.0}
# nccl-tests' size: the largest buffer, whole 8-byte words in each of the 4 blocks (32 B) where
# it splits, whole floats in an allreduce, any byte in a broadcast.
unit = {"allreduce": 4, "allgather": 32, "reduce-scatter": 32, "alltoall": 32, "broadcast": 1}
bad = []
for r in rs:
    c = r["collective"]
    op = r["pattern"].replace("-inplace", "")
    want = max(r["size"] // unit[op] * unit[op], unit[op])
    if (c["op"] != op or c["in_place"] != r["pattern"].endswith("-inplace") or c["ranks"] != 4
            or c["busbw_factor"] != factor[op] or c["bytes"] != want):
        bad.append(("collective", r["pattern"], r["size"], c))
    if r["validation"] != {"status": "passed", "checks": r["validation"]["checks"]} or \
            r["validation"]["checks"] < r["iterations"] + 1:
        bad.append(("validation", r["pattern"], r["size"], r["validation"]))
    med = r["stats"]["median"]
    if abs(c["algbw_gbs"] * c["busbw_factor"] - med) > 1e-9 * med or \
            abs(c["time_us"] - c["bytes"] / (c["algbw_gbs"] * 1e3)) > 1e-6 * c["time_us"]:
        bad.append(("algbw/time", r["pattern"], r["size"], c, med))
    if r["unit"] != "GB/s" or r["ranks"] != [0, 3] or "ceiling_absent" not in r:
        bad.append(("fields", r["pattern"], r["size"]))
print(bad)
sys.exit(1 if bad else 0)
PY
ok $? "--pairs job: busbw = algbw x 2(n-1)/n, (n-1)/n or 1; bytes rounded to whole blocks; every iteration and the first check passed; time_us = bytes / algbw"
lines=$(grep -cE '^ +[0-9]+ +0\.\.3 +- +- +[0-9.e-]+M?~? ' "$dir/job.txt")
[ "$lines" -eq 30 ] && grep -q "pattern allreduce, busbw GB/s over 4 ranks (algbw x 1.5)" "$dir/job.txt"
ok $? "--pairs job: the table names the group 0..3 on 30 lines, each block its busbw factor (found $lines)"

# --pairs node on one node: one group of the node's ranks, the same as job.
gx_mpirun 3 --pairs node --sizes 64K --iters 5 --visits 1 --quiet --output "$dir/node.json" \
    >"$dir/node.txt" 2>&1
ok $? "3 ranks, --pairs node: exit 0" || diag <"$dir/node.txt"
py_check "$dir/node.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
ops = sorted(r["collective"]["op"] for r in rs)
print(ops)
sys.exit(0 if ops == sorted(["allreduce", "allgather", "reduce-scatter", "alltoall", "broadcast"])
         and all(r["ranks"] == [0, 2] and r["collective"]["ranks"] == 3 and r["status"] == "ok"
                 and r["path"] == "host" for r in rs) else 1)
PY
ok $? "--pairs node: the five collectives out of place by default, on host, over ranks 0..2"

# One member's output corrupt: the group's result fails, naming the offset.
GPUXFER_FAULT=corrupt:rank=2:size=4K:offset=1000 gx_mpirun 4 --pairs job \
    --pattern allreduce,alltoall --sizes 4K --iters 5 --visits 1 --quiet \
    --output "$dir/corrupt.json" >"$dir/corrupt.txt" 2>&1
r=$?
[ $r -eq 1 ] && grep -q "data validation failed: run '-' path host pattern allreduce size 4096 group 0..3: first bad byte at offset 1000" "$dir/corrupt.txt"
ok $? "a corrupt byte in rank 2's output: exit 1 (got $r), the group's result names the offset" || diag <"$dir/corrupt.txt"
py_check "$dir/corrupt.json" <<'PY'
import json, sys
rs = {r["pattern"]: r for r in json.load(open(sys.argv[1]))["results"]}
a, t = rs["allreduce"], rs["alltoall"]
sys.exit(0 if a["status"] == "failed" and a["validation"]["status"] == "failed"
         and a["validation"]["first_bad_offset"] == 1000 and t["status"] == "ok" else 1)
PY
ok $? "corrupt: allreduce failed at offset 1000 in the report, alltoall (4K too, after it) ok"

gx_mpirun 2 --pairs job --pattern bw --dry-run >"$dir/bad1.txt" 2>&1
r=$?
[ $r -eq 2 ] && grep -q "^gpuxfer: --pattern bw: a pattern between pairs, and --pairs job makes groups for the collectives" "$dir/bad1.txt"
ok $? "--pairs job --pattern bw: exit 2 (got $r), one line" || diag <"$dir/bad1.txt"
gx_mpirun 2 --pattern allreduce --pairs 0:1 --dry-run >"$dir/bad2.txt" 2>&1
r=$?
[ $r -eq 2 ] && grep -q "^gpuxfer: --pattern allreduce: a collective, which needs a group of ranks (--pairs job or --pairs node), not --pairs 0:1" "$dir/bad2.txt"
ok $? "--pattern allreduce --pairs 0:1: exit 2 (got $r), one line" || diag <"$dir/bad2.txt"
# The shortest command: a collective alone, no --pairs, measures every rank (said in the table).
gx_mpirun 3 --pattern allreduce --path host --sizes 8 --iters 5 --ceilings off \
    --output "$dir/alone.json" >"$dir/alone.txt" 2>&1
r=$?
[ $r -eq 0 ] && grep -q "^# --pairs job: collectives without --pairs measure every rank" \
    "$dir/alone.txt" && grep -qE "^ +8 +0\.\.2 " "$dir/alone.txt"
ok $? "--pattern allreduce alone: every rank of the job (0..2), the table says --pairs job (exit $r)" ||
    diag <"$dir/alone.txt"

# Planned on fake GPUs: nccl and mpi have collectives, p2p none (listed as skipped, why).
gx_mpirun 4 --pairs job --path nccl,mpi,p2p --topology-xml "$top_srcdir/tests/topologies/h200x4-vm.xml" \
    --fake-gpus 0000:00:06.0,0000:00:07.0,0000:00:08.0,0000:00:09.0 --dry-run >"$dir/dry.txt" 2>&1
r=$?
# (A build without CUDA: mpi on host memory, p2p left out of the build.)
want="p2p.*skipped: this path has no collectives" mem=device
grep -q "^#define HAVE_CUDA 1" "$top_builddir/config.h" || want="p2p.*skipped: built without" mem=pageable
[ $r -eq 0 ] && grep -qE "^ +[0-9]+ +mpi +$mem>$mem +allreduce +8 .* 0\.\.3$" "$dir/dry.txt" &&
    grep -q "$want" "$dir/dry.txt"
ok $? "fake GPUs, --dry-run: mpi's collectives planned over 0..3 ($mem memory), p2p skipped with why (exit $r)" || diag <"$dir/dry.txt"

# A second run of the same measurements, its medians a tenth lower.
"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    r["stats"]["median"] *= 0.9
json.dump(d, open(sys.argv[2], "w"))' "$out" "$dir/job-b.json"
gx_report summary "$out" >"$dir/summary.txt" 2>&1 && grep -q "allreduce-inplace" "$dir/summary.txt" &&
    gx_report compare "$out" "$dir/job-b.json" >"$dir/compare.txt" 2>&1; r=$?
[ $r -le 1 ] && grep -q "allreduce" "$dir/compare.txt"
ok $? "the report tools: summary and compare read the collectives" || diag <"$dir/compare.txt"
rm -rf "$dir"
done_testing
