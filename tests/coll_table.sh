#!/bin/sh
# The collectives' table (GX_COLLECTIVES in src/base/coll.h) is the one place a collective is
# described: --list, --help and --help-all take their collectives from its rows in its order;
# the schema's names, docs/report.md's table and the report tools' names agree with it; no code
# of src/ or kernels/ outside it names one by its ID; and a test build with one more row
# (tests/toy_collective.h, in tests/gpuxfer_coll) lists, measures, validates and reports a
# reduce from that row alone.
. "${top_srcdir:-.}/tests/lib.sh"
coll="$(dirname "$GPUXFER")/../tests/gpuxfer_coll"
[ -x "$coll" ] || coll="$PWD/tests/gpuxfer_coll"
dir=$(mktemp -d "$TEST_TMP/coll_table.XXXXXX")

# rows FILE...: the rows' ID, name, sums, shape, root and words as JSON, one row a line.
rows() {
    "$PYTHON" - "$@" <<'PY'
import json, re, sys
row = re.compile(r'X\((\w+), "([^"]+)", (\d), (GX_SHAPE_\w+), (GX_ROOT_\w+),[^\n]*\n'
                 r'\s*"((?:[^"\\]|\\.)*)",[ \\]*\n\s*"((?:[^"\\]|\\.)*)",')
for f in sys.argv[1:]:
    for m in row.finditer(open(f).read()):
        print(json.dumps(dict(zip(("id", "name", "sums", "shape", "root", "what", "in_place_what"),
                                  m.groups()))))
PY
}
rows "$top_srcdir/src/base/coll.h" >"$dir/rows"
rows "$top_srcdir/src/base/coll.h" "$top_srcdir/tests/toy_collective.h" >"$dir/toy-rows"
nrows=$(wc -l <"$dir/rows")
[ "$nrows" -ge 5 ] && [ "$(wc -l <"$dir/toy-rows")" -eq $((nrows + 1)) ]
ok $? "the table's rows read from coll.h, the toy's one more ($nrows and 1)" ||
    diag <"$dir/rows"

# lists BINARY ROWS LABEL: --list patterns, --help and --help-all against the rows.
lists() {
    "$1" --list patterns >"$dir/list" 2>&1 && "$1" --help >"$dir/help" 2>&1 &&
        "$1" --help-all >"$dir/help-all" 2>&1
    ok $? "$3: --list patterns, --help and --help-all (exit 0)" || return
    py_check "$2" "$dir/list" "$dir/help" "$dir/help-all" <<'PY'
import json, re, sys
rows = [json.loads(ln) for ln in open(sys.argv[1])]
names = [r["name"] for r in rows]
listed = open(sys.argv[2]).read().split()
bad = []
colls = [p for p in listed if p.removesuffix("-inplace") in names]
if colls != names + [n + "-inplace" for n in names]:
    bad.append(f"--list patterns: {colls}, the table: {names} then each -inplace")
if [p for p in listed if p.endswith("-inplace") and p not in colls]:
    bad.append(f"--list patterns: an in-place form of no row: {listed}")
m = re.search(r"^Collectives \(.*\):\n((?:  .*\n)+)", open(sys.argv[3]).read(), re.M)
said = m and " ".join(m.group(1).split()).split(", ")
if said != names:
    bad.append(f"--help's collectives: {said}, the table: {names}")
text = " ".join(open(sys.argv[4]).read().split())
for r in rows:
    for name, what in ((r["name"], r["what"]), (r["name"] + "-inplace", r["in_place_what"])):
        if f" {name} {what}" not in text:
            bad.append(f"--help-all: no '{name}' with its row's words '{what}'")
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
    ok $? "$3: --list, --help and --help-all: the table's collectives, in its order, with its words"
}
lists "$GPUXFER" "$dir/rows" "gpuxfer"
lists "$coll" "$dir/toy-rows" "the toy build"

py_check "$dir/rows" "$top_srcdir" <<'PY'
import json, os, re, sys
rows = [json.loads(ln) for ln in open(sys.argv[1])]
names = [r["name"] for r in rows]
top = sys.argv[2]
bad = []

def ops(node):
    """The enum of a collective object's op, wherever the schema holds one."""
    if isinstance(node, dict):
        op = node.get("collective", {}).get("properties", {}).get("op", {})
        if "enum" in op:
            yield op["enum"]
        for v in node.values():
            yield from ops(v)
    elif isinstance(node, list):
        for v in node:
            yield from ops(v)

found = list(ops(json.load(open(os.path.join(top, "schema/gpuxfer-report.schema.json")))))
if found != [names]:
    bad.append(f"schema: the collective's op enums {found}, the table: {names}")
doc = open(os.path.join(top, "docs/report.md")).read()
m = re.search(r"^\| collective \|.*\n\|[-| ]+\|\n((?:\|.*\n)+)", doc, re.M)
table = m and [ln.split("|")[1].strip() for ln in m.group(1).splitlines()]
if table != names:
    bad.append(f"docs/report.md's table of collectives: {table}, the table: {names}")
sys.path.insert(0, os.path.join(top, "scripts"))
from gxreport import summary  # noqa: E402
split = ("GX_SHAPE_IN_BLOCK", "GX_SHAPE_OUT_BLOCK", "GX_SHAPE_BLOCKS")
for n in set(summary.REDUCES) | set(summary.SPLITS):
    r = next((r for r in rows if r["name"] == n), None)
    if not r or (n in summary.REDUCES) != (r["sums"] == "1") or \
            (n in summary.SPLITS) != (r["shape"] in split):
        bad.append(f"summary.py's REDUCES and SPLITS on {n}: not the table's row {r}")
for f in sorted(os.listdir(os.path.join(top, "scripts/gxreport"))):
    text = open(os.path.join(top, "scripts/gxreport", f)).read() if f.endswith(".py") else ""
    for n in names:
        if f != "summary.py" and re.search(f"[\"']{re.escape(n)}[\"']", text):
            bad.append(f"scripts/gxreport/{f} names the collective {n}")
ids = "|".join(r["id"] for r in rows)
for base in ("src", "kernels"):
    for root, _, files in os.walk(os.path.join(top, base)):
        for f in files:
            path = os.path.join(root, f)
            if not re.search(r"\.(c|h|cu|cuh)$", f) or path.endswith("src/base/coll.h"):
                continue
            for i, ln in enumerate(open(path, errors="replace"), 1):
                if re.search(rf"\bGX_COLL_({ids})\b", ln):
                    bad.append(f"{os.path.relpath(path, top)}:{i}: names a row: {ln.strip()}")
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "the schema, docs/report.md and the report tools agree with the table; no code names a row"

# The toy's reduce, measured from its row alone: nccl-tests' count, type and busbw factor,
# validated every iteration by its first rank, in place and out of place.
GPUXFER=$coll
gx_mpirun_table "$dir/toy.txt" 3 --pairs job --path host --pattern reduce,reduce-inplace \
    --sizes 8,64K --iters 5 --visits 1 --validate all --output "$dir/toy.json" \
    >"$dir/toy.err" 2>&1
ok $? "the toy build: 3 ranks, --pattern reduce,reduce-inplace (exit 0)" || diag <"$dir/toy.err"
py_check "$dir/toy.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
bad = [r["pattern"] + " " + str(r["size"]) for r in rs
       if r["status"] != "ok" or r["validation"]["status"] != "passed"
       or r["collective"]["op"] != "reduce" or r["collective"]["type"] != "float"
       or r["collective"]["count"] != r["size"] // 4 or r["collective"]["busbw_factor"] != 1
       or r["collective"]["in_place"] != r["pattern"].endswith("-inplace")]
if bad:
    print("\n".join(bad))
sys.exit(0 if len(rs) == 4 and not bad else 1)
PY
ok $? "the toy's 4 results: op reduce, float, count size/4, busbw factor 1, every check passed"
grep -q 'reduce over 3 ranks, busbw = algbw x 1' "$dir/toy.txt"
ok $? "the table has the reduce's block" || diag <"$dir/toy.txt"
py_check "$dir/toy.json" "$top_srcdir" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(sys.argv[2], "scripts"))
import gxreport as gx  # noqa: E402
from gxreport import plot  # noqa: E402
doc = gx.load(sys.argv[1], keep=plot.plotted)
lines = sorted((ln[1], ln[4]) for ln in plot.lines_of([doc], ["toy"], False))
if [(p, n.rsplit(" ", 1)[1]) for p, n in lines] != [("reduce, busbw", "in-place"),
                                                    ("reduce, busbw", "out-of-place")]:
    sys.exit(f"the plot's facets and lines: {lines}")
PY
ok $? "gpuxfer-report plot: the reduce's facet in busbw, its two forms two lines of it"
GPUXFER_FAULT=corrupt:rank=0:size=4K:offset=1000 gx_mpirun 3 --pairs job --path host \
    --pattern reduce --sizes 4K --iters 5 --visits 1 --quiet --output "$dir/corrupt.json" \
    >"$dir/corrupt.txt" 2>&1
r=$?
[ $r -eq 1 ] && grep -q "pattern reduce size 4096 group 0..2: first bad byte at offset 1000" \
    "$dir/corrupt.txt"
ok $? "a corrupt byte in the first rank's result fails the reduce (exit 1, got $r)" ||
    diag <"$dir/corrupt.txt"
done_testing
