#!/bin/bash
# The signal table: every signal of GX_STOP_SIGNALS, sent to rank 0 or to
# another rank in the middle of a run, leaves the report of what was measured (interrupted,
# exit 5, failure.signal naming it and failure.ranks the rank that got it); a rank hung in
# MPI_Finalize after a complete report is exit 4, never 1 (corrupted data), and rank 0 stopped
# while writing says the exit the job gets.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/signal-table.XXXXXX")
for sig in HUP USR1 USR2 XCPU TERM INT; do
    GPUXFER_FAULT=$gx_signal_fault gx_signal_run "$dir" "r0-$sig" "$sig" 0 0 $gx_signal_args
    gx_signal_check "$dir/r0-$sig.json" "$sig" 0
    ok $? "SIG$sig to rank 0: exit 5 (got $rc), report interrupted, failure.signal SIG$sig, its results the .jsonl's lines" ||
        diag <"$dir/r0-$sig.out"
done
# The probes measured before the signal are in the report it leaves (its ceilings).
py_check "$dir/r0-TERM.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
pairs = (d.get("ceilings") or {}).get("rank_pairs") or []
points = [p for rp in pairs for k, v in rp.items() if isinstance(v, dict) for p in v.get("points", [])]
assert d["status"] == "interrupted" and points, (d["status"], pairs)
PY
ok $? "the report SIGTERM left keeps the ceilings of the probes that ran" || diag <"$dir/r0-TERM.out"
for sig in TERM USR1; do
    GPUXFER_FAULT=$gx_signal_fault gx_signal_run "$dir" "r1-$sig" "$sig" 1 0 $gx_signal_args
    gx_signal_check "$dir/r1-$sig.json" "$sig" 1
    ok $? "SIG$sig to rank 1: exit 5 (got $rc), failure names SIG$sig and rank 1, its results the .jsonl's lines" ||
        diag <"$dir/r1-$sig.out"
done

# A library that took SIGUSR1 (ignored) and SIGUSR2 (a handler of its own) in MPI_Init, as the
# CUDA-aware stack of a GPU run can: gpuxfer takes them back before its steps and says whose
# action it found (tests/sig_thief.c).
thief=$dir/sig_thief.so
if ${CC:-cc} -shared -fPIC -o "$thief" "$top_srcdir/tests/sig_thief.c" -ldl 2>"$dir/cc.err"; then
    # Under ASan (tests/sanitizers.sh) its runtime would have to come first in LD_PRELOAD.
    ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
    for sig in USR1 USR2; do
        for r in 0 1; do
            ASAN_OPTIONS=$ASAN_OPTIONS LD_PRELOAD=$thief GPUXFER_FAULT=$gx_signal_fault \
                gx_signal_run "$dir" "thief$r-$sig" "$sig" $r 0 $gx_signal_args
            gx_signal_check "$dir/thief$r-$sig.json" "$sig" $r &&
                grep -q "note: the action of SIGUSR1, SIGUSR2 had become ignored (SIG_IGN) (the first's) after start-up (a library's); gpuxfer took them back" "$dir/thief$r-$sig.out"
            ok $? "SIG$sig to rank $r after a library took it in MPI_Init: exit 5 (got $rc), the run stopped, the taking said" ||
                diag <"$dir/thief$r-$sig.out"
        done
    done
else
    for t in 1 2 3 4; do skip "no C compiler for the shim ($(head -c 200 "$dir/cc.err"))"; done
fi

# What gpuxfer makes on a rank's behalf (the roll call's sockets; UCX's log where
# UCX_PROTO_INFO=y, an anonymous file) leaves nothing in TMPDIR at a signal's end either.
mkdir -p "$dir/tmp"
for r in 0 1; do
    TMPDIR=$dir/tmp UCX_PROTO_INFO=y GPUXFER_FAULT=$gx_signal_fault gx_signal_run "$dir" "tmp$r" TERM $r 0 \
        $gx_signal_args
    left=$(ls -A "$dir/tmp")
    gx_signal_check "$dir/tmp$r.json" TERM $r && [ -z "$left" ]
    ok $? "SIGTERM to rank $r with TMPDIR and UCX_PROTO_INFO=y: exit 5 (got $rc), nothing left in TMPDIR (${left:-empty})" ||
        diag <"$dir/tmp$r.out"
done
# Nor where MPI_Init itself fails: Open MPI's error handler ends one rank inside it (no code of
# gpuxfer's runs after that) and mpirun then ends the other.
mkdir -p "$dir/tmp-init"
TMPDIR=$dir/tmp-init UCX_PROTO_INFO=y OMPI_MCA_pml=no-such-pml \
    gx_mpirun_opts="$gx_mpirun_opts -x TMPDIR -x UCX_PROTO_INFO -x OMPI_MCA_pml" \
    gx_mpirun 2 --path host --sizes 8 --iters 5 >"$dir/init.out" 2>&1
rc=$?
left=$(ls -A "$dir/tmp-init")
[ $rc -ne 0 ] && [ -z "$left" ]
ok $? "MPI_Init failed (no such pml) with UCX_PROTO_INFO=y: exit $rc, nothing left in TMPDIR (${left:-empty})" ||
    diag <"$dir/init.out"

# The step under way outlasts the moment rank 1 leaves its main thread to pass the signal on
# (each 1 KiB iteration slowed 20-60 ms on rank 0): rank 1's watchdog tells rank 0, whose
# report names rank 1's signal, before any SIGTERM of the launcher can reach rank 0.
GPUXFER_FAULT=slow:rank=0:size=1K gx_signal_run "$dir" r1-told TERM 1 0 --path host \
    --pattern latency --sizes 8,1K --iters 300 --warmup 1 --quiet
gx_signal_check "$dir/r1-told.json" TERM 1 && py_check "$dir/r1-told.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [r["size"] for r in d["results"]] == [8], [r["size"] for r in d["results"]]
PY
[ $? -eq 0 ] && grep -q "interrupted by SIGTERM on rank 1" "$dir/r1-told.out"
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
# mpirun continues rank 0 as it ends the job: rank 0's word matches the job's status. No probe,
# and a limit no step of 5 iterations reaches on a busy machine: the stop while writing is the
# first thing that waits.
GPUXFER_FAULT=stop:rank=0:at=writing gx_mpirun 2 --path host --pattern latency --sizes 8 --iters 5 \
    --ceilings off --quiet --timeout 10 --output "$dir/sw.json" >"$dir/sw.out" 2>&1
rc=$?
[ $rc -eq 4 ] && ! grep -q "stands (exit 0)" "$dir/sw.out" &&
    { [ ! -e "$dir/sw.json" ] || grep -q "its exit_code 0); exit 4" "$dir/sw.out"; }
ok $? "rank 0 stopped while writing, then continued: exit 4 (got $rc), and stderr never says 0" ||
    diag <"$dir/sw.out"

rm -rf "$dir"
done_testing
