#!/bin/sh
# The report tools take every report gpuxfer writes (complete, soak, interrupted, failed) and,
# with each field in turn missing or of the wrong kind, take it or refuse it with exit 2 and one
# line: never a traceback (tests/report_fields.py walks every field).
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/report-tools.XXXXXX")
args="--path host --sizes 8,1K,4K --iters 5 --warmup 1 --quiet"
gx_mpirun 2 $args --soak 2 --output "$dir/soak.json" >/dev/null 2>&1
ok $? "a soak report"
GPUXFER_FAULT=signal:rank=1:size=1K:iter=1 gx_mpirun 2 $args \
    --output "$dir/interrupted.json" >/dev/null 2>&1
[ $? -eq 5 ]
ok $? "an interrupted report (exit 5)"
GPUXFER_FAULT=corrupt:rank=1:size=8 gx_mpirun 2 $args \
    --output "$dir/failed.json" >/dev/null 2>&1
[ $? -eq 1 ]
ok $? "a report with corrupted data (exit 1)"

for f in soak interrupted failed; do
    for t in compare summary goals; do
        case $t in compare) a="$dir/$f.json $dir/soak.json" ;; *) a="$dir/$f.json" ;; esac
        # shellcheck disable=SC2086
        "$PYTHON" "$top_srcdir/scripts/gpuxfer-$t" $a >"$dir/out" 2>"$dir/err"
        rc=$?
        [ $rc -le 1 ] && ! grep -q Traceback "$dir/err"
        ok $? "gpuxfer-$t takes the $f report (exit $rc)" || diag <"$dir/err"
    done
done

run_diag "$PYTHON" "$top_srcdir/tests/report_fields.py" "$top_srcdir/scripts" "$dir" \
    "$dir/soak.json" "$dir/interrupted.json" "$dir/failed.json" "$top_srcdir/tests/reports/base.json"
ok $? "every field of four reports, missing or of each wrong kind: taken, or exit 2 and one line"

rm -rf "$dir"
done_testing
