#!/bin/bash
# gpuxfer's mpi path beside OSU Micro-Benchmarks on the same MPI, GPUs and launcher, in one run:
# osu_latency, osu_bw, osu_bibw with device buffers (-d cuda D D) and gpuxfer --path mpi over
# the same sizes, repeated; prints one table (osu, gpuxfer median and cv, the ratio) and counts
# the CUDA/IPC complaints the MPI library or UCX printed during each program.
#
#   osu-side-by-side.sh -g GPUXFER -b OSU_BIN_DIR [-r REPS] [-o OUTDIR] [-- extra gpuxfer args]
# MPIRUN (default: mpirun -np 2 --bind-to none) is the launcher of both.
set -u
gx= osu= reps=2 out=${TMPDIR:-/tmp}/osu-side-by-side.$$
while getopts g:b:r:o: o; do
    case $o in
    g) gx=$OPTARG ;;
    b) osu=$OPTARG ;;
    r) reps=$OPTARG ;;
    o) out=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ -x "$gx" ] && [ -x "$osu/osu_latency" ] || {
    echo "osu-side-by-side.sh: -g GPUXFER and -b OSU_BIN_DIR (with osu_latency, osu_bw, osu_bibw) are needed" >&2
    exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
read -r -a mr <<<"${MPIRUN:-mpirun -np 2 --bind-to none}"
lat_sizes=8,4K
bw_sizes=64K,1M,16M,64M,1G
for r in $(seq 1 "$reps"); do
    timeout 300 "${mr[@]}" "$osu/osu_latency" -d cuda -m 8:4096 D D >"$out/osu_latency.$r.txt" 2>&1
    for b in bw bibw; do
        timeout 300 "${mr[@]}" "$osu/osu_$b" -d cuda -m 65536:1073741824 D D >"$out/osu_$b.$r.txt" 2>&1
    done
    timeout 600 "${mr[@]}" "$gx" --path mpi --pattern latency --sizes $lat_sizes --calibrate off \
        --quiet --force --output "$out/gx-lat.$r.json" "$@" >"$out/gx-lat.$r.txt" 2>&1
    timeout 600 "${mr[@]}" "$gx" --path mpi --pattern bw,bibw --sizes $bw_sizes --calibrate off \
        --quiet --force --output "$out/gx-bw.$r.json" "$@" >"$out/gx-bw.$r.txt" 2>&1
done
"${PYTHON:-python3}" - "$out" "$reps" "$here/mpi-complaints.ere" <<'PY'
import json, re, statistics, sys
out, reps, ere = sys.argv[1], int(sys.argv[2]), sys.argv[3]
pats = [re.compile(l.strip()) for l in open(ere) if l.strip()]

def complaints(path):
    return sum(1 for l in open(path, errors="replace") if any(p.search(l) for p in pats))

def osu(path, scale):
    vals = {}
    for l in open(path, errors="replace"):
        f = l.split()
        if len(f) == 2 and f[0].isdigit():
            try:
                vals[int(f[0])] = float(f[1]) * scale
            except ValueError:
                pass
    return vals

def gx(path):
    try:
        d = json.load(open(path))
    except (OSError, ValueError):
        return {}
    return {(r["pattern"], r["size"]): (r["stats"]["median"], 100 * r["stats"]["cv"])
            for r in d.get("results", []) if r.get("status") == "ok"}

rows = {}
noise = []
for r in range(1, reps + 1):
    o = {"latency": osu(f"{out}/osu_latency.{r}.txt", 1.0),
         "bw": osu(f"{out}/osu_bw.{r}.txt", 1e-3), "bibw": osu(f"{out}/osu_bibw.{r}.txt", 1e-3)}
    g = {**gx(f"{out}/gx-lat.{r}.json"), **gx(f"{out}/gx-bw.{r}.json")}
    for (pat, size), (med, cv) in g.items():
        rows.setdefault((pat, size), []).append((o[pat].get(size), med, cv))
    noise.append("run %d complaints: osu %d, gpuxfer %d" % (
        r, sum(complaints(f"{out}/osu_{b}.{r}.txt") for b in ("latency", "bw", "bibw")),
        sum(complaints(f"{out}/gx-{b}.{r}.txt") for b in ("lat", "bw"))))
order = {"latency": 0, "bw": 1, "bibw": 2}
print("%-8s %11s %5s %11s %11s %7s %8s" % ("pattern", "size", "run", "osu", "gpuxfer", "cv%", "gx/osu"))
for (pat, size) in sorted(rows, key=lambda k: (order[k[0]], k[1])):
    for i, (o, g, cv) in enumerate(rows[(pat, size)], 1):
        ratio = "%7.1f%%" % (100 * g / o) if o else "      -"
        print("%-8s %11d %5d %11.3f %11.3f %7.2f %8s" % (pat, size, i, o or float("nan"), g, cv, ratio))
print("# units: latency us (one way), bw/bibw GB/s; osu's MB/s / 1000")
print("\n".join("# " + n for n in noise))
PY
