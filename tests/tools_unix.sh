#!/bin/bash
# The report tools as Unix programs (issue 35, class 9): piped into head, writing to a full
# stdout, under a Latin-1 locale with non-ASCII names, given a FIFO or /dev/zero or a size of
# 10^30, writing a plot onto an existing file or a link or a full disk: no traceback, no hang, no
# unbounded memory, no overwrite without --force, no partial file, and exit statuses that never
# collide with a verdict (2 bad input, 3 output not written; compare's and goals' 1 is theirs).
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/tools-unix.XXXXXX")
S=$top_srcdir/scripts
rep=$top_srcdir/tests/reports/base.json
one_line() { # one_line FILE PATTERN: FILE is one line matching PATTERN, no traceback
    [ "$(wc -l <"$1")" -eq 1 ] && grep -q -- "$2" "$1" && ! grep -q Traceback "$1"
}

for t in summary compare goals; do
    case $t in compare) a="$rep $rep" ;; *) a="$rep" ;; esac
    # shellcheck disable=SC2086
    "$PYTHON" "$S/gpuxfer-$t" $a 2>"$dir/$t.err" | head -n 1 >/dev/null
    rc=${PIPESTATUS[0]}
    [ $rc -le 1 ] && ! grep -q Traceback "$dir/$t.err"
    ok $? "gpuxfer-$t | head -n 1: no traceback (exit $rc)" || diag <"$dir/$t.err"
    # shellcheck disable=SC2086
    "$PYTHON" "$S/gpuxfer-$t" $a >/dev/full 2>"$dir/$t.err"
    rc=$?
    [ $rc -eq 3 ] && one_line "$dir/$t.err" "cannot write stdout: No space left on device"
    ok $? "gpuxfer-$t onto a full stdout: exit 3 (got $rc), one line" || diag <"$dir/$t.err"
done

mkfifo "$dir/fifo.json"
# A read of the fifo (or of /dev/zero) would never end: the limit tells that from a slow start on
# a loaded machine, with room to spare.
for input in "$dir/fifo.json" /dev/zero "$dir"; do
    timeout 120 "$PYTHON" "$S/gpuxfer-summary" "$input" >/dev/null 2>"$dir/in.err"
    rc=$?
    [ $rc -eq 2 ] && one_line "$dir/in.err" "not a regular file\|Is a directory"
    ok $? "gpuxfer-summary $input: exit 2 (got $rc) at once, one line" || diag <"$dir/in.err"
done

"$PYTHON" - "$rep" "$dir/big.json" "$dir/latin.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
big = json.loads(json.dumps(d))
big["results"][0]["size"] = 10 ** 30
json.dump(big, open(sys.argv[2], "w"))
for r in d["results"]:
    r["path"] = "h\u00f6st-\u20ac-\u00e9"
    r["run"] = "l\u00e4uft"
json.dump(d, open(sys.argv[3], "w"), ensure_ascii=False)
PY
"$PYTHON" "$S/gpuxfer-summary" "$dir/big.json" >/dev/null 2>"$dir/big.err"
rc=$?
[ $rc -eq 2 ] && one_line "$dir/big.err" "results\[0\].size: expected an integer from 1 to 2\*\*63 - 1"
ok $? "a size of 10^30: exit 2 (got $rc), the field named" || diag <"$dir/big.err"
for t in summary compare; do
    case $t in compare) a="$dir/latin.json $dir/latin.json" ;; *) a="$dir/latin.json" ;; esac
    # shellcheck disable=SC2086
    LC_ALL=C PYTHONIOENCODING=latin-1 "$PYTHON" "$S/gpuxfer-$t" $a >"$dir/latin.out" 2>"$dir/latin.err"
    rc=$?
    [ $rc -eq 0 ] && ! grep -q Traceback "$dir/latin.err" && grep -qF 'st-\u20ac' "$dir/latin.out"
    ok $? "gpuxfer-$t under a Latin-1 locale, non-ASCII names: exit 0 (got $rc), no traceback" ||
        diag <"$dir/latin.err"
done

if "$PYTHON" -c "import matplotlib" 2>/dev/null; then
    echo mine >"$dir/mine.png"
    echo target >"$dir/target"
    ln -s "$dir/target" "$dir/link.png"
    for o in mine.png link.png; do
        "$PYTHON" "$S/gpuxfer-plot" "$rep" -o "$dir/$o" 2>"$dir/p.err"
        rc=$?
        [ $rc -eq 2 ] && one_line "$dir/p.err" "exists (--force overwrites it)" &&
            [ "$(cat "$dir/$o")" = "$(cat "$dir/mine.png" 2>/dev/null || true)" -o -L "$dir/$o" ]
        ok $? "gpuxfer-plot onto an existing $o: exit 2 (got $rc), left as it was" || diag <"$dir/p.err"
    done
    "$PYTHON" "$S/gpuxfer-plot" "$rep" -o "$dir/link.png" --force 2>"$dir/p.err"
    rc=$?
    [ $rc -eq 0 ] && [ ! -L "$dir/link.png" ] && [ "$(cat "$dir/target")" = target ]
    ok $? "gpuxfer-plot --force onto a link: the link replaced, its target untouched" || diag <"$dir/p.err"
    "$PYTHON" "$S/gpuxfer-plot" "$dir/big.json" -o "$dir/big.png" 2>"$dir/p.err"
    rc=$?
    [ $rc -eq 2 ] && [ -z "$(find "$dir" -name 'big.png*')" ] && ! grep -q Traceback "$dir/p.err"
    ok $? "gpuxfer-plot of a size of 10^30: exit 2 (got $rc), no file" || diag <"$dir/p.err"
    mkdir "$dir/full"
    if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=16k tmpfs "$dir/full" 2>/dev/null; then
        dd if=/dev/zero of="$dir/full/filler" bs=4k count=4 2>/dev/null
        "$PYTHON" "$S/gpuxfer-plot" "$rep" -o "$dir/full/p.png" 2>"$dir/p.err"
        rc=$?
        [ $rc -eq 3 ] && one_line "$dir/p.err" "cannot write $dir/full/p.png: No space left on device" &&
            [ "$(ls "$dir/full")" = filler ]
        ok $? "gpuxfer-plot onto a full disk: exit 3 (got $rc), one line, no partial file" ||
            { diag <"$dir/p.err"; ls "$dir/full" | diag; }
        umount "$dir/full"
    else
        skip "cannot mount a small tmpfs here"
    fi
else
    for i in 1 2 3 4 5; do skip "no matplotlib for $PYTHON"; done
fi

rm -rf "$dir"
done_testing
