#!/bin/sh
# Every shipped scenario fits a terminal: its table (shortened to one small size and 3 iterations)
# and its dry run, every line at most 100 columns. Without a GPU their GPU paths are skipped and
# say so (--allow-skip).
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/scenario_width.XXXXXX")
# A line's width without the report's path, which is the caller's.
wide_lines() { sed "s|$dir|DIR|g" "$1" | awk 'length > 100 { print length ": " $0 }'; }

for f in "$top_srcdir"/scenarios/*.json; do
    name=$(basename "$f" .json)
    gx_mpirun 2 --scenario "$f" --sizes 4K --iters 3 --warmup 1 --allow-skip \
        --output "$dir/sc-$name.json" >"$dir/sc-$name.txt" 2>"$dir/sc-$name.err"
    rc=$?
    gx_mpirun 2 --scenario "$f" --dry-run >"$dir/scd-$name.txt" 2>&1
    wide=$(wide_lines "$dir/sc-$name.txt"; wide_lines "$dir/scd-$name.txt")
    [ $rc -eq 0 ] && [ -z "$wide" ]
    ok $? "--scenario $name: its table and its dry run within 100 columns${wide:+ (one of ${wide%%:*})} (exit $rc)" ||
        { printf '%s\n' "$wide"; cat "$dir/sc-$name.err"; } | diag
done

rm -rf "$dir"
done_testing
