#!/bin/sh
# Calibration (--calibrate): a host run's report carries the MPI ceilings it measured and every
# result its ceiling and efficiency; --calibrate off (or "calibrate": "off" in a scenario run)
# measures and reports none. Asserts what is reported, never how fast.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/calibrate.XXXXXX")

out="$dir/on.json"
# stdout alone in on.txt: a line on stderr (the MPI library's, a sanitizer's) would otherwise
# land in the middle of a buffered table line.
gx_mpirun_table "$dir/on.txt" 2 --path host --pattern latency,bw,bibw --sizes 1,4K,1M+3 \
    --iters 10 --warmup 1 --quiet --output "$out" >"$dir/on.mpirun" 2>"$dir/on.err"
ok $? "2 ranks, host, calibration on (the default): exit 0" ||
    tail -n 20 "$dir/on.txt" "$dir/on.mpirun" "$dir/on.err" | diag
check_report "$out" --ranks 2 --patterns latency,bw,bibw --sizes 3 --pairs 0-1
ok $? "report valid against the schema"
# A ceiling may be missing only where the calibration's time budget ran out (a loaded machine),
# and then with that reason; the 1-byte points are measured first and always there.
py_check "$out" "$dir/absent" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cal = d["calibration"]
rp = [p for p in cal["rank_pairs"] if p["ranks"] == [0, 1]]
bad = []
budget = lambda why: "calibration's time" in (why or "")  # noqa: E731
if len(rp) != 1:
    bad.append("no calibration for rank pair 0-1: %s" % cal["rank_pairs"])
else:
    rp = rp[0]
    for kind, sizes in (("mpi_bw", {1, 4096, 1048579}), ("mpi_bibw", {1, 4096, 1048579}),
                        ("mpi_latency", {1, 8, 4096, 1048579})):
        pts = {p["size"]: p for p in rp.get(kind, {}).get("points", [])}
        if set(pts) != sizes:
            bad.append("%s at sizes %s, expected %s" % (kind, sorted(pts), sorted(sizes)))
        for p in pts.values():
            if "median" not in p and budget(p.get("absent")) and p["size"] > 1:
                continue
            if not (p.get("median", 0) > 0 and p["min"] <= p["median"] <= p["max"] and p["repeats"] >= 5):
                bad.append("%s point %s" % (kind, p))
absent = 0
for r in d["results"]:
    if "ceiling" not in r and budget(r.get("ceiling_absent")) and r["size"] > 1:
        absent += 1
    elif not (r.get("ceiling", 0) > 0 and r.get("efficiency", 0) > 0 and r.get("ceiling_what")):
        bad.append("result %s %s %d has no ceiling: %s" % (r["path"], r["pattern"], r["size"],
                                                           r.get("ceiling_absent")))
    elif r["pattern"] == "latency" and abs(r["efficiency"] - r["ceiling"] / r["stats"]["median"]) > 1e-9:
        bad.append("latency efficiency is not ceiling / median: %s" % r)
    elif r["pattern"] != "latency" and abs(r["efficiency"] - r["stats"]["median"] / r["ceiling"]) > 1e-9:
        bad.append("bandwidth efficiency is not median / ceiling: %s" % r)
open(sys.argv[2], "w").write("%d\n" % absent)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "calibration: MPI bandwidth (one way, both ways) at the runs' sizes, latency at theirs and 8 B; every result has a ceiling and efficiency > 0 (or none for want of calibration time: $(cat "$dir/absent" 2>/dev/null))"
# The table: ceiling and eff% columns after validation, numbers on every line ("- -" on those
# lines whose result has no ceiling; "!" after eff% beyond the ceiling's spread, which a loaded
# machine can give).
row='^ +[0-9]+ +0->1 +- +- +[0-9.]+ .* ok +([0-9.]+ +[0-9.]+!?|- +-)$'
lines=$(grep -cE "$row" "$dir/on.txt")
dashes=$(grep -cE '^ +[0-9]+ +0->1 .* ok +- +-$' "$dir/on.txt")
# The first line that is not such a row goes into the description, where CI's log shows it.
odd=$(grep -E '^ +[0-9]+ +0->1 ' "$dir/on.txt" | grep -vE "$row" | head -n 1 | tr -s ' ')
[ "$lines" -eq 9 ] && [ "$dashes" -eq "$(cat "$dir/absent" 2>/dev/null)" ] &&
    grep -q '^# calibration' "$dir/on.txt" && grep -q 'eff%' "$dir/on.txt"
ok $? "table: calibration summary, ceiling and eff% on each of the 9 lines (found $lines, $dashes without${odd:+; first other: $odd})" ||
    cat "$dir/on.txt" | diag

# The mpi path on host memory (the CPU build's default memory for it) gets a ceiling too.
out="$dir/mpi.json"
gx_mpirun 2 --path mpi --mem pageable --pattern bw --sizes 64K --iters 5 --quiet \
    --output "$out" >"$dir/mpi.txt" 2>&1
ok $? "--path mpi --mem pageable: exit 0"
"$PYTHON" -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; sys.exit(0 if r and all(x.get('ceiling',0)>0 and x.get('efficiency',0)>0 for x in r) else 1)" "$out"
ok $? "--path mpi on host memory: results carry a ceiling"

out="$dir/off.json"
gx_mpirun 2 --path host --pattern latency,bw --sizes 8,64K --iters 5 --calibrate off --quiet \
    --output "$out" >"$dir/off.txt" 2>&1
ok $? "--calibrate off: exit 0"
check_report "$out" --patterns latency,bw --sizes 2
ok $? "--calibrate off: report valid"
"$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if 'calibration' not in d and not any(k.startswith('ceiling') or k=='efficiency' for r in d['results'] for k in r) else 1)" "$out"
ok $? "--calibrate off: no calibration, no ceilings"
! grep -q '^# calibration' "$dir/off.txt"
ok $? "--calibrate off: no calibration summary in the table"

# A scenario key like any per-run option: one run off, one on.
cat >"$dir/mixed.json" <<'JSON'
{"runs": [{"name": "raw", "pattern": "bw", "sizes": "4K", "calibrate": "off"},
          {"name": "bounded", "pattern": "bw", "sizes": "4K"}]}
JSON
out="$dir/mixed.json.out"
gx_mpirun 2 --scenario "$dir/mixed.json" --iters 5 --quiet --output "$out" >"$dir/mixed.txt" 2>&1
ok $? "scenario with calibrate off in one run: exit 0"
"$PYTHON" -c "
import json, sys
r = {x['run']: x for x in json.load(open(sys.argv[1]))['results']}
sys.exit(0 if 'ceiling' not in r['raw'] and r['bounded'].get('ceiling', 0) > 0 else 1)" "$out"
ok $? "scenario: the run with calibrate off has no ceiling, the other has one"

GX_TIMEOUT=60 gx_mpirun 2 --calibrate maybe --output "$dir/bad.json" >"$dir/bad.txt" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "^gpuxfer: --calibrate: unknown value 'maybe' (expected on, off or full)" "$dir/bad.txt" &&
    [ ! -e "$dir/bad.json" ]
ok $? "--calibrate maybe: exit 2 naming the option (got $rc)"
GX_TIMEOUT=60 gx_mpirun 1 --help 2>&1 | grep -q -- '--calibrate on|off|full'
ok $? "--help lists --calibrate"

# A ceiling taken at a slow moment (slow-calibration: rank 0's MPI calibration at 64K takes 20
# times as long) flags no result: the pair measures the point again at once, the point is
# widened (its median the faster one) and the result rated against it. Any result beyond its
# ceiling was measured again first.
# --timeout 120: the calibration's time (half of it) holds the slowed point on a loaded machine.
GPUXFER_FAULT=slow-calibration:rank=0:size=64K gx_mpirun 2 --path host --pattern latency,bw \
    --sizes 8,64K --iters 20 --timeout 120 --quiet --output "$dir/slow.json" >"$dir/slow.txt" 2>&1
ok $? "a calibration slowed at 64K (slow-calibration fault): exit 0" || diag <"$dir/slow.txt"
py_check "$dir/slow.json" "$dir/on.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rp = d["calibration"]["rank_pairs"][0]
bad = []
for kind, pattern in (("mpi_bw", "bw"), ("mpi_latency", "latency")):
    pt = [p for p in rp[kind]["points"] if p["size"] == 65536][0]
    r = [r for r in d["results"] if r["pattern"] == pattern and r["size"] == 65536][0]
    print("# %s 64K: measured again %s, efficiency %s; the point: %s" % (
        pattern, r.get("ceiling_rechecked", False), r.get("efficiency"), pt))
    # Bandwidth: against the slowed point alone the result is about 20 times its ceiling, so far
    # beyond it that CI's parallel load cannot hide it (at 4 times, a noisy result's interval
    # reached down into the slowed range and nothing was measured again). Latency is not
    # asserted: on a loaded machine a round trip waits for time slices of milliseconds, as slow
    # as the slowed point (seen: 64K at 2.3 ms against a point of 3.3 ms).
    if kind != "mpi_bw":
        continue
    if not pt.get("rechecked", 0) >= 1 or pt["repeats"] <= pt["rechecked"]:
        bad.append("%s at 64K not measured again" % kind)
    if not r.get("ceiling_rechecked"):
        bad.append("%s 64K: not rated against its point measured again" % pattern)
for f in sys.argv[1:]:
    for r in json.load(open(f))["results"]:
        if "ceiling_exceeded" in r and not r.get("ceiling_rechecked"):
            bad.append("%s: %s %d beyond its ceiling, not measured again" % (f, r["pattern"], r["size"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "bw's 64K point measured again (rechecked), the result rated against it; no result beyond its ceiling without a recheck"
grep -qE '^ +65536 +0->1 .*[0-9]!$' "$dir/slow.txt" && grep -q 'measured again after this result' "$dir/slow.json" ||
    ! grep -qE '^ +65536 +0->1 .*[0-9]!$' "$dir/slow.txt"
ok $? "a 64K result still marked ! says its ceiling was measured again"

# By default only what the results are rated against; --calibrate full every ceiling the path
# names for the run's patterns (host bw: MPI bandwidth, and the peer copy its device-memory rule
# names), at every size.
for mode in on full; do
    gx_mpirun 2 --path host --pattern bw --sizes 4K,64K --iters 5 --calibrate $mode --quiet \
        --output "$dir/mode-$mode.json" >"$dir/mode-$mode.txt" 2>&1
    ok $? "--calibrate $mode: exit 0" || diag <"$dir/mode-$mode.txt"
done
"$PYTHON" - "$dir/mode-on.json" "$dir/mode-full.json" <<'PY'
import json, sys
def kinds(f):
    cal = json.load(open(f))["calibration"]
    got = set()
    for group in ("gpus", "gpu_pairs", "rank_pairs"):
        for e in cal[group]:
            got |= {k for k, v in e.items() if isinstance(v, dict) and ("points" in v or "absent" in v)}
    return got
on, full = kinds(sys.argv[1]), kinds(sys.argv[2])
ok = "mpi_bw" in on and "peer" not in on and "mpi_bibw" not in on and {"mpi_bw", "peer"} <= full
print("on: %s, full: %s" % (sorted(on), sorted(full)))
sys.exit(0 if ok else 1)
PY
ok $? "--calibrate on measures only the ceiling host bw is rated by; full also the others its rules name"

rm -rf "$dir"
done_testing
