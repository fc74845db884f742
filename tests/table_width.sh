#!/bin/sh
# The table fits a terminal: every line gpuxfer prints (results, notes, ceilings, transfer plan,
# --dry-run) at most 100 columns by default, values to four significant digits so that a small
# one never reads 0.000; --wide prints every column (min and max too).
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/table_width.XXXXXX")
# The widest lines a run makes: latency and bw from 1 B (bw's smallest values, well under
# 0.001 GB/s at their minimum on a busy machine) to 4M, ceilings and the transfer plan.
common="--path host --pattern latency,bw --sizes 1,2,64K,4M --iters 8 --warmup 1 --quiet"
# A line's width without the report's path, which is the caller's (the line naming the report
# is as long as the folder the tests run in: a sanitizer build's in a distcheck is deep).
wide_lines() { sed "s|$dir|DIR|g" "$1" | awk 'length > 100 { print length ": " $0 }'; }

gx_mpirun 2 $common --output "$dir/n.json" >"$dir/n.txt" 2>&1
ok $? "a host run: exit 0" || diag <"$dir/n.txt"
wide=$(wide_lines "$dir/n.txt")
[ -z "$wide" ] && grep -q '^# ceilings (' "$dir/n.txt" && grep -q '^# transfer plan: ' "$dir/n.txt"
ok $? "every line at most 100 columns, the ceilings and the transfer plan included${wide:+ (one of ${wide%%:*})}" ||
    printf '%s\n' "$wide" | diag

# The result lines: 12 columns (size pair chunk depth median p5 p95 cv% iters valid ceiling
# eff%); median, p5 and p95 each four significant digits (an integer from 1000 on), never
# 0.000; a latency below 0.001 us with an exponent; a bandwidth below 0.01 GB/s in MB/s with an
# M after it, at most five decimals, never an exponent.
awk '/^# path .* pattern / { bw = / pattern bw,/ }
     /^ +[0-9]+ +0->1 / {
        if (NF != 12) { print "fields " NF ": " $0; bad = 1; next }
        for (i = 5; i <= 7; i++) {
            v = $i; sub(/[~^]$/, "", v)
            if (v ~ /^0\.0*$/) { print "zero: " $0; bad = 1 }
            if (v ~ /M$/) { if (!bw || v !~ /^[0-9]+\.[0-9]+M$/ || length(v) > 8) {
                               print "in MB/s " v ": " $0; bad = 1 }
                           continue }
            if (v ~ /e/) { if (bw || v !~ /^[1-9]\.[0-9][0-9][0-9]e-[0-9]+$/) {
                               print "exponent " v ": " $0; bad = 1 }
                           continue }
            digits = v; sub(/^[0.]*/, "", digits); gsub(/\./, "", digits)
            if (v + 0 < 1000 && length(digits) != 4) { print "digits " v ": " $0; bad = 1 }
            if (bw && v + 0 < 0.01) { print "below 0.01 GB/s " v ": " $0; bad = 1 }
        }
        rows++
     }
     END { if (rows != 8) { print "rows " rows; bad = 1 }; exit bad }' "$dir/n.txt" >"$dir/bad" 2>&1
ok $? "8 result lines of 12 columns, values to four significant digits, none 0.000" ||
    diag <"$dir/bad"

# A bandwidth below 0.01 GB/s (a path slowed by 100 ms an iteration at 8 B): in MB/s with an M
# and the legend once, no exponent anywhere; the report keeps GB/s. The pair matrix of --pairs
# all (whose table leaves each pair's row to the report) says it the same way (and the transfer
# plan, whose sizes here are not the slowed one).
GPUXFER_FAULT=slow:rank=0:size=8:ms=100 gx_mpirun 2 --path host --pattern bw --sizes 8,1K \
    --iters 3 --ceilings off --quiet --output "$dir/s.json" >"$dir/s.txt" 2>&1 &&
    GPUXFER_FAULT=slow:rank=0:size=8:ms=100 gx_mpirun 2 --path host --pattern bw --sizes 8,1K \
        --iters 3 --pairs all --ceilings off --quiet --output "$dir/a.json" >"$dir/a.txt" 2>&1
ok $? "a path slowed to a tiny bandwidth, one pair and --pairs all: exit 0" ||
    cat "$dir/s.txt" "$dir/a.txt" | diag
wide=$(wide_lines "$dir/s.txt"; wide_lines "$dir/a.txt")
med=$(awk '$1 == 8 && $2 == "0->1" { print $5 }' "$dir/s.txt")
py_check "$dir/s.json" "${med%\~}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = [x for x in d["results"] if x["size"] == 8 and x["ranks"][:2] == [0, 1]][0]
text = sys.argv[2]
ok = (r["unit"] == "GB/s" and r["stats"]["median"] < 0.01 and text.endswith("M")
      and abs(float(text[:-1]) - r["stats"]["median"] * 1e3) <= 0.01 * r["stats"]["median"] * 1e3)
print("" if ok else "report %r %s, table %r" % (r["stats"]["median"], r["unit"], text))
sys.exit(0 if ok else 1)
PY
ok $? "the 8 B line's median in MB/s ($med): the report's GB/s x 1000, its unit still GB/s"
! grep -qE '[0-9]e[-+][0-9]' "$dir/s.txt" "$dir/a.txt" && [ -z "$wide" ] &&
    [ "$(grep -c '^# M after a value: MB/s, as bandwidths below 0.01 GB/s print (the report keeps GB/s)$' "$dir/s.txt")" -eq 1 ] &&
    grep -qE '^ +[01] +(-|[0-9.]+M[<~]?) +(-|[0-9.]+M[<~]?)$' "$dir/a.txt" &&
    grep -q '^# slow pairs (below [0-9.]* MB/s = 0.80 x the matrix median [0-9.]*): ' "$dir/a.txt"
ok $? "no exponent anywhere, the legend once under the table's first such line, the 8 B matrix in MB/s, within 100 columns" ||
    diag <"$dir/s.txt"

# --wide: min and max beside p5 and p95, the chunk in bytes, 14 columns; the same medians.
gx_mpirun 2 $common --wide --output "$dir/w.json" >"$dir/w.txt" 2>&1
ok $? "--wide: exit 0" || diag <"$dir/w.txt"
grep -qE '^# +size +pair +chunk +depth +median +min +max +p5 +p95 +cv% +iters +validation +ceiling +eff%$' \
    "$dir/w.txt" &&
    [ "$(awk '/^ +[0-9]+ +0->1 / && NF == 14' "$dir/w.txt" | wc -l)" -eq 8 ]
ok $? "--wide: the header names min and max, 8 result lines of 14 columns" || diag <"$dir/w.txt"

# --dry-run of the default run: its step table, totals, budget and schemes fit as well.
gx_mpirun 2 --dry-run >"$dir/d.txt" 2>&1
wide=$(wide_lines "$dir/d.txt")
[ -z "$wide" ] && grep -qE '^# the estimate is (within|over) the budget of 10 s' "$dir/d.txt" &&
    grep -q '^# scheme ' "$dir/d.txt"
ok $? "--dry-run: every line at most 100 columns, the budget's verdict a line of its own${wide:+ (one of ${wide%%:*})}" ||
    { printf '%s\n' "$wide"; cat "$dir/d.txt"; } | diag

rm -rf "$dir"
done_testing
