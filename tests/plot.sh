#!/bin/sh
# gpuxfer-plot: PNG and SVG files from constructed reports and a real run; bad input.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/plot.XXXXXX")
rep="$top_srcdir/tests/reports"
plot() { "$PYTHON" "$top_srcdir/scripts/gpuxfer-plot" "$@"; }

if ! "$PYTHON" -c 'import matplotlib' >/dev/null 2>&1; then
    skip "matplotlib is missing for $PYTHON (apt-get install python3-matplotlib)"
    rm -rf "$dir"
    done_testing
    exit
fi

plot "$rep/base.json" "$rep/slower.json" -o "$dir/two.png"
ok $? "two reports -> PNG: exit 0"
[ -s "$dir/two.png" ] && head -c 8 "$dir/two.png" | od -An -c | grep -q 'P   N   G'
ok $? "the PNG is non-empty and is a PNG"
plot "$rep/base.json" -o "$dir/one.svg" && grep -q '<svg' "$dir/one.svg" &&
    grep -q 'message size (bytes)' "$dir/one.svg" && grep -q 'latency, one way (us)' "$dir/one.svg"
ok $? "SVG: non-empty, axes labelled with units"
plot "$rep/matrix.json" -o "$dir/matrix.svg" && grep -q 'receiver rank' "$dir/matrix.svg" &&
    grep -q 'sender rank' "$dir/matrix.svg"
ok $? "a report with a pair matrix gets its heatmap"

out="$dir/run.json"
gx_mpirun 2 --pattern latency,bw --sizes 1:4K --iters 5 --quiet --output "$out" >/dev/null 2>&1 &&
    plot "$out" -o "$dir/run.png" && [ -s "$dir/run.png" ]
ok $? "a real gpuxfer report plots"

plot "$rep/base.json" -o "$dir/x.pdf" 2>"$dir/err"
[ $? -eq 2 ] && grep -q 'must end in .png or .svg' "$dir/err"
ok $? "-o with another extension: exit 2"
plot "$rep/not-gpuxfer.json" -o "$dir/x.png" 2>"$dir/err"
[ $? -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && [ ! -e "$dir/x.png" ]
ok $? "not a gpuxfer report: exit 2, one line, no file"
plot "$rep/schema-v2.json" -o "$dir/x.png" 2>"$dir/err"
[ $? -eq 2 ] && grep -q 'schema version 2.0' "$dir/err"
ok $? "another schema major version: exit 2"

rm -rf "$dir"
done_testing
