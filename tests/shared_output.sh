#!/bin/bash
# Runs that share a folder or a name: the one writer of report files
# (gx_out_claim, gx_durable_*) never replaces what it did not create unless --force, locks the
# live .jsonl so that a second run with the same --output stops at once with one line, reads the
# results back through its own descriptor, writes its temporaries with O_EXCL|O_NOFOLLOW where
# O_TMPFILE is missing and removes those a killed run left; names from the environment pass one
# sanitiser.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/shared-output.XXXXXX")
host="--path host --pattern latency --sizes 8,1K --warmup 1 --quiet"

# --- class 1: pairs of ranks started together with one --output ------------------------------
pids=
for i in 1 2 3 4; do
    gx_mpirun 2 $host --iters $((100 + i)) --output "$dir/same.json" >"$dir/same.$i.out" 2>&1 &
    pids="$pids $!"
done
wins=0 busy=0 other=0
i=0
for p in $pids; do
    i=$((i + 1))
    wait "$p"
    case $? in
    0) wins=$((wins + 1)); won=$i ;;
    2) if grep -q "is being written by another gpuxfer run\|same.json.jsonl' exists\|same.json' exists" "$dir/same.$i.out"; then busy=$((busy + 1)); else other=$((other + 1)); fi ;;
    *) other=$((other + 1)) ;;
    esac
done
[ $wins -eq 1 ] && [ $busy -eq 3 ] && [ $other -eq 0 ]
ok $? "4 runs started together into one --output: one measures, 3 stop with one line (exit 2)" || {
    echo "wins $wins busy $busy other $other"; cat "$dir"/same.*.out; } | diag
py_check "$dir/same.json" $((100 + ${won:-0})) <<'PY'
import json, sys
path, iters = sys.argv[1], int(sys.argv[2])
d = json.load(open(path))
lines = [json.loads(l) for l in open(path + ".jsonl")]
cmd = d["command_line"]
assert cmd[cmd.index("--iters") + 1] == str(iters), cmd
assert all(r["iterations"] == iters for r in d["results"] + lines), "results of another run"
assert len(d["results"]) == len(lines) == 2
PY
ok $? "the report holds the command line and the results of the run that measured, and no other's"

# Staggered across the ceiling probes, with --force: a live run is never replaced. The first run
# holds its second size until its --timeout (a hang fault), so it is live for sure while the
# others start (90 s: four refused start-ups took 20 s under ASan on a loaded machine; more than
# four times that is kept in hand). The others start once it has claimed the name (its .jsonl
# exists), however slow its start-up.
GPUXFER_FAULT=hang:rank=1:size=1K gx_mpirun 2 $host --iters 5 --timeout 90 \
    --output "$dir/stag.json" >"$dir/stag.out" 2>&1 &
first=$!
while [ ! -e "$dir/stag.json.jsonl" ] && kill -0 $first 2>/dev/null; do sleep 0.1; done
fails=0 started=0
for delay in 0.2 0.6 1.2 2; do
    sleep $delay
    kill -0 $first 2>/dev/null || break
    started=$((started + 1))
    gx_mpirun 2 $host --iters 7 --force --output "$dir/stag.json" >"$dir/stag.$delay.out" 2>&1
    rc=$?
    [ $rc -eq 2 ] && grep -q "is being written by another gpuxfer run" "$dir/stag.$delay.out" ||
        fails=$((fails + 1))
done
wait $first
rc=$?
[ $rc -eq 4 ] && [ $fails -eq 0 ] && [ $started -eq 4 ]
ok $? "runs with --force started 0.2 to 4 s after a live run claimed the name: each stops at once; the first ends at its timeout (exit $rc)" || {
    echo "first $rc, $fails of $started late runs not refused"; cat "$dir"/stag*.out; } | diag
py_check "$dir/stag.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert "7" not in d["command_line"] and d["results"], d["command_line"]
assert all(r["iterations"] == 5 for r in d["results"])
PY
ok $? "the staggered runs' report is the first run's, whole"

# A file made at the report's name during the run, and the .jsonl moved away: both kept. The
# run holds at its second size until its --timeout: 20 s for this shell to see the first result
# and do both, on a loaded machine. It waits for that result however long the probe before it.
GPUXFER_FAULT=hang:rank=1:size=1K gx_mpirun 2 $host --iters 5 --timeout 20 \
    --output "$dir/moved.json" >"$dir/moved.out" 2>&1 &
p=$!
while [ ! -s "$dir/moved.json.jsonl" ] && kill -0 $p 2>/dev/null; do sleep 0.1; done
echo "someone else's" >"$dir/moved.json"
mv "$dir/moved.json.jsonl" "$dir/elsewhere.jsonl"
wait $p
rc=$?
aside=$(ls "$dir"/moved.json.*-1.json 2>/dev/null)
[ $rc -eq 4 ] && [ "$(cat "$dir/moved.json")" = "someone else's" ] && [ -n "$aside" ] &&
    grep -q "was created by something else while this run went on" "$dir/moved.out"
ok $? "a file created at the report's name meanwhile stays; the report goes beside it, said on stderr" ||
    { echo "rc $rc"; ls -l "$dir"; cat "$dir/moved.out"; } | diag
py_check "${aside:-/none}" "$dir/elsewhere.jsonl" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2])]
assert len(d["results"]) == 1 and d["results"] == lines, (len(d["results"]), len(lines))
PY
ok $? "a .jsonl moved away during the run: the report still has every result, read back through its descriptor"

# --- class 2: no O_TMPFILE; links raced onto the temporary's names; a run killed writing ------
shim=$dir/no_tmpfile.so
# Under ASan (tests/sanitizers.sh) its runtime would have to come first in LD_PRELOAD.
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
export ASAN_OPTIONS
if ${CC:-cc} -shared -fPIC -o "$shim" "$top_srcdir/tests/no_tmpfile.c" -ldl 2>"$dir/cc.err"; then
    echo victim >"$dir/victim"
    # shellcheck disable=SC2086
    GX_SHIM_LINK=$dir/shim.json GX_SHIM_VICTIM=$dir/victim LD_PRELOAD=$shim timeout -k 10 600 \
        "$MPIRUN" -np 2 $gx_mpirun_opts -x LD_PRELOAD -x GX_SHIM_LINK -x GX_SHIM_VICTIM \
        "$GPUXFER" $host --iters 5 --output "$dir/shim.json" >"$dir/shim.out" 2>&1
    rc=$?
    links=$(find "$dir" -maxdepth 1 -name 'shim.json.tmp.*' -type l | wc -l)
    [ $rc -eq 0 ] && [ "$(cat "$dir/victim")" = victim ] && [ "$links" -eq 4 ] &&
        "$PYTHON" -c "import json,sys; json.load(open(sys.argv[1]))" "$dir/shim.json"
    ok $? "without O_TMPFILE, links placed at the temporary's names: not followed, not removed, report whole" ||
        { echo "rc $rc links $links victim $(cat "$dir/victim")"; ls -l "$dir"; cat "$dir/shim.out"; } | diag
    # shellcheck disable=SC2086
    GPUXFER_FAULT=die:rank=0:at=writing LD_PRELOAD=$shim timeout -k 10 600 "$MPIRUN" -np 2 \
        $gx_mpirun_opts -x LD_PRELOAD -x GPUXFER_FAULT "$GPUXFER" $host --iters 5 \
        --output "$dir/killed.json" >"$dir/killed.out" 2>&1
    left=$(find "$dir" -maxdepth 1 -name 'killed.json.tmp.*' -type f | wc -l)
    echo "stale" >"$dir/killed.json.tmp.1.0" # an unlocked one of another kind
    # shellcheck disable=SC2086
    LD_PRELOAD=$shim timeout -k 10 600 "$MPIRUN" -np 2 $gx_mpirun_opts -x LD_PRELOAD "$GPUXFER" \
        $host --iters 5 --force --output "$dir/killed.json" >"$dir/killed2.out" 2>&1
    rc=$?
    now=$(find "$dir" -maxdepth 1 -name 'killed.json*.tmp.*' | wc -l)
    [ "$left" -ge 1 ] && [ $rc -eq 0 ] && [ "$now" -eq 0 ]
    ok $? "a temporary left by a rank 0 killed while writing is removed by the next run with that --output" ||
        { echo "left $left, rc $rc, now $now"; ls -l "$dir"; } | diag
else
    skip "no C compiler for the O_TMPFILE shim: $(head -n 1 "$dir/cc.err")"
    skip "no C compiler for the O_TMPFILE shim"
fi

# --- class 3: names from the environment -------------------------------------------------------
mkdir -p "$dir/env"
# The variables reach the ranks only (env as the program): mpirun itself would take them for a
# Slurm allocation.
slurm_run() { # slurm_run JOB_ID STEP_ID args...
    local job=$1 step=$2
    shift 2
    GPUXFER=env gx_mpirun 2 SLURM_JOB_ID="$job" SLURM_STEP_ID="$step" "$GPUXFER" "$@"
}
(cd "$dir/env" && slurm_run $'../../up\nx' /0 $host --iters 5 >"$dir/env.out" 2>&1)
rc=$?
made=$(find "$dir" -name 'gpuxfer-*.json' | grep -v "/env/gpuxfer-results/gpuxfer-[0-9TZ]*-[_.]*up_x._0-[0-9]*\.json$")
[ $rc -eq 0 ] && [ -z "$made" ] && ls "$dir"/env/gpuxfer-results/gpuxfer-*up_x._0-*.json >/dev/null 2>&1
ok $? "SLURM_JOB_ID and SLURM_STEP_ID with '/', '..' and a newline: one report, in gpuxfer-results/, sanitised name" ||
    { echo "rc $rc; other files: $made"; find "$dir/env"; cat "$dir/env.out"; } | diag
rm -rf "$dir/env/gpuxfer-results"
(cd "$dir/env" || exit
    slurm_run 77 0 $host --iters 5 >"$dir/s1.out" 2>&1 &
    slurm_run 77 0 $host --iters 5 >"$dir/s2.out" 2>&1 &
    wait)
cnt=$(find "$dir/env/gpuxfer-results" -name 'gpuxfer-*-77.0-*.json' 2>/dev/null | wc -l)
[ "$cnt" -eq 2 ]
ok $? "two job steps with one job and step id in the same second: two reports (got $cnt)" ||
    cat "$dir/s1.out" "$dir/s2.out" | diag
(cd "$dir/env" && rm -rf gpuxfer-results && slurm_run "" 0 $host --iters 5 >"$dir/e.out" 2>&1)
cnt=$(find "$dir/env/gpuxfer-results" -name 'gpuxfer-*.json' 2>/dev/null | grep -c -- '-[0-9]*T[0-9]*Z-[0-9]*\.json$')
[ "$cnt" -eq 1 ]
ok $? "an empty SLURM_JOB_ID is no name part" || find "$dir/env" | diag


rm -rf "$dir"
done_testing
