#!/bin/sh
# scripts/gpuxfer-report soak on host memory: a leak-free soak passes, a soak too short to compare
# passes says so, a corrupted transfer fails the run, bad usage is exit 2.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/soak.XXXXXX")
soak() { # OUTDIR ARGS...: the script under a time limit, with this build and mpirun
    _o=$1; shift
    GPUXFER="$GPUXFER" MPIRUN="$MPIRUN" \
        MPIRUN_ARGS="$gx_mpirun_opts" \
        timeout -k 10 600 "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" soak -n 2 -o "$_o" "$@" \
        >"$_o.txt" 2>&1
}
show() { tail -n 15 "$1.txt" | diag; }

# Under ASan (the sanitizer suite's inner check) freed memory sits in its quarantine (256 MiB by
# default) before it is reused, so host memory may rise without a leak: a wider tolerance there.
tol=2
[ -z "${GX_INNER_CHECK:-}" ] || tol=512
# The soak's warm-up ends when pass 2 starts, counted from the script's own start (mpirun's
# start-up in it: 18 s where the load average was 20, and a soak of 15 s then had no window
# after it to compare), and the windows it compares are as long: 60 s leaves room for both.
soak "$dir/ok" -d 60 -i 1 --host-tol $tol -- --path host --sizes 8,64K --iters 20 --ceilings off
rc=$?
[ $rc -eq 0 ] && grep -q '^verdict: PASS' "$dir/ok.txt" && grep -q '^rank 0: ok ' "$dir/ok.txt" &&
    grep -q '^rank 1: ok ' "$dir/ok.txt"
ok $? "60 s of small host transfers: every rank ok, verdict PASS, exit 0 (exit $rc)" || show "$dir/ok"
"$PYTHON" - "$dir/ok/samples.tsv" "$dir/ok/report.json" <<'PY'
import json, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()[1:]]
times = sorted({float(r[0]) for r in rows})
soak = json.load(open(sys.argv[2]))["soak"]
# RSS's parts (anonymous, files, shared) in every row, where a rank's growth would be.
parts = all(len(r) == 9 and all(x.isdigit() for x in r[6:9]) for r in rows)
ok = {r[1] for r in rows} == {"0", "1"} and len(times) >= 5 and times[-1] > 5 and soak["rotations"] >= 3 and parts
sys.exit(0 if ok else 1)
PY
ok $? "samples of both ranks over the whole run, timestamps rising, RSS's parts in each; the report counts the passes"

# A pass that outlasts the 1 s soak on any machine: rank 0 sleeps 20-60 ms before each of 40
# iterations (the slow fault), where 3000 round trips of 1M outlasted their --timeout beside
# other jobs (exit 4 after 157 s, not the verdict asked). --timeout for a hang alone.
GPUXFER_FAULT=slow:rank=0:size=8 soak "$dir/short" -d 1 -i 1 -- --path host --pattern latency \
    --sizes 8 --iters 40 --window 1 --timeout 300 --ceilings off
rc=$?
[ $rc -eq 1 ] && grep -q '^verdict: TOO SHORT' "$dir/short.txt"
ok $? "fewer than 3 passes: TOO SHORT, exit 1, no leak verdict (exit $rc)" || show "$dir/short"

GPUXFER_FAULT=corrupt:rank=1:size=4K soak "$dir/bad" -d 4 -i 1 -- --path host --sizes 8,4K \
    --iters 20 --ceilings off
rc=$?
[ $rc -eq 1 ] && grep -q '^verdict: FAIL (the run failed' "$dir/bad.txt"
ok $? "a corrupted transfer: the run failed, verdict FAIL, exit 1 (exit $rc)" || show "$dir/bad"

# The ranks are found by the program's own name: a copy named otherwise is sampled; a wrapper
# that execs a program of a third name leaves the ranks unwatched, which is a FAIL, never a PASS.
cp "$GPUXFER" "$dir/gx-copy" && printf '#!/bin/sh\nexec "%s" "$@"\n' "$dir/gx-copy" >"$dir/gx-wrap" &&
    chmod +x "$dir/gx-wrap"
GPUXFER="$dir/gx-copy" soak "$dir/copy" -d 4 -i 1 -- --path host --sizes 8 --iters 20 --ceilings off
rc=$?
cut -f2 "$dir/copy/samples.tsv" | sed 1d | sort -u | tr '\n' ' ' | grep -qx '0 1 ' &&
    ! grep -q 'never sampled\|^ranks not sampled' "$dir/copy.txt"
ok $? "a copy of gpuxfer named gx-copy: both ranks sampled (exit $rc)" || show "$dir/copy"
GPUXFER="$dir/gx-wrap" soak "$dir/wrap" -d 4 -i 1 -- --path host --sizes 8 --iters 20 --ceilings off
rc=$?
[ $rc -eq 1 ] && grep -q '^verdict: FAIL (rank(s) 0,1 never sampled' "$dir/wrap.txt"
ok $? "a wrapper execing gx-copy: ranks 0,1 never sampled, verdict FAIL, exit 1 (exit $rc)" ||
    show "$dir/wrap"

# The soak as a Unix program: a launcher of several words; one that cannot start is said as a
# failed launch with its error, not as ranks never sampled; stdout closed or full is exit 3 with
# one line, as every tool's, not a verdict's status.
MPIRUN="$MPIRUN --oversubscribe" soak "$dir/words" -d 4 -i 1 -- --path host --sizes 8 --iters 20 \
    --ceilings off
rc=$?
cut -f2 "$dir/words/samples.tsv" | sed 1d | sort -u | tr '\n' ' ' | grep -qx '0 1 '
ok $? "MPIRUN of two words ($MPIRUN --oversubscribe): both ranks sampled (exit $rc)" ||
    show "$dir/words"
MPIRUN="gx-no-such-launcher --np" soak "$dir/nolaunch" -d 4 -i 1 -- --path host --sizes 8
rc=$?
[ $rc -eq 1 ] && grep -q '^verdict: FAIL (the launch failed: gx-no-such-launcher --np exited 127' \
    "$dir/nolaunch.txt" && tr -d ' \n' <"$dir/nolaunch.txt" | grep -q 'gx-no-such-launcher:commandnotfound'
ok $? "a launcher that cannot start: the launch failed, its error shown, exit 1 (exit $rc)" ||
    show "$dir/nolaunch"
# A launcher of several words that starts and then fails (an option it does not know): the
# launch failed, with the launcher's own error, and no table of ranks "not sampled" before it.
MPIRUN="$MPIRUN --gx-no-such-option" soak "$dir/badopt" -d 4 -i 1 -- --path host --sizes 8
rc=$?
[ $rc -eq 1 ] && grep -q "^verdict: FAIL (the launch failed: $MPIRUN --gx-no-such-option exited" \
    "$dir/badopt.txt" && grep -q 'gx-no-such-option' "$dir/badopt.txt" &&
    ! grep -q 'not sampled\|never sampled' "$dir/badopt.txt"
ok $? "a launcher that starts and refuses its options: the launch failed, its error, exit 1 (exit $rc)" ||
    show "$dir/badopt"
# What the script quotes on stdout or stderr (an argument, a launcher's errors) reaches the
# terminal without control characters, as every tool's output; its own errors on stderr show
# them escaped (\xHH), as every tool's errors do.
printf '#!/bin/sh\nprintf "bad \\033]0;TITLE\\007\\033[2J launcher\\n" >&2; exit 4\n' >"$dir/esc.sh"
chmod +x "$dir/esc.sh"
MPIRUN="$dir/esc.sh --x" soak "$dir/esc" -d 4 -i 1 -- --path host --sizes 8
rc=$?
gx_report soak "$(printf 'x\033[2J\233')" >>"$dir/esc.txt" 2>&1
rc2=$?
[ $rc -eq 1 ] && [ $rc2 -eq 2 ] && grep -q 'bad  *launcher' "$dir/esc.txt" &&
    grep -qF "unknown argument 'x\x1b[2J\x9b'" "$dir/esc.txt" &&
    ! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177\233]')" "$dir/esc.txt"
ok $? "escapes from the launcher and an argument: none printed, the argument escaped (exit $rc, $rc2)" ||
    show "$dir/esc"
gx_report soak -d 4 -o "$dir/closed" >&- 2>"$dir/closed.err"
rc=$?
[ $rc -eq 3 ] && [ "$(wc -l <"$dir/closed.err")" -eq 1 ] &&
    grep -q '^gpuxfer-report soak: cannot write stdout: Bad file descriptor' "$dir/closed.err" &&
    [ ! -e "$dir/closed/report.json" ]
ok $? "stdout closed: exit 3 (got $rc), one line, before any run" || diag <"$dir/closed.err"
GPUXFER="$GPUXFER" MPIRUN="$MPIRUN" MPIRUN_ARGS="$gx_mpirun_opts" timeout -k 10 300 "$PYTHON" \
    "$top_srcdir/scripts/gpuxfer-report" soak -n 2 -d 3 -i 1 -o "$dir/full" -- --path host \
    --sizes 8 --iters 20 --ceilings off >/dev/full 2>"$dir/full.err"
rc=$?
[ $rc -eq 3 ] && [ "$(wc -l <"$dir/full.err")" -eq 1 ] &&
    grep -q '^gpuxfer-report soak: cannot write stdout: No space left on device' "$dir/full.err"
ok $? "stdout full: exit 3 (got $rc), one line" || diag <"$dir/full.err"

gx_report soak -n 1 -d 5 -o "$dir/usage" >"$dir/usage.txt" 2>&1
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$dir/usage.txt")" -eq 1 ] &&
    grep -q "^gpuxfer-report soak: -n '1' is out of range (expected a number of ranks: 2..999999999)$" \
        "$dir/usage.txt"
ok $? "one rank: one-line usage error with the range, exit 2 (exit $rc)" || diag <"$dir/usage.txt"
# Every number of the soak's, beyond what the shell's test(1) reads too: one line naming the
# option, the value and its range, before anything runs.
for a in "-n 99999999999999999999" "-d 0" "-i x" "--host-tol 99999999999999999999" "--gpu-tol -1"; do
    # shellcheck disable=SC2086
    gx_report soak $a -o "$dir/range" >"$dir/usage.txt" 2>&1
    rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$dir/usage.txt")" -eq 1 ] &&
        grep -q "^gpuxfer-report soak: ${a%% *} '${a#* }' is .*(expected .*: [0-9]*\.\.999999999)$" \
            "$dir/usage.txt" && [ ! -e "$dir/range" ]
    ok $? "soak $a: one line with the range, exit 2 (exit $rc)" || diag <"$dir/usage.txt"
done
rm -rf "$dir"
done_testing
