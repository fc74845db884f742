#!/bin/sh
# gpuxfer-report plot: PNG and SVG files from constructed reports and a real run; what it draws (read
# back with --describe: lines, bands, styles, legend, heatmap cells and scale); bad input.
# gpuxfer-report summary: never merges memory kinds or runs. A comparison of recorded runs
# (tests/reports/ab-btl): each configuration's runs as points, in its colour, with the ceilings.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/plot.XXXXXX")
rep="$top_srcdir/tests/reports"
plot() { "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" plot "$@"; }
summary() { "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" summary "$@"; }

if ! "$PYTHON" -c 'import matplotlib' >/dev/null 2>&1; then
    skip "matplotlib is missing for $PYTHON (apt-get install python3-matplotlib)"
    rm -rf "$dir"
    done_testing
    exit
fi

plot "$rep/base.json" "$rep/slower.json" -o "$dir/two.png"
ok $? "two reports -> PNG: exit 0"
[ -s "$dir/two.png" ] && head -c 8 "$dir/two.png" | od -An -c | grep -q 'P   N   G'
ok $? "the PNG is non-empty and is a PNG"
plot "$rep/base.json" "$rep/slower.json" -o "$dir/two.svg" --describe >"$dir/two.json" &&
    py_check "$dir/two.json" <<'PY'
import json, sys
for p in json.load(open(sys.argv[1]))["line_panels"]:
    assert len(p["series"]) == 2 and p["series"][0]["color"] != p["series"][1]["color"], p
PY
ok $? "two reports: a colour each in every facet"
# The line rate of the links crossed (schema 2.7's line_gbs), dash-dotted where results have one.
"$PYTHON" - "$rep/base.json" "$dir/line.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["unit"] == "GB/s":
        r["line_gbs"] = 25.0
json.dump(d, open(sys.argv[2], "w"))
PY
plot "$dir/line.json" -o "$dir/line.svg" --describe >"$dir/line.out" && py_check "$dir/line.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = {p["title"].split(":")[0] + " " + p["ylabel"]: [s["line_rate_points"] for s in p["series"]]
       for p in d["line_panels"]}
assert got == {"host us": [0], "host GB/s": [3]}, got
assert any("line rate of the links crossed" in e for e in d["legend"]["entries"]), d["legend"]
PY
ok $? "line rates: dash-dotted at each bw size that has one, none for latency, a legend entry"
plot "$rep/base.json" -o "$dir/one.svg" && grep -q '<svg' "$dir/one.svg" &&
    grep -q 'message size (bytes)' "$dir/one.svg" && grep -q 'latency, one way (us)' "$dir/one.svg"
ok $? "SVG: non-empty, axes labelled with units"
plot "$rep/matrix.json" -o "$dir/matrix.svg" && grep -q 'receiver rank' "$dir/matrix.svg" &&
    grep -q 'sender rank' "$dir/matrix.svg"
ok $? "a report with a pair matrix gets its heatmap"

# A constructed sweep (tests/reports/make-fixtures.py's helpers): MPI on pinned host memory
# and on device buffers (1 B: 0.75 us vs 10.6 us), p2p with --chunk auto (run all-paths) and
# a chunk x depth grid at two sizes (run chunk-sweep) on two pairs, NCCL in a run up to 64K and
# another from 64K+1, and the same run name twice; a 16 x 16 matrix with ceilings.
"$PYTHON" - "$rep" "$dir" <<'PY'
import importlib.util, json, os, random, sys
spec = importlib.util.spec_from_file_location("fx", os.path.join(sys.argv[1], "make-fixtures.py"))
fx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fx)
rng = random.Random(16)
res = []
def add(path, mem, pattern, size, value, run, ranks=(0, 1), **extra):
    r = fx.result(pattern, size, fx.noisy(rng, value, n=20), False, path=path, ranks=ranks)
    r.update(mem={"src": mem, "dst": mem}, run=run, **extra)
    res.append(r)
for size in (1, 1024, 65536, 1 << 20):
    add("mpi", "pinned", "latency", size, 0.75 + size / 1e4, "host")
    add("mpi", "device", "latency", size, 10.6 + size / 1e5, "all-paths")
    add("mpi", "pinned", "bw", size, size / 1e5, "host")
    add("mpi", "device", "bw", size, size / 2e5, "all-paths")
    for pair in ((0, 1), (2, 3)):
        add("p2p", "device", "bw", size, size / 3e4, "all-paths", pair, chunk=size, depth=1,
            chunk_auto=True)
for size in (65536, 1 << 20):
    for chunk in (16384, 65536):
        for depth in (1, 2):
            add("p2p", "device", "bw", size, size / 1e5 * depth * chunk / 65536, "chunk-sweep",
                chunk=chunk, depth=depth)
for size in (8, 1024, 65536):
    add("nccl", "device", "latency", size, 15 + size / 1e4, "small")
for size in (65537, (1 << 20) + 1):
    add("nccl", "device", "latency", size, 40 + size / 1e4, "odd")
for run in ("again", "again"):
    for size in (8, 1024):
        add("nccl", "device", "latency", size, 20, run)
with open(os.path.join(sys.argv[2], "sweep.json"), "w") as f:
    json.dump(fx.report(res), f)
n, res, vals = 16, [], []
for a in range(n):
    vals.append([])
    for b in range(n):
        v = None if a == b else round(380 * (1 + rng.uniform(-0.01, 0.01)), 3)
        vals[-1].append(v)
        if v is not None:
            res.append(dict(fx.result("bw", 1 << 26, [v], False, path="p2p", ranks=(a, b)),
                            mem={"src": "device", "dst": "device"}, ceiling=390.0,
                            ceiling_what="peer copy at 64M"))
doc = fx.report(res, matrices=[{"path": "p2p", "pattern": "bw", "size": 1 << 26, "unit": "GB/s",
                                "mem": {"src": "device", "dst": "device"}, "ranks": n,
                                "values": vals}])
with open(os.path.join(sys.argv[2], "matrix16.json"), "w") as f:
    json.dump(doc, f)
PY
ok $? "constructed a sweep and a 16 x 16 matrix"

plot "$dir/sweep.json" -o "$dir/sweep.png" --describe >"$dir/sweep.desc" &&
    plot "$dir/sweep.json" -o "$dir/sweep-all.png" --all-chunks --describe >"$dir/all.desc"
ok $? "the sweep plots, by default and --all-chunks, with --describe"
py_check "$dir/sweep.desc" "$dir/all.desc" <<'PY'
import json, sys
d, a = (json.load(open(p)) for p in sys.argv[1:3])
# A facet (subplot) per path and pattern, titled "PATH: PATTERN, ... (UNIT)", log axes.
for p in d["line_panels"]:
    path = p["title"].split(":")[0]
    assert all(s["name"].split()[0] == path for s in p["series"]), p
    assert p["yscale"] == "log", p
lat = [p for p in d["line_panels"] if ": latency, one way (us)" in p["title"]]
bw = [p for p in d["line_panels"] if ": bw, one way (GB/s)" in p["title"]]
assert len(lat) + len(bw) == len(d["line_panels"]) and all(p["ylabel"] == "us" for p in lat)
assert [p["title"].split(":")[0] for p in lat] == ["mpi", "nccl"], [p["title"] for p in lat]
assert [p["title"].split(":")[0] for p in bw] == ["mpi", "p2p"], [p["title"] for p in bw]
names = lambda ps: {s["name"]: s for p in ps for s in p["series"]}  # noqa: E731
L, B = names(lat), names(bw)
print("latency:", sorted(L), "\nbw:", sorted(B))
# Memory kinds and runs are lines of their own, never joined.
assert set(L) == {"mpi pinned>pinned", "mpi device>device", "nccl device>device [small]",
                  "nccl device>device [odd]", "nccl device>device [again]",
                  "nccl device>device [again#2]"}, sorted(L)
assert L["nccl device>device [small]"]["points"] == 3 and L["nccl device>device [odd]"]["points"] == 2
assert L["nccl device>device [again]"]["points"] == 2 == L["nccl device>device [again#2]"]["points"]
# The best chunk/depth per size: a point per size, not a line per chunk.
assert set(B) == {"mpi pinned>pinned", "mpi device>device", "p2p device>device [all-paths]",
                  "p2p device>device [chunk-sweep]"}, sorted(B)
assert B["p2p device>device [chunk-sweep]"]["points"] == 2 and B["p2p device>device [all-paths]"]["points"] == 4
# Every line has its p5..p95 band; no two lines look the same; a colour per path.
series = [s for p in d["line_panels"] for s in p["series"]]
assert all(s["band"] for s in series)
look = {s["name"]: (s["color"], s["linestyle"], s["marker"]) for s in series}
assert len(set(look.values())) == len(look), look
colour = {}
for s in series:
    colour.setdefault(s["name"].split()[0], set()).add(s["color"])
assert all(len(c) == 1 for c in colour.values()) and len({min(c) for c in colour.values()}) == 3, colour
# The legend below the facets, outside the data: what a line, a band and a dotted line are.
leg = d["legend"]
assert leg["outside"] and leg["entries"][:2] == ["the median over the pairs",
                                                "band: p5..p95 (over the pairs: lowest to highest)"], leg
# --all-chunks: a line per chunk/depth of the grid and one for --chunk auto.
A = names([p for p in a["line_panels"] if ": bw, " in p["title"]])
assert len(A) == 2 + 1 + 4 and "p2p device>device [chunk-sweep] chunk 64K/2" in A, sorted(A)
assert "p2p device>device [all-paths] chunk auto" in A, sorted(A)
PY
ok $? "plot: a line per path, memory kinds and run; best chunk/depth per size; bands; distinct looks; legend outside"

plot "$dir/matrix16.json" "$rep/matrix.json" -o "$dir/m16.png" --describe >"$dir/m16.desc"
ok $? "two reports, one with a 16 x 16 matrix, plot"
py_check "$dir/m16.desc" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["line_panels"] == [] and "legend" not in d, "every result of both is in a heatmap"
big, small = d["heatmaps"]
print(json.dumps(d["heatmaps"], indent=1))
assert big["title"].startswith("p2p bw 64 MiB (GB/s)") and small["title"].startswith("host bw 1 MiB (GB/s)")
assert big["cells"] == 240 == big["annotations"] and small["cells"] == 12 == small["annotations"]
assert big["fontsize"] >= 6, "16 x 16 values stay readable"
assert big["vmin"] == 0 and big["vmax"] == 390 and big["ceiling"] and "ceiling" in big["colorbar"]
assert small["vmin"] == 0 and small["vmax"] == 10.3 and not small["ceiling"]
assert big["colorbar"].startswith("GB/s") and "largest value" in small["colorbar"]
PY
ok $? "heatmaps: a value in each measured cell, readable at 16 x 16, size and unit in the title, scale from 0 to the ceiling or the largest value"
# A grid a screen holds: two heatmaps a row, 16 ranks included, the figure within 1900
# pixels wide (1892 x 880 here), each colour bar's ticks and label clear of the other heatmap.
png_fits "$dir/m16.png" "$dir/m16.desc" 1900 2200
ok $? "heatmaps of 16 and 4 ranks: at most 1900 x 2200 pixels, colour bars clear"
# A PNG is the canvas drawn once, which --describe reads too (savefig would draw it twice): the
# same pixels and --describe as savefig's, which a matplotlibrc asking it for a background gets.
mkdir -p "$dir/rc" && echo "savefig.facecolor: white" >"$dir/rc/matplotlibrc"
MPLCONFIGDIR=$dir/rc plot "$dir/matrix16.json" "$rep/matrix.json" -o "$dir/m16-saved.png" \
    --describe >"$dir/m16-saved.desc" &&
    MPLCONFIGDIR=$dir/rc plot "$dir/sweep.json" -o "$dir/sweep-saved.png" --describe >"$dir/sweep-saved.desc" &&
    cmp "$dir/m16.desc" "$dir/m16-saved.desc" && cmp "$dir/sweep.desc" "$dir/sweep-saved.desc" &&
    py_check "$dir" <<'PY'
import os, sys
import numpy as np
from matplotlib import image
for name in ("m16", "sweep"):
    a, b = (image.imread(os.path.join(sys.argv[1], f)) for f in (name + ".png", name + "-saved.png"))
    assert a.shape == b.shape and np.array_equal(a, b), name
PY
ok $? "a PNG drawn once: the same pixels and --describe as savefig writes"

summary "$dir/sweep.json" >"$dir/sum.txt"
ok $? "summary of the sweep: exit 0"
py_check "$dir/sum.txt" <<'PY'
import sys
text = open(sys.argv[1]).read()
print(text)
tables = [t.strip().splitlines() for t in text.split("\n\n") if t.strip()]
lat, bw, *notes = tables
# its bandwidths below 0.01 GB/s in MB/s, as gpuxfer's table prints them: an M, a line says so
assert [n[0][:30] for n in notes] == ["# M after a value: MB/s, as ba"], notes
assert next(l.split() for l in bw if l.split()[0] == "1")[1:3] == ["0.00500M", "0.01000M"], bw
assert lat[0].startswith("latency (us") and bw[0].startswith("bw (GB/s"), tables
heads = [l.split() for l in lat[1:4]]
# columns: mpi device>device, mpi pinned>pinned, nccl x 4 runs
assert heads[0] == ["mpi", "mpi", "nccl", "nccl", "nccl", "nccl"], heads
assert heads[1] == ["device>device", "pinned>pinned"] + ["device>device"] * 4, heads
assert heads[2] == ["size", "[again]", "[again#2]", "[odd]", "[small]"], heads
one = next(l.split() for l in lat if l.split()[0] == "1")
assert 10 < float(one[1]) < 11.5 and 0.7 < float(one[2]) < 0.8, one
assert any(l.split()[0] == "64K+1" for l in lat), "a size just above 64K"
assert bw[1].split()[-2:] == ["p2p", "p2p"] and bw[3].split()[-2:] == ["[all-paths]", "[chunk-sweep]"], bw
PY
ok $? "summary: a column per path and memory kinds, and per run where they share both"

out="$dir/run.json"
gx_mpirun 2 --pattern latency,bw --sizes 1:4K --iters 5 --quiet --output "$out" >/dev/null 2>&1 &&
    plot "$out" -o "$dir/run.png" && [ -s "$dir/run.png" ]
ok $? "a real gpuxfer report plots"
check_report "$out" && py_check "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["summary"]
assert rows and all(r["src_mem"] == "pageable" == r["dst_mem"] and "run" not in r for r in rows), rows
assert len({(r["path"], r["src_mem"], r["dst_mem"], r["pattern"], r["size_class"]) for r in rows}) == len(rows)
PY
ok $? "the real report's summary[]: valid, a row per path, memory kinds, pattern and size class"

# A comparison (tests/reports/ab-btl: 5 runs of shared memory, 5 of TCP, recorded with ceilings):
# a colour per configuration, each run's median a point, the ceilings dotted.
plot "$rep/ab-btl" -o "$dir/ab.png" --describe >"$dir/ab.json" 2>"$dir/ab.err" && [ -s "$dir/ab.png" ] &&
    py_check "$dir/ab.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
panels = d["line_panels"]
assert [p["title"].split(",")[0] for p in panels] == ["host: latency", "host: bw"], panels
for p in panels:
    series = p["series"]
    assert len(series) == 2 and series[0]["color"] != series[1]["color"], series
    for s in series:
        assert s["run_points"] == 5 * s["points"] and s["points"] == 8, s
        assert 0 < s["ceiling_points"] <= s["points"], s
entries = d["legend"]["entries"]
assert any(e.startswith("A: ") and "cfg-0-GX_BTL=default (5 runs)" in e for e in entries), entries
assert any(e.startswith("B: ") and "OMPI_MCA_btl=self,tcp" in e for e in entries), entries
assert "a run's median" in entries and "measured ceiling" in entries and d["legend"]["outside"]
assert d["heatmaps"] == []
PY
ok_diag $? "$dir/ab.err" "a comparison (sweep folder): a colour per configuration, 5 run points per size, ceilings, legend outside"
set -- "$rep"/ab-btl/cfg-1-*/run*.json
plot "$rep"/ab-btl/cfg-0-*/run1.json "$rep"/ab-btl/cfg-0-*/run2.json -- "$@" -o "$dir/ab2.svg" --describe >"$dir/ab2.json" &&
    py_check "$dir/ab2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
pts = sorted({(s["run_points"] // s["points"]) for p in d["line_panels"] for s in p["series"]})
assert pts == [2, 5], pts
entries = d["legend"]["entries"]
assert any(e.startswith("A: ") and "(2 runs): env.OMPI_MCA_btl=(unset)" in e for e in entries), entries
assert any(e.startswith("B: ") and "(5 runs): env.OMPI_MCA_btl=self,tcp" in e for e in entries), entries
PY
ok $? "a comparison of reports between '--': 2 runs against 5, each side named by what differs (its file names alone are alike)"

# Many paths stay readable: the reference runs of one H200 against those of one H100 (7 paths,
# latency at 8 B only and bw at six sizes) draw the latency of every path in one facet, the paths
# side by side, and a facet per path for bw, each with both configurations in their colours
# and, where the results have one, the ceiling dotted; one legend below, outside them.
ref=$top_srcdir/results/reference
plot "$ref"/h200-1gpu-default-run1.json "$ref"/h200-1gpu-default-run2.json -- \
    "$ref"/h100-80gb-1gpu-default-run1.json "$ref"/h100-80gb-1gpu-default-run2.json \
    -o "$dir/ref.png" --describe >"$dir/ref.json" 2>"$dir/ref.err" && py_check "$dir/ref.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
panels = d["line_panels"]
titles = [p["title"].split("\n")[0] for p in panels]
assert len(panels) == 8 and len(set(titles)) == 8, titles
lat = panels[0]
assert titles[0] == "by path: latency, one way (us)" and lat["xlabel"] == "path (8 B messages)", lat
assert len(lat["series"]) == 14 and all(s["points"] == 1 for s in lat["series"]), lat
assert len({s["color"] for s in lat["series"]}) == 2, lat
assert all(len(p["series"]) == 2 and p["series"][0]["color"] != p["series"][1]["color"]
           for p in panels[1:]), panels
assert all(p["xlabel"] == "message size (bytes)" for p in panels[1:]), panels
assert sum(s["ceiling_points"] > 0 for p in panels for s in p["series"]) >= 8, panels
assert d["legend"]["outside"] and sum(e[:3] in ("A: ", "B: ") for e in d["legend"]["entries"]) == 2
PY
ok_diag $? "$dir/ref.err" "the reference runs, H200 against H100: the 8 B latency of 7 paths in one facet, a bw facet per path, both configurations in each, ceilings dotted, one legend outside"
plot "$ref"/h200-1gpu-default-run1.json -o "$dir/ref1.png" --describe >"$dir/ref1.json" &&
    py_check "$dir/ref1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
drawn = {p["title"].split(":")[0] for p in d["line_panels"] for s in p["series"] if s["ceiling_points"]}
assert {"staged", "p2p", "zerocopy"} <= drawn, drawn
assert "the measured ceiling, in the line's colour" in d["legend"]["entries"], d["legend"]
PY
ok $? "one report: each line's ceiling dotted in its colour where it has one (staged, p2p, zerocopy...)"

# Schema 2.5's noise (noisy.json: latency 8 B and bw 1 MiB disturbed): hollow markers at those
# sizes, a legend entry saying so; in a comparison the disturbed run's point and the mean it
# enters hollow; a heatmap cell of a disturbed pair ~ after its value; none without noise.
plot "$rep/noisy.json" -o "$dir/noisy.png" --describe >"$dir/noisy.json" 2>"$dir/noisy.err" &&
    py_check "$dir/noisy.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = {p["title"].split(" (")[0]: [(s["points"], s["noisy_points"]) for s in p["series"]]
       for p in d["line_panels"]}
assert got == {"host: latency, one way": [(2, 1)], "host: bw, one way": [(3, 1)]}, got
assert d["legend"]["entries"][-1] == "hollow: the machine disturbed the step (~)", d["legend"]
PY
ok_diag $? "$dir/noisy.err" "noisy points: hollow markers (one of 2 latency, one of 3 bw), the legend says what hollow is"
plot "$rep/base.json" -o "$dir/clean.png" --describe >"$dir/clean.json" && py_check "$dir/clean.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert all(s["noisy_points"] == 0 for p in d["line_panels"] for s in p["series"]), d
assert not any("hollow" in e for e in d["legend"]["entries"]), d["legend"]
PY
ok $? "a report before 2.5: no hollow marker, no legend entry for it"
# B's first run measures what base.json did, in a run of its own (a report given twice is refused).
"$PYTHON" - "$rep/base.json" "$dir/base-again.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["start_time"], d["end_time"] = "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z"
json.dump(d, open(sys.argv[2], "w"))
PY
plot "$rep/noisy.json" "$rep/base.json" -- "$dir/base-again.json" "$rep/slower.json" -o "$dir/ncmp.png" \
    --describe >"$dir/ncmp.json" && py_check "$dir/ncmp.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a = [s for p in d["line_panels"] for s in p["series"] if s["name"].startswith("0:")]
b = [s for p in d["line_panels"] for s in p["series"] if s["name"].startswith("1:")]
assert [(s["noisy_points"], s["noisy_run_points"], s["run_points"]) for s in a] == [(1, 1, 4), (1, 1, 6)], a
assert all(s["noisy_points"] == 0 and s["noisy_run_points"] == 0 for s in b), b
assert "hollow: the machine disturbed the step (~)" in d["legend"]["entries"], d["legend"]
PY
ok $? "a comparison: a disturbed run hollow, and the mean it enters; the other configuration clean"
"$PYTHON" - "$rep/matrix.json" "$dir/nmatrix.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["ranks"] == [1, 3]:
        r["noise"] = {"marks": ["tail"], "median_ci": 0.05, "tail": 4.2}
json.dump(d, open(sys.argv[2], "w"))
PY
plot "$dir/nmatrix.json" -o "$dir/nmatrix.png" --describe >"$dir/nm.json" && py_check "$dir/nm.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["heatmaps"][0]
assert m["noisy_cells"] == 1 and "~: the machine disturbed" in m["colorbar"], m
PY
ok $? "a heatmap: the disturbed pair's cell ~ after its value, the colour bar says what ~ is"
# Bandwidths below 0.01 GB/s as gpuxfer's table prints them: in MB/s with an M after
# them, never an exponent, and the scale's words say what M is; the report keeps GB/s.
"$PYTHON" - "$rep/matrix.json" "$dir/tiny.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    r["stats"] = {k: ([x * 1e-4 for x in v] if isinstance(v, list) else
                      v * 1e-4 if k not in ("n", "cv") else v) for k, v in r["stats"].items()}
for m in d["matrices"]:
    m["values"] = [[None if v is None else v * 1e-4 for v in row] for row in m["values"]]
    m["values"][0][1] = 0.5  # one cell at or above 0.01 GB/s stays in GB/s
json.dump(d, open(sys.argv[2], "w"))
PY
plot "$dir/tiny.json" -o "$dir/tiny.svg" --describe >"$dir/tiny.desc" &&
    py_check "$dir/tiny.desc" "$dir/tiny.svg" <<'PY'
import json, re, sys
m = json.load(open(sys.argv[1]))["heatmaps"][0]
svg = open(sys.argv[2]).read()
cells = re.findall(r'<g id="cell">\s*<!-- ([^ ]*) -->', svg)
print(m["colorbar"], cells)
assert len(cells) == m["annotations"] == 12, cells
assert "0.5000" in cells and all(re.fullmatch(r"\d+\.\d+M", c) for c in cells if c != "0.5000"), cells
assert not any("e-" in c for c in cells), cells
assert "M after a value: MB/s, as bandwidths below 0.01 GB/s print" in m["colorbar"], m
PY
ok $? "a heatmap of bandwidths below 0.01 GB/s: MB/s with an M in the cells, the scale says what M is"
plot "$rep/matrix.json" -o "$dir/plain.png" --describe >"$dir/plain.desc" &&
    py_check "$dir/plain.desc" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["heatmaps"][0]
assert "MB/s" not in m["colorbar"], m
PY
ok $? "a heatmap of bandwidths above 0.01 GB/s: no word of MB/s"
# A bandwidth facet's log axis down to 0.01 MB/s: the ticks below 0.01 GB/s in MB/s, each with
# its unit (a bare M would read as the x axis's sizes), none with an exponent.
"$PYTHON" "$top_srcdir/tests/tiny_report.py" "$rep/base.json" "$dir/tinyline.json"
plot "$dir/tinyline.json" -o "$dir/tinyline.svg" && py_check "$dir/tinyline.svg" <<'PY'
import re, sys
ticks = re.findall(r'<g id="ytick_\d+">.*?<!-- ([^>]*) -->', open(sys.argv[1]).read(), re.S)
print(ticks)
mbs = [t for t in ticks if t.endswith(" MB/s")]
assert {"0.01 MB/s", "0.1 MB/s", "1 MB/s"} <= set(mbs), ticks
assert not any("e-" in t or t.endswith("M") for t in ticks), ticks
PY
ok $? "a bandwidth axis below 0.01 GB/s: its ticks there in MB/s, with the unit, no exponent"

plot "$rep/ab-btl" --all-chunks -o "$dir/x.png" 2>"$dir/err"
[ $? -eq 2 ] && grep -q 'all-chunks: not with a comparison' "$dir/err"
ok $? "--all-chunks with a comparison: exit 2"

plot "$rep/base.json" -o "$dir/x.pdf" 2>"$dir/err"
[ $? -eq 2 ] && grep -q 'must end in .png or .svg' "$dir/err"
ok $? "-o with another extension: exit 2"
plot "$rep/not-gpuxfer.json" -o "$dir/x.png" 2>"$dir/err"
[ $? -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && [ ! -e "$dir/x.png" ]
ok $? "not a gpuxfer report: exit 2, one line, no file"
plot "$rep/schema-v3.json" -o "$dir/x.png" 2>"$dir/err"
[ $? -eq 2 ] && grep -q 'schema version 3.0' "$dir/err"
ok $? "another schema major version: exit 2"

# One run name measured again and again (every label alike: name, name#2, ...): 47 lines drawn
# and the other 53 as one, their median, in one report and in each configuration of a
# comparison; the page takes the time of 48 lines, never of each copy.
"$PYTHON" - "$rep/base.json" "$dir" <<'PY'
import json, os, sys
doc = json.load(open(sys.argv[1]))
one = next(r for r in doc["results"] if r["status"] == "ok" and r["unit"] == "us")
for name, when in (("same-a", "2026-01-01T00:00:00Z"), ("same-b", "2026-01-01T00:05:00Z")):
    doc.update(results=[dict(one, run="again")] * 100, matrices=[], start_time=when,
               end_time=when)
    json.dump(doc, open(os.path.join(sys.argv[2], name + ".json"), "w"))
PY
plot "$dir/same-a.json" -o "$dir/same.svg" --describe >"$dir/same.json" 2>"$dir/err" &&
    plot "$dir/same-a.json" -- "$dir/same-b.json" -o "$dir/same-cmp.svg" --describe \
        >"$dir/same-cmp.json" 2>>"$dir/err" &&
    py_check "$dir/same.json" "$dir/same-cmp.json" <<'PY'
import json, sys
(one,) = json.load(open(sys.argv[1]))["line_panels"]
names = [s["name"] for s in one["series"]]
assert len(names) == 48 and names[:2] == ["host pageable>pageable [again]",
                                          "host pageable>pageable [again#2]"], names[:3]
assert names[-1] == "host the other 53 lines (their median, band lowest..highest)", names[-1]
assert one["series"][-1]["points"] == 1 and one["series"][-1]["band"], one["series"][-1]
(cmp,) = json.load(open(sys.argv[2]))["line_panels"]
last = [s["name"] for s in cmp["series"] if "the other" in s["name"]]
assert len(cmp["series"]) == 96 and last == [
    f"{c}:host the other 53 lines (the median of their means)" for c in (0, 1)], last
PY
ok_diag $? "$dir/err" "100 results of one run name: 47 lines and the other 53 as one, in a report and in each configuration of a comparison"
# Its neighbour: a path named anew for each of 30 results at two sizes (30 subplots): the first
# 24 drawn, the title saying so.
"$PYTHON" - "$rep/base.json" "$dir/paths.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
two = [r for r in doc["results"] if r["status"] == "ok" and r["unit"] == "us"][:2]
doc.update(results=[dict(r, path=f"path{i:02d}") for i in range(30) for r in two], matrices=[])
json.dump(doc, open(sys.argv[2], "w"))
PY
plot "$dir/paths.json" -o "$dir/paths.svg" --describe >"$dir/paths.out" 2>"$dir/err" &&
    py_check "$dir/paths.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
titles = [p["title"].split(":")[0] for p in d["line_panels"]]
assert titles == [f"path{i:02d}" for i in range(24)], titles
assert d["facets_note"] == ("the first 24 of 30 subplots (path x pattern) drawn; "
                            "gpuxfer-report summary lists every result"), d
PY
ok_diag $? "$dir/err" "30 paths of two sizes each: the first 24 subplots drawn, a note saying so"

# The source tree's door runs the first python3 on PATH: one without matplotlib (a bare venv, as
# a pyenv one often is) hands the plot to an interpreter that has it, saying which.
if "$PYTHON" -m venv --without-pip "$dir/bare" >/dev/null 2>&1 &&
    ! "$dir/bare/bin/python3" -c 'import matplotlib' >/dev/null 2>&1; then
    PATH="$dir/bare/bin:$PATH" "$dir/bare/bin/python3" "$top_srcdir/scripts/gpuxfer-report" plot \
        "$rep/base.json" -o "$dir/bare.png" 2>"$dir/err"
    r=$?
    [ $r -eq 0 ] && [ -s "$dir/bare.png" ] && grep -q 'has no matplotlib; drawing with' "$dir/err"
    ok_diag $? "$dir/err" "a python3 without matplotlib first on PATH: drawn by one that has it (exit $r)"
    GX_PLOT_RERUN=1 "$dir/bare/bin/python3" "$top_srcdir/scripts/gpuxfer-report" plot \
        "$rep/base.json" -o "$dir/bare2.png" 2>"$dir/err"
    [ $? -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && grep -q 'has no matplotlib' "$dir/err" &&
        [ ! -e "$dir/bare2.png" ]
    ok_diag $? "$dir/err" "no interpreter with matplotlib: exit 2, one line, no file"
else
    skip "no venv without matplotlib for the interpreter fallback (apt-get install python3-venv)"
    skip "no venv without matplotlib for the interpreter fallback (apt-get install python3-venv)"
fi

rm -rf "$dir"
done_testing
