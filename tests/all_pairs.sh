#!/bin/sh
# --pairs all and all-concurrent on 4 oversubscribed ranks: every ordered pair, the report's
# matrices, the printed matrix and --slow-pair flags.
. "$top_srcdir/tests/lib.sh"
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
    # A terminal's width: the table, its matrices' headers and every note within 100
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
        # The 24 rounds' sums summed up, a line per pattern and size (each round is the report's).
        [ "$(grep -cE '^#   host pageable -> pageable, (latency|bw) (8|64K): 6 rounds of 2 pairs, [0-9]' "$dir/$mode.txt")" -eq 4 ]
        ok $? "$mode: the table sums up the rounds' aggregates, a line per pattern and size"
    fi
    # --slow-pair 1: with 12 distinct medians, those beyond the median are flagged, with hosts
    # (~ after a value the machine disturbed: the suite is itself a busy machine).
    host=$(hostname)
    grep -qE "^#   SLOW [0-3]->[0-3] [0-9.]+~? (us|GB/s|MB/s) \([0-9.]+ x median\): rank [0-3] \(host $host\) -> rank [0-3] \(host $host\)" \
        "$dir/$mode.txt"
    ok $? "$mode: --slow-pair 1 flags pairs, naming ranks and hosts"
done

# Schedule: 'all' runs one pair per round (12 rounds), so its results come in shift order
# 0->1 1->2 2->3 3->0 0->2 ... (the report keeps the order the table had before it was folded).
"$PYTHON" - "$dir/all.json" >"$dir/check.txt" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
order = ["%d->%d" % tuple(r["ranks"]) for r in d["results"]
         if r["pattern"] == "latency" and r["size"] == 8]
assert order == "0->1 1->2 2->3 3->0 0->2 1->3 2->0 3->1 0->3 1->0 2->1 3->2".split(), order
PY
ok_diag $? "$dir/check.txt" "all: pairs measured in shift order"

# A table a person reads: --pairs all's rows are the report's and the CSV's, each
# (path, memory kinds, pattern, size) one matrix, each route one line. 4 ranks, 2 patterns x 2
# sizes: 97 lines on a 2-core machine, 308 before the fold; the bound leaves room for notes.
for mode in all all-concurrent; do
    lines=$(wc -l <"$dir/$mode.txt")
    [ "$lines" -le 120 ]
    ok $? "$mode: the 4-rank table is $lines lines, at most 120" || diag <"$dir/$mode.txt"
    "$PYTHON" - "$dir/$mode.json" "$dir/$mode.txt" >"$dir/check.txt" 2>&1 <<'PY'
import json, re, sys
d, text = json.load(open(sys.argv[1])), open(sys.argv[2]).read()
heads = re.findall(r"^# pair matrix: path (\S+), pattern (\S+), size (\d+),", text, re.M)
want = sorted((m["path"], m["pattern"], str(m["size"])) for m in d["matrices"])
assert sorted(heads) == want and len(set(heads)) == len(heads) == 4, (heads, want)
# The report is whole: every pair's result at every pattern and size, as before the fold.
res = sorted((tuple(r["ranks"]), r["pattern"], r["size"]) for r in d["results"])
assert len(res) == len(set(res)) == 48 and all(r["status"] == "ok" for r in d["results"]), res
rows = [ln for ln in text.splitlines() if re.match(r"^ +\d+ +\d+->\d+ ", ln)]
assert rows == [], rows[:3]
assert text.count("\n# every pair measured: ") == 1, "the note on where the rows are, once"
assert len(re.findall(r"^#   path host, memory pageable -> pageable, pattern (latency|bw)", text,
                      re.M)) == 2, "each block named once"
assert re.search(r"^# 12 pairs \(([0-3]:[0-3], ){6}\.\.\.\) same node", text, re.M)
assert text.count("#   route: ") == 1, "one route line for the 12 pairs of one node"
assert len(re.findall(r"^#   shm_(latency|copy) +12 pairs ", text, re.M)) == 2, "a ceiling a layer"
PY
    ok_diag $? "$dir/check.txt" "$mode: every matrix once, no per-pair rows, one route line, the report's 48 results"
done

# 16 ranks: 240 pairs. Each matrix in slices of 9 and 7 columns within 100 columns, at most 10
# SLOW lines a matrix, the table bounded; the plot's PNG within a screen's width, each heatmap's
# colour bar clear of the others.
gx_mpirun_table "$dir/16.txt" 16 --pairs all --pattern latency,bw --sizes 8,64K --iters 3 \
    --budget 10 --quiet --output "$dir/16.json" >"$dir/16.mpirun" 2>&1
ok $? "all, 16 ranks: exit 0" || diag <"$dir/16.mpirun"
"$PYTHON" - "$dir/16.json" "$dir/16.txt" >"$dir/check.txt" 2>&1 <<'PY'
import json, re, sys
d, text = json.load(open(sys.argv[1])), open(sys.argv[2]).read()
lines = text.splitlines()
assert len(d["results"]) == 960 and len(d["matrices"]) == 4
assert max(len(ln) for ln in lines) <= 100, max(lines, key=len)
assert len(lines) <= 280, len(lines)  # 254 on a 2-core machine
heads = [ln.split() for ln in lines if re.match(r"^# +0( +\d+){8}$|^# +9( +\d+){6}$", ln)]
assert len(heads) == 8, heads  # 2 slices x 4 matrices
blocks = text.split("\n# pair matrix: ")[1:]
assert len(blocks) == 4
for b in blocks:
    assert len(re.findall(r"^ +(\d+)( +(-|[0-9.]+M?[<~]?)){9}$", b, re.M)) == 16, b
    assert len(re.findall(r"^ +(\d+)( +(-|[0-9.]+M?[<~]?)){7}$", b, re.M)) == 16, b
    assert len(re.findall(r"^#   SLOW ", b, re.M)) <= 10, b
PY
ok_diag $? "$dir/check.txt" "all, 16 ranks: matrices in two slices of columns, lines within 100 columns, at most 10 SLOW lines each"
if "$PYTHON" -c 'import matplotlib' >/dev/null 2>&1; then
    for rep in all 16; do
        gx_report plot "$dir/$rep.json" -o "$dir/$rep.png" --describe >"$dir/$rep.desc" 2>"$dir/plot.err"
        png_fits "$dir/$rep.png" "$dir/$rep.desc" 1900 3000
        ok $? "plot of the $rep report: at most 1900 x 3000 pixels, colour bars clear of the heatmaps" ||
            diag <"$dir/plot.err"
    done
else
    skip "matplotlib is missing for $PYTHON (apt-get install python3-matplotlib)"
    skip "matplotlib is missing for $PYTHON (apt-get install python3-matplotlib)"
fi

# A pair that fails (its data corrupted at 8 B) leaves 8 B without a matrix: its row is printed,
# and the table says once that the other pairs' rows are the report's.
GPUXFER_FAULT="corrupt:rank=1:size=8" gx_mpirun_table "$dir/fail.txt" 4 --pairs all --pattern bw \
    --sizes 8,64K --iters 3 --validate all --quiet --output "$dir/fail.json" >"$dir/fail.mpirun" 2>&1
[ $? -eq 1 ] && grep -q '^# a pair failed: its path, pattern and size get no pair matrix' "$dir/fail.txt" &&
    [ "$(grep -c '^# pair matrix: path host, pattern bw, size 65536,' "$dir/fail.txt")" -eq 1 ] &&
    [ "$(grep -c '^# pair matrix: ' "$dir/fail.txt")" -eq 1 ] &&
    [ "$(grep -cE '^ +8 +0->1 .* failed: received data did not match' "$dir/fail.txt")" -eq 1 ]
ok $? "all, a pair failed: exit 1, its row and a note, the matrix of the other size alone" ||
    diag <"$dir/fail.txt"

# The DGX-2's 16 GPUs (its topology, fake GPUs): 240 pairs over four kinds of PCIe path, a line
# each with its pairs counted, rather than 480 lines.
dgx2="34:00.0,36:00.0,39:00.0,3b:00.0,57:00.0,59:00.0,5c:00.0,5e:00.0,b7:00.0,b9:00.0,bc:00.0,be:00.0,e0:00.0,e2:00.0,e5:00.0,e7:00.0"
gx_mpirun_table "$dir/dgx2.txt" 16 --topology-xml "$top_srcdir/tests/topologies/dgx2-16gpu.xml" \
    --fake-gpus "$dgx2" --pairs all --pattern bw --sizes 8 --iters 3 --quiet \
    --output "$dir/dgx2.json" >"$dir/dgx2.mpirun" 2>&1
ok $? "all, 16 ranks on the DGX-2 topology: exit 0" || diag <"$dir/dgx2.mpirun"
routes=$(sed -n 's/^# \([0-9]*\) pairs (.*) same node, link \([A-Z]*\) .*/\2 \1/p' "$dir/dgx2.txt" | tr '\n' ' ')
[ "$routes" = "PIX 16 PXB 32 NODE 64 SYS 128 " ] && [ "$(grep -c '^#   route: ' "$dir/dgx2.txt")" -eq 4 ] &&
    ! grep -q '^# pair [0-9]' "$dir/dgx2.txt"
ok $? "DGX-2: a route line per kind of path, its pairs counted ($routes)" || diag <"$dir/dgx2.txt"

gx_mpirun 4 --pairs all --pattern bw --sizes 8 --iters 3 --quiet --slow-pair 1.5 \
    --output "$dir/bad.json" >/dev/null 2>"$dir/bad.err"
[ $? -eq 2 ] && grep -q "slow-pair: 1.5 is out of range (expected more than 0 and at most 1, e.g. 0.8: below 0.8 x the median)" "$dir/bad.err"
ok $? "--slow-pair 1.5: input error"

gx_mpirun 4 --pairs 0:1,2:3 --pattern bw --sizes 8 --iters 3 --quiet --output "$dir/p.json" \
    >/dev/null 2>&1 && "$PYTHON" -c "import json,sys; sys.exit('matrices' in json.load(open(sys.argv[1])))" "$dir/p.json"
ok $? "a partial pair list gives no matrix"

# --dry-run for a layout this machine does not have: 4 nodes x 2 ranks planned on one rank.
gx_mpirun 1 --dry-run --assume-nodes 4 --assume-gpus-per-node 2 --pairs rails --pattern bw \
    --sizes 8,1M --path host >"$dir/dry.txt" 2>&1
ok $? "--dry-run --assume-nodes 4 --assume-gpus-per-node 2 --pairs rails: exit 0 on 1 rank"
# rails: 6 rounds of 2 node pairs x 2 rails; 2 sizes each: 12 measurements of 4 pairs.
grep -qE '^# 12 measurements \(48 results; 0 ceiling probes, 0(\.0)? s of the estimate\), in 6 rounds and [0-9]+ visits$' "$dir/dry.txt" &&
    grep -q '^# schemes on 4 nodes x 2 ranks (8 ranks, assumed)' "$dir/dry.txt" &&
    grep -qE '^# all +112 +56 +[0-9]+ ' "$dir/dry.txt" &&
    grep -qE '^# all-concurrent +112 +14 ' "$dir/dry.txt" &&
    grep -qE '^# rails +48 +6 ' "$dir/dry.txt" && grep -qE '^# nodes +24 +6 ' "$dir/dry.txt" &&
    grep -qE '^# intra +16 +2 ' "$dir/dry.txt"
ok $? "dry run: measurements, results and rounds of the plan and of every scheme" || diag <"$dir/dry.txt"
rails_s=$(awk '$2 == "rails" {print $5}' "$dir/dry.txt")
all_s=$(awk '$2 == "all" {print $5}' "$dir/dry.txt")
[ -n "$rails_s" ] && [ -n "$all_s" ] && awk -v a="$all_s" -v r="$rails_s" 'BEGIN { exit !(a > r) }'
ok $? "dry run: the estimate of all ($all_s s) is above rails' ($rails_s s): one pair a round"
plan_s=$(tr '\n' ' ' <"$dir/dry.txt" | sed -n 's/.*; estimate \([0-9.]*\) s, at each path.*/\1/p')
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
