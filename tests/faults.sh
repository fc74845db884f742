#!/bin/sh
# Fault injection (GPUXFER_FAULT): every fault ends with an answer, the right exit code, and the
# results measured before it intact on disk. Time limits are generous: a loaded 2-core machine.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/faults.XXXXXX")
# The fault hits the third of four sizes: 8 and 1K are measured before it.
args="--path host --pattern bw --sizes 8,1K,4K,64K --iters 10 --warmup 2 --quiet"
# --timeout where a rank hangs on purpose: each such run waits it out, and the measurements
# before the hang (and 4 ranks' start-up on 2 loaded cores) must never reach it.
wd=15

run_fault() { # NAME FAULT NP [gpuxfer args]: sets rc; output in $dir/NAME.{json,out,err}
    name=$1; fault=$2; np=$3; shift 3
    out="$dir/$name.json"
    GPUXFER_FAULT=$fault gx_mpirun "$np" $args --output "$out" "$@" \
        >"$dir/$name.out" 2>"$dir/$name.err"
    rc=$?
}

# Every line of the .jsonl is complete JSON; the sizes measured are exactly those given.
jsonl_has() { # FILE SIZES (comma list)
    "$PYTHON" - "$1" "$2" <<'PY'
import json, sys
want = [int(s) for s in sys.argv[2].split(",")]
lines = open(sys.argv[1]).read().split("\n")
ok = lines[-1] == ""  # ends with a newline: the last line is complete
got = [json.loads(l)["size"] for l in lines if l]
sys.exit(0 if ok and got == want else 1)
PY
}

report_is() { # FILE STATUS EXIT-CODE [check_report args]: valid, with that status and code
    _f=$1 _st=$2 _code=$3
    shift 3
    check_report "$_f" --status "$_st" "$@" && [ "$(json_get "$_f" exit_code)" = "$_code" ]
}
# Valid against the schema only (check_report also rejects failed results, which some faults make).
schema_ok() {
    run_diag "$PYTHON" -c "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))" \
        "$1" "$top_srcdir/schema/gpuxfer-report.schema.json"
}
json_get() { "$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))" "$@"; }
show() { { echo "exit $rc"; cat "$dir/$1.err"; } | diag; }

for who in 1 0; do
    run_fault hang$who "hang:rank=$who:size=4K:iter=3" 2 --timeout $wd
    [ $rc -eq 4 ]
    ok $? "hang on rank $who: exit 4 (timeout)" || show hang$who
    grep -q "timeout: measurement run '-' path host pattern bw size 4096 pairs 0:1 did not complete within $wd s" "$dir/hang$who.err" &&
        grep -q "ranks 0,1 take part.*; rank $who did not arrive: the rest of its pair waits in a call that it has not made$" "$dir/hang$who.err"
    ok $? "hang on rank $who: the message names the measurement, its ranks and the one that did not arrive"
    report_is "$dir/hang$who.json" incomplete 4 &&
        [ "$(json_get "$dir/hang$who.json" failure)" = "{'kind': 'timeout', 'measurement': \"run '-' path host pattern bw size 4096 pairs 0:1\", 'ranks': [$who], 'timeout_s': $wd}" ]
    ok $? "hang on rank $who: report incomplete, exit_code 4, failure says which measurement and rank $who"
    jsonl_has "$dir/hang$who.json.jsonl" 8,1024
    ok $? "hang on rank $who: .jsonl holds the two earlier results as complete lines"
done

# A stuck rank outside rank 0's pair: 4 ranks, pairs at once.
run_fault hang4 "hang:rank=3:size=4K" 4 --pairs all-disjoint --timeout $wd
[ $rc -eq 4 ] && grep -q "pairs 0:1,2:3 did not complete within $wd s.*ranks 0,1,2,3 take part.*; rank 3 did not arrive" "$dir/hang4.err" &&
    grep -q "rank 3: timeout:" "$dir/hang4.err" && report_is "$dir/hang4.json" incomplete 4 &&
    json_get "$dir/hang4.json" failure | grep -q "'ranks': \[3\]"
ok $? "hang on rank 3 of 4 (all-disjoint): exit 4, every rank says where it stopped, rank 3 named" || show hang4

# A collective's member that never arrives (a middle rank of 4 and of 8): the group waits in a
# call it has not made, and that member alone is named, in the message and in failure.ranks.
for np in 4 8; do
    who=$((np / 2 - 1))
    run_fault coll$np "hang:rank=$who:size=4K" $np --pairs job --pattern allreduce --timeout $wd
    [ $rc -eq 4 ] &&
        grep -q "pattern allreduce size 4096 group 0\.\.$((np - 1)) did not complete within $wd s" "$dir/coll$np.err" &&
        grep -q "; rank $who did not arrive: the rest of its group wait in a call that it has not made$" "$dir/coll$np.err" &&
        report_is "$dir/coll$np.json" incomplete 4 &&
        json_get "$dir/coll$np.json" failure | grep -q "'ranks': \[$who\], 'timeout_s'"
    ok $? "allreduce of $np ranks, rank $who hung before an iteration: exit 4, rank $who alone named" ||
        show coll$np
done

run_fault die "die:rank=1:size=4K:iter=2" 2 --timeout 60
[ $rc -ne 0 ] && [ $rc -ne 124 ]
ok $? "rank 1 killed: the job ends, not through the test's time limit (exit $rc)" || show die
jsonl_has "$dir/die.json.jsonl" 8,1024
ok $? "rank 1 killed: .jsonl holds the earlier results as complete lines"
# Open MPI tears the job down and sends rank 0 SIGTERM: its report says interrupted.
[ ! -e "$dir/die.json" ] || check_report "$dir/die.json" --status interrupted
ok $? "rank 1 killed: rank 0's report, when written, is valid and marked interrupted"

# Where the launcher keeps the job up after a death, rank 0 survives: it waits on the dead rank
# until --timeout, then writes its report marked incomplete. (Open MPI 4.1's mpirun then exits 0
# whatever MPI_Abort said; the report's exit_code is the answer.)
out="$dir/recover.json"
GPUXFER_FAULT="die:rank=1:size=4K" timeout -k 10 600 "$MPIRUN" -np 2 --enable-recovery $gx_mpirun_opts \
    "$GPUXFER" $args --timeout $wd --output "$out" \
    >"$dir/recover.out" 2>"$dir/recover.err"
rc=$?
[ $rc -ne 124 ] && [ $rc -ne 137 ] && report_is "$out" incomplete 4 &&
    jsonl_has "$out.jsonl" 8,1024 && grep -q "timeout: measurement .* size 4096" "$dir/recover.err"
ok $? "rank 1 killed, rank 0 survives (--enable-recovery): report incomplete, .jsonl intact" ||
    show recover

run_fault die0 "die:rank=0:size=4K" 2 --timeout 60
[ $rc -ne 0 ] && [ $rc -ne 124 ] && jsonl_has "$dir/die0.json.jsonl" 8,1024 && [ ! -e "$dir/die0.json" ]
ok $? "rank 0 killed: the job ends, .jsonl intact, no truncated report" || show die0

for who in 1 0; do
    run_fault sig$who "signal:rank=$who:size=4K:iter=1" 2 --timeout 60
    [ $rc -eq 5 ]
    ok $? "SIGTERM on rank $who: exit 5 (interrupted; got $rc)" || show sig$who
    report_is "$dir/sig$who.json" interrupted 5 && grep -q "interrupted by SIGTERM" "$dir/sig$who.err"
    ok $? "SIGTERM on rank $who: report interrupted, exit_code 5, reason on stderr"
    "$PYTHON" -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$dir/sig$who.json.jsonl"
    ok $? "SIGTERM on rank $who: every .jsonl line is valid JSON"
done

# The launcher's SIGTERM (Slurm's time limit, scancel, kill of mpirun) reaches every rank.
# --foreground: the signal goes to mpirun alone, as when a user or a batch system signals it.
# (Without it, coreutils' timeout signals its whole process group, mpirun and ranks together,
# and mpirun then sometimes tore the job down within 10 ms, before any handler ran: 2 runs in 6
# here, never with the signal sent to mpirun alone, 14 in 14.)
# A first result soon, then passes until the signal (--soak): 100000 iterations a size kept the
# first result (and a probe's before it) past the wait for it, under the sanitizers on a loaded
# machine.
out="$dir/ext.json"
timeout --foreground -k 10 600 "$MPIRUN" -np 2 $gx_mpirun_opts \
    "$GPUXFER" --sizes 1:1M --iters 50 --soak 590 --quiet --output "$out" \
    >"$dir/ext.out" 2>"$dir/ext.err" &
pid=$!
# The signal goes once the first result is on disk (or the job has ended by itself: failed
# below), however long the ceiling probe before it took; the job's own limit bounds the wait.
while [ ! -s "$out.jsonl" ] && kill -0 $pid 2>/dev/null; do sleep 0.1; done
kill -TERM $pid # timeout passes it on to mpirun, which sends every rank SIGTERM
wait $pid
rc=$?
# 137: mpirun's own teardown after rank 0's MPI_Abort did not end within timeout's -k 10 s
# (seen once in 8 runs on this 2-core machine; the report was written): said, not failed.
[ $rc -ne 0 ] && [ $rc -ne 124 ]
ok $? "SIGTERM to mpirun: the job ends through gpuxfer, not the time limit (exit $rc)" || show ext
[ $rc -ne 137 ] || echo "mpirun needed timeout's SIGKILL after the report was written" | diag
# mpirun passes the signal on as SIGTERM (as it does Ctrl-C): the line names it as the sender, a
# launcher, so that the SIGTERM is not read as someone's kill.
report_is "$out" interrupted 5 &&
    grep -Eq "interrupted by SIGTERM \(sent by (mpirun|mpiexec|orterun|orted|prterun|prted|hydra_pmi_proxy), pid [0-9]+: a launcher; mpirun sends it on Ctrl-C, Slurm on scancel and time limits\)" "$dir/ext.err" &&
    "$PYTHON" -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$out.jsonl"
ok $? "SIGTERM to mpirun: report written, interrupted, exit_code 5; .jsonl complete lines" || {
    echo "mpirun exit $rc"; cat "$dir/ext.err"; ls -l "$dir"; } | diag
# Stopped in its first pass, it is still a soak's report, and counts what the .jsonl holds.
"$PYTHON" - "$out" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["soak"]
lines = sum(1 for _ in open(sys.argv[1] + ".jsonl"))
assert s["seconds"] == 590 and s["rotations"] == 0, s
assert s["results_streamed"] == lines, (s, lines)
PY
ok $? "a soak stopped in its first pass: its soak section, results_streamed as the .jsonl's lines" ||
    echo "$out" | diag

run_fault corrupt "corrupt:rank=1:size=4K:offset=1000" 2 --timeout 60
[ $rc -eq 1 ] && grep -q "data validation failed: run '-' path host pattern bw size 4096 pair 0->1: first bad byte at offset 1000" "$dir/corrupt.err"
ok $? "corrupt byte on rank 1: exit 1, stderr names the result and the offset" || show corrupt
"$PYTHON" - "$dir/corrupt.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [r for r in d["results"] if r["validation"]["status"] == "failed"]
sys.exit(0 if d["status"] == "failed" and d["exit_code"] == 1 and len(bad) == 1 and
         bad[0]["size"] == 4096 and bad[0]["validation"]["first_bad_offset"] == 1000 else 1)
PY
ok $? "corrupt byte: report failed, the 4096-byte result says offset 1000"

# Out of memory at one size (injected where every memory kind allocates, so pageable memory
# shows it without a GPU): that size is skipped with the text on both sides, the others measured.
run_fault oom "cuda-oom:rank=1:size=4K" 2 --timeout 60
[ $rc -eq 0 ] && report_is "$dir/oom.json" complete 0 --allow-skipped
ok $? "cuda-oom on rank 1 at 4K: exit 0, report complete" || show oom
"$PYTHON" - "$dir/oom.json" <<'PY'
import json, sys
r = {x["size"]: x for x in json.load(open(sys.argv[1]))["results"]}
big = r[4096]
sys.exit(0 if big["status"] == "skipped" and
         big["reason"] == "rank 1: injected: cudaMalloc of 4096 bytes failed: out of memory (cudaErrorMemoryAllocation)" and
         all(r[s]["status"] == "ok" for s in (8, 1024, 65536)) else 1)
PY
ok $? "cuda-oom: 4K skipped with cudaMalloc's out-of-memory text naming rank 1; 8, 1K, 64K ok"

# cuda-sticky: rank 1's kernel makes an illegal address access at 4K. With a GPU that is a sticky
# error: every rank stops after that result and the job ends cleanly with exit 3. Without one the
# launch fails with an ordinary CUDA error: that size fails, the others are measured, exit 3.
run_fault sticky "cuda-sticky:rank=1:size=4K" 2 --timeout 60
[ $rc -eq 3 ] && schema_ok "$dir/sticky.json" && [ "$(json_get "$dir/sticky.json" status)" = error ] &&
    [ "$(json_get "$dir/sticky.json" exit_code)" = 3 ]
ok $? "cuda-sticky on rank 1: exit 3, valid report with status error and exit_code 3 (exit $rc)" || show sticky
if "$PYTHON" -c "import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get('failure') else 1)" "$dir/sticky.json" 2>/dev/null; then
    "$PYTHON" - "$dir/sticky.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["size"]: x for x in d["results"]}
sys.exit(0 if d["failure"] == {"kind": "cuda-sticky", "ranks": [1]} and
         "cudaErrorIllegalAddress" in d["error"] and "rank 1's GPU context is unusable" in d["error"] and
         r[4096]["status"] == "failed" and sorted(r) == [8, 1024, 4096] else 1)
PY
    ok $? "cuda-sticky with a GPU: failure cuda-sticky on rank 1, error names cudaErrorIllegalAddress, nothing measured after 4K"
    grep -q "rank 1's GPU context is unusable, every rank stopped" "$dir/sticky.err"
    ok $? "cuda-sticky with a GPU: stderr says why every rank stopped"
else
    skip "cuda-sticky needs a GPU for a sticky error (here: $("$PYTHON" -c "import json,sys; print([r['reason'] for r in json.load(open(sys.argv[1]))['results'] if r['status'] == 'failed'][0])" "$dir/sticky.json" 2>&1))"
    "$PYTHON" - "$dir/sticky.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["size"]: x for x in d["results"]}
sys.exit(0 if r[4096]["status"] == "failed" and r[4096]["reason"].startswith("rank 1: ") and
         "sticky" not in r[4096]["reason"] and
         all(r[s]["status"] == "ok" for s in (8, 1024, 65536)) and
         d["error"] == "1 measurement failed (their results say why)" else 1)
PY
    ok $? "a CUDA error that is not sticky (no GPU): 4K failed with the CUDA text, 8, 1K, 64K measured, exit 3"
fi

# --soak: passes repeat until the time is up; the report keeps the first, the .jsonl every one.
# At least two passes of two sizes of 10 iterations each must fit, whatever the load: 10 s.
run_fault soak "" 2 --sizes 8,1K --soak 10 --timeout 60
"$PYTHON" - "$dir/soak.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["soak"]
lines = [json.loads(l) for l in open(sys.argv[1] + ".jsonl")]
rot = [l["rotation"] for l in lines]
sys.exit(0 if d["status"] == "complete" and s["seconds"] == 10 and s["rotations"] >= 2 and
         s["seconds_run"] >= 10 and s["failures"] == 0 and s["results_streamed"] == len(lines) and
         len(d["results"]) == 2 and {r["rotation"] for r in d["results"]} == {1} and
         rot == sorted(rot) and rot[-1] == s["rotations"] and len(lines) == 2 * s["rotations"] else 1)
PY
[ $? -eq 0 ] && [ $rc -eq 0 ] && report_is "$dir/soak.json" complete 0
ok $? "--soak 10: exit 0, several passes; report holds pass 1, the .jsonl every pass, soak counts them" || show soak

run_fault soakbad "corrupt:rank=1:size=1K" 2 --sizes 8,1K --soak 2 --timeout 60
[ $rc -eq 1 ] && schema_ok "$dir/soakbad.json" && [ "$(json_get "$dir/soakbad.json" status)" = failed ] &&
    [ "$("$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1]))['soak']['failures'])" "$dir/soakbad.json")" = 1 ]
ok $? "--soak with corrupted data in a pass: exit 1, soak.failures 1" || show soakbad

run_fault soaksig "signal:rank=1:size=1K:iter=1" 2 --sizes 8,1K --soak 30 --timeout 60
[ $rc -eq 5 ] && report_is "$dir/soaksig.json" interrupted 5 &&
    [ "$("$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1]))['soak']['rotations'])" "$dir/soaksig.json")" = 0 ]
ok $? "--soak 30 with SIGTERM on rank 1: exit 5 at once, report interrupted, soak has 0 complete passes" || show soaksig

# What cannot happen in this job (2 ranks, sizes 8,1K,4K,64K) is refused too.
for spec in "boom:rank=1:size=8" "hang:rank=1" "hang:rank=x:size=8" "die:rank=1:size=8:when=now" \
    "cuda-oom:rank=1" "die:rank=2:size=8" "hang:rank=1:size=16" "corrupt:rank=1:size=1K:offset=1K" \
    "stop:rank=1:at=init:size=8" "slow-ceilings:rank=0:size=8" "slow:rank=0:size=8:per=trip" \
    "hang:rank=1:size=8:per=transfer"; do
    run_fault bad "$spec" 2
    [ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/bad.err")" -eq 1 ] &&
        grep -q "GPUXFER_FAULT='$spec'" "$dir/bad.err" && [ ! -e "$dir/bad.json" ]
    ok $? "GPUXFER_FAULT='$spec': exit 2, one line" || show bad
done

rm -rf "$dir"
done_testing
