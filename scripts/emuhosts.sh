# shellcheck shell=bash
# Emulated hosts on one machine, for mpirun (bash; sourced by tests/multihost.sh and
# scripts/gpuxfer-emulated-hosts, the one implementation of both). Needs root, unshare and
# nsenter (util-linux) and iproute2's ip (tc to shape links).
#
# Host i (h1..hN) is a network and a UTS namespace held open by a small process of ours: its own
# hostname, loopback up, and a veth pair whose inner end EMU_IF (eth0) has 10.77.X.i/24 and whose
# outer end is on a bridge with 10.77.X.254 (X: the first /24 of 10.77 unused here). mpirun, in the
# root namespace, reaches the hosts through an rsh agent that runs the command in the host's
# namespaces (nsenter), with the PATH, LD_LIBRARY_PATH and OPAL_PREFIX that mpirun had and, with
# EMU_GPUS, CUDA_VISIBLE_DEVICES set to the host's GPU. Every process in a namespace sees the
# machine's files and devices; only the network and the host name differ.
#
# Settings (before emu_setup): EMU_IP, EMU_TC (the ip and tc programs; default ip, tc),
# EMU_NETLIB (an LD_LIBRARY_PATH for those two alone, e.g. a folder of iproute2 libraries),
# EMU_GPUS (space-separated GPU per host, round-robin; empty: CUDA_VISIBLE_DEVICES untouched),
# EMU_DIR (a folder for the agent and its log; required).
# Functions: emu_setup N, emu_cleanup (idempotent; call it from an EXIT trap), emu_in HOST CMD...,
# emu_ip_in / emu_tc_in HOST ARGS..., emu_reach FROM TO, emu_shape, emu_unshape, emu_diag.
# After emu_setup: EMU_HOSTS (array h1..hN), EMU_ADDR (their addresses), EMU_SUBNET,
# EMU_BRIDGE, EMU_AGENT, EMU_TMP (a short, writable folder for Open MPI's session files) and
# EMU_MPIRUN_OPTS (mpirun options: hosts, agent, Open MPI's out-of-band and MPI traffic over the
# bridge's subnet only, TCP, the environment).

: "${EMU_IP:=ip}" "${EMU_TC:=tc}" "${EMU_NETLIB:=}" "${EMU_GPUS:=}" "${EMU_IF:=eth0}"
EMU_TAG=gx$$
EMU_HOSTS=() EMU_ADDR=() EMU_PID=() EMU_MPIRUN_OPTS=()
EMU_BRIDGE=${EMU_TAG}br EMU_SUBNET="" EMU_NET="" EMU_AGENT="" EMU_TMP="" EMU_SHAPE_HOW=""

# ip and tc with EMU_NETLIB for them alone (never for the programs they start).
emu_ip() { env ${EMU_NETLIB:+LD_LIBRARY_PATH="$EMU_NETLIB"} "$EMU_IP" "$@"; }
emu_tc() { env ${EMU_NETLIB:+LD_LIBRARY_PATH="$EMU_NETLIB"} "$EMU_TC" "$@"; }
emu_index() { # HOST: its index in EMU_HOSTS
    local i
    for i in "${!EMU_HOSTS[@]}"; do [ "${EMU_HOSTS[$i]}" = "$1" ] && { echo "$i"; return 0; }; done
    echo "emuhosts: no emulated host '$1'" >&2
    return 1
}
emu_in() { # HOST CMD...: CMD in HOST's network and UTS namespaces
    local i
    i=$(emu_index "$1") || return 1
    shift
    nsenter -t "${EMU_PID[$i]}" -n -u -- "$@"
}
emu_ip_in() { local h=$1; shift; emu_in "$h" env ${EMU_NETLIB:+LD_LIBRARY_PATH="$EMU_NETLIB"} "$EMU_IP" "$@"; }
emu_tc_in() { local h=$1; shift; emu_in "$h" env ${EMU_NETLIB:+LD_LIBRARY_PATH="$EMU_NETLIB"} "$EMU_TC" "$@"; }

# emu_setup N: builds hosts h1..hN (EMU_DIR must be set). Returns 1 with one line on stderr saying which step failed
# (what was run and its error); whatever was built is then removed by emu_cleanup.
emu_setup() {
    local n=$1 i h pid x err=${EMU_DIR:?emu_setup: set EMU_DIR}/emu-setup.err
    for x in unshare nsenter; do
        command -v $x >/dev/null || { echo "emuhosts: $x not found (util-linux)" >&2; return 1; }
    done
    env ${EMU_NETLIB:+LD_LIBRARY_PATH="$EMU_NETLIB"} "$EMU_IP" -V >/dev/null 2>&1 ||
        { echo "emuhosts: cannot run ip ('$EMU_IP'${EMU_NETLIB:+, LD_LIBRARY_PATH=$EMU_NETLIB}): install iproute2 or give its path" >&2; return 1; }
    # A /24 of 10.77 that no interface here uses.
    for x in $(seq 0 254); do
        emu_ip -o -4 addr show | grep -q " 10\.77\.$x\." || { EMU_NET=10.77.$x; break; }
    done
    [ -n "$EMU_NET" ] || { echo "emuhosts: every 10.77.X.0/24 is in use here" >&2; return 1; }
    EMU_SUBNET=$EMU_NET.0/24
    EMU_TMP=$(mktemp -d /tmp/gxemu.XXXXXX) || { echo "emuhosts: cannot create a folder in /tmp" >&2; return 1; }
    emu_step emu_ip link add "$EMU_BRIDGE" type bridge &&
        emu_step emu_ip addr add "$EMU_NET.254/24" dev "$EMU_BRIDGE" &&
        emu_step emu_ip link set "$EMU_BRIDGE" up || return 1
    for i in $(seq 1 "$n"); do
        h=h$i
        # The holder: new network and UTS namespaces, kept while this shell lives (so that even
        # a SIGKILL of the shell leaves no namespace behind for long).
        unshare --net --uts -- sh -c "while kill -0 $$ 2>/dev/null; do sleep 1; done" 2>"$err" &
        pid=$!
        for x in $(seq 1 100); do
            [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" != "$(readlink /proc/$$/ns/net)" ] &&
                [ -n "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" ] && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        if ! kill -0 "$pid" 2>/dev/null || [ "$x" -eq 100 ]; then
            echo "emuhosts: 'unshare --net --uts' failed: $(head -n 1 "$err")" >&2
            return 1
        fi
        EMU_HOSTS+=("$h") EMU_PID+=("$pid") EMU_ADDR+=("$EMU_NET.$i")
        # shellcheck disable=SC2016 # the inner shell expands $1
        emu_step emu_in "$h" sh -c 'hostname "$1" 2>/dev/null || echo "$1" >/proc/sys/kernel/hostname' sh "$h" &&
            emu_step emu_ip link add "$EMU_TAG$h" type veth peer name "$EMU_IF" netns "$pid" &&
            emu_step emu_ip link set "$EMU_TAG$h" master "$EMU_BRIDGE" &&
            emu_step emu_ip link set "$EMU_TAG$h" up &&
            emu_step emu_ip_in "$h" addr add "$EMU_NET.$i/24" dev "$EMU_IF" &&
            emu_step emu_ip_in "$h" link set "$EMU_IF" up &&
            emu_step emu_ip_in "$h" link set lo up || return 1
        [ "$(emu_in "$h" hostname 2>/dev/null || emu_in "$h" cat /proc/sys/kernel/hostname)" = "$h" ] ||
            { echo "emuhosts: $h: the host name did not stick in its UTS namespace" >&2; return 1; }
    done
    emu_write_agent || return 1
    local hostlist
    hostlist=$(IFS=,; echo "${EMU_HOSTS[*]}")
    # shellcheck disable=SC2054 # commas inside options' values
    EMU_MPIRUN_OPTS=(--host "$hostlist" --bind-to none
        --mca plm rsh --mca plm_rsh_agent "$EMU_AGENT" --mca plm_rsh_no_tree_spawn 1
        --mca oob_tcp_if_include "$EMU_SUBNET" --mca pml ob1 --mca btl self,tcp
        --mca btl_tcp_if_include "$EMU_SUBNET" --mca orte_tmpdir_base "$EMU_TMP" -x PATH)
    [ -z "${LD_LIBRARY_PATH+set}" ] || EMU_MPIRUN_OPTS+=(-x LD_LIBRARY_PATH)
    [ -z "${OPAL_PREFIX:-}" ] || EMU_MPIRUN_OPTS+=(-x OPAL_PREFIX)
    return 0
}

emu_step() { # CMD...: runs it; on failure one line, the command and its first error line
    "$@" 2>"$EMU_DIR/emu-setup.err" ||
        { echo "emuhosts: '$*' failed: $(head -n 1 "$EMU_DIR/emu-setup.err")" >&2; return 1; }
}

# The rsh agent: 'rsh-agent HOST COMMAND...'. It carries mpirun's PATH, LD_LIBRARY_PATH and
# OPAL_PREFIX as they are now (a real ssh would start a login shell without them), a TMPDIR
# that is writable, and logs each call to rsh-agent.log for emu_diag.
emu_write_agent() {
    local v i nsenter_path
    nsenter_path=$(command -v nsenter)
    EMU_AGENT=$EMU_DIR/rsh-agent
    # shellcheck disable=SC2016 # the agent's own expansions
    {
        echo '#!/bin/bash'
        echo "# mpirun's rsh agent for the emulated hosts ${EMU_HOSTS[*]} (scripts/emuhosts.sh):"
        echo "# 'rsh-agent HOST COMMAND...' runs COMMAND in HOST's network and UTS namespaces."
        for v in PATH LD_LIBRARY_PATH OPAL_PREFIX; do
            if [ -n "${!v+set}" ]; then printf 'export %s=%q\n' "$v" "${!v}"; else printf 'unset %s\n' "$v"; fi
        done
        printf 'export TMPDIR=%q\n' "$EMU_TMP"
        printf 'echo "$(date +%%T) $*" >>%q\n' "$EMU_DIR/rsh-agent.log"
        echo 'case $1 in'
        for i in "${!EMU_HOSTS[@]}"; do
            printf '%s) pid=%s gpu=%q ;;\n' "${EMU_HOSTS[$i]}" "${EMU_PID[$i]}" "$(emu_gpu_of "$i")"
        done
        echo '*) echo "rsh-agent: unknown host '"'"'$1'"'"'" >&2; exit 255 ;;'
        echo 'esac'
        echo 'shift'
        echo '[ -z "$gpu" ] || export CUDA_VISIBLE_DEVICES=$gpu'
        printf 'exec %q -t "$pid" -n -u -- /bin/sh -c "$*"\n' "$nsenter_path"
    } >"$EMU_AGENT" && chmod +x "$EMU_AGENT"
}
emu_gpu_of() { # INDEX: the GPU of host INDEX (EMU_GPUS round-robin), or nothing
    local -a g
    read -r -a g <<<"$EMU_GPUS"
    [ ${#g[@]} -eq 0 ] || echo "${g[$(($1 % ${#g[@]}))]}"
}

emu_cleanup() {
    local i
    for i in "${!EMU_HOSTS[@]}"; do
        kill "${EMU_PID[$i]}" 2>/dev/null
        emu_ip link del "$EMU_TAG${EMU_HOSTS[$i]}" 2>/dev/null
    done
    emu_ip link del "$EMU_BRIDGE" 2>/dev/null
    [ -z "$EMU_TMP" ] || rm -rf "$EMU_TMP"
    EMU_HOSTS=() EMU_PID=() EMU_ADDR=() EMU_TMP=""
    return 0
}

# emu_reach FROM TO: whether FROM reaches TO's address: a TCP connection (python3), else ping.
# Prints what was tried; returns 0 reached, 1 not, 2 nothing to try it with.
emu_reach() {
    local to_addr port_file port x lp
    to_addr=${EMU_ADDR[$(emu_index "$2")]}
    if command -v python3 >/dev/null; then
        port_file=$EMU_DIR/reach.$1.$2
        : >"$port_file"
        emu_in "$2" python3 -c 'import socket, sys
s = socket.socket(); s.settimeout(5); s.bind((sys.argv[1], 0)); s.listen(1)
print(s.getsockname()[1], flush=True); s.accept()[0].close()' "$to_addr" >"$port_file" 2>/dev/null &
        lp=$!
        for x in $(seq 1 50); do [ -s "$port_file" ] && break; sleep 0.1; done
        port=$(cat "$port_file")
        if [ -n "$port" ] && emu_in "$1" python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), 3).close()' "$to_addr" "$port" 2>/dev/null; then
            echo "$1 -> $2 ($to_addr): TCP connection made"; wait "$lp"; rm -f "$port_file"; return 0
        fi
        echo "$1 -> $2 ($to_addr): no TCP connection${port:+ to port $port}${port:- (no listener in $2)}"
        wait "$lp"; rm -f "$port_file"; return 1
    fi
    if command -v ping >/dev/null; then
        emu_in "$1" ping -c 1 -W 2 "$to_addr" >/dev/null 2>&1 &&
            { echo "$1 -> $2 ($to_addr): ping answered"; return 0; }
        echo "$1 -> $2 ($to_addr): no ping answer"; return 1
    fi
    echo "$1 -> $2 ($to_addr): neither python3 nor ping here to try"; return 2
}

# emu_shape HOST NETEM_ARGS TBF_ARGS: tc on HOST's interface, for all it sends: netem NETEM_ARGS
# where the kernel has netem, otherwise tbf TBF_ARGS. emu_shape_to HOST TO RATE [NETEM_ARGS]: for
# what HOST sends to TO alone (htb, a u32 filter on TO's address): RATE, and netem NETEM_ARGS on
# top where the kernel has it. EMU_SHAPE_HOW: what was set. emu_unshape HOST: no shaping again.
emu_shape() {
    local h=$1
    emu_unshape "$h"
    # shellcheck disable=SC2086
    if emu_tc_in "$h" qdisc add dev "$EMU_IF" root netem $2 2>/dev/null; then
        EMU_SHAPE_HOW="netem $2"
    else
        emu_tc_in "$h" qdisc add dev "$EMU_IF" root tbf $3 || return 1
        EMU_SHAPE_HOW="tbf $3"
    fi
}
emu_shape_to() {
    local h=$1 to_addr
    to_addr=${EMU_ADDR[$(emu_index "$2")]} || return 1
    emu_unshape "$h"
    emu_tc_in "$h" qdisc add dev "$EMU_IF" root handle 1: htb &&
        emu_tc_in "$h" class add dev "$EMU_IF" parent 1: classid 1:2 htb rate "$3" &&
        emu_tc_in "$h" filter add dev "$EMU_IF" parent 1: protocol ip prio 1 u32 \
            match ip dst "$to_addr/32" flowid 1:2 || return 1
    EMU_SHAPE_HOW="htb rate $3 to $2"
    # shellcheck disable=SC2086
    [ -z "${4:-}" ] || ! emu_tc_in "$h" qdisc add dev "$EMU_IF" parent 1:2 handle 20: netem $4 2>/dev/null ||
        EMU_SHAPE_HOW="$EMU_SHAPE_HOW, netem $4"
    return 0
}
emu_unshape() { emu_tc_in "$1" qdisc del dev "$EMU_IF" root 2>/dev/null; return 0; }

# emu_diag [MPIRUN COMMAND...]: what a hang or failure of mpirun across the hosts needs: the
# command, the agent and its calls, the environment Open MPI reads, each namespace's addresses,
# reachability, and the agent run by hand.
emu_diag() {
    local h i v
    echo "== emulated hosts ${EMU_HOSTS[*]}: bridge $EMU_BRIDGE $EMU_NET.254, subnet $EMU_SUBNET, interface $EMU_IF"
    [ $# -eq 0 ] || echo "== command: $*"
    echo "== out-of-band and MPI traffic: oob_tcp_if_include=$EMU_SUBNET btl=self,tcp btl_tcp_if_include=$EMU_SUBNET pml=ob1; session files: $EMU_TMP"
    [ -w "$EMU_TMP" ] || echo "   $EMU_TMP is not writable"
    echo "== environment (OMPI_/PMIX_/OPAL_, paths):"
    env | grep -E '^(OMPI_|PMIX_|OPAL_)' | sort | sed 's/^/   /'
    [ -z "${OMPI_MCA_plm:-}" ] || echo "   OMPI_MCA_plm=$OMPI_MCA_plm is set: mpirun may refuse the rsh agent (unset it)"
    for v in PATH LD_LIBRARY_PATH; do echo "   $v=${!v-(unset)}"; done
    echo "   mpirun: $(command -v mpirun || echo none); orted: $(command -v orted || echo none)"
    echo "== rsh agent $EMU_AGENT:"
    sed 's/^/   /' "$EMU_AGENT"
    echo "== its calls by mpirun (rsh-agent.log):"
    if [ -s "$EMU_DIR/rsh-agent.log" ]; then tail -n 8 "$EMU_DIR/rsh-agent.log" | sed 's/^/   /'
    else echo "   none: mpirun never started the agent (plm not rsh? OMPI_MCA_plm?)"; fi
    for i in "${!EMU_HOSTS[@]}"; do
        h=${EMU_HOSTS[$i]}
        echo "== $h (holder pid ${EMU_PID[$i]}): ip addr"
        emu_ip_in "$h" addr 2>&1 | sed 's/^/   /'
    done
    echo "== root namespace: $EMU_BRIDGE"
    emu_ip addr show dev "$EMU_BRIDGE" 2>&1 | sed 's/^/   /'
    v=/proc/sys/net/bridge/bridge-nf-call-iptables
    [ ! -r $v ] || echo "   $v = $(cat $v) (1: bridged traffic passes through iptables, whose rules may drop it)"
    echo "== reachability:"
    for h in "${EMU_HOSTS[@]:1}"; do
        echo "   $(emu_reach "${EMU_HOSTS[0]}" "$h")"
        i=$(emu_index "$h")
        if command -v ping >/dev/null; then
            echo "   ping from ${EMU_HOSTS[0]}: $(emu_in "${EMU_HOSTS[0]}" ping -c 1 -W 2 "${EMU_ADDR[$i]}" 2>&1 | grep -E 'transmitted|unreachable|error' | head -n 1)"
        fi
    done
    echo "== the agent by hand: $EMU_AGENT ${EMU_HOSTS[-1]} 'hostname; command -v orted'"
    timeout 10 "$EMU_AGENT" "${EMU_HOSTS[-1]}" 'hostname; command -v orted || echo no orted on PATH' 2>&1 | sed 's/^/   /'
}
