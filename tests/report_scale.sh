#!/bin/sh
# The report tools at a sweep's scale, by what does not depend on the machine's speed: a report of
# 16,000 results (a 16-rank --pairs all sweep, dev/big-report.py from tests/reports/base.json) is
# loaded a chunk at a time into the document the whole text parsed at once makes (every fixture
# too), its results sharing their keys and small values, its peak of memory a few times the
# file's size; its plot draws a dozen heatmaps at most and says what it left out,
# the lines one point per size; a heatmap of more ranks than its cells hold values for is colour
# only; summary, goals and compare read it (compare keeping what it reads of each result, the
# same as of the whole document; its --json the text of one json.dumps).
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/report-scale.XXXXXX")
rep="$top_srcdir/tests/reports"

"$PYTHON" "$top_srcdir/dev/big-report.py" "$rep/base.json" 16000 "$dir/big.json" >"$dir/out" 2>&1 &&
    "$PYTHON" "$top_srcdir/dev/big-report.py" "$rep/base.json" 16000 "$dir/big-b.json" \
        --seed 62 >>"$dir/out" 2>&1
r=$?
ok $r "two 16,000-result reports made from a fixture" || { diag <"$dir/out"; rm -rf "$dir"; done_testing; exit; }

py_check "$top_srcdir/scripts" "$dir/big.json" "$rep" <<'PY'
import glob, json, os, sys, tracemalloc
sys.path.insert(0, sys.argv[1])
import gxreport as gx
for path in [sys.argv[2]] + sorted(glob.glob(os.path.join(sys.argv[3], "*.json"))):
    try:
        want = json.load(open(path, encoding="utf-8"))
        gx.check_report(want)
    except (ValueError, gx.BadInput) as e:
        want = None
    try:
        got = gx.load(path)
    except gx.BadInput:
        got = None
    assert got == want, f"{path}: loaded otherwise than parsed whole"
doc = gx.load(sys.argv[2])
rs = doc["results"]
assert len(rs) == 16000 and len(doc["matrices"]) > 12, (len(rs), len(doc["matrices"]))
names = {k for r in rs for k in r}
assert len({id(k) for r in rs for k in r}) == len(names), "each key one object"
assert len({id(r["mem"]) for r in rs}) == len({(r["mem"]["src"], r["mem"]["dst"]) for r in rs})
assert len({id(r["ranks"]) for r in rs}) == len({tuple(r["ranks"]) for r in rs})
# What loading holds at most, in Python's own count: the objects made of a compact result are
# about three times its text, and the text is never held whole beside them, nor the bytes beside
# the text, nor a canonical copy of the document for its digest.
size = os.path.getsize(sys.argv[2])
tracemalloc.start()
gx.load(sys.argv[2], identify=False)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
assert peak < 4 * size, f"loading {size} bytes took up to {peak} bytes"
print(f"# {len(rs)} results, {size} bytes, peak {peak} bytes while loaded", file=sys.stderr)
PY
ok $? "the load: the same document as json.loads (every fixture), keys and small values shared, its peak under 4 x the file's size"

py_check "$top_srcdir/scripts" "$dir/big.json" "$rep" "$dir/broken.json" <<'PY'
import glob, json, os, sys, tracemalloc
sys.path.insert(0, sys.argv[1])
import gxreport as gx
from gxreport import compare
# compare reads a report with gx.load's keep, a result at a time: what it keeps of each is what
# it makes of the whole document's (every fixture too), a report refused is refused with the same
# message, a result broken in the middle of a large one too.
doc = json.load(open(sys.argv[2], encoding="utf-8"))
del doc["results"][8000]["status"]
json.dump(doc, open(sys.argv[4], "w", encoding="utf-8"), separators=(",", ":"))
del doc
keep = compare.reader()
for path in [sys.argv[2], sys.argv[4]] + sorted(glob.glob(os.path.join(sys.argv[3], "*.json"))):
    try:
        want = [keep(r) for r in gx.load(path)["results"]]
    except gx.BadInput as e:
        want = str(e)
    try:
        got = gx.load(path, keep=keep)["results"]
    except gx.BadInput as e:
        got = str(e)
    assert got == want, f"{path}: kept otherwise than read whole: {got!s:.200} vs {want!s:.200}"
    assert path != sys.argv[4] or "results[8000].status: expected a string" in str(got), got
# What it holds at most: what it keeps of each result, never a whole document.
size = os.path.getsize(sys.argv[2])
tracemalloc.start()
gx.load(sys.argv[2], identify=False, keep=compare.reader())
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
assert peak < size, f"reading {size} bytes for compare took up to {peak} bytes"
print(f"# compare's read: peak {peak} bytes", file=sys.stderr)
PY
ok $? "compare's read: each result kept as read whole (every fixture, a broken one alike), its peak under the file's size"

for sub in summary goals; do
    gx_report $sub "$dir/big.json" >"$dir/$sub.out" 2>"$dir/$sub.err"
    r=$?
    [ $r -le 1 ] && [ -s "$dir/$sub.out" ] && [ ! -s "$dir/$sub.err" ]
    ok $? "$sub of the 16,000-result report (exit $r)" || diag <"$dir/$sub.err"
done
gx_report compare "$dir/big.json" "$dir/big-b.json" >"$dir/compare.out" 2>"$dir/compare.err"
r=$?
[ $r -le 1 ] && [ "$(grep -c -- '->' "$dir/compare.out")" -ge 16000 ]
ok $? "compare of two: a row per pair, size and pattern (exit $r)" || diag <"$dir/compare.err"
gx_report compare --json "$dir/big.json" "$dir/big-b.json" >"$dir/compare.json" 2>"$dir/compare.err" &&
    py_check "$dir/compare.json" <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
doc = json.loads(text)
assert len(doc["rows"]) >= 16000, len(doc["rows"])
# The top-level members as json.dumps(indent=1) lays them out, each item of a top-level list
# on a line of its own as json.dumps(item) writes it: a row a line.
lines = text.split("\n")
at = lines.index(' "rows": [') + 1
for i, row in enumerate(doc["rows"]):
    assert lines[at + i] == "  " + json.dumps(row) + ("," if i + 1 < len(doc["rows"]) else ""), i
def member(name, value):
    if isinstance(value, list) and value:
        return json.dumps(name) + ": [\n  " + ",\n  ".join(map(json.dumps, value)) + "\n ]"
    return json.dumps(name) + ": " + json.dumps(value, indent=1).replace("\n", "\n ")
want = "{\n " + ",\n ".join(member(n, v) for n, v in doc.items()) + "\n}\n"
assert text == want, "not the members indented, a list's item a line"
PY
ok $? "compare --json of two: a row per pair, size and pattern, each on a line of its own" ||
    diag <"$dir/compare.err"
cp "$dir/big.json" "$dir/copy.json"
gx_report compare "$dir/big.json" "$dir/copy.json" >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && grep -q 'one report (the same content)' "$dir/err"
ok $? "compare: a copy of the report is still one report given twice" || diag <"$dir/err"

if ! "$PYTHON" -c 'import matplotlib' >/dev/null 2>&1; then
    skip "matplotlib is missing for $PYTHON (apt-get install python3-matplotlib)"
    skip "matplotlib is missing for $PYTHON (apt-get install python3-matplotlib)"
    rm -rf "$dir"
    done_testing
    exit
fi
gx_report plot "$dir/big.json" -o "$dir/big.png" --describe >"$dir/big.desc" 2>"$dir/err" &&
    py_check "$dir/big.desc" "$dir/big.json" <<'PY'
import json, sys
d, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
maps, total = d["heatmaps"], len(doc["matrices"])
assert 0 < len(maps) <= 12, len(maps)
assert d["heatmaps_note"].startswith(f"{len(maps)} of {total} pair matrices drawn"), d["heatmaps_note"]
# A heatmap per path, memory kinds and pattern: the largest size of a bandwidth, the smallest of a
# latency.
def iec(n):
    for shift, suffix in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {suffix}"
    return f"{n} B"
sizes = sorted({m["size"] for m in doc["matrices"]})
for m in maps:
    want = sizes[0] if "(us)" in m["title"] else sizes[-1]
    assert f" {iec(want)} (" in m["title"], (want, m["title"])
    assert m["cells"] > 0 and m["annotations"] == m["cells"], m
# The sizes not in a heatmap are lines: one point per size (the median over the pairs), a line
# per path, memory kinds and run, never per pair.
lines = [s for p in d["line_panels"] for s in p["series"]]
assert lines and all(s["points"] <= len(sizes) for s in lines), lines
assert len(lines) <= 3 * 16, len(lines)
PY
ok $? "plot of 16,000 results: at most 12 heatmaps, what was left out in its note, lines per path not per pair" ||
    diag <"$dir/err"

# More ranks than cells hold values for: colour only, the scale says where the values are.
"$PYTHON" "$top_srcdir/dev/big-report.py" "$rep/base.json" 1560 "$dir/r40.json" --ranks 40 >/dev/null &&
    gx_report plot "$dir/r40.json" -o "$dir/r40.png" --describe >"$dir/r40.desc" 2>"$dir/err" &&
    py_check "$dir/r40.desc" <<'PY'
import json, sys
m, = json.load(open(sys.argv[1]))["heatmaps"]
assert m["ranks"] == 40 and m["cells"] == 40 * 39 and m["annotations"] == 0, m
assert "values in the report" in m["colorbar"], m["colorbar"]
PY
ok $? "a heatmap of 40 ranks: colour only, its scale says the values are in the report" ||
    diag <"$dir/err"

rm -rf "$dir"
done_testing
