#!/bin/sh
# The wall time of each test program of the last run, worst first, and their sum, from the line
# tests/timed-driver.sh adds to each log: for each folder given (default: tests of the build
# tree; make test-times adds the sanitizer build's, tests/out/sanitize/tests, where it ran).
# With -j2 a tier's wall time is about half the sum, or the longest program where that is more.
[ $# -gt 0 ] || set -- tests
for d in "$@"; do
    [ -d "$d" ] || continue
    echo "== $d"
    for f in "$d"/*.log; do
        [ -f "$f" ] || continue
        case ${f##*/} in test-suite.log) continue ;; esac
        s=$(sed -n 's/^# gx-wall-seconds: //p' "$f" | tail -n 1)
        [ -n "$s" ] && printf '%s %s\n' "$s" "${f##*/}"
    done | sort -rn | awk '{ printf "%8.1f s  %s\n", $1, substr($2, 1, length($2) - 4); t += $1; n++ }
        END { printf "%8.1f s  sum of %d programs\n", t, n }'
done
