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
        [ "$(grep -cE '^ +[0-3]( +(-|[0-9.]+)){4}$' "$dir/$mode.txt")" -eq 16 ]
    ok $? "$mode: the table shows 4 matrices of 4 rows"
    # --slow-pair 1: with 12 distinct medians, those beyond the median are flagged, with hosts.
    host=$(hostname)
    grep -qE "^#   SLOW [0-3]->[0-3] [0-9.]+ (us|GB/s) \([0-9.]+ x median\): rank [0-3] \(host $host\) -> rank [0-3] \(host $host\)" \
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
[ $? -eq 2 ] && grep -q "slow-pair.*not a ratio" "$dir/bad.err"
ok $? "--slow-pair 1.5: input error"

gx_mpirun 4 --pairs 0:1,2:3 --pattern bw --sizes 8 --iters 3 --quiet --output "$dir/p.json" \
    >/dev/null 2>&1 && "$PYTHON" -c "import json,sys; sys.exit('matrices' in json.load(open(sys.argv[1])))" "$dir/p.json"
ok $? "a partial pair list gives no matrix"

rm -rf "$dir"
done_testing
