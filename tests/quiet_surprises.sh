#!/bin/bash
# Quiet surprises, each now said in one line: a size range doubling never
# reaches, a size given twice, a fault that could never fire (exit 2, nothing measured); an
# option given twice (the last counts, as scripts appending overrides expect: a note); --dry-run checks --output as the run would, creating nothing; a folder named like a
# scenario does not hide the shipped one.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/quiet.XXXXXX")
base="--path host --pattern latency --iters 5 --warmup 1 --quiet"

refused() { # refused DESCRIPTION PATTERN gx_mpirun-args...
    local what=$1 pattern=$2
    shift 2
    gx_mpirun 2 "$@" >"$dir/out" 2>"$dir/err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/err")" -eq 1 ] && grep -q -- "$pattern" "$dir/err" &&
        [ -z "$(find "$dir" -name '*.jsonl')" ]
    ok $? "$what: exit 2 (got $rc), one line, nothing measured" || diag <"$dir/err"
}
refused "--sizes 3:17" "size range '3:17': doubling from 3 reaches 12, never 17" \
    $base --sizes 3:17 --output "$dir/r.json"
refused "--sizes 8,1K,8" "--sizes: '8' is given twice in '8,1K,8' (items 1 and 3" $base --sizes 8,1K,8 --output "$dir/r.json"
gx_mpirun 2 $base --sizes 8 --iters 7 --output "$dir/twice.json" >/dev/null 2>"$dir/err"
rc=$?
[ $rc -eq 0 ] && grep -q "^gpuxfer: note: --iters given twice ('5', then '7'): the last counts" "$dir/err" &&
    "$PYTHON" -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['results'][0]['iterations'] != 7)" \
        "$dir/twice.json"
ok $? "--iters given twice: the last counts, said on stderr (exit $rc)" || diag <"$dir/err"
rm -f "$dir"/twice.json*
GPUXFER_FAULT=hang:rank=1:size=8:iter=50 refused "a hang at an iteration never reached" \
    "iteration 50 is never reached" $base --sizes 8 --output "$dir/r.json"
GPUXFER_FAULT=corrupt:rank=1:size=8:iter=2 refused "a corrupt at a validation pass that never runs" \
    "validation pass 2 needs --validate all" $base --sizes 8 --output "$dir/r.json"
GPUXFER_FAULT=corrupt:rank=1:size=8:iter=2 gx_mpirun 2 $base --sizes 8 --validate all \
    --output "$dir/va.json" >/dev/null 2>&1
[ $? -eq 1 ]
ok $? "the same corrupt with --validate all fires (exit 1)"
rm -f "$dir"/va.json*

echo old >"$dir/taken.json"
refused "--dry-run onto an existing report" "'$dir/taken.json' exists (--force overwrites it)" \
    $base --sizes 8 --dry-run --output "$dir/taken.json"
refused "--dry-run under a file" "'$dir/taken.json' is not a directory" \
    $base --sizes 8 --dry-run --output "$dir/taken.json/r.json"
gx_mpirun 2 $base --sizes 8 --dry-run --output "$dir/new/sub/r.json" >"$dir/out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ ! -e "$dir/new" ]
ok $? "--dry-run with an --output the run could write: exit 0 (got $rc), no folder made" ||
    diag <"$dir/out"

mkdir -p "$dir/cwd/smoke"
(cd "$dir/cwd" && gx_mpirun 2 --scenario smoke --dry-run >"$dir/out" 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -q "^# run smoke$" "$dir/out"
ok $? "a folder ./smoke does not hide the shipped scenario smoke (exit $rc)" || diag <"$dir/out"

# The report names the scenario file it read, by its real path and its SHA-256.
cp "$top_srcdir/scenarios/smoke.json" "$dir/cwd/mine.json"
(cd "$dir/cwd" && gx_mpirun 2 --scenario mine.json --iters 3 --ceilings off --quiet \
    --output "$dir/mine-report.json" >"$dir/out" 2>&1)
want=$(sha256sum "$dir/cwd/mine.json" | cut -d' ' -f1)
py_check "$dir/mine-report.json" "$(cd "$dir/cwd" && pwd -P)/mine.json" "$want" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["scenario"]
assert s == {"name": "mine.json", "file": sys.argv[2], "sha256": sys.argv[3]}, s
PY
ok $? "the report names the scenario's file and its sha256" || diag <"$dir/out"
check_report "$dir/mine-report.json"
ok $? "that report is valid against the schema"
# Another user's file of a scenario's name in the folder a run starts in is refused (as root).
if [ "$(id -u)" -eq 0 ]; then
    cp "$top_srcdir/scenarios/smoke.json" "$dir/cwd/planted" && chown 65534 "$dir/cwd/planted"
    (cd "$dir/cwd" && gx_mpirun 2 --scenario planted --dry-run >"$dir/out" 2>&1)
    rc=$?
    [ $rc -eq 2 ] && grep -q "'planted' in the current folder belongs to another user" "$dir/out"
    ok $? "another user's ./planted given as a bare name: exit 2 (got $rc), said why" ||
        diag <"$dir/out"
else
    skip "another user's file: needs root to give it away"
fi

rm -rf "$dir"
done_testing
