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
        case $t-$f in
        compare-soak) a="$dir/soak.json $dir/interrupted.json" ;; # a report given twice is refused
        compare-*) a="$dir/$f.json $dir/soak.json" ;;
        *) a="$dir/$f.json" ;;
        esac
        # shellcheck disable=SC2086
        gx_report $t $a >"$dir/out" 2>"$dir/err"
        rc=$?
        [ $rc -le 1 ] && ! grep -q Traceback "$dir/err"
        ok $? "gpuxfer-report $t takes the $f report (exit $rc)" || diag <"$dir/err"
    done
done

run_diag "$PYTHON" "$top_srcdir/tests/report_fields.py" "$top_srcdir/scripts" "$dir" \
    "$dir/soak.json" "$dir/interrupted.json" "$dir/failed.json" "$top_srcdir/tests/reports/base.json" \
    "$top_srcdir/tests/reports/noisy.json"
ok $? "every field of five reports (noisy.json: schema 2.5's noise and ceilings), missing or of each wrong kind: taken, or exit 2 and one line"

# Schema 2.5's marks in gpuxfer-report summary (noisy.json: latency 8 B and bw 1 MiB disturbed): ~
# after those medians and a line counting them; a report before 2.5 unmarked.
noisy=$top_srcdir/tests/reports/noisy.json
"$PYTHON" "$top_srcdir/scripts/gpuxfer-report" summary "$noisy" >"$dir/sum.txt" 2>&1 &&
    grep -qE '^ +8 +2\.487~$' "$dir/sum.txt" && grep -qE '^ +1M +5\.337~$' "$dir/sum.txt" &&
    grep -qE '^ +64K +8\.041$' "$dir/sum.txt" && grep -qE '^ +1M +99\.75$' "$dir/sum.txt" &&
    grep -q '^# 2 of 5 medians marked ~: the machine interfered' "$dir/sum.txt" &&
    grep -qx "# the run's interference: a rank waited for a CPU up to 34% of a step; load average 2.5 at the" "$dir/sum.txt" &&
    grep -qx "#   start, 3.1 at the end on 2 CPUs" "$dir/sum.txt" && ! awk 'length > 100' "$dir/sum.txt" | grep -q .
ok $? "gpuxfer-report summary: ~ after a disturbed median, counted under the tables with the run's interference" || diag <"$dir/sum.txt"
"$PYTHON" "$top_srcdir/scripts/gpuxfer-report" summary "$top_srcdir/tests/reports/base.json" >"$dir/sum0.txt" 2>&1 &&
    ! grep -q '~' "$dir/sum0.txt"
ok $? "gpuxfer-report summary: a report before 2.5 unmarked" || diag <"$dir/sum0.txt"
# Bandwidths below 0.01 GB/s as gpuxfer's table prints them: in MB/s with an M after
# them and a line under the tables saying so; latencies and larger bandwidths as they were.
"$PYTHON" "$top_srcdir/tests/tiny_report.py" "$top_srcdir/tests/reports/base.json" "$dir/tiny.json"
"$PYTHON" "$top_srcdir/scripts/gpuxfer-report" summary "$dir/tiny.json" >"$dir/sumt.txt" 2>&1 &&
    grep -qE '^ +64K +[0-9]+\.[0-9]+M( |$)' "$dir/sumt.txt" && grep -qE '^ +1M +[0-9.]+( |$)' "$dir/sumt.txt" &&
    ! grep -q 'e-' "$dir/sumt.txt" &&
    grep -qx "# M after a value: MB/s, as bandwidths below 0.01 GB/s print (the report keeps GB/s)" "$dir/sumt.txt" &&
    ! grep -q 'MB/s' "$dir/sum0.txt"
ok $? "gpuxfer-report summary: bandwidths below 0.01 GB/s in MB/s with an M, the legend under the tables" ||
    diag <"$dir/sumt.txt"
"$PYTHON" "$top_srcdir/scripts/gpuxfer-report" goals --wide "$noisy" >"$dir/goals.txt" 2>&1
[ $? -eq 1 ] && grep -qE '^every ceiling a bound +host +bw +8 .* 0\.09 +112\.0%! +- +0 results with ! +NO +1 of 4 rated .*; 1 more with an unsound ceiling \(\?, not rated\)' "$dir/goals.txt"
ok $? "gpuxfer-report goals: an efficiency above 100% marked !, the unsound ceiling counted; line% - (a report before 2.7)" || diag <"$dir/goals.txt"

# The door and every subcommand say the release with --version (one line on stdout, exit 0;
# the source tree's from configure.ac), and --help on stdout with exit 0: the door's lists every
# subcommand of its table, a shell subcommand's is its text (not its code).
want=$(sed -n 's/^AC_INIT(\[gpuxfer\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
subs=$(gx_report --list-subcommands)
bad=
out=$(gx_report --version 2>&1) && [ "$out" = "gpuxfer-report $want (source tree)" ] ||
    bad="$bad door:'$out'"
[ -z "$(gx_report --help | awk 'length > 100')" ] || bad="$bad door--help"
for t in $subs; do
    out=$(gx_report $t --version 2>&1) &&
        [ "$out" = "gpuxfer-report $t $want (source tree)" ] || bad="$bad $t:'$out'"
    gx_report $t --help >"$dir/h.out" 2>"$dir/h.err" && [ ! -s "$dir/h.err" ] &&
        grep -q "gpuxfer-report $t" "$dir/h.out" && ! grep -q 'set -u' "$dir/h.out" &&
        [ -z "$(awk 'length > 100' "$dir/h.out")" ] || bad="$bad $t--help"
    gx_report --help | grep -q "^  $t  " || bad="$bad door--help:$t"
done
[ "$(echo $subs)" = "summary compare plot goals openmetrics expect tune sweep soak bench" ] || bad="$bad list:'$subs'"
gx_report sweep --help | grep -q '^  gpuxfer-report sweep \[-n NP\]' || bad="$bad sweep-usage"
[ -n "$want" ] && [ -z "$bad" ]
ok $? "gpuxfer-report and each of its 10 subcommands: --version 'NAME $want', --help on stdout within 100 columns, exit 0" ||
    echo "$bad" | diag
gx_report nosuch >"$dir/n.out" 2>"$dir/n.err"
[ $? -eq 2 ] && [ ! -s "$dir/n.out" ] && [ "$(wc -l <"$dir/n.err")" -eq 1 ] && grep -q "^gpuxfer-report: nosuch: no such subcommand (expected one of: summary, compare, plot, goals, openmetrics, expect, tune, sweep, soak, bench" "$dir/n.err"
ok $? "gpuxfer-report nosuch: exit 2, one line naming the subcommands" || diag <"$dir/n.err"
bash "$top_srcdir/scripts/gxreport/sweep.sh" --help >"$dir/n.out" 2>"$dir/n.err"
[ $? -eq 2 ] && [ "$(wc -l <"$dir/n.err")" -eq 1 ] && grep -q "run it as gpuxfer-report sweep$" "$dir/n.err"
ok $? "a shell subcommand run without the door: exit 2, one line saying how to run it" || diag <"$dir/n.err"

# A terminal's 100 columns: the summary of a GPU default run (seven paths) and a comparison of
# two of them, their tables and prose; the summary's columns split into blocks, each path once.
ref="$top_srcdir/results/reference"
"$PYTHON" "$top_srcdir/scripts/gpuxfer-report" summary "$ref/h200-1gpu-default-run1.json" >"$dir/w.txt" 2>&1 &&
    "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" compare "$ref/h200-1gpu-default-run1.json" \
        "$ref/h200-1gpu-default-run2.json" >"$dir/wc.txt" 2>&1
rc=$?
# (A line that names a report, the legend's or a finding's, stays whole: the file's name is its
# own length.)
wide=$(cat "$dir/w.txt" "$dir/wc.txt" | grep -vF "$ref/" | awk 'length > 100')
heads=$(sed -n '/^latency/,/^bw/p' "$dir/w.txt" | grep -E '^ +[a-z]' | grep -v '^ *size ' |
    tr -s ' ' '\n' | grep . | sort | tr '\n' ' ')
[ $rc -le 1 ] && [ -z "$wide" ] && [ "$(grep -c '^ *size ' "$dir/w.txt")" -ge 4 ] &&
    [ "$heads" = "mpi p2p staged staged-mpi unified-demand unified-prefetch zerocopy " ]
ok $? "summary and compare of GPU default runs: every line at most 100 columns, each path once" ||
    { echo "rc $rc, heads '$heads'"; echo "$wide"; cat "$dir/w.txt"; } | diag

rm -rf "$dir"
done_testing
