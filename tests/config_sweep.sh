#!/bin/bash
# The configuration-line parser shared by scripts/slurm/sweep-array.sbatch and
# scripts/gpuxfer-report sweep (scripts/gx-config-line.sh): good lines, comments, bad tokens;
# both scripts give the same one-line error for a bad line; the replicates' order (rounds,
# interleaved or shuffled by a seed) and grouping (a folder per configuration, the manifest),
# with a fake gpuxfer and mpirun, in both scripts; then gpuxfer-report sweep end to end on the
# CPU: two configurations of the host path (shared memory vs TCP), two runs each, and
# gpuxfer-report compare of the sweep naming the setting that differs.
. "$top_srcdir/tests/lib.sh"
# shellcheck source=scripts/gx-config-line.sh
. "$top_srcdir/scripts/gx-config-line.sh"
dir=$(mktemp -d "$TEST_TMP/config_sweep.XXXXXX")
sweep() { gx_report sweep "$@"; }

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
ok $? "file-name labels: NAME-VALUE (Slurm) and NAME=VALUE (gpuxfer-report sweep)"
printf 'UCX_TLS=tcp\n\n# c\nUCX_TLS=sm bad-token\n' >"$dir/bad.txt"
gx_config_read "$dir/bad.txt" 2>"$dir/err"
[ $? -eq 2 ] && [ "$(cat "$dir/err")" = "$dir/bad.txt:4: 'bad-token' is not NAME=VALUE (NAME: [A-Za-z_][A-Za-z0-9_]*; VALUE: no white space)" ]
ok $? "a bad line in a file: one error line with the file and line number" || diag <"$dir/err"

# Both scripts read the bad file the same way: the same line, after their own name.
sweep -o "$dir/bad-out" "$dir/bad.txt" -- --sizes 8 >"$dir/out" 2>"$dir/err"
[ $? -eq 2 ] && [ "$(cat "$dir/err")" = "gpuxfer-report sweep: $dir/bad.txt:4: 'bad-token' is not NAME=VALUE (NAME: [A-Za-z_][A-Za-z0-9_]*; VALUE: no white space)" ] &&
    [ ! -e "$dir/bad-out" ]
ok $? "gpuxfer-report sweep: exit 2 and that line; nothing run" || diag <"$dir/err"
# Its numbers with their range, as every shell tool's (gx_whole): past 9 digits too, where the
# shell's test(1) would print an error of its own.
for np in 0 99999999999999999999; do
    sweep -n $np -o "$dir/n-out" "$dir/good.txt" -- --sizes 8 >"$dir/out" 2>"$dir/err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(cat "$dir/err")" = "gpuxfer-report sweep: -n '$np' is out of range (expected a number of ranks: 1..999999999)" ] &&
        [ ! -e "$dir/n-out" ]
    ok $? "gpuxfer-report sweep -n $np: exit 2, one line with the range (exit $rc)" || diag <"$dir/err"
done
(cd "$dir" && SLURM_ARRAY_TASK_ID=0 GX_SWEEP="$dir/bad.txt" GX_SCRIPTS="$top_srcdir/scripts/slurm" \
    bash "$top_srcdir/scripts/slurm/sweep-array.sbatch") >"$dir/out" 2>"$dir/err"
[ $? -eq 2 ] && [ "$(cat "$dir/err")" = "sweep-array.sbatch: $dir/bad.txt:4: 'bad-token' is not NAME=VALUE (NAME: [A-Za-z_][A-Za-z0-9_]*; VALUE: no white space)" ]
ok $? "sweep-array.sbatch: exit 2 and the same line" || diag <"$dir/err"
# A good line: task 1 gets configuration 1's settings and label (then the template refuses the
# launcher, so nothing runs without Slurm).
(cd "$dir" && SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_JOB_ID=77 GX_SWEEP="$dir/good.txt" GX_LAUNCHER=none \
    GX_OUTDIR="$dir/sb" GX_SCRIPTS="$top_srcdir/scripts/slurm" GPUXFER=/bin/true \
    bash "$top_srcdir/scripts/slurm/sweep-array.sbatch") >"$dir/out" 2>&1
grep -q '^gpuxfer sweep: array task 1: configuration 1 replicate 1: NCCL_P2P_DISABLE=1 NCCL_SHM_DISABLE=0$' "$dir/out" &&
    grep -q "report $dir/sb/sweep-77/cfg-1-NCCL_P2P_DISABLE-1_NCCL_SHM_DISABLE-0/gpuxfer-77-1-run1.json$" "$dir/out"
ok $? "sweep-array.sbatch: array task 1 runs configuration 1 (the 2nd configuration line), in its configuration's folder" ||
    diag <"$dir/out"
# Parts of the report's name from the environment (the job id, the array's, GX_TAG) with '/' or
# '../' in them: replaced as gpuxfer cleans its own name, the report stays in GX_OUTDIR.
(cd "$dir" && SLURM_JOB_ID='../../up' GX_TAG='../x/y' GX_LAUNCHER=none GX_OUTDIR="$dir/tpl" \
    GPUXFER=/bin/true bash "$top_srcdir/scripts/slurm/gpuxfer.sbatch") >"$dir/out" 2>&1
grep -q "report $dir/tpl/gpuxfer-.._.._up-.._x_y.json$" "$dir/out"
ok $? "gpuxfer.sbatch: SLURM_JOB_ID and GX_TAG with '../': the report's name cleaned, in GX_OUTDIR" ||
    diag <"$dir/out"
(cd "$dir" && SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_JOB_ID='../../up' GX_SWEEP="$dir/good.txt" \
    GX_LAUNCHER=none GX_OUTDIR="$dir/sb2" GX_SCRIPTS="$top_srcdir/scripts/slurm" GPUXFER=/bin/true \
    bash "$top_srcdir/scripts/slurm/sweep-array.sbatch") >"$dir/out" 2>&1
grep -q "report $dir/sb2/sweep-.._.._up/cfg-1-[^/]*/gpuxfer-.._.._up-1-run1.json$" "$dir/out"
ok $? "sweep-array.sbatch: SLURM_ARRAY_JOB_ID with '../': its folder and name cleaned, in GX_OUTDIR" ||
    diag <"$dir/out"
(cd "$dir" && SLURM_ARRAY_TASK_ID='1' SLURM_ARRAY_JOB_ID='/abs' GX_TAG='/etc/x' GX_LAUNCHER=none \
    GX_OUTDIR="$dir/tpl" GPUXFER=/bin/true bash "$top_srcdir/scripts/slurm/gpuxfer.sbatch") \
    >"$dir/out" 2>&1
grep -q "report $dir/tpl/gpuxfer-_abs-1-_etc_x.json$" "$dir/out" && [ ! -e "$dir/up" ] &&
    [ ! -e "$dir/../up" ] && [ ! -e "$dir/x" ]
ok $? "gpuxfer.sbatch: an absolute SLURM_ARRAY_JOB_ID and GX_TAG cleaned too; nothing outside GX_OUTDIR" ||
    diag <"$dir/out"
# What the template echoes from the environment into the job's log (the node list, the launcher,
# the options, a GX_ARGS_FILE it cannot read) has no control character: each is a '?'.
esc="x$(printf '\033')]0;T$(printf '\007')y$(printf '\342\200\256')z$(printf '\302\233')w"
(cd "$dir" && SLURM_JOB_ID=5 SLURM_JOB_NODELIST="$esc" GX_ARGS="--name $esc" GX_LAUNCHER="$esc" \
    GX_OUTDIR="$dir/tpl" GPUXFER=/bin/true bash "$top_srcdir/scripts/slurm/gpuxfer.sbatch"
    GX_ARGS_FILE="$dir/no/$esc" bash "$top_srcdir/scripts/slurm/gpuxfer.sbatch") >"$dir/out" 2>&1
grep -q "^gpuxfer: job 5 on x?\]0;T?y?z?w, launcher x?\]0;T?y?z?w, report $dir/tpl/gpuxfer-5.json$" "$dir/out" &&
    grep -q "^gpuxfer: options --name x?\]0;T?y?z?w$" "$dir/out" &&
    grep -q "^gpuxfer.sbatch: GX_LAUNCHER=x?\]0;T?y?z?w: expected srun or mpirun$" "$dir/out" &&
    grep -q "^gpuxfer.sbatch: cannot read GX_ARGS_FILE '$dir/no/x?\]0;T?y?z?w'$" "$dir/out" &&
    ! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177\233\256]')" "$dir/out"
ok $? "gpuxfer.sbatch: escape sequences and bidi controls from the environment shown as '?' in its log" ||
    diag <"$dir/out"
# The array task's index is arithmetic in the script: a number, checked before any use, since
# bash would run a command in 'x[$(...)]' while evaluating it, and '../1' is no index.
for t in '../1' 'x[$(touch '"$dir"'/ran)]' '-1' ''; do
    (cd "$dir" && SLURM_ARRAY_TASK_ID=$t SLURM_ARRAY_JOB_ID=78 GX_SWEEP="$dir/good.txt" \
        GX_LAUNCHER=none GX_OUTDIR="$dir/sb3" GX_SCRIPTS="$top_srcdir/scripts/slurm" \
        GPUXFER=/bin/true bash "$top_srcdir/scripts/slurm/sweep-array.sbatch") >"$dir/out" 2>&1
    rc=$?
    case $t in
    '') want='SLURM_ARRAY_TASK_ID: run this with sbatch --array' ;;
    *) want="sweep-array.sbatch: SLURM_ARRAY_TASK_ID '.*': expected the array task's index" ;;
    esac
    [ $rc -eq 2 ] || [ -z "$t" ] && [ $rc -ne 0 ]
    [ $? -eq 0 ] && [ "$(wc -l <"$dir/out")" -eq 1 ] && grep -q "$want" "$dir/out" &&
        [ ! -e "$dir/ran" ] && [ ! -e "$dir/sb3" ]
    ok $? "sweep-array.sbatch: SLURM_ARRAY_TASK_ID '$t': one line, exit $rc, nothing run or made" ||
        diag <"$dir/out"
done
# Replicates: task t runs configuration t mod N as replicate t / N + 1 (2 lines, 3 replicates by
# default: tasks 0-5, A B A B A B); task 6 has no run.
sbatch_task() { # TASK [VAR=VALUE...]: the template's output for that array task
    local t=$1; shift
    (cd "$dir" && env SLURM_ARRAY_TASK_ID="$t" SLURM_ARRAY_JOB_ID=77 GX_SWEEP="$dir/good.txt" GX_LAUNCHER=none \
        GX_OUTDIR="$dir/sb" GX_SCRIPTS="$top_srcdir/scripts/slurm" GPUXFER=/bin/true "$@" \
        bash "$top_srcdir/scripts/slurm/sweep-array.sbatch") >"$dir/out" 2>&1
}
r=0
for t in 0 1 2 3 4 5; do
    sbatch_task $t
    want="configuration $((t % 2)) replicate $((t / 2 + 1)):"
    grep -q "^gpuxfer sweep: array task $t: $want" "$dir/out" &&
        grep -q "report $dir/sb/sweep-77/cfg-$((t % 2))-[^/]*/gpuxfer-77-$t-run$((t / 2 + 1)).json$" "$dir/out" ||
        { r=1; echo "task $t: want $want" | diag; diag <"$dir/out"; }
done
ok $r "sweep-array.sbatch: tasks 0-5 run configurations 0 1 0 1 0 1 as replicates 1 1 2 2 3 3, each in its configuration's folder"
sbatch_task 6
[ $? -eq 2 ] && grep -q '^sweep-array.sbatch: no run for array task 6 (2 configurations in .* x 3 replicates: tasks 0-5)$' "$dir/out"
ok $? "sweep-array.sbatch: task 6 of 2 configurations x 3 replicates: exit 2, the tasks named" || diag <"$dir/out"
sbatch_task 3 GX_REPLICATES=2; grep -q "^gpuxfer sweep: array task 3: configuration 1 replicate 2:" "$dir/out" &&
    { sbatch_task 1 GX_REPLICATES=0; [ $? -eq 2 ]; } && grep -q "GX_REPLICATES '0': expected a number" "$dir/out"
ok $? "sweep-array.sbatch: GX_REPLICATES=2 (task 3: configuration 1, replicate 2); GX_REPLICATES=0 refused" || diag <"$dir/out"

# Usage errors: one line, exit 2.
r=0
for args in "" "-n" "-n 0 $dir/good.txt" "-x $dir/good.txt" "$dir/good.txt --sizes 8" "$dir/none.txt" \
    "-- --sizes 8" "-r 0 $dir/good.txt" "-r x $dir/good.txt" "-r" "--seed -1 $dir/good.txt" \
    "--seed 1.5 $dir/good.txt" "--seed"; do
    # shellcheck disable=SC2086
    sweep $args >/dev/null 2>"$dir/err"
    [ $? -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && grep -q '^gpuxfer-report sweep: ' "$dir/err" ||
        { r=1; echo "args: '$args'" | diag; diag <"$dir/err"; }
done
ok $r "gpuxfer-report sweep: bad usage is one line and exit 2"
sweep --dry-run -r 1 "$dir/good.txt" >"$dir/out" 2>&1 &&
    [ "$(cat "$dir/out")" = "$(printf '%s\n' 'cfg-0-UCX_TLS=tcp/run1.json: UCX_TLS=tcp' \
        'cfg-1-NCCL_P2P_DISABLE=1_NCCL_SHM_DISABLE=0/run1.json: NCCL_P2P_DISABLE=1 NCCL_SHM_DISABLE=0')" ]
ok $? "--dry-run -r 1: each configuration's report (a folder per configuration) and settings" || diag <"$dir/out"

# The run order: 3 configurations, by default 3 replicates in rounds A B C A B C A B C.
printf 'X=a\nX=b\nX=c\n' >"$dir/abc.txt"
order() { sweep --dry-run "$@" "$dir/abc.txt" | sed 's/^cfg-\([0-9]\)-X=.\/run\([0-9]*\)\.json: X=.$/\1.\2/' | tr '\n' ' '; }
[ "$(order)" = "0.1 1.1 2.1 0.2 1.2 2.2 0.3 1.3 2.3 " ]
ok $? "default: 3 replicates, interleaved: A B C A B C A B C ($(order))"
[ "$(order -r 2)" = "0.1 1.1 2.1 0.2 1.2 2.2 " ]
ok $? "-r 2: A B C A B C"
# With a seed: every round is each configuration once, replicate k before k+1; the same seed
# gives the same order; over 8 rounds the order is not always A B C.
seeded=$(order -r 8 --seed 11)
"$PYTHON" - "$seeded" <<'PY'
import sys
runs = [tuple(map(int, w.split("."))) for w in sys.argv[1].split()]
assert len(runs) == 24, runs
rounds = [runs[i:i + 3] for i in range(0, 24, 3)]
for k, rnd in enumerate(rounds, 1):
    assert sorted(c for c, _ in rnd) == [0, 1, 2] and {r for _, r in rnd} == {k}, (k, rnd)
assert any([c for c, _ in rnd] != [0, 1, 2] for rnd in rounds), rounds
PY
ok $? "--seed 11 -r 8: each round a shuffle of A B C, not always in order ($seeded)"
[ "$(order -r 8 --seed 11)" = "$seeded" ] && [ "$(order -r 8 --seed 12)" != "$seeded" ]
ok $? "--seed: the same seed, the same order; another seed, another order"

# Grouping, with a fake mpirun (drops -np N and MPIRUN_ARGS' one word) and a fake gpuxfer that
# logs its configuration and writes a copy of a constructed report where --output says;
# configuration b's second run fails.
cat >"$dir/fake-mpirun" <<'SH'
#!/bin/sh
shift 3
exec "$@"
SH
cat >"$dir/fake-gpuxfer" <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = --output ] && out=$2; shift; done
echo "$X ${out##*/}" >>"$FAKE_LOG"
case "$X $out" in "b "*/run2.json) echo "fake failure" >&2; exit 3 ;; esac
# each run's report its own (compare refuses one report given twice): its start time
r=${out##*/run}; m=$(printf %s "$X" | od -An -tu1 | tr -d ' ')
sed "s/\"start_time\": *\"[^\"]*\"/\"start_time\": \"2026-01-01T00:$((m % 60)):0${r%.json}Z\"/" \
    "$FAKE_REPORT" >"$out"
SH
chmod +x "$dir/fake-mpirun" "$dir/fake-gpuxfer"
FAKE_LOG=$dir/fake.log FAKE_REPORT=$top_srcdir/tests/reports/base.json MPIRUN_ARGS=--oversubscribe \
    GPUXFER=$dir/fake-gpuxfer PYTHON=$PYTHON sweep -n 2 -r 2 --seed 4 -o "$dir/fake" -m "$dir/fake-mpirun" \
    "$dir/abc.txt" -- --sizes 8 >"$dir/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q '^gpuxfer-report sweep: configuration 1 replicate 2: exit 3 ' "$dir/out"
ok $? "fake runs: b's second run failed: named, exit 1" || diag <"$dir/out"
[ "$(awk '{r = $2; gsub(/[^0-9]/, "", r); printf "%d.%s ", index("abc", $1) - 1, r}' "$dir/fake.log")" = "$(order -r 2 --seed 4)" ]
ok $? "fake runs: they ran in the order --dry-run printed" || diag <"$dir/fake.log"
py_check "$dir/fake" "$(order -r 2 --seed 4)" <<'PY'
import json, os, sys
folder, order = sys.argv[1], [tuple(map(int, w.split("."))) for w in sys.argv[2].split()]
m = json.load(open(os.path.join(folder, "manifest.json")))
assert m["manifest_version"] == 1 and m["replicates"] == 2 and m["seed"] == 4, m
assert m["order"] == "shuffled" and m["ranks"] == 2 and m["gpuxfer_args"] == ["--sizes", "8"], m
assert [(s["configuration"], s["replicate"]) for s in m["sequence"]] == order, m["sequence"]
names = ["cfg-0-X=a", "cfg-1-X=b", "cfg-2-X=c"]
assert [c["folder"] for c in m["configurations"]] == names, m["configurations"]
assert [c["settings"] for c in m["configurations"]] == [["X=a"], ["X=b"], ["X=c"]]
for i, c in enumerate(m["configurations"]):
    assert [r["replicate"] for r in c["runs"]] == [1, 2], c
    for r in c["runs"]:
        assert r["report"] == f"{names[i]}/run{r['replicate']}.json", r
        assert r["exit"] == (3 if (i, r["replicate"]) == (1, 2) else 0), r
        assert order[r["sequence"] - 1] == (i, r["replicate"]), r
        assert os.path.exists(os.path.join(folder, r["report"])) == (r["exit"] == 0), r
        assert os.path.exists(os.path.join(folder, r["output"])), r
PY
ok $? "fake runs: manifest.json: seed, order, a folder per configuration, each run's report, output and exit status"
grep -q "^# A: $dir/fake/cfg-0-X=a (2 runs): X=a$" "$dir/fake/compare.txt" &&
    grep -q "^# B: $dir/fake/cfg-1-X=b (1 run): X=b$" "$dir/fake/compare.txt" &&
    grep -q "^# C: $dir/fake/cfg-2-X=c (2 runs): X=c$" "$dir/fake/compare.txt"
ok $? "fake runs: compare.txt compares the configurations, each with the runs that left a report" ||
    diag <"$dir/fake/compare.txt"

# End to end: shared memory vs TCP, two runs each, then the comparison.
printf '# host path: shared memory, then TCP\nOMPI_MCA_btl=self,vader\nOMPI_MCA_btl=self,tcp  # loopback\n' \
    >"$dir/btl.txt"
# TCP over loopback: Open MPI's TCP BTL leaves lo out by default and would use the machine's
# network, which a test of one host needs not be able to reach.
OMPI_MCA_btl_tcp_if_include=lo \
MPIRUN_ARGS="--oversubscribe --bind-to none --mca mpi_yield_when_idle 1" GX_JOB_TIMEOUT=180 \
    sweep -n 2 -r 2 -o "$dir/run" -m "$MPIRUN" "$dir/btl.txt" -- --pattern latency,bw --sizes 8,64K \
    --iters 20 --quiet >"$dir/out" 2>&1
r=$?; ok $r "gpuxfer-report sweep -n 2 -r 2 over 2 configurations: exit 0"; [ $r -eq 0 ] || diag <"$dir/out"
a=$dir/run/cfg-0-OMPI_MCA_btl=self_vader b=$dir/run/cfg-1-OMPI_MCA_btl=self_tcp
r=0
for f in "$a/run1.json" "$a/run2.json" "$b/run1.json" "$b/run2.json"; do
    check_report "$f" --ranks 2 --patterns latency,bw --sizes 2 || r=1
done
ok $r "a valid report per run, in a folder per configuration named after its index and settings"
py_check "$a" "$b" <<'PY'
import json, sys
for f, want in zip(sys.argv[1:], ("self,vader", "self,tcp")):
    for k in (1, 2):
        env = json.load(open(f"{f}/run{k}.json"))["context"]["ranks"][1]["env"]
        assert env.get("OMPI_MCA_btl") == want, (f, k, env.get("OMPI_MCA_btl"))
PY
ok $? "each job ran with its line's settings in its environment (OMPI_MCA_btl on every rank)"
# (the A line read without its line ends: past 100 columns, as a long test folder makes it,
# it wraps)
[ -s "$dir/run/compare.txt" ] && grep -q '^env.OMPI_MCA_btl:$' "$dir/run/compare.txt" &&
    grep -q '^  A: self,vader$' "$dir/run/compare.txt" && grep -q '^  B: self,tcp$' "$dir/run/compare.txt" &&
    grep -q '^# path host, memory pageable -> pageable, pattern bw' "$dir/run/compare.txt" &&
    tr -d ' \n#' <"$dir/run/compare.txt" | grep -qF "A:$a(2runs):OMPI_MCA_btl=self,vader" &&
    ! grep -q '^command_line:' "$dir/run/compare.txt" && grep -q '^env.OMPI_MCA_btl:$' "$dir/out"
ok $? "compare.txt: gpuxfer-report compare of the sweep's folder, 2 runs a configuration, naming the differing setting (not the report names)" ||
    diag <"$dir/out"

rm -rf "$dir"
done_testing
