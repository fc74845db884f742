#!/bin/sh
# The report tools' bounds at a sweep's scale: on reports of 16,000
# and 240,000 results (dev/big-report.py from tests/reports/base.json, two seeds each), every
# subcommand that reads a report (summary, goals, openmetrics, compare and its --json, plot)
# ends within 10 s (16,000) and 30 s (240,000) and 1 GiB, and plot's PNG is of a size a person
# can read (a page of bounded size whatever the count). The time judged is each run's CPU time
# (user and system, os.wait4's of the child): the work the tool needs of a core; its wall time
# is judged too where the machine's load was below its CPUs when it ran (a busy machine
# stretches any run), and shown always. The same bounds for openmetrics and plot on 240,000
# copies of one result, every label alike (a scenario's run of one name repeated): each copy is
# numbered apart (name#2, name#3, ...), never found by a search through those before it.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/report-bounds.XXXXXX")
rep="$top_srcdir/tests/reports"

if ! "$PYTHON" -c 'import matplotlib' >/dev/null 2>&1; then
    plot=no
else
    plot=yes
fi

for case in 16000 240000 240000-identical; do
    results=${case%-identical}
    bound=10
    [ "$results" -eq 240000 ] && bound=30
    big="$top_srcdir/dev/big-report.py"
    if [ "$case" = "$results" ]; then  # a sweep's report
        "$PYTHON" "$big" "$rep/base.json" $results "$dir/a.json" >"$dir/out" 2>&1 &&
            "$PYTHON" "$big" "$rep/base.json" $results "$dir/b.json" --seed 62 >>"$dir/out" 2>&1
        r=$?
        ok $r "two $results-result reports made from a fixture" || { diag <"$dir/out"; continue; }
    else
        results="$results identical"
        "$PYTHON" - "$rep/base.json" 240000 "$dir/a.json" >"$dir/out" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
one = next(r for r in doc["results"] if r["status"] == "ok")
doc.update(results=[one] * int(sys.argv[2]), matrices=[])
json.dump(doc, open(sys.argv[3], "w"), separators=(",", ":"))
PY
        r=$?
        ok $r "a report of 240000 copies of one result made from a fixture" ||
            { diag <"$dir/out"; continue; }
    fi
    diag <"$dir/out"
    "$PYTHON" - "$top_srcdir/scripts/gpuxfer-report" "$dir" "$plot" "$case" >"$dir/runs" \
        2>"$dir/err" <<'PY'
import os, subprocess, sys, time
door, d, plot, case = sys.argv[1], sys.argv[2], sys.argv[3] == "yes", sys.argv[4]
a, b = os.path.join(d, "a.json"), os.path.join(d, "b.json")
runs = [("summary", [a], (0,)), ("goals", [a], (0, 1)), ("openmetrics", [a], (0,)),
        ("compare", [a, b], (0, 1)), ("compare --json", [a, b], (0, 1))]
if case.endswith("identical"):  # the tools that number each copy apart
    runs = [("openmetrics", [a], (0,))]
if plot:
    runs.append(("plot", [a, "-o", os.path.join(d, "a.png"), "--force", "--describe"], (0,)))
cpus = os.cpu_count() or 1
for name, args, good in runs:
    out = os.path.join(d, name.replace(" ", "") + ".out")
    load = os.getloadavg()[0]
    t = time.monotonic()
    with open(out, "wb") as o, open(out + ".err", "wb") as e:
        child = subprocess.Popen([sys.executable, door] + name.split() + args, stdout=o, stderr=e)
        _, status, use = os.wait4(child.pid, 0)
    wall = time.monotonic() - t
    rc = os.waitstatus_to_exitcode(status)
    load = max(load, os.getloadavg()[0])
    # name, its exit status good, wall s, CPU s, max RSS MiB (ru_maxrss: KiB on Linux), the load
    # average beside it, whether the load left it a core.
    print(name.replace(" ", "_"), int(rc in good), f"{wall:.1f}",
          f"{use.ru_utime + use.ru_stime:.1f}", f"{use.ru_maxrss / 1024:.0f}", f"{load:.1f}",
          int(load < cpus))
PY
    ok $? "$results results: each subcommand run" || { diag <"$dir/err"; continue; }
    while read -r name good wall cpu mib load quiet; do
        name=$(echo "$name" | tr _ ' ')
        "$PYTHON" -c 'import sys; good, wall, cpu, mib, quiet, bound = map(float, sys.argv[1:])
sys.exit(not (good and cpu <= bound and mib <= 1024 and (wall <= bound or not quiet)))' \
            "$good" "$wall" "$cpu" "$mib" "$quiet" "$bound"
        r=$?
        took="${cpu} s CPU, ${wall} s wall (load $load), $mib MiB"
        ok $r "$results results: $name within $bound s and 1 GiB: $took" ||
            diag <"$dir/$(echo "$name" | tr -d ' ').out.err"
    done <"$dir/runs"
    if [ "$plot" = yes ] && [ "$case" = 240000-identical ]; then
        # Every copy drawn or counted: the lines drawn, and one of the others' median.
        py_check "$dir/plot.out" <<'PY'
import json, sys
(panel,) = json.load(open(sys.argv[1]))["line_panels"]
names = [s["name"] for s in panel["series"]]
assert len(names) == 48 and names[-1].endswith("the other 239953 lines (their median, band "
                                                "lowest..highest)"), names[-3:]
PY
        ok $? "$results results: plot draws 47 of them, the other 239953 as one line"
    elif [ "$plot" = yes ]; then
        # The same page at either size: a dozen heatmaps at most, the lines a point per size.
        png_fits "$dir/a.png" "$dir/plot.out" 1900 4000
        ok $? "$results results: plot's PNG at most 1900 x 4000 pixels, its colour bars clear"
    else
        skip "matplotlib is missing for $PYTHON (apt-get install python3-matplotlib)"
    fi
    rm -f "$dir"/*.json "$dir"/*.png
done
rm -rf "$dir"
done_testing
