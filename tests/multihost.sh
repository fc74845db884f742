#!/bin/bash
# Emulated hosts: two network namespaces on a bridge, each with its own address and hostname;
# mpirun starts one rank in each through an rsh agent that enters the namespace; the ranks talk
# over TCP. Two interconnects are emulated with tc (fast, and slow: netem delay + rate), the same
# scenario runs on each, and gpuxfer-compare must find the slow one slower, significantly, on
# latency and on bandwidth.
. "$top_srcdir/tests/lib.sh"
finish_skip() { skip "$1"; done_testing; exit; }
[ "$(id -u)" -eq 0 ] || finish_skip "not root: network namespaces need root"
command -v ip >/dev/null && command -v tc >/dev/null && command -v unshare >/dev/null ||
    finish_skip "ip, tc or unshare missing (apt-get install iproute2 util-linux)"

tag="gx$$"
dir=$(mktemp -d "$TEST_TMP/multihost.XXXXXX")
br="${tag}br"
hosts="h1 h2"
cleanup() {
    for h in $hosts; do ip netns del "$tag-$h" 2>/dev/null; ip link del "${tag}$h" 2>/dev/null; done
    ip link del "$br" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$tag-probe" 2>"$dir/err" || finish_skip "cannot create a network namespace: $(head -n 1 "$dir/err")"
ip netns del "$tag-probe"
setup() {
    ip link add "$br" type bridge &&
    ip addr add 10.77.0.254/24 dev "$br" && ip link set "$br" up || return 1
    i=1
    for h in $hosts; do
        ns="$tag-$h"
        ip netns add "$ns" &&
        ip link add "${tag}$h" type veth peer name eth0 netns "$ns" &&
        ip link set "${tag}$h" master "$br" && ip link set "${tag}$h" up &&
        ip -n "$ns" addr add "10.77.0.$i/24" dev eth0 && ip -n "$ns" link set eth0 up &&
        ip -n "$ns" link set lo up || return 1
        i=$((i + 1))
    done
}
setup 2>"$dir/err" || finish_skip "cannot build the emulated network: $(head -n 1 "$dir/err")"
if command -v ping >/dev/null; then
    ip netns exec "$tag-h1" ping -c 1 -W 2 10.77.0.2 >/dev/null 2>&1 ||
        finish_skip "the namespaces cannot reach each other over the bridge"
fi
ok 0 "2 namespaces on bridge $br: h1 10.77.0.1, h2 10.77.0.2"

# The rsh agent: 'agent HOST command...' runs the command in HOST's namespace, under its own
# hostname (a private UTS namespace), as ssh would on a real host.
agent="$dir/rsh-agent"
cat >"$agent" <<AGENT
#!/bin/sh
h=\$1; shift
exec ip netns exec "$tag-\$h" unshare --uts sh -c 'hostname "\$0"; exec sh -c "\$*"' "\$h" "\$*"
AGENT
chmod +x "$agent"

run_config() { # NAME: same scenario, one rank per emulated host
    timeout -k 10 300 "$MPIRUN" -np 2 --host h1,h2 --bind-to none \
        --mca plm_rsh_agent "$agent" --mca plm_rsh_no_tree_spawn 1 \
        --mca oob_tcp_if_include 10.77.0.0/24 --mca btl self,tcp \
        --mca btl_tcp_if_include 10.77.0.0/24 --mca mpi_yield_when_idle 1 \
        -x PATH -x LD_LIBRARY_PATH -x UCX_TLS=tcp \
        "$GPUXFER" --pattern latency,bw --sizes 8,4K --iters 30 --warmup 20 --window 4 \
        --samples --quiet --output "$dir/$1.json" >"$dir/$1.txt" 2>&1
}
shape() { # CONFIG: tc on both namespaces' interfaces
    for h in $hosts; do
        ip netns exec "$tag-$h" tc qdisc del dev eth0 root 2>/dev/null
        [ "$1" = slow ] || continue
        # netem where the kernel has it; otherwise a token bucket so slow (1 Mbit/s, a bucket of
        # one packet) that every packet waits its turn, which raises latency as well.
        ip netns exec "$tag-$h" tc qdisc add dev eth0 root netem delay 2ms rate 200mbit 2>/dev/null ||
            ip netns exec "$tag-$h" tc qdisc add dev eth0 root tbf rate 1mbit burst 1600 latency 400ms ||
            return 1
        slow_how=$(ip netns exec "$tag-$h" tc qdisc show dev eth0 | head -n 1 | cut -d' ' -f2)
    done
    return 0
}

shape fast && run_config fast
r=$?; ok $r "fast link: gpuxfer across the 2 emulated hosts exits 0"
[ $r -eq 0 ] || diag <"$dir/fast.txt"
check_report "$dir/fast.json" --ranks 2 --patterns latency,bw --sizes 2 >"$dir/check.txt" 2>&1
r=$?; ok $r "fast link: valid report"; [ $r -eq 0 ] || diag <"$dir/check.txt"
"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
hosts = [r["hostname"] for r in d["context"]["ranks"]]
sys.exit(0 if hosts == ["h1", "h2"] and d["context"]["job"]["nodes"] == 2 and
         not any(r["same_node"] for r in d["results"]) else 1)' "$dir/fast.json"
ok $? "the ranks ran on hosts h1 and h2: 2 nodes, pairs not on the same node"

if shape slow 2>"$dir/err"; then
    run_config slow
    r=$?; ok $r "slow link ($slow_how): gpuxfer exits 0"
    [ $r -eq 0 ] || diag <"$dir/slow.txt"
    "$PYTHON" "$top_srcdir/scripts/gpuxfer-compare" "$dir/fast.json" "$dir/slow.json" \
        >"$dir/compare.txt" 2>&1
    ok $? "gpuxfer-compare fast slow: exit 0"
    cat "$dir/compare.txt" | sed -n '1,/^# context/p' | diag
    # 4 KiB decides: at 8 B a busy 2-core machine (tests run in parallel) can make even the
    # fast link's ping-pong wait for the scheduler, while 4 KiB over the shaped link takes tens
    # of milliseconds either way.
    [ "$(grep -cE '^ +4096 +0->1 .* yes +U +[0-9.e+-]+ +slower$' "$dir/compare.txt")" -eq 2 ]
    ok $? "the slow link is slower, significantly (rank test), on latency and bandwidth"
    "$PYTHON" "$top_srcdir/scripts/gpuxfer-compare" --fail-below 0.8 "$dir/fast.json" \
        "$dir/slow.json" >/dev/null 2>&1
    [ $? -eq 1 ]
    ok $? "--fail-below 0.8 gates the slow configuration (exit 1)"
    mkdir -p "$TEST_TMP/multihost-last" && cp "$dir/fast.json" "$dir/slow.json" "$dir/compare.txt" "$TEST_TMP/multihost-last/"
else
    skip "tc cannot shape the link here (neither netem nor tbf): $(head -n 1 "$dir/err")"
fi

cleanup
rm -rf "$dir"
done_testing
