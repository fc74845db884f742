#!/bin/bash
# What rank 0 prints, and the samples, where the disk may fill:
# --table FILE is written by rank 0 itself through the one writer and checked, so a full disk is
# exit 3 under mpirun too (mpirun forwards stdout without telling rank 0 of a failure); --samples
# on a disk too full for the samples file drops the samples, never the result.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/table-file.XXXXXX")
# No ceilings (--ceilings off): they are not what this test checks, and on a loaded 2-core
# machine the first shared-memory probe alone outlasted the 180 s limit (tests/ceilings.sh
# tests the probes).
args="--path host --pattern latency --sizes 8,1K --iters 5 --warmup 1 --ceilings off --quiet"

gx_mpirun 2 $args --output "$dir/t.json" --table "$dir/sub/t.txt" >"$dir/t.out" 2>"$dir/t.err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$dir/t.out" ] && grep -q "^# report: $dir/t.json (2 results" "$dir/sub/t.txt"
ok $? "--table FILE: the table in FILE (its folder made), nothing on stdout (exit $rc)" ||
    cat "$dir/t.out" "$dir/t.err" | diag
gx_mpirun 2 $args --format csv --output "$dir/c.json" --table "$dir/c.csv" >"$dir/c.out" 2>"$dir/c.err"
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c ',ok,' "$dir/c.csv")" -eq 2 ] && grep -q "^# report:" "$dir/c.err"
ok $? "--format csv --table FILE: the CSV in FILE, the table on stderr (exit $rc)" || diag <"$dir/c.err"
gx_mpirun 2 $args --output "$dir/t2.json" --table "$dir/sub/t.txt" >/dev/null 2>"$dir/t2.err"
rc=$?
[ $rc -eq 2 ] && grep -q "^gpuxfer: --table: '$dir/sub/t.txt' exists (--force overwrites it)" "$dir/t2.err" &&
    [ ! -e "$dir/t2.json.jsonl" ]
ok $? "--table onto an existing file: exit 2, one line, nothing left behind (exit $rc)" || diag <"$dir/t2.err"

mkdir "$dir/full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=256k tmpfs "$dir/full" 2>"$dir/err"; then
    # The table's file fills the disk: the report lies elsewhere.
    dd if=/dev/zero of="$dir/full/filler" bs=4k count=64 2>/dev/null
    rm -f "$dir/full/filler.keep"
    gx_mpirun 2 $args --sizes 8,1K,4K,16K,64K --output "$dir/f.json" --table "$dir/full/t.txt" \
        >/dev/null 2>"$dir/f.err"
    rc=$?
    [ $rc -eq 3 ] && grep -q "cannot write the table to --table '$dir/full/t.txt': No space left on device" "$dir/f.err" &&
        "$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d['exit_code'] != 3)" "$dir/f.json"
    ok $? "--table on a full disk: exit 3 under mpirun, the report says so (exit $rc)" || diag <"$dir/f.err"
    rm -f "$dir/full/"*
    # A disk that fills in the table's middle (one 4 KiB page left, a table and a CSV of more):
    # the error names the file, and the file ends with its last whole line, never half a row.
    for fmt in table csv; do
        dd if=/dev/zero of="$dir/full/filler" bs=4k count=63 2>/dev/null
        gx_mpirun 2 $args --sizes 1:1M --pattern latency,bw --format $fmt --output "$dir/f-$fmt.json" \
            --table "$dir/full/t.txt" >/dev/null 2>"$dir/f.err"
        rc=$?
        [ $rc -eq 3 ] && [ -s "$dir/full/t.txt" ] && [ "$(tail -c 1 "$dir/full/t.txt" | od -An -c)" = '  \n' ] &&
            grep -q "cannot write the $(echo $fmt | sed 's/csv/CSV/') to --table '$dir/full/t.txt': No space" "$dir/f.err"
        ok $? "--format $fmt --table on a disk that fills: exit 3, the file named, no partial last line (exit $rc)" ||
            { diag <"$dir/f.err"; tail -c 100 "$dir/full/t.txt" | od -c | diag; }
        rm -f "$dir/full/"*
    done
    # The samples file does not fit; the report and .jsonl do: 60000 samples, beyond the 50000
    # a report holds, of one round trip each (--window 1, not the 24 of a timed 8 B sample).
    gx_mpirun 2 --path host --pattern latency --sizes 8 --iters 60000 --warmup 1 --window 1 \
        --ceilings off --quiet --samples --output "$dir/full/s.json" >/dev/null 2>"$dir/s.err"
    rc=$?
    [ $rc -eq 0 ] && grep -q "samples are dropped, the result stands" "$dir/s.err" &&
        py_check "$dir/full/s.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["results"]
assert len(r) == 1 and r[0]["status"] == "ok" and "stats" in r[0], r
assert "No space left on device" in r[0]["samples_dropped"] and "samples_file" not in r[0]
PY
    ok $? "--samples on a disk too full for them: the result stands, samples_dropped says why (exit $rc)" ||
        { diag <"$dir/s.err"; ls -l "$dir/full" | diag; }
    umount "$dir/full"
else
    skip "disk full: cannot mount a small tmpfs here ($(id -un): $(head -c 200 "$dir/err"))"
    skip "disk full: cannot mount a small tmpfs here"
fi

rm -rf "$dir"
done_testing
