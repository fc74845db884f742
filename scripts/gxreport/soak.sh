#!/bin/bash
# gpuxfer-report soak: runs gpuxfer --soak under mpirun and watches every rank's memory while it runs,
# to find leaks that one pass over the measurements would not show.
#
#   gpuxfer-report soak [-n NP] [-d SECONDS] [-o DIR] [-i INTERVAL] [-s SCENARIO]
#                       [--host-tol MIB] [--gpu-tol MIB] [-- GPUXFER-OPTIONS...]
#
# Every INTERVAL seconds it samples each gpuxfer rank's VmRSS, VmHWM and RSS's parts (anonymous,
# files, shared: /proc/PID/status) and,
# where nvidia-smi is present, its GPU memory (nvidia-smi --query-compute-apps). At the end it
# prints a table (time, per-rank RSS MiB, per-rank GPU MiB) and a verdict per rank.
#
# Growth is measured after warm-up: from the end of the first pass (gpuxfer prints "# soak: pass
# 2 starts"), or from 20% of the duration when no second pass started. Buffers come and go with
# each path and size, so one sample against another would compare different moments of a pass:
# the peak of the samples in one window (as long as the first pass took, at least 3 samples)
# after warm-up is compared with the peak of the last such window, and VmHWM (the peak itself)
# at warm-up with VmHWM at the end. A rank GREW when host memory grew by more than --host-tol
# MiB (default 2) or GPU memory by more than --gpu-tol MiB (default 0: the driver hands out GPU
# memory in 2 MiB pages, so any growth is a real allocation that stayed).
#
# Exit 0 when no rank grew and the run succeeded (mpirun exit 0, report status complete, no
# failures in soak); 1 when memory grew, a rank was never sampled (no process below mpirun named
# as the program is, or gpuxfer) or the run failed; 2 on bad usage (a -o DIR that is no folder,
# made where missing: a file, FIFO, socket or device there is left as it is).
# Environment: GPUXFER (default: ../src/gpuxfer, gpuxfer beside this, or on PATH), MPIRUN
# (default mpirun; several words: the launcher and its options), MPIRUN_ARGS (extra mpirun
# arguments, e.g. "--bind-to none"). A launch that fails is said as such, with its error.
set -u
# shellcheck source=scripts/gxreport/door.sh
. "$(dirname "$0")/door.sh"
np=2
duration=600
outdir=./soak-out
interval=2
scenario=$(gx_scenario soak)
host_tol=2
gpu_tol=0

usage() { sed -n '4,5p' "$0" | sed 's/^# *//' >&2; exit 2; }
need() { [ $# -ge 2 ] || { echo "$gx_prog: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
    case $1 in
    -n) need "$@"; np=$2; shift 2 ;;
    -d) need "$@"; duration=$2; shift 2 ;;
    -o) need "$@"; outdir=$2; shift 2 ;;
    -i) need "$@"; interval=$2; shift 2 ;;
    -s) need "$@"; scenario=$2; shift 2 ;;
    --host-tol) need "$@"; host_tol=$2; shift 2 ;;
    --gpu-tol) need "$@"; gpu_tol=$2; shift 2 ;;
    -h|--help) gx_usage ;;
    --version) gx_version ;;
    --) shift; break ;;
    *) echo "$gx_prog: unknown argument '$1'" >&2; usage ;;
    esac
done
# Each number with its range, named by its option (gx_whole: one line, exit 2).
np=$(gx_whole -n "$np" 2 "a number of ranks") || exit 2
duration=$(gx_whole -d "$duration" 1 "a duration in seconds") || exit 2
interval=$(gx_whole -i "$interval" 1 "a sampling interval in seconds") || exit 2
host_tol=$(gx_whole --host-tol "$host_tol" 0 "a host memory tolerance in MiB") || exit 2
gpu_tol=$(gx_whole --gpu-tol "$gpu_tol" 0 "a GPU memory tolerance in MiB") || exit 2
case $scenario in */*) [ -r "$scenario" ] || { echo "$gx_prog: cannot read scenario '$scenario'" >&2; exit 2; } ;; esac

GPUXFER=$gx_gpuxfer
[ -x "${GPUXFER:-}" ] || { echo "$gx_prog: gpuxfer not found (set GPUXFER)" >&2; exit 2; }
MPIRUN=${MPIRUN:-mpirun}
# A launcher of several words ("mpirun --oversubscribe", "srun --mpi=pmix"), as sweep's -m.
read -r -a mpirun_cmd <<<"$MPIRUN"
[ ${#mpirun_cmd[@]} -gt 0 ] || { echo "$gx_prog: MPIRUN is empty" >&2; exit 2; }
gx_out_folder -o "$outdir" || exit 2
report=$outdir/report.json
samples=$outdir/samples.tsv
rm -f "$report" "$report.jsonl" "$samples"
have_smi=0
command -v nvidia-smi >/dev/null 2>&1 && have_smi=1

# shellcheck disable=SC2086
"${mpirun_cmd[@]}" -np "$np" ${MPIRUN_ARGS:-} "$GPUXFER" --soak "$duration" --scenario "$scenario" \
    --quiet --force --output "$report" "$@" >"$outdir/gpuxfer.out" 2>"$outdir/gpuxfer.err" &
launcher=$!
# Stopping the script stops the job (mpirun passes SIGTERM on to the ranks).
trap 'kill -TERM $launcher 2>/dev/null' INT TERM

# The gpuxfer processes below the launcher, with their MPI rank from their environment.
descendants() {
    local all
    all=$(ps -e -o pid=,ppid= 2>/dev/null)
    local front=$1 found=""
    while [ -n "$front" ]; do
        local next=""
        for p in $front; do
            next="$next $(echo "$all" | awk -v p="$p" '$2 == p {print $1}')"
        done
        found="$found $next"
        front=$(echo $next)
    done
    echo $found
}
rank_of() {
    tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null |
        sed -n 's/^\(OMPI_COMM_WORLD_RANK\|PMIX_RANK\|PMI_RANK\|SLURM_PROCID\)=//p' | head -n 1
}
status_kib() { printf '%s\n' "$st" | sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p"; } # of $st

# A rank is a process of the program mpirun started (its name as the kernel keeps it, 15
# characters: a copy or build of another name is found too) or of gpuxfer itself.
comm=$(basename "$GPUXFER" | cut -c1-15)
t0=$(date +%s.%N)
warm_t=""
# RSS's parts too (RssAnon: the heap and private mappings; RssFile: mapped files, code
# included; RssShmem: shared memory), so that a rank that grew says where.
printf 't\trank\tpid\trss_kib\thwm_kib\tgpu_mib\tanon_kib\tfile_kib\tshmem_kib\n' >"$samples"
while kill -0 $launcher 2>/dev/null; do
    now=$(date +%s.%N)
    t=$(awk -v a="$now" -v b="$t0" 'BEGIN { printf "%.1f", a - b }') # no bc on every node
    if [ -z "$warm_t" ] && grep -q '^# soak: pass 2 starts' "$outdir/gpuxfer.out" 2>/dev/null; then
        warm_t=$t
        echo "$warm_t" >"$outdir/first-pass-end"
    fi
    gpu=""
    [ $have_smi -eq 1 ] && gpu=$(nvidia-smi --query-compute-apps=pid,used_memory \
        --format=csv,noheader,nounits 2>/dev/null | tr -d ' ')
    for pid in $(descendants $launcher); do
        case $(cat "/proc/$pid/comm" 2>/dev/null) in "$comm"|gpuxfer) ;; *) continue ;; esac
        r=$(rank_of "$pid")
        # One read of the status for every field of the row: read one by one, a rank that ended
        # between two reads (the run's last moments, longer apart on a busy machine) left a row
        # with fields missing.
        st=$(cat "/proc/$pid/status" 2>/dev/null)
        rss=$(status_kib VmRSS) hwm=$(status_kib VmHWM)
        [ -n "$r" ] && [ -n "$rss" ] && [ -n "$hwm" ] || continue
        g=$(echo "$gpu" | awk -F, -v p="$pid" '$1 == p {s += $2} END {if (NR && s != "") print s + 0; else print "-"}')
        [ $have_smi -eq 1 ] || g=-
        parts=$(for k in RssAnon RssFile RssShmem; do v=$(status_kib $k); printf '\t%s' "${v:--}"; done)
        printf '%.1f\t%s\t%s\t%s\t%s\t%s%s\n' "$t" "$r" "$pid" "$rss" "$hwm" "$g" "$parts" >>"$samples"
    done
    sleep "$interval"
done
wait $launcher
run_rc=$?
trap - INT TERM

# What the report says: status, and failures over every pass.
read -r status failures rotations < <("$GX_REPORT_PYTHON" - "$report" <<'PY' 2>/dev/null || echo "missing - -"
import json, sys
d = json.load(open(sys.argv[1]))
s = d.get("soak", {})
print(d.get("status"), s.get("failures", "-"), s.get("rotations", "-"))
PY
)

# No rank ever sampled and the launcher failed: the job never ran, which is no leak verdict,
# and an empty table with "ranks not sampled" before it would say otherwise.
if [ "$run_rc" -ne 0 ] && [ "$(wc -l <"$samples")" -le 1 ]; then
    echo "verdict: FAIL (the launch failed: $MPIRUN exited $run_rc before any rank was sampled)"
    echo "its errors ($outdir/gpuxfer.err):"
    # Its first lines whole, folded within 100 columns (a long path before the cause).
    head -n 5 "$outdir/gpuxfer.err" | fold -s -w 98 | head -n 12 | sed 's/^/  /'
    exit 1
fi

# Table and verdict. Warm-up: the end of the first pass, or 20% of the duration.
[ -n "$warm_t" ] || warm_t=$(awk -v d="$duration" 'BEGIN { print d * 0.2 }')
awk -F'\t' -v warm="$warm_t" -v host_tol="$host_tol" -v gpu_tol="$gpu_tol" \
    -v interval="$interval" -v np="$np" -v out="$outdir/verdict.txt" '
NR == 1 { next }
{
    t = $1 + 0; r = $2 + 0
    if (!(t in seen_t)) { seen_t[t] = 1; times[++nt] = t }
    rss[t, r] = $4 / 1024; gpu[t, r] = $6; hwm[t, r] = $5 / 1024
    anon[t, r] = $7; file[t, r] = $8; shm[t, r] = $9
    ranks[r] = 1; if (r > maxr) maxr = r
    last[r] = t
    if (t >= warm && !(r in first)) first[r] = t
}
END {
    printf "%8s", "t(s)"
    for (r = 0; r <= maxr; r++) if (r in ranks) printf "  %9s %9s", "rss" r "(MiB)", "gpu" r "(MiB)"
    printf "\n"
    for (i = 1; i <= nt; i++) {
        t = times[i]; printf "%8.1f", t
        for (r = 0; r <= maxr; r++) if (r in ranks) {
            if ((t, r) in rss) printf "  %9.1f %9s", rss[t, r], gpu[t, r]
            else printf "  %9s %9s", "-", "-"
        }
        printf "\n"
    }
    # Window: as long as the first pass took (warm), at least 3 samples.
    win = warm; if (win < 3 * interval) win = 3 * interval
    bad = 0
    printf "\nwarm-up ends at %.1f s; peaks compared over %.0f s windows; tolerance host %d MiB, GPU %d MiB\n", warm, win, host_tol, gpu_tol
    # A rank never sampled is a soak that watched nothing of it: never a pass.
    missing = ""
    for (r = 0; r < np; r++) if (!(r in ranks)) missing = missing (missing == "" ? "" : ",") r
    if (missing != "") { printf "ranks not sampled: %s\n", missing; bad = 1 }
    for (r = 0; r <= maxr; r++) {
        if (!(r in ranks)) continue
        if (!(r in first) || last[r] - first[r] < win) {
            printf "rank %d: TOO SHORT (no samples after warm-up to compare)\n", r; bad = 1; continue
        }
        h0 = h1 = g0 = g1 = -1
        for (i = 1; i <= nt; i++) {
            t = times[i]; if (!((t, r) in rss)) continue
            if (t >= first[r] && t < first[r] + win) { if (rss[t, r] > h0) h0 = rss[t, r]; if (gpu[t, r] != "-" && gpu[t, r] > g0) g0 = gpu[t, r] }
            if (t > last[r] - win) { if (rss[t, r] > h1) h1 = rss[t, r]; if (gpu[t, r] != "-" && gpu[t, r] > g1) g1 = gpu[t, r] }
        }
        dh = h1 - h0; dhwm = hwm[last[r], r] - hwm[first[r], r]
        dg = (g0 >= 0 && g1 >= 0) ? g1 - g0 : 0
        grew = dh > host_tol || dhwm > host_tol || dg > gpu_tol
        printf "rank %d: %s  host peak %.1f -> %.1f MiB (%+.1f), VmHWM %+.1f MiB, GPU %s\n", r,
            grew ? "GREW" : "ok  ", h0, h1, dh, dhwm,
            (g0 >= 0 && g1 >= 0) ? sprintf("%d -> %d MiB (%+d)", g0, g1, dg) : "not sampled"
        # Where RSS went between the first and the last sample after warm-up (a kernel without
        # the fields, or an old samples file: not said).
        a = first[r]; b = last[r]
        if (anon[a, r] ~ /^[0-9]+$/ && anon[b, r] ~ /^[0-9]+$/)
            printf "  rank %d: RSS from %.1f to %.1f s: anonymous %+.1f MiB, files %+.1f MiB, shared %+.1f MiB\n",
                r, a, b, (anon[b, r] - anon[a, r]) / 1024, (file[b, r] - file[a, r]) / 1024,
                (shm[b, r] - shm[a, r]) / 1024
        bad = bad || grew
    }
    print bad, (missing == "" ? "-" : missing) > out
}' "$samples" | tee "$outdir/table.txt"
read -r grew missing <"$outdir/verdict.txt" 2>/dev/null || { grew=1; missing=-; }
if [ "${missing:--}" != - ]; then
    echo "verdict: FAIL (rank(s) $missing never sampled: no process named $comm or gpuxfer" \
         "below $MPIRUN)"
    exit 1
fi

run_ok=0
[ "$run_rc" -eq 0 ] && [ "$status" = complete ] && [ "$failures" = 0 ] && run_ok=1
echo "run: mpirun exit $run_rc, report status $status, $rotations passes, $failures failures" \
     "(report $report, samples $samples)"
# Memory is compared between passes: with fewer than 3 (one to warm up, two to compare) the
# windows fall in different phases of one pass and say nothing about growth.
case $rotations in ''|*[!0-9]*) rotations=0 ;; esac
if [ "$run_ok" -eq 1 ] && [ "$rotations" -lt 3 ]; then
    echo "verdict: TOO SHORT ($rotations passes in ${duration} s; a leak verdict needs 3: run longer or a lighter scenario)"
    exit 1
fi
if [ "$run_ok" -eq 1 ] && [ "$grew" = 0 ]; then
    echo "verdict: PASS"
    exit 0
fi
[ "$run_ok" -eq 1 ] || { echo "verdict: FAIL (the run failed; see $outdir/gpuxfer.err)"; tail -n 5 "$outdir/gpuxfer.err" | sed 's/^/  /'; }
[ "$grew" = 0 ] || echo "verdict: FAIL (memory grew after warm-up, or too few samples)"
exit 1
