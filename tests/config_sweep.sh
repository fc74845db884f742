#!/bin/bash
# The configuration-line parser shared by scripts/slurm/sweep-array.sbatch and
# scripts/gpuxfer-config-sweep (scripts/gx-config-line.sh): good lines, comments, bad tokens;
# both scripts give the same one-line error for a bad line; then gpuxfer-config-sweep end to end
# on the CPU: two configurations of the host path (shared memory vs TCP), a report each, and
# gpuxfer-compare naming the setting that differs.
. "$top_srcdir/tests/lib.sh"
# shellcheck source=scripts/gx-config-line.sh
. "$top_srcdir/scripts/gx-config-line.sh"
dir=$(mktemp -d "$TEST_TMP/config_sweep.XXXXXX")
sweep=$top_srcdir/scripts/gpuxfer-config-sweep

parses_to() { # LINE EXPECTED-WORDS...: GX_CFG after parsing LINE
    local line=$1; shift
    gx_config_parse "$line" "t:1" 2>"$dir/err" || return 1
    [ ! -s "$dir/err" ] && [ "${GX_CFG[*]}" = "$*" ] && [ ${#GX_CFG[@]} -eq $# ]
}
parses_to 'UCX_TLS=tcp' UCX_TLS=tcp
ok $? "one setting"
parses_to $'  NCCL_P2P_DISABLE=1\tNCCL_SHM_DISABLE=0  ' NCCL_P2P_DISABLE=1 NCCL_SHM_DISABLE=0
ok $? "settings separated by spaces and tabs, leading and trailing white space"
parses_to 'OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=10.0.0.0/24 _X9=' \
    OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=10.0.0.0/24 _X9=
ok $? "MCA parameters as OMPI_MCA_..., commas and slashes in values, an empty value"
# shellcheck disable=SC2016
parses_to 'A=*.json B=$HOME C="q" D=a=b E=x#y' 'A=*.json' 'B=$HOME' 'C="q"' D=a=b 'E=x#y'
ok $? "values literal: no glob, no expansion, quotes and '#' kept, '=' inside a value"
parses_to '# UCX_TLS=tcp' && parses_to '' && parses_to '   ' && parses_to $'\t# x=1 y'
ok $? "blank lines and '#' lines: no settings"
parses_to 'UCX_TLS=tcp  # the TCP transport' UCX_TLS=tcp
ok $? "a word starting with '#' ends the settings (a trailing comment)"

bad_line() { # LINE PATTERN: an error, one line naming t:1 and PATTERN
    gx_config_parse "$1" "t:1" 2>"$dir/err"
    [ $? -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && grep -q "^t:1: $2" "$dir/err"
}
r=0
for w in 1A=2 A =x A-B=1 'A.B=1' "x'=1"; do
    bad_line "OK=1 $w" "'$w' is not NAME=VALUE" || { r=1; echo "accepted or wrong error: $w" | diag; diag <"$dir/err"; }
done
ok $r "bad tokens (1A=2, A, =x, A-B=1, A.B=1, x'=1): one error line each, the token quoted"
bad_line 'A=1 B=2 A=3' 'A is set twice'
ok $? "a name set twice on one line is an error"

printf '# sweep\n\nUCX_TLS=tcp\n  # indented comment\nNCCL_P2P_DISABLE=1 NCCL_SHM_DISABLE=0\n' >"$dir/good.txt"
gx_config_read "$dir/good.txt" && [ ${#GX_CFG_LINES[@]} -eq 2 ] &&
    [ "${GX_CFG_LINENO[*]}" = "3 5" ] && [ "${GX_CFG_LINES[1]}" = "NCCL_P2P_DISABLE=1 NCCL_SHM_DISABLE=0" ]
ok $? "a sweep file: 2 configurations, at lines 3 and 5"
gx_config_parse "${GX_CFG_LINES[1]}" x && [ "$(gx_config_tag -)" = "NCCL_P2P_DISABLE-1_NCCL_SHM_DISABLE-0" ] &&
    [ "$(gx_config_tag =)" = "NCCL_P2P_DISABLE=1_NCCL_SHM_DISABLE=0" ]
ok $? "file-name labels: NAME-VALUE (Slurm) and NAME=VALUE (gpuxfer-config-sweep)"
printf 'UCX_TLS=tcp\n\n# c\nUCX_TLS=sm bad-token\n' >"$dir/bad.txt"
gx_config_read "$dir/bad.txt" 2>"$dir/err"
[ $? -eq 2 ] && [ "$(cat "$dir/err")" = "$dir/bad.txt:4: 'bad-token' is not NAME=VALUE (NAME: [A-Za-z_][A-Za-z0-9_]*; VALUE: no white space)" ]
ok $? "a bad line in a file: one error line with the file and line number" || diag <"$dir/err"

# Both scripts read the bad file the same way: the same line, after their own name.
"$sweep" -o "$dir/bad-out" "$dir/bad.txt" -- --sizes 8 >"$dir/out" 2>"$dir/err"
[ $? -eq 2 ] && [ "$(cat "$dir/err")" = "gpuxfer-config-sweep: $dir/bad.txt:4: 'bad-token' is not NAME=VALUE (NAME: [A-Za-z_][A-Za-z0-9_]*; VALUE: no white space)" ] &&
    [ ! -e "$dir/bad-out" ]
ok $? "gpuxfer-config-sweep: exit 2 and that line; nothing run" || diag <"$dir/err"
(cd "$dir" && SLURM_ARRAY_TASK_ID=0 GX_SWEEP="$dir/bad.txt" GX_SCRIPTS="$top_srcdir/scripts/slurm" \
    bash "$top_srcdir/scripts/slurm/sweep-array.sbatch") >"$dir/out" 2>"$dir/err"
[ $? -eq 2 ] && [ "$(cat "$dir/err")" = "sweep-array.sbatch: $dir/bad.txt:4: 'bad-token' is not NAME=VALUE (NAME: [A-Za-z_][A-Za-z0-9_]*; VALUE: no white space)" ]
ok $? "sweep-array.sbatch: exit 2 and the same line" || diag <"$dir/err"
# A good line: task 1 gets configuration 1's settings and label (then the template refuses the
# launcher, so nothing runs without Slurm).
(cd "$dir" && SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_JOB_ID=77 GX_SWEEP="$dir/good.txt" GX_LAUNCHER=none \
    GX_OUTDIR="$dir/sb" GX_SCRIPTS="$top_srcdir/scripts/slurm" GPUXFER=/bin/true \
    bash "$top_srcdir/scripts/slurm/sweep-array.sbatch") >"$dir/out" 2>&1
grep -q '^gpuxfer sweep: array task 1: NCCL_P2P_DISABLE=1 NCCL_SHM_DISABLE=0$' "$dir/out" &&
    grep -q "report $dir/sb/gpuxfer-77-1-NCCL_P2P_DISABLE-1_NCCL_SHM_DISABLE-0.json$" "$dir/out"
ok $? "sweep-array.sbatch: array task 1 runs configuration 1 (the 2nd configuration line), its label in the report name" ||
    diag <"$dir/out"

# Usage errors: one line, exit 2.
r=0
for args in "" "-n" "-n 0 $dir/good.txt" "-x $dir/good.txt" "$dir/good.txt --sizes 8" "$dir/none.txt" \
    "-- --sizes 8"; do
    # shellcheck disable=SC2086
    "$sweep" $args >/dev/null 2>"$dir/err"
    [ $? -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && grep -q '^gpuxfer-config-sweep: ' "$dir/err" ||
        { r=1; echo "args: '$args'" | diag; diag <"$dir/err"; }
done
ok $r "gpuxfer-config-sweep: bad usage is one line and exit 2"
"$sweep" --dry-run "$dir/good.txt" >"$dir/out" 2>&1 &&
    [ "$(cat "$dir/out")" = "$(printf '%s\n' 'cfg-0-UCX_TLS=tcp.json: UCX_TLS=tcp' \
        'cfg-1-NCCL_P2P_DISABLE=1_NCCL_SHM_DISABLE=0.json: NCCL_P2P_DISABLE=1 NCCL_SHM_DISABLE=0')" ]
ok $? "--dry-run: each configuration's report name and settings" || diag <"$dir/out"

# End to end: shared memory vs TCP, one report each, then the comparison.
printf '# host path: shared memory, then TCP\nOMPI_MCA_btl=self,vader\nOMPI_MCA_btl=self,tcp  # loopback\n' \
    >"$dir/btl.txt"
MPIRUN_ARGS="--oversubscribe --bind-to none --mca mpi_yield_when_idle 1" GX_JOB_TIMEOUT=180 \
    "$sweep" -n 2 -o "$dir/run" -m "$MPIRUN" "$dir/btl.txt" -- --pattern latency,bw --sizes 8,64K \
    --iters 20 --samples --quiet >"$dir/out" 2>&1
r=$?; ok $r "gpuxfer-config-sweep -n 2 over 2 configurations: exit 0"; [ $r -eq 0 ] || diag <"$dir/out"
a=$dir/run/cfg-0-OMPI_MCA_btl=self_vader.json b=$dir/run/cfg-1-OMPI_MCA_btl=self_tcp.json
check_report "$a" --ranks 2 --patterns latency,bw --sizes 2 && check_report "$b" --ranks 2 --patterns latency,bw --sizes 2
ok $? "a valid report per configuration, named after its index and settings"
py_check "$a" "$b" <<'PY'
import json, sys
for f, want in zip(sys.argv[1:], ("self,vader", "self,tcp")):
    env = json.load(open(f))["context"]["ranks"][1]["env"]
    assert env.get("OMPI_MCA_btl") == want, (f, env.get("OMPI_MCA_btl"))
PY
ok $? "each job ran with its line's settings in its environment (OMPI_MCA_btl on every rank)"
[ -s "$dir/run/compare.txt" ] && grep -q '^env.OMPI_MCA_btl:$' "$dir/run/compare.txt" &&
    grep -q '^  A: self,vader$' "$dir/run/compare.txt" && grep -q '^  B: self,tcp$' "$dir/run/compare.txt" &&
    grep -q '^# path host, memory pageable -> pageable, pattern bw' "$dir/run/compare.txt" &&
    grep -q '^env.OMPI_MCA_btl:$' "$dir/out"
ok $? "compare.txt: gpuxfer-compare of both, naming the differing setting (also on stdout)" ||
    diag <"$dir/out"

rm -rf "$dir"
done_testing
