#!/bin/sh
# A step's stop rule: it ends once its median is known to --precision (a steady path: the toy
# pattern, counted as 1 ms an iteration), when its share of --budget is spent (a path the slow
# fault makes slow and unsteady), or at exactly --iters; the report says which and the interval
# reached. The default host run keeps --budget 10 within 20%.
. "${top_srcdir:-.}/tests/lib.sh"
toy="$(dirname "$GPUXFER")/../tests/gpuxfer_toy"
[ -x "$toy" ] || toy="$PWD/tests/gpuxfer_toy"
dir=$(mktemp -d "$TEST_TMP/stop.XXXXXX")

real=$GPUXFER
GPUXFER=$toy
gx_mpirun 2 --path host --pattern toy --sizes 8,64K --ceilings off --precision 0.01 --quiet \
    --output "$dir/steady.json" >"$dir/steady.txt" 2>&1
ok $? "a steady path: exit 0" || diag <"$dir/steady.txt"
GPUXFER=$real
check_report "$dir/steady.json"
ok $? "its report is valid against the schema"
py_check "$dir/steady.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rs = [r for r in d["results"] if r["pattern"] == "toy"]
assert len(rs) == 2, rs
for r in rs:
    s = r["stop"]
    # A median known exactly: its fewest iterations in its first visit (5), in each later one
    # its share of them (2): nothing more to wait for.
    assert s["by"] == "precision" and s["precision"] == 0 and s["precision_asked"] == 0.01, s
    n = 5 + 2 * (s["visits"] - 1)
    assert s["visits"] == s["visits_planned"] > 1 and r["iterations"] == n == r["stats"]["n"], \
        (s["visits"], r["iterations"])
    assert "share_s" not in s, s  # no budget: none asked, none given
PY
ok $? "a steady path's steps end on precision after their fewest iterations (5, then 2 a visit)"

# Rank 0 (the initiator, whose clock counts) sleeps 20, 40, 60 ms before each iteration of 1K:
# its median never settles to 1%, and the 2 s budget (1 s of it kept for the job) ends it: far
# fewer iterations than the 1000 it may run (the job's wall time, mpirun's start-up in it,
# depends on the machine's load and is not asserted).
export GPUXFER_FAULT=slow:rank=0:size=1K
gx_mpirun 2 --path host --pattern bw --sizes 1K --ceilings off --budget 2 --quiet \
    --output "$dir/slow.json" >"$dir/slow.txt" 2>&1
rc=$?
unset GPUXFER_FAULT
ok $rc "a slowed path: exit 0" || diag <"$dir/slow.txt"
check_report "$dir/slow.json"
ok $? "its report is valid against the schema"
py_check "$dir/slow.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r, = d["results"]
s = r["stop"]
assert s["by"] == "time" and s["precision"] > 0.01, s
# The budget less what the job keeps back for its start and its report (GX_BUDGET_RESERVE_S).
assert 0 < s["share_s"] < d["budget"]["seconds"], s
# At least its fewest iterations, far fewer than the 1000 a 1K step may run.
assert 5 <= r["iterations"] < 100, r["iterations"]
assert d["budget"]["seconds"] == 2 and d["budget"]["seconds_measured"] < 4, d["budget"]
# The group's set-up, outside its step, is within the time measured.
assert 0 < d["budget"]["setup_s"] < d["budget"]["seconds_measured"], d["budget"]
PY
ok $? "a slowed path's step ends on time, after its fewest iterations, short of its most" ||
    diag <"$dir/slow.json"

# Its fewest never shrink where its share cannot afford them: 0.4, 0.8, 1.2 s an iteration, a
# share of 1.4 s (the 2 s budget less what the job keeps back). The budget cannot end it before
# its fewest 5 (a result needs an interval): it runs them, past its share, the time ends it
# there, and the run says its plan took longer than its budget. Sleeps, not the machine's speed,
# decide.
export GPUXFER_FAULT=slow:rank=0:size=1K:ms=400
gx_mpirun 2 --path host --pattern bw --sizes 1K --ceilings off --budget 2 --quiet \
    --output "$dir/slower.json" >"$dir/slower.txt" 2>&1
rc=$?
unset GPUXFER_FAULT
ok $rc "a path slower than its share: exit 0" || diag <"$dir/slower.txt"
py_check "$dir/slower.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r, = d["results"]
s = r["stop"]
assert s["by"] == "time", s
assert r["iterations"] == 5 and r["stats"]["n"] == 5, r["iterations"]  # its fewest, no more
assert s["elapsed_s"] > s["share_s"], s
assert not (r.get("noise") or {}).get("marks") or "few" not in r["noise"]["marks"], r["noise"]
assert d["budget"]["least_within"] is True and d["budget"]["least_s"] > 0, d["budget"]
PY
ok $? "a step whose share cannot afford its fewest iterations still runs them (5), past its share, and ends on time there" ||
    diag <"$dir/slower.json"

# A window of round trips shrinks to what its share affords: every transfer of rank 0 sleeps
# 10 ms (warm-up included), as each message waits for a time slice beside CPU hogs, so one
# iteration of the default 22 round trips (--dry-run's window for 1K) takes over 0.4 s of a
# 1.4 s share. After the warm-up's first iteration the window shrinks so that the rest of the
# warm-up and the fewest 5 fit: at least 5 iterations, fewer round trips each, and the share
# overrun by no more than that first iteration. Before: 2 iterations of 22, past the share. One
# visit (--visits 1): each visit would shrink its window alike, and overrun its own share.
export GPUXFER_FAULT=slow:rank=0:size=1K:ms=10:per=transfer
gx_mpirun 2 --path host --pattern latency --sizes 1K --ceilings off --budget 2 --visits 1 --quiet \
    --output "$dir/trips.json" >"$dir/trips.txt" 2>&1
rc=$?
unset GPUXFER_FAULT
ok $rc "every round trip slowed: exit 0" || diag <"$dir/trips.txt"
gx_mpirun 2 --path host --pattern latency --sizes 1K --ceilings off --budget 2 --visits 1 --dry-run \
    >"$dir/trips-dry.txt" 2>&1
py_check "$dir/trips.json" "$dir/trips-dry.txt" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
planned = [int(l.split()[-2]) for l in open(sys.argv[2]) if re.match(r" +[0-9]+ +host ", l)]
assert len(planned) == 1 and planned[0] > 5, planned
r, = d["results"]
s = r["stop"]
assert 1 <= r["window"] < planned[0], (r["window"], planned)
assert r["iterations"] >= 5, r["iterations"]
# One iteration at the planned window is 2 x 10 ms a round trip; 0.3 s for the rest.
assert s["elapsed_s"] <= s["share_s"] + planned[0] * 0.02 + 0.3, s
assert r["stats"]["min"] >= 10000, r["stats"]  # one way: half of rank 0's two sleeps at least
PY
ok $? "a window of round trips, each slowed, shrinks to its share: its fewest iterations run, the share overrun by one iteration at most" ||
    diag <"$dir/trips.json"
# A window given with --window is the user's, as --iters is: it never shrinks.
GPUXFER_FAULT=slow:rank=0:size=1K:ms=10:per=transfer gx_mpirun 2 --path host --pattern latency \
    --sizes 1K --ceilings off --budget 2 --window 40 --quiet --output "$dir/trips40.json" \
    >"$dir/trips40.txt" 2>&1
py_check "$dir/trips40.json" <<'PY'
import json, sys
r, = json.load(open(sys.argv[1]))["results"]
assert r["window"] == 40, r["window"]  # 0.8 s an iteration: the default would shrink
PY
ok $? "--window 40 with every round trip slowed (0.8 s an iteration, a 1.4 s share): the window stays 40" || diag <"$dir/trips40.txt"

# The slow fault is the path slowed, inside the clock: with one round trip a sample, rank 0's
# 1, 2 and 3 ms are in every value (half of them one way: at least 500 us).
GPUXFER_FAULT=slow:rank=0:size=8:ms=1 gx_mpirun 2 --path host --pattern latency --sizes 8 \
    --iters 9 --window 1 --ceilings off --quiet --output "$dir/inside.json" >"$dir/inside.txt" 2>&1
py_check "$dir/inside.json" <<'PY'
import json, sys
r, = json.load(open(sys.argv[1]))["results"]
assert r["stats"]["min"] >= 500 and r["stats"]["median"] >= 1000, r["stats"]
PY
ok $? "GPUXFER_FAULT=slow is inside the clock: every value holds rank 0's sleep" ||
    diag <"$dir/inside.txt"

gx_mpirun 2 --path host --pattern latency --sizes 8 --iters 15 --ceilings off --quiet \
    --output "$dir/fixed.json" >"$dir/fixed.txt" 2>&1
ok $? "--iters 15: exit 0" || diag <"$dir/fixed.txt"
py_check "$dir/fixed.json" <<'PY'
import json, sys
r, = json.load(open(sys.argv[1]))["results"]
assert r["iterations"] == 15 and r["stop"]["by"] == "iterations", r
assert "precision_asked" not in r["stop"], r["stop"]
PY
ok $? "--iters 15: exactly 15, ended by iterations, no precision asked"

# The default host run with --budget 10: the whole job, its start and report included, at host
# memory's pace as the dry run measured it (within the budget on a quiet machine, over it on a
# busy one, as the run itself).
gx_mpirun 2 --dry-run --budget 10 >"$dir/dry.txt" 2>&1
grep -qE '^# the estimate is (within|over) the budget of 10 s' "$dir/dry.txt" &&
    grep -q '^# budget 10 s for ' "$dir/dry.txt" &&
    grep -q "^#   host memory's pace, measured between ranks 0 and 1 in the dry run: MPI " "$dir/dry.txt"
ok $? "--dry-run --budget 10: the estimate against the budget, what it buys, host memory's pace" ||
    diag <"$dir/dry.txt"
# The plan's time as the program measured it (from the first ceiling probe to the end of the
# last step: what the budget divides), not the job's wall time, which also holds mpirun's
# start-up. A budget divides the time and cannot shorten a step's fewest iterations: where a
# busy machine (CI runs tests two at a time on two cores) makes them outlast the budget, the
# run must say so, count the steps, and have run no step past its first chance to stop once the
# budget was spent (a share of the minimum, 1 ms: its fewest 5 iterations and the first batch
# of 2 at most). Not in the sanitizer build (several times slower), whose check asks everything
# else of it.
start=$(date +%s.%N)
gx_mpirun 2 --budget 10 --quiet --force --output "$dir/budget.json" >"$dir/budget.txt" 2>&1
rc=$?
wall=$(echo "$(date +%s.%N) - $start" | bc)
ok $rc "the default host run with --budget 10: exit 0" || diag <"$dir/budget.txt"
if [ -n "${GX_INNER_CHECK:-}" ]; then
    skip "the budget's time: not in the sanitizer build (job $wall s)"
else
    py_check "$dir/budget.json" "$dir/budget.txt" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
said = open(sys.argv[2]).read()
b = d["budget"]
note = re.search(r"gpuxfer: note: the plan took ([0-9.]+) s of a budget of 10 s: ([0-9]+) of its steps", said)
if b["seconds_measured"] <= 12:
    assert not note or b["seconds_measured"] > 10.5, (b, note)
else:
    assert note and int(note.group(2)) == b["steps_past_share"] > 0, (b, note)
    def iteration_s(r):  # one timed iteration, from its median
        m, w = r["stats"]["median"], r["window"]
        if r["unit"] == "us":
            return w * 2 * m * 1e-6
        return w * r["size"] * (2 if r["pattern"] == "bibw" else 1) / (m * 1e9)
    # Past its first chance only where that took less than the 1 ms share (a fast step asks
    # again after each batch until its share is spent).
    late = [(r["pattern"], r["size"], r["iterations"]) for r in d["results"]
            if r["stop"].get("share_s", 1) <= 0.0011 and r["iterations"] > 7
            and (r["iterations"] - 7) * iteration_s(r) > 0.002]
    assert not late, late
print("measured %.1f s, %d steps past their share" % (b["seconds_measured"], b["steps_past_share"]))
PY
    ok $? "it kept the budget within 20%, or said which steps' fewest iterations outlasted it and ran none past its first chance to stop (10 s asked, job $wall s)" ||
        diag <"$dir/budget.txt"
fi
grep -q '^# budget 10 s for [0-9]* steps (ceiling probes included): each stops once' \
    "$dir/budget.txt" && ! grep -q 'cannot be kept' "$dir/budget.txt"
ok $? "before its first step, the run says what its budget buys" || diag <"$dir/budget.txt"
# A budget even the plan's least outlasts (--dry-run's estimate: 3000 exact iterations of 256
# messages at the host path's nominal 1 us are 0.8 s, with the 0.6 the budget keeps back): said before the first
# step, and in the report.
gx_mpirun 2 --path host --pattern bw --sizes 1K --iters 3000 --window 256 --ceilings off \
    --budget 1 --quiet --force --output "$dir/tight.json" >"$dir/tight.txt" 2>&1
ok $? "a budget of 1 s for a plan whose least is longer: exit 0" || diag <"$dir/tight.txt"
said=$(grep -n '^# budget 1 s cannot be kept: the plan.s least ' "$dir/tight.txt" | cut -d: -f1)
grep -A2 '^# budget 1 s cannot be kept: ' "$dir/tight.txt" | tr '\n' ' ' |
    grep -q 'takes about [0-9.]* s at the estimated rates' || said=
first=$(grep -n '^# path host' "$dir/tight.txt" | head -1 | cut -d: -f1)
[ -n "$said" ] && [ -n "$first" ] && [ "$said" -lt "$first" ] &&
    py_check "$dir/tight.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["budget"]
assert b["least_within"] is False and b["least_s"] > 1.05, b
PY
ok $? "it says so before its first step, and the report's budget has least_within false" ||
    diag <"$dir/tight.txt"
py_check "$dir/budget.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
by = {r["stop"]["by"] for r in d["results"] if r["status"] == "ok"}
assert by <= {"precision", "time", "iterations"} and by, by
assert d["budget"]["seconds"] == 10, d["budget"]
PY
ok $? "every result says what ended its step; the report has the budget"

# A scenario's budget key, as --budget.
cat >"$dir/s.json" <<'JSON'
{"budget": 3, "runs": [{"path": "host", "pattern": "latency", "sizes": [8], "ceilings": "off"}]}
JSON
gx_mpirun 2 --scenario "$dir/s.json" --dry-run >"$dir/sdry.txt" 2>&1
# (within it or over it as host memory's pace, which the dry run measures, says)
grep -qE '^# the estimate is (within|over) the budget of 3 s' "$dir/sdry.txt"
ok $? "a scenario's budget key is the run's budget" || diag <"$dir/sdry.txt"
done_testing
