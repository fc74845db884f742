#!/bin/sh
# --visits: a result measured in visits spread over the run, its median that of all their
# iterations, each visit's median beside it; exact --iters and --visits 1 in one; a run stopped
# before a result's last visit keeps it as far as its visits went.
. "${top_srcdir:-.}/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/visits.XXXXXX")

# No budget: under one, a first visit that a busy machine (or the sanitizers) made outlast twice
# its share gets no more visits, by design; this test's verdict must not depend on the load.
gx_mpirun 2 --path host --pattern latency,bw --sizes 8,64K --quiet \
    --output "$dir/three.json" >"$dir/three.txt" 2>&1
ok $? "16 visits by default (steps of short iterations): exit 0" || diag <"$dir/three.txt"
check_report "$dir/three.json"
ok $? "its report is valid against the schema"
py_check "$dir/three.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rs = d["results"]
assert len(rs) == 4, len(rs)
for r in rs:
    s, st = r["stop"], r["stats"]
    vm = s["visit_medians"]
    # 16 for a step of short iterations (8 B's), 8 for one of 100 us or more (dry-run's
    # estimate): no budget to fit them to
    assert s["visits"] == s["visits_planned"] == len(vm) and len(vm) in (8, 16), s
    assert r["size"] > 8 or len(vm) == 16, s
    # The median of all the iterations lies between the smallest and largest visit's.
    assert min(vm) <= st["median"] <= max(vm), (vm, st["median"])
    # The first visit its fewest (5), each later one 2 at least.
    assert r["iterations"] >= 5 + 2 * (len(vm) - 1) and st["n"] == r["iterations"], \
        (r["iterations"], st["n"])
    drift = r["noise"].get("drift", 0)
    # Kept as a float: a busy machine's drift of thousands is exact to its seventh digit only.
    want = max(vm) / min(vm) - 1
    assert abs(drift - want) <= 1e-6 * max(1, want), (drift, vm)
    # Marked drift only where the visits ran at two speeds or leave the median known to no
    # better than 5%.
    n = r["noise"]
    assert ("drift" in n["marks"]) <= ("two_speeds" in n or n.get("visits_ci", 0) > 0.05), n
PY
ok $? "each result: 16 visits (8 of long iterations), its median between theirs, 5 iterations at the first and 2 a later visit at least, their spread as noise.drift"

for args in "--visits 1" "--iters 7"; do
    gx_mpirun 2 --path host --pattern bw --sizes 8 --ceilings off --quiet $args \
        --output "$dir/one.json" --force >"$dir/one.txt" 2>&1
    py_check "$dir/one.json" <<'PY'
import json, sys
r, = json.load(open(sys.argv[1]))["results"]
assert "visits" not in r["stop"] and "visit_medians" not in r["stop"], r["stop"]
PY
    ok $? "$args: one visit, no visits in the result"
done

gx_mpirun 2 --path host --sizes 8,64K --dry-run >"$dir/dry.txt" 2>&1
grep -q '^# each result measured in 16 visits spread over the run' "$dir/dry.txt"
ok $? "--dry-run says how many visits" || diag <"$dir/dry.txt"
gx_mpirun 2 --path host --visits 33 >"$dir/bad.txt" 2>&1
[ $? -eq 2 ] && grep -q -- '--visits' "$dir/bad.txt"
ok $? "--visits 33: exit 2, naming the option" || diag <"$dir/bad.txt"

# SIGTERM once 64K's first visit is gathered: the report keeps both results of their first
# visit (1 of the planned), held until then.
GPUXFER_FAULT=signal:rank=0:size=64K:at=collected gx_mpirun 2 --path host --pattern bw \
    --sizes 8,64K --budget 8 --quiet --output "$dir/stopped.json" >"$dir/stopped.txt" 2>&1
rc=$?
py_check "$dir/stopped.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "interrupted", d["status"]
got = sorted((r["size"], r["stop"]["visits"], r["stop"]["visits_planned"]) for r in d["results"])
assert got[0][:2] == (8, 1) and got[0][2] >= 5 and got[1][:2] == (65536, 1) and got[1][2] >= 3, got
PY
ok $? "stopped at the first visit (exit $rc): both results kept, visits 1 of those planned" ||
    diag <"$dir/stopped.txt"
# The same with more results held than the sink's first room for them (16): each as it was
# held, its texts too (the ceiling's name), however far the held results moved since (the
# sanitizer pass reads freed memory there if they are not pointed at again).
sizes=8,16,32,64,128,256,512,1K,2K,4K,8K,16K,32K,64K,128K,256K,512K,1M
GPUXFER_FAULT=signal:rank=0:size=1M:at=collected gx_mpirun 2 --path host --pattern bw \
    --sizes $sizes --budget 20 --quiet --output "$dir/many.json" >"$dir/many.txt" 2>&1
rc=$?
py_check "$dir/many.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "interrupted", d["status"]
rs = d["results"]
assert len(rs) == 18, len(rs)
# A point the probe found no bound, or a ceiling a busy machine made unsound, leaves
# ceiling_what out and ceiling_absent says why: either is the held text of the probe's point.
whats = {r.get("ceiling_what") or r.get("ceiling_absent") for r in rs} - {None}
assert whats and all(w.isprintable() and " at " in w for w in whats), whats
assert all(r["stop"]["visits"] == 1 for r in rs), [r["stop"] for r in rs]
PY
ok $? "stopped at the first visit of 18 results (exit $rc): each kept with its ceiling's name" ||
    diag <"$dir/many.txt"
done_testing
