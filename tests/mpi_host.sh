#!/bin/sh
# MPI runs of the host path: each pattern on 2 ranks, all-disjoint on 4, a scenario file.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/mpi_host.XXXXXX")

for pat in latency bw bibw; do
    out="$dir/np2-$pat.json"
    gx_mpirun_table "$dir/np2-$pat.txt" 2 --path host --pattern $pat --sizes 1,4K,64K,1M+3 \
        --iters 20 --warmup 2 --quiet --output "$out" >"$dir/np2-$pat.mpirun" 2>&1
    ok $? "2 ranks, $pat: exit 0"
    check_report "$out" --ranks 2 --patterns $pat --sizes 4 --pairs 0-1
    ok $? "2 ranks, $pat: report valid against the schema, values sensible, one result per size"
    # The table: one line per size, "size pair chunk depth median ...".
    lines=$(grep -cE '^ +[0-9]+ +0->1 +- +- +[0-9.e-]+M?[~^]? +[0-9.e-]+M? +[0-9.e-]+M? ' "$dir/np2-$pat.txt")
    [ "$lines" -eq 4 ]
    ok $? "2 ranks, $pat: table has 4 parseable lines (found $lines)"
    [ -s "$out.jsonl" ] && [ "$(wc -l <"$out.jsonl")" -eq 4 ]
    ok $? "2 ranks, $pat: 4 complete lines in $out.jsonl"
done

out="$dir/np4.json"
gx_mpirun 4 --pairs all-disjoint --pattern latency,bw --sizes 8,64K --iters 10 --validate all \
    --samples --quiet --output "$out" >"$dir/np4.txt" 2>&1
ok $? "4 ranks oversubscribed, all-disjoint: exit 0"
check_report "$out" --ranks 4 --patterns latency,bw --sizes 2 --pairs 0-1,2-3
ok $? "4 ranks: results for pairs 0-1 and 2-3, valid"
"$PYTHON" - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = all(len(r["samples"]) == r["iterations"] and r["validation"]["checks"] >= r["iterations"]
         for r in d["results"])
ok = ok and len(d["context"]["ranks"]) == 4 and all(r["cpuset"] for r in d["context"]["ranks"])
sys.exit(0 if ok else 1)
PY
ok $? "4 ranks: --samples keeps every sample, --validate all checks every iteration, 4 rank contexts"
# Samples stay in the order the iterations ran (sorted, they would hide drift and warm-up);
# the statistics are those of the same samples.
py_check "$out" <<'PY'
import json, statistics, sys
rs = json.load(open(sys.argv[1]))["results"]
same = all(abs(statistics.median(r["samples"]) - r["stats"]["median"]) <= 1e-9 * r["stats"]["median"]
           and min(r["samples"]) == r["stats"]["min"] for r in rs)
unsorted = sum(r["samples"] != sorted(r["samples"]) for r in rs)
print("same statistics: %s; %d of %d results not in sorted order" % (same, unsorted, len(rs)))
sys.exit(0 if same and unsorted > 0 else 1)
PY
ok $? "4 ranks: --samples in iteration order, statistics computed from them"

out="$dir/smoke.json"
gx_mpirun 2 --scenario "$top_srcdir/scenarios/smoke.json" --iters 5 --quiet --output "$out" \
    >"$dir/smoke.txt" 2>&1
ok $? "smoke scenario runs"
check_report "$out" --patterns latency,bw,bibw --sizes 4
ok $? "smoke scenario: valid report, --iters from the command line wins"
"$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if all(r['iterations']==5 and r['run']=='smoke' for r in d['results']) else 1)" "$out"
ok $? "smoke scenario: run name recorded, 5 iterations"

# Default output name under gpuxfer-results/ of the working directory.
(cd "$dir" && gx_mpirun 2 --sizes 8 --iters 3 --pattern latency --quiet >/dev/null 2>&1)
ok $? "default output: exit 0"
ls "$dir"/gpuxfer-results/gpuxfer-*-*.json >/dev/null 2>&1
ok $? "default output lands in gpuxfer-results/gpuxfer-<UTC>-<id>.json"

rm -rf "$dir"
done_testing
