# TAP helpers for the shell tests. Source it; then use ok/skip and finish with done_testing.
set -u
: "${GPUXFER:?}" "${MPIRUN:=mpirun}" "${PYTHON:=python3}" "${top_srcdir:?}" "${TEST_TMP:=/tmp/gpuxfer-tests}"
n=0
failed=0
ok() { # ok COND-EXIT-STATUS DESCRIPTION
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
skip() { n=$((n + 1)); echo "ok $n - # SKIP $1"; }
done_testing() { echo "1..$n"; [ "$failed" -eq 0 ]; }
diag() { sed 's/^/# /'; }

# Runs gpuxfer under mpirun with a time limit, so that a hang fails the test instead of CI.
gx_mpirun() { # gx_mpirun NP [mpirun args --] gpuxfer args...
    local np=$1; shift
    timeout -k 10 "${GX_TIMEOUT:-180}" "$MPIRUN" -np "$np" --oversubscribe --bind-to none \
        --mca btl self,vader,tcp "$GPUXFER" "$@"
}

# gx_mpirun_table FILE NP gpuxfer args...: as gx_mpirun, but rank 0 writes its stdout (the
# table) straight into FILE, not through mpirun's output forwarding, and the other ranks' stdout
# goes to FILE.rank-N; so that a table assertion sees what gpuxfer printed, nothing interleaved.
gx_mpirun_table() {
    local file=$1; shift
    local np=$1; shift
    timeout -k 10 "${GX_TIMEOUT:-180}" "$MPIRUN" -np "$np" --oversubscribe --bind-to none \
        --mca btl self,vader,tcp sh -c \
        'r=${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-0}}; f=$1; shift
         [ "$r" -eq 0 ] || f=$f.rank-$r
         exec "$@" >"$f"' gx_mpirun_table "$file" "$GPUXFER" "$@"
}

# Validates a report; its problems go to the TAP log as diagnostics, its status is returned.
check_report() {
    "$PYTHON" "$top_srcdir/tests/check_report.py" "$@" >"$TEST_TMP/check_report.$$" 2>&1
    _rc=$?
    diag <"$TEST_TMP/check_report.$$"
    rm -f "$TEST_TMP/check_report.$$"
    return $_rc
}

mkdir -p "$TEST_TMP"
