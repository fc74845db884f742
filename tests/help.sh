#!/bin/sh
# What a newcomer meets first: --help fits 80 columns and is grouped (the everyday options
# first, testing options only in --help-all), states each default once, -h is --help; the
# messages for common first mistakes name what the user typed; without a GPU the plan scenario
# measures the host paths, and its skips say what tells them apart.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/help.XXXXXX")

GX_TIMEOUT=30 gx_mpirun 1 --help >"$dir/help" 2>"$dir/help.err"
ok $? "--help exits 0" || diag <"$dir/help.err"
GX_TIMEOUT=30 gx_mpirun 1 --help-all >"$dir/all" 2>&1
ok $? "--help-all exits 0"
wide=$(awk 'length > 80 { print FILENAME ": " length ": " $0 }' "$dir/help" "$dir/all")
[ -z "$wide" ] && [ -s "$dir/help" ]
ok $? "--help and --help-all fit 80 columns ($(wc -l <"$dir/help") and $(wc -l <"$dir/all") lines)" ||
    echo "$wide" | diag

# The groups, in this order, and the options a newcomer needs in the first ones.
order=$(grep -nE '^(What to measure|Where to write|How long|Tuning|Reliability|Information):$' \
    "$dir/help" | cut -d: -f2 | tr '\n' '|')
[ "$order" = "What to measure|Where to write|How long|Tuning|Reliability|Information|" ]
ok $? "--help's groups in order: what to measure, where to write, how long, tuning, reliability ($order)"
group_of() { # the title of the group that lists option $1 in file $2
    awk -v o="  $1" 'index($0, o) == 1 && substr($0, length(o) + 1, 1) ~ /[ ,]|^$/ { print g; exit }
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

# Each option's entry (its line and the indented ones after it) says "default" once at most,
# one way: "(default: ...)".
twice=$(awk '/^  -/ { if (n > 1) print e; e = $0; n = 0 }
    /^ / { n += gsub(/[Dd]efault/, "&") } END { if (n > 1) print e }' "$dir/help")
[ -z "$twice" ] && ! grep -q '\[default' "$dir/help" && grep -q '(default: 1:4M)' "$dir/help"
ok $? "each default stated once, as (default: ...)" || echo "$twice" | diag

GX_TIMEOUT=30 gx_mpirun 1 -h >"$dir/h" 2>&1
GX_TIMEOUT=30 gx_mpirun 1 -hhh >"$dir/hhh" 2>&1
cmp -s "$dir/h" "$dir/help" && cmp -s "$dir/hhh" "$dir/help"
ok $? "-h (and -hhh) prints --help"

# Messages that name what the user typed.
expect() { # expect STATUS PATTERN DESCRIPTION NP ARGS...: exit STATUS, one stderr line matching
    want=$1 pat=$2 what=$3 np=$4
    shift 4
    GX_TIMEOUT=60 gx_mpirun "$np" --quiet --output "$dir/m.json" --force "$@" >"$dir/m.out" 2>"$dir/m.err"
    rc=$?
    grep '^gpuxfer:' "$dir/m.err" >"$dir/m.lines"
    [ "$rc" -eq "$want" ] && grep -qE "$pat" "$dir/m.lines"
    ok $? "$what (exit $rc)" || diag <"$dir/m.err"
}
expect 2 '^gpuxfer: gpuxfer needs 2 ranks .*this job has 1 \(run it with mpirun -np 2' \
    "one rank: 'needs 2 ranks'" 1 --sizes 8 --pattern latency
! grep -q -- '--pairs' "$dir/m.lines"
ok $? "one rank: the message does not blame --pairs, which was not given"
expect 0 '^gpuxfer: rank 2 of 3 stays idle: no pair of --pairs 0:1 includes it' \
    "three ranks with --pairs 0:1: one line naming the idle rank and why" 3 --sizes 8 \
    --pattern latency --iters 3 --calibrate off
[ "$(grep -c 'idle' "$dir/m.lines")" -eq 1 ]
ok $? "three ranks: the idle rank said once"
expect 2 "bad size '1M-4M' \(a range is written MIN:MAX, e.g. 1M:4M" \
    "--sizes 1M-4M: the range syntax in the hint" 2 --sizes 1M-4M
expect 2 "no scenario 'nosuch' \(expected a file, or one of: .*plan, smoke" \
    "--scenario nosuch: the shipped scenarios listed" 2 --scenario nosuch
expect 2 "unknown option '-x' \(see --help\)" "an unknown short option" 2 -x

# The plan scenario, shortened, measures the host paths wherever it runs (no GPU needed), and
# every skipped path's line is told apart from the others.
GX_TIMEOUT=120 gx_mpirun 2 --scenario plan --sizes 4K --iters 3 --warmup 1 --calibrate off \
    --quiet --output "$dir/plan.json" >"$dir/plan.txt" 2>"$dir/plan.err"
rc=$?
[ $rc -eq 0 ] && grep -q '^# host-pageable: path host, memory pageable -> pageable' "$dir/plan.txt"
ok $? "--scenario plan measures the host paths without a GPU (exit $rc)" ||
    diag <"$dir/plan.err"
dups=$(grep '^# path .* skipped' "$dir/plan.txt" | sort | uniq -d)
[ -z "$dups" ] && ! grep -q '^# path [a-z-]* skipped' "$dir/plan.txt"
ok $? "each skipped path's line names its run and memory kinds, none twice" || echo "$dups" | diag

# The man page, from the same table: grouped, with examples.
man=$top_builddir/gpuxfer.1
grep -q '^\.SH EXAMPLES' "$man" && grep -q '^\.SS What to measure' "$man"
ok $? "gpuxfer.1 has EXAMPLES and the option groups"

rm -rf "$dir"
done_testing
