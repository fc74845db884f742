# TAP helpers for the shell tests. Source it; then use ok/skip and finish with done_testing.
set -u
# gx_report SUBCOMMAND ARGS...: the source tree's gpuxfer-report, run by the tests' Python.
gx_report() { "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" "$@"; }
: "${GPUXFER:?}" "${MPIRUN:=mpirun}" "${PYTHON:=python3}" "${top_srcdir:?}" "${TEST_TMP:=/tmp/gpuxfer-tests}"
n=0
failed=0
ok() { # ok COND-EXIT-STATUS DESCRIPTION; returns the condition's status, for "ok ... || show"
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; return 0; fi
    echo "not ok $n - $2"
    failed=$((failed + 1))
    return 1
}
skip() { n=$((n + 1)); echo "ok $n - # SKIP $1"; }
done_testing() { echo "1..$n"; rm -rf "$gx_ompi_test_tmpdir"; [ "$failed" -eq 0 ]; }
diag() { sed 's/^/# /'; }

# mpirun's options for the tests: any number of ranks on any cores; ranks that poll yield the
# core, since make -j runs many jobs at once (without it, one ping-pong on a loaded machine can
# take a scheduler time slice). Without a GPU, shared memory or TCP. With one, no btl list: the
# MPI library picks its CUDA-aware transports as it would for a user (that list leaves Open
# MPI's smcuda out, and ob1 then moved device buffers through host memory at 0.34 GB/s where
# smcuda moved 143). GX_MPIRUN_OPTS replaces them.
if nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    gx_mpirun_default="--oversubscribe --bind-to none --mca mpi_yield_when_idle 1"
else
    gx_mpirun_default="--oversubscribe --bind-to none --mca btl self,vader,tcp --mca mpi_yield_when_idle 1"
fi
gx_mpirun_opts=${GX_MPIRUN_OPTS-$gx_mpirun_default}

# Open MPI 4 keeps one session folder per user and host, which every mpirun shares, and a job
# that ends removes it once it looks empty, while another may be starting inside it (the other
# fails to start: "A call to mkdir was unable to create the desired directory", or "File
# exists"; open-mpi/ompi#8510). The tests run jobs side by side (make -j, and a few at once
# within a test): each gx_mpirun (and gx_mpirun_table) gets a folder of its own, a test's other
# mpiruns one of the test's, removed by done_testing. Short paths, in /tmp as Open MPI's own, and
# open to every user as /tmp is (a test may run an MPI program as nobody: tests/easybuild.sh).
gx_ompi_tmpdir() {
    local d
    d=$(mktemp -d /tmp/gx-ompi.XXXXXX) && chmod 1777 "$d" && echo "$d"
}
OMPI_MCA_orte_tmpdir_base=$(gx_ompi_tmpdir) || exit 1
export OMPI_MCA_orte_tmpdir_base
gx_ompi_test_tmpdir=$OMPI_MCA_orte_tmpdir_base
# gx_own_session CMD ARGS...: CMD (a launcher) with a session folder of its own; its exit status.
gx_own_session() {
    local base rc
    base=$(gx_ompi_tmpdir) || return 1
    OMPI_MCA_orte_tmpdir_base=$base "$@"
    rc=$?
    rm -rf "$base"
    return $rc
}

# Runs gpuxfer under mpirun with a time limit, so that a hang fails the test instead of CI. The
# limit is for hangs alone, never for speed: 10 minutes, far beyond any of the tests' runs on a
# 2-core machine beside other jobs (where a ceiling probe once took 180 s, and every round trip
# waits for a time slice). Each test's own limits on mpirun are the same.
gx_mpirun() { # gx_mpirun NP gpuxfer args...
    local np=$1; shift
    # shellcheck disable=SC2086
    gx_own_session timeout -k 10 "${GX_TIMEOUT:-600}" "$MPIRUN" -np "$np" $gx_mpirun_opts \
        "$GPUXFER" "$@"
}

# gx_mpirun_table FILE NP gpuxfer args...: as gx_mpirun, but rank 0 writes its stdout (the
# table) straight into FILE, not through mpirun's output forwarding, and the other ranks' stdout
# goes to FILE.rank-N; so that a table assertion sees what gpuxfer printed, nothing interleaved.
gx_mpirun_table() {
    local file=$1 np=$2; shift 2
    # shellcheck disable=SC2086
    gx_own_session timeout -k 10 "${GX_TIMEOUT:-600}" "$MPIRUN" -np "$np" $gx_mpirun_opts sh -c \
        'r=${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-${PMI_RANK:-0}}}; f=$1; shift
         [ "$r" -eq 0 ] || f=$f.rank-$r
         exec "$@" >"$f"' gx_mpirun_table "$file" "$GPUXFER" "$@"
}

# Runs a check; what it prints goes to the TAP log as diagnostics and its own exit status is
# returned (a pipe into diag would return diag's).
run_diag() {
    "$@" >"$TEST_TMP/run_diag.$$" 2>&1
    _rc=$?
    diag <"$TEST_TMP/run_diag.$$"
    rm -f "$TEST_TMP/run_diag.$$"
    return $_rc
}
# Validates a report against the schema and the test's expectations.
check_report() { run_diag "$PYTHON" "$top_srcdir/tests/check_report.py" "$@"; }
# py_check ARGS... <<'PY' ... PY: a Python check read from stdin.
py_check() { run_diag "$PYTHON" - "$@"; }
# ok_diag STATUS FILE DESCRIPTION: ok, then FILE as diagnostics where it failed (a pipe into diag
# would hide the status).
ok_diag() { r=$1; f=$2; shift 2; ok "$r" "$*"; [ "$r" -eq 0 ] || diag <"$f"; }
# compare's table rows past 100 columns go on below after 8 spaces (a row itself starts with a
# number): each row whole again, for a grep of a row.
unwrap_rows() {
    awk 'NR > 1 && /^        [^ 0-9]/ { sub(/^ +/, " "); printf "%s", $0; next }
         NR > 1 { print "" } { printf "%s", $0 } END { if (NR) print "" }' "$1"
}
# A "# " note wrapped at 100 columns goes on in lines of "#" and 3 spaces or more: each note one
# line again (a long path may be cut inside a word: compare such lines with spaces removed).
unwrap_notes() {
    awk 'NR > 1 && /^#   / { sub(/^# +/, " "); printf "%s", $0; next }
         NR > 1 { print "" } { printf "%s", $0 } END { if (NR) print "" }' "$1"
}
# The report tools wrap a message at 100 columns, a continuation line indented: one line each
# again (joined at the space the wrap took), for a grep of a whole message.
unwrap() {
    awk 'NR > 1 && /^  / { sub(/^ +/, " "); printf "%s", $0; next }
         NR > 1 { print "" } { printf "%s", $0 } END { if (NR) print "" }' "$1"
}
# png_fits PNG DESCRIBED MAX_W MAX_H: a plot's PNG (DESCRIBED: its --describe) at most MAX_W x
# MAX_H pixels, with heatmaps, each colour bar clear of the other heatmaps.
png_fits() {
    py_check "$@" <<'PY'
import json, struct, sys
png, described, max_w, max_h = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(png, "rb") as f:
    w, h = struct.unpack(">II", f.read(24)[16:24])
d = json.load(open(described))
print(f"{png}: {w} x {h} pixels, {len(d['heatmaps'])} heatmaps")
assert w <= max_w and h <= max_h, (w, h)
assert d["heatmaps"] and all(m["colorbar_clear"] for m in d["heatmaps"]), d["heatmaps"]
PY
}

mkdir -p "$TEST_TMP"

# Ends a test that cannot run here: one skip with the reason, the plan, exit 0.
finish_skip() { skip "$1"; done_testing; exit; }

# emu_test_hosts N NAME: a test's emulated hosts (dev/emuhosts.sh, with EMU_RAILS as set):
# N hosts that reach each other, removed when the test exits, the test's files in $dir
# (TEST_TMP/NAME.XXXXXX). Where they cannot be built (not root, no iproute2 or util-linux, no
# namespaces) or cannot reach each other, the test is skipped with the reason.
emu_test_hosts() {
    local p h
    [ "$(id -u)" -eq 0 ] || finish_skip "not root: network namespaces need root"
    for p in ip tc unshare nsenter; do
        command -v $p >/dev/null || finish_skip "$p missing (apt-get install iproute2 util-linux)"
    done
    dir=$(mktemp -d "$TEST_TMP/$2.XXXXXX")
    EMU_DIR=$dir
    # shellcheck source=dev/emuhosts.sh
    . "$top_srcdir/dev/emuhosts.sh"
    trap emu_cleanup EXIT
    trap 'exit 1' INT TERM
    emu_setup "$1" 2>"$dir/err" || finish_skip "cannot build the emulated hosts: $(head -n 1 "$dir/err")"
    for h in "${EMU_HOSTS[@]:1}"; do
        emu_reach h1 "$h" >"$dir/reach" 2>&1
        [ $? -ne 1 ] || finish_skip "the namespaces cannot reach each other over the bridge: $(cat "$dir/reach")"
    done
}

# The run the signal tests interrupt: short steps, then one slowed on rank 0 (4 KiB, 1-3 s an
# iteration: 20 s at least) that outlasts any signal's handling, so that a signal sent once the
# first result has streamed lands within a measurement at any load.
gx_signal_args="--path host --pattern latency --sizes 8,64,512,4K --iters 10 --warmup 1 --quiet"
gx_signal_fault=slow:rank=0:size=4K:ms=1000
# gx_signal_run DIR NAME SIGNAL RANK DELAY_MS gpuxfer-args...: two ranks writing DIR/NAME.json;
# once the first result is in DIR/NAME.json.jsonl, DELAY_MS later, SIGNAL goes to RANK. The wait
# is on that event, however loaded the machine, bounded only by the run's own limit (GX_TIMEOUT,
# default 600 s here: a first result took 170 s beside two busy loops with 20000 iterations).
# Sets rc (mpirun's status) and sent (1: the signal reached a live rank).
gx_signal_run() {
    local d=$1 name=$2 sig=$3 rank=$4 delay=$5 p
    shift 5
    rm -f "$d"/pid.*
    # shellcheck disable=SC2086
    timeout --foreground -k 10 "${GX_TIMEOUT:-600}" "$MPIRUN" -np 2 $gx_mpirun_opts sh -c \
        'echo $$ >"$1/pid.${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-0}}"; shift; exec "$@"' sh "$d" \
        "$GPUXFER" "$@" --output "$d/$name.json" >"$d/$name.out" 2>&1 &
    p=$!
    while [ ! -s "$d/$name.json.jsonl" ] && kill -0 "$p" 2>/dev/null; do sleep 0.05; done
    sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
    sent=0
    [ -s "$d/pid.$rank" ] && kill -"$sig" "$(cat "$d/pid.$rank")" 2>/dev/null && sent=1
    wait "$p"
    rc=$?
}
# gx_signal_check REPORT SIGNAL RANK: after gx_signal_run, the promise of the signal table: exit
# 5, the report interrupted naming the signal and the rank, and its results exactly the .jsonl's
# lines, at least the one streamed before the signal.
gx_signal_check() {
    [ "$sent" -eq 1 ] && [ "$rc" -eq 5 ] &&
        run_diag "$PYTHON" "$top_srcdir/tests/check_signal.py" "$1" "SIG$2" "$3" "$rc"
}
