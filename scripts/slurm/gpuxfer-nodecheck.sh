#!/bin/bash
# gpuxfer-nodecheck.sh: `gpuxfer --check` on this node, as Slurm's Prolog, Epilog or
# HealthCheckProgram (slurm.conf), draining the node with the check's reason when it fails.
#
#   Prolog=/usr/local/share/gpuxfer/slurm/gpuxfer-nodecheck.sh      (or from a prolog of yours)
#   Epilog=/usr/local/share/gpuxfer/slurm/gpuxfer-nodecheck.sh
#   HealthCheckProgram=/usr/local/share/gpuxfer/slurm/gpuxfer-nodecheck.sh
#   HealthCheckInterval=3600
#   HealthCheckNodeState=IDLE      (the check takes every GPU of the node: never beside a job)
#
# What Slurm does with the exit status (slurm.conf(5), prolog_epilog.html), all three run by
# slurmd as root on the node:
#   Prolog              a non-zero exit drains the node and requeues the job (a batch job; an
#                       interactive one is cancelled);
#   Epilog              a non-zero exit drains the node;
#   HealthCheckProgram  its exit status is ignored: the program itself must drain the node, with
#                       scontrol update nodename=$(hostname -s) state=drain reason="...";
#                       slurmd kills it after 60 s (so the check's own limit here is 50 s).
# So this script drains the node itself on FAIL, in every role (the reason then says what was
# found, not only "Prolog error", which slurmd may set over it in the Prolog and Epilog roles),
# and then exits non-zero in the Prolog and Epilog roles, 0 as HealthCheckProgram.
#
# What gpuxfer --check says (docs/options.md): its last line on stdout is PASS or
# FAIL reason="..." (at most 80 characters of letters, digits, spaces and .,:/_+-), and its exit
# status 0 healthy, 8 unhealthy (1: data that did not match, also drained), 2 bad input, any
# other: it could not run (3 run-time failure, 4 timeout, 5 signal, 6 a rank lost, 7 no GPU).
#   PASS (0)              nothing is done; exit 0.
#   FAIL (8, 1)           drain with the reason; exit 1 (Prolog, Epilog), 0 (health check).
#   could not run         GX_NODECHECK_ON_ERROR=drain (the default): drain with the reason
#                         "gpuxfer could not run: ..." (gpuxfer's own, or the exit status, or
#                         "timed out"), as for FAIL: a GPU node on which no GPU answers, or MPI
#                         does not start, cannot run GPU jobs either. =ignore: said on stderr
#                         only, exit 0, for a site that would rather not drain on a broken
#                         install. A GPU count nvidia-smi cannot give is a could-not-run too.
#   bad input (2)         never drains (a wrong option here would drain every node): said on
#                         stderr and to syslog, exit 0. Fix the script's configuration.
#
# Variables (slurmd's environment, or set them at the top of a wrapper):
#   GX_NODECHECK_MODE     prolog, epilog or health; by default from SLURM_SCRIPT_CONTEXT
#                         (prolog_slurmd, epilog_slurmd), else health; or the first argument
#   GX_NODECHECK_NP       ranks, one per GPU (default: the GPUs `nvidia-smi -L` lists)
#   GX_NODECHECK_EXPECT   the GPUs the node has (gres.conf's count): fewer listed is a FAIL,
#                         drained "gpuxfer-nodecheck: N of M GPUs listed", before any check (a
#                         GPU fallen off the bus is no pair of the map; default: not checked)
#   GX_NODECHECK_GPUXFER  the gpuxfer program (default: gpuxfer on PATH)
#   GX_NODECHECK_EXPECTATIONS  an expectations file, passed as --expect FILE (default: none)
#   GX_NODECHECK_LAUNCH   the launcher before the program (default: mpirun -np NP --bind-to none)
#   GX_NODECHECK_DIR      folder of the report and the log (default /var/tmp/gpuxfer-nodecheck)
#   GX_NODECHECK_TIMEOUT  seconds before the check is stopped, a could-not-run (default 50 as
#                         HealthCheckProgram, before slurmd's kill at 60 s; 180 as Prolog or
#                         Epilog); the check's plan is within 60 s, 3 s estimated on 8 GPUs and
#                         11 s on 16 (gpuxfer --check --dry-run says it for a node)
#   GX_NODECHECK_ON_ERROR drain (default) or ignore: a check that could not run
#   GX_NODECHECK_DRYRUN   1: print the scontrol command instead of running it (a test, or a try
#                         on a login node)
set -u

me="gpuxfer-nodecheck"
mode=${1:-${GX_NODECHECK_MODE:-}}
if [ -z "$mode" ]; then
    case ${SLURM_SCRIPT_CONTEXT:-} in
        prolog_slurmd) mode=prolog ;;
        epilog_slurmd) mode=epilog ;;
        *) mode=health ;;
    esac
fi
case $mode in
    prolog|epilog|health) ;;
    *) echo "$me: mode '$mode': expected prolog, epilog or health" >&2; exit 0 ;;
esac
node=$(hostname -s)
dir=${GX_NODECHECK_DIR:-/var/tmp/gpuxfer-nodecheck}
gpuxfer=${GX_NODECHECK_GPUXFER:-gpuxfer}
on_error=${GX_NODECHECK_ON_ERROR:-drain}
if [ "$mode" = health ]; then limit=${GX_NODECHECK_TIMEOUT:-50}; else limit=${GX_NODECHECK_TIMEOUT:-180}; fi

say() { # a line on stderr (slurmd's log) and to syslog where logger is
    echo "$me: $*" >&2
    command -v logger >/dev/null 2>&1 && logger -t "$me" -- "$*" 2>/dev/null
    return 0
}

# The failing exit status of the role: the Prolog's and Epilog's make Slurm drain (and requeue),
# the health check's is ignored.
failed() { [ "$mode" = health ] && exit 0; exit 1; }

# drain REASON: the node drained with REASON, made safe again here (gpuxfer's reason already is;
# a reason this script makes from an exit status too), or the command printed in the dry mode.
drain() {
    local reason
    reason=$(printf '%s' "$1" | tr -c 'A-Za-z0-9 .,:/_+-' ' ' | tr -s ' ' | cut -c1-80 |
             sed 's/ *$//')
    say "draining $node: $reason"
    if [ "${GX_NODECHECK_DRYRUN:-0}" = 1 ]; then
        echo "scontrol update nodename=$node state=drain reason=\"$reason\""
        return 0
    fi
    scontrol update nodename="$node" state=drain reason="$reason" ||
        say "scontrol update nodename=$node state=drain failed"
}

could_not_run() { # could_not_run WHY: drained or only said, as GX_NODECHECK_ON_ERROR asks
    if [ "$on_error" = ignore ]; then
        say "$1 (GX_NODECHECK_ON_ERROR=ignore: not drained)"
        exit 0
    fi
    drain "$1"
    failed
}

np=${GX_NODECHECK_NP:-}
if [ -z "$np" ]; then
    np=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
    [ "${np:-0}" -gt 0 ] || could_not_run "gpuxfer could not run: nvidia-smi lists no GPU"
fi
case $np in
    ''|*[!0-9]*) say "GX_NODECHECK_NP '$np': not a number (bad input, not drained)"; exit 0 ;;
esac
expect=${GX_NODECHECK_EXPECT:-}
case $expect in
    '') ;;
    *[!0-9]*) say "GX_NODECHECK_EXPECT '$expect': not a number (bad input, not drained)"; exit 0 ;;
    *)
        if [ "$np" -lt "$expect" ]; then
            drain "gpuxfer-nodecheck: $np of $expect GPUs listed"
            failed
        fi ;;
esac
if ! mkdir -p "$dir" 2>/dev/null; then
    could_not_run "gpuxfer could not run: cannot make $dir"
fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)-$$
log=$dir/check-$node-$stamp.log
# slurmd runs this as root, and Open MPI's mpirun refuses root unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# shellcheck disable=SC2086
timeout -k 10 "$limit" ${GX_NODECHECK_LAUNCH:-mpirun -np "$np" --bind-to none} "$gpuxfer" \
    --check --quiet --output "$dir/check-$node-$stamp.json" \
    ${GX_NODECHECK_EXPECTATIONS:+--expect "$GX_NODECHECK_EXPECTATIONS"} >"$log" 2>"$log.err"
rc=$?
verdict=$(tail -n 1 "$log" 2>/dev/null)
reason=$(printf '%s\n' "$verdict" | sed -n 's/^FAIL reason="\([^"]*\)"$/\1/p')
case $rc in
    0)
        if [ "$verdict" = PASS ]; then
            say "PASS ($log)"
            exit 0
        fi
        could_not_run "gpuxfer could not run: exit 0 without PASS" ;;
    8|1)
        drain "${reason:-gpuxfer: unhealthy, exit $rc}"
        failed ;;
    2)
        say "bad input (not drained): $(head -n 1 "$log.err")"
        exit 0 ;;
    124|137)
        could_not_run "gpuxfer could not run: timed out after $limit s" ;;
    *)
        could_not_run "${reason:-gpuxfer could not run: exit $rc}" ;;
esac
