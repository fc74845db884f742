#!/bin/sh
# GPU placement through a whole MPI job, on a recorded topology with stand-in GPUs: every rank
# gets its own GPU, the report says where each rank sits and how each measured pair connects.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/topo_mpi.XXXXXX")
xml="$top_srcdir/tests/topologies/h200x4-vm.xml"
gpus=0000:00:06.0,0000:00:07.0,0000:00:08.0,0000:00:09.0

out="$dir/h200x4.json"
gx_mpirun_table "$dir/h200x4.txt" 4 --topology-xml "$xml" --fake-gpus $gpus \
    --pairs all-disjoint --sizes 8,4K --iters 5 --quiet --output "$out" >"$dir/h200x4.mpirun" \
    2>"$dir/h200x4.err"
ok $? "4 ranks on the 4 x H200 topology with --fake-gpus: exit 0"
check_report "$out" --ranks 4 --pairs 0-1,2-3 >"$dir/check" 2>&1
ok $? "its report is valid against the schema"
diag <"$dir/check"
"$PYTHON" - "$out" >"$dir/check" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ranks = d["context"]["ranks"]
bus = [r["gpu"]["pci_bus_id"] for r in ranks]
bad = []
if sorted(bus) != ["0000:00:0%d.0" % i for i in range(6, 10)]:
    bad.append("GPUs %s, expected 4 different ones" % bus)
cpus = [r["binding"].get("planned_cpuset") for r in ranks]
if cpus != ["0-15", "16-31", "32-47", "48-63"]:
    bad.append("planned cpusets %s" % cpus)
for r in ranks:
    if r["gpu"]["numa_nodes"] != [0] or r["gpu"]["nearest_nic"]["name"] != "eth0":
        bad.append("rank %d: numa %s nic %s" % (r["rank"], r["gpu"]["numa_nodes"], r["gpu"]["nearest_nic"]))
    if r["binding"]["applied"] or r["binding"]["decision"] != "bind":
        bad.append("rank %d: binding %s" % (r["rank"], r["binding"]))
pairs = [(p["ranks"], p["link"]) for p in d["context"]["pairs"]]
if pairs != [([0, 1], "PHB"), ([2, 3], "PHB")]:
    bad.append("pairs %s" % pairs)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "4 different GPUs, disjoint 16-core cpusets, NUMA 0, NIC eth0, pairs PHB"
diag <"$dir/check"
nl=$(grep -cE '^# +[0-3] +[^ ]+ +[0-3] \(phys [0-3]\) +0000:00:0[6-9]\.0 +0 +[0-9]+-[0-9]+\(plan\) +eth0\(PHB numa-node\) +bind$' "$dir/h200x4.txt")
[ "$nl" -eq 4 ] && grep -q '^# pair 0:1 same node, link PHB' "$dir/h200x4.txt"
ok $? "topology header: one line per rank ($nl) and one per pair"
! grep -q 'share a GPU' "$dir/h200x4.err"
ok $? "no GPU-sharing warning when every rank has its own GPU"

out="$dir/shared.json"
CUDA_VISIBLE_DEVICES=0,1 gx_mpirun 4 --topology-xml "$xml" \
    --fake-gpus $gpus --pairs 0:2 --sizes 8 --iters 5 --quiet --output "$out" \
    >"$dir/shared.txt" 2>"$dir/shared.err"
rc=$?
# Said once, within 100 columns (it was one line of 134).
[ $rc -eq 0 ] && [ "$(grep -c 'warning: some ranks share a GPU' "$dir/shared.err")" -eq 1 ] &&
    ! grep -A1 'warning: some ranks share a GPU' "$dir/shared.err" | awk 'length > 100' | grep -q .
ok $? "4 ranks on 2 visible GPUs: runs, warns once on stderr"
check_report "$out" --ranks 4 >"$dir/check" 2>&1
ok $? "its report is valid against the schema"
diag <"$dir/check"
"$PYTHON" - "$out" >"$dir/check" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["context"]["ranks"]
ok = [x["gpu"]["shared_with"] for x in r] == [[2], [3], [0], [1]]
pairs = [dict(p) for p in d["context"]["pairs"]]
route = pairs[0].pop("route", None) if pairs else None
ok = ok and pairs == [{"ranks": [0, 2], "same_node": True, "link": "X",
        "link_source": "the same GPU", "peer_access": None}]
ok = ok and route["hops"] == [] and route["line_gbs"] is None and "same GPU" in route["why"]
sys.exit(0 if ok else 1)
PY
ok $? "sharing recorded: shared_with per rank, pair 0:2 on the same GPU (X), a route of no link"
diag <"$dir/check"

rm -rf "$dir"
done_testing
