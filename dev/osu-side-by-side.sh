#!/bin/bash
# gpuxfer beside OSU Micro-Benchmarks on the same MPI, launcher and buffers, in one invocation:
# osu_latency, osu_bw, osu_bibw and gpuxfer over the same sizes, taking turns in each round (who
# goes first alternates), several rounds; prints one table (osu, gpuxfer, their ratio) and counts
# the CUDA/IPC complaints the MPI library or UCX printed.
#
#   osu-side-by-side.sh -g GPUXFER -b OSU_BIN_DIR [-m H|D] [-w own|osu|both] [-r ROUNDS]
#                       [-l LAT_SIZES] [-s BW_SIZES] [-o OUTDIR] [-- extra gpuxfer args]
#
#   -m H|D   host (pageable; gpuxfer --path host) or device buffers (--path mpi) for both
#            programs (default D)
#   -w       gpuxfer's bw/bibw window: its own by size, osu's 64 messages, or both (default both)
#   -r       rounds (default 3); -l latency sizes (default 8,4K); -s bw/bibw sizes (default
#            64K,1M,16M,64M; osu runs the powers of two between the smallest and the largest)
# MPIRUN (default: mpirun -np 2 --bind-to none) launches both; GPUXFER and OSU_BIN may stand for
# -g and -b. OSU_BW_ARGS and GX_BW_ARGS add arguments to the bw/bibw runs of osu and of gpuxfer
# (e.g. "-i 10 -x 2" and "--iters 10 --warmup 2": the same iterations for both, fewer than their
# defaults, where a slow machine would take too long; the table's header shows them). The
# arguments after -- go to every gpuxfer run. A figure is the median
# over the rounds; the parentheses give the ratio's range over the rounds. The load average at
# the start of each round is printed under the table (a shared machine's noise).
set -u
gx=${GPUXFER:-} osu=${OSU_BIN:-} rounds=3 mem=D windows=both
lat_sizes=8,4K bw_sizes=64K,1M,16M,64M
out=${TMPDIR:-/tmp}/osu-side-by-side.$$
usage() {
    echo "usage: osu-side-by-side.sh -g GPUXFER -b OSU_BIN_DIR [-m H|D] [-w own|osu|both] [-r ROUNDS] [-l SIZES] [-s SIZES] [-o OUTDIR] [-- gpuxfer args]" >&2
    exit 2
}
while getopts g:b:m:w:r:l:s:o: o; do
    case $o in
    g) gx=$OPTARG ;;
    b) osu=$OPTARG ;;
    m) mem=$OPTARG ;;
    w) windows=$OPTARG ;;
    r) rounds=$OPTARG ;;
    l) lat_sizes=$OPTARG ;;
    s) bw_sizes=$OPTARG ;;
    o) out=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ -x "$gx" ] && [ -x "$osu/osu_latency" ] && [ -x "$osu/osu_bw" ] && [ -x "$osu/osu_bibw" ] || {
    echo "osu-side-by-side.sh: -g GPUXFER (an executable) and -b OSU_BIN_DIR (with osu_latency, osu_bw, osu_bibw) are needed" >&2
    usage
}
case $mem in
# Host buffers: the host path (the mpi path with host memory and its nominal latency, which sets
# the round trips per latency sample).
H) osu_mem=(H H) gx_mem=(--path host --mem pageable) ;;
D) osu_mem=(-d cuda D D) gx_mem=(--path mpi --mem device) ;;
*) echo "osu-side-by-side.sh: -m $mem: expected H (host) or D (device)" >&2; usage ;;
esac
case $windows in
own) gx_windows=(own) ;;
osu) gx_windows=(osu) ;;
both) gx_windows=(own osu) ;;
*) echo "osu-side-by-side.sh: -w $windows: expected own, osu or both" >&2; usage ;;
esac
case $rounds in
'' | *[!0-9]* | 0) echo "osu-side-by-side.sh: -r $rounds: expected a count of rounds, 1 or more" >&2; usage ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-python3}
mkdir -p "$out" || exit 1
read -r -a mr <<<"${MPIRUN:-mpirun -np 2 --bind-to none}"
read -r -a osu_bw_args <<<"${OSU_BW_ARGS:-}"
read -r -a gx_bw_args <<<"${GX_BW_ARGS:-}"
# osu's -m takes a range: the smallest to the largest size gpuxfer measures.
osu_range() {
    local n
    n=$(tr , '\n' <<<"$1" | numfmt --from=iec | sort -n) || return 1
    echo "$(head -1 <<<"$n"):$(tail -1 <<<"$n")"
}
lat_range=$(osu_range "$lat_sizes") && bw_range=$(osu_range "$bw_sizes") || {
    echo "osu-side-by-side.sh: sizes are counts with an optional K, M or G (got '$lat_sizes' and '$bw_sizes')" >&2
    exit 2
}
run_osu() { # pattern round
    local range=$bw_range args=("${osu_bw_args[@]}")
    [ "$1" = latency ] && range=$lat_range args=()
    timeout 600 "${mr[@]}" "$osu/osu_$1" -m "$range" "${args[@]}" "${osu_mem[@]}" \
        >"$out/osu-$1.$2.txt" 2>&1
}
run_gx() { # pattern round window(own|osu) [gpuxfer args]
    local pat=$1 r=$2 w=$3 sizes=$bw_sizes win=("${gx_bw_args[@]}")
    shift 3
    [ "$pat" = latency ] && sizes=$lat_sizes win=()
    [ "$w" = osu ] && win+=(--window 64)
    timeout 600 "${mr[@]}" "$gx" "${gx_mem[@]}" --pattern "$pat" --sizes "$sizes" \
        "${win[@]}" --ceilings off --quiet --force --output "$out/gx-$pat-$w.$r.json" "$@" \
        >"$out/gx-$pat-$w.$r.txt" 2>&1
}
started=$(date +%s)
: >"$out/load.txt"
for r in $(seq 1 "$rounds"); do
    echo "round $r load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" >>"$out/load.txt"
    for pat in latency bw bibw; do
        wins=("${gx_windows[@]}")
        [ "$pat" = latency ] && wins=(own) # osu_latency has no window to match
        # Who goes first alternates, so that a drift of the machine favours neither.
        [ $((r % 2)) = 0 ] || run_osu "$pat" "$r"
        for w in "${wins[@]}"; do
            run_gx "$pat" "$r" "$w" "${@}"
        done
        [ $((r % 2)) = 1 ] || run_osu "$pat" "$r"
    done
done
echo "# $(date -u +%FT%TZ), $((($(date +%s) - started))) s; memory $mem; $rounds rounds;" \
    "MPIRUN: ${mr[*]}; load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "# osu: $osu (bw/bibw: ${osu_bw_args[*]:-its defaults}); gpuxfer: $gx ${gx_mem[*]} ${*}" \
    "(bw/bibw: ${gx_bw_args[*]:-its defaults})"
"$py" - "$out" "$rounds" "$here/mpi-complaints.ere" "${gx_windows[*]}" "$here/../scripts" <<'PY'
import json, re, statistics, sys
out, rounds, ere, windows = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split()
sys.path.insert(0, sys.argv[5])
import gxreport as gx  # a disturbed median marked ~, as every report tool marks it
pats = [re.compile(l.strip()) for l in open(ere) if l.strip()]

def complaints(path):
    try:
        return sum(1 for l in open(path, errors="replace") if any(p.search(l) for p in pats))
    except OSError:
        return 0

def osu(path, scale):
    vals = {}
    try:
        lines = open(path, errors="replace").readlines()
    except OSError:
        return vals
    for l in lines:
        f = l.split()
        if len(f) == 2 and f[0].isdigit():
            try:
                vals[int(f[0])] = float(f[1]) * scale
            except ValueError:
                pass
    return vals

def gx_results(path):
    try:
        d = json.load(open(path))
    except (OSError, ValueError):
        return {}
    return {r["size"]: (r["stats"]["median"], r["stats"]["mean"], r["window"], gx.noisy(r))
            for r in d.get("results", []) if r.get("status") == "ok"}

scale = {"latency": 1.0, "bw": 1e-3, "bibw": 1e-3}
# (pattern, size) -> column -> [value per round]
table, noise, window_of, disturbed = {}, [], {}, set()
for r in range(1, rounds + 1):
    n_osu = n_gx = 0
    for pat in ("latency", "bw", "bibw"):
        o = osu(f"{out}/osu-{pat}.{r}.txt", scale[pat])
        n_osu += complaints(f"{out}/osu-{pat}.{r}.txt")
        for w in (["own"] if pat == "latency" else windows):
            n_gx += complaints(f"{out}/gx-{pat}-{w}.{r}.txt")
            for size, (med, mean, win, noisy) in gx_results(f"{out}/gx-{pat}-{w}.{r}.json").items():
                if noisy:
                    disturbed.add((pat, size, "gx-" + w))
                row = table.setdefault((pat, size), {})
                row.setdefault("osu", [None] * rounds)[r - 1] = o.get(size)
                row.setdefault("gx-" + w, [None] * rounds)[r - 1] = med
                if pat == "latency":
                    row.setdefault("mean", [None] * rounds)[r - 1] = mean
                window_of[(pat, size, w)] = win
    noise.append("round %d complaints: osu %d, gpuxfer %d" % (r, n_osu, n_gx))

def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None

def ratio(row, col):
    """The ratio of the medians, and its range over the rounds."""
    o, g = med(row.get("osu", [])), med(row.get(col, []))
    if not o or g is None:
        return "-"
    per = [b / a for a, b in zip(row["osu"], row[col]) if a and b is not None]
    return "%.1f%% (%.0f-%.0f)" % (100 * g / o, 100 * min(per), 100 * max(per))

def fmt(v):
    return "%.3f" % v if v is not None else "-"

cols = [("gx-" + w, name) for w, name in (("own", "gpuxfer"), ("osu", "gpuxfer@64")) if w in windows]
head = "%-8s %9s %9s" % ("pattern", "size", "osu")
for c, name in cols:
    head += " %11s %6s %18s" % (name, "window", name + "/osu")
head += " %11s %18s" % ("latency mean", "mean/osu")
print(head)
order = {"latency": 0, "bw": 1, "bibw": 2}
for (pat, size) in sorted(table, key=lambda k: (order[k[0]], k[1])):
    row = table[(pat, size)]
    line = "%-8s %9d %9s" % (pat, size, fmt(med(row.get("osu", []))))
    for c, _ in cols:
        has = c in row
        win = window_of.get((pat, size, c[3:]), "-")
        cell = gx.mark_median(fmt(med(row[c])), (pat, size, c) in disturbed) if has else "-"
        line += " %11s %6s %18s" % (cell, win if has else "-",
                                     ratio(row, c) if has else "-")
    if pat == "latency":
        line += " %11s %18s" % (fmt(med(row["mean"])), ratio(row, "mean"))
    print(line)
print("# latency: us one way (osu: the mean of its iterations; gpuxfer: the median of its samples,")
print("#   each a window of round trips; 'latency mean': gpuxfer's mean, osu's kind of figure);")
print("# bw/bibw: GB/s (osu's MB/s / 1000); gpuxfer@64: gpuxfer with osu's window (--window 64)")
print("# each figure: the median over the rounds; ratio (its lowest-highest over the rounds)")
if disturbed:
    print("# ~: the machine disturbed that step in some round (the report's noise): rerun on a "
          "quieter node")
print("\n".join("# " + n for n in noise))
print("".join("# " + l for l in open(f"{out}/load.txt")), end="")
print("# per round:")
for (pat, size) in sorted(table, key=lambda k: (order[k[0]], k[1])):
    row = table[(pat, size)]
    print("#   %-7s %9d " % (pat, size) + "; ".join(
        "%s %s" % (c, ", ".join(fmt(x) for x in v)) for c, v in row.items()))
PY
