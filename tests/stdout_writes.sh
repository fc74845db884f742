#!/bin/sh
# Every write to stdout is checked: each writer (--help, --version, --dry-run, the table, the
# CSV) onto /dev/full, a pipe whose reader is gone and a closed stdout ends with exit 3 and one
# line naming what could not be written; never a silent exit 0, but for an answer (--help,
# --version, --dry-run) into a pipe whose reader is gone, which ends quietly as Unix tools do. Rank 0's own stdout is the sink
# (mpirun's forwarding would otherwise take the error); the other ranks write to /dev/null.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/stdout.XXXXXX")
args="--sizes 8 --iters 3 --pattern latency --quiet"

# WHAT|OPTION: what the message names, and the option that makes rank 0 write it.
writers='--help|--help
--version|--version
the --dry-run plan|--dry-run
the table|
the CSV|--format=csv'
echo "$writers" >"$dir/writers"
# fd 3: mpirun forwards its stdin to rank 0, which would swallow the list.
while IFS='|' read -r what option <&3; do
    for sink in full pipe closed; do
        out="$dir/r-$sink${option#--}.json"
        # shellcheck disable=SC2086
        timeout -k 10 600 "$MPIRUN" -np 2 $gx_mpirun_opts sh -c '
            r=${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-${PMI_RANK:-0}}}; sink=$1; shift
            [ "$r" -eq 0 ] || exec "$@" >/dev/null
            case $sink in
            full) exec "$@" >/dev/full ;;
            closed) exec "$@" >&- ;;
            pipe) exec "$PYTHON" -c "import os, subprocess, sys
r, w = os.pipe()
os.close(r)  # no reader: every write is EPIPE, at once and every time
sys.exit(subprocess.call(sys.argv[1:], stdout=w))" "$@" ;;
            esac' stdout_writes "$sink" "$GPUXFER" $args --output "$out" $option \
            </dev/null >/dev/null 2>"$dir/err"
        rc=$?
        lines=$(grep -c '^gpuxfer: ' "$dir/err")
        case $sink/$option in
        pipe/--help|pipe/--version|pipe/--dry-run)
            # An answer whose reader is gone (`gpuxfer --help | head`) ends quietly, as cat.
            [ $rc -eq 0 ] && [ ! -s "$dir/err" ]
            ok $? "$option onto a pipe whose reader is gone: exit 0, nothing said" ||
                { echo "exit $rc"; cat "$dir/err"; } | diag
            continue ;;
        esac
        [ $rc -eq 3 ] && [ "$lines" -eq 1 ] &&
            grep -q "^gpuxfer: \(rank 0: \)\{0,1\}cannot write $what to stdout: " "$dir/err"
        ok $? "${option:-the table} onto $sink: exit 3, one line: cannot write $what to stdout" ||
            { echo "exit $rc"; cat "$dir/err"; } | diag
    done
done 3<"$dir/writers"

# --table FILE takes stdout's place: a write that fails names the file, not stdout.
for option in "" --format=csv; do
    what="the table"; [ -z "$option" ] || what="the CSV"
    gx_mpirun 2 $args --output "$dir/t${option#--}.json" --table /dev/full $option \
        >/dev/null 2>"$dir/err"
    rc=$?
    [ $rc -eq 3 ] && [ "$(grep -c '^gpuxfer: ' "$dir/err")" -eq 1 ] &&
        grep -q "^gpuxfer: \(rank 0: \)\{0,1\}cannot write $what to --table '/dev/full': " "$dir/err"
    ok $? "--table /dev/full ${option:-(the table)}: exit 3, one line naming the file (exit $rc)" ||
        diag <"$dir/err"
done

# A table that did not reach stdout: the report, written all the same, says why.
py_check "$dir/r-full.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(d["status"], d["exit_code"], d.get("error"))
sys.exit(0 if d["status"] == "error" and d["exit_code"] == 3 and
         d["error"].startswith("cannot write the table to stdout") else 1)
PY
ok $? "the report of a run whose table was lost: status error, exit 3, the reason"

rm -rf "$dir"
done_testing
