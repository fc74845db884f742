#!/bin/bash
# A/B of the timed loop's items, latency at 8 B and 4 KiB on host memory, rounds interleaved:
# osu_latency; main's gpuxfer (per round trip: watchdog progress, fault point, hooks checked,
# Isend/Irecv + Waitall, a clock pair, a sample); this branch with --window 1 (bare loop,
# blocking MPI_Send/MPI_Recv, still a clock pair per round trip); this branch as it comes
# (a clock pair per window of round trips).
# (results/issue38/cpu-latency-ab.txt.)
#   bench/latency-ab.sh OSU_BIN BEFORE AFTER ROUNDS OUTDIR
set -u
osu=$1 before=$2 after=$3 rounds=$4 out=$5
mkdir -p "$out"
read -r -a mr <<<"${MPIRUN:-mpirun -np 2 --bind-to none}"
gx() { # name binary args...
    local name=$1 bin=$2; shift 2
    timeout 300 "${mr[@]}" "$bin" --path host --mem pageable --pattern latency --sizes 8,4K \
        --calibrate off --quiet --force --output "$out/$name.$r.json" "$@" >"$out/$name.$r.txt" 2>&1
}
for r in $(seq 1 "$rounds"); do
    echo "round $r load average: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/load.txt"
    timeout 300 "${mr[@]}" "$osu/osu_latency" -m 8:4096 H H >"$out/osu.$r.txt" 2>&1
    gx before "$before"
    gx window1 "$after" --window 1
    gx after "$after"
done
python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def osu(r):
    v = {}
    for l in open(f"{out}/osu.{r}.txt"):
        f = l.split()
        if len(f) == 2 and f[0].isdigit():
            v[int(f[0])] = float(f[1])
    return v
def gx(name, r):
    d = json.load(open(f"{out}/{name}.{r}.json"))
    return {x["size"]: (x["stats"]["median"], x["stats"]["mean"], x["stats"]["p5"], x["window"])
            for x in d["results"] if x["status"] == "ok"}
names = ["before", "window1", "after"]
print("%-6s %-8s %-28s %s" % ("size", "program", "median us (per round)", "median of rounds; p5 (median of rounds); mean (median of rounds)"))
for size in (8, 4096):
    o = [osu(r).get(size) for r in range(1, rounds + 1)]
    print("%-6d %-8s %-28s %.3f (osu's figure: a mean)" % (size, "osu", ", ".join("%.2f" % x for x in o), statistics.median(o)))
    for n in names:
        g = [gx(n, r)[size] for r in range(1, rounds + 1)]
        med = [x[0] for x in g]
        print("%-6d %-8s %-28s %.3f; p5 %.3f; mean %.3f; window %d" % (
            size, n, ", ".join("%.3f" % x for x in med), statistics.median(med),
            statistics.median(x[2] for x in g), statistics.median(x[1] for x in g), g[0][3]))
print("".join("# " + l for l in open(f"{out}/load.txt")), end="")
PY
