#!/bin/sh
# What a newcomer meets first: --help fits 80 columns and is grouped (the everyday options
# first, testing options only in --help-all), states each default once, -h is --help; the
# messages for common first mistakes name what the user typed; without a GPU the plan scenario
# measures the host paths, its skips say what tells them apart, each once, and a job without a
# GPU says so once.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/help.XXXXXX")

gx_mpirun 1 --help >"$dir/help" 2>"$dir/help.err"
ok $? "--help exits 0" || diag <"$dir/help.err"
gx_mpirun 1 --help-all >"$dir/all" 2>"$dir/all.err"
ok $? "--help-all exits 0"
wide=$(awk 'length > 80 { print FILENAME ": " length ": " $0 }' "$dir/help" "$dir/all")
[ -z "$wide" ] && [ -s "$dir/help" ]
ok $? "--help and --help-all fit 80 columns ($(wc -l <"$dir/help") and $(wc -l <"$dir/all") lines)" ||
    echo "$wide" | diag
# A number the text takes from a macro (GX_STR) whose header is not included reads as its name.
! grep 'GX_[A-Z_]' "$dir/all" >"$dir/macros"
ok $? "--help-all names no macro where a number belongs" || diag <"$dir/macros"

# The groups, in this order, and the options a newcomer needs in the first ones.
order=$(grep -nE '^(What to measure|Where to write|How long|Tuning|Reliability|Information):$' \
    "$dir/help" | cut -d: -f2 | tr '\n' '|')
[ "$order" = "What to measure|Where to write|How long|Tuning|Reliability|Information|" ]
ok $? "--help's groups in order: what to measure, where to write, how long, tuning, reliability ($order)"
group_of() { # the title of the group that lists option $1 in file $2 (after its letter: -m, --sizes)
    awk -v o="  $1" '{ l = $0; sub(/^  -[a-z], /, "  ", l) }
        index(l, o) == 1 && substr(l, length(o) + 1, 1) ~ /[ ,]|^$/ { print g; exit }
        /^[A-Z][^:]*:$/ { g = $0 }' "$2"
}
bad=""
for pair in path:What sizes:What pattern:What output:Where format:Where iters:How timeout:How \
    chunk:Tuning window:Tuning validate:Reliability; do
    g=$(group_of "--${pair%%:*}" "$dir/help")
    case $g in "${pair#*:}"*) ;; *) bad="$bad --${pair%%:*}:'$g'" ;; esac
done
[ -z "$bad" ]
ok $? "the everyday options sit in their groups" || echo "misplaced:$bad" | diag
! grep -qE '^  --(fake-gpus|topology-xml|list)' "$dir/help" &&
    grep -q '^  --fake-gpus' "$dir/all" && grep -q '^  --topology-xml' "$dir/all" &&
    [ "$(group_of --fake-gpus "$dir/all")" = "Testing and shell completion:" ]
ok $? "testing options only in --help-all, in its last group"
# Where a --scenario NAME is read from, the current folder first, and what the report says of it.
tr -s ' \n' ' ' <"$dir/all" | grep -q "a NAME that is a file in the current folder (yours or root's" &&
    tr -s ' \n' ' ' <"$dir/all" | grep -q "names the file read (its real path) and its SHA-256"
ok $? "--help-all: --scenario NAME read from the current folder first, the report naming the file"
# The launcher is not gpuxfer's to bound: --help-all says who bounds one that hangs.
tr -s ' \n' ' ' <"$dir/all" | grep -q "bounds its own processes (--timeout, .*), not the launcher" &&
    tr -s ' \n' ' ' <"$dir/all" | grep -q "ignoring SIGTERM and its own --timeout): bound it from outside with a SIGKILL to follow, timeout -k 10 SECONDS mpirun ... or Slurm's --time"
ok $? "--help-all: a launcher that outlives its ranks is bounded from outside (timeout -k, Slurm's --time)"

# Each option's entry (its line and the indented ones after it) says "default" once at most,
# one way: "(default: ...)".
twice=$(awk '/^  -/ { if (n > 1) print e; e = $0; n = 0 }
    /^ / { n += gsub(/[Dd]efault/, "&") } END { if (n > 1) print e }' "$dir/help")
[ -z "$twice" ] && ! grep -q '\[default' "$dir/help" && grep -q '(default: 1:4M)' "$dir/help"
ok $? "each default stated once, as (default: ...)" || echo "$twice" | diag

# gpuxfer --help | head: a reader gone before the answer is written ends it quietly, as cat
# (exit 0, nothing on stderr); a full disk is still an error.
py_check "$GPUXFER" <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)  # the reader is gone before gpuxfer writes: every write meets EPIPE
bad = []
for arg in ("--help", "--help-all", "--version", "--list=paths"):
    p = subprocess.run([sys.argv[1], arg], stdout=w, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0 or p.stderr:
        bad.append("%s: exit %d, stderr %r" % (arg, p.returncode, p.stderr[:200]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "--help, --help-all, --version and --list into a closed pipe: exit 0, nothing on stderr"
if [ -w /dev/full ]; then
    "$GPUXFER" --help >/dev/full 2>"$dir/full.err"
    rc=$?
    [ $rc -ne 0 ] && grep -q "^gpuxfer: cannot write --help to stdout: No space left" "$dir/full.err"
    ok $? "--help into a full disk (/dev/full): an error, exit $rc" || diag <"$dir/full.err"
else
    skip "no /dev/full to write --help into"
fi

gx_mpirun 1 -h >"$dir/h" 2>&1
gx_mpirun 1 -hhh >"$dir/hhh" 2>&1
cmp -s "$dir/h" "$dir/help" && cmp -s "$dir/hhh" "$dir/help"
ok $? "-h (and -hhh) prints --help"

# Messages that name what the user typed.
expect() { # expect STATUS PATTERN DESCRIPTION NP ARGS...: exit STATUS, one stderr line matching
    want=$1 pat=$2 what=$3 np=$4
    shift 4
    gx_mpirun "$np" --quiet --output "$dir/m.json" --force "$@" >"$dir/m.out" 2>"$dir/m.err"
    rc=$?
    grep '^gpuxfer:' "$dir/m.err" >"$dir/m.lines"
    [ "$rc" -eq "$want" ] && grep -qE "$pat" "$dir/m.lines"
    ok $? "$what (exit $rc)" || diag <"$dir/m.err"
}
expect 2 '^gpuxfer: needs 2 ranks .*this job has 1 \(run it with mpirun -np 2' \
    "one rank: 'needs 2 ranks'" 1 --sizes 8 --pattern latency
! grep -q -- '--pairs' "$dir/m.lines"
ok $? "one rank: the message does not blame --pairs, which was not given"
expect 0 '^gpuxfer: rank 2 of 3 stays idle: no pair of --pairs 0:1 includes it' \
    "three ranks with --pairs 0:1: one line naming the idle rank and why" 3 --sizes 8 \
    --pattern latency --iters 3 --ceilings off
[ "$(grep -c 'idle' "$dir/m.lines")" -eq 1 ]
ok $? "three ranks: the idle rank said once"
expect 2 "bad size '1M-4M' \(a range is written MIN:MAX, e.g. 1M:4M" \
    "--sizes 1M-4M: the range syntax in the hint" 2 --sizes 1M-4M
expect 2 "no scenario 'nosuch' \(expected a file, or one of: .*plan, smoke" \
    "--scenario nosuch: the shipped scenarios listed" 2 --scenario nosuch
expect 2 "unknown option '-q' \(see --help\)" "an unknown short option" 2 -q

# OSU Micro-Benchmarks' letters: -m [MIN:]MAX (MAX alone: 1:MAX), -i iterations, -x warm-up.
gx_mpirun 2 -m 4K -i 7 -x 1 --path host --pattern latency --ceilings off --dry-run \
    >"$dir/osu.txt" 2>&1 &&
    gx_mpirun 2 -m 64:256 --path host --pattern bw --ceilings off --dry-run >"$dir/osu2.txt" 2>&1
[ "$(awk '$1 ~ /^[0-9]+$/ { printf "%s/%s/%s ", $5, $7, $8 }' "$dir/osu.txt")" = \
    "1/7/1 2/7/1 4/7/1 8/7/1 16/7/1 32/7/1 64/7/1 128/7/1 256/7/1 512/7/1 1K/7/1 2K/7/1 4K/7/1 " ] &&
    [ "$(awk '$1 ~ /^[0-9]+$/ { printf "%s ", $5 }' "$dir/osu2.txt")" = "64 128 256 " ] &&
    grep -q '^  -m, --sizes SIZES ' "$dir/help" && grep -q '^  -i, --iters N ' "$dir/help" &&
    grep -q '^  -x, --warmup N ' "$dir/help"
ok $? "osu's -m 4K (1:4K), -m 64:256, -i 7 and -x 1 as --sizes, --iters and --warmup; --help shows the letters" ||
    cat "$dir/osu.txt" "$dir/osu2.txt" | diag

# An option's old name (the option table's alias) is the same option: --calibrate is --ceilings
# (the plan the dry run lists is the same, off and full), the scenario key "calibrate" too; --help
# names the new one and says the old one is accepted (the man page is --help-all's text); both
# names in one scenario
# run are one option given twice.
# The plans' steps and skips alike (their estimates are at host memory's pace, measured anew).
plan_cmp() { grep -v '^#' "$1" >"$1.steps"; grep -v '^#' "$2" >"$2.steps"; cmp -s "$1.steps" "$2.steps"; }
same=1
for v in off full; do
    for opt in --ceilings --calibrate; do
        gx_mpirun 2 --path host --pattern bw --sizes 4K,64K $opt $v --dry-run >"$dir/alias$opt-$v.txt" 2>&1 ||
            same=0
    done
    plan_cmp "$dir/alias--ceilings-$v.txt" "$dir/alias--calibrate-$v.txt" || same=0
done
for key in ceilings calibrate; do
    printf '{"runs": [{"path": "host", "pattern": "bw", "sizes": "4K,64K", "%s": "full"}]}\n' "$key" \
        >"$dir/alias-$key.json"
    gx_mpirun 2 --scenario "$dir/alias-$key.json" --dry-run >"$dir/alias-$key.txt" 2>&1 || same=0
done
[ $same -eq 1 ] && plan_cmp "$dir/alias-ceilings.txt" "$dir/alias-calibrate.txt" &&
    grep -q 'ceiling:peer-copy' "$dir/alias-calibrate.txt" && ! grep -q 'ceiling:' "$dir/alias--calibrate-off.txt"
ok $? "--calibrate off|full and the scenario key calibrate plan as --ceilings and ceilings do" ||
    cat "$dir"/alias*.txt | diag
tr -s ' \n' ' ' <"$dir/help" | grep -q -- '--ceilings on|off|full .*(--calibrate, its old name, is accepted too)' &&
    ! grep -q '^  --calibrate' "$dir/help" && ! "$GPUXFER" --list options | grep -q calibrate
ok $? "--help: --ceilings, its old name accepted; completion offers only the new name"
printf '{"runs": [{"ceilings": "off", "calibrate": "on"}]}\n' >"$dir/alias-both.json"
gx_mpirun 1 --scenario "$dir/alias-both.json" >"$dir/alias-both.err" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "runs\[0\]: keys 'ceilings' and 'calibrate' are one option given twice" "$dir/alias-both.err"
ok $? "a scenario run with ceilings and calibrate: exit 2, one option given twice (exit $rc)" ||
    diag <"$dir/alias-both.err"

# The plan scenario, shortened, measures the host paths wherever it runs (no GPU needed). Two
# sizes, each with its ceilings, make two groups of each path: a skip is said once all the same,
# its line told apart from the others by run and memory kinds.
gx_mpirun 2 --scenario plan --sizes 4K,64K --iters 3 --warmup 1 \
    --quiet --output "$dir/plan.json" >"$dir/plan.txt" 2>"$dir/plan.err"
rc=$?
[ $rc -eq 0 ] && grep -q '^# host-pageable: path host, memory pageable -> pageable' "$dir/plan.txt"
ok $? "--scenario plan measures the host paths without a GPU (exit $rc)" ||
    diag <"$dir/plan.err"
dups=$(grep -E '^# (path .* skipped|no GPU)|^#   absent' "$dir/plan.txt" | sort | uniq -d)
[ -z "$dups" ] && ! grep -q '^# path [a-z-]* skipped' "$dir/plan.txt"
ok $? "each skipped path's line names its run and memory kinds, none twice" || echo "$dups" | diag

# Without a CUDA driver no rank has a GPU: one line before the first path says so and why, in
# those words (not the runtime's 'driver version is insufficient'), and no path or ceiling left
# out for it says it again; the report keeps every skip once (schema 2.11: the second group of
# sizes does not repeat it), with the same reason: the plan scenario's 8 GPU (run, path)s.
gx_mpirun 1 --version >"$dir/version" 2>&1
if grep -q 'CUDA driver *none (no CUDA driver)' "$dir/version"; then
    said=$(grep -n -m 1 '^# no GPU on any rank (no CUDA driver): ' "$dir/plan.txt" | cut -d: -f1)
    first=$(grep -n -m 1 '^# [a-z-]*: path ' "$dir/plan.txt" | cut -d: -f1)
    [ "$(grep -c 'no CUDA driver' "$dir/plan.txt")" -eq 1 ] && [ "${said:-1}" -lt "${first:-0}" ] &&
        ! grep -q 'insufficient' "$dir/plan.txt"
    ok $? "no CUDA driver: said once, before the first path: 'no GPU on any rank (no CUDA driver)'" ||
        diag <"$dir/plan.txt"
    py_check "$dir/plan.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
why = {r["gpu"]["reason"] for r in doc["context"]["ranks"]} | {s["reason"] for s in doc["skipped"]}
keys = [json.dumps(s, sort_keys=True) for s in doc["skipped"]]
print("reasons:", why, "skipped:", len(keys), "distinct:", len(set(keys)))
sys.exit(0 if why == {"no CUDA driver"} and len(keys) == len(set(keys)) == 8 else 1)
PY
    ok $? "no CUDA driver: the report's ranks and each skip, once, give that reason"
    # The dry run tells the same story as the run: each GPU path skipped with the run's reason,
    # and a plan of nothing said, with the run's exit status.
    gx_mpirun 2 --scenario collectives --sizes 8,1K --dry-run >"$dir/cdry.txt" 2>&1
    rc=$?
    gx_mpirun 2 --scenario collectives --sizes 8,1K --iters 3 --output "$dir/coll.json" \
        >"$dir/coll.txt" 2>&1
    run_rc=$?
    [ $rc -eq 0 ] && [ "$(grep -cE '^ +- (nccl|mpi) +skipped: no CUDA driver$' "$dir/cdry.txt")" -eq 4 ] &&
        tr '\n' ' ' <"$dir/cdry.txt" | grep -q '# 0 measurements (0 results; [^)]*; 60 more skipped' &&
        grep -q '^# every result is skipped: the run would measure nothing and exit 7 ' "$dir/cdry.txt" &&
        [ $run_rc -eq 7 ]
    ok $? "no CUDA driver: --scenario collectives --dry-run says each path skipped and why, and that the run exits 7 (it did: $run_rc)" ||
        diag <"$dir/cdry.txt"
else
    why="this machine has a CUDA driver"
    grep -q "^#define HAVE_CUDA 1" "$top_builddir/config.h" || why="this build has no CUDA"
    skip "no CUDA driver said once: $why"
    skip "no CUDA driver in the report: $why"
    skip "no CUDA driver: the collectives' dry run: $why"
fi

# A skip for another reason is still said, once per path and run: fake GPUs on a real node's
# topology stand in for GPUs that measure nothing, and some rank has one.
gx_mpirun 2 --topology-xml "$top_srcdir/tests/topologies/h200x4-vm.xml" \
    --fake-gpus 0000:00:06.0,0000:00:07.0 --scenario plan --sizes 4K,64K --iters 3 --warmup 1 \
    --quiet --output "$dir/fake.json" >"$dir/fake.txt" 2>"$dir/fake.err"
rc=$?
nskips=$(grep -c '^# path .* skipped: ' "$dir/fake.txt")
dups=$(grep '^# path .* skipped' "$dir/fake.txt" | sort | uniq -d)
[ $rc -eq 0 ] && [ "$nskips" -gt 1 ] && [ -z "$dups" ] && ! grep -q '^# no GPU' "$dir/fake.txt"
ok $? "fake GPUs: each path's skip said once ($nskips lines), no 'no GPU on any rank' (exit $rc)" ||
    diag <"$dir/fake.txt"

# The man page is --help-all's text, as gpuxfer prints it (roff's escapes undone).
sed -n '/^\.nf$/,/^\.fi$/p' "$top_builddir/gpuxfer.1" | sed '1d;$d' |
    sed 's/^\\&//; s/\\-/-/g; s/\\e/\\/g' >"$dir/man.txt"
cmp -s "$dir/man.txt" "$dir/all" && grep -q '^Examples:$' "$dir/man.txt" &&
    grep -q '^What to measure:$' "$dir/man.txt"
ok $? "gpuxfer.1 is --help-all's text: the option groups, examples, environment" ||
    diff "$dir/all" "$dir/man.txt" | diag

rm -rf "$dir"
done_testing
