#!/bin/bash
# The signal table (issue 35, class 6): every signal of GX_STOP_SIGNALS, sent to rank 0 or to
# another rank in the middle of a run, leaves the report of what was measured (interrupted,
# exit 5, failure.signal naming it and failure.ranks the rank that got it); a rank hung in
# MPI_Finalize after a complete report is exit 4, never 1 (corrupted data), and rank 0 stopped
# while writing says the exit the job gets.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/signal-table.XXXXXX")
args="--path host --pattern latency --sizes 8,1K,4K,16K --iters 20000 --warmup 1 --quiet"

# run_signalled NAME SIGNAL RANK: the run, SIGNAL sent to RANK once its first result is in.
run_signalled() {
    local name=$1 sig=$2 rank=$3 i=0
    rm -f "$dir"/pid.*
    # shellcheck disable=SC2086
    timeout --foreground -k 10 180 "$MPIRUN" -np 2 $gx_mpirun_opts sh -c \
        'echo $$ >"$1/pid.${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-0}}"; shift; exec "$@"' sh "$dir" \
        "$GPUXFER" $args --output "$dir/$name.json" >"$dir/$name.out" 2>&1 &
    local p=$!
    while [ ! -s "$dir/$name.json.jsonl" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    kill -"$sig" "$(cat "$dir/pid.$rank")"
    wait $p
    rc=$?
}

for sig in HUP USR1 USR2 XCPU TERM INT; do
    run_signalled "r0-$sig" "$sig" 0
    [ $rc -eq 5 ] && py_check "$dir/r0-$sig.json" "SIG$sig" 0 <<'PY'
import json, sys
path, sig, rank = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(path))
lines = [json.loads(l) for l in open(path + ".jsonl")]
f = d.get("failure") or {}
assert d["status"] == "interrupted" and d["exit_code"] == 5, (d["status"], d["exit_code"])
assert f.get("kind") == "signal" and f.get("signal") == sig and f.get("ranks") == [rank], f
assert 1 <= len(d["results"]) == len(lines), (len(d["results"]), len(lines))
PY
    ok $? "SIG$sig to rank 0: exit 5 (got $rc), report interrupted with the results so far, failure.signal SIG$sig" ||
        diag <"$dir/r0-$sig.out"
done
for sig in TERM USR1; do
    run_signalled "r1-$sig" "$sig" 1
    [ $rc -eq 5 ] && py_check "$dir/r1-$sig.json" "SIG$sig" 1 <<'PY'
import json, sys
path, sig, rank = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(path))
f = d.get("failure") or {}
assert d["status"] == "interrupted" and d["exit_code"] == 5, (d["status"], d["exit_code"])
assert f.get("kind") == "signal" and f.get("signal") == sig and f.get("ranks") == [rank], f
assert len(d["results"]) >= 1
PY
    ok $? "SIG$sig to rank 1: exit 5 (got $rc), failure names SIG$sig and rank 1" || diag <"$dir/r1-$sig.out"
done

# The step under way outlasts the moment rank 1 leaves its main thread to pass the signal on
# (each 1 KiB iteration slowed 20-60 ms on rank 0): rank 1's watchdog tells rank 0, whose
# report names rank 1's signal, before any SIGTERM of the launcher can reach rank 0.
GPUXFER_FAULT=slow:rank=0:size=1K args="--path host --pattern latency --sizes 8,1K --iters 3000 \
    --warmup 1 --quiet" run_signalled r1-told TERM 1
py_check "$dir/r1-told.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = d.get("failure") or {}
assert d["status"] == "interrupted" and d["exit_code"] == 5, (d["status"], d["exit_code"])
assert f.get("kind") == "signal" and f.get("signal") == "SIGTERM" and f.get("ranks") == [1], f
assert [r["size"] for r in d["results"]] == [8], [r["size"] for r in d["results"]]
PY
[ $? -eq 0 ] && [ $rc -eq 5 ] && grep -q "interrupted by SIGTERM on rank 1" "$dir/r1-told.out"
ok $? "SIGTERM to rank 1 in a step longer than the pass-on wait: exit 5 (got $rc), rank 0 told, the report names SIGTERM and rank 1" ||
    diag <"$dir/r1-told.out"

GPUXFER_FAULT=stop:rank=1:at=finalize gx_mpirun 2 --path host --pattern latency --sizes 8 --iters 5 \
    --quiet --timeout 3 --output "$dir/fin.json" >"$dir/fin.out" 2>&1
rc=$?
[ $rc -eq 4 ] && grep -q "the report written before stands (its exit_code 0); exit 4" "$dir/fin.out" &&
    py_check "$dir/fin.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "complete" and d["exit_code"] == 0
PY
ok $? "a rank stopped in MPI_Finalize after a complete report: exit 4 (got $rc), said on stderr, never 1" ||
    diag <"$dir/fin.out"

# Rank 0 stopped (SIGSTOP) half-way through its report; rank 1 gives up waiting (exit 4) and
# mpirun continues rank 0 as it ends the job: rank 0's word matches the job's status.
GPUXFER_FAULT=stop:rank=0:at=writing gx_mpirun 2 --path host --pattern latency --sizes 8 --iters 5 \
    --quiet --timeout 3 --output "$dir/sw.json" >"$dir/sw.out" 2>&1
rc=$?
[ $rc -eq 4 ] && ! grep -q "stands (exit 0)" "$dir/sw.out" &&
    { [ ! -e "$dir/sw.json" ] || grep -q "its exit_code 0); exit 4" "$dir/sw.out"; }
ok $? "rank 0 stopped while writing, then continued: exit 4 (got $rc), and stderr never says 0" ||
    diag <"$dir/sw.out"

rm -rf "$dir"
done_testing
