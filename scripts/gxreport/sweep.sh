#!/bin/bash
# A configuration sweep without Slurm: each configuration line of SWEEPFILE run R times, in
# rounds (every configuration once per round), each run its own gpuxfer job and report with
# that line's settings in its environment; then gpuxfer-report compare of the configurations.
#   gpuxfer-report sweep [-n NP] [-r R] [--seed S] [-o OUTDIR] [-m MPIRUN] [--dry-run]
#                        SWEEPFILE -- GPUXFER_ARGS...
# SWEEPFILE: the format of scripts/slurm/sweep-array.sbatch's GX_SWEEP (gx-config-line.sh):
# space-separated VAR=VALUE per line (MCA parameters as OMPI_MCA_...), '#' comments, blank lines.
# -r replicates per configuration (default 3); the rounds run the configurations in line order
# (A B C A B C ...), or with --seed S (an integer >= 0, recorded) in an order shuffled per round.
# Reports: OUTDIR/cfg-<i>-<settings>/run<k>.json (i from 0, as the array task; k from 1), each
# job's output in run<k>.txt beside it; OUTDIR/manifest.json: the sweep (settings, order, each
# run's exit status and time); OUTDIR/compare.txt: gpuxfer-report compare OUTDIR (configuration 0 the
# reference). --dry-run prints the runs' report names and settings in run order, runs nothing.
# -n ranks (default 2), -o OUTDIR (default ./config-sweep-out; made where missing, exit 2 where
# it is no folder: a file, FIFO, socket or device), -m the mpirun command, split at
# white space (default: $MPIRUN or mpirun); MPIRUN_ARGS: more mpirun options (default
# --bind-to none); GPUXFER: the program (default: the build's src/gpuxfer, gpuxfer beside
# gpuxfer-report, or on PATH); GX_JOB_TIMEOUT: seconds a job may take (default 600).
# Exit: 0 every job ran and compare exited 0; 1 a job or compare failed; 2 bad usage or sweep file.
# --help: this text; --version: the release.

set -u
# shellcheck source=scripts/gxreport/door.sh
. "$(dirname "$0")/door.sh"
np=2 dir=./config-sweep-out dry=0 replicates=3 seed=
mpirun_cmd=${MPIRUN:-mpirun}
die() { echo "$gx_prog: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
    -n) [ $# -ge 2 ] || die "-n needs a number of ranks"; np=$2; shift 2 ;;
    -r) [ $# -ge 2 ] || die "-r needs a number of replicates"; replicates=$2; shift 2 ;;
    --seed) [ $# -ge 2 ] || die "--seed needs an integer"; seed=$2; shift 2 ;;
    -o) [ $# -ge 2 ] || die "-o needs a folder"; dir=$2; shift 2 ;;
    -m) [ $# -ge 2 ] || die "-m needs an mpirun command"; mpirun_cmd=$2; shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) gx_usage ;;
    --version) gx_version ;;
    --) die "no SWEEPFILE before --" ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || die "no SWEEPFILE (see --help)"
sweep=$1; shift
[ $# -eq 0 ] || { [ "$1" = -- ] || die "expected -- after SWEEPFILE, got '$1'"; shift; }
np=$(gx_whole -n "$np" 1 "a number of ranks") || exit 2
# (at most 4 digits: the shell's and Python's integers agree, and nobody means 10000 runs)
case $replicates in ''|*[!0-9]*|0|0*|?????*) die "-r '$replicates': expected a number of replicates from 1 to 9999" ;; esac
case $seed in *[!0-9]*|?????????????????????*) die "--seed '$seed': expected an integer from 0 to 10^20-1" ;; esac
[ -n "$dir" ] || die "-o: empty folder name"
read -r -a mpirun_words <<<"$mpirun_cmd"
[ ${#mpirun_words[@]} -gt 0 ] || die "-m: empty mpirun command"
[ -r "$GX_REPORT_LIB/gx-config-line.sh" ] || die "no gx-config-line.sh in $GX_REPORT_LIB"
# shellcheck source=scripts/gx-config-line.sh
. "$GX_REPORT_LIB/gx-config-line.sh"
# shellcheck disable=SC2034 # gx-config-line.sh's error lines start with it
GX_CFG_WHO=$gx_prog
gx_config_read "$sweep" || exit 2
n=${#GX_CFG_LINES[@]}
[ "$n" -gt 0 ] || die "$sweep: no configuration line"

names=()
for ((i = 0; i < n; i++)); do
    gx_config_parse "${GX_CFG_LINES[$i]}" "$sweep:${GX_CFG_LINENO[$i]}"
    names+=("cfg-$i-$(gx_config_tag '=')")
done
# The run order (gxreport.sweep_order: the one definition of rounds and of the seed's shuffle).
order=$(gx_report_lib sweep-order "$n" "$replicates" "$seed") ||
    die "cannot compute the run order with $GX_REPORT_PYTHON"
runs_cfg=() runs_rep=()
while read -r c k; do runs_cfg+=("$c") runs_rep+=("$k"); done <<<"$order"
total=${#runs_cfg[@]}
if [ $dry -eq 1 ]; then
    for ((s = 0; s < total; s++)); do
        i=${runs_cfg[$s]}
        gx_config_parse "${GX_CFG_LINES[$i]}" "$sweep:${GX_CFG_LINENO[$i]}"
        echo "${names[$i]}/run${runs_rep[$s]}.json: ${GX_CFG[*]}"
    done
    exit 0
fi

G=$gx_gpuxfer
if [ -z "$G" ] || [ ! -x "$G" ]; then die "no gpuxfer program (set GPUXFER)"; fi
gx_out_folder -o "$dir" || exit 2
for ((i = 0; i < n; i++)); do mkdir -p "$dir/${names[$i]}" || die "cannot create '$dir/${names[$i]}'"; done

runs_exit=() runs_start=() runs_secs=()
# The manifest, rewritten after every run: an interrupted sweep still says what ran.
manifest() {
    local s i a
    {
        printf 'sweep_file\t%s\nreplicates\t%s\nseed\t%s\norder\t%s\nranks\t%s\ngpuxfer\t%s\n' \
            "$sweep" "$replicates" "$seed" "$([ -n "$seed" ] && echo shuffled || echo interleaved)" "$np" "$G"
        printf 'mpirun\t%s\nmpirun_args\t%s\n' "${mpirun_words[*]}" "${MPIRUN_ARGS:---bind-to none}"
        for a in "$@"; do printf 'arg\t%s\n' "$a"; done
        for ((i = 0; i < n; i++)); do
            gx_config_parse "${GX_CFG_LINES[$i]}" "$sweep:${GX_CFG_LINENO[$i]}"
            printf 'cfg\t%s\t%s\t%s' "$i" "${GX_CFG_LINENO[$i]}" "${names[$i]}"
            printf '\t%s' "${GX_CFG[@]}"
            printf '\n'
        done
        for ((s = 0; s < total; s++)); do
            printf 'run\t%s\t%s\t%s\t%s\t%s\t%s\n' "$((s + 1))" "${runs_cfg[$s]}" "${runs_rep[$s]}" \
                "${runs_exit[$s]:-}" "${runs_start[$s]:-}" "${runs_secs[$s]:-}"
        done
    } | gx_report_lib write-manifest "$dir"
}
manifest "$@" || die "cannot write $dir/manifest.json"

failed=0
for ((s = 0; s < total; s++)); do
    i=${runs_cfg[$s]} k=${runs_rep[$s]}
    gx_config_parse "${GX_CFG_LINES[$i]}" "$sweep:${GX_CFG_LINENO[$i]}"
    out=$dir/${names[$i]}/run$k
    echo "$gx_prog: run $((s + 1))/$total: configuration $i (line ${GX_CFG_LINENO[$i]}) replicate $k:"
    echo "    ${GX_CFG[*]}"
    runs_start[s]=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    t0=$(date +%s)
    # Each job in a subshell: its settings do not leak into the next one.
    # shellcheck disable=SC2086
    (gx_config_export
     exec timeout -k 10 "${GX_JOB_TIMEOUT:-600}" "${mpirun_words[@]}" -np "$np" \
         ${MPIRUN_ARGS:---bind-to none} "$G" "$@" --force --output "$out.json") >"$out.txt" 2>&1
    rc=$?
    runs_exit[s]=$rc runs_secs[s]=$(($(date +%s) - t0))
    if [ $rc -ne 0 ]; then
        echo "$gx_prog: configuration $i replicate $k: exit $rc (output: $out.txt)" >&2
        tail -n 5 "$out.txt" | sed 's/^/  /' >&2
        failed=1
    fi
    manifest "$@" || die "cannot write $dir/manifest.json"
done
with_report=0
for ((i = 0; i < n; i++)); do
    ls "$dir/${names[$i]}"/run*.json >/dev/null 2>&1 && with_report=$((with_report + 1))
done
if [ $with_report -ge 2 ]; then
    gx_report compare "$dir" >"$dir/compare.txt" 2>&1
    rc=$?
    echo "$gx_prog: gpuxfer-report compare of $with_report configurations: exit $rc ($dir/compare.txt)"
    sed -n '/^# context differences/,$p' "$dir/compare.txt"
    [ $rc -eq 0 ] || failed=1
else
    echo "$gx_prog: $with_report configuration(s) with a report: nothing to compare" >&2
    [ "$n" -lt 2 ] || failed=1
fi
exit $failed
