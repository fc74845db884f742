#!/bin/sh
# --format csv: rank 0's stdout is a CSV file (header, one line per result, skipped paths and
# results with their reason) whose values are the report's; everything else goes to stderr.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/csv.XXXXXX")
common="--iters 20 --warmup 2 --quiet"

# A run name with a comma, quotes and a byte that is not UTF-8: quoted, and repaired as in
# the report. With ceilings measured: the lines have them and efficiencies. p2p is skipped as a whole path without a GPU (or not built in).
name=$(printf 'csv,"q"\377')
gx_mpirun_table "$dir/a.csv" 2 --format csv --path host,p2p --pattern latency,bw --sizes 8,1M \
    $common --name "$name" --output "$dir/a.json" >"$dir/a.err" 2>&1
ok $? "--format csv, host and p2p, latency and bw, 2 sizes: exit 0" || diag <"$dir/a.err"

# check_csv CSV REPORT: the header exactly, one line per result in the report's order with its
# values, one per skipped path and pair with the reason; prints what it found.
cat >"$dir/check_csv.py" <<'PY'
import csv, json, re, sys
cols = ("run,path,src_mem,dst_mem,pattern,initiator,peer,same_node,size,size_class,chunk,depth,"
        "chunk_choice,iterations,warmup,window,unit,status,reason,median,min,max,mean,p5,p95,cv,"
        "ceiling,efficiency,ceiling_exceeded,validation,noise,ceiling_unsound,ceiling_within,"
        "line_gbs,line_share,line_exceeded,collective,in_place,bytes,count,type,time_us,"
        "algbw_gbs,busbw_gbs,host,job,time").split(",")
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
doc = json.load(open(sys.argv[2]))
host_of = {r["rank"]: r["hostname"] for r in doc["context"]["ranks"]}
if rows[0] != cols:
    sys.exit("header: %r" % rows[0])
if any(len(r) != len(cols) for r in rows):
    sys.exit("a line without %d fields" % len(cols))
rows = [dict(zip(cols, r)) for r in rows[1:]]
whole = [r for r in rows if r["status"] == "skipped" and not r["pattern"]]  # skipped paths
res = [r for r in rows if r not in whole]

def text(v):
    return "" if v is None else "true" if v is True else "false" if v is False else str(v)

def expect(j):
    st = j.get("stats", {})
    e = {"run": j.get("run", ""), "path": j["path"], "src_mem": j["mem"]["src"],
         "dst_mem": j["mem"]["dst"], "pattern": j["pattern"], "initiator": j["ranks"][0],
         "peer": j["ranks"][1], "same_node": j["same_node"], "size": j["size"],
         "size_class": j["size_class"], "chunk": j.get("chunk"), "depth": j.get("depth"),
         "chunk_choice": j.get("chunk_choice"), "iterations": j["iterations"],
         "warmup": j["warmup"], "window": j["window"], "unit": j["unit"], "status": j["status"],
         "reason": j.get("reason"), "ceiling": j.get("ceiling"),
         "efficiency": j.get("efficiency"),
         "ceiling_exceeded": ("ceiling_exceeded" in j) if "ceiling" in j else None,
         "validation": j["validation"]["status"],
         "noise": ",".join(j["noise"]["marks"]) if "noise" in j else None,
         "ceiling_unsound": bool(j.get("ceiling_unsound")) if j["status"] == "ok" else None,
         "ceiling_within": ("ceiling_within" in j) if "ceiling" in j else None,
         "line_gbs": j.get("line_gbs"), "line_share": j.get("line_share"),
         "line_exceeded": ("line_exceeded" in j) if "line_gbs" in j else None,
         "host": host_of[j["ranks"][0]], "job": None}
    e.update({k: st.get(k) for k in ("median", "min", "max", "mean", "p5", "p95", "cv")})
    return e

floats = ("median", "min", "max", "mean", "p5", "p95", "cv", "ceiling", "efficiency", "line_gbs",
          "line_share")
if len(res) != len(doc["results"]):
    sys.exit("%d result lines, %d results in the report" % (len(res), len(doc["results"])))
for r, j in zip(res, doc["results"]):
    for k, v in expect(j).items():
        got, want = ((float(r[k]) if r[k] else None), v) if k in floats else (r[k], text(v))
        if got != want:
            sys.exit("%s %s %s: %s is %r, the report has %r" % (j["path"], j["pattern"],
                     j["size"], k, r[k], v))
# Each line's time: when rank 0 wrote it, within the run, in the report's form.
for r in rows:
    if not doc["start_time"][:19] <= r["time"][:19] <= doc["end_time"][:19] or \
            not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["time"]):
        sys.exit("time %r outside the run %s..%s" % (r["time"], doc["start_time"], doc["end_time"]))
# The CSV says a skip once per (run, path, pairs, reason); the report keeps every group's.
skips = []
for s in doc["skipped"]:
    k = (s["path"], s.get("ranks", ["", ""]), s["reason"])
    if k not in skips:
        skips.append(k)
got = [(r["path"], [int(r["initiator"]) if r["initiator"] else "",
                    int(r["peer"]) if r["peer"] else ""], r["reason"]) for r in whole]
if got != skips:
    sys.exit("skipped paths: %r, the report has %r" % (got, skips))
print("%d result lines, %d skipped-path lines (%s); run name %r" %
      (len(res), len(whole), ", ".join(sorted({r["path"] for r in whole})) or "none",
       res[0]["run"] if res else None))
PY

# (run as a file: py_check reads its script from standard input)
run_diag "$PYTHON" "$dir/check_csv.py" "$dir/a.csv" "$dir/a.json"
ok $? "stdout: the exact header, then one line per result with the report's values (median, min, max, mean, p5, p95, cv exactly), one per skipped path"

"$PYTHON" - "$dir/a.csv" "$dir/a.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
host = [(r["pattern"], r["size"], r["unit"], r["status"]) for r in rows if r["path"] == "host"]
want = [("latency", "8", "us", "ok"), ("latency", "1048576", "us", "ok"),
        ("bw", "8", "GB/s", "ok"), ("bw", "1048576", "GB/s", "ok")]
name = json.load(open(sys.argv[2]))["results"][0]["run"]
sys.exit(0 if host == want and all(r["run"] == name == 'csv,"q"\ufffd' for r in rows) else 1)
PY
ok $? "host: latency and bw at 8 and 1M, each line naming its path, pattern and unit; the run name quoted and repaired to UTF-8"

grep -q '^# report: ' "$dir/a.err" && grep -q 'path host, memory pageable -> pageable, pattern bw' "$dir/a.err" &&
    grep -q '^# topology' "$dir/a.err" && ! grep -q '^#' "$dir/a.csv"
ok $? "the topology header, the table and the '# report:' line on stderr, none on stdout"

"$PYTHON" -c "import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))['skipped'] else 1)" \
    "$dir/a.json"
if [ $? -eq 0 ]; then
    # For the pair (p2p filtered out here), or for the whole path (not in a build without CUDA).
    "$PYTHON" - "$dir/a.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["path"] == "p2p"]
ok = rows and all(r["status"] == "skipped" and r["reason"] and not r["median"] and
                  (r["initiator"], r["peer"]) in (("0", "1"), ("", "")) for r in rows)
sys.exit(0 if ok else 1)
PY
    ok $? "p2p skipped as a path: a line with status skipped and the reason"
else
    skip "p2p ran here (a GPU): no skipped path to see"
fi

# One size skipped (injected out of memory, with any memory kind): its line says why.
GPUXFER_FAULT=cuda-oom:rank=1:size=4K gx_mpirun_table "$dir/b.csv" 2 --format csv --path host \
    --pattern latency --sizes 8,4K $common --ceilings off --output "$dir/b.json" >"$dir/b.err" 2>&1
ok $? "one size skipped by an injected out-of-memory: exit 0" || diag <"$dir/b.err"
run_diag "$PYTHON" "$dir/check_csv.py" "$dir/b.csv" "$dir/b.json" &&
    grep -q '^,host,pageable,pageable,latency,0,1,true,4096,tiny,,,,.*,skipped,rank 1: injected: cudaMalloc of 4096 bytes failed: out of memory (cudaErrorMemoryAllocation),,,,,,,,,,,not_checked,,,,,,,,,,,,,,,[^,]*,,[0-9T:.Z-]*$' "$dir/b.csv"
ok $? "the skipped size: its line has status skipped, the reason and no statistics"

gx_mpirun 2 --format bogus --output "$dir/c.json" >"$dir/c.out" 2>"$dir/c.err"
rc=$?
[ $rc -eq 2 ] && grep -q "format: unknown format 'bogus' (expected table or csv)" "$dir/c.err" &&
    [ ! -s "$dir/c.out" ] && [ ! -e "$dir/c.json" ]
ok $? "--format bogus: exit 2 (rc $rc) naming the option, nothing on stdout, no report"

done_testing
