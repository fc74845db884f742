#!/bin/sh
# The collectives on host memory: every collective, out of place and in place, over a
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
# As nccl-tests prints them: a block per collective, its sizes ascending, each line size,
# count, type, group, then time (us), algbw, busbw and check out of place and in place; the 8 B
# allreduce's time the report's time_us (never a busbw in MB/s); the average bus bandwidth.
py_check "$out" "$dir/job.txt" <<'PY'
import json, re, sys
rs = json.load(open(sys.argv[1]))["results"]
text = open(sys.argv[2]).read()
bad = []
for op, kind in (("allreduce", "float"), ("allgather", "int8"), ("reduce-scatter", "float"),
                 ("alltoall", "int8"), ("broadcast", "int8")):
    head = "# path host, memory pageable -> pageable, %s over 4 ranks, busbw = algbw x " % op
    blocks = text.split("\n" + head)
    if len(blocks) != 2:
        bad.append((op, "blocks", len(blocks) - 1))
        continue
    block = blocks[1].split("\n\n")[0].splitlines()
    rows = [ln.split() for ln in block if re.match(r"^ +[0-9]+ ", ln)]
    if any(re.search(r"[0-9]M", w) for row in rows for w in row):
        bad.append((op, "a value in MB/s", rows))
    got = [(int(w[0]), int(w[1]), w[2], w[3]) for w in rows]
    want = []
    for r in sorted((r for r in rs if r["pattern"] == op), key=lambda r: r["size"]):
        c = r["collective"]
        want.append((c["bytes"], c["count"], kind, "0..3"))
    if got != want or any(len(w) != 12 for w in rows):
        bad.append((op, "rows", got, want))
    if not any(ln.startswith("# avg bus bandwidth: ") for ln in block):
        bad.append((op, "no average"))
    if op == "allreduce":
        r8 = [r for r in rs if r["pattern"] == op and r["size"] == 8][0]["collective"]
        if rows and abs(float(rows[0][4]) - r8["time_us"]) > 0.006 + 0.001 * r8["time_us"]:
            bad.append((op, "time", rows[0], r8["time_us"]))
if any(len(ln) > 100 for ln in text.splitlines()):
    bad.append("a line over 100 columns")
print(bad)
sys.exit(1 if bad else 0)
PY
ok $? "--pairs job: a block per collective, sizes ascending; size count type group, then time \
algbw busbw out of place and in place on one line; the 8 B time the report's; the average bus \
bandwidth; within 100 columns"

# The CSV: a collective's columns as the report has them, busbw_gbs the median.
gx_mpirun 4 --pairs job --pattern allreduce,broadcast-inplace --sizes 8,1K --iters 5 --visits 1 \
    --quiet --format csv --output "$dir/csv.json" >"$dir/csv.csv" 2>"$dir/csv.err"
ok $? "--format csv of collectives: exit 0" || diag <"$dir/csv.err"
py_check "$dir/csv.json" "$dir/csv.csv" <<'PY'
import csv, json, sys
rs = json.load(open(sys.argv[1]))["results"]
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
bad = []
for r, w in zip(rs, rows):
    c = r["collective"]
    got = (w["collective"], w["in_place"], int(w["bytes"]), int(w["count"]), w["type"],
           float(w["time_us"]), float(w["algbw_gbs"]), float(w["busbw_gbs"]))
    want = (c["op"], "true" if c["in_place"] else "false", c["bytes"], c["count"], c["type"],
            c["time_us"], c["algbw_gbs"], r["stats"]["median"])
    if got != want:
        bad.append((got, want))
print(bad)
sys.exit(1 if bad or len(rows) != len(rs) or len(rs) != 4 else 0)
PY
ok $? "the CSV: collective, in_place, bytes, count, type, time_us, algbw_gbs, busbw_gbs: the report's"

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
[ $r -eq 2 ] && grep -q "^gpuxfer: --pattern allreduce: a collective, which needs a group of ranks (pairs job or node), not --pairs 0:1$" "$dir/bad2.txt"
ok $? "--pattern allreduce between a pair: exit 2 (got $r), one line" || diag <"$dir/bad2.txt"
# The shortest command: a collective alone, no --pairs, measures every rank (said in the table).
gx_mpirun 3 --pattern allreduce --path host --sizes 8 --iters 5 --ceilings off \
    --output "$dir/alone.json" >"$dir/alone.txt" 2>&1
r=$?
[ $r -eq 0 ] && grep -q "^# --pairs job: collectives without --pairs measure every rank" \
    "$dir/alone.txt" && grep -qE "^ +8 +[0-9]+ +float +0\.\.2 " "$dir/alone.txt"
ok $? "--pattern allreduce alone: every rank of the job (0..2), the table says --pairs job (exit $r)" ||
    diag <"$dir/alone.txt"

# From a scenario, the file, the run and its keys are named, never a --pattern not given.
printf '{"runs": [{"pattern": "bw", "sizes": "8"}, {"pattern": "allreduce", "sizes": "8"}]}\n' \
    >"$dir/coll-pair.json"
printf '{"runs": [{"pattern": "allreduce", "sizes": "8", "pairs": "0:1"}]}\n' >"$dir/coll-0-1.json"
printf '{"runs": [{"pairs": "job", "pattern": "bw", "sizes": "8"}]}\n' >"$dir/pair-job.json"
scenario_error() { # NAME EXPECTED-LINE ARGS...
    name=$1 want=$2
    shift 2
    gx_mpirun 2 --dry-run "$@" >"$dir/$name.txt" 2>&1
    r=$?
    [ $r -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/$name.txt")" -eq 1 ] &&
        grep -qxF -- "gpuxfer: $want" "$dir/$name.txt"
    ok $? "$name: exit 2 (got $r): $want" || diag <"$dir/$name.txt"
}
scenario_error "a scenario's collective between a pair" "$dir/coll-0-1.json: runs[0].pattern allreduce: a collective, which needs a group of ranks (pairs job or node), not runs[0].pairs 0:1" \
    --scenario "$dir/coll-0-1.json"
scenario_error "a scenario's pattern between pairs in a group" "$dir/pair-job.json: runs[0].pattern bw: a pattern between pairs, and runs[0].pairs job makes groups for the collectives (allreduce,allgather,reduce-scatter,alltoall,broadcast,allreduce-inplace,allgather-inplace,reduce-scatter-inplace,alltoall-inplace,broadcast-inplace)" \
    --scenario "$dir/pair-job.json"
scenario_error "the command line's pattern in a scenario's group" "--pattern latency: a pattern between pairs, and $dir/pair-job.json: runs[0].pairs job makes groups for the collectives (allreduce,allgather,reduce-scatter,alltoall,broadcast,allreduce-inplace,allgather-inplace,reduce-scatter-inplace,alltoall-inplace,broadcast-inplace)" \
    --scenario "$dir/pair-job.json" --pattern latency
scenario_error "the command line's pairs for a scenario's collective" "$dir/coll-pair.json: runs[1].pattern allreduce: a collective, which needs a group of ranks (pairs job or node), not --pairs 1:0" \
    --scenario "$dir/coll-pair.json" --pairs 1:0

# Sizes below one word a rank measure one word a rank (docs/report.md), sizes of the same bytes
# once: 1-5, 17 and 20 of an allgather of 2 ranks are one 16-byte step, of an allreduce 4, 16
# and 20 bytes.
gx_mpirun 2 --pairs job --pattern allgather,allreduce --sizes 1,2,3,4,5,17,20 --iters 3 \
    --visits 1 --quiet --output "$dir/tiny.json" >"$dir/tiny.txt" 2>&1
r=$?
[ $r -eq 0 ] && grep -qxF "gpuxfer: note: allgather of size 2 moves the 16 bytes that size 1 does over 2 ranks (a collective's size rounds down to whole elements, one at least): measured once" "$dir/tiny.txt" &&
    py_check "$dir/tiny.json" <<'PY'
import json, sys
got = sorted((r["pattern"], r["size"], r["collective"]["bytes"])
             for r in json.load(open(sys.argv[1]))["results"])
want = [("allgather", 1, 16), ("allreduce", 1, 4), ("allreduce", 17, 16), ("allreduce", 20, 20)]
print("got %r, expected %r" % (got, want) if got != want else "")
sys.exit(got != want)
PY
ok $? "sizes 1-5,17,20: one allgather of 16 bytes, allreduces of 4, 16 and 20, a note (exit $r)" ||
    diag <"$dir/tiny.txt"

# The dry run names a group by its first and last rank and its size, several groups by the first
# and how many more; never a count of none more.
gx_mpirun 1 --dry-run --assume-nodes 1000 --assume-gpus-per-node 8 --pairs job --path host \
    --pattern allreduce --sizes 8 >"$dir/dry-job.txt" 2>&1
r=$?
gx_mpirun 1 --dry-run --assume-nodes 4 --assume-gpus-per-node 2 --pairs node --path host \
    --pattern allreduce --sizes 8 >"$dir/dry-node.txt" 2>&1
[ $r -eq 0 ] && [ $? -eq 0 ] &&
    grep -qE "^ +1 +host +pageable>pageable +allreduce +8 .* 0\.\.7999 \(8000 ranks\)$" "$dir/dry-job.txt" &&
    grep -qE "^ +1 +host +pageable>pageable +allreduce +8 .* 0\.\.1 \(2 ranks\),\+3$" "$dir/dry-node.txt" &&
    ! grep -q ',+0$' "$dir/dry-job.txt" "$dir/dry-node.txt"
ok $? "--dry-run's groups: 0..7999 (8000 ranks) for --pairs job, 0..1 (2 ranks),+3 for 4 nodes' groups" ||
    { cat "$dir/dry-job.txt" "$dir/dry-node.txt" | head -n 8 | diag; }

# Planned on fake GPUs: nccl and mpi have collectives, p2p none (listed as skipped, why).
gx_mpirun 4 --pairs job --path nccl,mpi,p2p --topology-xml "$top_srcdir/tests/topologies/h200x4-vm.xml" \
    --fake-gpus 0000:00:06.0,0000:00:07.0,0000:00:08.0,0000:00:09.0 --dry-run >"$dir/dry.txt" 2>&1
r=$?
# (A build without CUDA: mpi on host memory, p2p left out of the build.)
want="p2p.*skipped: this path has no collectives" mem=device
grep -q "^#define HAVE_CUDA 1" "$top_builddir/config.h" || want="p2p.*skipped: built without" mem=pageable
[ $r -eq 0 ] && grep -qE "^ +[0-9]+ +mpi +$mem>$mem +allreduce +8 .* 0\.\.3 \(4 ranks\)$" "$dir/dry.txt" &&
    grep -q "$want" "$dir/dry.txt"
ok $? "fake GPUs, --dry-run: mpi's collectives planned over 0..3 ($mem memory), p2p skipped with why (exit $r)" || diag <"$dir/dry.txt"

# A second run of the same measurements, its medians a tenth lower.
"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    r["stats"]["median"] *= 0.9
json.dump(d, open(sys.argv[2], "w"))' "$out" "$dir/job-b.json"
gx_report summary "$out" >"$dir/summary.txt" 2>&1 &&
    grep -q "^allreduce (host pageable>pageable; 4 ranks" "$dir/summary.txt" &&
    grep -qE "^ +size +count +type( +time\(us\) +algbw +busbw){2}$" "$dir/summary.txt" &&
    grep -qE "^ +8 +2 +float +[0-9.]+ +[0-9.]+ +[0-9.]+~? +[0-9.]+ " "$dir/summary.txt" &&
    grep -q "^# avg bus bandwidth: " "$dir/summary.txt" &&
    gx_report compare "$out" "$dir/job-b.json" >"$dir/compare.txt" 2>&1; r=$?
[ $r -le 1 ] && grep -q "allreduce" "$dir/compare.txt"
ok $? "the report tools: summary prints the collectives as nccl-tests (count, type, time, algbw, \
busbw, in place beside), compare reads them" ||
    cat "$dir/summary.txt" "$dir/compare.txt" | diag
rm -rf "$dir"
done_testing
