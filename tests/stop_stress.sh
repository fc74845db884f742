#!/bin/bash
# No folder, socket or segment of gpuxfer's is left after any
# documented stop (GX_STOP_SIGNALS, docs/reliability.md), sent to any rank at any moment from
# start-up (the rank's handlers in place) to the report, beside two busy loops this test starts
# (and always ends). Each try draws the rank and the moment anew; the runs alternate between the
# job sizes of GX_STOP_RANKS (default "2 8", the larger one oversubscribed) and every third is a
# soak (--soak), so that a stop lands in a later pass too. After each try:
#  - nothing in the run's own TMPDIR but the launcher's session folder (Open MPI's, not
#    gpuxfer's: listed, not counted), and no gpuxfer-* segment in the run's /dev/shm (a tmpfs of
#    its own in a mount namespace where that is allowed, so that no other job's segment counts),
#    and no temporary of the report's beside it;
#  - the exit status is the documented one: 5 with a report interrupted by that signal naming
#    that rank, or, where rank 0 had begun its final report first, the report's exit_code; with
#    no report (stopped before anything was measured) 5 and no .jsonl;
#  - the report and the .jsonl agree: its results are the .jsonl's lines (a soak's: its first
#    pass), and a soak's results_streamed and failures count the .jsonl's lines.
# GX_STOP_TRIES tries a signal (default 5, about 4 minutes on a 2-core machine beside its loops,
# 8 s a try; GX_STOP_TRIES=20, the issue's proof, about 16 minutes).
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/stop-stress.XXXXXX")
tries=${GX_STOP_TRIES:-5}
read -r -a counts <<<"${GX_STOP_RANKS:-2 8}"
args="--path host --pattern latency --sizes 8,64,512,4K --iters 10 --warmup 1 --quiet"
hogs=""
end_hogs() { for h in $hogs; do kill "$h" 2>/dev/null; done; }
trap end_hogs EXIT
trap 'exit 130' INT TERM HUP
for _ in 1 2; do
    sh -c 'while :; do :; done' &
    hogs="$hogs $!"
done

# A /dev/shm of the run's own: a tmpfs in a mount namespace (root; not in a container without
# CAP_SYS_ADMIN, as CI's). Without one the shared /dev/shm is compared before and after, a name
# that outlives the run by a moment counted as left unless another process holds it.
# GX_STOP_SHARED_SHM=1 takes the shared one where a namespace could be had.
if [ -z "${GX_STOP_SHARED_SHM:-}" ] &&
    unshare -m sh -c 'mount -t tmpfs -o size=256m tmpfs /dev/shm' 2>/dev/null; then
    ns=1
else
    ns=0
    echo "no mount namespace here: the shared /dev/shm compared before and after" | diag
fi

# launch NAME NP ARGS...: the job in the background (pid in $job), each rank's pid in
# $dir/pid.R (the shell exec's gpuxfer in place), TMPDIR $dir/tmp, its /dev/shm listed into
# $dir/NAME.shm at the end where it has its own. UCX_PROTO_INFO=y: UCX's log, a file of each
# rank's own (once a folder in TMPDIR), is among what a stop could leave.
launch() {
    local name=$1 np=$2
    shift 2
    rm -rf "$dir"/pid.* "$dir/tmp" "$dir/$name".*
    mkdir "$dir/tmp"
    # shellcheck disable=SC2016,SC2086
    set -- timeout --foreground -k 10 "${GX_TIMEOUT:-600}" "$MPIRUN" -np "$np" $gx_mpirun_opts \
        sh -c 'echo $$ >"$1/pid.${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-0}}"; shift; exec "$@"' sh \
        "$dir" "$GPUXFER" "$@" --output "$dir/$name.json"
    if [ $ns -eq 1 ]; then
        TMPDIR=$dir/tmp UCX_PROTO_INFO=y unshare -m sh -c 'mount -t tmpfs -o size=256m tmpfs /dev/shm || exit 90
            left=$1; shift; "$@"; rc=$?; ls -A /dev/shm >"$left"; exit $rc' launch \
            "$dir/$name.shm" "$@" >"$dir/$name.out" 2>&1 &
    else
        ls /dev/shm | grep '^gpuxfer-' | sort >"$dir/shm.before"
        TMPDIR=$dir/tmp UCX_PROTO_INFO=y "$@" >"$dir/$name.out" 2>&1 &
    fi
    job=$!
}

# caught PID SIG: the process is gpuxfer with its handler of SIG in place (SigCgt), the moment
# a stop is documented from.
caught() {
    local bit mask
    [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$GPUXFER")" ] || return 1
    bit=$(kill -l "$2") || return 1
    mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
    [ -n "$mask" ] && [ $((0x$mask >> (bit - 1) & 1)) -eq 1 ]
}

# What the run left: gpuxfer's (any name in TMPDIR but the launcher's session folder, a
# gpuxfer-* segment, a report's temporary beside it) in $left, the launcher's own in $theirs.
leftovers() {
    local name=$1 new
    theirs=$(ls -A "$dir/tmp" | grep -E '^(ompi\.|pmix|prte\.|openmpi-sessions)' | tr '\n' ' ')
    left=$(ls -A "$dir/tmp" | grep -vE '^(ompi\.|pmix|prte\.|openmpi-sessions)' | tr '\n' ' ')
    left="$left$(ls -A "$dir" | grep -F "$name.json.tmp" | tr '\n' ' ')"
    if [ $ns -eq 1 ]; then
        left="$left$(grep '^gpuxfer-' "$dir/$name.shm" | sed 's|^|/dev/shm/|' | tr '\n' ' ')"
    else
        new=$(ls /dev/shm | grep '^gpuxfer-' | sort | comm -13 "$dir/shm.before" -)
        [ -n "$new" ] && sleep 1 &&
            new=$(ls /dev/shm | grep '^gpuxfer-' | sort | comm -12 - <(echo "$new"))
        # This try's ranks have ended: a segment a live process still maps or holds open is
        # another job's (make -j runs other tests' jobs beside this one, under the sanitizers
        # too, whose segments live until their peer opens them).
        for n in $new; do
            grep -qsF "/dev/shm/$n" /proc/[0-9]*/maps ||
                find /proc/[0-9]*/fd -lname "/dev/shm/$n" 2>/dev/null | grep -q . ||
                left="$left/dev/shm/$n "
        done
    fi
}

# The run's length (mpirun's start to its end) of each job size and kind, beside the loops:
# the span the moments are drawn from (shortened to a run's own where one ends first).
declare -A span
for np in "${counts[@]}"; do
    for kind in run soak; do
        extra=""
        [ $kind = soak ] && extra="--soak 3"
        start=$(date +%s%N)
        # shellcheck disable=SC2086
        launch "span-$np-$kind" "$np" $args $extra
        wait "$job"
        rc=$?
        span[$np-$kind]=$((($(date +%s%N) - start) / 1000000))
        leftovers "span-$np-$kind"
        [ $rc -eq 0 ] && [ -z "$left" ]
        ok $? "$np ranks, a $kind without a signal: exit 0, nothing left ($rc, ${span[$np-$kind]} ms${left:+, left: $left})" ||
            diag <"$dir/span-$np-$kind.out"
    done
done

# check NAME SIG RANK SENT RC KIND: the try's report, .jsonl and exit status as documented.
check() {
    py_check "$dir/$1.json" "SIG$2" "$3" "$4" "$5" "$6" <<'PY'
import json, os, sys
path, sig, rank, sent, rc = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", int(sys.argv[5])
kind = sys.argv[6]
jsonl = path + ".jsonl"
if not os.path.exists(path):
    # Stopped before anything was measured: no report, and no .jsonl left (docs/reliability.md).
    assert sent, f"no report from a run no signal reached (exit {rc})"
    assert rc == 5, f"no report, exit {rc}, not 5"
    assert not os.path.exists(jsonl), "no report, but the .jsonl is there"
    print("stopped before anything was measured: no report, no .jsonl, exit 5")
    sys.exit(0)
with open(jsonl, encoding="utf-8") as f:
    text = f.read()
assert text == "" or text.endswith("\n"), "the .jsonl ends in a cut line"
lines = [json.loads(line) for line in text.splitlines()]
with open(path, encoding="utf-8") as f:
    d = json.load(f)
fail = d.get("failure") or {}
if d["status"] == "interrupted":
    assert sent, "interrupted, with no signal sent"
    assert rc == 5 and d["exit_code"] == 5, f"interrupted: exit {rc}, exit_code {d['exit_code']}"
    assert fail.get("kind") == "signal" and fail.get("signal") == sig, fail
    assert fail.get("ranks") == [rank], f"failure names ranks {fail.get('ranks')}, the signal went to {rank}"
else:
    # The final report was begun first (or no signal reached a rank): the report's answer.
    assert rc == d["exit_code"] or (d["exit_code"] == 0 and rc == 4), \
        f"exit {rc}, the report's exit_code {d['exit_code']} (status {d['status']})"
soak = d.get("soak")
# A soak's report is one from its first pass on, stopped there too.
assert (soak is not None) == (kind == "soak"), f"a {kind}'s report with soak section {soak}"
first = [l for l in lines if l.get("rotation", 1) == 1] if soak is not None else lines
assert d["results"] == first, \
    f"the report has {len(d['results'])} results, the .jsonl {len(first)} lines of its first pass"
if soak is not None:
    assert soak["results_streamed"] == len(lines), \
        f"soak.results_streamed {soak['results_streamed']}, the .jsonl {len(lines)} lines"
    bad = sum(1 for l in lines if l.get("status") in ("failed", "corrupted"))
    assert soak["failures"] == bad, f"soak.failures {soak['failures']}, the .jsonl {bad}"
print(f"status {d['status']}, exit {rc}, {len(d['results'])} results, {len(lines)} lines")
PY
}

sigs=$(sed -n 's/^#define GX_STOP_SIGNALS(X) //p' "$top_srcdir/src/base/gx.h" |
    sed 's/X(SIG\([A-Z0-9]*\))/\1/g')
for sig in $sigs; do
    pass=0 sent_n=0
    for i in $(seq 1 "$tries"); do
        np=${counts[$(((i - 1) % ${#counts[@]}))]}
        kind=run extra=""
        [ $((i % 3)) -eq 0 ] && kind=soak extra="--soak 3"
        rank=$((RANDOM % np))
        delay=$(((RANDOM * 32768 + RANDOM) % span[$np-$kind]))
        name=$sig-$i
        # shellcheck disable=SC2086
        launch "$name" "$np" $args $extra
        # From the moment the rank can take the signal: its pid known, gpuxfer with its handler.
        while kill -0 "$job" 2>/dev/null &&
            ! { [ -s "$dir/pid.$rank" ] && caught "$(cat "$dir/pid.$rank")" "$sig"; }; do
            sleep 0.02
        done
        caught_at=$(date +%s%N)
        sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
        sent=0
        [ -s "$dir/pid.$rank" ] && kill -0 "$job" 2>/dev/null &&
            kill -"$sig" "$(cat "$dir/pid.$rank")" 2>/dev/null && sent=1
        wait "$job"
        rc=$?
        sent_n=$((sent_n + sent))
        # A run that ended first was shorter than the span: the moments are drawn from its
        # length from then on (the span was measured beside other work).
        [ $sent -eq 1 ] || span[$np-$kind]=$(((($(date +%s%N) - caught_at) / 1000000) + 1))
        leftovers "$name"
        what="SIG$sig to rank $rank of $np ($kind), $delay ms in${theirs:+ (the launcher left $theirs)}"
        [ $sent -eq 1 ] || what="$what, not sent (the run had ended)"
        if check "$name" "$sig" "$rank" "$sent" "$rc" "$kind" && [ -z "$left" ]; then
            pass=$((pass + 1))
            echo "$what: passed" | diag
        else
            echo "$what: FAILED, exit $rc${left:+, left behind: $left}" | diag
            tail -n 20 "$dir/$name.out" | diag
        fi
    done
    [ "$pass" -eq "$tries" ]
    ok $? "SIG$sig to a random rank at a random moment beside two busy loops: $pass of $tries tries ($sent_n sent) as documented, nothing of gpuxfer's left in TMPDIR or /dev/shm"
done
[ "$failed" -eq 0 ] && rm -rf "$dir"
done_testing
