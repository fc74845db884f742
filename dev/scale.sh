#!/bin/sh
# Scale on the CPU: N ranks (oversubscribed) measuring all-disjoint pairs on host memory; prints
# rank 0's peak memory and report assembly time (from the reports) per rank count, checks that
# every report is valid against the schema (with python3-jsonschema) and has one passed result
# per pair, pattern and size, and models rank 0 at 10,000 ranks.
#   dev/scale.sh [RANKS...]        default: 8 16 32 64; env GPUXFER, MPIRUN, OUT, DENSE,
#                                      DENSE_RUNS, KEEP
# The reports (schema 2.12) also give rank 0's RSS at the end in its parts: the heap (RssAnon),
# fitted alone, and the MPI library's shared segments read from its peers (RssShmem).
# Each rank count runs with 3 sizes (6 results a pair); the first DENSE_RUNS (2) also with the 12
# sizes of DENSE (24 a pair), so that what rank 0 holds per rank (MPI's per-peer state, the ranks'
# context) and what it holds per result are told apart: a least-squares fit of
#   rss = c0 + c_rank * ranks + c_result * results
# over every run. The times on a shared, oversubscribed machine have outliers (a run's fsync
# stalled behind the others' I/O): each is fitted against the results alone by Theil-Sen (the
# median of the slopes between every two runs). The model is the fits at 10,000 ranks with 6
# and 24 results a pair.
# A benchmark, not a test: 256 oversubscribed ranks take many minutes on a few cores (MPI_Init
# alone more than gpuxfer's default 60 s: --timeout 1200). KEEP=1 adds to the runs already in
# OUT (a rank count run again replaces its earlier run) and fits them all; with no RANKS it only
# fits them. "final write s": from the .jsonl's last line to the report in place (their
# modification times): the matrices, the plan and the report's final write.
# HEAPTRACK=1 runs rank 0 under heaptrack (Debian's heaptrack package) and splits its peak heap
# into gpuxfer's own (allocations whose stack has a frame of gpuxfer's sources and none of the
# MPI library's) and the rest (the MPI library's, its threads', the C library's start-up), each
# fitted alone: what rank 0 holds that gpuxfer decides. Its times are then heaptrack's.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
GPUXFER=${GPUXFER:-$here/src/gpuxfer}
MPIRUN=${MPIRUN:-mpirun}
OUT=${OUT:-$(mktemp -d /tmp/gpuxfer-scale.XXXXXX)}
DENSE=${DENSE:-8,16,32,64,128,256,512,1K,2K,4K,8K,64K}
DENSE_RUNS=${DENSE_RUNS:-2}
mkdir -p "$OUT"
[ -n "${KEEP:-}" ] || rm -f "$OUT/wall"
touch "$OUT/wall"
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
[ "$(id -u)" -ne 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
[ $# -gt 0 ] || [ -n "${KEEP:-}" ] || set -- 8 16 32 64
status=0
# run NAME NP SIZES
run() {
    name=$1 ranks=$2 sz=$3
    start=$(date +%s.%N)
    set -- "$GPUXFER" --pairs all-disjoint --pattern latency,bw --sizes "$sz" --iters 5 \
        --warmup 1 --timeout 1200 --quiet --force --output "$OUT/$name.json"
    rm -f "$OUT/$name.heap.zst" "$OUT/$name.heap.stacks"
    if [ -n "${HEAPTRACK:-}" ]; then
        set -- -np 1 heaptrack -o "$OUT/$name.heap" "$@" : -np $((ranks - 1)) "$@"
    else
        set -- -np "$ranks" "$@"
    fi
    timeout -k 10 3000 "$MPIRUN" --oversubscribe --bind-to none --mca btl self,vader,tcp "$@" \
        >"$OUT/$name.txt" 2>&1 || status=1
    if [ -f "$OUT/$name.heap.zst" ]; then
        heaptrack_print -f "$OUT/$name.heap.zst" --print-peaks 0 --print-allocators 0 \
            --print-temporary 0 --print-leaks 0 -F "$OUT/$name.heap.stacks" \
            --flamegraph-cost-type peak >/dev/null 2>&1 || status=1
    fi
    grep -v "^$name " "$OUT/wall" >"$OUT/wall.new"
    mv "$OUT/wall.new" "$OUT/wall"
    echo "$name $ranks $(echo "$sz" | tr ',' ' ' | wc -w) $start $(date +%s.%N)" >>"$OUT/wall"
}
k=0
for np in "$@"; do
    run "np$np" "$np" 8,4K,64K
    k=$((k + 1))
    [ $k -gt "$DENSE_RUNS" ] || run "np$np-dense" "$np" "$DENSE"
done
GX_SOURCES=$(cd "$here/src" && ls ./*/*.c | sed 's|.*/||' | tr '\n' ' ') \
GX_SCHEMA="$here/schema/gpuxfer-report.schema.json" python3 - "$OUT" <<'PY' || status=1
import json, os, sys
try:
    import jsonschema
    schema = json.load(open(os.environ["GX_SCHEMA"]))
except Exception:
    jsonschema = None
out = sys.argv[1]
runs = [l.split() for l in open(out + "/wall")]
print("%-12s %6s %8s %8s %16s %9s %9s %18s %14s %9s  %s" % ("run", "ranks", "results", "passed",
      "rank0 max RSS KiB", "anon KiB", "shmem KiB", "report assembly s", "final write s", "wall s",
      "status"))
bad, points, heaps = 0, [], []
ours = set(os.environ["GX_SOURCES"].split())
mpi_frames = ("PMPI_", "MPI_", "ompi_", "opal_", "mca_", "pmix", "PMIx", "orte_", "ucp_", "uct_",
              "ucs_")

def heap_split(path):
    """Rank 0's peak heap from heaptrack's stacks (each one's part of the peak), as (gpuxfer's
    own, the rest) bytes: own where a frame is in one of gpuxfer's sources and none is the MPI
    library's."""
    own = rest = 0
    for line in open(path):
        stack, cost = line.rsplit(" ", 1)
        frames = stack.split(";")
        mine = any(f.endswith(".c)") and f.rsplit("(", 1)[1][:-1] in ours for f in frames)
        if mine and not any(f.startswith(mpi_frames) for f in frames):
            own += int(cost)
        else:
            rest += int(cost)
    return own, rest

for name, n, nsizes, t0, t1 in runs:
    n, nsizes = int(n), int(nsizes)
    try:
        d = json.load(open("%s/%s.json" % (out, name)))
    except (OSError, ValueError) as e:
        print("%-12s %6d  no report: %s" % (name, n, e))
        bad += 1
        continue
    res = d["results"]
    passed = sum(r["status"] == "ok" and r["validation"]["status"] == "passed" for r in res)
    want = n // 2 * 2 * nsizes
    ok = d["status"] == "complete" and len(res) == want == passed and d["context"]["job"]["ranks"] == n
    if jsonschema:
        try:
            jsonschema.validate(d, schema)
        except jsonschema.ValidationError as e:
            ok = False
            print("%s: schema: %s" % (name, e.message))
    bad += not ok
    rss, asm = d["resources"]["rank0_max_rss_kib"], d["resources"]["report_assembly_s"]
    # At the end, in parts (reports before schema 2.12 have neither): the heap and MPI's shared
    # memory read from its peers.
    anon, shm = d["resources"].get("rank0_rss_anon_kib", -1), d["resources"].get("rank0_rss_shmem_kib", -1)
    fin = (os.stat("%s/%s.json" % (out, name)).st_mtime_ns -
           os.stat("%s/%s.json.jsonl" % (out, name)).st_mtime_ns) * 1e-9
    points.append((n, len(res), rss, asm, fin, anon, shm))
    stacks = "%s/%s.heap.stacks" % (out, name)
    if os.path.exists(stacks):
        heaps.append((n, len(res)) + heap_split(stacks))
        print("%-12s   rank 0's peak heap (heaptrack): gpuxfer's own %d KiB, the rest %d KiB"
              % (name, heaps[-1][2] // 1024, heaps[-1][3] // 1024))
    print("%-12s %6d %8d %8d %16d %9d %9d %18.6f %14.3f %9.1f  %s%s" % (name, n, len(res), passed,
          rss, anon, shm, asm, fin, float(t1) - float(t0), d["status"],
          "" if ok else "  <- expected %d passed results" % want))

def fit(ys, pts=None):
    """Least squares of y = c0 + c1 * ranks + c2 * results (normal equations, Gauss-Jordan)."""
    xs = [(1.0, float(p[0]), float(p[1])) for p in (pts if pts is not None else points)]
    a = [[sum(x[i] * x[j] for x in xs) for j in range(3)] + [sum(x[i] * y for x, y in zip(xs, ys))]
         for i in range(3)]
    for c in range(3):
        p = max(range(c, 3), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        if abs(a[c][c]) < 1e-12:
            return None
        for r in range(3):
            if r != c:
                f = a[r][c] / a[c][c]
                a[r] = [u - f * v for u, v in zip(a[r], a[c])]
    return [a[i][3] / a[i][i] for i in range(3)]

def median(v):
    v = sorted(v)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2

def robust(k):
    """Theil-Sen of column k against the results: (intercept, slope), or None."""
    slopes = [(q[k] - p[k]) / (q[1] - p[1]) for i, p in enumerate(points) for q in points[i + 1:]
              if q[1] != p[1]]
    if not slopes:
        return None
    c = median(slopes)
    return median([p[k] - c * p[1] for p in points]), c

mem, tim, fin = fit([p[2] for p in points]), robust(3), robust(4)
heap = fit([p[5] for p in points]) if all(p[5] >= 0 for p in points) else None
if mem and tim and fin:
    print("\n# fit over %d runs: rank0 max RSS KiB = %.0f + %.2f x ranks + %.2f x results"
          % (len(points), *mem))
    print("#                   report assembly s = %.3g + %.3g x results (Theil-Sen)" % tim)
    print("#                   final write s     = %.3g + %.3g x results (Theil-Sen)" % fin)
    print("# per result: %.2f KiB and %.1f us of assembly; whole slope at 6 results a pair "
          "(ranks/results = 1/3): %.2f KiB a result" % (mem[2], tim[1] * 1e6, mem[2] + mem[1] / 3))
    print("# model at 10,000 ranks (all-disjoint, latency+bw):")
    for per_pair in (6, 24):
        r = 10000 // 2 * per_pair
        m = mem[0] + mem[1] * 10000 + mem[2] * r
        print("#   %2d results a pair: %6d results, rank0 max RSS %7.1f MiB (of which results "
              "%6.1f MiB), report assembly %.2f s, final write %.2f s" % (
                  per_pair, r, m / 1024, mem[2] * r / 1024, tim[0] + tim[1] * r,
                  fin[0] + fin[1] * r))
    if heap:
        print("# rank0 RssAnon KiB at the end (the heap, MPI's shared segments left out) = %.0f + "
              "%.2f x ranks + %.2f x results; at 10,000 ranks and 30,000 results: %.1f MiB"
              % (*heap, (heap[0] + heap[1] * 10000 + heap[2] * 30000) / 1024))
    for col, what in ((2, "gpuxfer's own"), (3, "the rest (MPI library, C library)")):
        h = fit([p[col] / 1024 for p in heaps], heaps) if len(heaps) >= 3 else None
        if h:
            print("# rank0 peak heap KiB, %s (heaptrack) = %.0f + %.2f x ranks + %.2f x results; "
                  "at 10,000 ranks and 30,000 results: %.1f MiB"
                  % (what, *h, (h[0] + h[1] * 10000 + h[2] * 30000) / 1024))
else:
    print("\n# no fit: the runs need two rank counts and two densities")
sys.exit(1 if bad else 0)
PY
echo "reports in $OUT"
exit $status
