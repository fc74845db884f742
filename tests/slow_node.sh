#!/bin/bash
# The slow node among many, on emulated hosts (dev/emuhosts.sh). 16 hosts of one rank
# with --pairs nodes, then 8 hosts x 2 rails with --pairs rails: every ordered node pair in
# 2(N-1) round-robin rounds, each node in one transfer a round. First as built: no node named
# (nothing in the table's slow-node lines, the report's slow_nodes or its health) and exit 0
# under --fail-on-health. Then with one host's link (h11 of 16) or one rail of one host (rail 1
# of h5 of 8) slowed by tc both ways: exactly that host (and rail, with its NIC) named, both
# ways, in the table, the report and the health finding slow-node, and --fail-on-health exit 8;
# and with what h5 sends on rail 1 alone slowed, its sends alone named.
# Each run's wall time is printed: the issue asks for at most 60 s; the limit here is for hangs.
. "$top_srcdir/tests/lib.sh"

# slow_map NAME NP SCHEME: gpuxfer's node map across the hosts into $dir/NAME.{json,txt}; its
# exit status in rc, its wall time in secs. 16 KiB: the slowed link (10 Mbit/s) takes a second or
# so a round at it, every round has the slow host in it, and the veths run tens to hundreds of
# times faster even on a loaded machine, so the slowed cells sit far below a tenth of the median
# and a round the load slows a few times stays above it.
slow_map() {
    local t0 t1
    t0=$(date +%s.%N)
    timeout -k 10 240 "$MPIRUN" -np "$2" "${EMU_MPIRUN_OPTS[@]}" --mca mpi_yield_when_idle 1 \
        "${EMU_RANK_WRAP[@]}" "$GPUXFER" --path host --pairs "$3" --pattern bw --sizes 16K \
        --iters 6 --warmup 2 --window 4 --ceilings off --slow-pair 0.1 --fail-on-health --quiet \
        --output "$dir/$1.json" >"$dir/$1.txt" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}

# named NAME WANT [SIDE]: the run names exactly WANT ("" none, else "HOST:RAIL:RANK:NIC", NIC
# empty where the context has none) in every matrix that names nodes, SIDE slow (both ways
# unless said: sends, receives), and in the health findings once; prints what it found.
named() {
    "$PYTHON" - "$dir/$1.json" "$2" "${3:-both}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want, side = sys.argv[2], sys.argv[3]
words = {"both": "its sends and its receives at", "sends": "its sends at", "receives": "its receives at"}[side]
bad = []
mats = [m for m in d.get("layout_matrices", []) if m["kind"] in ("rail", "rail_map")]
if not mats:
    bad.append("no rail or rail_map matrix")
for m in mats:
    got = [f"{s.get('host')}:{s['rail']}:{s['rank']}:{s.get('nic', '')}:{s['slow']}" for s in m["slow_nodes"]]
    print(f"{m['kind']} {m.get('rail', '')}: slow_nodes {got or 'none'}")
    if not want:
        bad += [f"{m['kind']} names {got}"] if got else []
        continue
    rail = int(want.split(":")[1])
    if m["kind"] == "rail" and m["rail"] != rail:
        bad += [f"rail {m['rail']} names {got}"] if got else []
    elif got != [f"{want}:{side}"]:
        bad.append(f"{m['kind']} {m.get('rail', '')}: {got}, not {want}:{side}")
found = [f for f in d["health"]["findings"] if f["check"] == "slow-node"]
for f in found:
    print(f"health: {f['line']}")
other = [f["check"] for f in d["health"]["findings"] if f["check"] != "slow-node"]
if other:
    bad.append(f"other findings: {other}")
if "slow-node" not in d["health"]["checks"]:
    bad.append("slow-node not among the health checks")
if len(found) != (1 if want else 0):
    bad.append(f"{len(found)} slow-node findings")
elif want and (found[0]["rank"] != int(want.split(":")[2]) or words not in found[0]["line"]):
    bad.append(f"the finding names rank {found[0]['rank']}: {found[0]['line']}")
for b in bad:
    print("BAD:", b)
sys.exit(1 if bad else 0)
PY
}

# table_named NAME LINE_ERE COUNT: the table's slow-node lines: COUNT matching LINE_ERE, no other.
table_named() {
    grep -E '^#   SLOW node ' "$dir/$1.txt" >"$dir/$1.named"
    [ "$(grep -cE "$2" "$dir/$1.named")" -eq "$3" ] && [ "$(wc -l <"$dir/$1.named")" -eq "$3" ] &&
        [ "$(grep -c '^# slow nodes (' "$dir/$1.txt")" -gt 0 ]
}

# What tc makes of a slowed link: netem's rate, else tbf's.
slow_netem="rate 10mbit"
slow_tbf="rate 10mbit burst 4kb latency 400ms"

# valid_report NAME: the run's report passes check_report.
valid_report() {
    check_report "$dir/$1.json" --ranks 16 --patterns bw --sizes 1 >"$dir/check.txt" 2>&1
    local r=$?
    ok $r "valid report"
    [ $r -eq 0 ] || diag <"$dir/check.txt"
}

# slowed_map NAME NP SCHEME WHAT: slow_map with WHAT slowed: --fail-on-health exit 8.
slowed_map() {
    slow_map "$1" "$2" "$3"
    [ $rc -eq 8 ]
    ok $? "$4: --fail-on-health exit 8 (got $rc) in $secs s" || tail -n 30 "$dir/$1.txt" | diag
}

# table_says NAME LINE_ERE COUNT: table_named, as a test that shows the run's slow lines.
table_says() {
    table_named "$1" "$2" "$3"
    ok $? "the table: '$(head -n 1 "$dir/$1.named")'" || grep -E '^# slow|^#   SLOW' "$dir/$1.txt" | diag
}

# fast_then_slow NAME NP SCHEME HOST RAIL SETUP WANT WHERE LINE_ERE COUNT: the map as built
# (SETUP: what the hosts and scheme are): no node named, exit 0 under --fail-on-health; then
# with rail RAIL of HOST slowed both ways: WANT named (for `named`; WHERE says where), the table
# COUNT lines matching LINE_ERE.
fast_then_slow() {
    local name=$1 np=$2 scheme=$3 host=$4 rail=$5 setup=$6 want=$7 where=$8 ere=$9 count=${10}
    local shaped=$EMU_SHAPE_HOW
    emu_unshape "$host" "$rail"
    slow_map "$name-fast" "$np" "$scheme"
    ok $rc "$setup, nothing slowed: exit 0 under --fail-on-health in $secs s" ||
        tail -n 30 "$dir/$name-fast.txt" | diag
    valid_report "$name-fast"
    run_diag named "$name-fast" ""
    ok $? "nothing slowed: no node named, no slow-node finding"
    table_named "$name-fast" 'none' 0
    ok $? "the table names no node" || grep -E '^# slow|^#   SLOW' "$dir/$name-fast.txt" | diag

    emu_shape_rail "$host" "$rail" "$slow_netem" "$slow_tbf"
    slowed_map "$name-slow" "$np" "$scheme" "rail $rail of $host slowed ($shaped, both ways)"
    valid_report "$name-slow"
    run_diag named "$name-slow" "$want"
    ok $? "$where"
    table_says "$name-slow" "$ere" "$count"
    grep -A 1 '^# health: node' "$dir/$name-slow.txt" | diag
}

# --- 16 hosts, one rank each, --pairs nodes: h11's link slowed.
emu_test_hosts 16 slow-node
ok 0 "16 emulated hosts: bridge ${EMU_BRIDGES[*]}, subnet ${EMU_SUBNETS[*]}"
if emu_shape_rail h11 0 "$slow_netem" "$slow_tbf" 2>"$dir/err"; then
    fast_then_slow nodes16 16 nodes h11 0 "16 hosts, --pairs nodes" "h11:0:10:" \
        "the node matrix names h11 (node 10, rank 10) alone, both ways; one slow-node finding" \
        '^#   SLOW node 10 \(host h11, rail 0, rank 10\): its sends and its receives at 0\.[0-9]+ and 0\.[0-9]+ x the median \(15 of 15 and 15 of 15 below 0\.10 x\)$' 1
else
    skip "tc cannot shape h11's link here (netem or tbf): $(head -n 1 "$dir/err")"
fi
mkdir -p "$TEST_TMP/slow-node-last" && cp "$dir"/*.json "$dir"/*.txt "$TEST_TMP/slow-node-last/" 2>/dev/null
emu_cleanup
rm -rf "$dir"

# --- 8 hosts x 2 rails, 2 ranks a host, --pairs rails: rail 1 of h5 slowed (twice in the
# table: rail 1's node matrix and the rail map).
EMU_RAILS=2
emu_test_hosts 8 slow-rail
ok 0 "8 emulated hosts x 2 rails: bridges ${EMU_BRIDGES[*]}, subnets ${EMU_SUBNETS[*]}"
if emu_shape_rail h5 1 "$slow_netem" "$slow_tbf" 2>"$dir/err"; then
    fast_then_slow rails8 16 rails h5 1 "8 hosts x 2 rails, --pairs rails" "h5:1:9:eth1" \
        "rail 1's node matrix and the rail map name rail 1 of h5 (rank 9, NIC eth1) alone, both ways; rail 0 none; one slow-node finding" \
        '^#   SLOW node 4 \(host h5, rail 1, rank 9, NIC eth1\): its sends and its receives at 0\.[0-9]+ and 0\.[0-9]+ x the median \(7 of 7 and 7 of 7 below 0\.10 x\)$' 2

    # What h5 sends on rail 1 alone (tc on its eth1, not on the bridge's side): its sends named,
    # not its receives.
    emu_unshape h5 1
    emu_root_qdisc eth1 "$slow_netem" "$slow_tbf" emu_tc_in h5
    slowed_map rails8-sends 16 rails "what h5 sends on rail 1 slowed"
    run_diag named rails8-sends "h5:1:9:eth1" sends
    ok $? "rail 1 of h5 named for its sends alone, in rail 1's node matrix and the rail map; one slow-node finding"
    table_says rails8-sends '^#   SLOW node 4 \(host h5, rail 1, rank 9, NIC eth1\): its sends at 0\.[0-9]+ x the median \(7 of 7 below 0\.10 x\), its receives not \([0-9.]+ x\)$' 2
else
    skip "tc cannot shape rail 1 of h5 here (netem or tbf): $(head -n 1 "$dir/err")"
fi
cp "$dir"/*.json "$dir"/*.txt "$TEST_TMP/slow-node-last/" 2>/dev/null
emu_cleanup
rm -rf "$dir"
done_testing
