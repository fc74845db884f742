#!/bin/sh
# A view of src/views/ is data only: none of its files, nor any header they include (directly or
# through others), includes cJSON, and none writes to a stream; the one text and the one JSON
# renderer (src/report/grid_text.c, grid_json.c) draw every grid.
. "$top_srcdir/tests/lib.sh"
cd "$top_srcdir" || exit 1
# A header's path by its name (headers are included by name alone: tests/layers.sh).
where() { find src kernels -name "$1" | head -n 1; }
todo=$(ls src/views/*.[ch]) seen= json=
while [ -n "$todo" ]; do
    set -- $todo
    f=$1; shift; todo=$*
    case " $seen " in *" $f "*) continue ;; esac
    seen="$seen $f"
    grep -q '^[ \t]*#[ \t]*include[ \t]*<cjson/' "$f" && json="$json $f"
    for h in $(sed -n 's/^[ \t]*#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f"); do
        p=$(where "$h")
        [ -n "$p" ] && todo="$todo $p"
    done
done
nviews=$(ls src/views/*.c | wc -l)
[ "$nviews" -gt 3 ] && [ -z "$json" ]
ok $? "the $nviews files of src/views/ and the $(echo $seen | wc -w) files they include: no cJSON${json:+ (in$json)}"
out=$(grep -nE '\<(printf|fprintf|vfprintf|puts|fputs|fputc|putchar|fwrite|gx_print_note|cJSON_[A-Za-z]+)[ \t]*\(' src/views/*.[ch])
[ -z "$out" ]
ok $? "no file of src/views/ writes to a stream or makes JSON"
[ -z "$out" ] || echo "$out" | diag
done_testing
