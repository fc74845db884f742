#!/bin/sh
# Where rank 0's progress goes: to a terminal when the user sits at one (under mpirun that is the
# ranks' stdout: Open MPI 4.1 forwards their stderr through a pipe), into a log where --progress
# asks or the run is long (estimated past a minute, or once it has run one), never with --quiet;
# its count is the plan's visits, as --dry-run counts them.
. "${top_srcdir:-.}/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/progress.XXXXXX")
args="--path host --pattern latency,bw --sizes 8,1K,64K --iters 5 --ceilings off"
steps=$(gx_mpirun 2 $args --dry-run | sed -n 's/^# \([0-9]*\) measurements.*/\1/p')
[ "$steps" = 6 ]
ok $? "the plan has 6 steps (found '$steps')"

if ! command -v script >/dev/null 2>&1; then
    skip "no script(1) to give mpirun a terminal"
    skip "no script(1): the line with a budget"
    skip "no script(1): --quiet on a terminal"
else
    # shellcheck disable=SC2086
    cmd="timeout -k 10 600 $MPIRUN -np 2 $gx_mpirun_opts $GPUXFER $args --output $dir/tty.json"
    script -qfec "$cmd" /dev/null >"$dir/tty.txt" 2>&1
    rc=$?
    [ $rc -eq 0 ] && grep -q "\[1/$steps\] host latency 8 B" "$dir/tty.txt"
    ok $? "on a terminal (script(1)): the progress line, counting the plan's $steps steps (rc $rc)" ||
        diag <"$dir/tty.txt"
    # With a budget and the stop rule (no --iters): the step, the precision of its median so
    # far, the time left of the budget and the clock time it ends at (which stays true where a
    # long step redraws nothing), or that it is spent (the step slowed, so that the line is
    # redrawn in it).
    bcmd="timeout -k 10 600 $MPIRUN -np 2 $gx_mpirun_opts $GPUXFER --path host --pattern latency"
    GPUXFER_FAULT=slow:rank=0:size=8 script -qfec \
        "$bcmd --sizes 8 --ceilings off --budget 4 --output $dir/budget.json" \
        /dev/null >"$dir/budget.txt" 2>&1
    rc=$?
    [ $rc -eq 0 ] &&
        grep -qE "\[1/[0-9]+\] host latency 8 B \(visit 1 of [0-9]+\)  \+-[0-9.e+>]+%  elapsed [0-9]+s  (budget left ~[0-9]+s \([0-9]{2}:[0-9]{2}:[0-9]{2}\)|budget spent)" \
            "$dir/budget.txt"
    ok $? "with a budget: the step and its visit, its precision so far, the budget's time left and when it ends (rc $rc)" ||
        diag <"$dir/budget.txt"
    script -qfec "$bcmd --sizes 8 --ceilings off --budget 4 --output $dir/bq.json --quiet" \
        /dev/null >"$dir/bq.txt" 2>&1
    script -qfec "$cmd --quiet --force" /dev/null >"$dir/quiet.txt" 2>&1
    ! grep -q "\[1/" "$dir/quiet.txt" "$dir/bq.txt"
    ok $? "--quiet on a terminal: no progress" || diag <"$dir/quiet.txt"
fi

gx_mpirun 2 $args --output "$dir/log.json" >"$dir/log.out" 2>"$dir/log.err"
rc=$?
[ $rc -eq 0 ] && ! grep -q '\[[0-9]*/' "$dir/log.out" "$dir/log.err"
ok $? "a short run in a log (no terminal, no --progress): no progress (rc $rc)" ||
    diag <"$dir/log.err"

# Steps of several visits: the progress line counts the visits the run planned (its report's;
# a dry run's count can differ, its host pace measured at another moment of a busy machine).
vargs="--path host --pattern latency --sizes 8,1K --ceilings off --budget 4"
gx_mpirun 2 $vargs --progress --output "$dir/visits.json" >"$dir/visits.out" 2>"$dir/visits.err"
rc=$?
visits=$("$PYTHON" -c 'import json, sys
print(sum(r["stop"]["visits_planned"] for r in json.load(open(sys.argv[1]))["results"]))' \
    "$dir/visits.json" 2>/dev/null)
# The count's last line, not stderr's: on a busy machine a note that the budget was outlasted
# follows it.
[ $rc -eq 0 ] && [ "${visits:-0}" -gt 2 ] &&
    grep '^gpuxfer: \[[0-9]*/' "$dir/visits.err" | tail -n 1 |
    grep -q "^gpuxfer: \[$visits/$visits\] measured in"
ok $? "the progress line counts the run's $visits planned visits of 2 steps (rc $rc)" ||
    diag <"$dir/visits.err"

# A plan estimated past a minute (host bw of 64 MiB, exactly 5000 iterations: about 2 minutes at
# the host path's nominal rate) into a log without --progress: its lines from the first step on.
# Stopped by SIGTERM once the first is there (through timeout(1), which passes it to mpirun).
gx_mpirun 2 --path host --pattern bw --sizes 64M --iters 5000 --ceilings off \
    --output "$dir/longlog.json" >"$dir/longlog.out" 2>"$dir/longlog.err" &
bg=$!
i=0
while [ $i -lt 600 ] && ! grep -q '^gpuxfer: \[1/1\]' "$dir/longlog.err"; do
    sleep 1
    i=$((i + 1))
done
kill -TERM $(pgrep -P $bg) 2>/dev/null
wait $bg
grep -q '^gpuxfer: \[1/1\] host bw 67108864 B' "$dir/longlog.err" &&
    ! grep -q '\[[0-9]*/' "$dir/longlog.out"
ok $? "a plan estimated past a minute, into a log: progress lines on stderr from the first step" ||
    diag <"$dir/longlog.err"

gx_mpirun 2 $args --progress --output "$dir/asked.json" >"$dir/asked.out" 2>"$dir/asked.err"
rc=$?
[ $rc -eq 0 ] && grep -q "^gpuxfer: \[1/$steps\]" "$dir/asked.err" &&
    tail -n 1 "$dir/asked.err" | grep -q "^gpuxfer: \[$steps/$steps\] measured in" &&
    ! grep -q '\[[0-9]*/' "$dir/asked.out"
ok $? "--progress in a log: lines on stderr, the last one at $steps of $steps (rc $rc)" ||
    diag <"$dir/asked.err"
# --progress to a log promises a line every 10 s: within one measurement longer than that too
# (its iterations slowed 0.5 s each on rank 0), the watchdog's thread says where it is.
GPUXFER_FAULT=slow:rank=0:size=1K:ms=500 gx_mpirun 2 --path host --pattern latency --sizes 1K \
    --iters 30 --warmup 1 --ceilings off --progress --timeout 120 --output "$dir/long.json" \
    >"$dir/long.txt" 2>&1
rc=$?
lines=$(grep -c "size 1024 pairs 0:1: at iteration [0-9]* of 31 ([0-9]* s so far)" "$dir/long.txt")
[ $rc -eq 0 ] && [ "$lines" -ge 1 ]
ok $? "--progress into a log, one measurement of 15 s or more: $lines line(s) from within it (rc $rc)" ||
    diag <"$dir/long.txt"

done_testing
