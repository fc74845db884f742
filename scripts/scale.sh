#!/bin/sh
# Scale on the CPU: N ranks (oversubscribed) measuring all-disjoint pairs on host memory; prints
# rank 0's peak memory and report assembly time (from the reports) per rank count, and checks that
# every report is valid against the schema (with python3-jsonschema) and has one passed result
# per pair, pattern and size.
#   scripts/scale.sh [RANKS...]        default: 8 16 32 64; env GPUXFER, MPIRUN, OUT
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
GPUXFER=${GPUXFER:-$here/src/gpuxfer}
MPIRUN=${MPIRUN:-mpirun}
OUT=${OUT:-$(mktemp -d /tmp/gpuxfer-scale.XXXXXX)}
mkdir -p "$OUT" && rm -f "$OUT/wall"
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
[ "$(id -u)" -ne 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
[ $# -gt 0 ] || set -- 8 16 32 64
status=0
for np in "$@"; do
    start=$(date +%s.%N)
    timeout -k 10 1200 "$MPIRUN" -np "$np" --oversubscribe --bind-to none --mca btl self,vader,tcp \
        "$GPUXFER" --pairs all-disjoint --pattern latency,bw --sizes 8,4K,64K --iters 5 --warmup 1 \
        --quiet --force --output "$OUT/np$np.json" >"$OUT/np$np.txt" 2>&1 || status=1
    echo "$np $start $(date +%s.%N)" >>"$OUT/wall"
done
GX_SCHEMA="$here/schema/gpuxfer-report.schema.json" python3 - "$OUT" "$@" <<'PY' || status=1
import json, os, sys
try:
    import jsonschema
    schema = json.load(open(os.environ["GX_SCHEMA"]))
except Exception:
    jsonschema = None
out, ranks = sys.argv[1], [int(n) for n in sys.argv[2:]]
wall = {l.split()[0]: float(l.split()[2]) - float(l.split()[1]) for l in open(out + "/wall")}
print("%6s %8s %8s %16s %18s %9s  %s" % ("ranks", "results", "passed", "rank0 max RSS KiB",
                                         "report assembly s", "wall s", "status"))
bad = 0
for n in ranks:
    d = json.load(open("%s/np%d.json" % (out, n)))
    res = d["results"]
    passed = sum(r["status"] == "ok" and r["validation"]["status"] == "passed" for r in res)
    want = n // 2 * 2 * 3
    ok = d["status"] == "complete" and len(res) == want == passed and d["context"]["job"]["ranks"] == n
    if jsonschema:
        try:
            jsonschema.validate(d, schema)
        except jsonschema.ValidationError as e:
            ok = False
            print("np%d: schema: %s" % (n, e.message))
    bad += not ok
    print("%6d %8d %8d %16d %18.6f %9.1f  %s%s" % (n, len(res), passed,
          d["resources"]["rank0_max_rss_kib"], d["resources"]["report_assembly_s"],
          float(wall[str(n)]), d["status"], "" if ok else "  <- expected %d passed results" % want))
sys.exit(1 if bad else 0)
PY
echo "reports in $OUT"
exit $status
