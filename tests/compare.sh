#!/bin/sh
# gpuxfer-report compare on constructed reports with known differences (tests/reports/make-fixtures.py),
# one run per side (judged by the floor); its run-level statistics against hand-computed values;
# recorded runs of the CPU machine (tests/reports/aa, ab-btl: tests/reports/trim-runs.py): an A/A
# of 5 + 5 runs is quiet, an A/B (TCP only against shared memory) is heard; configurations of
# several runs given as reports between '--', folders and sweep folders.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/compare.XXXXXX")
rep="$top_srcdir/tests/reports"
compare() { "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" compare "$@"; }
# flat FILE: its text without spaces, line ends and '#': what a line says however it wrapped
# (lines with a report's path wrap past 100 columns where the test tree's path is long).
flat() { tr -d ' \n#' <"$1"; }

"$PYTHON" - "$top_srcdir/schema/gpuxfer-report.schema.json" "$rep"/base.json "$rep"/slower.json \
    "$rep"/ci-base.json "$rep"/ci-slower.json "$rep"/matrix.json "$rep"/other-path.json \
    "$rep"/options.json "$rep"/noisy.json \
    >"$dir/check.txt" 2>&1 <<'PY' 
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for f in sys.argv[2:]:
    jsonschema.validate(json.load(open(f)), schema)
PY
ok_diag $? "$dir/check.txt" "constructed reports are valid against the schema"
py_check "$top_srcdir/schema/gpuxfer-report.schema.json" "$rep"/aa/cfg-*/run*.json "$rep"/ab-btl/cfg-*/run*.json <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
assert len(sys.argv[2:]) == 20, sys.argv[2:]
for f in sys.argv[2:]:
    jsonschema.validate(json.load(open(f)), schema)
PY
ok $? "the recorded runs (aa, ab-btl: 20 trimmed reports) are valid against the schema"

# with_visits SRC DST: SRC's results as measured in three visits (schema 2.14), their medians
# 1% apart either way of the result's: one run that tells its own noise.
with_visits() {
    "$PYTHON" - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r.get("stats"):
        m = r["stats"]["median"]
        r["stop"] = {"by": "iterations", "visits": 3, "visits_planned": 3,
                     "visit_medians": [m * 0.99, m, m * 1.01]}
d["start_time"] = d["start_time"].replace("00Z", "30Z")
json.dump(d, open(sys.argv[2], "w"))
PY
}
with_visits "$rep/base.json" "$dir/base-v.json" && with_visits "$rep/slower.json" "$dir/slower-v.json"
ok $? "base.json and slower.json as runs of three visits"
compare "$dir/base-v.json" "$dir/slower-v.json" >"$dir/t.txt" 2>"$dir/t.err"
ok $? "two reports: exit 0"
# "size pair A B B/A ci90 q verdict", one line per size, sizes ascending in each block; one run
# each, its visits 1% apart: the noise of each side from its visits, Welch's t on logs (se
# 0.0082, 4 degrees of freedom): x2.9 and x0.5 called, the rest (within 1%) the same within 5%.
row() { grep -E "^ +$1 +0->1 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+-[0-9.]+ +[0-9.e-]+ $2 \(noise \+-[0-9.]+%\)\$" "$dir/t.txt" | wc -l; }
[ "$(row 8 slower)" -eq 1 ] && [ "$(row 1048576 same)" -eq 1 ] &&
    [ "$(row 1048576 slower)" -eq 1 ] && [ "$(row 8 same)" -eq 1 ] && [ "$(row 65536 same)" -eq 1 ]
ok_diag $? "$dir/t.txt" "table, one run each with visits: latency 8 B (x2.9) and bw 1 MiB (x0.5) slower, the rest (within 1%) the same"
# (Prose wraps at 100 columns: read as one line.)
tr '\n' ' ' <"$dir/t.txt" | tr -s ' ' >"$dir/t.flat"
grep -q ' B vs A: 5 of 5 rows decided: 2 significant (q < 0.05), 3 the same within +-5%; noise +-[0-9.]*% median, +-[0-9.]*% worst (the smallest difference a row could call)' "$dir/t.flat" &&
    ! grep -vF "$dir/" "$dir/t.txt" | awk 'length > 100' | grep -q . &&
    grep -qx 'A: 1 run: no spread among runs (one run; its visits tell its noise where it has them)' "$dir/t.txt"
ok_diag $? "$dir/t.txt" "one run each with visits: every row decided, the resolving power said"
compare "$rep/base.json" "$rep/slower.json" >"$dir/t0.txt" 2>&1
tr '\n' ' ' <"$dir/t0.txt" | tr -s ' ' >"$dir/t0.flat"
[ "$(grep -cE '^ +[0-9]+ +0->1 .* +- +- undecided \(noise unknown\)$' "$dir/t0.txt")" -eq 5 ] &&
    grep -q ' B vs A: 0 of 5 rows decided: 0 significant (q < 0.05), 0 the same within +-5%; noise unknown on every row' "$dir/t0.flat" &&
    grep -q ' 5 rows of one run on each side without visits: nothing tells the noise; run with --visits' "$dir/t0.flat"
ok_diag $? "$dir/t0.txt" "one run each without visits: nothing tells the noise: every row undecided, noise unknown, and why"
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
# The legend wraps at 100 columns where the tree's path is long (distcheck's): read whole.
unwrap_notes "$dir/t.txt" | tr -d ' ' | grep -qx '#A:.*/base-v.json(1run):env.UCX_TLS=rc,sm,ranks.hostname=node-a' &&
    unwrap_notes "$dir/t.txt" | tr -d ' ' | grep -qx '#B:.*/slower-v.json(1run):env.UCX_TLS=tcp,ranks.hostname=node-b'
ok_diag $? "$dir/t.txt" "the legend names each configuration by what differs, not only its file"
# What differs between the runs of one configuration is none of its settings: a Slurm job's
# own port (SLURM_PMIXP_ABORT_AGENT_PORT), a variable set anew for each run, the run's own
# --table and --output (the templates name them after the job); the real difference stays.
"$PYTHON" - "$rep/base.json" "$dir/slurm" <<'PY'
import json, os, sys
base = json.load(open(sys.argv[1]))
os.makedirs(sys.argv[2], exist_ok=True)
for cfg, tls in (("a", "rc,sm"), ("b", "tcp")):
    for run in (1, 2):
        d = json.loads(json.dumps(base))
        job = f"{cfg}{run}"
        d["command_line"] = ["gpuxfer", "--table", f"/out/gpuxfer-{job}.txt",
                             f"--output=/out/gpuxfer-{job}.json", "--path", "host"]
        for r in d["context"]["ranks"]:
            r["env"] = {"UCX_TLS": tls, "SLURM_PMIXP_ABORT_AGENT_PORT": str(40000 + run),
                        "GX_RUN_NOTE": f"run {job}"}
        json.dump(d, open(os.path.join(sys.argv[2], f"{job}.json"), "w"))
PY
compare "$dir"/slurm/a1.json "$dir"/slurm/a2.json -- "$dir"/slurm/b1.json "$dir"/slurm/b2.json \
    >"$dir/slurm.txt" 2>&1
sed -n '/^# context differences/,/^# summary/p' "$dir/slurm.txt" >"$dir/slurm.ctx"
grep -q '^env.UCX_TLS:' "$dir/slurm.ctx" && ! grep -q 'PORT\|GX_RUN_NOTE\|command_line' "$dir/slurm.ctx" &&
    flat "$dir/slurm.txt" | grep -q 'B:/[^(]*/b1\.json\.\./[^(]*/b2\.json(2runs):env\.UCX_TLS=tcp'
ok_diag $? "$dir/slurm.txt" "per-run values (a job's port, a variable set anew each run, --table and --output) are no difference between configurations; UCX_TLS is"

# Chunk and depth as a setting: A at chunk 256K depth 2, B at 1M depth 4 (bw half as fast):
# without --chunk-as-setting nothing matches; with it every result does, the bw rows slower,
# and chunk/depth is listed with the option differences.
"$PYTHON" - "$dir/base-v.json" "$dir/chunkA.json" "$dir/chunkB.json" <<'PY'
import json, sys
src, a, b = sys.argv[1:]
for out, chunk, depth, scale in ((a, 262144, 2, 1.0), (b, 1 << 20, 4, 0.5)):
    d = json.load(open(src))
    for r in d["results"]:
        r["chunk"], r["depth"] = chunk, depth
        if r["pattern"] == "bw":
            r["stats"] = {k: (v * scale if isinstance(v, float) else v) for k, v in r["stats"].items()}
            r["stop"]["visit_medians"] = [v * scale for v in r["stop"]["visit_medians"]]
    d["start_time"] = "2026-01-01T00:0%d:00Z" % (1 if out == a else 2)
    json.dump(d, open(out, "w"))
PY
compare "$dir/chunkA.json" "$dir/chunkB.json" >"$dir/chunk0.txt" 2>&1
rc0=$?
compare --chunk-as-setting "$dir/chunkA.json" "$dir/chunkB.json" >"$dir/chunk.txt" 2>&1
[ $rc0 -eq 2 ] && grep -q 'no common results' "$dir/chunk0.txt" &&
    [ "$(grep -cE '^ +(8|65536|1048576) +0->1 .* slower \(noise' "$dir/chunk.txt")" -eq 3 ] &&
    grep -q 'chunk/depth 256K/2 vs 1M/4$' "$dir/chunk.txt"
ok_diag $? "$dir/chunk.txt" "--chunk-as-setting: results at other chunks match, chunk/depth listed as a setting (not as gpuxfer's pick)"

compare --json "$dir/base-v.json" "$dir/slower-v.json" >"$dir/t.json"
py_check "$dir/t.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
want = {("latency", 8): "slower", ("latency", 1 << 20): "same", ("bw", 8): "same",
        ("bw", 1 << 20): "slower", ("bw", 1 << 16): "same"}
got = {(r["pattern"], r["size"]): r["cells"][1]["verdict"] for r in d["rows"]}
assert got == want, got
# Each side's noise from its visits: logs 1% apart, variance 1e-4 over 3 visits; Welch's df 4.
for r in d["rows"]:
    a, c = r["cells"]
    assert a["se_from"] == "visits" and a["visits"] == 3 and c["runs"] == 1 and c["test"] == "t", c
    assert abs(c["df"] - 4) < 1e-9 and c["p"] is not None and len(c["ci95"]) == 2, c
    lo, hi = c["ci_same"]
    assert lo < c["ratio"] < hi and c["ci95"][0] < lo and hi < c["ci95"][1], c
    assert c["resolving"] > 0, c
assert d["tolerance"] == 0.05 and d["alpha"] == 0.05 and abs(d["ci_same_level"] - 0.9) < 1e-12
assert d["power"] == 0.8 and d["vary"] is None and [n["median_cv"] for n in d["noise"]] == [None, None]
s, = d["significance"]
assert (s["rows"], s["significant"], s["same"], s["decided"], s["unknown"]) == (5, 2, 3, 5, 0), s
assert s["by_test"] == {"t": 5, "t1": 0, "paired": 0, "-": 0}, s
res = sorted(r["cells"][1]["resolving"] for r in d["rows"])
assert s["resolving_median"] == res[2] and s["resolving_worst"] == res[-1], s
PY
ok $? "--json: verdicts, each side's noise from its visits (se_from, visits), df, p, intervals, resolving power, the counts"

# Intervals of the iterations (each median's median_ci95, apart at 1M) play no part: one run a
# side without visits calls nothing.
compare "$rep/ci-base.json" "$rep/ci-slower.json" >"$dir/ci.txt"
[ "$(grep -cE '^ +(65536|1048576) +0->1 .* - +- undecided \(noise unknown\)$' "$dir/ci.txt")" -eq 2 ]
ok_diag $? "$dir/ci.txt" "one run each without visits: the iterations' intervals call nothing"

# Hand-computed: one run a side, three visits each 1% apart (logs -0.01005, 0, 0.00995: variance
# 1.0e-4 over 3 visits); the ratio 1.03: se sqrt(2e-4/3) = 0.00817, t 3.62, df 4: p 0.0224;
# ci90 1.03 * exp(+-2.132 se); resolving power exp((2.776 + 0.941) se) - 1 = 3.1%.
"$PYTHON" - "$dir/base-v.json" "$dir/hand" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
os.makedirs(sys.argv[2], exist_ok=True)
for name, f, minute in (("a", 1.0, "05"), ("b", 1.03, "06")):
    r = dict(d["results"][0], size=8, pattern="bw", unit="GB/s")
    r["stats"] = {"n": 100, "median": 10 * f}
    r["stop"] = {"by": "iterations", "visit_medians": [9.9 * f, 10 * f, 10.1 * f]}
    json.dump(dict(d, results=[r], start_time=f"2026-01-01T00:{minute}:00Z"),
              open(f"{sys.argv[2]}/{name}.json", "w"))
PY
compare --json "$dir/hand/a.json" "$dir/hand/b.json" >"$dir/hand.json" && py_check "$dir/hand.json" <<'PY'
import json, math, sys
from scipy import stats
c = json.load(open(sys.argv[1]))["rows"][0]["cells"][1]
la = [math.log(x) for x in (9.9, 10, 10.1)]
lb = [math.log(x * 1.03) for x in (9.9, 10, 10.1)]
m = sum(la) / 3
var = sum((x - m) ** 2 for x in la) / 2 / 3
se = (2 * var) ** 0.5
d = math.log(1.03 * 10) - math.log(10)
assert abs(se - 0.00817) < 2e-5 and abs(c["p"] - 0.0224) < 5e-4, (se, c["p"])
# The same p as scipy's Welch on the visits' logs (three a side, equal spread: df 4).
assert abs(c["p"] - stats.ttest_ind(lb, la, equal_var=False).pvalue) < 0.01, c["p"]
assert abs(c["ci_same"][0] - 1.03 * math.exp(-2.1318 * se)) < 1e-4, c
assert abs(c["resolving"] - math.expm1((2.7764 + 0.9410) * se)) < 1e-4, c
assert abs(c["resolving"] - 0.0308) < 1e-3 and c["verdict"] == "faster", c
PY
ok $? "hand-computed: Welch's t on one run a side's visits: p, ci90, resolving power (3.1%), faster"

py_check "$top_srcdir/scripts" <<'PY'
import math, sys
sys.path.insert(0, sys.argv[1])
import gxreport as gx
from gxreport import compare as cmp
close = lambda a, b: abs(a - b) < 1e-9  # noqa: E731
# Benjamini-Hochberg by hand: m = 4 p-values (None not counted).
q = gx.benjamini_hochberg([0.01, 0.04, 0.03, None, 0.5])
assert q[3] is None and [round(x, 4) for x in q if x is not None] == [0.04, 0.0533, 0.0533, 0.5], q
assert close(gx.geomean([1, 4]), 2) and gx.run_cv([5]) is None and close(gx.run_cv([1, 3]), 2 ** 0.5 / 2)
# Two levels: runs' logs 0, .1, .2 (variance .01: .01/3 of the mean, df 2) against visits of
# variance .0004 in 4 (.0001 a run, .0001/3 of the mean, df 9): the runs' is larger.
s = cmp.two_levels(0.1, [0, .1, .2], [[0, .02, .04, .02]] * 3 + [[0]])
assert s.source == "runs" and close(s.var, .01 / 3) and s.df == 2 and s.runs == 3, s
# Runs alike, visits spread: the visits'.
s = cmp.two_levels(0.0, [0, 0, 0], [[0, .1, -.1]] * 3)
assert s.source == "visits" and close(s.var, .01 / 3 / 3) and s.df == 6, s
s = cmp.two_levels(0.0, [0], [])
assert s.source is None and s.var is None, s
# Welch: equal sides, df 2 + 2 = 4 (Satterthwaite); one side unknown: the other's noise of a
# run stands for both (t1: var .01 * 3 * (1 + 1/3), its df).
a = cmp.Side(0, .01 / 3, 2, "runs", 3)
diff, var, df, test = cmp.difference(a, cmp.Side(.3, .01 / 3, 2, "runs", 3))
assert test == "t" and close(diff, .3) and close(var, .02 / 3) and close(df, 4), (var, df)
diff, var, df, test = cmp.difference(cmp.Side(.3, None, None, None, 1), a)
assert test == "t1" and close(var, .01 * (1 + 1 / 3)) and df == 2, (var, df)
assert cmp.difference(cmp.Side(0, None, None, None, 1), cmp.Side(0, None, None, None, 1))[3] == "-"
PY
ok $? "run-level statistics: Benjamini-Hochberg, CV, the two levels (the larger), Welch's df, one side's noise for both (hand-computed)"

# A third report measuring what base-v.json did (another run's report: its own start time): a
# report given twice would be refused.
"$PYTHON" - "$dir/base-v.json" "$dir/base-again.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["start_time"], d["end_time"] = "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z"
json.dump(d, open(sys.argv[2], "w"))
PY
compare "$dir/base-v.json" "$dir/slower-v.json" "$dir/base-again.json" >"$dir/three.txt"
[ "$(grep -cE '^ +[0-9]+ +0->1 .* 1\.000 +[0-9.]+-[0-9.]+ +1 same \(noise ' "$dir/three.txt")" -eq 5 ] &&
    grep -q '^# C: ' "$dir/three.txt"
ok_diag $? "$dir/three.txt" "three reports: a column per report, ratios to the first"

# Against the line rate (schema 2.7): A and B measure p2p bw over 18 NVLinks (450 GB/s), B's
# 4M over 17 (one down: 425 GB/s); A's 256M lies above the rate (a wrong route or rate: the
# report's line_exceeded); host memory crosses no link (line_absent); C is a report before 2.7
# with B's results and no line facts at all; lineB2 another run of B whose 64M crossed 17 links.
"$PYTHON" - "$dir" <<'PY'
import json, sys
M = 1 << 20
def res(path, size, median, mem="device", line=None, route="NVLink 4, 18 links 450.0"):
    r = {"path": path, "mem": {"src": mem, "dst": mem}, "pattern": "latency" if size == 8 else "bw",
         "ranks": [0, 1], "same_node": True, "size": size, "unit": "us" if size == 8 else "GB/s",
         "status": "ok", "iterations": 20, "warmup": 2, "window": 4,
         "stats": {"n": 20, "median": median, "cv": 0.001}}
    if line:
        r.update(line_gbs=line, line_share=median / line, line_route=route)
        if median > line:
            r["line_exceeded"] = True
    elif size != 8:
        r["line_absent"] = "host memory on one node: no link crossed"
    return r
def doc(version, results, minute):
    return {"schema_version": version, "tool": {"name": "gpuxfer", "version": "0.1.0"},
            "command_line": ["gpuxfer"], "start_time": "2026-01-01T00:0%d:00Z" % minute,
            "status": "complete", "exit_code": 0, "results": results}
a = [res("p2p", 8, 2.0), res("p2p", M, 300.0, line=450.0), res("p2p", 4 * M, 400.0, line=450.0),
     res("p2p", 64 * M, 440.0, line=450.0), res("p2p", 256 * M, 460.0, line=450.0),
     res("host", M, 10.0, mem="pinned")]
b = [res("p2p", 8, 2.1), res("p2p", M, 360.0, line=450.0),
     res("p2p", 4 * M, 380.0, line=425.0, route="NVLink 4, 17 links 425.0"),
     res("p2p", 64 * M, 400.0, line=450.0), res("p2p", 256 * M, 430.0, line=450.0),
     res("host", M, 10.1, mem="pinned")]
old = [{k: v for k, v in r.items() if not k.startswith("line_")} for r in b]
b2 = [res("p2p", 64 * M, 400.0, line=425.0, route="NVLink 4, 17 links 425.0") if r["size"] == 64 * M
      else r for r in b]
for name, version, results, minute in (("lineA", "2.9", a, 1), ("lineB", "2.9", b, 2),
                                       ("lineOld", "2.6", old, 3), ("lineB2", "2.9", b2, 4)):
    json.dump(doc(version, results, minute), open(f"{sys.argv[1]}/{name}.json", "w"))
PY
compare "$dir/lineA.json" "$dir/lineB.json" "$dir/lineOld.json" >"$dir/line.txt" 2>&1
rc=$?
# The rows of one comparison (B or C against A) in the p2p bw block.
rows_of() { awk -v h=" $1/A " '/^# path /{b = /^# path p2p, .*, pattern bw,/} /^#  +size /{s = b && index($0, h) > 0; next} /^$/{s = 0} s' "$dir/line.txt"; }
rows_of B >"$dir/line-b.txt"
rows_of C >"$dir/line-c.txt"
[ $rc -eq 0 ] && [ "$(grep -cE '^# +size +pair +A +[BC] +[BC]/A +line% +ci90 +q verdict$' "$dir/line.txt")" -eq 4 ] &&
    grep -qE '^ +1048576 +0->1 +300\.0 +360\.0 +1\.200 +80 +- +- undecided \(noise unknown\)$' "$dir/line-b.txt" &&
    grep -qE '^ +67108864 +0->1 +440\.0 +400\.0 +0\.909 +98 +- +- undecided \(noise unknown\)$' "$dir/line-b.txt" &&
    [ -z "$(awk 'length > 100' "$dir/line.txt")" ]
ok_diag $? "$dir/line.txt" "line%: in the bw blocks beside the ratio, the faster configuration's share of the line rate both cross (B's 80 at 1M, A's 98 at 64M), within 100 columns"
grep -qE '^ +268435456 +0->1 +460\.0 +430\.0 +0\.935 +102! ' "$dir/line-b.txt" &&
    grep -qE '^ +268435456 +0->1 +460\.0 +430\.0 +0\.935 +-! ' "$dir/line-c.txt" &&
    ! grep -E '^ +[0-9]+ ' "$dir/line.txt" | awk '{print $6}' | grep -qE '^(10[1-9]|1[1-9][0-9]|[2-9][0-9][0-9])$'
ok_diag $? "$dir/line.txt" "line%: above the line rate marked ! (A's 256M at 102%), also where the other side has no rate (-!); no share above 100 printed clean"
sed 's/^# *//' "$dir/line.txt" | tr '\n' ' ' | tr -s ' ' >"$dir/line.flat"
grep -qE '^ +4194304 +0->1 +400\.0 +380\.0 +0\.950 +diff ' "$dir/line-b.txt" &&
    grep -qF ' line% diff at size 4M: A crosses 450.0 GB/s (NVLink 4, 18 links 450.0); B crosses 425.0 GB/s (NVLink 4, 17 links 425.0): no share of one rate holds for both' "$dir/line.flat"
ok_diag $? "$dir/line.txt" "line%: sides over links of different line rates (a link down in B) say diff and name both rates, no share of one rate"
[ "$(grep -cE '^ +[0-9]+ +0->1 +[0-9.]+ +[0-9.]+ +[0-9.]+ +- +- +- undecided ' "$dir/line-c.txt")" -eq 3 ] &&
    awk '/^# path host/{b = 1} b && /^ +1048576 /' "$dir/line.txt" | grep -cE ' 1\.010 +- +- ' | grep -qx 2 &&
    [ "$(grep -cE '^# +size +pair +A +[BC] +[BC]/A +ci90 ' "$dir/line.txt")" -eq 2 ]
ok_diag $? "$dir/line.txt" "line% -: a report before 2.7 (C), host memory (no link crossed); a latency block has no line% column"
! grep -q 'line%' "$dir/t.txt" && grep -qE '^#     size   pair         A         B    B/A          ci90       q verdict$' "$dir/t.txt"
ok_diag $? "$dir/t.txt" "reports before 2.7 alone: the table as it was, no line% column"
compare --json "$dir/lineA.json" "$dir/lineB.json" "$dir/lineOld.json" >"$dir/line.json"
py_check "$dir/line.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = {(r["path"], r["size"]): r["cells"] for r in d["rows"]}
M = 1 << 20
a, b, c = rows[("p2p", M)]
assert (a["line_gbs"], a["line_route"], a["line_exceeded"], a["line_absent"]) == (450.0, "NVLink 4, 18 links 450.0", False, None), a
assert abs(a["line_share"] - 300 / 450) < 1e-12 and abs(b["line_share"] - 0.8) < 1e-12, (a, b)
assert b["line_rates_differ"] is False and c["line_rates_differ"] is False, (b, c)
assert c["line_gbs"] is None and c["line_share"] is None and "before schema 2.7" in c["line_absent"], c
a, b, _ = rows[("p2p", 4 * M)]
assert b["line_rates_differ"] is True and (a["line_gbs"], b["line_gbs"]) == (450.0, 425.0), b
assert abs(b["line_share"] - 380 / 425) < 1e-12, b
a, b, _ = rows[("p2p", 256 * M)]
assert a["line_exceeded"] is True and a["line_share"] > 1 and b["line_exceeded"] is False, (a, b)
for cell in rows[("host", M)][:2]:
    assert cell["line_gbs"] is None and cell["line_absent"] == "host memory on one node: no link crossed", cell
assert all(x["line_gbs"] is None and "latency" in x["line_absent"] for x in rows[("p2p", 8)]), rows[("p2p", 8)]
PY
ok $? "--json: each side's line_gbs, line_share, line_exceeded, line_route or line_absent (why), line_rates_differ"
compare --json "$dir/lineA.json" -- "$dir/lineB.json" "$dir/lineB2.json" >"$dir/line2.json" &&
    py_check "$dir/line2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a, b = next(r["cells"] for r in d["rows"] if (r["path"], r["size"]) == ("p2p", 64 << 20))
assert b["line_gbs"] is None and b["line_share"] is None and b["line_rates_differ"] is True, b
assert b["line_absent"] == "links of different line rates in its runs (425.0, 450.0 GB/s)", b
b = next(r["cells"][1] for r in d["rows"] if (r["path"], r["size"]) == ("p2p", 1 << 20))
assert b["line_gbs"] == 450.0 and b["runs"] == 2 and b["line_rates_differ"] is False, b
PY
ok $? "--json: a configuration whose runs crossed links of different line rates has no line rate, and says why"

compare --fail-below 0.8 "$dir/base-v.json" "$dir/slower-v.json" >/dev/null 2>"$dir/fb.err"
[ $? -eq 1 ] && unwrap "$dir/fb.err" | grep -q 'regression: .*bw size 1048576' &&
    unwrap "$dir/fb.err" | grep -q 'regression: .*latency size 8 ' &&
    [ "$(awk 'length > 100' "$dir/fb.err" | wc -l)" -eq 0 ]
ok $? "--fail-below 0.8: exit 1, names the bandwidth and the latency regression (within 100 columns)"
compare --fail-below 0.3 "$dir/base-v.json" "$dir/slower-v.json" >/dev/null 2>&1
ok $? "--fail-below 0.3: bw ratio 0.50 and latency ratio 2.9 (< 1/0.3) pass"
compare --fail-below 0.45 "$dir/base-v.json" "$dir/slower-v.json" >/dev/null 2>"$dir/fb.err"
[ $? -eq 1 ] && unwrap "$dir/fb.err" | grep -q 'latency size 8 ' && ! unwrap "$dir/fb.err" | grep -q 'bw size'
ok $? "--fail-below 0.45: only the latency (ratio 2.9 > 1/0.45) regressed, not bw (0.50)"
compare --fail-below 0.99 "$dir/slower-v.json" "$dir/base-v.json" >/dev/null 2>&1
ok $? "--fail-below: lower latency and higher bandwidth are improvements, not regressions"

# Nothing hidden: results only some reports have, option differences (unfair ones called out),
# and a closing summary (tests/reports/make-fixtures.py says what options.json differs in).
compare "$rep/base.json" "$rep/options.json" >"$dir/o.txt" 2>"$dir/o.err"
ok_diag $? "$dir/o.err" "base vs options: exit 0"
has() { flat "$dir/o.txt" | grep -qF -- "$(printf %s "$1" | tr -d ' #')" || { echo "no line: $1"; return 1; }; }
{ has "missing in $rep/options.json: host bw pageable>pageable pair 0->1 size 64K" &&
  has "failed in $rep/options.json: host bw pageable>pageable pair 0->1 size 8" &&
  has "missing in $rep/base.json: host latency pageable>pageable pair 0->1 size 4K" &&
  has "missing in $rep/base.json: host latency pageable>pageable pair 0->1 size 1M (repeat 2)"
} >"$dir/o.diag" 2>&1
ok_diag $? "$dir/o.diag" "missing results listed per report (absent, failed, a second run of a size)"
{ has "UNFAIR: $rep/options.json: host latency pageable>pageable pair 0->1 size 8: iterations 40 vs 10" &&
  has "UNFAIR: $rep/options.json: host bw pageable>pageable pair 0->1 size 1M: window 64 vs 16" &&
  has "$rep/options.json: all results: ceilings off vs on" &&
  [ "$(grep -c '^UNFAIR: ' "$dir/o.txt")" -eq 2 ]
} >"$dir/o.diag" 2>&1
ok_diag $? "$dir/o.diag" "option differences: iterations and window UNFAIR, ceilings listed (options.json's under their old name)"
# Steps the stop rule ended (schema 2.1) differ in their counts by design: the option is the
# precision asked, the same on both sides; a count given (--iters) against it differs.
"$PYTHON" - "$rep/base.json" "$dir" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for name, iters in (("stopA", 17), ("stopB", 43)):
    for r in d["results"]:
        if r["status"] == "ok":
            r["iterations"] = iters
            r["stop"] = {"by": "precision", "precision": 0.008, "precision_asked": 0.01}
    json.dump(d, open("%s/%s.json" % (sys.argv[2], name), "w"))
PY
compare "$dir/stopA.json" "$dir/stopB.json" >"$dir/s.txt" 2>"$dir/s.err"
rc=$?
compare "$rep/base.json" "$dir/stopB.json" >"$dir/s2.txt" 2>>"$dir/s.err"
[ $rc -eq 0 ] && grep -qx '# option differences (A.s value vs the other report.s): none' "$dir/s.txt" &&
    flat "$dir/s2.txt" | grep -q "UNFAIR:[^:]*stopB\.json:host[^:]*:iterations[0-9]*vsuntil+-1%"
ok_diag $? "$dir/s.err" "the stop rule's counts are no option difference; a given count against it is"
sed -n '/^# context differences/,/^# summary/p' "$dir/o.txt" >"$dir/o.ctx"
grep -qx 'command_line:' "$dir/o.ctx" && grep -qx '  B: gpuxfer --iters 10 --window 16' "$dir/o.ctx"
ok_diag $? "$dir/o.txt" "the command lines differ: listed with the context differences"
{ has "B: host latency (us): 0 slower, 0 faster, 0 same, 2 undecided, 1 unfair; geomean B/A 0.996; noise unknown" &&
  has "B: host bw (GB/s): 0 slower, 0 faster, 0 same, 1 undecided, 1 unfair; geomean B/A 1.007; noise unknown"
} >"$dir/o.diag" 2>&1
ok_diag $? "$dir/o.diag" "summary: counts per path and pattern, unfair ones, geometric mean of B/A"
grep -qE '^ +1048576 +0->1 .* undecided \(noise unknown\)$' "$dir/o.txt" && ! grep -qE '0->1#2' "$dir/o.txt"
ok_diag $? "$dir/o.txt" "the first run of a repeated size is compared, the second only listed"
unwrap "$dir/t.txt" | grep -qE '^B: host bw \(GB/s\): 1 slower, 0 faster, 2 same, 0 undecided; geomean B/A 0\.[0-9]{3}; noise \+-3\.1% median, \+-3\.1% worst$' &&
    unwrap "$dir/t.txt" | grep -qE '^B: host latency \(us\): 1 slower, 0 faster, 1 same, 0 undecided; geomean B/A 1\.[0-9]{3}; noise \+-3\.1% median, \+-3\.1% worst$'
ok_diag $? "$dir/t.txt" "base vs slower summary: the slower bandwidth and latency counted"

compare --json "$rep/base.json" "$rep/options.json" >"$dir/o.json"
py_check "$dir/o.json" "$rep" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
rep = sys.argv[2]
missing = {(m["report"].split("/")[-1], m["status"], m["pattern"], tuple(m["sizes"]), m["repeat"])
           for m in d["missing"]}
want = {("options.json", "missing", "bw", (65536,), 0), ("options.json", "failed", "bw", (8,), 0),
        ("base.json", "missing", "latency", (4096,), 0),
        ("base.json", "missing", "latency", (1 << 20,), 1)}
assert missing == want, missing
unfair = {(u["option"], tuple(u["values"]), tuple(u["sizes"])) for u in d["unfair"]}
assert unfair == {("iterations", (40, 10), (8,)), ("window", (64, 16), (1 << 20,))}, unfair
assert all(u in d["option_differences"] for u in d["unfair"])
assert {"report": f"{rep}/options.json", "option": "ceilings", "values": ["off", "on"],
        "unfair": False, "picked": False, "scope": "report"} in d["option_differences"], d["option_differences"]
assert any(c["name"] == "command_line" for c in d["context_differences"])
# The summary agrees with the rows.
for s in d["summary"]:
    cells = [r["cells"][1] for r in d["rows"] if (r["path"], r["pattern"]) == (s["path"], s["pattern"])]
    for v in ("slower", "faster", "same", "undecided"):
        assert s[v] == sum(c["verdict"] == v for c in cells), (s, v)
    assert s["unfair"] == sum(bool(c["unfair"]) for c in cells), s
    g = math.exp(sum(math.log(c["ratio"]) for c in cells) / len(cells))
    assert abs(s["geomean_ratio"] - g) < 1e-12 and s["lower_is_better"] == (s["unit"] == "us"), s
assert len(d["summary"]) == 2
PY
ok $? "--json: missing, option differences, unfair and the summary, consistent with the rows"

# Recorded runs of the CPU machine, trimmed (tests/reports/trim-runs.py of results/issue34's sweeps,
# at commit 208e285): aa, 5 + 5 default host runs of one configuration, interleaved, a CPU hog
# beside them; ab-btl, 5 default runs (shared memory) + 5 with OMPI_MCA_btl=self,tcp, interleaved.
aa=$rep/aa ab=$rep/ab-btl
compare --json "$aa" >"$dir/aa.json" 2>"$dir/aa.err"
ok_diag $? "$dir/aa.err" "A/A sweep folder: exit 0"
py_check "$dir/aa.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s, = d["significance"]
rows = len(d["rows"])
print(f"A/A: {s['significant']} of {rows} rows significant; noise (median CV of run medians): "
      + ", ".join(f"{n['median_cv']:.3%}" for n in d["noise"]))
assert [len(c["reports"]) for c in d["configurations"]] == [5, 5], d["configurations"]
assert rows >= 40 and s["rows"] == rows and s["by_test"]["t"] == rows, s
assert all(c["runs"] == 5 and c["se_from"] == "runs" for r in d["rows"] for c in r["cells"])
assert all(r["cells"][1]["test"] == "t" and r["cells"][1]["ci95"] for r in d["rows"]), "runs"
assert s["significant"] <= 0.05 * rows, s
PY
ok $? "A/A, 5 + 5 runs with a CPU hog: at most 5% of the rows called significant at alpha 0.05"
compare --fail-below 0.9 "$aa" >/dev/null 2>"$dir/aa.err"
ok_diag $? "$dir/aa.err" "A/A: --fail-below 0.9 exits 0"
compare "$aa" >"$dir/aa.txt"
grep -qE '^A: 5 runs: [0-9.]+% \(90th percentile [0-9.]+%, [0-9]+ rows\)$' "$dir/aa.txt" &&
    grep -qE '^B: 5 runs: [0-9.]+% \(90th percentile [0-9.]+%, [0-9]+ rows\)$' "$dir/aa.txt"
ok_diag $? "$dir/aa.txt" "A/A: the noise of each configuration printed (5 runs: median and 90th percentile CV)"
# The same runs named as reports between '--' and as two configuration folders: the same rows.
set -- "$aa"/cfg-0-*/run*.json
a_runs="$*"
set -- "$aa"/cfg-1-*/run*.json
# shellcheck disable=SC2086
compare --json $a_runs -- "$@" >"$dir/aa-files.json" && compare --json "$aa"/cfg-0-* "$aa"/cfg-1-* >"$dir/aa-dirs.json" &&
    py_check "$dir/aa.json" "$dir/aa-files.json" "$dir/aa-dirs.json" <<'PY'
import json, sys
rows = [json.load(open(f))["rows"] for f in sys.argv[1:]]
assert rows[0] == rows[1] == rows[2]
PY
ok $? "A/A: A1..A5 -- B1..B5, two configuration folders and the sweep folder: the same rows"
# Not significant is not the same: 'same' only where the ratio's 90% interval lies within the
# tolerance (5%) either way; the rest of the rows not called are undecided, each with its
# resolving power. The recorded A/A (a loaded machine: its runs spread by 27-45% at small sizes)
# is undecided throughout; at --tolerance 10, 131072 (ci90 0.937-0.992) is the same.
py_check "$dir/aa.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
for r in d["rows"]:
    a, c = r["cells"]
    inside = 1 / 1.05 <= c["ci_same"][0] and c["ci_same"][1] <= 1.05
    if c["significant"] == "yes":
        assert c["verdict"] in ("slower", "faster"), c
    else:
        assert c["verdict"] == ("same" if inside else "undecided"), (r["size"], c)
    assert c["resolving"] > 0 and c["ci_same"][0] <= c["ratio"] <= c["ci_same"][1], c
s, = d["significance"]
assert s["decided"] == sum(r["cells"][1]["verdict"] != "undecided" for r in d["rows"]), s
PY
ok $? "A/A, five runs a side: 'same' exactly where the ratio's 90% interval lies within 5%, else undecided where not significant"
compare --tolerance 10 "$aa" >"$dir/aa10.txt"
grep -qE '^ +131072 +0->1 .* 0\.937-0\.992 .* same \(noise \+-5\.0%\)$' "$dir/aa10.txt" &&
    grep -q '^# verdicts (alpha 0.05, tolerance +-10%)$' "$dir/aa10.txt"
ok_diag $? "$dir/aa10.txt" "--tolerance 10: a row whose 90% interval lies within 10% is the same"
# Where the rule did not change (runs without visits: Welch's t on the logs of the runs'
# medians, Benjamini-Hochberg), the verdicts are those of the statistics compare computed by
# hand before scipy.stats: each p is scipy's Welch on those logs, and the A/B calls the 12 rows
# it called (the A/A none).
compare --json "$ab" >"$dir/ab-p.json" && py_check "$dir/aa.json" "$dir/ab-p.json" <<'PY'
import json, math, sys
from scipy import stats
for f in sys.argv[1:]:
    for r in json.load(open(f))["rows"]:
        a, c = r["cells"]
        la, lc = [list(map(math.log, x["run_medians"])) for x in (a, c)]
        p = stats.ttest_ind(la, lc, equal_var=False).pvalue
        assert abs(c["p"] - p) < 1e-9, (f, r["size"], c["p"], p)
d = json.load(open(sys.argv[2]))
called = {(r["pattern"], r["size"]) for r in d["rows"] if r["cells"][1]["verdict"] == "slower"}
assert called == {("latency", s) for s in (8, 64, 512, 4096)} | {
    ("bw", s) for s in (1, 8, 64, 512, 4096, 32768, 262144, 4194304)}, called
assert not any(r["cells"][1]["verdict"] == "faster" for r in d["rows"])
assert not any(r["cells"][1]["significant"] == "yes" for r in json.load(open(sys.argv[1]))["rows"])
PY
ok $? "runs without visits: each p is scipy's Welch on the logs of the run medians; the recorded A/B's 12 calls and the A/A's none as before"

compare --json "$ab" >"$dir/ab.json" 2>"$dir/ab.err"
ok_diag $? "$dir/ab.err" "A/B sweep folder: exit 0"
py_check "$dir/ab.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
s, = d["significance"]
# The noise floor: per row, the larger spread among a configuration's own runs there (compare's
# run_cv; the median of these over the rows is the noise it prints). A loaded machine's rows
# differ in noise many times over, and a row is judged by its own.
heard = missed = 0
for r in d["rows"]:
    a, c = r["cells"]
    floor = max(a["run_cv"], c["run_cv"])
    worse = c["ratio"] > 1 if r["unit"] == "us" else c["ratio"] < 1
    if abs(math.log(c["ratio"])) > 2 * floor:
        heard += 1
        if c["verdict"] != ("slower" if worse else "faster"):
            missed += 1
            print("not called:", r["pattern"], r["size"], c["ratio"], floor, c["q"], c["verdict"])
print(f"A/B: {heard} of {len(d['rows'])} rows differ by more than twice their noise floor, {missed} of "
      f"them not called; {s['significant']} rows significant; noise "
      + ", ".join(f"{n['median_cv']:.1%}" for n in d["noise"]))
assert heard >= 0.5 * len(d["rows"]) and missed == 0
assert any(c["name"] == "env.OMPI_MCA_btl" for c in d["context_differences"]), d["context_differences"]
PY
ok $? "A/B, TCP only against shared memory: every row beyond twice its noise floor (the larger spread among either configuration's runs there) called, in its direction"
compare --fail-below 0.9 "$ab" >/dev/null 2>"$dir/ab.err"
[ $? -eq 1 ] && unwrap "$dir/ab.err" |
    grep -q "^gpuxfer-report compare: regression: .*/ab-btl/cfg-1-OMPI_MCA_btl=self_tcp: host .*, t)$"
ok_diag $? "$dir/ab.err" "A/B: --fail-below 0.9 exits 1, naming the configuration and the test"
# One run each, from the recorded A/A (runs before visits): nothing tells the noise; nothing is
# called, every row undecided, and the output says why.
compare "$aa"/cfg-0-*/run1.json "$aa"/cfg-1-*/run1.json >"$dir/aa1.txt"
grep -q '^A: 1 run: no spread among runs' "$dir/aa1.txt" &&
    tr '\n' ' ' <"$dir/aa1.txt" | tr -s ' ' | grep -q ' 46 rows of one run on each side without visits: nothing tells the noise' &&
    [ "$(grep -cE ' undecided \(noise unknown\)$' "$dir/aa1.txt")" -eq 46 ]
ok_diag $? "$dir/aa1.txt" "A/A with one run each, no visits: every row undecided, the noise said to be unknown"
# One run against five: the five's spread of one run stands for both (t1).
compare --json "$aa"/cfg-0-*/run1.json -- "$aa"/cfg-1-* >"$dir/aa15.json"
py_check "$dir/aa15.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert all(r["cells"][1]["test"] == "t1" and r["cells"][1]["resolving"] for r in d["rows"])
assert d["significance"][0]["by_test"]["t1"] == len(d["rows"]) >= 40
PY
ok $? "one run against five: test t1 on every row, each with its resolving power"

# Linear in the number of results: 40000 results, half of them the same measurement repeated
# (runs of a scenario) and half distinct, each of three visits (every row judged); a generous
# bound, not a benchmark.
"$PYTHON" - "$dir" <<'PY'
import json, sys
def res(size, ranks, median):
    return {"path": "host", "mem": {"src": "pinned", "dst": "pinned"}, "pattern": "bw",
            "ranks": ranks, "same_node": True, "size": size, "size_class": "medium",
            "iterations": 10, "warmup": 1, "window": 64, "unit": "GB/s", "status": "ok",
            "validation": {"status": "passed", "checks": 1},
            "stats": {"n": 10, "median": median, "median_ci95": [median * 0.99, median * 1.01]},
            "stop": {"by": "iterations", "visit_medians": [median * 0.99, median, median * 1.01]}}
for name, scale in (("big-a", 1.0), ("big-b", 0.5)):
    results = [res(1 << 20, [0, 1], 10 * scale) for _ in range(20000)]
    results += [res(s, [p, p + 1], 5 * scale) for s in range(1, 1001) for p in range(20)]
    doc = {"schema_version": "1.2", "tool": {"name": "gpuxfer"}, "results": results}
    json.dump(doc, open(f"{sys.argv[1]}/{name}.json", "w"))
PY
# CPU seconds, not wall time: a loaded machine (CI's parallel tests) stretches the wall clock,
# a quadratic comparison the CPU time (it needs about 5 s).
secs=$("$PYTHON" - "$top_srcdir/scripts/gpuxfer-report" "$dir" <<'PY'
import resource, subprocess, sys
with open(sys.argv[2] + "/big.json", "w") as out:
    rc = subprocess.run([sys.executable, sys.argv[1], "compare", "--json", sys.argv[2] + "/big-a.json",
                         sys.argv[2] + "/big-b.json"], stdout=out, timeout=300).returncode
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%d %d" % (rc, round(r.ru_utime + r.ru_stime)))
PY
)
rc=${secs%% *} secs=${secs#* }
[ "$rc" = 0 ] && [ "$secs" -le 30 ] && py_check "$dir/big.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s, = d["summary"]
assert len(d["rows"]) == 40000 and s["slower"] == 40000 and not d["missing"], (len(d["rows"]), s)
assert abs(s["geomean_ratio"] - 0.5) < 1e-9
PY
ok $? "40000 results (20000 repeats of one): compared in ${secs}s of CPU (bound 30 s), every one matched"

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
bad "schema version 3.0" "$rep/base.json" "$rep/schema-v3.json"
bad "no common results" "$rep/base.json" "$rep/other-path.json"
bad "cannot read" "$rep/base.json" "$dir/none.json"
bad "give at least two configurations" "$rep/base.json"
for v in 0 -0.5 1.5 nan inf x; do
    bad "argument --fail-below: expected a number with 0 < x <= 1, got '$v'" \
        "--fail-below=$v" "$rep/base.json" "$rep/slower.json"
done
for v in 0 -1 1 2 nan inf -inf x; do
    bad "argument --alpha: expected a number with 0 < x < 1, got '$v'" \
        "--alpha=$v" "$rep/base.json" "$rep/slower.json"
done
# Bad configurations and sweep folders: exit 2, one line.
mkdir -p "$dir/empty" "$dir/badsweep/cfg-0-X=1" "$dir/oldsweep"
echo '{"manifest_version": 1, "configurations": [{"index": 0, "folder": "x", "settings": "X=1", "runs": []}]}' \
    >"$dir/badsweep/manifest.json"
echo 'not json' >"$dir/oldsweep/manifest.json"
bad "$dir/empty: a folder with no report" "$rep/base.json" "$dir/empty"
bad "badsweep/manifest.json: configurations[0].settings: expected a list" "$dir/badsweep" "$rep/base.json"
bad "oldsweep/manifest.json: not JSON" "$dir/oldsweep"
bad "an empty configuration" "$rep/base.json" -- -- "$rep/slower.json"
bad "an empty configuration" -- "$rep/base.json" "$rep/slower.json"
bad "$aa: 2 configurations in one group" "$aa" -- "$rep/base.json"
bad "argument --tolerance: expected a number with 0 < x <= 1000, got '0'" --tolerance=0 "$rep/base.json" "$rep/slower.json"
bad "unrecognized arguments: --floor" --floor=10 "$rep/base.json" "$rep/slower.json"
compare --alpha 0.2 --fail-below 1 "$rep/base.json" "$dir/base-again.json" >/dev/null
ok $? "--alpha 0.2 and --fail-below 1 are in range"

# Hostile reports: every tool exits 2 with one line naming the file, the field and what it
# expected; never a traceback, never exit 1 (a regression, or goals missed).
"$PYTHON" - "$rep/base.json" "$dir" <<'PY'
import copy, json, sys
base = json.load(open(sys.argv[1]))
def mutated(name, change):
    d = copy.deepcopy(base)
    d = change(d) or d
    with open(f"{sys.argv[2]}/{name}.json", "w") as f:
        f.write(json.dumps(d))
def without(*where):
    def change(d):
        x = d
        for k in where[:-1]:
            x = x[k]
        del x[where[-1]]
    return change
def set_in(where, value):
    def change(d):
        *head, last = where
        x = d
        for k in head:
            x = x[k]
        x[last] = value
    return change
mutated("no-path", without("results", 0, "path"))
mutated("median-null", set_in(["results", 1, "stats", "median"], None))
mutated("median-string", set_in(["results", 3, "stats", "median"], "x"))
mutated("ci-string", set_in(["results", 2, "stats", "median_ci95"], [1, "a"]))
mutated("job-number", set_in(["context", "job"], 5))
mutated("size-big", set_in(["results", 0, "size"], "big"))
mutated("results-object", set_in(["results"], {"a": 1}))
mutated("top-list", lambda d: [d])
mutated("unit-other", set_in(["results", 4, "unit"], "MB/s"))
mutated("sample-nan", set_in(["results", 0, "samples", 3], float("nan")))
mutated("ranks-three", set_in(["results", 0, "ranks"], [0, 1, 2]))
mutated("result-string", set_in(["results", 2], "ok"))
mutated("stats-missing", without("results", 1, "stats"))
mutated("env-list", set_in(["context", "ranks", 0, "env"], ["A=1"]))
mutated("cmdline-number", set_in(["command_line"], [1]))
mutated("matrix-ragged", set_in(["matrices"], [{"path": "host", "pattern": "bw", "size": 8,
                                                 "unit": "GB/s", "values": [[None, 1], [2]]}]))
PY
hostile() { # NAME WANT-TEXT
    for tool in compare plot summary goals; do
        case $tool in
        compare) args="$dir/$1.json $rep/slower.json" ;;
        plot) args="$dir/$1.json -o $dir/x.png" ;;
        *) args="$dir/$1.json" ;;
        esac
        # shellcheck disable=SC2086
        "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" $tool $args >"$dir/h.out" 2>"$dir/h.err"
        rc=$?
        [ $rc -eq 2 ] && [ "$(wc -l <"$dir/h.err")" -eq 1 ] &&
            grep -qF -- "gpuxfer-report $tool: $dir/$1.json: $2" "$dir/h.err" && [ ! -s "$dir/h.out" ]
        ok $? "$tool, $1: exit 2, one line: $2"
        [ $rc -eq 2 ] && [ "$(wc -l <"$dir/h.err")" -eq 1 ] || { echo "exit $rc"; cat "$dir/h.err"; } | diag
    done
}
hostile no-path 'results[0].path: expected a string, got nothing (the field is missing)'
hostile median-null 'results[1].stats.median: expected a number, got null'
hostile median-string 'results[3].stats.median: expected a number, got "x"'
hostile ci-string 'results[2].stats.median_ci95[1]: expected a number, got "a"'
hostile job-number 'context.job: expected an object, got 5'
hostile size-big 'results[0].size: expected an integer from 1 to 2**63 - 1, got "big"'
hostile results-object 'results: expected a list, got an object'
hostile top-list 'top level: expected an object (a gpuxfer report), got a list'
hostile unit-other 'results[4].unit: expected "us" or "GB/s", got "MB/s"'
hostile sample-nan 'results[0].samples[3]: expected a number, got NaN'
hostile ranks-three 'results[0].ranks: expected a list of 2 items, got 3 items'
hostile result-string 'results[2]: expected an object, got "ok"'
hostile stats-missing 'results[1].stats: expected an object (status is "ok")'
hostile env-list 'context.ranks[0].env: expected an object, got a list'
hostile cmdline-number 'command_line[0]: expected a string, got 1'
hostile matrix-ragged 'matrices[0].values[1]: expected a list of 2 items (a square matrix), got 1 items'

# Schema 2.5's noise (noisy.json: latency 8 B and bw 1 MiB disturbed): a value resting on a
# disturbed run has ~ after it, and so does the verdict of its comparison, either side; the
# summary counts them; older reports (base.json) are unmarked. Each as a run of three visits
# 1% apart (with_visits): every row decided.
with_visits "$rep/noisy.json" "$dir/noisy-v.json"
compare "$dir/base-v.json" "$dir/noisy-v.json" >"$dir/n.txt" 2>&1
ok_diag $? "$dir/n.txt" "a 2.5 report against a 1.0 one: exit 0"
grep -qE '^ +8 +0->1 +2\.014 +2\.487~ +1\.235 .* slower~ \(noise \+-3\.1%\)$' "$dir/n.txt" &&
    grep -qE '^ +1048576 +0->1 +9\.978 +5\.337~ +0\.535 .* slower~ \(noise \+-3\.1%\)$' "$dir/n.txt"
ok_diag $? "$dir/n.txt" "a noisy value: ~ after it and after its verdict"
grep -qE '^ +65536 +0->1 +8\.532 +8\.041 +0\.943 .* slower \(noise \+-3\.1%\)$' "$dir/n.txt" &&
    [ "$(grep -cE '^ +[0-9]+ +0->1 .*~' "$dir/n.txt")" -eq 2 ]
ok_diag $? "$dir/n.txt" "clean rows unmarked: two marked rows of five"
tr '\n' ' ' <"$dir/n.txt" | tr -s ' ' |
    grep -q ' B: host bw (GB/s): 2 slower, 0 faster, 1 same, 0 undecided, 1 of them on a disturbed run (~); geomean' &&
    grep -q '^B: 2 rows with a run the machine disturbed (~' "$dir/n.txt" &&
    grep -q '^# ~ after a value: ' "$dir/n.txt"
ok_diag $? "$dir/n.txt" "the summary and the noise count the comparisons on disturbed runs; the header says what ~ is"
compare "$dir/noisy-v.json" "$dir/base-v.json" >"$dir/n2.txt" 2>&1 &&
    grep -qE '^ +8 +0->1 +2\.487~ +2\.014 .* faster~ \(noise \+-3\.1%\)$' "$dir/n2.txt"
ok_diag $? "$dir/n2.txt" "the reference (A) disturbed: its value and the verdict marked"
! grep -q '~' "$dir/t.txt"
ok_diag $? "$dir/t.txt" "reports before 2.5: nothing marked"
compare "$dir/base-v.json" "$dir/noisy-v.json" --json >"$dir/n.json" 2>&1
py_check "$dir/n.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cells = {r["size"]: r["cells"] for r in d["rows"] if r["pattern"] == "bw"}
assert cells[1 << 20][1]["noisy"] == 1 and cells[1 << 20][1]["noise"] == ["tail", "wide"]
assert cells[1 << 20][1]["noisy_comparison"] is True and cells[1 << 20][0]["noisy"] == 0
assert cells[65536][1]["noisy_comparison"] is False
assert [s["noisy"] for s in d["summary"]] == [1, 1], d["summary"]
assert [n["noisy_rows"] for n in d["noise"]] == [0, 2], d["noise"]
PY
ok $? "--json: each cell's noisy runs and marks, noisy_comparison; the summary's and noise's counts"
compare "$dir/base-v.json" "$dir/noisy-v.json" --fail-below 0.9 >/dev/null 2>"$dir/nf.err"
[ $? -eq 1 ] && unwrap "$dir/nf.err" |
    grep -q 'regression: .*host bw size 1048576 .* on a run the machine disturbed (~): rerun on a quieter node$' &&
    [ "$(awk 'length > 100' "$dir/nf.err" | wc -l)" -eq 0 ]
ok_diag $? "$dir/nf.err" "--fail-below still fails on a disturbed run, and says so"

# Constructed runs with visits (tests/reports/make-visit-runs.py says what each set holds and
# the verdict each row must get): tolerance, resolving power, each verdict, one run a side
# deciding from its visits, a whole run slow, --vary's settings, gpuxfer's own picks.
vr=$dir/visit-runs
"$PYTHON" "$top_srcdir/tests/reports/make-visit-runs.py" "$vr"
ok $? "make-visit-runs.py writes the constructed runs"
py_check "$top_srcdir/schema/gpuxfer-report.schema.json" "$vr"/tol/*.json "$vr"/one/*.json \
    "$vr"/slowrun/*.json "$vr"/picks/*.json <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for f in sys.argv[2:]:
    jsonschema.validate(json.load(open(f)), schema)
PY
ok $? "the constructed runs with visits are valid against the schema"
compare --json "$vr"/tol/A*.json -- "$vr"/tol/B*.json >"$dir/tol.json" &&
    compare --json --tolerance 10 "$vr"/tol/A*.json -- "$vr"/tol/B*.json >"$dir/tol10.json" &&
    compare --json --tolerance 0.01 "$vr"/tol/A*.json -- "$vr"/tol/B*.json >"$dir/tol01.json" &&
    py_check "$dir/tol.json" "$dir/tol10.json" "$dir/tol01.json" <<'PY'
import json, sys
M = 1 << 20
d5, d10, d01 = (json.load(open(f)) for f in sys.argv[1:])
v = lambda d: {r["size"] // M: r["cells"][1]["verdict"] for r in d["rows"]}  # noqa: E731
assert v(d5) == {1: "same", 2: "slower", 4: "faster", 8: "undecided", 16: "undecided"}, v(d5)
assert v(d10) == {**v(d5), 16: "same"}, v(d10)
# Within 0.01%: no interval is that narrow here; the calls stay.
assert v(d01) == {**v(d5), 1: "undecided"}, v(d01)
cells = {r["size"] // M: r["cells"][1] for r in d5["rows"]}
# The resolving power: small where the visits are tight, far beyond 5% where they spread 30%.
assert cells[1]["resolving"] < 0.01 and cells[8]["resolving"] > 0.1, cells
assert 0.05 < cells[16]["resolving"] < 0.1 and cells[16]["significant"] == "no", cells[16]
assert all(c["se_from"] == "visits" and c["visits"] == 15 for c in cells.values()), cells
s, = d5["significance"]
assert (s["decided"], s["same"], s["significant"]) == (3, 1, 2), s
assert s["resolving_worst"] == cells[8]["resolving"], s
PY
ok $? "three runs a side with visits: same, slower, faster, undecided by their noise; --tolerance 10 makes a 2% row the same, 0.01 none"
compare "$vr"/tol/A*.json -- "$vr"/tol/B*.json >"$dir/tol.txt"
grep -qE '^ +8388608 +0->1 .* undecided \(noise \+-[0-9]+%\)$' "$dir/tol.txt" &&
    grep -qE '^ +1048576 +0->1 .* same \(noise \+-0\.[0-9]%\)$' "$dir/tol.txt" &&
    unwrap "$dir/tol.txt" | grep -qE '^B vs A: 3 of 5 rows decided: 2 significant \(q < 0\.05\), 1 the same within \+-5%; noise \+-[0-9.]+% median, \+-[0-9]+% worst \(the smallest difference a row could call\)$' &&
    unwrap "$dir/tol.txt" | grep -qE '^B: host bw \(GB/s\): 1 slower, 1 faster, 1 same, 2 undecided; geomean B/A [0-9.]+; noise \+-[0-9.]+% median, \+-[0-9]+% worst$' &&
    [ -z "$(grep -vF "$vr" "$dir/tol.txt" | awk 'length > 100')" ]
ok_diag $? "$dir/tol.txt" "every row, the verdicts' count and the summary say the resolving power"
compare --json "$vr"/one/A.json "$vr"/one/B.json >"$dir/one.json" && py_check "$dir/one.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = {r["size"] >> 20: r["cells"][1]["verdict"] for r in d["rows"]}
assert v == {1: "slower", 2: "same"}, v
assert all(c["runs"] == 1 and c["se_from"] == "visits" for r in d["rows"] for c in r["cells"])
PY
ok $? "one run a side decides from its visits: slower and the same"
# The golden runs of the reports' SKU (an expectations file): their noise between runs stands
# for one run's where larger than its visits'; a file of another SKU changes nothing.
py_check "$top_srcdir/scripts" "$vr/one/A.json" "$dir/golden.json" "$dir/other.json" <<'PY'
import json, sys
sys.path.insert(0, sys.argv.pop(1))
from gxreport import expect
facts = expect.facts(json.load(open(sys.argv[1])), "A")
def doc(f, noise):
    return {"format": "gpuxfer-expectations", "version": "1.0", "tool": "test",
            "skus": [{"facts": f, "runs": [{"report": "g%d.json" % i} for i in range(3)],
                      "expectations": [{"route_class": "no link", "path": "host",
                                        "mem": {"src": "pageable", "dst": "pageable"},
                                        "pattern": "bw", "size": s, "unit": "GB/s",
                                        "expected": 10.0, "noise": noise, "at_least": 8.0,
                                        "runs": [0, 1, 2], "points": 3}
                                       for s in (1 << 20, 2 << 20)]}]}
json.dump(doc(facts, 0.10), open(sys.argv[2], "w"))
json.dump(doc({**facts, "gpu_model": "another GPU"}, 0.10), open(sys.argv[3], "w"))
PY
compare --json --expect "$dir/golden.json" "$vr"/one/A.json "$vr"/one/B.json \
    >"$dir/golden-one.json" 2>"$dir/golden-one.err" &&
    compare --json --expect "$dir/other.json" "$vr"/one/A.json "$vr"/one/B.json \
        >"$dir/other-one.json" 2>/dev/null &&
    tr '\n' ' ' <"$dir/golden-one.err" | tr -s ' ' |
        grep -q "^# one run's noise between runs: the golden runs of none x 0 in # .*golden.json" &&
    py_check "$dir/golden-one.json" "$dir/other-one.json" <<'PY'
import json, sys
g, o = (json.load(open(f)) for f in sys.argv[1:])
v = lambda d: {r["size"] >> 20: r["cells"][1]["verdict"] for r in d["rows"]}  # noqa: E731
assert v(g) == {1: "undecided", 2: "undecided"}, v(g)
assert all(c["se_from"] == "golden runs" and c["df"] is not None
           for r in g["rows"] for c in r["cells"][1:]), g["rows"]
assert v(o) == {1: "slower", 2: "same"}, v(o)
PY
ok_diag $? "$dir/golden-one.err" "one run a side with its SKU's golden runs (--expect): their 10% noise between runs, larger than the visits', leaves both rows undecided; another SKU's file changes nothing"
compare --json "$vr"/slowrun/A*.json -- "$vr"/slowrun/B*.json >"$dir/slowrun.json" &&
    py_check "$dir/slowrun.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
a, b = d["rows"][0]["cells"]
# B's third run is 10% slow at every visit: within each run the visits agree (their noise
# alone would call a 3.4% difference), the runs do not: B's noise is its runs'.
assert b["se_from"] == "runs" and a["se_from"] == "visits", (a, b)
assert b["significant"] == "no" and b["verdict"] == "undecided" and b["resolving"] > 0.1, b
PY
ok $? "two levels: a whole run uniformly slow (tight visits) is not called; the runs' spread is the noise"

# --vary (the C side's --vary chunk=1M,4M): each value a configuration of the same runs, the
# first A; rows matched at every field but the chunk; the settings measured one after the other
# at each visit, so their difference is judged visit by visit (paired): the 10% the machine
# drifted between visits drops out, 2% is called.
compare "$vr"/vary >"$dir/vary.txt" 2>&1 && compare --json "$vr"/vary >"$dir/vary.json" &&
    compare --json "$vr"/vary/run1.json >"$dir/vary1.json" && py_check "$dir/vary.json" "$dir/vary1.json" <<'PY'
import json, sys
for f, runs in zip(sys.argv[1:], (2, 1)):
    d = json.load(open(f))
    assert d["reports"] == ["chunk=1M", "chunk=4M"] and d["vary"] == {"option": "chunk", "values": ["1M", "4M"]}, d["reports"]
    assert [len(c["reports"]) for c in d["configurations"]] == [runs, runs], d["configurations"]
    v = {r["size"] >> 20: r["cells"][1] for r in d["rows"]}
    assert v[1]["verdict"] == "faster" and v[1]["test"] == "paired" and v[1]["resolving"] < 0.01, v[1]
    assert abs(v[1]["ratio"] - 1.02) < 0.001 and v[2]["verdict"] == "same", v
    assert all(r["chunk"] == "varied" for r in d["rows"]), d["rows"]
    assert not d["option_differences"] and not d["unfair"] and not d["missing"], d
PY
ok_diag $? "$dir/vary.txt" "--vary runs: each value a configuration, rows matched but for the chunk, the 2% called visit by visit (one run or two)"
grep -q '^# A: chunk=1M (2 runs): chunk=1M$' "$dir/vary.txt" &&
    grep -q '^# path host, memory pageable -> pageable, pattern bw, chunk varied' "$dir/vary.txt"
ok_diag $? "$dir/vary.txt" "--vary: the legend names each value, the block the varied chunk"
# Unpaired, the same values decide nothing: the drift between visits is their noise.
"$PYTHON" - "$vr/vary/run1.json" "$dir/unpaired" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
os.makedirs(sys.argv[2], exist_ok=True)
for v, minute in (("1M", "10"), ("4M", "11")):
    e = dict(d, start_time=f"2026-01-01T01:{minute}:00Z", context=dict(d["context"]))
    del e["context"]["run"]
    e["results"] = [dict({k: x for k, x in r.items() if k != "vary"}, chunk=1 << 20)
                    for r in d["results"] if r["vary"]["value"] == v]
    json.dump(e, open(f"{sys.argv[2]}/{v}.json", "w"))
PY
compare --json "$dir/unpaired/1M.json" "$dir/unpaired/4M.json" >"$dir/unpaired.json" &&
    py_check "$dir/unpaired.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["rows"][0]["cells"][1]
assert c["test"] == "t" and c["verdict"] == "undecided" and c["resolving"] > 0.05, c
PY
ok $? "the same values as two unpaired runs: the visits' drift is their noise, 2% undecided"
# --vary's bad input: one line, exit 2.
"$PYTHON" - "$vr/vary/run1.json" "$dir" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def out(name, change):
    e = json.loads(json.dumps(d))
    change(e)
    e["start_time"] = "2026-01-01T02:00:00Z"
    json.dump(e, open(f"{sys.argv[2]}/{name}.json", "w"))
out("vary-depth", lambda e: e["context"]["run"].update(vary={"option": "depth", "values": ["1M", "4M"]}))
out("vary-bad-option", lambda e: e["context"]["run"]["vary"].update(option="colour"))
out("vary-one-value", lambda e: e["context"]["run"]["vary"].update(values=["1M"]))
out("vary-stray", lambda e: e["results"][0]["vary"].update(value="2M"))
def plain(e):
    del e["context"]["run"]
out("vary-plain", plain)
PY
bad "vary-depth.json: varies depth over 1M,4M, where" "$vr/vary/run1.json" "$dir/vary-depth.json"
bad "vary-bad-option.json: context.run.vary.option: expected one of chunk, depth, window, path, nccl-comm, mem, got 'colour'" "$dir/vary-bad-option.json"
bad "vary-one-value.json: context.run.vary.values: expected two or more distinct values, got 1M" "$dir/vary-one-value.json"
bad "vary-stray.json: a result's vary.value '2M' is none of context.run.vary.values (1M,4M)" "$dir/vary-stray.json"
bad "vary-plain.json: results of --vary (their vary) without the run's context.run.vary" "$dir/vary-plain.json" "$rep/base.json"
bad "base.json: not a run of --vary, where" "$vr/vary/run1.json" "$rep/base.json"

# gpuxfer's own picks are no configuration difference: identical commands whose window (shrunk
# to a step's share under load) or chunk (--chunk auto, the default search) differ compare
# without UNFAIR, the pick said as a note; a window a command line sets is the user's: UNFAIR.
compare "$vr"/picks/A.json "$vr"/picks/B.json "$vr"/picks/C.json >"$dir/picks.txt" 2>&1 &&
    compare --json "$vr"/picks/A.json "$vr"/picks/B.json "$vr"/picks/C.json >"$dir/picks.json"
[ $? -eq 0 ] && flat "$dir/picks.txt" | grep -qF "/picks/B.json:hostbwpageable>pageablepair0->1size1M:window24vs1(gpuxfer'spick:awindowitshrank" &&
    flat "$dir/picks.txt" | grep -qF "/picks/B.json:hostbwpageable>pageablechunkautopair0->1size2M:chunk/depth1M/2vs4M/2(gpuxfer'spick:thebestofitscandidates" &&
    flat "$dir/picks.txt" | grep -qF "UNFAIR:$vr/picks/C.json:hostbwpageable>pageablepair0->1size1M:window24vs16" &&
    [ "$(grep -c '^UNFAIR: ' "$dir/picks.txt")" -eq 1 ] && py_check "$dir/picks.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = {(o["report"].split("/")[-1], o["option"]): (o["picked"], o["unfair"]) for o in d["option_differences"]}
assert got == {("B.json", "window"): (True, False), ("B.json", "chunk/depth"): (True, False),
               ("C.json", "window"): (False, True)}, got
assert all(c["unfair"] == [] for r in d["rows"] for c in r["cells"][1:2]), d["rows"]
PY
ok_diag $? "$dir/picks.txt" "gpuxfer's picks (a window shrunk, a chunk searched) are notes, not UNFAIR; a window the command set is"

# --reference: your runs beside the reference runs of the same GPU model and pair link (the
# source tree's results/reference): one H200 run (a reference run made a run of its own) is set
# beside the three H200 runs, an H100 one beside the H100 runs, a run between two H200s over
# NVLink beside those (never the one-GPU H200 runs), a run on four H100s beside those (never the
# two-GPU ones: the kind counts the job's GPUs); a report of no GPU has none.
ref=$top_srcdir/results/reference
for spec in "h200-1gpu:the same GPU" "h100-80gb-1gpu:the same GPU" "h200-2gpu-nvlink:NV18" \
    "h100-2gpu-nvlink:NV18" "h100-4gpu-nvlink:NV18, 4 GPUs"; do
    gpu=${spec%%:*} link=${spec#*:}
    "$PYTHON" - "$ref/$gpu-default-run1.json" "$dir/mine-$gpu.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["start_time"], d["end_time"] = "2026-11-25T10:00:00Z", "2026-11-25T10:01:00Z"
json.dump(d, open(sys.argv[2], "w"))
PY
    compare --reference "$dir/mine-$gpu.json" >"$dir/ref.out" 2>"$dir/ref.err"
    rc=$?
    runs=$(find "$ref" -name "$gpu-default-run*.json" | wc -l)
    [ $rc -eq 0 ] && [ ! -s "$dir/ref.err" ] && [ "$runs" -ge 2 ] &&
        unwrap_notes "$dir/ref.out" | tr -d ' ' |
        grep -q "^#reference:${runs}runsofNVIDIAH[12]00.*($(echo "$link" | tr -d ' '))from.*results/reference$" &&
        unwrap_notes "$dir/ref.out" | tr -d ' ' |
        grep -q "^#A:reference$gpu-default-run1.json..$gpu-default-run$runs.json(${runs}runs)$" &&
        unwrap_notes "$dir/ref.out" | tr -d ' ' | grep -q "^#B:.*mine-$gpu.json(1run)$"
    ok $? "--reference, one $gpu run: A the $runs reference runs of its GPU (exit $rc)" ||
        { head -n 5 "$dir/ref.out"; cat "$dir/ref.err"; } | diag
done
# Schema 2.12 named the ceilings "ceilings" (before: "calibration"): a run of the new name beside
# Your runs given as reports, the documented form ("run three of yours and give them all"): one
# configuration, whatever their number, never one per report.
"$PYTHON" - "$ref/h100-2gpu-nvlink-default-run1.json" "$dir/mine-a.json" "$dir/mine-b.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k, out in enumerate(sys.argv[2:]):
    d["start_time"], d["end_time"] = f"2026-11-25T1{k}:00:00Z", f"2026-11-25T1{k}:01:00Z"
    json.dump(d, open(out, "w"))
PY
compare --reference "$dir/mine-a.json" "$dir/mine-b.json" >"$dir/ref.out" 2>"$dir/ref.err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$dir/ref.err" ] &&
    flat "$dir/ref.out" | grep -q "B:[^(]*mine-a\.json\.\.[^(]*mine-b\.json(2runs)" &&
    grep -q "^B: 2 runs: " "$dir/ref.out"
ok $? "--reference with two of your reports: one configuration of 2 runs beside the reference (exit $rc)" ||
    { head -n 5 "$dir/ref.out"; cat "$dir/ref.err"; } | diag
# the reference runs of the old (they keep it) has the same ceilings option, on, and validates;
# a report with both names does not.
"$PYTHON" - "$ref/h200-1gpu-default-run1.json" "$dir/mine-new.json" \
    "$top_srcdir/schema/gpuxfer-report.schema.json" >"$dir/new.txt" 2>&1 <<'PY'
import json, sys, jsonschema
d = json.load(open(sys.argv[1]))
schema = json.load(open(sys.argv[3]))
assert "calibration" in d and "ceilings" not in d, "the reference run is no longer an old report"
d["start_time"], d["end_time"] = "2026-11-25T10:00:00Z", "2026-11-25T10:01:00Z"
both = dict(d, ceilings=d["calibration"])
d["ceilings"] = d.pop("calibration")
jsonschema.validate(d, schema)
json.dump(d, open(sys.argv[2], "w"))
try:
    jsonschema.validate(both, schema)
    sys.exit("a report with both ceilings and calibration validated")
except jsonschema.ValidationError:
    pass
PY
ok_diag $? "$dir/new.txt" "a report's ceilings under the new name validate, under both names not"
compare --reference "$dir/mine-new.json" >"$dir/ref.out" 2>"$dir/ref.err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$dir/ref.err" ] && ! grep -q 'ceilings' "$dir/ref.out" &&
    grep -q "^# A: reference h200-1gpu-default-run1.json .. h200-1gpu-default-run3.json (3 runs)$" "$dir/ref.out"
ok $? "--reference, a run of the new name beside old reports (calibration): no option difference (exit $rc)" ||
    { head -n 20 "$dir/ref.out"; cat "$dir/ref.err"; } | diag
compare --reference "$rep/base.json" >"$dir/ref.out" 2>"$dir/ref.err"
rc=$?
[ $rc -eq 2 ] && [ ! -s "$dir/ref.out" ] && [ "$(wc -l <"$dir/ref.err")" -eq 1 ] &&
    grep -q "^gpuxfer-report compare: --reference: no reference run of no GPU (.*) in .*; there are: NVIDIA H100 80GB HBM3 (NV18); NVIDIA H100 80GB HBM3 (NV18, 4 GPUs); NVIDIA H100 80GB HBM3 (the same GPU); NVIDIA H200 (NV18); NVIDIA H200 (the same GPU)$" "$dir/ref.err"
ok $? "--reference of a run without a GPU: exit 2 (got $rc), one line naming the references there are" ||
    diag <"$dir/ref.err"
# A shipped reference run given as one's own is left out of the references, not refused as a
# report given twice; all of them given: nothing to compare with, exit 2.
compare --reference "$ref/h200-1gpu-default-run2.json" >"$dir/ref.out" 2>"$dir/ref.err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$dir/ref.err" ] &&
    flat "$dir/ref.out" | grep -q "reference:2runsofNVIDIAH200(thesameGPU)from.*,less1givenasyours" &&
    grep -q "^# A: reference h200-1gpu-default-run1.json .. h200-1gpu-default-run3.json (2 runs)$" "$dir/ref.out"
ok $? "--reference of a shipped reference run: compared with the other two (exit $rc)" ||
    { head -n 5 "$dir/ref.out"; cat "$dir/ref.err"; } | diag
mkdir "$dir/mine-all" && cp "$ref"/h200-1gpu-default-run*.json "$dir/mine-all/" &&
    compare --reference "$dir/mine-all" >/dev/null 2>"$dir/ref.err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$dir/ref.err")" -eq 1 ] &&
    grep -q "every reference run of NVIDIA H200 (the same GPU) in .* is one of the runs given" "$dir/ref.err"
ok $? "--reference of every shipped H200 run: exit 2 (got $rc), one line" || diag <"$dir/ref.err"
compare --reference "$dir/mine-h200-1gpu.json" -- "$rep/base.json" >/dev/null 2>"$dir/ref.err"
[ $? -eq 2 ] && grep -q "give your runs as one configuration (got 2)" "$dir/ref.err"
ok $? "--reference with two configurations: exit 2" || diag <"$dir/ref.err"

# Every line within 100 columns whatever the reports name: two configurations of two
# runs each under long folder and file names, a context fact with a long value, an option that
# differs, a result missing in B; the long texts wrap, none is lost.
long="$dir/a-folder-name-as-long-as-a-sweep-of-settings-makes-it/and-another-level-below-that-one"
mkdir -p "$long"
"$PYTHON" - "$rep/base.json" "$rep/slower.json" "$long" <<'PY'
import json, sys
base, slower, folder = sys.argv[1:4]
tls = ",".join(f"transport-{i}" for i in range(20))
for side, src in (("a", base), ("b", slower)):
    for run in (1, 2):
        d = json.load(open(src))
        for r in d["results"]:  # each run its own report: a little apart
            r["stats"]["median"] *= 1 + run / 100
        if side == "b":
            for r in d["context"]["ranks"]:
                r["env"]["UCX_TLS"] = tls
            d["results"][0]["warmup"] = 12345
            d["results"].pop()
        name = f"{folder}/{side}-configuration-with-a-name-long-enough-to-need-wrapping-run{run}.json"
        json.dump(d, open(name, "w"))
PY
compare "$long"/a-*.json -- "$long"/b-*.json >"$dir/long.txt" 2>"$dir/long.err"
rc=$?
[ $rc -eq 0 ] && [ -z "$(awk 'length > 100' "$dir/long.txt")" ] &&
    grep -q '^# B: ' "$dir/long.txt" && grep -q '^# path host, memory' "$dir/long.txt" &&
    grep -q 'UNFAIR: ' "$dir/long.txt" && grep -q '^missing in ' "$dir/long.txt" &&
    grep -q '^env.UCX_TLS:$' "$dir/long.txt" &&
    [ "$(tr -d ' \n' <"$dir/long.txt" | grep -o 'transport-19' | wc -l)" -ge 1 ] &&
    tr -d ' \n#' <"$dir/long.txt" | grep -qF 'B:transport-0,transport-1,transport-2'
ok_diag $? "$dir/long.txt" "compare of long names, paths and values: every line within 100 columns, the values whole once unwrapped (exit $rc)"
# A block with line% and pairs of ranks from 100 (8 characters): the size's column gives the pair
# its room, the lines stay within 100 columns.
"$PYTHON" - "$dir" <<'PY'
import json, sys
def res(size, median):
    return {"path": "p2p", "mem": {"src": "device", "dst": "device"}, "pattern": "bw",
            "ranks": [100, 101], "same_node": True, "size": size, "unit": "GB/s", "status": "ok",
            "iterations": 20, "warmup": 2, "window": 4, "stats": {"n": 20, "median": median,
            "cv": 0.001}, "line_gbs": 450.0, "line_share": median / 450.0,
            "line_route": "NVLink 4, 18 links 450.0"}
for name, f, minute in (("wideA", 1.0, 1), ("wideB", 0.9, 2)):
    json.dump({"schema_version": "2.9", "tool": {"name": "gpuxfer", "version": "0.1.0"},
               "command_line": ["gpuxfer"], "start_time": "2026-01-01T00:0%d:00Z" % minute,
               "status": "complete", "exit_code": 0,
               "results": [res(1 << 20, 300 * f), res(64 << 20, 400 * f)]},
              open(f"{sys.argv[1]}/{name}.json", "w"))
PY
compare "$dir/wideA.json" "$dir/wideB.json" >"$dir/wide.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && [ -z "$(awk 'length > 100' "$dir/wide.txt")" ] &&
    grep -qE '^# +size +pair +A +B +B/A +line% +ci90 ' "$dir/wide.txt" &&
    [ "$(grep -cE '^ *[0-9]+ 100->101 +[0-9.]+ +[0-9.]+ +0\.900 +[0-9]+ ' "$dir/wide.txt")" -eq 2 ]
ok_diag $? "$dir/wide.txt" "pairs of ranks from 100 beside line%: every line within 100 columns (exit $rc)"
# The widest a row gets: 1 GiB (10 digits) beside pairs from 100, a ratio over 1000 and its
# interval: the row goes on below, within 100 columns.
"$PYTHON" - "$dir" <<'PY'
import json, sys
def res(median):
    return {"path": "p2p", "mem": {"src": "device", "dst": "device"}, "pattern": "bw",
            "ranks": [100, 101], "same_node": True, "size": 1 << 30, "unit": "GB/s",
            "status": "ok", "iterations": 20, "warmup": 2, "window": 4,
            "stats": {"n": 20, "median": median, "cv": 0.001}, "line_gbs": 450.0,
            "line_share": median / 450.0, "line_route": "NVLink 4, 18 links 450.0"}
for i, (name, v) in enumerate((("hugeA1", 0.01), ("hugeA2", 0.011), ("hugeB1", 30.0),
                               ("hugeB2", 31.0))):
    json.dump({"schema_version": "2.9", "tool": {"name": "gpuxfer", "version": "0.1.0"},
               "command_line": ["gpuxfer"], "start_time": "2026-01-01T00:0%d:00Z" % i,
               "status": "complete", "exit_code": 0, "results": [res(v)]},
              open(f"{sys.argv[1]}/{name}.json", "w"))
PY
compare "$dir"/hugeA1.json "$dir"/hugeA2.json -- "$dir"/hugeB1.json "$dir"/hugeB2.json \
    >"$dir/huge.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && [ -z "$(awk 'length > 100' "$dir/huge.txt")" ] &&
    unwrap "$dir/huge.txt" | grep -qE '^ *1073741824 +100->101 .* faster \(noise \+-61%\)$'
ok_diag $? "$dir/huge.txt" "1 GiB, pairs from 100, a ratio over 1000: the row within 100 columns, whole once unwrapped (exit $rc)"

# Bandwidths below 0.01 GB/s as gpuxfer's table and summary print them: in MB/s with
# an M after them (0.00997M, 0.8532M; were 9.973e-06, 8.532e-04), the legend line once above
# the blocks; larger bandwidths, latencies and the ratios as they were; --json keeps GB/s.
"$PYTHON" "$top_srcdir/tests/tiny_report.py" "$rep/base.json" "$dir/tiny.json"
compare "$rep/base.json" "$dir/tiny.json" >"$dir/mbs.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && [ -z "$(awk 'length > 100' "$dir/mbs.txt")" ] && ! grep -q 'e-' "$dir/mbs.txt" &&
    grep -qE '^ +8 +0->1 +0\.09973 +0\.00997M +0\.0001 ' "$dir/mbs.txt" &&
    grep -qE '^ +65536 +0->1 +8\.532 +0\.8532M +0\.0001 ' "$dir/mbs.txt" &&
    grep -qE '^ +1048576 +0->1 +9\.978 +9\.978 +1\.000 ' "$dir/mbs.txt" &&
    [ "$(grep -cx '# M after a value: MB/s, as bandwidths below 0.01 GB/s print (the report keeps GB/s)' "$dir/mbs.txt")" -eq 1 ] &&
    compare "$rep/base.json" "$dir/tiny.json" --json | "$PYTHON" -c '
import json, sys
rows = json.load(sys.stdin)["rows"]
assert any(0 < r["cells"][1]["value"] < 1e-5 for r in rows if r["unit"] == "GB/s"), rows' &&
    compare "$dir/tiny.json" "$rep/noisy.json" >"$dir/mbs2.txt" 2>&1 &&
    grep -qE '^ +65536 +0->1 +0\.8532M +8\.041 ' "$dir/mbs2.txt" &&
    ! grep -q 'MB/s' "$dir/t.txt"
ok_diag $? "$dir/mbs.txt" "bandwidths below 0.01 GB/s in MB/s with an M, the legend once; none where there are none (exit $rc)"

rm -rf "$dir"
done_testing
