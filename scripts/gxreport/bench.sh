#!/bin/bash
# The performance benchmark (not part of make check): the full GPU sweep with the machine's
# ceilings measured in the same job, then the goals table (gpuxfer-report goals), whose
# "every ceiling a bound" row counts the results marked '!'.
#   gpuxfer-report bench [-n RANKS] [-o DIR] [-s SCENARIO|default] [-t SECONDS]
#                        [-- MORE GPUXFER OPTIONS]
# -n: 2 or more ranks (default 2). -t: a time limit in whole seconds (default 0: none).
# -s default: the default run (no --scenario), as `mpirun -np 2 gpuxfer` makes it; its wall time
# is printed. Environment: GPUXFER (default: the build's src/gpuxfer, gpuxfer beside this, or on
# PATH), MPIRUN (default mpirun), MPIRUN_ARGS (default --bind-to none: gpuxfer binds each rank).
# Exit: gpuxfer's status when it failed (3 when it left no report), else the goals' (1: missed).
# The run's files in DIR are removed first: an earlier run's report is never read as this one's.
# DIR is made where missing; one that is no folder (a file, FIFO, socket, device) is exit 2.
set -u
# shellcheck source=scripts/gxreport/door.sh
. "$(dirname "$0")/door.sh"
np=2 dir=./bench-out limit=0
scenario=$(gx_scenario gpu-sweep)
while [ $# -gt 0 ]; do
    case $1 in
    -n) np=$(gx_whole "$1" "${2-}" 2 "a number of ranks") || exit 2; shift 2 ;;
    -o) dir=${2:?-o needs a directory}; shift 2 ;;
    -s) scenario=${2:?-s needs a scenario file}; shift 2 ;;
    -t) limit=$(gx_whole "$1" "${2-}" 0 "a time limit in whole seconds, 0 for none") || exit 2; shift 2 ;;
    --) shift; break ;;
    -h|--help) gx_usage ;;
    --version) gx_version ;;
    *) echo "$gx_prog: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
G=$gx_gpuxfer
[ -n "$G" ] && [ -x "$G" ] || { echo "$gx_prog: no gpuxfer binary (set GPUXFER)" >&2; exit 2; }
case $scenario in */*) [ -r "$scenario" ] || { echo "$gx_prog: cannot read scenario '$scenario'" >&2; exit 2; } ;; esac
what=(--scenario "$scenario"); [ "$scenario" != default ] || what=()
gx_out_folder -o "$dir" || exit 2
report=$dir/bench.json
# An earlier run's report must never be read as this run's (a run that stops before writing
# one would leave it): this run's files start gone.
rm -f "$report" "$report.jsonl" "$report.samples.jsonl" "$dir/bench.txt" ||
    { echo "$gx_prog: cannot remove the earlier run's files in $dir" >&2; exit 2; }
# A time limit ends the job with SIGTERM: gpuxfer then writes what it measured, marked
# interrupted, and the goals table covers that.
run=(${MPIRUN:-mpirun} -np "$np" ${MPIRUN_ARGS:---bind-to none} "$G" "${what[@]}"
     --ceilings on --quiet --force --output "$report" "$@")
if [ "$limit" -gt 0 ]; then run=(timeout -s TERM "$limit" "${run[@]}"); fi
start=$(date +%s.%N)
"${run[@]}" >"$dir/bench.txt" 2>&1
rc=$?
wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
shown=$report; [ -f "$report" ] || shown="none"
echo "gpuxfer exit $rc after $wall s (wall time, ceilings included); table: $dir/bench.txt; report: $shown"
sed -n '/^# transfer plan/,/^$/p' "$dir/bench.txt"
# No report: gpuxfer's own status (never 1, which is the goals' "missed"), and why there is
# none said as such: a launcher that failed (MPIRUN of several words with a bad option, a
# launcher not found) leaves only its own errors, which alone read as gpuxfer's.
if [ ! -f "$report" ]; then
    echo "$gx_prog: no report: ${MPIRUN:-mpirun} exited $rc before gpuxfer wrote one (the launch" \
         "failed, or gpuxfer stopped first); the end of $dir/bench.txt:" >&2
    tail -n 20 "$dir/bench.txt" | sed 's/^/  /' >&2
    [ $rc -ne 0 ] && [ $rc -ne 1 ] && exit $rc
    exit 3
fi
gx_report goals "$report"
goals=$?
# Its own numbers checked: the report's exit code is gpuxfer's (a time limit's SIGTERM: 5).
said=$(sed -n 's/^[[:space:]]*"exit_code":[[:space:]]*\([0-9]*\).*/\1/p' "$report" | tail -n 1)
want=$rc; [ "$rc" -eq 124 ] && want=5
if [ "$said" != "$want" ]; then
    echo "$gx_prog: the report says exit_code ${said:-none}, gpuxfer exited $rc" >&2
    [ $rc -ne 0 ] || rc=1
fi
[ $rc -eq 0 ] || exit $rc
exit $goals
