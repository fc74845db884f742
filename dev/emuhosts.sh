# shellcheck shell=bash
# Emulated hosts on one machine, for mpirun (bash; sourced by tests/multihost.sh and
# dev/gpuxfer-emulated-hosts, the one implementation of both). Needs root, unshare and
# nsenter (util-linux) and iproute2's ip (tc to shape links).
#
# Host i (h1..hN) is a network and a UTS namespace held open by a small process of ours: its own
# hostname, loopback up, and a veth pair whose inner end EMU_IF (eth0) has 10.77.X.i/24 and whose
# outer end is on a bridge with 10.77.X.254 (X: the first /24 of 10.77 unused here). With
# EMU_RAILS=R (default 1), every host has R such interfaces, eth0..eth(R-1), rail r's on a bridge
# and a /24 of its own: rail-optimized hosts, NIC r of every host on switch r. mpirun, in the
# root namespace, reaches the hosts through an rsh agent that runs the command in the host's
# namespaces (nsenter), with the PATH, LD_LIBRARY_PATH and OPAL_PREFIX that mpirun had and, with
# EMU_GPUS, CUDA_VISIBLE_DEVICES set to the host's GPU. Every process in a namespace sees the
# machine's files and devices; only the network and the host name differ.
#
# Settings (before emu_setup): EMU_IP, EMU_TC (the ip and tc programs; default ip, tc),
# EMU_NETLIB (an LD_LIBRARY_PATH for those two alone, e.g. a folder of iproute2 libraries),
# EMU_GPUS (space-separated GPU per host, round-robin; empty: CUDA_VISIBLE_DEVICES untouched),
# EMU_DIR (a folder for the agent and its log; required), EMU_RAILS (interfaces per host, 1 to 8).
# Functions: emu_setup N, emu_cleanup (idempotent; call it from an EXIT trap), emu_in HOST CMD...,
# emu_ip_in / emu_tc_in HOST ARGS..., emu_reach FROM TO, emu_shape, emu_shape_rail, emu_unshape,
# emu_diag.
# After emu_setup: EMU_HOSTS (array h1..hN), EMU_ADDR (their addresses), EMU_SUBNET,
# EMU_BRIDGE, EMU_AGENT, EMU_TMP (a short, writable folder for Open MPI's session files) and
# EMU_MPIRUN_OPTS (mpirun options: hosts, agent, Open MPI's out-of-band and MPI traffic over the
# bridge's subnet only, TCP, the environment); all of rail 0. Per rail: EMU_IFS, EMU_BRIDGES,
# EMU_SUBNETS. With rails, EMU_MPIRUN_OPTS gives each host R slots (ranks fill a host before the
# next: local rank i is rail i) and EMU_RANK_WRAP is the program to put before the ranks'
# (mpirun ... "${EMU_RANK_WRAP[@]}" gpuxfer ...): it confines each rank's MPI and NCCL traffic
# to its rail's interface (empty with one rail).

: "${EMU_IP:=ip}" "${EMU_TC:=tc}" "${EMU_NETLIB:=}" "${EMU_GPUS:=}" "${EMU_IF:=eth0}"
EMU_TAG=gx$$
EMU_HOSTS=() EMU_ADDR=() EMU_PID=() EMU_MPIRUN_OPTS=()
EMU_BRIDGE=${EMU_TAG}br EMU_SUBNET="" EMU_NET="" EMU_AGENT="" EMU_TMP="" EMU_SHAPE_HOW=""
: "${EMU_RAILS:=1}"
EMU_IFS=() EMU_BRIDGES=() EMU_NETS=() EMU_SUBNETS=() EMU_RANK_WRAP=()

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

# emu_veth HOST RAIL: the name of HOST's veth end on rail RAIL's bridge (rail 0: as before rails).
emu_veth() { if [ "$2" -eq 0 ]; then echo "$EMU_TAG$1"; else echo "$EMU_TAG${1}r$2"; fi; }

# emu_nets R: R /24s of 10.77 that no interface here uses, into EMU_NETS, and their bridges'
# addresses added. Two setups at once (another test, another user) would otherwise both take the
# first free one: the choice and the addresses are made under a lock, and each /24 is checked to
# be ours alone afterwards (a setup without the lock may have raced us).
emu_nets() {
    local r lock=/tmp/gxemu-nets.lock fd="" x rc
    if command -v flock >/dev/null && exec {fd}>>"$lock" 2>/dev/null; then
        flock -w 30 "$fd" || echo "emuhosts: waited 30 s for $lock; going on without it" >&2
    fi
    emu_nets_unlocked
    rc=$?
    [ -z "$fd" ] || exec {fd}>&-
    [ $rc -eq 0 ] || return 1
    for r in "${!EMU_NETS[@]}"; do
        x=$(emu_ip -o -4 addr show | grep -F " ${EMU_NETS[$r]}." | grep -v " ${EMU_BRIDGES[$r]} ")
        [ -z "$x" ] || { echo "emuhosts: ${EMU_SUBNETS[$r]} was taken at the same time by another setup: $x" >&2; return 1; }
    done
    EMU_NET=${EMU_NETS[0]} EMU_SUBNET=${EMU_SUBNETS[0]}
}
emu_nets_unlocked() {
    local x b
    for x in $(seq 0 254); do
        [ ${#EMU_NETS[@]} -lt "$EMU_RAILS" ] || return 0
        emu_ip -o -4 addr show | grep -q " 10\.77\.$x\." && continue
        b=${EMU_TAG}br
        [ ${#EMU_BRIDGES[@]} -eq 0 ] || b=$b${#EMU_BRIDGES[@]}
        emu_step emu_ip link add "$b" type bridge || return 1
        EMU_BRIDGES+=("$b")
        emu_step emu_ip addr add "10.77.$x.254/24" dev "$b" && emu_step emu_ip link set "$b" up ||
            return 1
        EMU_NETS+=("10.77.$x") EMU_SUBNETS+=("10.77.$x.0/24")
    done
    [ ${#EMU_NETS[@]} -eq "$EMU_RAILS" ] ||
        { echo "emuhosts: fewer than $EMU_RAILS of the 10.77.X.0/24 are unused here" >&2; return 1; }
}

# emu_setup N: builds hosts h1..hN (EMU_DIR must be set). Returns 1 with one line on stderr saying which step failed
# (what was run and its error); whatever was built is then removed by emu_cleanup.
emu_setup() {
    local n=$1 i h pid x r err=${EMU_DIR:?emu_setup: set EMU_DIR}/emu-setup.err
    case $EMU_RAILS in [1-8]) ;; *) echo "emuhosts: EMU_RAILS '$EMU_RAILS': expected 1 to 8 rails" >&2; return 1 ;; esac
    for x in unshare nsenter; do
        command -v $x >/dev/null || { echo "emuhosts: $x not found (util-linux)" >&2; return 1; }
    done
    env ${EMU_NETLIB:+LD_LIBRARY_PATH="$EMU_NETLIB"} "$EMU_IP" -V >/dev/null 2>&1 ||
        { echo "emuhosts: cannot run ip ('$EMU_IP'${EMU_NETLIB:+, LD_LIBRARY_PATH=$EMU_NETLIB}): install iproute2 or give its path" >&2; return 1; }
    EMU_IFS=()
    for r in $(seq 0 $((EMU_RAILS - 1))); do EMU_IFS+=("eth$r"); done
    EMU_IF=${EMU_IFS[0]}
    EMU_TMP=$(mktemp -d /tmp/gxemu.XXXXXX) || { echo "emuhosts: cannot create a folder in /tmp" >&2; return 1; }
    emu_nets || return 1
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
            emu_step emu_ip_in "$h" link set lo up || return 1
        for r in "${!EMU_IFS[@]}"; do
            emu_step emu_ip link add "$(emu_veth "$h" "$r")" type veth peer name "${EMU_IFS[$r]}" netns "$pid" &&
                emu_step emu_ip link set "$(emu_veth "$h" "$r")" master "${EMU_BRIDGES[$r]}" &&
                emu_step emu_ip link set "$(emu_veth "$h" "$r")" up &&
                emu_step emu_ip_in "$h" addr add "${EMU_NETS[$r]}.$i/24" dev "${EMU_IFS[$r]}" &&
                emu_step emu_ip_in "$h" link set "${EMU_IFS[$r]}" up || return 1
        done
        [ "$(emu_in "$h" hostname 2>/dev/null || emu_in "$h" cat /proc/sys/kernel/hostname)" = "$h" ] ||
            { echo "emuhosts: $h: the host name did not stick in its UTS namespace" >&2; return 1; }
    done
    emu_write_agent || return 1
    local hostlist="" slots=""
    # With rails, R slots a host: mpirun fills h1 first, so that local rank i is rail i.
    [ "$EMU_RAILS" -eq 1 ] || slots=:$EMU_RAILS
    for h in "${EMU_HOSTS[@]}"; do hostlist=$hostlist${hostlist:+,}$h$slots; done
    # shellcheck disable=SC2054 # commas inside options' values
    EMU_MPIRUN_OPTS=(--host "$hostlist" --bind-to none
        --mca plm rsh --mca plm_rsh_agent "$EMU_AGENT" --mca plm_rsh_no_tree_spawn 1
        --mca oob_tcp_if_include "$EMU_SUBNET" --mca pml ob1 --mca btl self,tcp
        --mca btl_tcp_if_include "$EMU_SUBNET" --mca orte_tmpdir_base "$EMU_TMP" -x PATH)
    [ -z "${LD_LIBRARY_PATH+set}" ] || EMU_MPIRUN_OPTS+=(-x LD_LIBRARY_PATH)
    [ -z "${OPAL_PREFIX:-}" ] || EMU_MPIRUN_OPTS+=(-x OPAL_PREFIX)
    EMU_RANK_WRAP=()
    if [ "$EMU_RAILS" -gt 1 ]; then
        emu_write_rank_wrap || return 1
        EMU_RANK_WRAP=("$EMU_DIR/rail-wrap")
    fi
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
        echo "# mpirun's rsh agent for the emulated hosts ${EMU_HOSTS[*]} (dev/emuhosts.sh):"
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
# The ranks' wrapper with rails: 'rail-wrap PROGRAM ARGS...' runs PROGRAM with its MPI and NCCL
# traffic on the interface of rail (node-local rank mod EMU_RAILS): a rank's own setting, which
# no mpirun option can give (its --mca and -x are the same for every rank). Open MPI's TCP BTL
# by interface name (btl_tcp_if_include; its out-of-band stays on rail 0), NCCL's sockets by
# exact name (=ethR: a prefix eth1 would take eth10 too), and UCX's devices where Open MPI was
# told to use UCX (the emulated hosts' own options say ob1).
emu_write_rank_wrap() {
    # shellcheck disable=SC2016 # the wrapper's own expansions
    {
        echo '#!/bin/sh'
        echo "# Rank wrapper for the emulated hosts' $EMU_RAILS rails (dev/emuhosts.sh):"
        echo "# 'rail-wrap PROGRAM ARGS...': PROGRAM's MPI and NCCL traffic on rail (local rank mod $EMU_RAILS)."
        echo 'lr=${OMPI_COMM_WORLD_LOCAL_RANK:-${MPI_LOCALRANKID:-}}'
        echo 'case $lr in'
        echo "''|*[!0-9]*) echo \"rail-wrap: no node-local rank (OMPI_COMM_WORLD_LOCAL_RANK, MPI_LOCALRANKID): run it under mpirun\" >&2; exit 2 ;;"
        echo 'esac'
        printf 'ifc=eth$((lr %% %d))\n' "$EMU_RAILS"
        echo 'export OMPI_MCA_btl_tcp_if_include=$ifc NCCL_SOCKET_IFNAME==$ifc'
        echo 'case ${OMPI_MCA_pml:-} in *ucx*) export UCX_NET_DEVICES=$ifc ;; esac'
        echo 'exec "$@"'
    } >"$EMU_DIR/rail-wrap" && chmod +x "$EMU_DIR/rail-wrap"
}
emu_gpu_of() { # INDEX: the GPU of host INDEX (EMU_GPUS round-robin), or nothing
    local -a g
    read -r -a g <<<"$EMU_GPUS"
    [ ${#g[@]} -eq 0 ] || echo "${g[$(($1 % ${#g[@]}))]}"
}

emu_cleanup() {
    local i r b
    for i in "${!EMU_HOSTS[@]}"; do
        kill "${EMU_PID[$i]}" 2>/dev/null
        for r in "${!EMU_IFS[@]}"; do emu_ip link del "$(emu_veth "${EMU_HOSTS[$i]}" "$r")" 2>/dev/null; done
    done
    for b in "${EMU_BRIDGES[@]}"; do emu_ip link del "$b" 2>/dev/null; done
    [ -z "$EMU_TMP" ] || rm -rf "$EMU_TMP"
    EMU_HOSTS=() EMU_PID=() EMU_ADDR=() EMU_TMP="" EMU_BRIDGES=() EMU_NETS=() EMU_SUBNETS=()
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
        # Generous limits: on a machine loaded hundreds deep (CI beside other jobs) starting a
        # Python takes seconds, and a listener gone before its caller came is no unreachable host.
        emu_in "$2" python3 -c 'import socket, sys
s = socket.socket(); s.settimeout(30); s.bind((sys.argv[1], 0)); s.listen(1)
print(s.getsockname()[1], flush=True); s.accept()[0].close()' "$to_addr" >"$port_file" 2>/dev/null &
        lp=$!
        for x in $(seq 1 300); do [ -s "$port_file" ] && break; sleep 0.1; done
        port=$(cat "$port_file")
        if [ -n "$port" ] && emu_in "$1" python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), 10).close()' "$to_addr" "$port" 2>/dev/null; then
            echo "$1 -> $2 ($to_addr): TCP connection made"; wait "$lp"; rm -f "$port_file"; return 0
        fi
        if [ -n "$port" ]; then x=" to port $port"; else x=" (no listener in $2)"; fi
        echo "$1 -> $2 ($to_addr): no TCP connection$x"
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
# where the kernel has netem, otherwise tbf TBF_ARGS. emu_shape_rail HOST RAIL NETEM_ARGS TBF_ARGS:
# the same on HOST's interface of rail RAIL and on its veth end on the rail's bridge, so that what
# HOST sends and what it receives on that rail are both shaped. emu_shape_to HOST TO RATE
# [NETEM_ARGS]: for what HOST sends to TO alone (htb, a u32 filter on TO's address): RATE, and
# netem NETEM_ARGS on top where the kernel has it. EMU_SHAPE_HOW: what was set. emu_unshape HOST:
# no shaping again on HOST's interface; emu_unshape HOST RAIL: nor on that rail's veth end.
emu_root_qdisc() { # DEV NETEM_ARGS TBF_ARGS TC...: a root netem (else tbf) on DEV with the tc command TC...
    local dev=$1 netem=$2 tbf=$3
    shift 3
    "$@" qdisc del dev "$dev" root 2>/dev/null
    # shellcheck disable=SC2086
    if "$@" qdisc add dev "$dev" root netem $netem 2>/dev/null; then
        EMU_SHAPE_HOW="netem $netem"
    else
        "$@" qdisc add dev "$dev" root tbf $tbf || return 1
        EMU_SHAPE_HOW="tbf $tbf"
    fi
}
emu_shape() { emu_root_qdisc "$EMU_IF" "$2" "$3" emu_tc_in "$1"; }
emu_shape_rail() {
    case $2 in [0-9]) [ "$2" -lt "$EMU_RAILS" ] ;; *) false ;; esac ||
        { echo "emuhosts: rail '$2': expected 0 to $((EMU_RAILS - 1))" >&2; return 1; }
    emu_index "$1" >/dev/null || return 1
    emu_root_qdisc "${EMU_IFS[$2]}" "$3" "$4" emu_tc_in "$1" &&
        emu_root_qdisc "$(emu_veth "$1" "$2")" "$3" "$4" emu_tc
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
emu_unshape() {
    emu_tc_in "$1" qdisc del dev "${EMU_IFS[${2:-0}]}" root 2>/dev/null
    [ $# -lt 2 ] || emu_tc qdisc del dev "$(emu_veth "$1" "$2")" root 2>/dev/null
    return 0
}

# emu_diag [MPIRUN COMMAND...]: what a hang or failure of mpirun across the hosts needs: the
# command, the agent and its calls, the environment Open MPI reads, each namespace's addresses,
# reachability, and the agent run by hand.
emu_diag() {
    local h i v
    echo "== emulated hosts ${EMU_HOSTS[*]}: bridge $EMU_BRIDGE $EMU_NET.254, subnet $EMU_SUBNET, interface $EMU_IF"
    [ "$EMU_RAILS" -eq 1 ] || echo "== $EMU_RAILS rails: interfaces ${EMU_IFS[*]} on bridges ${EMU_BRIDGES[*]} (subnets ${EMU_SUBNETS[*]}); each rank's MPI and NCCL traffic on rail (local rank mod $EMU_RAILS) by ${EMU_RANK_WRAP[*]}"
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
    for v in "${EMU_BRIDGES[@]}"; do
        echo "== root namespace: $v"
        emu_ip addr show dev "$v" 2>&1 | sed 's/^/   /'
    done
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
