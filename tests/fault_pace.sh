#!/bin/sh
# The faults that slow by a fraction: GPUXFER_FAULT=slow:...:pct=P lengthens the slowed rank's
# results by P% at every size, and twospeed makes a platform of two speeds that a step's visits
# show. Each assertion leaves a margin no load reaches: a factor of 20 is asked to show as 4, one
# of 4 as 2.
. "${top_srcdir:-.}/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/fault_pace.XXXXXX")

# pace NAME FAULT [gpuxfer args]: the host path's latency into $dir/NAME.json over $np ranks (2
# unless set); rc its exit status.
np=2
pace() {
    name=$1 fault=$2
    shift 2
    GPUXFER_FAULT=$fault gx_mpirun "$np" --path host --pattern latency --ceilings off --quiet \
        --output "$dir/$name.json" "$@" >"$dir/$name.out" 2>"$dir/$name.err"
    rc=$?
    [ $rc -eq 0 ] || { echo "exit $rc"; cat "$dir/$name.err"; } | diag
}

# Each iteration of rank 0 (the initiator, whose clock times the round trip) waits 19 times its
# transfers: 20 times as long at every size, asked to show as more than 4 times against the pair
# 1:2 of the same job, whose visits alternate with 0:1's. The same job, so that the machine's
# load and where its scheduler places the ranks fall on both pairs alike: between two jobs an
# 8 B round trip moved 3x on a virtual machine, and under a load of two spinning processes a job
# without the fault had every round trip wait for a time slice (1.9 ms, against 22 us with it).
# Of each pair its fastest iteration: load only lengthens iterations, and the fault lengthens
# every one, the fastest too. The default --timeout allows a message a few ms, which a round
# trip 20 times its time on a busy machine (a time slice each way) outlasts: a timeout of its
# own.
np=3
three="--pairs 0:1,1:2 --sizes 8,64K --iters 200 --visits 4 --timeout 500"
pace all "slow:rank=0:pct=1900" $three
pace one "slow:rank=0:size=64K:pct=1900" $three
np=2
py_check "$dir" <<'PY'
import json, sys
def fastest(name):
    results = json.load(open(f"{sys.argv[1]}/{name}.json"))["results"]
    return {(tuple(r["ranks"]), r["size"]): r["stats"]["min"] for r in results}
def ratio(m, size):
    return m[((0, 1), size)] / m[((1, 2), size)]
every, one = fastest("all"), fastest("one")
for size in (8, 65536):
    assert ratio(every, size) > 4, f"every size: {size} B {ratio(every, size)}x"
assert ratio(one, 65536) > 4, f"slow at 64K: {ratio(one, 65536)}x"
assert ratio(one, 8) < 4, f"8 B, size=64K: {ratio(one, 8)}x"
PY
ok $? "slow:rank=0:pct=1900: rank 0 20x longer at every size; with size=64K, at 64K alone"
check_report "$dir/all.json"
ok $? "the slowed run's report is valid"

# A platform 4 times slower every other period from the job's start. The period is set from the
# same run without the fault, a separate job: its median step's seconds x its 10 steps (T), the
# median so that one step the machine held up does not set it. The two runs' paces may differ by
# a factor r (where the hypervisor places the ranks, other jobs' load): the slowed run needs a
# period shorter than itself (r T > 1.5 x period) and periods holding whole visits of a step
# (period > 1.5 visits of r T / 320, 4 times longer when slowed), so that some step has visits
# wholly in each state and its visit medians span more than a factor of 2. A period of T/9
# holds for r from 1/6 to 6.
two="--sizes 1:512 --window 8 --visits 32 --precision 0.0001"
pace calm "" $two
period=$("$PYTHON" -c 'import json, statistics, sys
steps = [r["stop"]["elapsed_s"] for r in json.load(open(sys.argv[1]))["results"]]
print("%.4f" % max(0.001, statistics.median(steps) * len(steps) / 9))' "$dir/calm.json")
pace two "twospeed:period=$period:pct=300" $two
py_check "$dir/two.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
spans = [max(r["stop"]["visit_medians"]) / min(r["stop"]["visit_medians"])
         for r in d["results"] if len(r["stop"]["visit_medians"]) >= 3]
assert len(spans) == 10 and max(spans) > 2, f"the visits' spans: {spans}"
PY
ok $? "twospeed:period=$period:pct=300: a step's visits in the two states differ by more than 2x"

# The new forms' mistakes: one line, exit 2, before anything is measured.
for spec in "slow:rank=0:size=8:pct=0" "slow:size=8:pct=50" "slow:rank=0:pct=50:ms=3" \
    "slow:rank=0:size=16:pct=50" "twospeed:pct=50" "twospeed:period=1:pct=50:size=8" \
    "twospeed:period=0:pct=50" "twospeed:period=1" "twospeed:period=1:pct=50:rank=2" \
    "hang:rank=1:size=8:pct=50"; do
    pace bad "$spec" --sizes 8 --iters 5
    [ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/bad.err")" -eq 1 ] &&
        grep -q "GPUXFER_FAULT='$spec'" "$dir/bad.err" && [ ! -e "$dir/bad.json" ]
    ok $? "GPUXFER_FAULT='$spec': exit 2, one line"
done

rm -rf "$dir"
done_testing
