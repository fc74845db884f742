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
#                       slurmd kills it 60 s after its start.
# So this script drains the node itself for what the node did, in every role (the reason then
# says what was found, not only "Prolog error", which slurmd may set over it in the Prolog and
# Epilog roles), and then exits 1 in the Prolog and Epilog roles, 0 as HealthCheckProgram.
#
# What gpuxfer --check says (docs/options.md): its last line on stdout is PASS or
# FAIL reason="..." (at most 80 characters of letters, digits, spaces and .,:/_+-), and its exit
# status 0 healthy, 8 unhealthy (1: data that did not match, also drained), 2 bad input, any
# other: it could not run (3 run-time failure, 4 timeout, 5 signal, 6 a rank lost, 7 no GPU).
#   PASS (0)              nothing is done; exit 0.
#   FAIL (8, 1)           drain with the reason; exit 1 (Prolog, Epilog), 0 (health check).
#   could not run         GX_NODECHECK_ON_ERROR=drain (the default): drain with the reason
#                         "gpuxfer could not run: ..." (gpuxfer's own, or the exit status, or
#                         "stopped at N s"), as for FAIL: a GPU node on which no GPU answers,
#                         or MPI does not start, cannot run GPU jobs either. =ignore: said only,
#                         exit 0. Also: the launcher, which started `true` in gpuxfer's place a
#                         moment before, ends without gpuxfer's verdict; nvidia-smi is missing,
#                         lists no GPU or does not answer; the check past its time.
#   not checked           never drains, whatever GX_NODECHECK_ON_ERROR says: an error of this
#                         script's settings, of the launcher's arguments (it cannot start
#                         `true` in gpuxfer's place: too few slots, an unknown option),
#                         gpuxfer's bad input (2), a folder for the runs or a program that is
#                         not root's alone, no room for a run (in the folder or /dev/shm, before
#                         the check or after one without a verdict), another check running, a
#                         host name that is no host name, 1 GPU listed, the launcher exiting 0
#                         without a verdict. All would be the same on every node (or be one an
#                         unprivileged user could cause): said on stderr and to syslog (logger,
#                         priority user.err); exit 2 as HealthCheckProgram (slurmd ignores it),
#                         0 in the Prolog and Epilog roles (slurmd drains on any other).
#
# Time: as HealthCheckProgram everything ends before slurmd's kill. The check (nvidia-smi, the
# launcher's trial and gpuxfer) is stopped GX_NODECHECK_TIMEOUT s after the script's start
# (at most and by default 35): SIGTERM to its whole session, SIGKILL 5 s later, and after 2 s
# more the script drains without waiting for it (a process stuck in the kernel); scontrol has
# 4 s and SIGKILL 1 s later, logger 1 s. In the Prolog and Epilog roles the same with 10 s
# between SIGTERM and SIGKILL.
#
# Root writes only in a folder that is root's alone: GX_NODECHECK_DIR, each folder on the way
# to it and each link followed must be root's (or this script's user's) and writable by no one
# else (a sticky folder such as /tmp on the way only); one made here is made 0700. Each run
# writes in a new folder of its own there, and the launcher's and gpuxfer's temporary files
# (TMPDIR, Open MPI's session folder) go into it, not into /tmp, Open MPI's shared memory files
# into a new folder of the run's in /dev/shm (mktemp's). The programs root runs
# (gpuxfer, the launcher, nvidia-smi, scontrol) must be files only root can replace, found on a
# PATH without its relative entries (slurmd sets no PATH: bash's default ends in "."). The
# node's newest 50 runs are kept; its lock there lets one check run at a time.
#
# Variables (slurmd's environment, or set them at the top of a wrapper; an empty one is unset;
# any other GX_NODECHECK_ name is an error, a typo):
#   GX_NODECHECK_MODE     prolog, epilog or health; by default from SLURM_SCRIPT_CONTEXT
#                         (prolog_slurmd, epilog_slurmd; unset: health); or the first argument
#   GX_NODECHECK_NP       ranks, one per GPU, 2 to 1024 (default: the GPUs `nvidia-smi -L` lists)
#   GX_NODECHECK_EXPECT   the GPUs the node has (gres.conf's count), 1 to 1024: fewer listed by
#                         nvidia-smi is a FAIL, drained "gpuxfer-nodecheck: N of M GPUs listed",
#                         before any check (a GPU fallen off the bus is no pair of the map;
#                         default: not checked)
#   GX_NODECHECK_GPUXFER  the gpuxfer program (default: gpuxfer on PATH)
#   GX_NODECHECK_EXPECTATIONS  an expectations file, passed as --expect FILE (default: none)
#   GX_NODECHECK_LAUNCH   the launcher before the program (default: mpirun -np NP --bind-to none)
#   GX_NODECHECK_DIR      folder of the runs' reports and logs (default /var/lib/gpuxfer-nodecheck)
#   GX_NODECHECK_TIMEOUT  seconds from the script's start until the check is stopped, a
#                         could-not-run: 1 to 35 as HealthCheckProgram (default 35), 1 to 86400
#                         as Prolog or Epilog (default 180); the check's plan is within 60 s, 3 s
#                         estimated on 8 GPUs and 11 s on 16 (gpuxfer --check --dry-run says it)
#   GX_NODECHECK_ON_ERROR drain (default) or ignore: a check that could not run
#   GX_NODECHECK_DRYRUN   1: print the scontrol command instead of running it (a test, or a try
#                         on a login node); 0 (default): run it
set -u -f +m # -f: the launcher's words are split, never globbed; +m: no job control, so that
             # setsid starts each timed command in a session of its own without forking.
umask 077
cd / || exit 2
me="gpuxfer-nodecheck"
# tick: secs, whole seconds since the script's start on the boot clock (/proc/uptime), which a
# step of the wall clock (NTP's, at boot) does not move
read -r t0 _ </proc/uptime
t0=${t0%.*}
tick() {
    local up
    read -r up _ </proc/uptime
    secs=$(( ${up%.*} - t0 ))
}

# Relative PATH entries ("." and empty ones) would find programs in slurmd's folder.
path=
IFS=: read -r -a entries <<<"${PATH-}"
for e in "${entries[@]}"; do
    case $e in /*) path=${path:+$path:}$e ;; esac
done
PATH=${path:-/usr/bin:/bin:/usr/sbin:/sbin}
export PATH

# say PRIORITY TEXT: a line on stderr (slurmd's log) and to syslog where logger is (within 1 s:
# a syslog daemon that reads nothing blocks it)
say() {
    echo "$me: $2" >&2
    command -v logger >/dev/null 2>&1 &&
        timeout -s KILL 1 logger -p "user.$1" -t "$me" -- "$2" 2>/dev/null
    return 0
}

run=     # this run's folder, once made
box_pid= # the session of the command now timed, if any
shm=     # this run's folder in /dev/shm, once made
cleanup() {
    [ -z "$box_pid" ] || { pkill -KILL -s "$box_pid"; kill -KILL "$box_pid"; } 2>/dev/null
    [ -z "$run" ] || rm -rf -- "$run/tmp"
    [ -z "$shm" ] || rm -rf -- "$shm"
}

mode=
case ${SLURM_SCRIPT_CONTEXT:-} in
    prolog_slurmd) role=prolog ;;
    epilog_slurmd) role=epilog ;;
    '') role=health ;;
    *) role=other ;;
esac

# not_checked WHY: nothing the node did (an error of the settings or of the launcher's arguments,
# the same on every node, or one an unprivileged user could cause): said loudly, never drained.
not_checked() {
    say err "not checked, not drained: $1"
    cleanup
    case ${mode:-$role} in prolog|epilog) exit 0 ;; esac
    exit 2
}
# shellcheck disable=SC2317 # called by the traps
stopped() { not_checked "stopped by SIG$1"; }
trap 'stopped TERM' TERM
trap 'stopped INT' INT
trap 'stopped HUP' HUP

mode=${1:-${GX_NODECHECK_MODE:-}}
if [ -z "$mode" ]; then
    [ "$role" = other ] &&
        not_checked "SLURM_SCRIPT_CONTEXT '$SLURM_SCRIPT_CONTEXT': this is slurmd's Prolog,\
 Epilog or HealthCheckProgram (prolog_slurmd, epilog_slurmd or none)"
    mode=$role
fi
case $mode in
    prolog|epilog|health) ;;
    *) m=$mode; mode=; not_checked "mode '$m': expected prolog, epilog or health" ;;
esac
[ $# -le 1 ] || not_checked "arguments '$*': expected at most one, the mode"

known=" MODE NP EXPECT EXPECTATIONS GPUXFER LAUNCH DIR TIMEOUT ON_ERROR DRYRUN "
for v in ${!GX_NODECHECK_@}; do
    case $known in
        *" ${v#GX_NODECHECK_} "*) ;;
        *) not_checked "$v: no such setting (GX_NODECHECK_ has:$known)" ;;
    esac
done
# whole NAME VALUE MIN MAX: num=VALUE, a whole number from MIN to MAX, or not checked
whole() {
    case $2 in
        *[!0-9]*|'') not_checked "$1 '$2': not a whole number (expected $3 to $4)" ;;
    esac
    if [ ${#2} -gt 6 ] || [ $((10#$2)) -lt "$3" ] || [ $((10#$2)) -gt "$4" ]; then
        not_checked "$1 '$2': expected $3 to $4"
    fi
    num=$((10#$2))
}
# As HealthCheckProgram: SIGTERM at 35 s, SIGKILL 5 s later, given up 2 s after; scontrol
# 4 s, its SIGKILL 1 s later, given up 2 s after; two lines to logger, 1 s each: done by 51 s
# at the latest, before slurmd's kill at 60 s with room for a busy machine.
if [ "$mode" = health ]; then max=35 grace=5; else max=86400 grace=10; fi
limit=${GX_NODECHECK_TIMEOUT:-}
[ -z "$limit" ] && { [ "$mode" = health ] && limit=35 || limit=180; }
whole GX_NODECHECK_TIMEOUT "$limit" 1 "$max"
limit=$num
np=${GX_NODECHECK_NP:-}
[ -z "$np" ] || { whole GX_NODECHECK_NP "$np" 2 1024; np=$num; }
expect=${GX_NODECHECK_EXPECT:-}
[ -z "$expect" ] || { whole GX_NODECHECK_EXPECT "$expect" 1 1024; expect=$num; }
on_error=${GX_NODECHECK_ON_ERROR:-drain}
case $on_error in drain|ignore) ;;
    *) not_checked "GX_NODECHECK_ON_ERROR '$on_error': expected drain or ignore" ;; esac
dry=${GX_NODECHECK_DRYRUN:-0}
case $dry in 0|1) ;; *) not_checked "GX_NODECHECK_DRYRUN '$dry': expected 0 or 1" ;; esac
node=$(hostname -s 2>/dev/null)
case $node in
    ''|[!A-Za-z0-9]*|*[!A-Za-z0-9._-]*)
        not_checked "host name '$node': expected letters, digits and . _ - (a node's name)" ;;
esac

# unsafe DIR [program]: why root could write through DIR into a file someone else chose, on
# stdout, nothing when it cannot; the folders missing on the way are made, 0700. Each folder on
# the way and each link followed (and the folders on the way to its target) must be root's (or
# this script's user's) and writable by no one else; a sticky folder (/tmp) is allowed on the
# way, as no one else can rename or remove what root owns in it; DIR itself not even that.
# With "program": DIR is a program root would run, a file, made by no one but root either.
unsafe() {
    local rest=$1 cur=/ comp next st owner mode kind links=0 uid
    uid=$(id -u)
    case $rest in /*) ;; *) echo "not an absolute path"; return ;; esac
    while :; do
        st=$(stat -c '%u %a %F' -- "$cur") || { echo "$cur: cannot stat it"; return; }
        read -r owner mode kind <<<"$st"
        [ "$owner" = 0 ] || [ "$owner" = "$uid" ] ||
            { echo "$cur belongs to uid $owner, not root"; return; }
        rest=${rest#"${rest%%[!/]*}"}
        if [ -z "$rest" ] && [ "${2:-}" = program ]; then
            case $kind in regular*) ;; *) echo "$cur is a $kind, not a program"; return ;; esac
            [ $((8#$mode & 8#22)) -eq 0 ] ||
                echo "$cur is writable by others (mode $mode)"
            return
        fi
        [ "$kind" = directory ] || { echo "$cur is a $kind, not a folder"; return; }
        if [ $((8#$mode & 8#22)) -ne 0 ] &&
           { [ -z "$rest" ] || [ $((8#$mode & 8#1000)) -eq 0 ]; }; then
            echo "$cur is writable by others (mode $mode)"; return
        fi
        [ -n "$rest" ] || return 0
        comp=${rest%%/*}
        rest=${rest#"$comp"}
        case $comp in
            .) continue ;;
            ..) cur=$(dirname -- "$cur"); continue ;;
        esac
        next=${cur%/}/$comp
        if [ ! -e "$next" ] && [ ! -L "$next" ] && [ -z "${2:-}" ]; then
            mkdir -m 700 -- "$next" 2>/dev/null
        fi
        if [ -L "$next" ]; then
            links=$((links + 1))
            [ $links -le 40 ] || { echo "$1: too many links"; return; }
            owner=$(stat -c %u -- "$next") || { echo "$next: cannot stat it"; return; }
            [ "$owner" = 0 ] || [ "$owner" = "$uid" ] ||
                { echo "$next is a link of uid $owner, not root's"; return; }
            comp=$(readlink -- "$next") || { echo "$next: cannot read the link"; return; }
            case $comp in /*) cur=/ ;; esac
            rest=$comp/$rest
            continue
        fi
        [ -e "$next" ] || { echo "$next: no such folder, and cannot make it"; return; }
        cur=$next
    done
}
# program NAME SETTING: prog=the file of NAME (found on PATH), when only root can replace it (as
# unsafe says for a folder); else not checked, SETTING naming where NAME came from.
program() {
    case $1 in
        /*|'') ;;
        */*) not_checked "$2 '$1': a relative path (expected a name on PATH or an absolute path)" ;;
    esac
    prog=$(type -P -- "$1") || not_checked "$2 '$1': no such program (PATH $PATH)"
    why=$(unsafe "$prog" program)
    [ -z "$why" ] || not_checked "$2 $prog: root would run a program others can replace: $why"
}
program "${GX_NODECHECK_GPUXFER:-gpuxfer}" GX_NODECHECK_GPUXFER
gpuxfer=$prog
# The expectations decide what drains: a file only root can replace, as the programs.
expectations=${GX_NODECHECK_EXPECTATIONS:-}
if [ -n "$expectations" ]; then
    case $expectations in
        /*) ;;
        *) not_checked "GX_NODECHECK_EXPECTATIONS '$expectations': a relative path (expected an \
absolute path)" ;;
    esac
    [ -f "$expectations" ] || not_checked "GX_NODECHECK_EXPECTATIONS $expectations: no such file"
    why=$(unsafe "$expectations" program)
    [ -z "$why" ] || not_checked "GX_NODECHECK_EXPECTATIONS $expectations: a file others can \
replace would decide what drains: $why"
fi
read -r -a launch <<<"${GX_NODECHECK_LAUNCH:-}"
program "${launch[0]:-mpirun}" GX_NODECHECK_LAUNCH
launcher=$prog
if [ "$dry" = 0 ]; then
    program scontrol "scontrol (Slurm's, to drain the node)"
    scontrol=$prog
fi

dir=${GX_NODECHECK_DIR:-/var/lib/gpuxfer-nodecheck}
why=$(unsafe "$dir")
[ -z "$why" ] || not_checked "GX_NODECHECK_DIR $dir: $why"
# no_room: what lacks room for a run, on stdout, nothing when none does: the runs' folder (4 MiB
# and 64 inodes) and the shared memory of the launcher and gpuxfer (/dev/shm: 16 MiB). Others
# can fill either: that is not the node's fault.
no_room() {
    local d mib st free bsize files ffree
    for d in "$dir:4" /dev/shm:16; do
        mib=${d##*:} d=${d%:*}
        [ -d "$d" ] || continue
        st=$(stat -f -c '%f %S %c %d' -- "$d") || continue
        read -r free bsize files ffree <<<"$st"
        if [ $((free * bsize / 1048576)) -lt "$mib" ] ||
           { [ "$files" -gt 0 ] && [ "$ffree" -lt 64 ]; }; then
            echo "$d: no room for a run ($mib MiB and 64 inodes wanted)"
            return
        fi
    done
}
why=$(no_room)
[ -z "$why" ] || not_checked "$why"
# One check at a time on a node: two would each measure the other's traffic. The folder may be
# shared by nodes: its lock and its runs' names are this node's.
exec 9>>"$dir/lock-$node" || not_checked "$dir/lock-$node: cannot open it"
tick
wait_s=$(( limit > secs ? (limit - secs) / 2 : 0 ))
flock -w "$wait_s" 9 ||
    not_checked "another check held $dir/lock-$node for ${wait_s} s"
run=$dir/$(date -u +%Y%m%dT%H%M%SZ)-$node-$$-$mode
if ! mkdir -m 700 -- "$run" || ! mkdir -m 700 -- "$run/tmp"; then
    not_checked "cannot make $run"
fi
# The node's newest 50 runs are kept (a Prolog and an Epilog run for every job).
find "$dir" -mindepth 1 -maxdepth 1 -type d -name "[0-9]*T*Z-$node-*-*" | sort | head -n -50 |
    while IFS= read -r old; do rm -rf -- "$old"; done
# Open MPI's shared memory files go to /dev/shm under names that others can work out, and it
# opens them without O_EXCL, following a link there (unless fs.protected_symlinks stops it):
# root's go to a folder of the run's own there, made by mktemp (a new name, 0700).
if [ -d /dev/shm ]; then
    shm=$(mktemp -d /dev/shm/gpuxfer-nodecheck.XXXXXX) ||
        not_checked "cannot make a folder in /dev/shm"
fi
set -o noclobber # each file below is new in a folder of root's alone: never an existing one

# boxed DEADLINE GRACE NAME CMD...: CMD in a session of its own (what it starts too), stdout to
# $run/NAME.out, stderr to $run/NAME.err; SIGTERM to the session at DEADLINE (the script's
# secs), SIGKILL GRACE s later, not waited for 2 s after that. box_rc: its exit status;
# box_end: empty, or term (it ended after SIGTERM), kill (after SIGKILL), stuck (it did not end).
boxed() {
    local end=$1 grace=$2 name=$3
    shift 3
    box_end=
    setsid "$@" >"$run/$name.out" 2>"$run/$name.err" </dev/null 9<&- &
    box_pid=$!
    while kill -0 "$box_pid" 2>/dev/null; do
        tick
        if [ "$secs" -ge "$end" ]; then
            case $box_end in
                '') box_end=term sig=TERM end=$((secs + grace)) box_at=$secs ;;
                term) box_end=kill sig=KILL end=$((secs + 2)) ;;
                *) box_end=stuck; break ;;
            esac
            pkill -"$sig" -s "$box_pid" 2>/dev/null
            kill -"$sig" "$box_pid" 2>/dev/null
        fi
        sleep 0.1
    done
    if [ "$box_end" = stuck ]; then
        box_rc=255
    else
        wait "$box_pid" 2>/dev/null # bash says "Killed" of one it killed
        box_rc=$?
        pkill -KILL -s "$box_pid" 2>/dev/null # what it left behind
    fi
    box_pid=
}

# drain REASON: the node drained with REASON, made safe again here (gpuxfer's reason already is;
# a reason this script makes from an exit status too), or the command printed in the dry mode.
drain() {
    local reason
    reason=$(printf '%s' "$1" | tr -c 'A-Za-z0-9 .,:/_+-' ' ' | tr -s ' ' | cut -c1-80 |
             sed 's/ *$//')
    say err "draining $node: $reason ($run)"
    if [ "$dry" = 1 ]; then
        echo "scontrol update nodename=$node state=drain reason=\"$reason\""
        return 0
    fi
    tick
    boxed $((secs + 4)) 1 scontrol "$scontrol" update nodename="$node" state=drain \
        reason="$reason"
    [ "$box_rc" = 0 ] ||
        say err "scontrol update nodename=$node state=drain failed (exit $box_rc):\
 $(head -c 200 "$run/scontrol.err")"
}

# The failing exit status of the role: the Prolog's and Epilog's make Slurm drain (and requeue),
# the health check's is ignored.
failed() { cleanup; [ "$mode" = health ] && exit 0; exit 1; }

# check_failed WHY: a check that failed without a verdict, where a disk or /dev/shm is now
# full: not checked (others may have filled it meanwhile); else could not run.
check_failed() {
    local full
    full=$(no_room)
    [ -z "$full" ] || not_checked "$full, after the check: $1"
    could_not_run "$1"
}

could_not_run() { # could_not_run WHY: drained or only said, as GX_NODECHECK_ON_ERROR asks
    if [ "$on_error" = ignore ]; then
        say err "$1 (GX_NODECHECK_ON_ERROR=ignore: not drained; $run)"
        cleanup
        exit 0
    fi
    drain "$1"
    failed
}

# how_stopped: the time box's end, in words, after a boxed command
how_stopped() {
    case $box_end in
        term) echo "stopped at $box_at s" ;;
        kill) echo "stopped at $box_at s, killed: it ignored SIGTERM" ;;
        stuck) echo "stopped at $box_at s, did not end on SIGKILL" ;;
    esac
}

if [ -z "$np" ] || [ -n "$expect" ]; then
    type -P nvidia-smi >/dev/null ||
        could_not_run "gpuxfer could not run: no nvidia-smi (no NVIDIA driver)"
    program nvidia-smi nvidia-smi
    tick
    boxed $((secs + 10 < limit ? secs + 10 : limit)) 2 nvidia-smi "$prog" -L
    [ -z "$box_end" ] || could_not_run "gpuxfer could not run: nvidia-smi -L $(how_stopped)"
    listed=$(grep -c '^GPU ' "$run/nvidia-smi.out")
    [ "$listed" -gt 0 ] || could_not_run "gpuxfer could not run: nvidia-smi lists no GPU"
    if [ -n "$expect" ] && [ "$listed" -lt "$expect" ]; then
        drain "gpuxfer-nodecheck: $listed of $expect GPUs listed"
        failed
    fi
    if [ -z "$np" ]; then
        np=$listed
        [ "$np" -ge 2 ] || not_checked "nvidia-smi lists 1 GPU: the check needs 2"
    fi
fi
if [ ${#launch[@]} -gt 0 ]; then
    launch[0]=$launcher
else
    launch=("$launcher" -np "$np" --bind-to none)
fi

# The check's environment: the whole node (the Prolog's CUDA_VISIBLE_DEVICES and the job's
# SLURM_ variables are the job's, which the launcher would take for its own), temporary files
# in this run's folder. slurmd runs this as root, and Open MPI's mpirun refuses root unless told.
env_check=(env)
for v in ${!SLURM_@} CUDA_VISIBLE_DEVICES GPU_DEVICE_ORDINAL ROCR_VISIBLE_DEVICES; do
    [ "$v" = SLURM_CONF ] || env_check+=(-u "$v")
done
env_check+=(TMPDIR="$run/tmp" OMPI_MCA_orte_tmpdir_base="$run/tmp"
            PRTE_MCA_prte_tmpdir_base="$run/tmp"
            OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1)
if [ -n "$shm" ]; then
    for v in btl_vader btl_sm osc_sm osc_rdma; do
        env_check+=("OMPI_MCA_${v}_backing_directory=$shm")
    done
fi

# The launcher's trial: N copies of `true`. Where it cannot start them its arguments or the
# node's settings are wrong (too few slots, an unknown option), the same on every node.
true_prog=$(type -P true) || true_prog=/bin/true
boxed "$limit" "$grace" launcher "${env_check[@]}" "${launch[@]}" "$true_prog"
[ -z "$box_end" ] ||
    could_not_run "gpuxfer could not run: the launcher, starting true, $(how_stopped)"
[ "$box_rc" = 0 ] ||
    not_checked "the launcher cannot start true in gpuxfer's place (exit $box_rc: $(head -n 3 \
        "$run/launcher.err" | tr '\n' ' ' | cut -c1-300)): ${launch[*]}"

boxed "$limit" "$grace" check "${env_check[@]}" "${launch[@]}" "$gpuxfer" --check --quiet \
    --output "$run/check.json" ${expectations:+--expect "$expectations"}
rc=$box_rc
verdict=$(tail -n 1 "$run/check.out")
reason=$(printf '%s\n' "$verdict" | sed -n 's/^FAIL reason="\([^"]*\)"$/\1/p')
[ -z "$box_end" ] || could_not_run "gpuxfer could not run: $(how_stopped)"
case $rc in
    0)
        if [ "$verdict" = PASS ]; then
            say info "PASS ($run)"
            cleanup
            exit 0
        fi
        not_checked "$gpuxfer exited 0 without PASS: is it gpuxfer? ($run)" ;;
    8|1)
        if [ -n "$reason" ]; then
            drain "$reason"
            failed
        fi
        check_failed "gpuxfer could not run: exit $rc without a verdict" ;;
    2)
        not_checked "gpuxfer: bad input: $(head -n 1 "$run/check.err")" ;;
    *)
        check_failed "${reason:-gpuxfer could not run: exit $rc}" ;;
esac
