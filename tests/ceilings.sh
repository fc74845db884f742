#!/bin/sh
# Ceilings (--ceilings): a host run's report carries the points its ceiling probes measured
# (the best of their iterations) and every result its ceiling and efficiency, "!" exactly above
# 100%; --dry-run lists the probes; --ceilings off (or "ceilings": "off" in a scenario run)
# measures and reports none, and so does the option's old name, --calibrate off (and the
# scenario key "calibrate"). Asserts what is reported, never how fast.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/ceilings.XXXXXX")

out="$dir/on.json"
# stdout alone in on.txt: a line on stderr (the MPI library's, a sanitizer's) would otherwise
# land in the middle of a buffered table line.
gx_mpirun_table "$dir/on.txt" 2 --path host --pattern latency,bw,bibw --sizes 1,4K,1M+3 \
    --iters 10 --warmup 1 --quiet --output "$out" >"$dir/on.mpirun" 2>"$dir/on.err"
ok $? "2 ranks, host, ceilings on (the default): exit 0" ||
    tail -n 20 "$dir/on.txt" "$dir/on.mpirun" "$dir/on.err" | diag
check_report "$out" --ranks 2 --patterns latency,bw,bibw --sizes 3 --pairs 0-1
ok $? "report valid against the schema"
# The probes' points at the results' sizes, each its best iteration; every result rated.
py_check "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cal = d["ceilings"]
bad = ["the ceilings under their old name too"] if "calibration" in d else []
rp = [p for p in cal["rank_pairs"] if p["ranks"] == [0, 1]]
if len(rp) != 1:
    bad.append("no ceilings for rank pair 0-1: %s" % cal["rank_pairs"])
else:
    rp = rp[0]
    for kind, low in (("shm_copy", 0), ("shm_copy_bidir", 0), ("shm_latency", 1)):
        pts = {p["size"]: p for p in rp.get(kind, {}).get("points", [])}
        if set(pts) != {1, 4096, 1048579}:
            bad.append("%s at sizes %s, expected the results' 1, 4096, 1048579" % (kind, sorted(pts)))
        for p in pts.values():
            best = p.get("best", 0)
            if not (best > 0 and p["min"] <= p["median"] <= p["max"] and p["iterations"] == 10
                    and best == (p["min"] if low else p["max"])):
                bad.append("%s point %s: not its best iteration of 10" % (kind, p))
unsound = [r for r in d["results"] if r.get("ceiling_unsound")]
for r in unsound:
    # A busy machine may disturb a probe: then no efficiency, and the reason.
    if "ceiling" in r or "efficiency" in r or not r.get("ceiling_absent", "").startswith("ceiling unsound: "):
        bad.append("unsound ceiling without its reason, or with an efficiency: %s" % r)
for r in d["results"]:
    if r in unsound:
        continue
    if not (r.get("ceiling", 0) > 0 and r.get("efficiency", 0) > 0 and r.get("ceiling_what")):
        bad.append("result %s %s %d has no ceiling: %s" % (r["path"], r["pattern"], r["size"],
                                                           r.get("ceiling_absent")))
    elif r["pattern"] == "latency" and abs(r["efficiency"] - r["ceiling"] / r["stats"]["median"]) > 1e-9:
        bad.append("latency efficiency is not ceiling / median: %s" % r)
    elif r["pattern"] != "latency" and abs(r["efficiency"] - r["stats"]["median"] / r["ceiling"]) > 1e-9:
        bad.append("bandwidth efficiency is not median / ceiling: %s" % r)
    elif ("ceiling_exceeded" in r or "ceiling_within" in r) != (r["efficiency"] > 1):
        bad.append("the marks and an efficiency of %s disagree: %s" % (r["efficiency"], r))
    elif "ceiling_exceeded" in r and "ceiling_within" in r:
        bad.append("both ceiling_exceeded and ceiling_within: %s" % r)
    elif "ceiling_within" in r and r["stats"]["n"] >= 5 and not (r["stats"]["median_ci95"][0] <= r["ceiling"] if r["pattern"] != "latency" else r["stats"]["median_ci95"][1] >= r["ceiling"]):
        bad.append("ceiling_within, the median's interval (5 samples or more) wholly beyond the ceiling: %s" % r)
    elif "ceiling_exceeded" in r and (r["stats"]["n"] < 5 or (r["stats"]["median_ci95"][0] <= r["ceiling"] if r["pattern"] != "latency" else r["stats"]["median_ci95"][1] >= r["ceiling"])):
        bad.append("ceiling_exceeded without a 95%% interval of the median beyond the ceiling: %s" % r)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "probes: shm-copy one way, both ways and its latency at the results' sizes, each point the best of its iterations; every result has a ceiling and efficiency (or none, with the reason, where the probe was unsound); above 100% ceiling_exceeded where the median's interval lies beyond the ceiling, else ceiling_within"
# The table: the ceilings' summary, then ceiling and eff% on every row ("?" in both where the
# probe was unsound, "~" after a median the machine disturbed); no eff% above 100 without "!" or
# "=" and neither at or below it.
row='^ +[0-9]+ +0->1 +- +- +[0-9.e-]+M?[~^]? .* ok +([0-9.e-]+M? +[0-9.]+[!=]?|\? +\?)$'
lines=$(grep -cE "$row" "$dir/on.txt")
odd=$(grep -E '^ +[0-9]+ +0->1 ' "$dir/on.txt" | grep -vE "$row" | head -n 1 | tr -s ' ')
[ "$lines" -eq 9 ] && grep -q '^# ceilings (' "$dir/on.txt" && grep -q 'eff%' "$dir/on.txt"
ok $? "table: the ceilings' summary, ceiling and eff% on each of the 9 lines (found $lines${odd:+; first other: $odd})" ||
    cat "$dir/on.txt" | diag
awk '/^ +[0-9]+ +0->1 / { e = $NF; bang = sub(/[!=]$/, "", e); if ((e + 0 > 100) != bang) { print; bad = 1 } }
     END { exit bad }' "$dir/on.txt" >"$dir/marks"
ok $? "table: '!' or '=' on exactly the rows whose eff% is above 100" || diag <"$dir/marks"
# --dry-run lists the probes as steps, each just before the result it bounds, and counts them.
gx_mpirun 2 --dry-run --path host --pattern latency,bw --sizes 8,64K >"$dir/dry.txt" 2>&1
awk '$1 ~ /^[0-9]+$/ { step[$1] = $2 " " $4 " " $5 }
     END { for (i = 2; i <= 8; i += 2) if (step[i - 1] != "ceiling:shm-copy " substr(step[i], 6) ||
                                         step[i] !~ /^host /) exit 1 }' "$dir/dry.txt" &&
    grep -qE '^ +1 +ceiling:shm-copy +pageable>pageable +latency +8 ' "$dir/dry.txt" &&
    grep -qE '^# 8 measurements \(4 results; 4 ceiling probes, [0-9.]+ s of the estimate\)' "$dir/dry.txt"
ok $? "--dry-run: each result's ceiling probe just before it, as a step, counted in the estimate" ||
    diag <"$dir/dry.txt"

# The mpi path on host memory (the CPU build's default memory for it) gets a ceiling too.
out="$dir/mpi.json"
gx_mpirun 2 --path mpi --mem pageable --pattern bw --sizes 64K --iters 5 --quiet \
    --output "$out" >"$dir/mpi.txt" 2>&1
ok $? "--path mpi --mem pageable: exit 0"
# Rated: a ceiling and an efficiency, or, where the machine disturbed the probe, its reason.
rated="(x.get('ceiling',0)>0 and x.get('efficiency',0)>0) or (x.get('ceiling_unsound') and x.get('ceiling_absent','').startswith('ceiling unsound: '))"
"$PYTHON" -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; sys.exit(0 if r and all($rated for x in r) else 1)" "$out"
ok $? "--path mpi on host memory: results carry a ceiling (or the reason a disturbed probe gave none)"

# --ceilings off, and its old name --calibrate off: the same run.
none="import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if 'ceilings' not in d and 'calibration' not in d and not any(k.startswith('ceiling') or k=='efficiency' for r in d['results'] for k in r) else 1)"
for opt in --ceilings --calibrate; do
    out="$dir/off$opt.json"
    gx_mpirun 2 --path host --pattern latency,bw --sizes 8,64K --iters 5 $opt off --quiet \
        --output "$out" >"$dir/off$opt.txt" 2>&1
    ok $? "$opt off: exit 0"
    check_report "$out" --patterns latency,bw --sizes 2
    ok $? "$opt off: report valid"
    "$PYTHON" -c "$none" "$out"
    ok $? "$opt off: no ceilings, under either name, and no result rated"
    ! grep -q '^# ceilings' "$dir/off$opt.txt"
    ok $? "$opt off: no ceilings' summary in the table"
done

# A scenario key like any per-run option: one run off, one on; the old key "calibrate" as well.
for key in ceilings calibrate; do
    cat >"$dir/mixed-$key.json" <<JSON
{"runs": [{"name": "raw", "pattern": "bw", "sizes": "4K", "$key": "off"},
          {"name": "bounded", "pattern": "bw", "sizes": "4K"}]}
JSON
    out="$dir/mixed-$key.json.out"
    gx_mpirun 2 --scenario "$dir/mixed-$key.json" --iters 5 --quiet --output "$out" \
        >"$dir/mixed-$key.txt" 2>&1
    ok $? "scenario with $key off in one run: exit 0"
    "$PYTHON" -c "
import json, sys
r = {x['run']: x for x in json.load(open(sys.argv[1]))['results']}
x = r['bounded']
sys.exit(0 if 'ceiling' not in r['raw'] and 'ceiling_absent' not in r['raw'] and ($rated) else 1)" "$out"
    ok $? "scenario: the run with $key off has no ceiling, the other has one (or the reason a disturbed probe gave none)"
done

# A bad value is named by the option as it was given, its old name too.
for opt in --ceilings --calibrate; do
    gx_mpirun 2 $opt maybe --output "$dir/bad.json" >"$dir/bad.txt" 2>&1
    rc=$?
    [ $rc -eq 2 ] && grep -q "^gpuxfer: $opt: unknown value 'maybe' (expected on, off or full)" "$dir/bad.txt" &&
        [ ! -e "$dir/bad.json" ]
    ok $? "$opt maybe: exit 2 naming the option (got $rc)"
done
gx_mpirun 1 --help >"$dir/help.txt" 2>&1
grep -q -- '--ceilings on|off|full' "$dir/help.txt" && ! grep -q -- '--calibrate on|off|full' "$dir/help.txt"
ok $? "--help lists --ceilings, not its old name as an option of its own"

# By default only what the results are rated against; --ceilings full every ceiling the path
# names for the run's patterns (host bw: host memory through shared memory, and the peer copy
# its device-memory rule names, absent without a GPU), at every size.
for mode in on full; do
    gx_mpirun 2 --path host --pattern bw --sizes 4K,64K --iters 5 --ceilings $mode --quiet \
        --output "$dir/mode-$mode.json" >"$dir/mode-$mode.txt" 2>&1
    ok $? "--ceilings $mode: exit 0" || diag <"$dir/mode-$mode.txt"
done
# A build without CUDA has no peer probe at all: full then adds nothing to host bw's.
cuda=0
grep -q '^#define HAVE_CUDA 1' "$top_builddir/config.h" 2>/dev/null && cuda=1
"$PYTHON" - "$dir/mode-on.json" "$dir/mode-full.json" "$cuda" <<'PY'
import json, sys
def kinds(f):
    got = set()
    for e in json.load(open(f))["ceilings"]["rank_pairs"]:
        got |= {k for k, v in e.items() if isinstance(v, dict) and "points" in v}
    return got
on, full = kinds(sys.argv[1]), kinds(sys.argv[2])
want = {"shm_copy", "peer"} if sys.argv[3] == "1" else {"shm_copy"}
ok = "shm_copy" in on and "peer" not in on and "shm_copy_bidir" not in on and want <= full
print("on: %s, full: %s" % (sorted(on), sorted(full)))
sys.exit(0 if ok else 1)
PY
ok $? "--ceilings on probes only the ceiling host bw is rated by; full also the others its rules name (the peer copy where the build has CUDA)"

rm -rf "$dir"
done_testing
