#!/bin/sh
# The GPUs' counters around the run, without the hardware: a stand-in NVML (tests/fake_nvml.c,
# first on LD_LIBRARY_PATH) describes two H100 NVL (tests/fake-nvml-h100nvl.txt: 12 NVLinks
# each among 18 link slots NVML answers, steady counters, one counter NVML does not support);
# each case appends "set" lines that move a counter between gpuxfer's reading before its
# measurements and its reading after them, and each finding is checked in the report, the
# table and the exit status of --fail-on-health.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/health_counters.XXXXXX")
xml="$top_srcdir/tests/topologies/h200x4-vm.xml"
base="$top_srcdir/tests/fake-nvml-h100nvl.txt"
lib="$top_builddir/tests/fake-nvml"
[ -f "$lib/libnvidia-ml.so.1" ] || finish_skip "the stand-in NVML is not built (make check builds it)"

run() { # run NAME LIB [gpuxfer args...]: 2 ranks on the stand-in $dir/NAME.nvml; exit status
    name=$1 nvml=$2; shift 2
    GX_FAKE_NVML_CONFIG="$dir/$name.nvml" GPUXFER_FAKE_NVML=1 \
    LD_LIBRARY_PATH="$nvml${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        gx_mpirun_table "$dir/$name.txt" 2 --topology-xml "$xml" \
        --fake-gpus 0000:00:06.0,0000:00:07.0 --sizes 8 --iters 3 --quiet \
        --output "$dir/$name.json" "$@" >"$dir/$name.mpirun" 2>"$dir/$name.err"
}
# expect NAME: the report's findings and counters against the Python lines on stdin, which
# set `bad` (d is the report, f its findings as (check, rank), c each rank's counters).
expect() {
    { cat <<'PY'; cat; printf '%s\n' 'print("\n".join(bad)); sys.exit(1 if bad else 0)'; } >"$dir/expect.py"
import json, sys
d = json.load(open(sys.argv[1]))
h = d["health"]
f = sorted((x["check"], x["rank"]) for x in h["findings"])
c = {g["rank"]: g.get("counters") for g in h.get("gpu_counters", [])}
bad = []
def want(what, got, wanted):
    if got != wanted:
        bad.append("%s: %r, expected %r" % (what, got, wanted))
PY
    py_check "$dir/$1.json" <"$dir/expect.py"
}

cp "$base" "$dir/steady.nvml"
run steady "$lib" --fail-on-health
ok $? "steady counters, 12 of 12 NVLinks up on each H100 NVL: exit 0 with --fail-on-health" ||
    diag <"$dir/steady.err"
check_report "$dir/steady.json" --ranks 2
ok $? "its report is valid against the schema"
expect steady <<'PY'
want("findings", f, [])
want("GPUs", sorted(c), [0, 1])
want("NVLinks", [r["link_facts"]["nvlink"]["links"] for r in d["context"]["ranks"]], [12, 12])
want("replays, 3 on each of 12 links", c[0]["nvlink_replay"], {"before": 36, "after": 36, "links": 12, "links_moved": []})
want("PCIe replays", c[0]["pcie_replay"], {"before": 7, "after": 7})
want("unsupported", c[1]["nvlink_crc_data"], {"unavailable": "nvmlDeviceGetNvLinkErrorCounter: Not Supported"})
want("SM clock", c[1]["sm_clock_mhz"], {"before": 1755, "after": 1980})
want("idle is no throttle", c[0]["clock_event_reasons"]["after_reasons"], ["gpu-idle"])
want("state", [c[0][k]["after"] for k in ("power_limit_mw", "persistence_mode", "mig_mode")], [400000, 1, 0])
want("ECC on, now and after a reset", [c[1][k] for k in ("ecc_mode", "ecc_mode_pending")], [{"before": 1, "after": 1}] * 2)
want("XIDs", c[0]["xid"], {"before": 0, "after": 0, "xids": []})
PY
ok $? "no finding; the counters before and after, an unsupported one said so, not 0; the ECC mode"
# The header's state of each GPU: the first reading's (GPU 1's SM clock is 1755 before, 1980 after).
grep -qx '# gpu 0: SM/mem 1755/2619 MHz, power limit 400 W, persistence on, MIG off, MPS off, ECC on, errors 0' "$dir/steady.txt" &&
    grep -qx '# gpu 1: SM/mem 1755/2619 MHz, power limit 400 W, persistence on, MIG off, MPS off, ECC on, errors 0' "$dir/steady.txt" &&
    [ "$(grep -c '^# gpu ' "$dir/steady.txt")" -eq 2 ] &&
    awk 'length > 100 { bad = 1 } END { exit bad }' "$dir/steady.txt"
ok $? "the header: one # gpu line per GPU with its state at the start (the first reading), within 100 columns" ||
    diag <"$dir/steady.txt"

sed 's/^0000:00:07.0   6       12    12 /0000:00:07.0   6       12    11 /' "$base" >"$dir/down.nvml"
run down "$lib"
ok $? "one NVLink of GPU 1 down: exit 0 without --fail-on-health"
expect down <<'PY'
want("findings", f, [("nvlink-down", 1)])
want("line", h["findings"][0]["line"], "GPU 0000:00:07.0 (rank 1): 1 NVLink down, 11 of 12 active")
PY
ok $? "nvlink-down judged against the GPU's own 12 links, not NVML's 18 slots"

{ cat "$base"; cat <<'EOF'; } >"$dir/moved.nvml"
set 0000:00:06.0 nvlink_replay:2 3>9
set 0000:00:06.0 nvlink_crc_flit:5 0>4
set 0000:00:06.0 pcie_replay 7>8
set 0000:00:06.0 ecc_corrected 0>2
set 0000:00:06.0 ecc_uncorrected 1>1
set 0000:00:06.0 retired_pending 0>1
set 0000:00:06.0 clock_events 0x1>0x3
set 0000:00:07.0 xid 79,48
set 0000:00:07.0 remap_pending 0>1
set 0000:00:07.0 remap_failure 1
set 0000:00:07.0 clock_events 0x0>0x41
EOF
GPUXFER_FAULT=slow:rank=0:size=8:ms=100 run moved "$lib"
ok $? "counters that move during the run: exit 0 without --fail-on-health" || diag <"$dir/moved.err"
check_report "$dir/moved.json" --ranks 2
ok $? "its report is valid against the schema"
expect moved <<'PY'
want("findings", f, [("clock-throttled", 1), ("ecc-errors", 0), ("nvlink-errors", 0), ("nvlink-errors", 0),
     ("pcie-replays", 0), ("retirement-pending", 0), ("retirement-pending", 1), ("row-remap-failed", 1),
     ("xid-events", 1)])
want("replays", c[0]["nvlink_replay"], {"before": 36, "after": 42, "links": 12, "links_moved": [2]})
want("XIDs", c[1]["xid"], {"before": 0, "after": 2, "xids": [79, 48]})
want("throttle", c[1]["clock_event_reasons"]["after_reasons"], ["gpu-idle", "hw-thermal"])
lines = {x["line"]: x["evidence"] for x in h["findings"]}
for line, ev in [
        ("GPU 0000:00:06.0 (rank 0): NVLink replays during the run: 36 before, 42 after (link 2)",
         "nvml nvlink_replay: before 36, after 42, summed over 12 links, %.3f s apart" % h["gpu_counters"][0]["seconds"]),
        ("GPU 0000:00:06.0 (rank 0): PCIe replays during the run: 7 before, 8 after",
         "nvml pcie_replay: before 7, after 8"),
        ("GPU 0000:00:06.0 (rank 0): corrected ECC errors during the run: 0 before, 2 after",
         "nvml ecc_corrected_volatile: before 0, after 2"),
        ("GPU 0000:00:06.0 (rank 0): page retirement pending (the GPU needs a reset)",
         "nvml retired_pages_pending: before 0, after 1"),
        ("GPU 0000:00:07.0 (rank 1): 2 XID events during the run (XID 79, 48)",
         "nvml xid: critical error events delivered between the readings: before 0, after 2 (XID 79, 48)"),
        ("GPU 0000:00:07.0 (rank 1): clocks held down at the end of the run: hw-thermal",
         "nvml clock_event_reasons: before 0x0 (none), after 0x41 (gpu-idle, hw-thermal)")]:
    want("evidence of " + line, lines.get(line), ev)
crc = [x for x in h["findings"] if "CRC flit" in x["line"]]
want("CRC flit errors, 4 in the run: a warning", [(x["severity"], x["line"].split(" a second")[0].split(", ")[0]) for x in crc],
     [("warning", "GPU 0000:00:06.0 (rank 0): NVLink CRC flit errors during the run: 0 before")])
want("the others findings", sorted(x["severity"] for x in h["findings"] if x not in crc), ["finding"] * 8)
rate = 4 / max(h["gpu_counters"][0]["seconds"], 1)
want("the rate said", crc and crc[0]["line"].endswith(" after (link 5), %.3g a second (below 100, a warning)" % rate), True)
PY
ok $? "each finding with its evidence (GPU, counter, before, after); a steady uncorrected count, applications clocks: none"
lines=$(grep -c '^# health: GPU 0000:00:0[67].0 (rank [01]): ' "$dir/moved.txt")
[ "$lines" -eq 8 ] && grep -q '^# health (warning): GPU 0000:00:06.0 (rank 0): NVLink CRC flit ' "$dir/moved.txt" && grep -q '^# health: GPU 0000:00:07.0 (rank 1): 2 XID events during the run (XID 79, 48)$' "$dir/moved.txt"
ok $? "the table: one # health line per finding ($lines), the warning's marked" || diag <"$dir/moved.txt"

# NVLink CRC errors: below 100 a second (DCGM's rate) a warning, which --fail-on-health does not
# count; at 100 a second or more a finding. A rate is judged over a second at least: fewer than
# 100 in a run shorter than that are a warning, whatever the load.
# crc NAME AFTER SEVERITY EXIT TABLE_PREFIX [fault]: GPU 1's CRC flit count 10 -> AFTER on link 3
crc() {
    { cat "$base"; echo "set 0000:00:07.0 nvlink_crc_flit:3 10>$2"; } >"$dir/$1.nvml"
    GPUXFER_FAULT=${6:-} run "$1" "$lib" --fail-on-health
    crc_rc=$? # not _rc: run_diag's
    SEVERITY=$3 expect "$1" <<'PY'
import os
sev = os.environ["SEVERITY"]
want("one " + sev, [(x["check"], x["severity"]) for x in h["findings"]], [("nvlink-errors", sev)])
want("why", h["findings"][0]["line"].endswith(
    "(below 100, a warning)" if sev == "warning" else "(at or above 100, where they matter)"), True)
PY
    [ $? -eq 0 ] && [ "$crc_rc" -eq "$4" ] &&
        grep -q "^# health$5: GPU 0000:00:07.0 (rank 1): NVLink CRC flit errors" "$dir/$1.txt"
}
crc crc_low 25 warning 0 ' (warning)'
ok $? "15 NVLink CRC errors in the run: a warning, exit 0 with --fail-on-health ($crc_rc)" || diag <"$dir/crc_low.err"
crc crc_short 109 warning 0 ' (warning)'
ok $? "99 NVLink CRC errors in a run of a second or less: a warning, exit 0 ($crc_rc)" || diag <"$dir/crc_short.err"
crc crc_high 100000010 finding 8 ''
ok $? "1e8 NVLink CRC errors in the run: a finding, exit 8 with --fail-on-health ($crc_rc)" || diag <"$dir/crc_high.txt"

{ cat "$base"; echo "set 0000:00:07.0 pcie_replay 0>1"; } >"$dir/replay.nvml"
run replay "$lib" --fail-on-health
rc=$?
[ "$rc" -eq 8 ] && grep -q '1 health finding ' "$dir/replay.err"
ok $? "--fail-on-health: one PCIe replay during the run is exit 8 ($rc), and why on stderr"
expect replay <<'PY'
want("status", (d["status"], d["exit_code"], f), ("complete", 8, [("pcie-replays", 1)]))
PY
ok $? "its report: complete, exit_code 8, the one finding"

# An older driver's NVML: the calls it lacks are said, the clock reasons under their old name.
{ cat "$base"; echo "set 0000:00:06.0 pcie_replay !4"; echo "set 0000:00:06.0 clock_events 0x1>0x4"
  echo "set 0000:00:06.0 power_limit -"; echo "set 0000:00:07.0 ecc_corrected 3"; echo "set 0000:00:07.0 mig 1"
  echo "set 0000:00:06.0 ecc_mode -"; echo "set 0000:00:07.0 ecc_mode_change 1"; } >"$dir/old.nvml"
run old "$top_builddir/tests/fake-nvml-old"
ok $? "an older NVML: exit 0" || diag <"$dir/old.err"
check_report "$dir/old.json" --ranks 2
ok $? "its report is valid against the schema"
expect old <<'PY'
want("findings", f, [("clock-throttled", 0)])
want("XIDs", c[0]["xid"], {"unavailable": "NVML lacks nvmlEventSetCreate"})
want("remapped rows", (c[0]["remapped_rows_pending"], c[0]["row_remap_failure"]),
     ({"unavailable": "NVML lacks nvmlDeviceGetRemappedRows"},) * 2)
want("no permission", c[0]["pcie_replay"], {"unavailable": "nvmlDeviceGetPcieReplayCounter: Insufficient Permissions"})
want("power cap", c[0]["clock_event_reasons"]["after_reasons"], ["sw-power-cap"])
want("a board without ECC", [c[0][k] for k in ("ecc_mode", "ecc_mode_pending")],
     [{"unavailable": "nvmlDeviceGetEccMode: Not Supported"}] * 2)
want("ECC off after a reset", [c[1][k]["before"] for k in ("ecc_mode", "ecc_mode_pending")], [1, 0])
PY
ok $? "unavailable counters with the reason (a call missing, an NVML error), the clock reasons through the old call"
# The header's lines, wrapped within 100 columns: a state NVML does not give says why.
tr '\n' ' ' <"$dir/old.txt" | sed 's/ #   / /g' >"$dir/old.flat"
grep -q '# gpu 0: SM/mem 1755/2619 MHz, power limit unavailable (nvmlDeviceGetEnforcedPowerLimit: Not Supported), persistence on, MIG off, MPS off, ECC unavailable (nvmlDeviceGetEccMode: Not Supported), errors 0 ' "$dir/old.flat" &&
    grep -q '# gpu 1: SM/mem 1755/2619 MHz, power limit 400 W, persistence on, MIG on, MPS off, ECC on (off after a reset), errors 3 corrected, 0 uncorrected ' "$dir/old.flat" &&
    awk 'length > 100 { bad = 1 } END { exit bad }' "$dir/old.txt"
ok $? "the header: a state NVML does not support is unavailable with why (ECC on a board without it); MIG on; ECC off after a reset; ECC counts not 0" ||
    diag <"$dir/old.txt"

# Stand-in GPUs that NVML is not asked about, and a run without GPUs.
GX_FAKE_NVML_CONFIG="$base" LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    gx_mpirun_table "$dir/nonvml.txt" 2 --topology-xml "$xml" --fake-gpus 0000:00:06.0,0000:00:07.0 \
    --sizes 8 --iters 3 --quiet --output "$dir/nonvml.json" >"$dir/nonvml.mpirun" 2>"$dir/nonvml.err"
ok $? "stand-in GPUs without GPUXFER_FAKE_NVML: exit 0"
gx_mpirun_table "$dir/host.txt" 2 --path host --sizes 8 --iters 3 --quiet \
    --output "$dir/host.json" >"$dir/host.mpirun" 2>"$dir/host.err"
ok $? "a host-only run: exit 0"
check_report "$dir/host.json" --ranks 2
ok $? "its report is valid against the schema"
py_check "$dir/nonvml.json" "$dir/host.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["health"]["gpu_counters"]
b = json.load(open(sys.argv[2]))["health"]
got = ([(g["rank"], g.get("unavailable")) for g in a], b.get("gpu_counters"))
want = ([(0, "NVML not consulted for --fake-gpus"), (1, "NVML not consulted for --fake-gpus")], [])
print("got %r" % (got,) if got != want else "")
sys.exit(0 if got == want else 1)
PY
ok $? "GPUs NVML was not asked about: unavailable, with why; no GPU: no entry"
grep -qx '# gpu 1: state unavailable (NVML not consulted for --fake-gpus)' "$dir/nonvml.txt" &&
    ! grep -q '^# gpu ' "$dir/host.txt"
ok $? "the header: a GPU NVML was not asked about says why; a host-only run has no # gpu line"
# NVML asked for but not there: the loader's reason, whole (where the machine has none).
if ldconfig -p 2>/dev/null | grep -q 'libnvidia-ml\.so\.1 '; then
    skip "this machine has an NVML of its own"; skip "this machine has an NVML of its own"
else
GPUXFER_FAKE_NVML=1 LD_LIBRARY_PATH="$dir/none${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    gx_mpirun_table "$dir/absent.txt" 2 --topology-xml "$xml" --fake-gpus 0000:00:06.0,0000:00:07.0 \
    --sizes 8 --iters 3 --quiet --output "$dir/absent.json" >"$dir/absent.mpirun" 2>"$dir/absent.err"
ok $? "stand-in GPUs with no NVML to load: exit 0"
tr '\n' ' ' <"$dir/absent.txt" | sed 's/ #   / /g' >"$dir/absent.flat"
grep -q '# gpu 0: state unavailable (NVML not available (libnvidia-ml.so.1: [^)]*)) # gpu 1: state unavailable (NVML not' "$dir/absent.flat" &&
    awk 'length > 100 { bad = 1 } END { exit bad }' "$dir/absent.txt"
ok $? "the header: a GPU whose NVML is absent says why" || diag <"$dir/absent.txt"
fi
rm -rf "$dir"
done_testing
