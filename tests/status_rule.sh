#!/bin/sh
# The status rule: a result whose data check failed is "failed" for every
# consumer: the report and its .jsonl, the table, the CSV, and the report tools, which apply the
# rule to older reports that kept "ok" beside the failed validation.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/status-rule.XXXXXX")
args="--path host --sizes 8,1K --iters 5 --warmup 1 --quiet"
S=$top_srcdir/scripts

GPUXFER_FAULT=corrupt:rank=1:size=1K gx_mpirun 2 $args --format csv --output "$dir/bad.json" \
    >"$dir/bad.csv" 2>"$dir/bad.err"
rc=$?
[ $rc -eq 1 ]
ok $? "corrupted data: exit 1 (got $rc)" || diag <"$dir/bad.err"
py_check "$dir/bad.json" <<'PY'
import json, sys
path = sys.argv[1]
d = json.load(open(path))
lines = [json.loads(l) for l in open(path + ".jsonl")]
for rs in (d["results"], lines):
    bad = [r for r in rs if r["validation"]["status"] == "failed"]
    assert len(bad) == 1, bad
    b = bad[0]
    assert b["status"] == "failed" and "stats" not in b, b
    assert "first bad byte at offset" in b["reason"], b
assert d["status"] == "failed" and d["exit_code"] == 1
PY
ok $? "the corrupted result is failed, with its reason and no stats, in the report and the .jsonl"
grep -q ',failed,' "$dir/bad.csv" && ! grep -E '^[^#].*,ok,.*,failed' "$dir/bad.csv" >/dev/null
ok $? "the CSV's row of the corrupted result says failed" || diag <"$dir/bad.csv"

gx_mpirun 2 $args --output "$dir/good.json" >/dev/null 2>&1
ok $? "a good report"
# A report written before the rule: the corrupted result says ok, with numbers.
"$PYTHON" - "$dir/bad.json" "$dir/old.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["status"] == "failed":
        r["status"] = "ok"
        del r["reason"]
        r["stats"] = {"median": 1e-9, "n": 5}
json.dump(d, open(sys.argv[2], "w"))
PY
for f in bad old; do
    "$PYTHON" "$S/gpuxfer-report" summary "$dir/$f.json" >"$dir/$f.sum" 2>&1
    awk '/^latency/{l=1} /^bw/{l=0} l && $1=="1K"' "$dir/$f.sum" | grep -q . && r=1 || r=0
    ok $r "gpuxfer-report summary of the $f report shows no latency value at 1K" || diag <"$dir/$f.sum"
    "$PYTHON" "$S/gpuxfer-report" compare "$dir/good.json" "$dir/$f.json" --fail-below 0.000001 \
        >"$dir/$f.cmp" 2>"$dir/$f.cmp.err"
    rc=$?
    [ $rc -eq 1 ] && unwrap "$dir/$f.cmp.err" | grep -q "latency size 1024 pair 0->1: failed" &&
        grep -q "failed in .*$f.json" "$dir/$f.cmp"
    ok $? "gpuxfer-report compare --fail-below: the $f report's corrupted result is a regression, never faster (exit $rc)" ||
        diag <"$dir/$f.cmp.err"
    "$PYTHON" "$S/gpuxfer-report" plot --help >/dev/null 2>&1 && "$PYTHON" - "$S" "$dir/$f.json" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import gxreport as gx
d = gx.load(sys.argv[2])
sys.exit(0 if all(r["size"] != 1024 or r["pattern"] != "latency" for r in gx.ok_results(d)) else 1)
PY
    ok $? "gxreport (summary, compare, goals and plot read through it): the $f report's corrupted result is not measured"
done
rm -rf "$dir"
done_testing
