#!/bin/sh
# scripts/slurm/gpuxfer-nodecheck.sh without Slurm: a stand-in scontrol first on PATH records what
# it is asked, a stand-in gpuxfer (run through `env` as the launcher) prints a verdict and exits
# as told; each of gpuxfer --check's outcomes in each role (Prolog, Epilog, HealthCheckProgram):
# PASS, FAIL (drained with its reason), could not run (drained, or not with
# GX_NODECHECK_ON_ERROR=ignore), bad input (never drained), a timeout; the dry mode printing the
# scontrol command; and one real gpuxfer --check on this machine in the dry mode.
. "$top_srcdir/tests/lib.sh"
script=$top_srcdir/scripts/slurm/gpuxfer-nodecheck.sh
dir=$(mktemp -d "$TEST_TMP/nodecheck_slurm.XXXXXX")
node=$(hostname -s)
mkdir -p "$dir/bin"
cat >"$dir/bin/scontrol" <<EOF
#!/bin/sh
for a in "\$@"; do printf '[%s]' "\$a"; done >>"$dir/scontrol.args"
echo >>"$dir/scontrol.args"
EOF
# The stand-in gpuxfer: STUB_OUT's text on stdout (a table line first), STUB_RC its exit status,
# STUB_SLEEP seconds first; its arguments recorded.
cat >"$dir/bin/gpuxfer-stub" <<EOF
#!/bin/sh
echo "\$*" >"$dir/stub.args"
sleep "\${STUB_SLEEP:-0}"
echo "# a table line"
printf '%s' "\${STUB_OUT:-}"
exit "\${STUB_RC:-0}"
EOF
chmod +x "$dir/bin/scontrol" "$dir/bin/gpuxfer-stub"

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
    rm -f "$dir/scontrol.args"
    env -u SLURM_SCRIPT_CONTEXT -u GX_NODECHECK_MODE PATH="$dir/bin:$PATH" \
        GX_NODECHECK_GPUXFER=gpuxfer-stub GX_NODECHECK_LAUNCH=env GX_NODECHECK_NP=2 \
        GX_NODECHECK_DIR="$dir/logs" "$@" bash "$script" >"$dir/$name.out" 2>"$dir/$name.err"
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
grep -q -- "--check --quiet --output $dir/logs/check-$node-.*\.json" "$dir/stub.args"
ok $? "gpuxfer is run with --check, its report in GX_NODECHECK_DIR: $(cat "$dir/stub.args")"

fail='FAIL reason="gpuxfer: GPU 0000:00:07.0 rank 1: 1 NVLink down, 11 of 12 active"
'
reason="gpuxfer: GPU 0000:00:07.0 rank 1: 1 NVLink down, 11 of 12 active"
nc health STUB_OUT="$fail" STUB_RC=8
rc=$?
[ $rc -eq 0 ] && drained "$reason"
ok $? "FAIL as HealthCheckProgram (no SLURM_SCRIPT_CONTEXT): drained with the reason, exit 0 ($rc): $(cat "$dir/scontrol.args")"
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
nc slow STUB_SLEEP=30 STUB_RC=0 GX_NODECHECK_TIMEOUT=1
rc=$?
[ $rc -eq 0 ] && drained "gpuxfer could not run: timed out after 1 s"
ok $? "a check past GX_NODECHECK_TIMEOUT: stopped, drained as timed out ($rc)"
nc bad STUB_RC=2 GX_NODECHECK_MODE=prolog
rc=$?
[ $rc -eq 0 ] && not_drained && grep -q "bad input (not drained)" "$dir/bad.err"
ok $? "bad input (exit 2): never drained, exit 0 even as Prolog ($rc)"
nc evil STUB_OUT='FAIL reason="gpuxfer: a;b$(c)`d` e"
' STUB_RC=8
drained "gpuxfer: a b c d e"
ok $? "a reason with shell characters is made safe again before scontrol: $(cat "$dir/scontrol.args")"
rm -f "$dir/stub.args"
nc missing STUB_OUT="PASS
" GX_NODECHECK_EXPECT=8 GX_NODECHECK_MODE=prolog
rc=$?
[ $rc -eq 1 ] && drained "gpuxfer-nodecheck: 2 of 8 GPUs listed" && [ ! -e "$dir/stub.args" ]
ok $? "GX_NODECHECK_EXPECT=8 with 2 GPUs: drained before any check, exit 1 as Prolog ($rc)"
rm -f "$dir/stub.args"
nc expected STUB_OUT="PASS
" GX_NODECHECK_EXPECT=2
[ $? -eq 0 ] && not_drained
ok $? "GX_NODECHECK_EXPECT=2 with 2 GPUs: checked, PASS"
nc badmode GX_NODECHECK_MODE=sometimes
[ $? -eq 0 ] && not_drained && grep -q "expected prolog, epilog or health" "$dir/badmode.err"
ok $? "an unknown mode: said, not drained, exit 0"

# The real check on this machine, in the dry mode: no GPU here is a could-not-run (drained by
# default); on a GPU node PASS, or a FAIL drained.
nc real GX_NODECHECK_GPUXFER="$GPUXFER" GX_NODECHECK_LAUNCH="$MPIRUN -np 2 $gx_mpirun_opts" \
    GX_NODECHECK_DRYRUN=1
rc=$?
if nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    [ $rc -eq 0 ] && { [ ! -s "$dir/real.out" ] || grep -q '^scontrol update nodename=' "$dir/real.out"; }
    ok $? "the real check on this GPU node: PASS, or the drain printed ($rc)" || diag <"$dir/real.err"
else
    [ $rc -eq 0 ] && not_drained &&
        [ "$(wc -l <"$dir/real.out")" -eq 1 ] &&
        grep -qx "scontrol update nodename=$node state=drain reason=\"gpuxfer could not run: no GPU on rank 0: [^\"]*\"" "$dir/real.out"
    ok $? "the real check without a GPU: the drain for 'could not run' printed ($rc): $(cat "$dir/real.out")" ||
        diag <"$dir/real.err"
fi
ls "$dir"/logs/check-"$node"-*.json >/dev/null 2>&1
ok $? "its report and log in GX_NODECHECK_DIR"
rm -rf "$dir"
done_testing
