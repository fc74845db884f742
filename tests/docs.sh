#!/bin/sh
# The documentation holds together: the README states the two test tiers' commands (CI runs the
# full one), stays short and links
# every page of docs/; every relative link of README.md and docs/*.md names a file that exists
# (in the tarball too: make distcheck runs this) and a heading that is there; each page of docs/
# links back to the README; docs/options.md's table of options is the option table's; results/ is the
# reference runs (two ranks, or a rank per GPU) its one-page README describes, within 2.5 MB; the exit codes' table is the program's.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/docs.XXXXXX")

cmd=$(sed -n '/^# The README.s full-tier test command:/{n;p;q;}' "$top_srcdir/.ci/run")
case $cmd in *" check-full") ;; *) cmd= ;; esac
[ -n "$cmd" ] && grep -qxF "    $cmd" "$top_srcdir/README.md"
ok $? "README.md states the full tier's test command as CI runs it (${cmd:-not found in .ci/run})"
quick=${cmd% check-full}' check'
[ -n "$cmd" ] && grep -qxF "    $quick" "$top_srcdir/README.md"
ok $? "README.md states the quick tier's test command beside it ($quick)"
# The build-and-run command, as CI runs it (its output aside).
cmd=$(sed -n '/^# The README.s build-and-run command/{:a;n;/^#/ba;p;q;}' "$top_srcdir/.ci/run" |
    sed 's/ *>first-run.log 2>&1$//')
[ -n "$cmd" ] && grep -qxF "    $cmd" "$top_srcdir/README.md" &&
    [ "$(grep -c '^    .*make -j' "$top_srcdir/README.md")" -eq 3 ]
ok $? "README.md states the build-and-run command CI runs first ($cmd), the three commands alone"
# Every command line of the README works as root and as a user: no sudo on one (a root shell
# in a fresh container has none), no unbounded make -j.
bad=$(grep -nE '^    (.*[;&|] *)?sudo |make -j( |$)|make -j[^"0-9]' "$top_srcdir/README.md")
[ -z "$bad" ]
ok $? "README.md's command lines: no sudo, no unbounded make -j" || echo "$bad" | diag
# The README's package list holds the Debian packages that the build, the default run and the
# test suite's core need, each of which CI installs too (the rest of CI's list serves optional
# tests: docs/building.md).
pkgs=" $(grep -E '^    apt-get install' "$top_srcdir/README.md") "
missing=""
for p in build-essential autoconf automake pkg-config libopenmpi-dev openmpi-bin libhwloc-dev \
    libcjson-dev hwloc python3 python3-jsonschema python3-matplotlib groff-base clang; do
    case $pkgs in *" $p "*) ;; *) missing="$missing $p" ;; esac
    grep -qE "(^| )$p( |$)" "$top_srcdir/.ci/run" || missing="$missing $p(not in .ci/run)"
done
[ -z "$missing" ]
ok $? "README.md's apt-get line has every package the build and the tests need, as CI" ||
    echo "missing:$missing" | diag

py_check "$top_srcdir" <<'PY'
import os, re, sys
top = sys.argv[1]
docs = sorted(f for f in os.listdir(os.path.join(top, "docs")) if f.endswith(".md"))
pages = ["README.md"] + ["docs/" + f for f in docs]
bad = []

def slugs(path):
    """GitHub's anchors for the headings of a Markdown file."""
    out, seen, fence = set(), {}, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        m = None if fence else re.match(r"^#{1,6} +(.*?) *#* *$", line)
        if m:
            s = re.sub(r"[^\w\- ]", "", m.group(1).lower().replace("`", "")).replace(" ", "-")
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else f"{s}-{n}")
    return out

for page in pages:
    path = os.path.join(top, page)
    text = open(path, encoding="utf-8").read()
    # Links outside code spans and indented code blocks.
    prose = "\n".join(l for l in text.split("\n") if not l.startswith("    "))
    prose = re.sub(r"`[^`\n]*`", "", prose)
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
        if not os.path.exists(dest):
            bad.append(f"{page}: link to {target}: no file {os.path.relpath(dest, top)}")
        elif anchor and dest.endswith(".md") and anchor not in slugs(dest):
            bad.append(f"{page}: link to {target}: no heading #{anchor} there")
    if page != "README.md":
        head = text.split("\n\n")  # the title, then the paragraph that says what the page holds
        if not head[0].startswith("# ") or len(head) < 2 or "(../README.md)" not in head[1]:
            bad.append(f"{page}: does not start with a title and a line linking back to the README")

readme = open(os.path.join(top, "README.md"), encoding="utf-8").read()
for f in docs:
    if f"(docs/{f})" not in readme:
        bad.append(f"README.md: no link to docs/{f}")
lines = readme.count("\n")
if lines > 150:
    bad.append(f"README.md: {lines} lines, more than the 150 a newcomer reads in five minutes")
if "<!--" not in readme and "What the default run prints" not in readme:
    bad.append("README.md: no section on what the default run prints")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
ok $? "README.md and docs/*.md: every relative link resolves, each page links back, the README links every page and stays short"

# The reference runs: gpuxfer's own reports of the default run (valid against the schema,
# complete), each named after the GPU its context records and how many (h200-2gpu-...), every
# one in the README's table with its GPU (2 x NAME for two), start and length, the README one
# page and nothing else in results/ but them and their expectations (results/expectations/),
# within the 2.5 MB the folder may take (a report of four GPUs with their counters is about 200 KB).
ref=$top_srcdir/results/reference
bad=""
for f in "$ref"/*.json; do
    [ -f "$f" ] || continue
    "$PYTHON" "$top_srcdir/tests/check_report.py" "$f" >"$dir/ref.txt" 2>&1 ||
        bad="$bad $(basename "$f"): $(head -n 3 "$dir/ref.txt" | tr '\n' ' ')"
done
[ -z "$bad" ]
ok $? "results/reference/*.json are valid gpuxfer reports" || echo "$bad" | diag
py_check "$top_srcdir/results" <<'PY'
import datetime, json, os, re, sys
res = sys.argv[1]
ref = os.path.join(res, "reference")
bad = []
files = sorted(f for f in os.listdir(ref) if f.endswith(".json")) if os.path.isdir(ref) else []
if not files:
    bad.append("results/reference/: no report")
readme = open(os.path.join(res, "README.md"), encoding="utf-8").read()
if readme.count("\n") > 60:
    bad.append(f"results/README.md: {readme.count(chr(10))} lines, more than one page (60)")
rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([^`]+\.json)` \|.*$", readme, re.M)}
stamp = lambda t: datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ")
for f in files:
    d = json.load(open(os.path.join(ref, f)))
    ranks = d["context"]["ranks"]
    gpus = {r.get("gpu", {}).get("name") for r in ranks}
    bus = {r.get("gpu", {}).get("pci_bus_id") for r in ranks}
    name = gpus.pop() if len(gpus) == 1 else None
    if d["tool"]["name"] != "gpuxfer" or d["status"] != "complete" or d["exit_code"] != 0:
        bad.append(f"{f}: not a complete gpuxfer run")
    # --quiet (no progress line) and --force (overwrite) change nothing that is measured.
    words = [w for w in d["command_line"] if w not in ("--quiet", "--force")]
    # Two ranks, or one rank per GPU on more (the node's map is in their default run).
    if words[1:2] != ["--output"] or len(words) != 3 or len(ranks) not in (2, len(bus)):
        bad.append(f"{f}: not the default run of two ranks or a rank per GPU (gpuxfer --output FILE): {d['command_line']}")
    if not name or not f.startswith(name.split()[1].lower() + "-") or f"-{len(bus)}gpu-" not in f:
        bad.append(f"{f}: its name does not say its GPU and how many ({sorted(map(str, gpus | {name}))}, {len(bus)} GPUs)")
    took = (stamp(d["end_time"]) - stamp(d["start_time"])).total_seconds()
    want = [name if len(bus) == 1 else f"{len(bus)} x {name}", d["start_time"][:19].replace("T", " "),
            f"{took:.1f} s"]
    row = rows.pop(f, None)
    if row is None:
        bad.append(f"results/README.md: no row for {f}")
    elif any(w is None or f"| {w} |" not in row for w in want):
        bad.append(f"results/README.md: the row of {f} should read {want}: {row}")
for f in rows:
    bad.append(f"results/README.md: a row for {f}, which is not in results/reference/")
size = 0
for root, _, names in os.walk(res):
    for n in names:
        p = os.path.join(root, n)
        size += os.path.getsize(p)
        exp = os.path.join(res, "expectations")
        if p != os.path.join(res, "README.md") and not (root == ref and n.endswith(".json")) \
                and not (root == exp and (n.endswith(".json") or n == "README.md")):
            bad.append(f"results/: {os.path.relpath(p, res)} is neither the README, a reference "
                       "run nor expectations made of them")
if size > 5 * 512 * 1024:
    bad.append(f"results/: {size} bytes, more than 2.5 MB")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
ok $? "results/: the reference runs, each in the README's table with its GPU, start and length; one page; within 2.5 MB"

gx_mpirun 1 --help >"$dir/help" 2>&1
opts=$(sed -n 's/^  --\([a-z-]*\).*/\1/p' "$dir/help")
absent=""
for o in $opts help version; do
    grep -q -- "\`--$o[\` ]" "$top_srcdir/docs/options.md" || absent="$absent --$o"
done
[ -n "$opts" ] && [ -z "$absent" ]
ok $? "docs/options.md has every option --help lists ($(echo $opts | wc -w) options)" ||
    { echo "not in docs/options.md:$absent"; head -n 20 "$dir/help"; } | diag
# Its table of options is the option table's, as make options-md writes it.
"$top_builddir/src/gx-help" --markdown >"$dir/table.md" &&
    sed -n '/^<!-- the option table, generated/,/^<!-- end of the generated table -->/p' \
        "$top_srcdir/docs/options.md" | sed '1d;$d' >"$dir/table.doc" &&
    [ -s "$dir/table.md" ] && cmp -s "$dir/table.doc" "$dir/table.md"
ok $? "docs/options.md's table of options is the option table's (make options-md)" ||
    diff "$dir/table.doc" "$dir/table.md" | head -20 | diag

# docs/reliability.md's table of exit codes is the program's (GX_EXIT_CODES in src/base/gx.h,
# each code's number its GX_CODE_ macro):
# every code, with its report status ((none) where no report is written), nothing else.
"$PYTHON" - "$top_srcdir/src/base/gx.h" "$top_srcdir/docs/reliability.md" >"$dir/exit" 2>&1 <<'PY'
import re, sys
src = open(sys.argv[1]).read()
table = src[src.index("#define GX_EXIT_CODES(X)"):src.index("#define GX_RC_ENUM")]
number = dict(re.findall(r"#define (GX_CODE_\w+) (\d+)", src))
codes = {int(number[c]): (None if st == "NULL" else st.strip('"'))
         for c, st in re.findall(r"X\(GX_\w+, (GX_CODE_\w+), (NULL|\"\w+\")", table)}
rows = {int(c): st for c, st in re.findall(r"^\| (\d+) \| (`\w+`|\(none\)) \|",
                                           open(sys.argv[2]).read(), re.M)}
want = {c: "(none)" if st is None else f"`{st}`" for c, st in codes.items()}
if len(codes) < 9 or rows != want:
    print(f"the program's {want}\ndocs/reliability.md's {rows}")
    sys.exit(1)
PY
ok $? "docs/reliability.md's exit codes and report statuses are the program's table" ||
    diag <"$dir/exit"

# The prose lists of exit codes (docs/options.md's "Exit status:", the README's "The exit status
# says how the run went:") name the table's codes, in its order, and no other.
"$PYTHON" - "$top_srcdir/src/base/gx.h" "$top_srcdir/docs/options.md" "$top_srcdir/README.md" \
    >"$dir/exit-lists" 2>&1 <<'PY'
import re, sys
src = open(sys.argv[1]).read()
table = src[src.index("#define GX_EXIT_CODES(X)"):src.index("#define GX_RC_ENUM")]
number = dict(re.findall(r"#define (GX_CODE_\w+) (\d+)", src))
codes = [int(number[c]) for c in re.findall(r"X\(GX_\w+, (GX_CODE_\w+),", table)]
bad = 0
for path, start, end, sep in ((sys.argv[2], "Exit status:", "See [Reliability]", ";"),
                              (sys.argv[3], "The exit status says how the run went:", "(`", ",")):
    text = open(path).read()
    at = text.index(start)
    said = text[at:text.index(end, at)].replace("\n", " ")
    listed = [int(c) for c in re.findall(r"(?:%s|%s) (\d+) " % (re.escape(start), sep), said)]
    if listed != codes:
        print(f"{path}: lists {listed}, the program's table {codes}")
        bad = 1
sys.exit(bad)
PY
ok $? "docs/options.md's and the README's lists of exit codes are the program's table" ||
    diag <"$dir/exit-lists"

# docs/report.md's table of CSV columns names the columns of the result's fields table
# (src/base/result_fields.h: CSV(place) or CSVAS(place, "name")), in their order, then csv.c's
# own after them ([COL_HOST] = "host", ...).
"$PYTHON" - "$top_srcdir/src/base/result_fields.h" "$top_srcdir/docs/report.md" \
    "$top_srcdir/src/report/csv.c" >"$dir/csv-cols" 2>&1 <<'PY'
import re, sys
src = open(sys.argv[1]).read()
table = src[src.index("#define GX_RESULT_FIELDS(X)"):]
cols = {}
for row in re.split(r"\n\s+X\(", table)[1:]:
    m = re.search(r"CSV\((\d+)\)|CSVAS\((\d+), \"(\w+)\"\)", row)
    if m:
        cols[int(m.group(1) or m.group(2))] = m.group(3) or row.split(",")[0]
want = [cols[i] for i in sorted(cols)]
after = re.findall(r'\[COL_\w+\] = "(\w+)"', open(sys.argv[3]).read())
doc = open(sys.argv[2]).read()
part = doc[doc.index("## CSV"):doc.index("## Compare and plot")]
said = [c for row in re.findall(r"^\| (`.*?) \|", part, re.M) for c in re.findall(r"`(\w+)`", row)]
if len(want) < 30 or not after or said != want + after or sorted(cols) != list(range(len(cols))):
    print(f"the table's columns {want}, csv.c's {after}\ndocs/report.md's {said}")
    sys.exit(1)
PY
ok $? "docs/report.md's CSV columns are the result's fields table's, in order" ||
    diag <"$dir/csv-cols"

rm -rf "$dir"
done_testing
