#!/bin/sh
# scripts/slurm/gpuxfer-nodecheck.sh without Slurm: stand-ins first on PATH (scontrol and logger
# record what they are asked, nvidia-smi lists FAKE_GPUS GPUs, hostname says FAKE_HOST), a
# stand-in gpuxfer (run through `env` as the launcher) prints a verdict and exits as told; each
# of gpuxfer --check's outcomes in each role (Prolog, Epilog, HealthCheckProgram): PASS, FAIL
# (drained with its reason), could not run (drained, or not with GX_NODECHECK_ON_ERROR=ignore),
# not checked (an error of the settings or of the launcher's arguments: said on stderr and to
# syslog, never drained, exit 2 as HealthCheckProgram and 0 as Prolog), a check past its time
# (killed when it ignores SIGTERM); the dry mode; the check's environment; the runs kept; and one
# real gpuxfer --check on this machine in the dry mode.
. "$top_srcdir/tests/lib.sh"
script=$top_srcdir/scripts/slurm/gpuxfer-nodecheck.sh
dir=$(mktemp -d "$TEST_TMP/nodecheck_slurm.XXXXXX")
# The runs' folder: the script refuses one that someone else could replace, so not in the build
# tree, whose folders' owners and modes are the builder's; /tmp's are the same everywhere.
top=$(mktemp -d /tmp/gx-nodecheck.XXXXXX)
logs=$top/logs
# The stand-ins there too: root runs only programs that no one else can replace.
bin=$top/bin
node=$(hostname -s)
mkdir -p "$bin"
cat >"$bin/scontrol" <<EOF
#!/bin/sh
for a in "\$@"; do printf '[%s]' "\$a"; done >>"$dir/scontrol.args"
echo >>"$dir/scontrol.args"
EOF
cat >"$bin/logger" <<EOF
#!/bin/sh
echo "\$*" >>"$dir/logger.args"
EOF
cat >"$bin/nvidia-smi" <<'EOF'
#!/bin/sh
i=0
while [ "$i" -lt "${FAKE_GPUS:-0}" ]; do echo "GPU $i: Stand-in (UUID: GPU-$i)"; i=$((i + 1)); done
EOF
cat >"$bin/hostname" <<EOF
#!/bin/sh
echo "\${FAKE_HOST-$node}"
EOF
# The stand-in gpuxfer: STUB_OUT's text on stdout (a table line first), STUB_RC its exit status,
# STUB_SLEEP seconds first (ignoring SIGTERM with STUB_DEAF=1), STUB_ERR on stderr; its arguments
# and environment recorded.
cat >"$bin/gpuxfer-stub" <<EOF
#!/bin/sh
echo "\$*" >"$dir/stub.args"
env >"$dir/stub.env"
[ -n "\${STUB_DEAF:-}" ] && trap '' TERM
sleep "\${STUB_SLEEP:-0}"
echo "# a table line"
printf '%s' "\${STUB_OUT:-}"
[ -z "\${STUB_ERR:-}" ] || echo "\$STUB_ERR" >&2
exit "\${STUB_RC:-0}"
EOF
chmod +x "$bin/"*

bash -n "$script"
ok $? "bash -n"
if command -v shellcheck >/dev/null 2>&1; then
    shellcheck "$script" >"$dir/shellcheck" 2>&1
    ok $? "shellcheck: nothing to say" || diag <"$dir/shellcheck"
else
    skip "no shellcheck here"
fi

# nc NAME [VAR=VALUE...]: the script with the stand-ins, from an environment without Slurm's
# variables; its exit status, stdout in $dir/NAME.out, stderr in $dir/NAME.err.
nc() {
    name=$1; shift
    rm -f "$dir/scontrol.args" "$dir/logger.args" "$dir/stub.args"
    env -u SLURM_SCRIPT_CONTEXT -u GX_NODECHECK_MODE PATH="$bin:$PATH" \
        GX_NODECHECK_GPUXFER=gpuxfer-stub GX_NODECHECK_LAUNCH=env GX_NODECHECK_NP=2 \
        GX_NODECHECK_DIR="$logs" "$@" bash "$script" >"$dir/$name.out" 2>"$dir/$name.err"
}
drained() { # drained REASON: scontrol was asked once, to drain this node with REASON
    [ "$(cat "$dir/scontrol.args" 2>/dev/null)" = "[update][nodename=$node][state=drain][reason=$1]" ]
}
not_drained() { [ ! -e "$dir/scontrol.args" ]; }

nc pass STUB_OUT="PASS
" STUB_RC=0
rc=$?
[ $rc -eq 0 ] && not_drained && grep -q "PASS" "$dir/pass.err"
ok $? "PASS: exit 0, not drained ($rc)" || diag <"$dir/pass.err"
grep -q -- "^--check --quiet --output $logs/[0-9]*T[0-9]*Z-$node-[0-9]*-health/check\.json$" \
    "$dir/stub.args"
ok $? "gpuxfer is run with --check, its report in a run's folder: $(cat "$dir/stub.args")"

fail='FAIL reason="gpuxfer: GPU 0000:00:07.0 rank 1: 1 NVLink down, 11 of 12 active"
'
reason="gpuxfer: GPU 0000:00:07.0 rank 1: 1 NVLink down, 11 of 12 active"
nc health STUB_OUT="$fail" STUB_RC=8
rc=$?
[ $rc -eq 0 ] && drained "$reason" && grep -q "draining $node: $reason" "$dir/logger.args"
ok $? "FAIL as HealthCheckProgram (no SLURM_SCRIPT_CONTEXT): drained with the reason, said to syslog, exit 0 ($rc): $(cat "$dir/scontrol.args")"
nc prolog STUB_OUT="$fail" STUB_RC=8 SLURM_SCRIPT_CONTEXT=prolog_slurmd
rc=$?
[ $rc -eq 1 ] && drained "$reason"
ok $? "FAIL as Prolog (SLURM_SCRIPT_CONTEXT=prolog_slurmd): drained with the reason, exit 1 ($rc)"
nc epilog STUB_OUT="$fail" STUB_RC=8 SLURM_SCRIPT_CONTEXT=epilog_slurmd
rc=$?
[ $rc -eq 1 ] && drained "$reason"
ok $? "FAIL as Epilog (SLURM_SCRIPT_CONTEXT=epilog_slurmd): drained with the reason, exit 1 ($rc)"
nc mode STUB_OUT="$fail" STUB_RC=8 GX_NODECHECK_MODE=prolog
[ $? -eq 1 ] && drained "$reason"
ok $? "GX_NODECHECK_MODE=prolog: exit 1"
nc mismatch STUB_OUT='FAIL reason="gpuxfer: received data did not match"
' STUB_RC=1 GX_NODECHECK_MODE=prolog
[ $? -eq 1 ] && drained "gpuxfer: received data did not match"
ok $? "exit 1 with a FAIL line (data that did not match): drained with its reason"

nc dry STUB_OUT="$fail" STUB_RC=8 GX_NODECHECK_DRYRUN=1
rc=$?
[ $rc -eq 0 ] && not_drained &&
    [ "$(cat "$dir/dry.out")" = "scontrol update nodename=$node state=drain reason=\"$reason\"" ]
ok $? "GX_NODECHECK_DRYRUN=1: the scontrol command printed, not run: $(cat "$dir/dry.out")"

nc nogpu STUB_OUT='FAIL reason="gpuxfer could not run: no GPU on rank 0: no CUDA driver"
' STUB_RC=7
rc=$?
[ $rc -eq 0 ] && drained "gpuxfer could not run: no GPU on rank 0: no CUDA driver"
ok $? "could not run (exit 7): drained with gpuxfer's reason ($rc)"
nc ignore STUB_OUT='FAIL reason="gpuxfer could not run: no GPU on rank 0: no CUDA driver"
' STUB_RC=7 GX_NODECHECK_ON_ERROR=ignore GX_NODECHECK_MODE=prolog
rc=$?
[ $rc -eq 0 ] && not_drained && grep -q "not drained" "$dir/ignore.err"
ok $? "could not run with GX_NODECHECK_ON_ERROR=ignore: not drained, exit 0 even as Prolog ($rc)"
nc crash STUB_RC=3 GX_NODECHECK_MODE=epilog
rc=$?
[ $rc -eq 1 ] && drained "gpuxfer could not run: exit 3"
ok $? "exit 3 without a verdict line: drained, 'gpuxfer could not run: exit 3', exit 1 as Epilog ($rc)"
nc nompi STUB_RC=1 GX_NODECHECK_MODE=prolog
rc=$?
[ $rc -eq 1 ] && drained "gpuxfer could not run: exit 1 without a verdict"
ok $? "exit 1 without a FAIL line (the launcher's trial started, MPI did not): could not run, not data that did not match ($rc): $(cat "$dir/scontrol.args")"
# GX_NODECHECK_TIMEOUT counts from the script's start: what comes before gpuxfer (a moment) may
# be what it stops on a busy machine.
nc slow STUB_SLEEP=30 STUB_RC=0 GX_NODECHECK_TIMEOUT=4
rc=$?
[ $rc -eq 0 ] &&
    grep -Eqx '\[update\]\[nodename=.*\]\[state=drain\]\[reason=gpuxfer could not run: (the launcher, starting true, )?stopped at [4-9] s\]' \
        "$dir/scontrol.args"
ok $? "a check past GX_NODECHECK_TIMEOUT: stopped, drained as such ($rc): $(cat "$dir/scontrol.args")"
# A check that ignores SIGTERM, as HealthCheckProgram: killed by the script 5 s after SIGTERM and
# drained, long before slurmd's kill at 60 s (its own bound here is 6 s + 5 s, with room for a
# loaded machine; tests/nodecheck_root.sh runs the defaults).
start=$(date +%s)
nc deaf STUB_SLEEP=173 STUB_DEAF=1 GX_NODECHECK_TIMEOUT=6
rc=$?
took=$(( $(date +%s) - start ))
[ $rc -eq 0 ] && [ "$took" -lt 60 ] &&
    grep -Eqx '\[update\]\[nodename=.*\]\[state=drain\]\[reason=gpuxfer could not run: stopped at [6-9] s, killed: it ignored SIGTERM\]' \
        "$dir/scontrol.args"
ok $? "a check that ignores SIGTERM: killed and drained, in $took s ($rc): $(cat "$dir/scontrol.args")"
! pgrep -f 'sleep 173' >/dev/null
ok $? "nothing of the killed check is left running"
nc missing STUB_OUT="PASS
" FAKE_GPUS=2 GX_NODECHECK_NP= GX_NODECHECK_EXPECT=8 GX_NODECHECK_MODE=prolog
rc=$?
[ $rc -eq 1 ] && drained "gpuxfer-nodecheck: 2 of 8 GPUs listed" && [ ! -e "$dir/stub.args" ]
ok $? "GX_NODECHECK_EXPECT=8 with 2 GPUs listed: drained before any check, exit 1 as Prolog ($rc)"
nc missing2 STUB_OUT="PASS
" FAKE_GPUS=2 GX_NODECHECK_EXPECT=8
[ $? -eq 0 ] && drained "gpuxfer-nodecheck: 2 of 8 GPUs listed" && [ ! -e "$dir/stub.args" ]
ok $? "GX_NODECHECK_EXPECT counts what nvidia-smi lists, also with GX_NODECHECK_NP given"
nc expected STUB_OUT="PASS
" FAKE_GPUS=2 GX_NODECHECK_NP= GX_NODECHECK_EXPECT=2
[ $? -eq 0 ] && not_drained && grep -q -- '--check' "$dir/stub.args"
ok $? "GX_NODECHECK_EXPECT=2 with 2 GPUs: checked, PASS"
nc nolist FAKE_GPUS=0 GX_NODECHECK_NP=
[ $? -eq 0 ] && drained "gpuxfer could not run: nvidia-smi lists no GPU"
ok $? "nvidia-smi lists no GPU: could not run, drained"

# The check's environment: the whole node, not the job's GPUs or allocation (a Prolog's
# CUDA_VISIBLE_DEVICES and SLURM_ variables), temporary files in the run's own folder.
nc env STUB_OUT="PASS
" GX_NODECHECK_MODE=prolog CUDA_VISIBLE_DEVICES=1 SLURM_JOB_ID=7 SLURM_JOBID=7 \
    SLURM_CONF=/etc/slurm/slurm.conf TMPDIR=/tmp
! grep -Eq '^(CUDA_VISIBLE_DEVICES|SLURM_JOB_ID|SLURM_JOBID)=' "$dir/stub.env" &&
    grep -q '^SLURM_CONF=/etc/slurm/slurm.conf$' "$dir/stub.env" &&
    grep -Eq "^TMPDIR=$logs/[^/]*-prolog/tmp$" "$dir/stub.env" &&
    grep -Eq "^OMPI_MCA_orte_tmpdir_base=$logs/[^/]*-prolog/tmp$" "$dir/stub.env"
ok $? "the check sees every GPU, no job's SLURM_ variable (SLURM_CONF kept), TMPDIR and Open MPI's session folder in its run's folder" ||
    grep -E '^(CUDA|SLURM|TMPDIR|OMPI_MCA)' "$dir/stub.env" | diag
[ -z "$(find "$logs" -name tmp)" ]
ok $? "the temporary folders are removed after the check"
# Open MPI's shared memory files: in a folder of the run's own in /dev/shm, 0700, removed after.
shm=$(sed -n 's/^OMPI_MCA_btl_vader_backing_directory=//p' "$dir/stub.env")
for v in btl_sm osc_sm osc_rdma; do
    grep -qx "OMPI_MCA_${v}_backing_directory=$shm" "$dir/stub.env" || shm=
done
case $shm in /dev/shm/gpuxfer-nodecheck.??????) ;; *) shm= ;; esac
if [ -d /dev/shm ]; then
    [ -n "$shm" ] && [ ! -e "$shm" ]
    ok $? "Open MPI's shared memory files in a folder of the run's own in /dev/shm, removed after: $shm"
else
    skip "no /dev/shm here"
fi

# Not checked, never drained: each error of the settings or of the launcher's arguments, as
# HealthCheckProgram (exit 2) and as Prolog (exit 0: slurmd drains a node whose Prolog exits
# non-zero), on stderr and to syslog, with what is wrong.
# refused NAME WORDS VAR=VALUE...: not checked, as both roles, the error saying WORDS; gpuxfer
# not run, unless $ran is set; as HealthCheckProgram alone if $health_only is set
ran= health_only=
refused() {
    _name=$1 _words=$2; shift 2
    nc "$_name" STUB_OUT="$fail" STUB_RC=8 FAKE_GPUS=2 "$@"
    _rc=$?
    [ $_rc -eq 2 ] && not_drained && { [ -n "$ran" ] || [ ! -e "$dir/stub.args" ]; } &&
        grep -q "not checked, not drained: .*$_words" "$dir/$_name.err" &&
        grep -q "not checked, not drained: .*$_words" "$dir/logger.args"
    ok $? "$_name: not checked, not drained, said on stderr and to syslog, exit 2 as HealthCheckProgram ($_rc): $(cat "$dir/$_name.err")" ||
        cat "$dir/scontrol.args" 2>/dev/null | diag
    [ -n "$health_only" ] && return
    nc "$_name-prolog" STUB_OUT="$fail" STUB_RC=8 FAKE_GPUS=2 SLURM_SCRIPT_CONTEXT=prolog_slurmd "$@"
    _rc=$?
    [ $_rc -eq 0 ] && not_drained && grep -q "not checked, not drained: .*$_words" \
        "$dir/$_name-prolog.err"
    ok $? "$_name: as Prolog exit 0, not drained ($_rc)"
}
refused timeout-word "GX_NODECHECK_TIMEOUT 'ten': not a whole number" GX_NODECHECK_TIMEOUT=ten
refused timeout-zero "GX_NODECHECK_TIMEOUT '0': expected 1 to" GX_NODECHECK_TIMEOUT=0
refused timeout-negative "GX_NODECHECK_TIMEOUT '-5'" GX_NODECHECK_TIMEOUT=-5
refused timeout-fraction "GX_NODECHECK_TIMEOUT '1.5'" GX_NODECHECK_TIMEOUT=1.5
refused timeout-huge "GX_NODECHECK_TIMEOUT '99999999999999999999'" \
    GX_NODECHECK_TIMEOUT=99999999999999999999
refused np-zero "GX_NODECHECK_NP '0': expected 2 to 1024" GX_NODECHECK_NP=0
refused np-one "GX_NODECHECK_NP '1': expected 2 to 1024" GX_NODECHECK_NP=1
refused np-word "GX_NODECHECK_NP 'eight': not a whole number" GX_NODECHECK_NP=eight
refused np-huge "GX_NODECHECK_NP '5000'" GX_NODECHECK_NP=5000
refused expect-zero "GX_NODECHECK_EXPECT '0'" GX_NODECHECK_EXPECT=0
refused expect-word "GX_NODECHECK_EXPECT '8x'" GX_NODECHECK_EXPECT=8x
refused on-error "GX_NODECHECK_ON_ERROR 'drian': expected drain or ignore" GX_NODECHECK_ON_ERROR=drian
refused dryrun "GX_NODECHECK_DRYRUN 'yes': expected 0 or 1" GX_NODECHECK_DRYRUN=yes
refused unknown "GX_NODECHECK_TIMOUT: no such setting" GX_NODECHECK_TIMOUT=10 GX_NODECHECK_TIMOUT=10
refused mode "mode 'sometimes': expected prolog, epilog or health" GX_NODECHECK_MODE=sometimes
refused no-gpuxfer "GX_NODECHECK_GPUXFER 'gpuxfre': no such program" GX_NODECHECK_GPUXFER=gpuxfre
refused relative-gpuxfer "GX_NODECHECK_GPUXFER 'bin/gpuxfer': a relative path" \
    GX_NODECHECK_GPUXFER=bin/gpuxfer
# A PATH of the system's programs but Slurm's scontrol (installed where Slurm is).
mkdir "$top/no-scontrol" "$top/no-scontrol-sys"
cp "$bin/logger" "$bin/gpuxfer-stub" "$top/no-scontrol/"
sysbin=$(dirname "$(command -v env)")
for f in "$sysbin"/*; do
    [ "${f##*/}" = scontrol ] || ln -s "$f" "$top/no-scontrol-sys/${f##*/}"
done
refused no-scontrol "scontrol .Slurm's, to drain the node. 'scontrol': no such program" \
    PATH="$top/no-scontrol:$top/no-scontrol-sys"
refused no-launcher "GX_NODECHECK_LAUNCH 'mpirn': no such program" GX_NODECHECK_LAUNCH="mpirn -np 2"
refused host-slash "host name 'gpu/01': expected letters" FAKE_HOST=gpu/01
refused host-empty "host name '': expected letters" FAKE_HOST=
refused dir-relative "GX_NODECHECK_DIR var/gx: not an absolute path" GX_NODECHECK_DIR=var/gx
ran=1 # gpuxfer runs, and says so
refused bad-input "gpuxfer: bad input: gpuxfer: --budget: not a number" STUB_OUT= STUB_RC=2 \
    STUB_ERR="gpuxfer: --budget: not a number"
ran=
refused not-gpuxfer "exited 0 without PASS: is it gpuxfer" GX_NODECHECK_GPUXFER=true
refused one-gpu "nvidia-smi lists 1 GPU: the check needs 2" FAKE_GPUS=1 GX_NODECHECK_NP=
# The launcher's arguments: it cannot start NP copies of true. Open MPI's mpirun with more ranks
# than slots (the tests' environment allows oversubscription: not here), an unknown option.
if "$MPIRUN" --version 2>/dev/null | grep -q 'Open MPI'; then
    health_only=1
    refused slots "the launcher cannot start true" \
        GX_NODECHECK_LAUNCH="$MPIRUN -np 4096 --bind-to none --mca rmaps_base_oversubscribe 0"
    refused mpirun-option "the launcher cannot start true" \
        GX_NODECHECK_LAUNCH="$MPIRUN -np 2 --no-such-option"
    health_only=
else
    skip "too few slots: $MPIRUN is not Open MPI's"
    skip "an unknown option: $MPIRUN is not Open MPI's"
fi
nc context STUB_OUT="$fail" STUB_RC=8 SLURM_SCRIPT_CONTEXT=prolog_slurmctld
[ $? -eq 2 ] && not_drained && grep -q "SLURM_SCRIPT_CONTEXT 'prolog_slurmctld'" "$dir/context.err"
ok $? "run as PrologSlurmctld (on the controller): not checked, not drained"
env PATH="$bin:$PATH" bash "$script" prolog extra >"$dir/args.out" 2>&1
[ $? -eq 0 ] && grep -q "arguments 'prolog extra': expected at most one" "$dir/args.out"
ok $? "a second argument: not checked, exit 0 as Prolog"

# Programs are never found through relative PATH entries (slurmd sets no PATH, and bash's
# default ends in "."): a planted nvidia-smi in the folder it runs from is not run, the check
# runs from / with a PATH of absolute entries alone.
mkdir -p "$dir/cwd"
cat >"$dir/cwd/nvidia-smi" <<EOF
#!/bin/sh
: >"$dir/planted-ran"
EOF
chmod +x "$dir/cwd/nvidia-smi"
rm -f "$dir/stub.env"
(cd "$dir/cwd" && env -u SLURM_SCRIPT_CONTEXT PATH=".::$bin:$PATH:" FAKE_GPUS=2 \
    GX_NODECHECK_GPUXFER=gpuxfer-stub GX_NODECHECK_LAUNCH=env GX_NODECHECK_DIR="$logs" \
    GX_NODECHECK_EXPECT=2 STUB_OUT="$fail" STUB_RC=8 GX_NODECHECK_DRYRUN=1 bash "$script" \
    >"$dir/cwd.out" 2>"$dir/cwd.err")
[ ! -e "$dir/planted-ran" ] && grep -q "^PWD=/$" "$dir/stub.env" &&
    grep -q "^PATH=$bin:" "$dir/stub.env" && ! grep -Eq '^PATH=(.*:)?([^/:][^:]*)?(:|$)' "$dir/stub.env"
ok $? "a program in slurmd's folder is not found through PATH's '.' or empty entries; the check runs from / on a PATH of absolute entries alone" ||
    grep -E '^(PATH|PWD)=' "$dir/stub.env" | diag

# One check at a time: a check that finds another one's lock taken for half its time is not
# checked, not drained.
flock -o "$logs/lock-$node" sleep 600 &
holder=$!
i=0
while flock -n "$logs/lock-$node" true && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
nc locked STUB_OUT="$fail" STUB_RC=8 GX_NODECHECK_TIMEOUT=4
rc=$?
pkill -P "$holder" sleep; kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
[ $rc -eq 2 ] && not_drained && grep -q "another check held $logs/lock-$node" "$dir/locked.err"
ok $? "another check running: not checked, not drained ($rc): $(cat "$dir/locked.err")"

# The newest 50 runs are kept.
rm -rf "$logs"/*
i=0
while [ $i -lt 60 ]; do mkdir -p "$logs/$(printf '20000101T0000%02dZ-%s-1-health' $i "$node")"; i=$((i + 1)); done
nc keep STUB_OUT="PASS
"
[ "$(find "$logs" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 50 ] &&
    [ ! -e "$logs/20000101T000010Z-$node-1-health" ] &&
    [ -e "$logs/20000101T000011Z-$node-1-health" ] &&
    grep -q "PASS ($logs/[0-9]*T[0-9]*Z-$node-[0-9]*-health)" "$dir/keep.err"
ok $? "the newest 50 runs kept, the oldest removed" || { cat "$dir/keep.err"; ls "$logs" | head -n 3; ls "$logs" | wc -l; } | diag

# The real check on this machine, in the dry mode: no GPU here is a could-not-run (drained by
# default); on a GPU node PASS, or a FAIL drained.
cp "$GPUXFER" "$bin/gpuxfer"
nc real GX_NODECHECK_GPUXFER="$bin/gpuxfer" GX_NODECHECK_LAUNCH="$MPIRUN -np 2 $gx_mpirun_opts" \
    GX_NODECHECK_DRYRUN=1
rc=$?
if nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    [ $rc -eq 0 ] && { [ ! -s "$dir/real.out" ] || grep -q '^scontrol update nodename=' "$dir/real.out"; }
    ok $? "the real check on this GPU node: PASS, or the drain printed ($rc)" || diag <"$dir/real.err"
else
    [ $rc -eq 0 ] && not_drained &&
        [ "$(wc -l <"$dir/real.out")" -eq 1 ] &&
        grep -qx "scontrol update nodename=$node state=drain reason=\"gpuxfer could not run: [^\"]*\"" "$dir/real.out"
    # No GPU, or on a machine too busy to end even that within the box, stopped: could not run
    # either way (which of the two is the load's).
    ok $? "the real check without a GPU: the drain for 'could not run' printed ($rc): $(cat "$dir/real.out")" ||
        diag <"$dir/real.err"
fi
ls "$logs"/*/check.json >/dev/null 2>&1
ok $? "its report in its run's folder"
rm -rf "$dir" "$top"
done_testing
