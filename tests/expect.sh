#!/bin/sh
# Expectations without a GPU. gpuxfer-report expect on the recorded reference runs: the file
# validates against its schema, its numbers follow the documented rule (recomputed here from the
# reports), GPUs numbered in another order give the same file, an unhealthy run or runs of two
# SKUs are refused, files of two SKUs merge (one SKU twice is refused), the alerting rules and the
# table; the shipped files of results/expectations are current. gpuxfer --expect on this machine's
# fake GPUs (the host run stands in): a golden run, its expectations with bounds no busy machine
# reaches, then a healthy run passes, the node check judges it (exit 7: no GPU, no finding), one
# rank slowed at 1K (GPUXFER_FAULT=slow) fails the check with the point named in the reason, and a
# file of another SKU is bad input (exit 2, no verdict).
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/expect.XXXXXX")
ref="$top_srcdir/results/reference"
schema="$top_srcdir/schema/gpuxfer-expect.schema.json"
FAKE="--topology-xml $top_srcdir/tests/topologies/h200x4-vm.xml --fake-gpus 0000:00:06.0,0000:00:07.0"

# 1. The reference runs.
gx_report expect "$ref"/h100-4gpu-nvlink-default-run?.json --accept-finding nvlink-errors \
    -o "$dir/h100x4.json" 2>"$dir/err"
ok_diag $? "$dir/err" "expectations of 4 H100 from their three reference runs"

py_check "$schema" "$dir/h100x4.json" "$ref" <<'PY'
import glob, json, statistics, sys, jsonschema
schema, made, ref = sys.argv[1:]
doc = json.load(open(made))
jsonschema.validate(doc, json.load(open(schema)))
sku = doc["skus"][0]
want = {"gpu_model": "NVIDIA H100 80GB HBM3", "gpus_per_node": 4, "cuda_driver": "13.0",
        "cuda_runtime": "13.0", "nccl": "2.28.3"}
bad = [k for k in want if sku["facts"][k] != want[k]]
# p2p bw at 64 MiB over NVLink: the map's 12 pairs and the bandwidth run's pair, each run.
per_run, pts = [], []
for f in sorted(glob.glob(ref + "/h100-4gpu-nvlink-default-run?.json")):
    v = [r["stats"]["median"] for r in json.load(open(f))["results"]
         if r["path"] == "p2p" and r["pattern"] == "bw" and r["size"] == 64 << 20
         and r["status"] == "ok"]
    per_run.append(statistics.median(v))
    pts += v
exp = statistics.median(per_run)
noise = max(abs(p - exp) for p in pts) / exp
margin = max(0.1, min(0.5, 2 * noise))
e = [x for x in sku["expectations"] if x["path"] == "p2p" and x["pattern"] == "bw"
     and x["size"] == 64 << 20]
got = e[0] if len(e) == 1 else {}
close = lambda a, b: abs(a - b) <= 1e-5 * abs(b)
ok = (not bad and len(e) == 1 and got["route_class"] == "NVLink 4, 18 links" and
      got["points"] == len(pts) == 39 and close(got["expected"], exp) and
      close(got["noise"], noise) and close(got["at_least"], exp * (1 - margin)))
print("" if ok else "facts %r, %r; recomputed expected %g noise %g bound %g from %d points"
      % (bad, got, exp, noise, exp * (1 - margin), len(pts)))
sys.exit(not ok)
PY
ok $? "the file validates; p2p bw 64M over NVLink 4, 18 links: expected, noise and bound as the rule says, from its 39 points"

# The same runs with the GPUs numbered backwards: ranks in the results, the context and its pairs.
for i in 1 2 3; do
    "$PYTHON" - "$ref/h100-4gpu-nvlink-default-run$i.json" "$dir/back$i.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = d["context"]["job"]["ranks"]
back = lambda r: n - 1 - r
for r in d["results"]:
    r["ranks"] = [back(x) for x in r["ranks"]]
for p in d["context"]["pairs"]:
    p["ranks"] = [back(x) for x in p["ranks"]]
d["context"]["ranks"].reverse()
for r in d["context"]["ranks"]:
    r["rank"] = back(r["rank"])
json.dump(d, open(sys.argv[2], "w"))
PY
done
gx_report expect "$dir"/back?.json --accept-finding nvlink-errors -o "$dir/back.json" 2>"$dir/err" &&
    py_check "$dir/h100x4.json" "$dir/back.json" <<'PY'
import json, sys
a, b = (json.load(open(f))["skus"][0]["expectations"] for f in sys.argv[1:])
sys.exit(a != b)
PY
ok $? "GPUs numbered backwards: the same expectations (route classes, not pair numbers)"

gx_report expect "$ref/h100-4gpu-nvlink-default-run1.json" -o "$dir/x.json" 2>"$dir/err"
[ $? -eq 2 ] && grep -q "not a healthy run: health finding nvlink-errors" "$dir/err" && [ ! -e "$dir/x.json" ]
ok_diag $? "$dir/err" "a run with a health finding: refused (exit 2, no file)"
gx_report expect "$ref/h100-2gpu-nvlink-default-run1.json" "$ref/h200-2gpu-nvlink-default-run1.json" \
    -o "$dir/x.json" 2>"$dir/err"
[ $? -eq 2 ] && grep -q "another SKU than .* (gpu_model: 'NVIDIA H200'" "$dir/err" && [ ! -e "$dir/x.json" ]
ok_diag $? "$dir/err" "runs of two SKUs in one file: refused"

gx_report expect "$ref"/h200-2gpu-nvlink-default-run?.json -o "$dir/h200x2.json" &&
    gx_report expect --merge "$dir/h100x4.json" "$dir/h200x2.json" -o "$dir/both.json" 2>"$dir/err" &&
    py_check "$schema" "$dir/both.json" <<'PY'
import json, sys, jsonschema
d = json.load(open(sys.argv[2]))
jsonschema.validate(d, json.load(open(sys.argv[1])))
sys.exit([s["facts"]["gpu_model"] for s in d["skus"]] != ["NVIDIA H100 80GB HBM3", "NVIDIA H200"])
PY
ok_diag $? "$dir/err" "two SKUs merged into one file, which validates"
gx_report expect --merge "$dir/h100x4.json" "$dir/back.json" -o "$dir/x.json" 2>"$dir/err"
[ $? -eq 2 ] && grep -q "its SKU (NVIDIA H100 80GB HBM3, 4 GPUs) is in .*h100x4.json too" "$dir/err"
ok_diag $? "$dir/err" "one SKU in two files: refused"

gx_report expect --rules "$dir/both.json" >"$dir/rules.yml" 2>"$dir/err" &&
    py_check "$dir/rules.yml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
groups = re.findall(r'^  - name: "gpuxfer expectations (.*)"$', text, re.M)
exprs = re.findall(r'^        expr: "(.*)"$', text, re.M)
want = ('gpuxfer_result_median_bytes_per_second{path=\\"p2p\\",src_mem=\\"device\\",'
        'dst_mem=\\"device\\",pattern=\\"bw\\",size=\\"67108864\\",'
        'initiator_gpu_model=\\"NVIDIA H100 80GB HBM3\\"} < ')
ok = groups == ["NVIDIA H100 80GB HBM3 x4", "NVIDIA H200 x2"] and \
    any(e.startswith(want) for e in exprs) and \
    any(e.startswith("gpuxfer_result_median_seconds{") and " > " in e for e in exprs)
try:
    import yaml
    ok = ok and len(yaml.safe_load(text)["groups"]) == 2
except ImportError:
    pass
sys.exit(not ok)
PY
ok_diag $? "$dir/err" "--rules: a group per SKU, rules on openmetrics' median metrics (bandwidth below, latency above)"
gx_report expect --table "$dir/h100x4.json" >"$dir/table.md" 2>"$dir/err" &&
    grep -q '^| NVLink 4, 18 links | p2p | device>device | bw | 64M | .* GB/s | .*% | >= ' "$dir/table.md"
ok_diag $? "$dir/err" "--table: a row per expectation"

# The shipped files are what the tool makes of the reference runs now.
stale=
for f in "$top_srcdir"/results/expectations/*.json; do
    s=$(basename "$f" .json)
    gx_report expect "$ref/$s"-default-run?.json --accept-finding nvlink-errors -o "$dir/now.json" \
        --force 2>>"$dir/err" &&
        py_check "$f" "$dir/now.json" <<'PY' || stale="$stale $s"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for d in (a, b):
    d.pop("tool")
    for s in d["skus"]:
        for r in s["runs"]:
            r.pop("report")
sys.exit(a != b)
PY
done
[ -z "$stale" ] && [ "$(ls "$top_srcdir"/results/expectations/*.json | wc -l)" -eq 5 ]
ok_diag $? "$dir/err" "results/expectations: the 5 set-ups' files as made from results/reference now${stale:+ (stale:$stale)}"

# 2. gpuxfer --expect on this machine (fake GPUs: the host run stands in).
# shellcheck disable=SC2086
gx_mpirun 2 $FAKE --sizes 1K,64K --output "$dir/golden.json" >"$dir/golden.txt" 2>&1 &&
    gx_report expect "$dir/golden.json" -o "$dir/made.json" 2>>"$dir/golden.txt"
ok_diag $? "$dir/golden.txt" "a golden run on the fake GPUs and its expectations"
# Bounds no busy machine reaches and a slowed rank passes: 1 kB/s, 20 ms.
"$PYTHON" - "$dir/made.json" "$dir/exp.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["skus"][0]["expectations"]:
    e["at_most" if "at_most" in e else "at_least"] = 20000 if "at_most" in e else 1e-6
json.dump(d, open(sys.argv[2], "w"))
PY

# shellcheck disable=SC2086
gx_mpirun 2 $FAKE --sizes 1K,64K --expect "$dir/exp.json" --fail-on-health \
    --output "$dir/plain.json" >"$dir/plain.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && unwrap_notes "$dir/plain.txt" |
    grep -q '^# expect: 4 points judged against .*, 0 below the expected; 0 with no'
ok_diag $? "$dir/plain.txt" "a healthy run with --expect --fail-on-health: exit 0 ($rc), its 4 points judged, none below"

check() { # check NAME: --check --expect on the fake GPUs; its exit status
    # shellcheck disable=SC2086
    gx_mpirun_table "$dir/$1.txt" 2 --check $FAKE --expect "$dir/exp.json" \
        --output "$dir/$1.json" >"$dir/$1.mpirun" 2>"$dir/$1.err"
}
check healthy
rc=$?
[ $rc -eq 7 ] && grep -q '^FAIL reason="gpuxfer could not run: no GPU on rank 0: fake GPUs measure nothing"$' "$dir/healthy.txt" &&
    py_check "$dir/healthy.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
e = d["expect"]
sys.exit(not (e["judged"] >= 4 and e["below"] == 0 and
              not any(f["check"] == "below-expected" for f in d["health"]["findings"])))
PY
ok_diag $? "$dir/healthy.txt" "--check --expect, healthy: no finding, the no-GPU verdict as without it (exit 7, $rc)"

GPUXFER_FAULT=slow:rank=1:size=1024:ms=100
export GPUXFER_FAULT
check slow
rc=$?
unset GPUXFER_FAULT
[ $rc -eq 8 ] &&
    grep -q '^FAIL reason="gpuxfer: host pair 0-1 latency 1K: [0-9.e+]* us, expected [0-9.e+-]* us\( +[0-9]* more\)\{0,1\}"$' "$dir/slow.txt" &&
    py_check "$dir/slow.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = [x for x in d["health"]["findings"] if x["check"] == "below-expected"]
sys.exit(not (d["exit_code"] == 8 and f and all(" 1K: " in x["line"] for x in f) and
              f[0]["line"].endswith(" over no link")))
PY
ok_diag $? "$dir/slow.err" "rank 1 slowed at 1K: exit 8 ($rc), $(tail -n 1 "$dir/slow.txt")"
check_report "$dir/slow.json"
ok $? "its report validates against the schema (its expect member too)"

"$PYTHON" - "$dir/exp.json" "$dir/other.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["skus"][0]["facts"]["gpu_model"] = "NVIDIA H200"
json.dump(d, open(sys.argv[2], "w"))
PY
# shellcheck disable=SC2086
gx_mpirun_table "$dir/other.txt" 2 --check $FAKE --expect "$dir/other.json" \
    --output "$dir/other-run.json" >"$dir/other.mpirun" 2>"$dir/other.err"
rc=$?
[ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/other.err")" -eq 1 ] &&
    grep -q "^gpuxfer: --expect .*other.json: made for another SKU: gpu_model 'NVIDIA H200', this node's 'unknown (--fake-gpus)'" "$dir/other.err" &&
    ! grep -q '^PASS\|^FAIL' "$dir/other.txt" && [ ! -e "$dir/other-run.json" ]
ok_diag $? "$dir/other.err" "a file of another SKU: bad input (exit 2, $rc), one line naming the fact, no verdict, no report"

echo '{"format": "gpuxfer-expectations", "version": "1.0", "skus": [{"facts": {}}]}' >"$dir/broken.json"
gx_mpirun 2 $FAKE --expect "$dir/broken.json" --output "$dir/broken-run.json" >"$dir/broken.txt" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "^gpuxfer: --expect .*broken.json: skus\[0\].facts.gpu_model: expected a string" "$dir/broken.txt"
ok_diag $? "$dir/broken.txt" "a broken file: bad input (exit 2, $rc), naming the place"

# 3. scripts/slurm/gpuxfer-nodecheck.sh passes GX_NODECHECK_EXPECTATIONS on as --expect; a
# file gpuxfer refuses (exit 2: another SKU) drains no node.
mkdir -p "$dir/bin"
cat >"$dir/bin/gpuxfer-stub" <<EOF
#!/bin/sh
echo "\$*" >"$dir/stub.args"
echo "gpuxfer: --expect x.json: made for another SKU" >&2
exit 2
EOF
chmod +x "$dir/bin/gpuxfer-stub"
cp "$dir/other.json" "$dir/exp file.json" # root's alone, as the script asks of what decides
chmod go-w "$dir/exp file.json"
env -u SLURM_SCRIPT_CONTEXT -u GX_NODECHECK_MODE PATH="$dir/bin:$PATH" GX_NODECHECK_DRYRUN=1 \
    GX_NODECHECK_GPUXFER=gpuxfer-stub GX_NODECHECK_LAUNCH=env GX_NODECHECK_NP=2 \
    GX_NODECHECK_DIR="$dir/logs" GX_NODECHECK_EXPECTATIONS="$dir/exp file.json" \
    bash "$top_srcdir/scripts/slurm/gpuxfer-nodecheck.sh" >"$dir/nc.out" 2>"$dir/nc.err"
rc=$?
# No role given: HealthCheckProgram's, whose "not checked" is exit 2 (slurmd drains nothing on it).
[ $rc -eq 2 ] && grep -q -- "--check --quiet --output .* --expect $dir/exp file.json\$" "$dir/stub.args" &&
    ! grep -q scontrol "$dir/nc.out" && grep -q "not checked, not drained: gpuxfer: bad input" "$dir/nc.err"
ok_diag $? "$dir/nc.err" "the node check script passes GX_NODECHECK_EXPECTATIONS as --expect; gpuxfer's refusal drains nothing"

rm -rf "$dir"
done_testing
