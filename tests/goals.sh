#!/bin/sh
# gpuxfer-report goals on constructed reports: which goals are met, missed or lack a ceiling.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/goals.XXXXXX")
# --wide: a goal and its note on one line, which the checks below read.
goals() { "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" goals --wide "$@"; }

# MODE all-met | some-missed
make_report() {
    "$PYTHON" - "$1" >"$2" <<'PY'
import json, sys
M = 1 << 20
def res(path, pattern, size, median, eff=None, chunk=None, depth=None, cv=0.001, mem="device", via=None,
        line=None):
    r = {"path": path, "mem": {"src": mem, "dst": mem}, "pattern": pattern, "ranks": [0, 1],
         "same_node": True, "size": size, "unit": "us" if pattern == "latency" else "GB/s",
         "status": "ok", "stats": {"median": median, "cv": cv, "p5": median * (1 - 2 * cv),
                                   "p95": median * (1 + cv)}}
    if eff is not None:
        r.update(ceiling=median / eff if pattern != "latency" else median * eff,
                 ceiling_what="constructed", efficiency=eff)
    if chunk:
        r.update(chunk=chunk, depth=depth)
    if via:
        r["via"] = via
    # Schema 2.7: a bandwidth's route's line rate, or why it has none (host memory on one node).
    if line:
        r.update(line_gbs=line, line_share=median / line, line_route="NVLink 4, 18 links 450.0")
    elif r["unit"] == "GB/s" and mem != "device":
        r["line_absent"] = "host memory on one node: no link crossed"
    return r
met = sys.argv[1] == "all-met"
stage = {"points": [{"size": 4 * M, "median": 50.0}]}
gpu = {"gpu": {"name": "NVIDIA H200"}}
doc = {"schema_version": "1.11", "tool": {"name": "gpuxfer"},
       "context": {"ranks": [dict(gpu, rank=0), dict(gpu, rank=1)]},
       "calibration": {"gpus": [{"rank": 0, "d2h": stage}, {"rank": 1, "h2d": stage}],
                       "rank_pairs": [{"ranks": [0, 1], "mpi_pinned_bw": stage,
                                       "mpi_pinned_latency":
                                       {"points": [{"size": 4 * M, "median": 100.0}]}}]},
       "results": [
           res("p2p", "bw", 64 * M, 390, 0.99, 64 * M, 1, line=450),
           res("p2p", "bw", 64 * M, 200, 0.50, 1 * M, 2),   # a worse chunk: not the best
           res("p2p", "bw", M, 370, 0.95 if met else 0.60, M, 1),
           res("p2p", "latency", 8, 1.1 if met else 2.6),
           # through MPI, three equal stages: ideal gain 3x; depth 4 reaches 2.8x when met,
           # 1.5x otherwise
           res("staged-mpi", "bw", 64 * M, 47 if met else 25, 0.94, 4 * M, 4),
           res("staged-mpi", "bw", 64 * M, 16.7, 0.33, 4 * M, 1),
           # through shared memory: two stages, ideal gain 2x
           res("staged", "bw", 64 * M, 48, 0.96, 4 * M, 4, via="shared-memory slots"),
           res("staged", "bw", 64 * M, 25, 0.50, 4 * M, 1, via="shared-memory slots"),
           # --chunk auto's pick at 128M: its depth-1 baseline is one of its candidates
           dict(res("staged-mpi", "bw", 128 * M, 46, 0.92, 4 * M, 2), chunk_auto=True,
                auto_candidates=[{"chunk": 4 * M, "depth": 1, "median": 16.0},
                                 {"chunk": 4 * M, "depth": 2, "median": 45.0}]),
           res("mpi", "latency", 8, 0.74, 0.99 if met else 0.80, mem="pinned"),
           res("nccl", "bw", 256 * M, 380, 0.97, cv=0.005 if met else 0.02),
           res("mpi", "bw", M, 184 if met else 170, 0.95),
           # 64M x a window of 4 at 1.5 GB/s: an iteration of 179.0 ms, MPI busy 176.8 of it
           dict(res("unified-prefetch", "bw", 64 * M, 1.5, 0.85 if met else 0.38, 4 * M, 4),
                window=4, stages=[{"name": "prefetch to host", "initiator_us": 3100.0,
                                   "peer_us": 800.0},
                                  {"name": "MPI", "initiator_us": 176500.0, "peer_us": 176800.0},
                                  {"name": "prefetch to GPU", "initiator_us": 0.0,
                                   "peer_us": 1900.0}]),
           # crossed its MPI ceiling, which was measured again: within it after (met), still
           # beyond it (missed)
           dict(res("host", "bw", 4 * M, 12.0, 0.97 if met else 1.12, mem="pageable"),
                ceiling_rechecked=True,
                **({} if met else {"ceiling_exceeded": {"by": 1.12, "ceiling_range": [9.0, 10.5],
                                                        "reason": "constructed"}})),
       ]}
print(json.dumps(doc))
PY
}
make_report all-met "$dir/met.json"
goals "$dir/met.json" >"$dir/met.txt" 2>&1
ok_diag $? "$dir/met.txt" "every goal met: exit 0"
grep -q '^p2p bw >= 64M .* 64M/1 .* yes ' "$dir/met.txt"
ok_diag $? "$dir/met.txt" "p2p >= 64M judged on its best chunk (64M/1), not the worse 1M/2"
grep -q '^staged-mpi gain over depth 1 .*gain 2.81x, ideal 3.00x' "$dir/met.txt"
ok_diag $? "$dir/met.txt" "staged gain: best over depth 1 at the same chunk against the ideal from the stages"

grep -q '^unified-prefetch bw >= 64M .* yes ' "$dir/met.txt" && ! grep -q 'measured:' "$dir/met.txt"
ok_diag $? "$dir/met.txt" "a goal met: no stage note"
grep -q "^staged-mpi gain over depth 1 .* 128M .*gain 2.88x, ideal 3.00x .*depth 1 from --chunk auto's candidates" "$dir/met.txt"
ok_diag $? "$dir/met.txt" "staged gain of a --chunk auto pick: depth 1 from its candidates"
grep -q '^staged-mpi bw >= 64M .* 64M .*one MPI message at a time at 4M: 41.94 GB/s, 112% of it reached' "$dir/met.txt"
ok_diag $? "$dir/met.txt" "staged: the one-message MPI rate at the chunk (the ceiling probes' ping-pong) beside its ceiling"
# The report's ceilings under their name since schema 2.12, "ceilings", or the old one that the
# report above has, "calibration": the same goals, the stages' ceilings found either way.
"$PYTHON" - "$dir/met.json" "$dir/met-new.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["ceilings"] = d.pop("calibration")
json.dump(d, open(sys.argv[2], "w"))
PY
goals "$dir/met-new.json" >"$dir/met-new.txt" 2>&1
ok_diag $? "$dir/met-new.txt" "the ceilings under their new name: exit 0"
sed 's/met-new\.json/met.json/g' "$dir/met-new.txt" | cmp -s - "$dir/met.txt" &&
    grep -q 'one MPI message at a time at 4M: 41.94 GB/s' "$dir/met-new.txt"
ok_diag $? "$dir/met-new.txt" "goals read the ceilings under either name: the same table"
grep -qE '^every ceiling a bound +\(all\) .* 0 count .* 0 results with ! +yes +0 of 13 rated results beyond their ceiling, 1 after their ceiling was measured again$' "$dir/met.txt"
ok_diag $? "$dir/met.txt" "every ceiling a bound: no result with !, one after its ceiling was measured again"
grep -qE '^p2p latency 8 B .* us +- +- +- +<= 1.2 us +yes' "$dir/met.txt"
ok_diag $? "$dir/met.txt" "an absolute target (p2p latency): no ceiling, efficiency or line% shown"
grep -qE '^p2p bw >= 64M +p2p +bw +64M 64M/1 +390\.0 GB/s +393\.94 +99\.0% +86\.7 +>= 98% eff +yes ' "$dir/met.txt" &&
    grep -qE '^goal +path +pattern +size +chunk +value +unit +ceiling +eff +line% +target +met ' "$dir/met.txt"
ok_diag $? "$dir/met.txt" "line% beside eff: the result's median over its route's line rate (390 of 450 GB/s)"

grep -q '^staged gain over depth 1 .*gain 1.92x, ideal 2.00x (stages 50.0/50.0 GB/s' "$dir/met.txt"
ok_diag $? "$dir/met.txt" "staged through shared memory: two stages (D2H, H2D), ideal gain 2x"
grep -q '^mpi device bw 1M .* yes .*100.5% of 183 GB/s, osu_bw' "$dir/met.txt"
ok_diag $? "$dir/met.txt" "a reference goal on an H200 report: judged against the reference benchmark's figure"
"$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); d['context']['ranks'][1]['gpu']['name']='NVIDIA A100'; json.dump(d,open(sys.argv[1],'w'))" "$dir/met.json"
goals "$dir/met.json" >"$dir/a100.txt" 2>&1
grep -qE '^mpi device bw 1M .* - +reference measured on H200 only' "$dir/a100.txt"
ok_diag $? "$dir/a100.txt" "a reference goal on another GPU: not judged, said why"

make_report some-missed "$dir/miss.json"
goals "$dir/miss.json" >"$dir/miss.txt" 2>&1
ok_diag $([ $? -eq 1 ] && echo 0 || echo 1) "$dir/miss.txt" "missed goals: exit 1"
for g in 'p2p bw 1M' 'p2p latency 8 B' 'staged-mpi gain over depth 1' 'host mpi latency 8 B' 'cv <= 1% (nccl)' 'mpi device bw 1M' 'unified-prefetch bw >= 64M' 'every ceiling a bound'; do
    grep -q "^$g .* NO " "$dir/miss.txt"
    ok_diag $? "$dir/miss.txt" "missed: $g"
done
grep -q ' 8 missed' "$dir/miss.txt"
ok_diag $? "$dir/miss.txt" "the last line counts the 8 missed goals"
grep -qE '^every ceiling a bound +host +bw +4M .* 1 count .* 112\.0%! +- +0 results with ! +NO +1 of 13 rated results beyond' "$dir/miss.txt"
ok_diag $? "$dir/miss.txt" "a result with !: the goal missed, the furthest one shown; host memory has no line rate: line% -"
grep -q '^unified-prefetch bw >= 64M .* NO .*; measured: MPI busy 176.8 of the 179.0 ms iteration$' "$dir/miss.txt"
ok_diag $? "$dir/miss.txt" "a missed efficiency goal says where the time went: its busiest stage beside the iteration"
grep -q '^cv <= 1% (nccl) .* NO .*; bw 256M: samples 364.8..387.6 (p5..p95) around 380$' "$dir/miss.txt"
ok_diag $? "$dir/miss.txt" "a missed cv goal shows the spread of the worst result's samples"

# Schema 2.5's marks on the all-met report: p2p bw 64M's step disturbed (noise), p2p bw 1M's
# ceiling unsound, zerocopy's efficiency above 100%. Above the line rate (schema 2.7): p2p bw 1M
# as gpuxfer flags it (line_exceeded), zerocopy with a share above 1 and no flag (a hand-made
# report): both marked !, never a clean number.
make_report all-met "$dir/marks.json"
"$PYTHON" - "$dir/marks.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
M = 1 << 20
for r in d["results"]:
    key = (r["path"], r["pattern"], r["size"], r.get("chunk"))
    if key == ("p2p", "bw", 64 * M, 64 * M):
        r["noise"] = {"marks": ["waited"], "cpu_wait": 0.3, "median_ci": 0.02,
                      "why": "a rank waited for a CPU 30% of the step"}
    elif key == ("p2p", "bw", M, M):
        for k in ("ceiling", "efficiency", "ceiling_what"):
            del r[k]
        r.update(ceiling_unsound=True, ceiling_absent="ceiling unsound: peer 0->1 at 1M was "
                 "disturbed more than the result", line_gbs=350.0, line_share=370 / 350,
                 line_route="NVLink 4, 14 links 350.0", line_exceeded=True)
d["results"].append({"path": "zerocopy", "mem": {"src": "device", "dst": "device"},
                     "pattern": "bw", "ranks": [0, 1], "same_node": True, "size": 64 * M,
                     "unit": "GB/s", "status": "ok", "stats": {"median": 105.0, "cv": 0.001},
                     "ceiling": 100.0, "ceiling_what": "mapped", "efficiency": 1.05,
                     "line_gbs": 100.0, "line_share": 1.05, "line_route": "PCIe gen5 x16 63.0"})
json.dump(d, open(sys.argv[1], "w"))
PY
goals "$dir/marks.json" >"$dir/marks.txt" 2>&1
ok_diag $([ $? -eq 1 ] && grep -q ' 1 missed' "$dir/marks.txt" && echo 0 || echo 1) "$dir/marks.txt" \
    "marked results: one goal missed, every ceiling a bound (zerocopy's !): exit 1"
grep -qE '^p2p bw >= 64M +p2p +bw +64M 64M/1 +390\.0~ GB/s +393\.94 +99\.0% .* yes~ ' "$dir/marks.txt"
ok_diag $? "$dir/marks.txt" "a goal judged on a disturbed result: ~ after its value and after yes"
grep -qE '^p2p bw 1M +p2p +bw +1M 1M/1 +370\.0 GB/s +\? +\? .* - +ceiling unsound: peer 0->1 at 1M was disturbed more than the result; target from' "$dir/marks.txt"
ok_diag $? "$dir/marks.txt" "an unsound ceiling: ? for ceiling and eff, not judged, the reason"
grep -qE '^zerocopy bw >= 64M +zerocopy .* 105\.0 GB/s +100\.00 +105\.0%! .* - +mapped \(efficiency above 100%: the ceiling is no bound here\)' "$dir/marks.txt"
ok_diag $? "$dir/marks.txt" "an efficiency above 100%: ! after it, the goal not judged on it"
grep -qE '^p2p bw 1M +p2p +bw +1M 1M/1 +370\.0 GB/s +\? +\? +105\.7! +>= 90% eff ' "$dir/marks.txt" &&
    grep -qE '^zerocopy bw >= 64M +zerocopy .* 105\.0%! +105\.0! +>= 95% eff ' "$dir/marks.txt"
ok_diag $? "$dir/marks.txt" "a result above its route's line rate: ! after its line%, flagged by the report or not"
grep -qE '^every ceiling a bound +zerocopy .* 1 count .* 105\.0%! .*NO .*1 more with an unsound ceiling \(\?, not rated\)' "$dir/marks.txt"
ok_diag $? "$dir/marks.txt" "every ceiling a bound: an efficiency above 100% without ceiling_exceeded counts; unsound ones said"
grep -q '; 2 of them judged on a result the machine disturbed (~): rerun on a quieter node$' "$dir/marks.txt"
ok_diag $? "$dir/marks.txt" "the last line counts the goals judged on disturbed results (p2p bw and its cv)"
! grep -q '~' "$dir/met.txt"
ok_diag $? "$dir/met.txt" "a report without noise: nothing marked ~"

echo '{"not": "a report"}' >"$dir/bad.json"
goals "$dir/bad.json" >"$dir/bad.txt" 2>&1
ok_diag $([ $? -eq 2 ] && grep -q 'not a gpuxfer report' "$dir/bad.txt" && echo 0 || echo 1) \
    "$dir/bad.txt" "not a report: one-line error, exit 2"
# By default the table fits 100 columns: a goal's numbers on its line, its path, pattern and
# note wrapped below it.
"$PYTHON" "$top_srcdir/scripts/gpuxfer-report" goals "$dir/marks.json" >"$dir/narrow.txt" 2>&1
[ $? -eq 1 ] && [ -z "$(awk 'length > 100' "$dir/narrow.txt")" ] &&
    grep -qE '^goal +size +chunk +value +unit +ceiling +eff +line% +target +met$' "$dir/narrow.txt" &&
    grep -qE '^p2p bw >= 64M +64M 64M/1 +390\.0~ +GB/s +393\.94 +99\.0% +87 +>= 98% eff +yes~$' "$dir/narrow.txt" &&
    grep -qE '^p2p bw 1M +1M 1M/1 +370\.0 +GB/s +\? +\? +106! +>= 90% eff +-$' "$dir/narrow.txt" &&
    grep -A1 -E '^zerocopy bw >= 64M +64M .* 105\.0 +GB/s +100\.00 +105\.0%! +105! ' "$dir/narrow.txt" |
    grep -q '^  mapped (efficiency above 100%'
ok_diag $? "$dir/narrow.txt" "the default table: every line within 100 columns, line% in whole percents (! above 100), each goal's note on the line below"
rm -rf "$dir"
done_testing
