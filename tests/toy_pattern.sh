#!/bin/sh
# A pattern added in one place (tests/toy_pattern.c and its entry in the pattern table, through
# -DGX_EXTRA_PATTERN in the test build tests/gpuxfer_toy): the plan lists it, the harness
# measures and validates it, the probes measure what its ceiling family names, and the
# report and the table carry it, with no other file knowing of it.
. "${top_srcdir:-.}/tests/lib.sh"
toy="$(dirname "$GPUXFER")/../tests/gpuxfer_toy"
[ -x "$toy" ] || toy="$PWD/tests/gpuxfer_toy"
dir=$(mktemp -d "$TEST_TMP/toy.XXXXXX")
GPUXFER=$toy

gx_mpirun 2 --path host --pattern toy,bw --sizes 8,1M --dry-run >"$dir/dry.txt" 2>&1
ok $? "toy build: --dry-run" || diag <"$dir/dry.txt"
found=$(grep -c ' toy  *\(8\|1M\) ' "$dir/dry.txt")
[ "$found" -eq 2 ] && grep -q '^# [0-9]* measurements (4 results; ' "$dir/dry.txt"
ok $? "the plan lists the toy pattern at both sizes, 4 results in all (found $found)" ||
    diag <"$dir/dry.txt"

gx_mpirun_table "$dir/toy.txt" 2 --path host --pattern toy,bw --sizes 8,1M --iters 20 \
    --validate all --output "$dir/toy.json" >"$dir/toy.err" 2>&1
ok $? "toy build: the pattern runs (exit 0)" || diag <"$dir/toy.err"
check_report "$dir/toy.json"
ok $? "report valid against the schema"
"$PYTHON" - "$dir/toy.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
toy = [r for r in d["results"] if r["pattern"] == "toy"]
bad = []
if sorted(r["size"] for r in toy) != [8, 1 << 20]:
    bad.append("toy sizes %s" % [r["size"] for r in toy])
for r in toy:
    if r["status"] != "ok" or r["unit"] != "GB/s" or r["window"] != 1:
        bad.append("toy %d: %s %s window %s" % (r["size"], r["status"], r["unit"], r["window"]))
    if r["validation"]["status"] != "passed" or r["validation"]["checks"] < 20:
        bad.append("toy %d: validation %s" % (r["size"], r["validation"]))
    # Its family's ceiling, or that ceiling's point disturbed by a busy machine.
    unsound = r.get("ceiling_unsound") and "shm_copy" in r.get("ceiling_absent", "")
    if "shared memory" not in r.get("ceiling_what", "") and not unsound:
        bad.append("toy %d: ceiling %s" % (r["size"], r.get("ceiling_what", r.get("ceiling_absent"))))
cal = [p["size"] for rp in d["ceilings"]["rank_pairs"] for p in rp["shm_copy"].get("points", [])]
if 8 not in cal or (1 << 20) not in cal:
    bad.append("probe shm_copy sizes %s" % cal)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "toy results: validated every iteration, rated against the one-way ceiling its family names, which its probe measured at its sizes"
grep -q 'pattern toy, GB/s' "$dir/toy.txt"
ok $? "the table has a toy block" || diag <"$dir/toy.txt"
gx_mpirun 2 --path host --pattern nosuch --sizes 8 >"$dir/bad.txt" 2>&1
[ $? -eq 2 ] && grep -q "expected one of: latency, bw, bibw, allreduce, .*, broadcast-inplace, toy)" "$dir/bad.txt"
ok $? "an unknown pattern's error lists the table's patterns, the toy among them" ||
    diag <"$dir/bad.txt"
done_testing
