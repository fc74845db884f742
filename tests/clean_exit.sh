#!/bin/sh
# A clean error under mpirun: every rank agrees on it, finalizes MPI and returns its
# code from main, so that stderr holds gpuxfer's one line and, after it, only Open MPI's short
# note that a process exited non-zero (11 lines in 4.1: docs/options.md, exit status), never
# the longer notice of MPI_Abort; mpirun exits with gpuxfer's code.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/clean_exit.XXXXXX")
args="--sizes 8 --iters 2 --pattern latency --quiet"

# clean NAME CODE: the run's stderr ($dir/NAME.err) as above for exit CODE.
clean() {
    grep -c '^gpuxfer: ' "$dir/$1.err" | grep -qx 1 && ! grep -qi 'MPI_ABORT' "$dir/$1.err" &&
        [ "$(wc -l <"$dir/$1.err")" -le 12 ] &&
        { ! grep -q '^mpirun detected that one or more processes exited' "$dir/$1.err" ||
          grep -Eq "^ +Exit code: +$2\$" "$dir/$1.err"; }
}

echo '{"kept": true}' >"$dir/taken.json"
gx_mpirun 2 $args --output "$dir/taken.json" >"$dir/taken.out" 2>"$dir/taken.err"
rc=$?
[ $rc -eq 2 ] && clean taken 2 && grep -q "^gpuxfer: --output: .*taken.json' exists" "$dir/taken.err"
ok $? "an existing --output under mpirun: exit 2, one line of gpuxfer's, no MPI_Abort notice (exit $rc, $(wc -l <"$dir/taken.err") lines)" ||
    diag <"$dir/taken.err"

# Nothing measured: a GPU path without a GPU (exit 7); where one measures, there is no error.
gx_mpirun 2 $args --path staged --output "$dir/none.json" >"$dir/none.out" 2>"$dir/none.err"
rc=$?
if [ $rc -eq 0 ]; then
    skip "a GPU path measured here: no run that measures nothing"
else
    [ $rc -eq 7 ] && clean none 7 && grep -q '^gpuxfer: nothing was measured' "$dir/none.err"
    ok $? "nothing measured under mpirun: exit 7, one line of gpuxfer's, no MPI_Abort notice (exit $rc, $(wc -l <"$dir/none.err") lines)" ||
        diag <"$dir/none.err"
fi

# Ctrl-C to mpirun: Open MPI passes it on to the ranks as SIGTERM, so the line names the signal
# the rank got and its sender, a launcher, without claiming who pressed or sent what (SIGINT to
# mpirun here; --foreground: to mpirun alone, as from a terminal).
timeout --foreground -k 10 600 "$MPIRUN" -np 2 $gx_mpirun_opts "$GPUXFER" $args --soak 590 \
    --output "$dir/int.json" >"$dir/int.out" 2>"$dir/int.err" &
pid=$!
while [ ! -s "$dir/int.json.jsonl" ] && kill -0 $pid 2>/dev/null; do sleep 0.1; done
kill -INT $pid
wait $pid
rc=$?
"$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d['status'] != 'interrupted' or d['exit_code'] != 5)" "$dir/int.json" &&
    grep -Eq "^gpuxfer: interrupted by SIGTERM( on rank [0-9]+)?( \(sent by (mpirun|orterun|prterun|mpiexec|orted|prted|hydra_pmi_proxy), pid [0-9]+: a launcher; mpirun sends it on Ctrl-C, Slurm on scancel and time limits\))?( during .*)?$" "$dir/int.err" &&
    ! grep -q 'SIGINT' "$dir/int.err"
ok $? "SIGINT to mpirun: the report interrupted, exit_code 5; the line names SIGTERM and a launcher (mpirun exit $rc)" ||
    diag <"$dir/int.err"

# The check itself fails on the notice MPI_Abort prints (a test that cannot fail proves nothing).
{ echo "gpuxfer: an error"; echo "MPI_ABORT was invoked on rank 0 in communicator MPI_COMM_WORLD"; } >"$dir/abort.err"
! clean abort 2
ok $? "the check tells MPI_Abort's notice from a clean exit"

rm -rf "$dir"
done_testing
