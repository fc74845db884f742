#!/bin/sh
# Every file a comment of src/ or kernels/ names (`foo.c`, `stop.h`, `kernels/fill.cu`,
# `tests/links.sh`, `foo.py`) is in the tree: a comment that sends its reader to a file renamed
# or gone misleads. A name with a folder is looked up as written, from the top of the tree or
# from src/; a bare name anywhere in the tree. Names in strings and code are not comments.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/comment_files.XXXXXX")

# Other projects' headers that comments name (their layouts, their rules), in no folder here.
others="mpi.h mpi-ext.h nvml.h"

(cd "$top_srcdir" && find . -name .git -prune -o -type f -print | sed 's|^\./||') >"$dir/tree"
(cd "$top_srcdir" && find src kernels -type f \( -name '*.c' -o -name '*.h' -o -name '*.cu' \
    -o -name '*.cuh' \) | LC_ALL=C sort) >"$dir/files"

# One line per name a comment holds, "file:line: name", then "missing" where it is in no file.
awk -v top="$top_srcdir" -v others="$others" -v out="$dir" '
FNR == NR {
    tree[$0] = 1
    b = $0; sub(/.*\//, "", b)
    base[b] = 1
    next
}
{ files[++nfiles] = $0 }
END {
    n = split(others, o, " ")
    for (i = 1; i <= n; i++) base[o[i]] = 1
    for (f = 1; f <= nfiles; f++) {
        path = top "/" files[f]; incom = 0; ln = 0
        while ((getline line < path) > 0) {
            ln++
            text = ""; i = 1; len = length(line)
            while (i <= len) {
                c = substr(line, i, 1); c2 = substr(line, i, 2)
                if (incom) {
                    if (c2 == "*/") { incom = 0; text = text " "; i += 2 }
                    else { text = text c; i++ }
                } else if (c2 == "/*") {
                    incom = 1; i += 2
                } else if (c2 == "//") {
                    text = text " " substr(line, i + 2); break
                } else if (c == "\"" || c == "\047") { # a string or a character: skipped
                    for (i++; i <= len && substr(line, i, 1) != c; i++)
                        if (substr(line, i, 1) == "\\") i++
                    i++
                } else {
                    i++
                }
            }
            while (match(text, /[A-Za-z0-9_][A-Za-z0-9_.\/-]*\.(cuh|cu|c|h|sh|py)([^A-Za-z0-9_]|$)/)) {
                name = substr(text, RSTART, RLENGTH)
                text = substr(text, RSTART + RLENGTH)
                sub(/[^A-Za-z0-9_]$/, "", name)
                nnames++
                if (name ~ /\//) found = (name in tree) || (("src/" name) in tree)
                else found = name in base
                if (!found)
                    print files[f] ":" ln ": " name " is in no file of the tree" > (out "/missing")
            }
        }
        close(path)
    }
    print nfiles + 0, nnames + 0 > (out "/counts")
}' "$dir/tree" "$dir/files"
: >>"$dir/missing"
read -r nfiles nnames <"$dir/counts"

[ "$nfiles" -gt 100 ] && [ "$nnames" -gt 20 ]
ok $? "the comments of $nfiles files of src/ and kernels/ name $nnames files"
diag <"$dir/missing"
[ ! -s "$dir/missing" ]
ok $? "every file they name is in the tree"

rm -rf "$dir"
done_testing
