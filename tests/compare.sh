#!/bin/sh
# gpuxfer-compare on constructed reports with known differences (tests/reports/make-fixtures.py).
. "$top_srcdir/tests/lib.sh"
# ok, then the output of the check as diagnostics (a pipe into diag would hide the status).
ok_diag() { r=$1; f=$2; shift 2; ok "$r" "$*"; [ "$r" -eq 0 ] || diag <"$f"; }
dir=$(mktemp -d "$TEST_TMP/compare.XXXXXX")
rep="$top_srcdir/tests/reports"
compare() { "$PYTHON" "$top_srcdir/scripts/gpuxfer-compare" "$@"; }

"$PYTHON" - "$top_srcdir/schema/gpuxfer-report.schema.json" "$rep"/base.json "$rep"/slower.json \
    "$rep"/ci-base.json "$rep"/ci-slower.json "$rep"/matrix.json "$rep"/other-path.json \
    >"$dir/check.txt" 2>&1 <<'PY' 
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for f in sys.argv[2:]:
    jsonschema.validate(json.load(open(f)), schema)
PY
ok_diag $? "$dir/check.txt" "constructed reports are valid against the schema"

compare "$rep/base.json" "$rep/slower.json" >"$dir/t.txt" 2>"$dir/t.err"
ok $? "two reports: exit 0"
# "size pair A B B/A sig test p verdict", one line per size, sizes ascending in each block.
row() { grep -E "^ +$1 +0->1 +[0-9.]+ +[0-9.]+ +[0-9.]+ +$2 +$3 +[0-9.e+-]+ +$4\$" "$dir/t.txt" | wc -l; }
[ "$(row 8 yes U slower)" -eq 1 ] && [ "$(row 1048576 no U same)" -eq 1 ] &&
    [ "$(row 1048576 yes U slower)" -eq 1 ] &&
    [ "$(row 8 no U same)" -eq 1 ] && [ "$(row 65536 no U same)" -eq 1 ]
ok $? "table: latency 8 B and bw 1 MiB slower (rank test), the rest not significant"
{ grep -q '^# path host, memory pageable -> pageable, pattern latency, us (lower is better)$' "$dir/t.txt" &&
  grep -q '^# path host, memory pageable -> pageable, pattern bw, GB/s (higher is better)$' "$dir/t.txt" &&
  [ "$(grep -cE '^ +[0-9]+ +0->1 ' "$dir/t.txt")" -eq 5 ]; }
ok_diag $? "$dir/t.txt" "table: one block per (path, memory, pattern) with its unit, 5 rows"
awk '/^# path .*latency/{b=1} /^# path .*bw/{b=0} b && $1 ~ /^[0-9]+$/ {print $1}' "$dir/t.txt" |
    tr '\n' ' ' | grep -qx '8 1048576 '
ok $? "table: sizes ascending inside a block"
sed -n '/^# context differences/,$p' "$dir/t.txt" >"$dir/ctx.txt"
grep -q '^env.UCX_TLS:' "$dir/ctx.txt" && grep -q '^  B: tcp$' "$dir/ctx.txt" &&
    grep -q '^ranks.hostname:' "$dir/ctx.txt" && ! grep -q 'pid' "$dir/ctx.txt"
ok $? "context differences: UCX_TLS and hostname, not pids"

compare --json "$rep/base.json" "$rep/slower.json" >"$dir/t.json"
"$PYTHON" - "$dir/t.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = {("latency", 8): "slower", ("latency", 1 << 20): "same", ("bw", 8): "same",
        ("bw", 1 << 20): "slower", ("bw", 1 << 16): "same"}
got = {(r["pattern"], r["size"]): r["cells"][1]["verdict"] for r in d["rows"]}
ps = [r["cells"][1]["p"] for r in d["rows"]]
sys.exit(0 if got == want and all(p is not None and 0 <= p <= 1 for p in ps) else 1)
PY
ok $? "--json: the same decisions, p-values in [0, 1]"

compare "$rep/ci-base.json" "$rep/ci-slower.json" >"$dir/ci.txt"
[ "$(grep -cE '^ +1048576 +0->1 .* yes +CI +- +slower$' "$dir/ci.txt")" -eq 1 ] &&
    [ "$(grep -cE '^ +65536 +0->1 .* no +CI +- +same$' "$dir/ci.txt")" -eq 1 ]
ok $? "no samples: apart intervals significant, overlapping ones not"

"$PYTHON" - "$top_srcdir/scripts" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from gxreport import mann_whitney
u, p = mann_whitney([1, 2, 3], [4, 5, 6])            # exact by hand: U=0, z=(4.5-.5)/sqrt(5.25)
ok = u == 0 and abs(p - 0.0809) < 0.001
# ties: ranks 1, 3, 3, 5.5 -> U=2.5; var = 16/12 (9 - 30/56), z = (5.5 - .5)/3.359
u, p = mann_whitney([1, 2, 2, 3], [2, 3, 4, 5])
ok = ok and u == 2.5 and abs(p - 0.1366) < 0.001
ok = ok and mann_whitney([7] * 5, [7] * 6)[1] == 1.0
sys.exit(0 if ok else 1)
PY
ok $? "Mann-Whitney U: hand-computed values, with ties, and all-equal samples"

compare "$rep/base.json" "$rep/slower.json" "$rep/base.json" >"$dir/three.txt"
[ "$(grep -cE '^ +[0-9]+ +0->1 .* 1\.000 +no +U +1 +same$' "$dir/three.txt")" -eq 5 ] &&
    grep -q '^# C: ' "$dir/three.txt"
ok $? "three reports: a column per report, ratios to the first"

compare --fail-below 0.8 "$rep/base.json" "$rep/slower.json" >/dev/null 2>"$dir/fb.err"
[ $? -eq 1 ] && grep -q 'regression: .*bw size 1048576' "$dir/fb.err" &&
    grep -q 'regression: .*latency size 8 ' "$dir/fb.err"
ok $? "--fail-below 0.8: exit 1, names the bandwidth and the latency regression"
compare --fail-below 0.3 "$rep/base.json" "$rep/slower.json" >/dev/null 2>&1
ok $? "--fail-below 0.3: bw ratio 0.50 and latency ratio 2.9 (< 1/0.3) pass"
compare --fail-below 0.45 "$rep/base.json" "$rep/slower.json" >/dev/null 2>"$dir/fb.err"
[ $? -eq 1 ] && grep -q 'latency size 8 ' "$dir/fb.err" && ! grep -q 'bw size' "$dir/fb.err"
ok $? "--fail-below 0.45: only the latency (ratio 2.9 > 1/0.45) regressed, not bw (0.50)"
compare --fail-below 0.99 "$rep/slower.json" "$rep/base.json" >/dev/null 2>&1
ok $? "--fail-below: lower latency and higher bandwidth are improvements, not regressions"

bad() { # WANT-TEXT ARGS...
    want=$1; shift
    compare "$@" >"$dir/bad.out" 2>"$dir/bad.err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$dir/bad.err")" -eq 1 ] && grep -qF -- "$want" "$dir/bad.err" &&
        [ ! -s "$dir/bad.out" ]
    ok $? "bad input -> exit 2, one line: $want"
    [ $rc -eq 2 ] || { echo "exit $rc"; cat "$dir/bad.err"; } | diag
}
bad "not-json.json: not JSON" "$rep/base.json" "$rep/not-json.json"
bad "not-gpuxfer.json: not a gpuxfer report" "$rep/not-gpuxfer.json" "$rep/base.json"
bad "schema version 2.0" "$rep/base.json" "$rep/schema-v2.json"
bad "no common results" "$rep/base.json" "$rep/other-path.json"
bad "cannot read" "$rep/base.json" "$dir/none.json"
bad "at least two reports" "$rep/base.json"
bad "--fail-below 2.0" --fail-below 2 "$rep/base.json" "$rep/slower.json"

rm -rf "$dir"
done_testing
