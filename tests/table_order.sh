#!/bin/sh
# The table as osu's and nccl-tests' users read one: a table per block, each block once, its
# sizes ascending, whatever order the budget's visits measured them in; a row for every result
# of the report. A run stopped by a signal prints the rows of every result the watchdog's report
# has, the partial ones (visits still to come) marked < and only those.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/table_order.XXXXXX")

# check_table TABLE REPORT: the blocks once each, sizes ascending, a row per result (^ after
# iters where its stop.visits fall short of visits_planned, for a stopped run); prints why not.
cat >"$dir/check_table.py" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
doc = json.load(open(sys.argv[2]))
rs = doc["results"]
stopped = len(sys.argv) > 3
blocks, rows, block = [], [], None
for ln in text.splitlines():
    m = re.match(r"^# (?:([^:]+): )?path (\S+), memory (\S+) -> (\S+), pattern (\S+), ", ln)
    if m:
        block = (m.group(1) or "", m.group(2), m.group(3), m.group(4), m.group(5))
        blocks.append(block)
    elif re.match(r"^ +[0-9]+ +0->1 ", ln):
        w = ln.split()
        rows.append((block, int(w[0]), w[8].endswith("<")))
bad = [] if (doc["status"] == "interrupted") == stopped else [("status", doc["status"])]
if len(set(blocks)) != len(blocks):
    bad.append(("a block twice", blocks))
for b in set(blocks):
    sizes = [s for k, s, _ in rows if k == b]
    if sizes != sorted(sizes):
        bad.append(("sizes out of order", b, sizes))
def partial(r):
    stop = r.get("stop", {})
    return stop.get("visits", 1) < stop.get("visits_planned", 1)
# A run that ends whole has no partial result (a step the budget cut short of its visits is
# whole): only a stopped one is told by its visits.
want = sorted(((r.get("run", ""), r["path"], r["mem"]["src"], r["mem"]["dst"], r["pattern"]),
               r["size"], stopped and partial(r)) for r in rs)
if sorted(rows) != want:
    bad.append(("rows", sorted(rows), "report", want))
partial = sum(p for _, _, p in rows)
if stopped and not partial:
    bad.append("no partial row in a stopped run")
if stopped != ("# < after iters" in text):
    bad.append("the line that says what < is")
print(bad or "%d blocks, %d rows, %d partial" % (len(blocks), len(rows), partial))
sys.exit(1 if bad else 0)
PY

# The default run (here without a GPU: the host run): its larger sizes have fewer visits and
# finish first, where a table printed as results came had them before the small ones.
gx_mpirun_table "$dir/d.txt" 2 --budget 3 --output "$dir/d.json" >"$dir/d.out" 2>&1
ok $? "the default run: exit 0" || diag <"$dir/d.out"
run_diag "$PYTHON" "$dir/check_table.py" "$dir/d.txt" "$dir/d.json"
ok $? "the default run: each block once, its sizes ascending, a row per result, none partial"

# Stopped by a signal once the 4K step's first visit of 3 is in (no budget, which could cut a
# step's visits on a busy machine and end it whole): every result of the watchdog's report a
# row, each of them partial.
GPUXFER_FAULT=signal:rank=0:size=4K:at=collected gx_mpirun_table "$dir/stop.txt" 2 --path host \
    --pattern latency,bw --sizes 8,64,512,4K --visits 3 --quiet --output "$dir/stop.json" \
    >"$dir/stop.out" 2>&1
rc=$?
[ $rc -eq 5 ]
ok $? "stopped by a signal in the first visit: exit 5 (got $rc)" ||
    diag <"$dir/stop.out"
run_diag "$PYTHON" "$dir/check_table.py" "$dir/stop.txt" "$dir/stop.json" stopped
ok $? "the stopped run's table: a row per result of its interrupted report, only partial ones <"

rm -rf "$dir"
done_testing
