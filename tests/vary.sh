#!/bin/sh
# --vary OPTION=V1,V2[,...]: each value of one option measured in the same job, its steps beside
# the other values' in every visit, at least 3 visits each; each result and the report say which
# value; a path that cannot take a value is skipped with the reason; bad input is one line, exit 2.
. "${top_srcdir:-.}/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/vary.XXXXXX")

# The host path at windows 4 and 16, --visits 1 asked: each step still visited 3 times.
gx_mpirun_table "$dir/w.txt" 2 --path host --pattern latency,bw --sizes 8,4K --vary window=4,16 \
    --visits 1 --budget 4 --quiet --output "$dir/w.json" 2>"$dir/w.err"
ok_diag $? "$dir/w.err" "--vary window=4,16 on the host path: exit 0"
check_report "$dir/w.json" --patterns latency,bw
ok $? "its report is valid against the schema"
py_check "$dir/w.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["context"]["run"] == {"vary": {"option": "window", "values": ["4", "16"]}}, d["context"]
got = {}
for r in d["results"]:
    v = r["vary"]
    assert v["option"] == "window" and r["window"] == int(v["value"]), (v, r["window"])
    assert r["stop"]["visits_planned"] >= 3 and r["stop"]["visits"] >= 1, r["stop"]
    got.setdefault((r["pattern"], r["size"]), []).append(v["value"])
assert len(got) == 4 and all(sorted(v) == ["16", "4"] for v in got.values()), got
PY
ok $? "each pattern and size measured at both windows, each result's vary its window, 3 visits"
grep -q "^# path host, memory pageable -> pageable, pattern latency, us, vary: window 4$" \
    "$dir/w.txt" &&
    grep -q "^# path host, memory pageable -> pageable, pattern bw, GB/s, vary: window 16$" \
        "$dir/w.txt"
ok_diag $? "$dir/w.txt" "the table's blocks name the window"

# The order of a visit: the host path's steps at window 4, then at 16 (the dry run's lines).
gx_mpirun 2 --path host --pattern latency,bw --sizes 8,4K --vary window=4,16 --dry-run \
    >"$dir/dry.txt" 2>&1
awk '$1 ~ /^[0-9]+$/ && $2 == "host" { printf "%s ", $NF } END { print "" }' "$dir/dry.txt" |
    grep -qx "4 4 4 4 16 16 16 16 " &&
    grep -q "^# --vary window: 4, 16, each value's steps" "$dir/dry.txt"
ok_diag $? "$dir/dry.txt" "--dry-run: window 4's steps of the path, then window 16's, each marked"

# Chunks: no path pipelines without a GPU, so the plan is made for a node of two (a dry run
# for this machine skips staged). The host path takes no chunk: skipped with the reason;
# staged's steps once per chunk, auto a search.
gx_mpirun 2 --path host,staged --pattern bw --sizes 64K,4M --vary chunk=auto,1M --dry-run \
    --assume-nodes 1 --assume-gpus-per-node 2 >"$dir/chunk.txt" 2>&1
grep -q "host .*skipped: --vary chunk: this path does not pipeline" "$dir/chunk.txt" &&
    [ "$(grep -cE '^ +[0-9]+ staged .* best of [0-9]+ .* vary auto$' "$dir/chunk.txt")" -eq 2 ] &&
    [ "$(grep -cE '^ +[0-9]+ staged .* 1M/2 .* vary 1M$' "$dir/chunk.txt")" -eq 2 ]
ok_diag $? "$dir/chunk.txt" "--vary chunk=auto,1M: host skipped with the reason, staged per chunk"

# Memory: pinned needs CUDA here, so that value is skipped (its reason names it), the other
# measured; exactly --iters 12 shared by the 3 visits.
gx_mpirun 2 --path host --pattern latency --sizes 8 --vary mem=pageable,pinned:pageable \
    --iters 12 --quiet --allow-skip --output "$dir/m.json" >"$dir/m.txt" 2>&1
ok_diag $? "$dir/m.txt" "--vary mem=pageable,pinned:pageable: exit 0"
py_check "$dir/m.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rs = d["results"]
assert len(rs) == 1 and rs[0]["vary"] == {"option": "mem", "value": "pageable"}, rs
assert rs[0]["iterations"] == 12 and rs[0]["stop"]["visits"] == 3, rs[0]["stop"]
sk = [s["reason"] for s in d["skipped"]]
assert len(sk) == 1 and sk[0].startswith("mem pinned:pageable: "), sk
assert d["context"]["run"]["vary"] == {"option": "mem", "values": ["pageable", "pinned:pageable"]}
PY
ok $? "the pageable value measured (12 iterations in 3 visits), pinned's skip names its value"
check_report "$dir/m.json" --allow-skipped
ok $? "its report is valid against the schema"

# Paths as the values: each its own results, vary naming it.
gx_mpirun 2 --pattern latency --sizes 8 --vary path=host,mpi --iters 6 --quiet --allow-skip \
    --output "$dir/p.json" >"$dir/p.txt" 2>&1
ok_diag $? "$dir/p.txt" "--vary path=host,mpi: exit 0"
py_check "$dir/p.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((r["path"], r["vary"]["value"]) for r in d["results"])
assert got == [("host", "host"), ("mpi", "mpi")] or got == [("host", "host")], got
PY
ok $? "each path's result names its value"

# Bad input: one line naming what and what is expected, exit 2, nothing measured.
bad() { # ARGS... ; EXPECTED is the text the line must hold
    gx_mpirun 2 --path host --sizes 8 --iters 5 --output "$dir/bad.json" "$@" \
        >"$dir/bad.out" 2>"$dir/bad.err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/bad.err")" -eq 1 ] &&
        grep -q "^gpuxfer: --vary.*$expected" "$dir/bad.err" && [ ! -e "$dir/bad.json" ]
    ok $? "$* refused: exit 2, one line" || { echo "exit $rc"; cat "$dir/bad.err"; } | diag
}
expected="unknown option 'iters' (expected chunk, depth, window, path, mem or nccl-comm)"
bad --vary iters=5,10
expected="window=4 has one value (expected two or more"
bad --vary window=4
expected="'4' is given twice"
bad --vary window=4,4
expected="mem values 'pinned' and 'pinned:pinned' are the same setting (expected distinct values)"
bad --vary mem=pinned,pinned:pinned
expected="window value '0': 0 is out of range"
bad --vary window=0,4
expected="--window is given too (expected one of them"
bad --vary window=4,8 --window 4
expected="is not OPTION=V1,V2"
bad --vary window
expected="not with --pairs all-concurrent, whose matrices hold one value per pair"
bad --vary window=2,4 --pairs all-concurrent
printf '{"runs": [{"name": "w", "path": "host", "sizes": "8", "window": 4}]}\n' >"$dir/s.json"
expected="the scenario's runs\[0\] ('w') sets window too (expected one of them"
bad --scenario "$dir/s.json" --vary window=2,4

rm -rf "$dir"
done_testing
