#!/bin/sh
# The job's whole life has a watchdog: a rank stopped (SIGSTOP: every thread frozen)
# is the rank named, at any moment; signals at start-up, during the final write and after the answer
# is given end the job with one answer; an aborted start-up leaves nothing that blocks the next run. Faults fire at
# chosen moments (GPUXFER_FAULT ...:at=MOMENT), not after sleeps.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/lifecycle.XXXXXX")
args="--pattern latency --sizes 8,1K --iters 5 --quiet"
# The watchdog's limit where a rank is stopped on purpose: each such run waits it out, but the
# ranks that go on must never reach it, however busy the machine (6 ranks' start-up on 2 loaded
# cores took seconds), or they too are named.
wd=15

run() { # NAME FAULT NP [gpuxfer args]: sets rc and secs; output in $dir/NAME.{json,out,err}
    name=$1; fault=$2; np=$3; shift 3
    t0=$(date +%s)
    GPUXFER_FAULT=$fault gx_mpirun "$np" $args --output "$dir/$name.json" "$@" \
        >"$dir/$name.out" 2>"$dir/$name.err"
    rc=$?
    secs=$(($(date +%s) - t0))
}
show() { { echo "exit $rc after $secs s"; cat "$dir/$1.err"; } | diag; }
lines_ok() { "$PYTHON" -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$1"; }
failure() { "$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['exit_code'], d['failure'])" "$1"; }

# A rank stopped outside the pair being measured (all pairs, 6 ranks): rank 3 stops right after
# its 1K results of pair 0:1 are gathered; rank 0 then waits on it elsewhere.
run idle "stop:rank=3:size=1K:at=collected" 6 --pairs all --timeout $wd
[ $rc -eq 4 ] && grep -q "rank 3 did not answer (stopped or dead)" "$dir/idle.err" &&
    check_report "$dir/idle.json" --status incomplete && lines_ok "$dir/idle.json.jsonl" &&
    failure "$dir/idle.json" | grep -q "^4 {'kind': 'timeout', 'ranks': \[3\]"
ok $? "rank 3 stopped between measurements (--pairs all, 6 ranks): exit 4, rank 3 named" || show idle

# A rank stopped inside its own measurement: that measurement and that rank, and no line for it.
run inpair "stop:rank=3:size=1K:iter=1" 6 --pairs all --timeout $wd
[ $rc -eq 4 ] && grep -q "size 1024 pairs 2:3 did not complete within $wd s.*rank 3 did not answer" "$dir/inpair.err" &&
    failure "$dir/inpair.json" | grep -q "'measurement': \"run '-' path host pattern latency size 1024 pairs 2:3\", 'ranks': \[3\]" &&
    lines_ok "$dir/inpair.json.jsonl" &&
    ! grep -q '"ranks":\[2,3\],"same_node":true,"size":1024' "$dir/inpair.json.jsonl"
ok $? "rank 3 stopped in pair 2:3: that measurement and rank 3 named, no result line for it" || show inpair

# Start-up: a signal before anything is measured ends the job with exit 5 and leaves nothing.
for at in init opened; do
    run sig-$at "signal:rank=0:at=$at" 2
    [ $rc -eq 5 ] && [ ! -e "$dir/sig-$at.json" ] && [ ! -e "$dir/sig-$at.json.jsonl" ]
    ok $? "SIGTERM to rank 0 at $at: exit 5, no report and no .jsonl left" || show sig-$at
done
run sig-opened "" 2
[ $rc -eq 0 ] && check_report "$dir/sig-opened.json"
ok $? "the next run with the same --output runs" || show sig-opened
: >"$dir/empty.json.jsonl"
run empty "" 2
[ $rc -eq 0 ]
ok $? "an empty .jsonl (a run killed in its start-up) does not block the next run" || show empty

# A rank stopped during start-up: the job ends at --timeout with an answer. That it ended by
# itself, not at the test's limit, is exit 4 where the limit is 124 (not how long it took).
run stop-init "stop:rank=1:at=init" 2 --timeout $wd
[ $rc -eq 4 ] && grep -q "start-up did not end within $wd s.*rank 1 did not answer" "$dir/stop-init.err" &&
    [ ! -e "$dir/stop-init.json" ] && [ ! -e "$dir/stop-init.json.jsonl" ]
ok $? "rank 1 stopped in start-up, --timeout $wd: exit 4 (after $secs s), rank 1 named, nothing left" || show stop-init

# A peer that comes late to MPI_Init (its launch delayed, as on a job of many ranks): the start-up
# has --timeout's limit too, not the default phase limit (60 s), and each process, not knowing
# its rank yet, says who it is by pid and host and ends itself.
t0=$(date +%s)
# shellcheck disable=SC2086
timeout -k 10 120 "$MPIRUN" $gx_mpirun_opts -np 1 "$GPUXFER" $args --output "$dir/late.json" \
    --timeout $wd : -np 1 sh -c 'sleep 100; exec "$0" "$@"' "$GPUXFER" $args \
    --output "$dir/late.json" --timeout $wd >"$dir/late.out" 2>"$dir/late.err"
rc=$?
secs=$(($(date +%s) - t0))
[ $rc -eq 4 ] && grep -q "^gpuxfer: pid [0-9]* on .*, before MPI_Init: timeout: start-up (MPI_Init) not done after $wd s" "$dir/late.err" &&
    [ ! -e "$dir/late.json" ] && [ ! -e "$dir/late.json.jsonl" ]
ok $? "a peer late to MPI_Init, --timeout $wd: the start-up ends at $wd s with exit 4 (after $secs s), the process named by pid and host" || show late

# After the report is written the answer stands: a signal, or a rank stopped in MPI_Finalize,
# does not change it.
run sig-written "signal:rank=0:at=written" 2
[ $rc -eq 0 ] && check_report "$dir/sig-written.json" --status complete
ok $? "SIGTERM to rank 0 after its report is written: exit 0, report complete" || show sig-written

# The final write. A signal that arrives while rank 0 writes its report changes
# nothing: the write ends, and the answer is the file's. Raw samples beyond what the report holds
# went to FILE.samples.jsonl as they were measured, so that the write is short.
no_tmp() { [ -z "$(find "$dir" -name "$1.json.tmp.*")" ]; }
agrees() { [ "$("$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1]))['exit_code'])" "$dir/$1.json")" = "$rc" ]; }
# One round trip a sample (--window 1): 60000 samples, not 24 times as many round trips.
run sig-writing "signal:rank=0:at=writing" 2 --sizes 8,16 --iters 30000 --warmup 0 --window 1 --ceilings off --samples
[ $rc -eq 0 ] && check_report "$dir/sig-writing.json" --status complete && agrees sig-writing &&
    no_tmp sig-writing && grep -q '"samples_file"' "$dir/sig-writing.json" &&
    ! grep -q "interrupted" "$dir/sig-writing.err"
ok $? "SIGTERM to rank 0 half-way through its report (60000 samples): exit 0, report complete, samples beyond 50000 in .samples.jsonl" ||
    show sig-writing
# Whichever comes first, the watchdog's report on the signal or the final one, the exit code is the
# file's: the signal comes right after the last results are gathered.
run sig-last "signal:rank=0:size=1K:at=collected" 2
check_report "$dir/sig-last.json" --status "$([ $rc -eq 0 ] && echo complete || echo interrupted)" &&
    agrees sig-last && no_tmp sig-last
ok $? "SIGTERM to rank 0 as the final report begins: the exit code ($rc) is the file's" || show sig-last
run die-writing "die:rank=0:at=writing" 2
[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ ! -e "$dir/die-writing.json" ] && no_tmp die-writing &&
    lines_ok "$dir/die-writing.json.jsonl"
ok $? "rank 0 killed half-way through its report: no report, no temporary, .jsonl complete" ||
    show die-writing
run hang-writing "hang:rank=0:at=writing" 2 --timeout $wd
[ $rc -eq 4 ] && [ ! -e "$dir/hang-writing.json" ] && no_tmp hang-writing &&
    grep -q "the report is busy; not written" "$dir/hang-writing.err"
ok $? "rank 0 stuck half-way through its report: exit 4, no half-written report or temporary" ||
    show hang-writing
run sig-fin "signal:rank=1:at=finalize" 2
[ $rc -eq 0 ] && check_report "$dir/sig-fin.json" --status complete
ok $? "SIGTERM to rank 1 before MPI_Finalize: exit 0, report complete" || show sig-fin
# After MPI_Finalize, the watchdog stopped, the answer stands too: a stop signal there
# ended the rank by its default action, and mpirun said 143 beside a report of exit 0.
for r in 0 1; do
    run "sig-ended-$r" "signal:rank=$r:at=ended" 2
    [ $rc -eq 0 ] && check_report "$dir/sig-ended-$r.json" --status complete
    ok $? "SIGTERM to rank $r after MPI_Finalize: exit 0, report complete" || show "sig-ended-$r"
done
run stop-fin "stop:rank=1:at=finalize" 2 --timeout $wd
[ $rc -ne 124 ] && [ $rc -ne 137 ] && check_report "$dir/stop-fin.json" --status complete &&
    grep -q "shutdown (MPI_Finalize) did not end within $wd s" "$dir/stop-fin.err"
ok $? "rank 1 stopped before MPI_Finalize: the job ends by itself, not at the test's limit (exit $rc after $secs s), report complete" || show stop-fin

rm -rf "$dir"
done_testing
