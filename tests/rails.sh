#!/bin/bash
# Emulated rails (dev/emuhosts.sh with EMU_RAILS=2): 4 hosts, each with 2 interfaces, eth0
# on rail 0's bridge and eth1 on rail 1's, 2 ranks a host; the rank wrapper puts local rank i's
# MPI (and NCCL) traffic on eth<i>. With rail 1 of h3 alone slowed by tc (what h3 sends on it
# and what it receives), --pairs rails on the host path:
# - each rank's NIC in the report is its rail's interface, from OMPI_MCA_btl_tcp_if_include;
# - the rail map flags exactly rail 1's node pairs with h3, both ways, and nothing of rail 0
#   (dev/emuhosts-check.py --slow-rail, the GPU script's check), and the table's slow lines
#   name h3 and its eth1;
# - the bytes went where the ranks were told: every host's eth0 and eth1 carried at least what
#   its rank of that rail sent.
. "$top_srcdir/tests/lib.sh"
EMU_RAILS=2
emu_test_hosts 4 rails
ok 0 "4 hosts x 2 rails: bridges ${EMU_BRIDGES[*]}, subnets ${EMU_SUBNETS[*]}"

# mpirun places 2 ranks a host, in blocks; the wrapper gives each its rail. The limits here are
# for hangs alone: 8 ranks start through the rsh agent on a machine that may be busy.
# shellcheck disable=SC2016 # expanded by the ranks' shell
timeout -k 10 600 "$MPIRUN" -np 8 "${EMU_MPIRUN_OPTS[@]}" "${EMU_RANK_WRAP[@]}" sh -c \
    'echo "rank $OMPI_COMM_WORLD_RANK $(hostname) $OMPI_MCA_btl_tcp_if_include $NCCL_SOCKET_IFNAME"' \
    >"$dir/smoke.txt" 2>&1
want="rank 0 h1 eth0 =eth0|rank 1 h1 eth1 =eth1|rank 2 h2 eth0 =eth0|rank 3 h2 eth1 =eth1|"
want="${want}rank 4 h3 eth0 =eth0|rank 5 h3 eth1 =eth1|rank 6 h4 eth0 =eth0|rank 7 h4 eth1 =eth1|"
[ "$(grep '^rank ' "$dir/smoke.txt" | sort | tr '\n' '|')" = "$want" ]
ok $? "mpirun with the rank wrapper: 2 ranks a host in blocks, local rank i on eth<i> (MPI TCP and NCCL)" ||
    { diag <"$dir/smoke.txt"; emu_diag "$MPIRUN" | diag; }

# bytes NAME: every host's received and sent bytes per interface, from its /proc/net/dev.
bytes() {
    local h
    for h in "${EMU_HOSTS[@]}"; do
        emu_in "$h" cat /proc/net/dev | awk -v h="$h" '$1 ~ /^eth[0-9]+:$/ {sub(":", "", $1); print h, $1, $2, $10}'
    done >"$dir/$1.bytes"
}

# 10 Mbit/s on rail 1 of h3: 1.25 MB/s against the tens to hundreds of MB/s of a veth on a
# loaded 2-core machine (33 MB/s the lowest median seen, two of these tests at once), under 0.04
# x the map's median; flagged below 0.1 x the median, so that a round that the load slows 4
# times (seen too) flags nothing of its own.
if emu_shape_rail h3 1 "rate 10mbit" "rate 10mbit burst 4kb latency 400ms" 2>"$dir/err"; then
    bytes before
    timeout -k 10 300 "$MPIRUN" -np 8 "${EMU_MPIRUN_OPTS[@]}" --mca mpi_yield_when_idle 1 \
        "${EMU_RANK_WRAP[@]}" "$GPUXFER" --path host --pairs rails --pattern bw --sizes 64K \
        --iters 8 --warmup 2 --window 4 --ceilings off --slow-pair 0.1 --quiet \
        --output "$dir/rails.json" >"$dir/rails.txt" 2>&1
    r=$?
    bytes after
    ok $r "rail 1 of h3 slowed ($EMU_SHAPE_HOW, both ways), --pairs rails on 8 ranks: exit 0" ||
        diag <"$dir/rails.txt"
    check_report "$dir/rails.json" --ranks 8 --patterns bw --sizes 1 >"$dir/check.txt" 2>&1
    r=$?; ok $r "valid report"; [ $r -eq 0 ] || diag <"$dir/check.txt"
    # Nothing else flagged, unless on a median the run itself marked disturbed (~): on a busy
    # machine a round of other pairs can stall too, and the run says so (the check prints it).
    run_diag "$PYTHON" "$top_srcdir/dev/emuhosts-check.py" "$dir/rails.json" --hosts 4 \
        --rails 2 --paths host --patterns bw --slow-rail h3:1 --slow-ratio 0.1 --table "$dir/rails.txt"
    ok $? "ranks on h1..h4, 2 a host, each one's NIC its rail's eth<i>; the rail map and the table's SLOW lines flag rail 1 with h3, both ways, and nothing else the run did not mark disturbed"
    sed -n '/^# rail map/,/^# slow/p' "$dir/rails.txt" | diag
    # The table's rail map (up to the blank line after its slow lines): the 6 slow lines of
    # rail 1, h3's eth1 to each other host's and back, each naming both ranks' hosts and NICs
    # (a line wrapped at 100 columns joined again: its continuation is "#" and 5 spaces).
    awk '/^# rail map/ {on = 1} on && /^$/ {on = 0}
         on && /^#   SLOW / {if (l != "") print l; l = $0; next}
         on && l != "" && /^#     / {sub(/^#     /, " "); l = l $0; next}
         {if (l != "") print l; l = ""}
         END {if (l != "") print l}' "$dir/rails.txt" >"$dir/slow.txt"
    [ "$(grep -cE '^#   SLOW rail 1 node 2->[013] .*: rank 5 \(host h3, NIC eth1[ ,].* -> rank [137] \(host h[124], NIC eth1' "$dir/slow.txt")" -eq 3 ] &&
        [ "$(grep -cE '^#   SLOW rail 1 node [013]->2 .*: rank [137] \(host h[124], NIC eth1[ ,].* -> rank 5 \(host h3, NIC eth1' "$dir/slow.txt")" -eq 3 ]
    ok $? "the table's rail map: the 6 slow lines of rail 1, h3's eth1 to each other host and back, by host and NIC" ||
        grep -E '^#   SLOW|^# slow' "$dir/rails.txt" | diag
    # What each rank sent: 3 peers x 8 timed iterations x 4 messages of 64 KiB, at the least.
    "$PYTHON" - "$dir/before.bytes" "$dir/after.bytes" >"$dir/bytes.txt" 2>&1 <<'PY'
import sys
def read(f):
    return {(h, i): (int(rx), int(tx)) for h, i, rx, tx in (l.split() for l in open(f))}
before, after = read(sys.argv[1]), read(sys.argv[2])
least, bad = 3 * 8 * 4 * 65536, 0
for k in sorted(after):
    rx, tx = (a - b for a, b in zip(after[k], before.get(k, (0, 0))))
    short = rx < least or tx < least
    bad += short
    print(f"{k[0]} {k[1]}: received {rx}, sent {tx} bytes{' (short)' if short else ''}")
sys.exit(1 if bad or len(after) != 8 else 0)
PY
    ok $? "every host's eth0 and eth1 received and sent at least its rail rank's 6 MiB" ||
        diag <"$dir/bytes.txt"
    mkdir -p "$TEST_TMP/rails-last" && cp "$dir"/*.json "$dir"/*.txt "$TEST_TMP/rails-last/" 2>/dev/null
else
    skip "tc cannot shape rail 1 of h3 here (netem or tbf): $(head -n 1 "$dir/err")"
fi

# The collectives per node (--pairs node): each host's 2 ranks one group, all 4 groups at once;
# rank 4 (on h3) late to each collective by 50 x its step's warm-up median (GPUXFER_FAULT=slow
# with :pct reaches a collective's call), so h3's group alone is slow, by the same factor however
# busy the machine (the other groups would catch up a fixed lateness on a busy one): its row marked below the other nodes' median in both
# columns, the finding slow-node naming h3 (--slow-pair 0.1, 5 x above where h3 sits). Another
# node is named only where the machine disturbed its median: the report lists that collective as
# disturbed and the finding says so.
GPUXFER_FAULT=slow:rank=4:size=65536:pct=5000 timeout -k 10 300 "$MPIRUN" -np 8 \
    "${EMU_MPIRUN_OPTS[@]}" -x GPUXFER_FAULT --mca mpi_yield_when_idle 1 "${EMU_RANK_WRAP[@]}" \
    "$GPUXFER" --path host --pairs node --pattern allreduce,broadcast --sizes 8,64K --iters 20 \
    --visits 1 --validate all --slow-pair 0.1 --quiet --output "$dir/nodes.json" \
    >"$dir/nodes.txt" 2>&1
r=$?
ok $r "--pairs node, 4 hosts of 2 ranks, rank 4 slowed: exit 0" || diag <"$dir/nodes.txt"
check_report "$dir/nodes.json" --ranks 8 --patterns allreduce,broadcast --sizes 2 \
    >"$dir/check.txt" 2>&1
r=$?; ok $r "valid report (the schema's collective_nodes and plan rows)"; [ $r -eq 0 ] || diag <"$dir/check.txt"
sed -n '/^# collectives per node/,/^$/p' "$dir/nodes.txt" >"$dir/nodes-table.txt"
py_check "$dir/nodes.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = d.get("collective_nodes") or []
print(json.dumps(t))
rows = t[0]["nodes"] if len(t) == 1 else []
ok = (len(t) == 1 and t[0]["size"] == 65536 and t[0]["patterns"] == ["allreduce", "broadcast"]
      and [(n["node"], n["host"], n["ranks"]) for n in rows] ==
      [(0, "h1", [0, 1]), (1, "h2", [2, 3]), (2, "h3", [4, 5]), (3, "h4", [6, 7])]
      and all(v > 0 for n in rows for v in n["values"])
      and sorted(rows[2]["slow"]) == ["allreduce", "broadcast"]
      and not any(set(n["slow"]) - set(n["disturbed"]) for n in rows if n["node"] != 2))
slow = [h for h in d["health"]["findings"] if h["check"] == "slow-node"]
print(slow)
h3 = [h for h in slow if "host h3" in h["line"]]
ok = (ok and len(h3) == 1 and h3[0]["rank"] == 4 and
      all("the machine disturbed its median" in h["line"] for h in slow if h not in h3))
# The table's rows marked below: h3's, and only those of nodes the report says were disturbed.
others = {n["host"] for n in rows if n["node"] != 2 and n["slow"]}
with open(sys.argv[1][:-len(".json")] + "-table.txt") as f:
    marked = [line.split()[1] for line in f if not line.startswith("#") and "<" in line]
ok = ok and marked.count("h3") == 1 and set(marked) - {"h3"} <= others
sys.exit(0 if ok else 1)
PY
ok $? "the report's collectives per node: h1..h4 with their ranks, h3's allreduce and broadcast slow, one slow-node finding naming h3; any other node named, its row marked, only where the machine disturbed it"
grep -qE '^ +2 h3 +4\.\.5 +[0-9.]+M?< +[0-9.]+M?<$' "$dir/nodes-table.txt" &&
    grep -q "^# health: node 2 (host h3, ranks 4..5) slow in collectives" "$dir/nodes.txt" &&
    grep -qE '^  allreduce +one node +host +small +64K +host pageable>pageable' "$dir/nodes.txt"
ok $? "the table: h3's row marked in both columns, the health line, the collective plan's row" ||
    diag <"$dir/nodes.txt"
{ cat "$dir/nodes-table.txt"; grep "^# health: node" "$dir/nodes.txt"; } | diag

emu_cleanup
rm -rf "$dir"
done_testing
