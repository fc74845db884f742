#!/bin/sh
# Output safety: no overwrite without --force, missing directories created, reports replaced by
# rename (never rewritten in place), unwritable paths refused before anything is measured.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/output.XXXXXX")
args="--sizes 8 --iters 3 --pattern latency --quiet"

out="$dir/a/b/c/r.json"
GX_TIMEOUT=120 gx_mpirun 2 $args --output "$out" >/dev/null 2>"$dir/err"
ok $? "missing directories are created: exit 0"
check_report "$out"
ok $? "the report in the new directory is valid"

echo '{"precious": true}' >"$dir/keep.json"
GX_TIMEOUT=120 gx_mpirun 2 $args --output "$dir/keep.json" >/dev/null 2>"$dir/err"
rc=$?
[ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/err")" -eq 1 ] &&
    grep -q "exists (--force overwrites it)" "$dir/err" && grep -q precious "$dir/keep.json" &&
    [ ! -e "$dir/keep.json.jsonl" ]
ok $? "an existing report is kept without --force: exit 2, one line, file untouched"

echo '{"line": 1}' >"$dir/orphan.json.jsonl"
GX_TIMEOUT=120 gx_mpirun 2 $args --output "$dir/orphan.json" >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && grep -q "orphan.json.jsonl' exists" "$dir/err" && grep -q line "$dir/orphan.json.jsonl"
ok $? "the .jsonl of an aborted run is kept too without --force"

inode_before=$(stat -c %i "$dir/keep.json")
GX_TIMEOUT=120 gx_mpirun 2 $args --force --output "$dir/keep.json" >/dev/null 2>"$dir/err"
ok $? "--force overwrites: exit 0"
check_report "$dir/keep.json"
ok $? "--force: the new report is valid"
[ "$(stat -c %i "$dir/keep.json")" != "$inode_before" ] &&
    [ -z "$(find "$dir" -name '*.tmp.*')" ]
ok $? "the report is written to a temporary file and renamed over the old one; no temporary left"

mkdir "$dir/isdir.json"
GX_TIMEOUT=120 gx_mpirun 2 $args --force --output "$dir/isdir.json" >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && grep -q "is not a regular file" "$dir/err"
ok $? "a directory as --output is refused even with --force"

: >"$dir/plainfile"
for bad in "$dir/plainfile/sub/r.json" /proc/gpuxfer-test/r.json /proc/gpuxfer-test.json; do
    GX_TIMEOUT=120 gx_mpirun 2 $args --output "$bad" >"$dir/out" 2>"$dir/err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/err")" -eq 1 ] && grep -q -- "--output: cannot" "$dir/err" &&
        ! grep -q "0->1" "$dir/out"
    ok $? "unwritable --output $bad: exit 2 before any measurement" || { echo "exit $rc"; cat "$dir/err"; } | diag
done

rm -rf "$dir"
done_testing
