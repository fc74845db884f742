#!/bin/sh
# The dry run's estimate against the run's wall time, for every shipped scenario (or those
# named; `default` is the run without --scenario): for each, `gpuxfer --scenario NAME --dry-run`, then the run itself timed as a user
# times it (the whole mpirun), and one table line: estimate, real, their ratio, within 25% or
# not, the exit status and the load average. It measures for real: the whole set takes minutes
# (a GPU node's far longer), and a busy machine's load moves both numbers.
#
# Usage: scripts/estimate-check.sh [-n RANKS] [-o DIR] [SCENARIO...]
#   MPIRUN (default mpirun) and GPUXFER (default src/gpuxfer beside this script, else gpuxfer
#   on PATH) name the programs; the reports and outputs go to DIR (default a new temporary
#   folder, kept).
set -u
np=2 out=
while getopts n:o: opt; do
    case $opt in
    n) np=$OPTARG ;;
    o) out=$OPTARG ;;
    *) sed -n '9,12p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
gx=${GPUXFER:-}
[ -n "$gx" ] || { [ -x "$top/src/gpuxfer" ] && gx=$top/src/gpuxfer; } || gx=gpuxfer
mpirun=${MPIRUN:-mpirun}
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/estimate-check.XXXXXX") || exit 1
mkdir -p "$out" || exit 1
if [ $# -eq 0 ]; then
    for f in "$top"/scenarios/*.json; do
        set -- "$@" "$(basename "$f" .json)"
    done
    set -- default "$@"
fi
now() { date +%s.%N; }
printf '%-19s %10s %10s %7s %-7s %4s %6s\n' scenario "estimate s" "real s" ratio "<=25%" exit load
fails=0
for name in "$@"; do
    scen="--scenario $name"
    [ -f "$top/scenarios/$name.json" ] && scen="--scenario $top/scenarios/$name.json"
    [ "$name" = default ] && scen=
    # shellcheck disable=SC2086
    $mpirun -np "$np" "$gx" $scen --dry-run >"$out/$name.dry" 2>&1
    est=$(tr '\n' ' ' <"$out/$name.dry" | sed 's/ #   */ /g' |
        sed -n 's/.*; estimate \([0-9.]*\) s, at each .*/\1/p')
    # A run that measures nothing exits 7, and Open MPI's mpirun takes 1 or 2 s more to end a
    # job whose rank exits non-zero: the launcher's time, not the run's. Such a run is timed
    # with --allow-skip (exit 0), and its line says so.
    skip=
    grep -q '^# every result is skipped' "$out/$name.dry" && skip=--allow-skip
    t0=$(now)
    # shellcheck disable=SC2086
    $mpirun -np "$np" "$gx" $scen $skip --force --output "$out/$name.json" \
        >"$out/$name.out" 2>&1
    rc=$?
    t1=$(now)
    load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo -)
    awk -v n="$name${skip:+ (skip)}" -v e="${est:-}" -v t0="$t0" -v t1="$t1" -v rc="$rc" -v l="$load" 'BEGIN {
        real = t1 - t0
        if (e == "") {
            printf "%-19s %10s %10.1f %7s %-7s %4d %6s\n", n, "?", real, "-", "no", rc, l
            exit 1
        }
        r = real > 0 ? e / real : 0
        ok = r >= 0.75 && r <= 1.25
        printf "%-19s %10.1f %10.1f %7.2f %-7s %4d %6s\n", n, e, real, r, ok ? "yes" : "no", rc, l
        exit !ok }' || fails=$((fails + 1))
done
echo "# outputs and reports in $out; $fails of $# estimates off by more than 25%"
[ "$fails" -eq 0 ]
