#!/bin/sh
# The links of every GPU and pair with their line rates, and the hardware's health, without the
# hardware: a stand-in NVML (tests/fake_nvml.c, first on LD_LIBRARY_PATH) describes eight H100
# on NVSwitch (tests/fake-nvml-h100x8.txt: GPU 1 with a link down, GPU 3 at gen 4 x8, GPU 6 with
# no PCIe facts in NVML), a sysfs-style tree made here gives GPU 6's PCIe link and the NIC's
# rate, tests/topologies/h100x8-nvswitch.xml (the 4 x H200 machine's XML with eight H100 in place
# of its GPUs) is the topology; tests/fake-nvml-c2c.txt gives two GPUs C2C links.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/links.XXXXXX")
xml="$top_srcdir/tests/topologies/h100x8-nvswitch.xml"
gpus=0000:00:06.0,0000:00:07.0,0000:00:08.0,0000:00:09.0,0000:00:0a.0,0000:00:0b.0,0000:00:0c.0,0000:00:0d.0
lib="$top_builddir/tests/fake-nvml"
[ -f "$lib/libnvidia-ml.so.1" ] || finish_skip "the stand-in NVML is not built (make check builds it)"

sys="$dir/sys"
mkdir -p "$sys/bus/pci/devices/0000:00:0c.0" "$sys/class/net/eth0"
for f in current max; do
    echo "32.0 GT/s PCIe" >"$sys/bus/pci/devices/0000:00:0c.0/${f}_link_speed"
    echo 16 >"$sys/bus/pci/devices/0000:00:0c.0/${f}_link_width"
done
echo 100000 >"$sys/class/net/eth0/speed"

run() { # run NAME [gpuxfer args...]: 8 ranks, the stand-in NVML and sysfs tree; its exit status
    name=$1; shift
    GX_FAKE_NVML_CONFIG="$top_srcdir/tests/fake-nvml-h100x8.txt" GPUXFER_FAKE_NVML=1 \
    GPUXFER_SYSFS_ROOT="$sys" LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        gx_mpirun_table "$dir/$name.txt" 8 --topology-xml "$xml" --fake-gpus $gpus \
        --pairs all-disjoint --sizes 8 --iters 3 --quiet --output "$dir/$name.json" "$@" \
        >"$dir/$name.mpirun" 2>"$dir/$name.err"
}

run plain
ok $? "8 ranks on the stand-in NVSwitch node: exit 0 with health findings (no --fail-on-health)"
check_report "$dir/plain.json" --ranks 8 --pairs 0-1,2-3,4-5,6-7
ok $? "its report is valid against the schema"
py_check "$dir/plain.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
def expect(what, got, want):
    if got != want:
        bad.append("%s: %r, expected %r" % (what, got, want))
lf = [r["link_facts"] for r in d["context"]["ranks"]]
expect("rank 0 PCIe", (lf[0]["pcie"]["current"]["generation"], lf[0]["pcie"]["current"]["width"],
       lf[0]["pcie"]["current"]["source"], round(lf[0]["pcie"]["line_gbs"], 2)), (5, 16, "nvml", 63.02))
expect("rank 3 PCIe now", (lf[3]["pcie"]["current"]["generation"], lf[3]["pcie"]["current"]["width"],
       lf[3]["pcie"]["under_load"]), (4, 8, False))
expect("rank 3 PCIe max", (lf[3]["pcie"]["maximum"]["generation"], lf[3]["pcie"]["maximum"]["width"]), (5, 16))
expect("rank 6 PCIe from sysfs", (lf[6]["pcie"]["current"]["source"], lf[6]["pcie"]["maximum"]["source"],
       lf[6]["pcie"]["maximum"]["generation"]), ("sysfs", "sysfs", 5))
expect("rank 1 NVLink", (lf[1]["nvlink"]["generation"], lf[1]["nvlink"]["links"], lf[1]["nvlink"]["active"],
       lf[1]["nvlink"]["line_gbs"]), (4, 18, 17, 425))
expect("rank 0 NVLink", (lf[0]["nvlink"]["active"], lf[0]["nvlink"]["line_gbs"]), (18, 450))
expect("NIC", (lf[0]["nic"]["name"], lf[0]["nic"]["gbits"], lf[0]["nic"]["source"]), ("eth0", 100, "sysfs"))
routes = {tuple(p["ranks"]): p["route"] for p in d["context"]["pairs"]}
expect("pair 0-1 route", [(h["kind"], h["gbs"]) for h in routes[(0, 1)]["hops"]], [("nvlink", 425)])
expect("pair 2-3 line rate", routes[(2, 3)]["line_gbs"], 450)
h = d["health"]["findings"]
expect("health checks", sorted((f["check"], f["rank"]) for f in h), [("nvlink-down", 1), ("pcie-below-max", 3)])
expect("exit code", (d["status"], d["exit_code"]), ("complete", 0))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "facts with their sources (NVML, sysfs), routes, and the two health findings in the report"
# The header's notes wrap at 100 columns ("#" and two spaces more on a continuation): read
# whole, each note is one line again.
unwrap() { "$PYTHON" -c 'import re, sys; sys.stdout.write(re.sub(r"\n#(   +)(?!route:)", " ", open(sys.argv[1]).read()))' "$1"; }
unwrap "$dir/plain.txt" >"$dir/plain.one"
grep -q '^# links 3: PCIe 31.5 GB/s (now gen4 x8 nvml at idle, max gen5 x16 nvml); NVLink 4, 18 of 18 active, 450.0 GB/s; NIC eth0 100 Gb/s sysfs$' "$dir/plain.one" &&
    grep -q '^#   route: line rate 425.0 GB/s: NVLink 4, 17 links 425.0$' "$dir/plain.one"
ok $? "the header: each rank's links and each pair's route with its line rate"
grep -q '^# health: GPU 0000:00:07.0 (rank 1): 1 NVLink down, 17 of 18 active$' "$dir/plain.one" &&
    grep -q '^# health: GPU 0000:00:09.0 (rank 3): PCIe link at x8 of its maximum x16 (gen4 read at idle, not judged): 31.5 of 63.0 GB/s$' "$dir/plain.one"
ok $? "one health line each for the link down and the narrow PCIe link"
grep '^# \(links\|health\|  route\)' "$dir/plain.one" | diag
gx_report summary "$dir/plain.json" >"$dir/summary.txt" 2>&1 &&
    [ "$(grep -c '^# health: ' "$dir/summary.txt")" -eq 2 ]
ok $? "gpuxfer-report summary names the two findings" || diag <"$dir/summary.txt"

run fail --fail-on-health
rc=$?
[ "$rc" -eq 8 ] && grep -q '2 health findings' "$dir/fail.err"
ok $? "--fail-on-health: exit 8 ($rc), and why on stderr"
py_check "$dir/fail.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if (d["status"], d["exit_code"], len(d["health"]["findings"])) == ("complete", 8, 2) else 1)
PY
ok $? "its report: complete, exit_code 8, the two findings"

# A stand-in with C2C links (tests/fake-nvml-c2c.txt): the GPUs reach host memory, and each
# other without NVLink, through them; one link down is a finding.
GX_FAKE_NVML_CONFIG="$top_srcdir/tests/fake-nvml-c2c.txt" GPUXFER_FAKE_NVML=1 \
GPUXFER_SYSFS_ROOT="$sys" LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    gx_mpirun_table "$dir/c2c.txt" 2 --topology-xml "$top_srcdir/tests/topologies/h200x4-vm.xml" \
    --fake-gpus 0000:00:06.0,0000:00:07.0 --sizes 8 --iters 3 --quiet --output "$dir/c2c.json" \
    >"$dir/c2c.mpirun" 2>"$dir/c2c.err"
ok $? "2 ranks on the stand-in with C2C links: exit 0" || diag <"$dir/c2c.err"
py_check "$dir/c2c.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = [r["link_facts"]["c2c"] for r in d["context"]["ranks"]]
r = d["context"]["pairs"][0]["route"]
h = [(f["check"], f["rank"]) for f in d["health"]["findings"]]
want = ([(10, 9, 405, "nvml"), (10, 10, 450, "nvml")], ["c2c", "c2c"], 405, [("c2c-down", 0)])
got = ([(x["links"], x["active"], x["line_gbs"], x["source"]) for x in c], [x["kind"] for x in r["hops"]],
       r["line_gbs"], h)
print("got %r" % (got,) if got != want else "")
sys.exit(0 if got == want else 1)
PY
ok $? "C2C: links and their bandwidth from NVML's field values, the pair's route over both, one link down named"
unwrap "$dir/c2c.txt" >"$dir/c2c.one"
grep -q '^# links 0: .*; C2C 9 of 10 active, 405.0 GB/s; NIC' "$dir/c2c.one" &&
    grep -q '^# health: GPU 0000:00:06.0 (rank 0): 1 C2C link down, 9 of 10 active$' "$dir/c2c.one"
ok $? "C2C in the header and its health line" || diag <"$dir/c2c.txt"

# Without the stand-in: the XML's own link speed, NVLink unknown and said so, no finding.
out="$dir/hwloc.json"
gx_mpirun_table "$dir/hwloc.txt" 2 --topology-xml "$top_srcdir/tests/topologies/h200x4-vm.xml" \
    --fake-gpus 0000:00:06.0,0000:00:07.0 --sizes 8 --iters 3 --quiet --output "$out" \
    --fail-on-health >"$dir/hwloc.mpirun" 2>"$dir/hwloc.err"
ok $? "the 4 x H200 XML alone with --fail-on-health: exit 0"
py_check "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
lf = d["context"]["ranks"][0]["link_facts"]
bad = []
if round(lf["pcie"]["hwloc_gbs"], 2) != 63.02 or lf["pcie"]["current"]["generation"] is not None:
    bad.append("PCIe %s" % lf["pcie"])
if lf["nvlink"]["links"] is not None or "NVML not consulted" not in lf["nvlink"]["why_unknown"]:
    bad.append("NVLink %s" % lf["nvlink"])
if lf["c2c"]["links"] is not None or "NVML not consulted" not in lf["c2c"]["why_unknown"]:
    bad.append("C2C %s" % lf["c2c"])
if lf["nic"]["gbits"] is not None:
    bad.append("NIC rate guessed: %s" % lf["nic"])
r = d["context"]["pairs"][0]["route"]
if [h["kind"] for h in r["hops"]] != ["pcie", "pcie"] or round(r["line_gbs"], 2) != 63.02:
    bad.append("route %s" % r)
if d["health"]["findings"]:
    bad.append("findings %s" % d["health"]["findings"])
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "hwloc's pci_link_speed as the PCIe rate, NVLink and the NIC's rate unknown, no finding"
# (Not the lines naming the report or the topology file: their length is the path's, longer in
# a deep build tree.)
wide=$(awk '!/^# (report: |topology \()/ && length($0) > 100 { print FILENAME ": " length($0) ": " $0 }' "$dir/plain.txt" \
    "$dir/fail.txt" "$dir/c2c.txt" "$dir/hwloc.txt")
[ -z "$wide" ]
ok $? "every line of these runs' tables within 100 columns (links, routes, health, rounds)" ||
    echo "$wide" | diag

# Host memory only, ranks without a GPU (this machine, its sysfs hidden): no line of dashes per
# rank, one line that says no rank has a link to show.
mkdir -p "$dir/nosysfs"
GPUXFER_SYSFS_ROOT="$dir/nosysfs" gx_mpirun_table "$dir/host.txt" 2 --path host --sizes 8 \
    --iters 3 --quiet --output "$dir/host.json" >"$dir/host.mpirun" 2>"$dir/host.err"
r=$?
[ $r -eq 0 ] && ! grep -q '^# links [0-9]*: PCIe -; NVLink -; NIC -$' "$dir/host.txt" &&
    { grep -q '^# links [0-9]*: ' "$dir/host.txt" || grep -qx '# links: none on any rank (no GPU, no NIC)' "$dir/host.txt"; }
ok $? "a host-only run: no rank's line of dashes; where no rank has a link, one line says so (exit $r)" ||
    diag <"$dir/host.txt"
rm -rf "$dir"
done_testing
