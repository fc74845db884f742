#!/bin/sh
# dev/gpuxfer-node-check without a GPU: its syntax, the help listing every action, one-line
# errors (exit 2) for bad usage, and the tables of the `defaults` action (hidden action
# report-tables) on constructed reports.
. "$top_srcdir/tests/lib.sh"
script=$top_srcdir/dev/gpuxfer-node-check
dir=$(mktemp -d "$TEST_TMP/node_check.XXXXXX")
nc() { bash "$script" "$@"; }
# one_line_exit2 DESCRIPTION ARGS...: exit 2 and exactly one line on stderr, nothing on stdout
one_line_exit2() {
    _d=$1; shift
    nc "$@" >"$dir/out" 2>"$dir/err"
    _rc=$?
    [ $_rc -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && [ ! -s "$dir/out" ] &&
        grep -q '^gpuxfer-node-check: ' "$dir/err"
    ok $? "$_d (rc $_rc: $(cat "$dir/err"))" || cat "$dir/out" "$dir/err" | diag
}

bash -n "$script"
ok $? "bash -n"

nc -h >"$dir/help" 2>&1
ok $? "-h exits 0"
missing=
for a in topo suite sanitizer bench soak zerocopy nccl plan cv depth limits unified-ab latency \
         sticky faults sweep defaults; do
    grep -q "^  $a  *[^ ]" "$dir/help" || missing="$missing $a"
done
[ -z "$missing" ]
ok $? "-h lists every action, one line each${missing:+ (missing:$missing)}" || diag <"$dir/help"
! grep -q report-tables "$dir/help"
ok $? "-h leaves out the hidden report-tables"

one_line_exit2 "unknown action" "$dir/o" topo no-such-action
[ ! -e "$dir/o" ]
ok $? "an unknown action runs nothing (OUTDIR not created)"
grep -q "no-such-action" "$dir/err"
ok $? "the error names the action"
one_line_exit2 "bad option" -x "$dir/o" topo
one_line_exit2 "long option" --frobnicate "$dir/o" topo
one_line_exit2 "option without its argument" -g
one_line_exit2 "no action" "$dir/o"
one_line_exit2 "no gpuxfer program" -g "$dir/no-such-gpuxfer" "$dir/o" topo

# Constructed reports, as `defaults` writes them, and its wall-time file.
out=$dir/defaults
mkdir -p "$out"
"$PYTHON" - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
M = 1 << 20
def res(path, size, median, ranks=(0, 1), pattern="bw", chunk=None, depth=None, eff=None,
        status="ok", **kw):
    r = {"path": path, "mem": {"src": "device", "dst": "device"}, "pattern": pattern,
         "ranks": list(ranks), "same_node": True, "size": size, "unit": "GB/s",
         "status": status}
    if status == "ok":
        r["stats"] = {"median": median}
    if chunk:
        r.update(chunk=chunk, depth=depth)
    if eff is not None:
        r.update(ceiling=median / eff, ceiling_what="peer copy", efficiency=eff)
    r.update(kw)
    return r
def write(name, results, **top):
    doc = {"status": "complete", "exit_code": 0, "results": results}
    doc.update(top)
    json.dump(doc, open(os.path.join(out, name + ".json"), "w"))
write("p2p-default", [res("p2p", 1 << 30, 380.0, chunk=64 * M, depth=2),
                      res("p2p", 8, 0.1, status="skipped", reason="constructed")],
      ceilings={"seconds": 4.5})
write("p2p-fixed", [res("p2p", 1 << 30, 300.0, chunk=M, depth=2)])
# The ceilings' old name (reports before schema 2.12) is read too.
write("p2p-example", [res("p2p", 64 * M, 370.0)], calibration={"seconds": 3.25})
# Schema 2.5's marks: 0->2 disturbed (noise), 1->0's ceiling unsound, 3->2 above its ceiling.
NOISE = {"marks": ["waited", "tail"], "median_ci": 0.04, "why": "constructed"}
marks = {(0, 2): {"noise": NOISE}, (3, 2): {"eff": 1.04},
         (1, 0): {"eff": None, "ceiling_unsound": True,
                  "ceiling_absent": "ceiling unsound: constructed"}}
write("allpairs-default", [res("p2p", 64 * M, 300.0 + 10 * i + j, ranks=(i, j),
                               **dict({"eff": 0.97 if (i, j) != (2, 1) else 0.61},
                                      **marks.get((i, j), {})))
                           for i in range(4) for j in range(4) if i != j])
write("pipelined-default", [res("staged", M, 10.0, chunk=256 << 10, depth=2),
                            res("staged", M, 8.0, chunk=M, depth=2),
                            res("zerocopy", 1 << 30, 50.0, chunk=4 * M, depth=4)])
write("pipelined-auto", [res("staged", M, 12.5, chunk=512 << 10, depth=4, chunk_auto=True,
                             noise=NOISE),
                         res("zerocopy", 1 << 30, 40.0, chunk=16 * M, depth=2),
                         res("zerocopy", 128 * M, 0, status="failed", reason="constructed")])
open(os.path.join(out, "defaults-wall.tsv"), "w").write(
    "p2p-default\t120.000\t0\np2p-fixed\t48.000\t0\np2p-example\t30.5\t0\n")
PY
nc -g "$dir/no-such-gpuxfer" "$out" report-tables >"$dir/tables" 2>&1
ok $? "report-tables runs on existing reports, without gpuxfer" || diag <"$dir/tables"
diag <"$dir/tables"
want() { grep -Eq "$1" "$dir/tables"; ok $? "report-tables: $2" || echo "# wanted /$1/" ; }
want '^p2p-default +status complete, exit 0, 2 results \(1 ok, 0 failed, 1 skipped\), wall 120\.0 s, rc 0, ceilings 4\.5 s$' \
    "one summary line per run"
[ "$(grep -c 'status complete' "$dir/tables")" -eq 6 ]
ok $? "report-tables: a summary line for each of the 6 reports"
want '^wall: p2p-default 120\.0 s, p2p-fixed .* 48\.0 s, default/fixed 2\.50$' "wall times and ratio"
want '^p2p-example ceilings\.seconds 3\.250$' "the ceilings' time of the example (under their old name, calibration)"
want '^  0->1 +301\.000 +310\.309 +97\.0$' "all pairs: median, ceiling, efficiency per pair"
[ "$(grep -cE '^  [0-3]->[0-3] ' "$dir/tables")" -eq 12 ]
ok $? "all pairs: 12 ordered pairs"
want '^  min efficiency 61\.0% \(2->1\)$' "all pairs: minimum efficiency and its pair"
want '^  0->2 +302\.000~ +311\.340 +97\.0$' "all pairs: a disturbed step's median marked ~"
want '^  1->0 +310\.000 +\? +\?$' "all pairs: an unsound ceiling: ? for ceiling and eff"
want '^  3->2 +332\.000 +319\.231 +104\.0!$' "all pairs: an efficiency above 100% marked !"
want '^  marked: 1 medians ~ .*, 1 efficiencies ! .*, 1 ceilings \? ' "all pairs: the marks counted"
want '^allpairs-default .*12 ok, 0 failed, 0 skipped, 1 disturbed by the machine ~\)' \
    "the summary line counts the disturbed results"
want '^  staged +1M +10\.000 256K x2 +12\.500~ 512K x4 +0\.800~$' \
    "pipelined: default (fastest kept) against auto, chunk/depth, ratio; ~ on a disturbed one"
want '^pipelined: bw GB/s, default against --chunk auto \(~: ' "pipelined: ~ explained"
want '^  zerocopy +1G +50\.000 4M x4 +40\.000 16M x2 +1\.250$' "pipelined: zerocopy row"
want '^  zerocopy +128M +- +- +- +- +-$' "pipelined: a failed result shows as -"

# An OUTDIR without the reports: no tables, no error.
nc "$dir/empty" report-tables >"$dir/empty.out" 2>&1
ok $? "report-tables on an empty OUTDIR" || diag <"$dir/empty.out"

# `defaults` end to end with a stand-in launcher that logs its command line and writes a report:
# the runs and their options, the wall-time file, the tables.
cat >"$dir/launcher" <<'SH'
#!/bin/sh
out=; prev=
for a in "$@"; do [ "$prev" = --output ] && out=$a; prev=$a; done
echo "$*" >>"${0%/*}/launches"
printf '{"status": "complete", "exit_code": 0, "ceilings": {"seconds": 2.0}, "results": []}\n' >"$out"
SH
chmod +x "$dir/launcher"
: >"$dir/fake-gpuxfer"; chmod +x "$dir/fake-gpuxfer"
NGPUS=4 nc -g "$dir/fake-gpuxfer" -m "$dir/launcher" -a "--oversubscribe --bind-to none" \
    "$dir/run" defaults >"$dir/run.out" 2>&1
ok $? "defaults with a stand-in launcher exits 0" || diag <"$dir/run.out"
l=$dir/launches
[ "$(wc -l <"$l")" -eq 6 ] && [ "$(wc -l <"$dir/run/defaults-wall.tsv")" -eq 6 ]
ok $? "defaults: 6 runs, each with its wall time" || diag <"$l"
g="--oversubscribe --bind-to none $dir/fake-gpuxfer"
grep -qx -- "-np 2 $g --path p2p --pattern bw,bibw --sizes 8:1G --quiet --force --output $dir/run/p2p-default.json" "$l" &&
grep -qx -- "-np 2 $g --path p2p --pattern bw,bibw --sizes 8:1G --chunk 1M --depth 2 --quiet --force --output $dir/run/p2p-fixed.json" "$l" &&
grep -qx -- "-np 2 $g --path p2p --pattern bw,bibw --sizes 64M,1G --quiet --force --output $dir/run/p2p-example.json" "$l" &&
grep -qx -- "-np 4 $g --pairs all --path p2p --pattern bw --sizes 64M --quiet --force --output $dir/run/allpairs-default.json" "$l" &&
grep -qx -- "-np 2 $g --path staged,zerocopy --pattern bw --sizes 128K,1M,16M,128M,1G --quiet --force --output $dir/run/pipelined-default.json" "$l" &&
grep -qx -- "-np 2 $g --path staged,zerocopy --pattern bw --sizes 128K,1M,16M,128M,1G --chunk auto --quiet --force --output $dir/run/pipelined-auto.json" "$l"
ok $? "defaults: each run's command line (options, -a arguments, all GPUs for all pairs)" || diag <"$l"
grep -q '^wall: p2p-default .* default/fixed ' "$dir/run.out" &&
    grep -q '^p2p-example ceilings.seconds 2.000$' "$dir/run.out"
ok $? "defaults: wall ratio and the ceilings' time printed" || diag <"$dir/run.out"
rm -f "$l"
NGPUS=2 nc -g "$dir/fake-gpuxfer" -m "$dir/launcher" "$dir/run2" defaults >"$dir/run2.out" 2>&1
grep -q '^allpairs-default .*skipped: needs 4 GPUs, this node has 2$' "$dir/run2.out" &&
    [ "$(wc -l <"$l")" -eq 5 ] && ! grep -q -- '--pairs all' "$l"
ok $? "defaults: all pairs skipped below 4 GPUs" || diag <"$dir/run2.out"

# Its man page (made by `make`, not installed: the tool runs from the source tree), named after
# the help's first sentence, which follows the usage line.
page=$top_builddir/gpuxfer-node-check.1
grep -qx 'gpuxfer\\-node\\-check \\- validates a GPU node with gpuxfer' "$page" &&
    grep -q '^  topo ' "$page"
ok $? "gpuxfer-node-check.1: NAME from the help's first sentence, the actions in it" ||
    head -n 12 "$page" 2>&1 | diag

done_testing
