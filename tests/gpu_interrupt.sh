#!/bin/sh
# Interrupts on a GPU path with a large report: whatever single signal reaches rank 0,
# rank 1 or mpirun once something is measured, the report exists, parses, and its status and exit
# code agree with each other and with the job's; no temporary is left; the .jsonl lines are whole.
# GX_TRIALS (default 1) repeats the whole set. Without a GPU every test here is skipped.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/gpuint.XXXXXX")
trials=${GX_TRIALS:-1}

gx_mpirun 2 --path p2p --pattern latency --sizes 8 --iters 2 --quiet \
    --allow-skip --output "$dir/probe.json" >"$dir/probe.txt" 2>&1
why=$("$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['skipped']; print(s[0]['reason'] if s else '')" "$dir/probe.json" 2>/dev/null)
if [ -n "$why" ] || [ ! -s "$dir/probe.json" ]; then
    skip "interrupts on a GPU path: ${why:-the probe run failed}"
    rm -rf "$dir"
    done_testing
    exit $?
fi

# About 600k raw samples on p2p: a report that takes a while to write.
big="--path p2p --pattern latency --sizes 8,16,32,64,128,256 --iters 100000 --warmup 0 --samples --quiet"
json_get() { "$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))" "$@"; }
lines_ok() { "$PYTHON" -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$1"; }
no_tmp() { [ -z "$(find "$dir" -name "$1.json.tmp.*")" ]; }
# FILE STATUS CODE: valid report, that status, that exit code in the file
report_is() { check_report "$1" --status "$2" --allow-skipped && [ "$(json_get "$1" exit_code)" = "$3" ]; }
show() { { echo "exit $rc"; tail -n 5 "$dir/$1.err"; } | diag; }

run() { # NAME FAULT: the big run with GPUXFER_FAULT=FAULT
    name=$1
    GPUXFER_FAULT=$2 GX_TIMEOUT=300 gx_mpirun 2 $big --output "$dir/$name.json" \
        >"$dir/$name.out" 2>"$dir/$name.err"
    rc=$?
}

t=1
while [ $t -le "$trials" ]; do
    rm -f "$dir"/t*
    # SIGTERM to rank 0 while it writes the final report: the write ends, the answer is the file's.
    run t-writing "signal:rank=0:at=writing"
    [ $rc -eq 0 ] && report_is "$dir/t-writing.json" complete 0 && no_tmp t-writing &&
        lines_ok "$dir/t-writing.json.jsonl" && grep -q '"samples_file"' "$dir/t-writing.json"
    ok $? "trial $t: SIGTERM to rank 0 during the final write of a ~600k-sample p2p report: exit 0, complete" ||
        show t-writing
    # SIGTERM to either rank mid-measurement: what was measured is in an interrupted report.
    for r in 0 1; do
        run t-rank$r "signal:rank=$r:size=64:iter=5000"
        [ $rc -eq 5 ] && report_is "$dir/t-rank$r.json" interrupted 5 && no_tmp t-rank$r &&
            lines_ok "$dir/t-rank$r.json.jsonl" &&
            [ "$("$PYTHON" -c "import json,sys; print(sum(r['status'] == 'ok' for r in json.load(open(sys.argv[1]))['results']))" "$dir/t-rank$r.json")" -ge 3 ]
        ok $? "trial $t: SIGTERM to rank $r at 64 B: exit 5, interrupted report with 8-32 B measured" ||
            show t-rank$r
    done
    # SIGINT to mpirun alone (Ctrl-C) once the first results are in: Open MPI sends SIGTERM, then
    # SIGKILL 1-2 s later; the report must be there before that.
    out="$dir/t-int.json"
    timeout --foreground -k 10 300 "$MPIRUN" -np 2 $gx_mpirun_opts "$GPUXFER" $big \
        --output "$out" >"$dir/t-int.out" 2>"$dir/t-int.err" &
    pid=$!
    # Until the second result is on disk, or the job ended by itself (failed below): however
    # long the probes before it took, bounded by the job's own limit.
    while { [ ! -e "$out.jsonl" ] || [ "$(wc -l <"$out.jsonl")" -lt 2 ]; } && kill -0 $pid 2>/dev/null; do
        sleep 0.1
    done
    kill -INT $pid
    wait $pid
    rc=$?
    [ $rc -ne 0 ] && [ $rc -ne 124 ] && report_is "$out" interrupted 5 && no_tmp t-int &&
        lines_ok "$out.jsonl"
    ok $? "trial $t: SIGINT to mpirun after 2 results: mpirun exit $rc, report interrupted (exit_code 5), no temporary" ||
        show t-int
    t=$((t + 1))
done

rm -rf "$dir"
done_testing
