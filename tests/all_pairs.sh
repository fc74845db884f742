#!/bin/sh
# --pairs all and all-concurrent on 4 oversubscribed ranks: every ordered pair, the report's
# matrices, the printed matrix and --slow-pair flags.
. "$top_srcdir/tests/lib.sh"
# ok, then the output of the check as diagnostics (a pipe into diag would hide the status).
ok_diag() { r=$1; f=$2; shift 2; ok "$r" "$*"; [ "$r" -eq 0 ] || diag <"$f"; }
dir=$(mktemp -d "$TEST_TMP/all_pairs.XXXXXX")

for mode in all all-concurrent; do
    out="$dir/$mode.json"
    gx_mpirun_table "$dir/$mode.txt" 4 --pairs $mode --pattern latency,bw --sizes 8,64K \
        --iters 10 --quiet --slow-pair 1 --output "$out" >"$dir/$mode.mpirun" 2>&1
    ok $? "$mode, 4 ranks: exit 0"
    check_report "$out" --ranks 4 --patterns latency,bw --sizes 2 \
        --pairs 0-1,0-2,0-3,1-0,1-2,1-3,2-0,2-1,2-3,3-0,3-1,3-2 >"$dir/check.txt" 2>&1
    ok_diag $? "$dir/check.txt" "$mode: valid report with the 12 ordered pairs"
    "$PYTHON" - "$out" >"$dir/check.txt" 2>&1 <<'PY' 
import json, sys
d = json.load(open(sys.argv[1]))
m = d.get("matrices", [])
keys = sorted((x["pattern"], x["size"]) for x in m)
assert keys == [("bw", 8), ("bw", 65536), ("latency", 8), ("latency", 65536)], keys
for x in m:
    assert x["ranks"] == 4 and len(x["values"]) == 4
    for a, row in enumerate(x["values"]):
        for b, v in enumerate(row):
            assert (v is None) == (a == b), (a, b, v)
            if v is not None:
                r = [r for r in d["results"] if r["ranks"] == [a, b] and r["pattern"] == x["pattern"]
                     and r["size"] == x["size"]]
                assert len(r) == 1 and r[0]["stats"]["median"] == v, (a, b)
PY
    ok_diag $? "$dir/check.txt" "$mode: 4 matrices (latency, bw x 2 sizes), 4x4, null diagonal, the results' medians"
    [ "$(grep -c '^# pair matrix: path host, pattern' "$dir/$mode.txt")" -eq 4 ] &&
        [ "$(grep -cE '^ +[0-3]( +(-|[0-9.]+M?[<~]?)){4}$' "$dir/$mode.txt")" -eq 16 ]
    ok $? "$mode: the table shows 4 matrices of 4 rows"
    # A terminal's width (issue 62): the table, its matrices' headers and every note within 100
    # columns (the table's own rank files included).
    wide=$(cat "$dir/$mode.txt"* "$dir/$mode.mpirun" | awk 'length($0) > 100' | head -n 3)
    [ -z "$wide" ]
    ok $? "$mode: no line of the table or of stderr wider than 100 columns" ||
        echo "$wide" | diag
    "$PYTHON" - "$out" "$mode" >"$dir/check.txt" 2>&1 <<'PY'
import json, sys
d, mode = json.load(open(sys.argv[1])), sys.argv[2]
rounds = d.get("rounds", [])
if mode == "all":  # one pair per round: no aggregate
    assert rounds == [], rounds
    sys.exit(0)
# 6 rounds of 2 pairs x (latency, bw) x 2 sizes; each the sum over its pairs' results, in order.
assert len(rounds) == 24, len(rounds)
res = [r for r in d["results"] if r["status"] == "ok"]
for i, rd in enumerate(rounds):
    pair = res[2 * i: 2 * i + 2]
    assert rd["pairs"] == 2 and rd["pairs_measured"] == 2 and rd["rounds"] == 6, rd
    assert all(p["pattern"] == rd["pattern"] and p["size"] == rd["size"] for p in pair), (rd, pair)
    med = [p["stats"]["median"] for p in pair]
    if rd["pattern"] == "bw":
        assert abs(rd["aggregate_gbps"] - sum(med)) < 1e-9 * max(1, sum(med)), (rd, med)
        want = sum(m * 1e9 / rd["size"] for m in med)
    else:
        assert "aggregate_gbps" not in rd, rd
        want = sum(1e6 / m for m in med)
    assert abs(rd["message_rate"] - want) <= 1e-9 * want, (rd, want)
PY
    ok_diag $? "$dir/check.txt" "$mode: rounds of several pairs report the sum of their bandwidth and message rate"
    if [ "$mode" = all-concurrent ]; then
        [ "$(grep -cE '^# round [1-6] of 6: 2 pairs at once \(2 measured\), (aggregate [0-9.]+ GB/s, )?[0-9.e+]+ messages/s' "$dir/$mode.txt")" -eq 24 ]
        ok $? "$mode: the table prints each round's aggregate"
    fi
    # --slow-pair 1: with 12 distinct medians, those beyond the median are flagged, with hosts
    # (~ after a value the machine disturbed: the suite is itself a busy machine).
    host=$(hostname)
    grep -qE "^#   SLOW [0-3]->[0-3] [0-9.]+~? (us|GB/s|MB/s) \([0-9.]+ x median\): rank [0-3] \(host $host\) -> rank [0-3] \(host $host\)" \
        "$dir/$mode.txt"
    ok $? "$mode: --slow-pair 1 flags pairs, naming ranks and hosts"
done

# Schedule: 'all' runs one pair per round (12 rounds), so its per-result lines come in shift
# order 0->1 1->2 2->3 3->0 0->2 ...
awk '/^# path host, memory .* pattern latency/{b=1; next} /^$/{b=0} b && $2 ~ /->/ && $1 == 8 {print $2}' \
    "$dir/all.txt" | tr '\n' ' ' | grep -q '^0->1 1->2 2->3 3->0 0->2 1->3 2->0 3->1 0->3 1->0 2->1 3->2 $'
ok $? "all: pairs measured in shift order"

gx_mpirun 4 --pairs all --pattern bw --sizes 8 --iters 3 --quiet --slow-pair 1.5 \
    --output "$dir/bad.json" >/dev/null 2>"$dir/bad.err"
[ $? -eq 2 ] && grep -q "slow-pair: 1.5 is out of range (expected more than 0 and at most 1)" "$dir/bad.err"
ok $? "--slow-pair 1.5: input error"

gx_mpirun 4 --pairs 0:1,2:3 --pattern bw --sizes 8 --iters 3 --quiet --output "$dir/p.json" \
    >/dev/null 2>&1 && "$PYTHON" -c "import json,sys; sys.exit('matrices' in json.load(open(sys.argv[1])))" "$dir/p.json"
ok $? "a partial pair list gives no matrix"

# --dry-run for a layout this machine does not have: 4 nodes x 2 ranks planned on one rank.
gx_mpirun 1 --dry-run --assume-nodes 4 --assume-gpus-per-node 2 --pairs rails --pattern bw \
    --sizes 8,1M --path host >"$dir/dry.txt" 2>&1
ok $? "--dry-run --assume-nodes 4 --assume-gpus-per-node 2 --pairs rails: exit 0 on 1 rank"
# rails: 6 rounds of 2 node pairs x 2 rails; 2 sizes each: 12 measurements of 4 pairs.
grep -qE '^# 12 measurements \(48 results; 0 ceiling probes, 0 s of the estimate\), in 6 rounds; estimate [0-9]+ s' "$dir/dry.txt" &&
    grep -q '^# schemes on 4 nodes x 2 ranks (8 ranks, assumed)' "$dir/dry.txt" &&
    grep -qE '^# all +112 +56 +[0-9]+ ' "$dir/dry.txt" &&
    grep -qE '^# all-concurrent +112 +14 ' "$dir/dry.txt" &&
    grep -qE '^# rails +48 +6 ' "$dir/dry.txt" && grep -qE '^# nodes +24 +6 ' "$dir/dry.txt" &&
    grep -qE '^# intra +16 +2 ' "$dir/dry.txt"
ok $? "dry run: measurements, results and rounds of the plan and of every scheme" || diag <"$dir/dry.txt"
rails_s=$(awk '$2 == "rails" {print $5}' "$dir/dry.txt")
all_s=$(awk '$2 == "all" {print $5}' "$dir/dry.txt")
[ -n "$rails_s" ] && [ -n "$all_s" ] && [ "$all_s" -gt "$rails_s" ]
ok $? "dry run: the estimate of all ($all_s s) is above rails' ($rails_s s): one pair a round"
plan_s=$(sed -n 's/^# 12 measurements .*; estimate \([0-9]*\) s.*/\1/p' "$dir/dry.txt")
[ -n "$plan_s" ] && [ "$plan_s" = "$rails_s" ]
ok $? "dry run: one estimate, the plan's ($plan_s s) the row of its own scheme, rails ($rails_s s)"
gx_mpirun 1 --assume-nodes 4 --pairs rails --sizes 8 >/dev/null 2>"$dir/assume.err"
[ $? -eq 2 ] && grep -q -- "--assume-nodes: only with --dry-run" "$dir/assume.err"
ok $? "--assume-nodes without --dry-run: input error"
gx_mpirun 4 --pairs rails --sizes 8 --output "$dir/one-node.json" >/dev/null 2>"$dir/one.err"
[ $? -eq 2 ] && grep -q "rails pairs ranks of different nodes, and this job has one node" "$dir/one.err" &&
    [ ! -e "$dir/one-node.json" ]
ok $? "--pairs rails on one node: one clear line, exit 2, no report"

rm -rf "$dir"
done_testing
