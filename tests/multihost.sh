#!/bin/bash
# Emulated hosts (dev/emuhosts.sh, shared with dev/gpuxfer-emulated-hosts): three network
# namespaces on a bridge, each with its own address and hostname; mpirun starts one rank in each
# through an rsh agent that enters the namespace; the ranks talk over TCP.
# - every ordered pair of hosts (--pairs all): the node x node matrix, hosts h1..h3, no pair on
#   one node (dev/emuhosts-check.py, the checks of the GPU script);
# - two interconnects emulated with tc (fast, and slow: netem delay + rate), the same scenario
#   on each: gpuxfer-report compare must find the slow one slower (one run each: by its visits), on
#   latency and on bandwidth;
# - one slow link (h1 <-> h3 alone shaped): its pairs are the slow-pair lines of the matrix,
#   naming both hosts.
. "$top_srcdir/tests/lib.sh"
emu_test_hosts 3 multihost
ok 0 "3 hosts on bridge $EMU_BRIDGE: h1 ${EMU_ADDR[0]}, h2 ${EMU_ADDR[1]}, h3 ${EMU_ADDR[2]}"

hosts_check() { # REPORT [emuhosts-check options]: the GPU script's checks of hosts and pairs
    run_diag "$PYTHON" "$top_srcdir/dev/emuhosts-check.py" "$@" --hosts 3 \
        --subnet "$EMU_SUBNET" --paths host
}
# Each result in five visits (not --iters: a step of exactly --iters has one), so that compare
# judges one run a side by its visits.
run_config() { # NAME gpuxfer options...: one rank per emulated host
    local name=$1; shift
    timeout -k 10 300 "$MPIRUN" -np 3 "${EMU_MPIRUN_OPTS[@]}" --mca mpi_yield_when_idle 1 \
        "$GPUXFER" --pattern latency,bw --sizes 8,4K --visits 5 --budget 60 --warmup 20 --window 4 \
        --samples --quiet --output "$dir/$name.json" "$@" >"$dir/$name.txt" 2>&1
}

# A limit that only a hang reaches (3 ranks' start-up through the rsh agent, on a loaded machine).
timeout -k 10 600 "$MPIRUN" -np 3 "${EMU_MPIRUN_OPTS[@]}" hostname >"$dir/smoke.txt" 2>&1
# The hosts' names alone: a busy machine can add a warning of mpirun's (setpgid) to the output.
[ "$(grep -E '^h[0-9]+$' "$dir/smoke.txt" | sort | tr '\n' ' ')" = "h1 h2 h3 " ]
ok $? "mpirun ... hostname across the hosts: h1 h2 h3" || { diag <"$dir/smoke.txt"; emu_diag "$MPIRUN" hostname | diag; }

run_config fast --pairs all
r=$?; ok $r "fast link, --pairs all: gpuxfer across the 3 emulated hosts exits 0"
[ $r -eq 0 ] || diag <"$dir/fast.txt"
check_report "$dir/fast.json" --ranks 3 --patterns latency,bw --sizes 2 >"$dir/check.txt" 2>&1
r=$?; ok $r "fast link: valid report"; [ $r -eq 0 ] || diag <"$dir/check.txt"
hosts_check "$dir/fast.json" --matrix
ok $? "ranks on h1 h2 h3: 3 nodes, no pair on one node, each pair's NICs, MPI over the bridge, ceilings, a 3 x 3 node matrix"

# The collectives across the hosts: one group of the 3 ranks, each on its own node (--pairs
# node would make groups of one: refused, said). Each host's NIC is its eth0 (NCCL's variable
# names it: MPI's names a subnet), which reads 1000 Mb/s (a veth has no rate of its own to
# read), for the expected busbw below.
mkdir -p "$dir/sys/class/net/eth0" && echo 1000 >"$dir/sys/class/net/eth0/speed"
timeout -k 10 300 "$MPIRUN" -np 3 "${EMU_MPIRUN_OPTS[@]}" --mca mpi_yield_when_idle 1 \
    -x GPUXFER_SYSFS_ROOT="$dir/sys" -x NCCL_SOCKET_IFNAME=eth0 "$GPUXFER" \
    --pairs job --pattern allreduce,alltoall,broadcast-inplace --sizes 8,64K --iters 10 --visits 1 \
    --validate all --window 1 --quiet --output "$dir/coll.json" >"$dir/coll.txt" 2>&1
r=$?; ok $r "--pairs job across the 3 hosts: exit 0" || diag <"$dir/coll.txt"
py_check "$dir/coll.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
print([(r["pattern"], r["size"], r["status"], r["same_node"], r.get("line_absent") or r.get("line_route")) for r in rs])
sys.exit(0 if len(rs) == 6 and all(r["status"] == "ok" and r["collective"]["ranks"] == 3 and
                                    r["ranks"] == [0, 2] and not r["same_node"] and
                                    r["validation"]["status"] == "passed" for r in rs) else 1)
PY
ok $? "--pairs job across the hosts: 6 validated results over ranks 0..2, not on one node"
# Each collective's expected busbw from the hosts' NICs as the report's context has them: across
# the 3 hosts an alltoall's share of one NIC, an allreduce's better of the ring and the tree
# (docs/line-rates.md); the ring's hop where a rate is unknown.
py_check "$dir/coll.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ranks = {r["rank"]: r for r in d["context"]["ranks"]}
nic = lambda m: ((ranks[m].get("link_facts") or {}).get("nic") or {})
bad = []
for r in d["results"]:
    c = r["collective"]
    members = list(range(r["ranks"][0], r["ranks"][1] + 1))
    n = len(members)
    nodes = {}
    for m in members:
        nodes.setdefault(ranks[m]["node"], []).append(m)
    rate = {m: nic(m).get("line_gbs") for m in members}
    got = c.get("expected_busbw_gbs")
    if not all(rate.values()):
        bad.append(("no NIC rate", {m: nic(m) for m in members}))
        continue
    if len(nodes) < 2:
        want = r.get("line_gbs")
    else:
        ring = min(min(rate[a], rate[b]) for a, b in zip(members, members[1:] + members[:1]))
        share = lambda m: [x for x in nodes[ranks[m]["node"]] if nic(x)["name"] == nic(m)["name"]]
        if c["op"] == "alltoall":
            want = min(rate[m] / len(share(m)) * (n - 1) / (n - len(nodes[ranks[m]["node"]]))
                       for m in members)
        elif c["op"] == "allreduce":
            a = min(sum({nic(m)["name"]: rate[m] for m in ms}.values()) for ms in nodes.values())
            want = max(ring, a / (1 if len(nodes) == 2 else 2) * 2 * (n - 1) / n)
        else:
            want = ring
    if not (got == want or (got and want and abs(got - want) <= 1e-9 * want)) or \
            (got and r.get("line_gbs") != got):
        bad.append((c["op"], r["size"], got, want, r.get("line_gbs"), c.get("expected_rule")))
print(bad or [(r["collective"]["op"], r["collective"].get("expected_rule")) for r in d["results"]])
sys.exit(1 if bad else 0)
PY
ok $? "each collective's expected busbw from the hosts' NICs (the line rate its line% reads against)"
py_check "$dir/coll.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))["plan"]
rows = sorted((r["pattern"], r["size"]) for r in plan if r.get("pattern"))
print(plan)
sys.exit(0 if rows == [(p, s) for p in ("allreduce", "alltoall", "broadcast-inplace") for s in (8, 65536)]
         and all(r["pair_type"] == "group, several nodes" and r["best"]["path"] == "host" and
                 r["best"]["pairs"] == 1 for r in plan if r.get("pattern")) else 1)
PY
ok $? "the collective plan: each collective at 8 B and 64K, a group of several nodes, host the path"
grep -qE '^  alltoall +nodes +host +small +64K +host pageable>pageable' "$dir/coll.txt"
ok $? "the table's collective plan names the group's nodes" || diag <"$dir/coll.txt"
timeout -k 10 300 "$MPIRUN" -np 3 "${EMU_MPIRUN_OPTS[@]}" "$GPUXFER" --pairs node --dry-run \
    >"$dir/node.txt" 2>&1
r=$?
[ $r -eq 2 ] && grep -q "no group of 2 ranks or more" "$dir/node.txt"
ok $? "--pairs node with one rank a host: exit 2 (got $r), saying why" || diag <"$dir/node.txt"

# The watchdog's roll call crosses hosts over its own TCP sockets: rank 2 (on h3) stops in its
# pair; rank 0's timeout names rank 2 as silent and gives what rank 1 (on h2) answered. The run
# waits --timeout out, which the measurements before the stop must never reach on a loaded
# machine (else more ranks are named).
GPUXFER_FAULT="stop:rank=2:size=4K:iter=1" timeout -k 10 600 "$MPIRUN" -np 3 "${EMU_MPIRUN_OPTS[@]}" \
    -x GPUXFER_FAULT --mca mpi_yield_when_idle 1 "$GPUXFER" --pairs all --pattern latency \
    --sizes 8,4K --iters 5 --ceilings off --timeout 15 --quiet --output "$dir/stop.json" \
    >"$dir/stop.txt" 2>&1
r=$?
[ $r -eq 4 ] && grep -q "rank 2 did not answer (stopped or dead)" "$dir/stop.txt" &&
    grep -q "; rank 1 is " "$dir/stop.txt"
ok $? "rank 2 stopped on h3: exit 4 (got $r), the roll call over the bridge names rank 2 and hears rank 1 on h2" ||
    diag <"$dir/stop.txt"

if emu_shape h1 "delay 2ms rate 200mbit" "rate 1mbit burst 1600 latency 400ms" 2>"$dir/err"; then
    # netem where the kernel has it; otherwise a token bucket so slow (1 Mbit/s, a bucket of one
    # packet) that every packet waits its turn, which raises latency as well.
    slow_how=$EMU_SHAPE_HOW
    emu_shape h2 "delay 2ms rate 200mbit" "rate 1mbit burst 1600 latency 400ms" &&
        emu_shape h3 "delay 2ms rate 200mbit" "rate 1mbit burst 1600 latency 400ms"
    run_config slow --pairs 0:1 --ceilings off
    r=$?; ok $r "slow links ($slow_how): gpuxfer exits 0"
    [ $r -eq 0 ] || diag <"$dir/slow.txt"
    "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" compare "$dir/fast.json" "$dir/slow.json" \
        >"$dir/compare.txt" 2>&1
    ok $? "gpuxfer-report compare fast slow: exit 0"
    sed -n '1,/^# missing/p' "$dir/compare.txt" | diag
    # 4 KiB decides: at 8 B a busy 2-core machine (tests run in parallel) can make even the
    # fast link's ping-pong wait for the scheduler, while 4 KiB over the shaped link takes tens
    # of milliseconds either way.
    # One run each: its visits tell its noise; the shaped link is tens of times slower
    # (slower~ where the busy machine disturbed a run: the verdict stands, marked).
    [ "$(unwrap_rows "$dir/compare.txt" | grep -cE '^ +4096 +0->1 .* slower~? \(noise ')" -eq 2 ]
    ok $? "the slow link is slower (one run each, judged by its visits), on latency and bandwidth"
    "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" compare --fail-below 0.8 "$dir/fast.json" \
        "$dir/slow.json" >/dev/null 2>&1
    [ $? -eq 1 ]
    ok $? "--fail-below 0.8 gates the slow configuration (exit 1)"

    # One slow link: h1 <-> h3 (each shaped for what it sends to the other), the others fast.
    for h in h1 h2 h3; do emu_unshape $h; done
    if emu_shape_to h1 h3 10mbit "delay 2ms" 2>"$dir/err" && how=$EMU_SHAPE_HOW &&
        emu_shape_to h3 h1 10mbit "delay 2ms" 2>>"$dir/err"; then
        run_config onelink --pairs all --sizes 4K --ceilings off
        r=$?; ok $r "one slow link, h1 <-> h3 ($how, and back), --pairs all: gpuxfer exits 0"
        [ $r -eq 0 ] || diag <"$dir/onelink.txt"
        grep -E '^# +SLOW|^# slow pairs' "$dir/onelink.txt" | diag
        grep -qE '^# +SLOW 0->2 .*: rank 0 \(host h1\) -> rank 2 \(host h3\)$' "$dir/onelink.txt" &&
            grep -qE '^# +SLOW 2->0 .*: rank 2 \(host h3\) -> rank 0 \(host h1\)$' "$dir/onelink.txt"
        ok $? "the slow-pair lines name the slow link both ways, with its hosts h1 and h3" ||
            diag <"$dir/onelink.txt"
    else
        skip "tc cannot shape one destination here (htb, u32): $(head -n 1 "$dir/err")"
    fi
    mkdir -p "$TEST_TMP/multihost-last" &&
        cp "$dir"/*.json "$dir/compare.txt" "$dir"/*.txt "$TEST_TMP/multihost-last/" 2>/dev/null
else
    skip "tc cannot shape the link here (neither netem nor tbf): $(head -n 1 "$dir/err")"
fi

emu_cleanup
rm -rf "$dir"
done_testing
