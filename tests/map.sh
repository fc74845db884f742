#!/bin/sh
# The node's map in the GPU default run, checked on --dry-run's plan with fake GPUs on recorded
# topologies (no GPU needed): on the 4 x H200 VM and the DGX-2 (16 GPUs) a run "map" of p2p bw
# at 64M over every ordered pair, one pair a round, "map-bibw" of one pair per kind of link and
# "map-host" of each GPU's host link both ways, one GPU a round, before the default runs, and the whole plan within the default budget; on several nodes (--assume-nodes) mpi over one pair per ordered
# node pair; on 2 GPUs, with --map off or with --pairs given, no map.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/map.XXXXXX")
topo="$top_srcdir/tests/topologies"
H200="0000:00:06.0,0000:00:07.0,0000:00:08.0,0000:00:09.0"
DGX2="34:00.0,36:00.0,39:00.0,3b:00.0,57:00.0,59:00.0,5c:00.0,5e:00.0,b7:00.0,b9:00.0,bc:00.0,be:00.0,e0:00.0,e2:00.0,e5:00.0,e7:00.0"

if ! grep -q '^#define HAVE_CUDA 1' "$top_builddir/config.h" 2>/dev/null; then
    finish_skip "the map: this build has no CUDA (no GPU default run)"
fi
# The node's allreduce where NCCL is built.
coll= coll_est=
if grep -q '^#define HAVE_NCCL 1' "$top_builddir/config.h"; then
    coll="map-allreduce " coll_est=", map-allreduce \\(1 result\\) [0-9.]+ s"
fi

# The plan's result lines of run NAME as "path memory pattern size chunk iters window pair"
# (a step line is "step path memory pattern size chunk iters warm window pairs").
run_lines() { awk -v want="$2" '/^# run / { run = $3; next } /^# / { next }
                  /^ +[0-9]+ / && run == want { print $2, $3, $4, $5, $6, $7, $9, $10 }' "$1"; }
runs() { awk '/^# run / { print $3 }' "$1" | tr '\n' ' '; }

# map_check NAME NP XML BUSIDS BIBW: the map of NP GPUs, every ordered pair once, in NP(NP-1)
# rounds, and bibw over the pairs BIBW (one per kind of link).
map_check() {
    local name=$1 np=$2 xml=$3 ids=$4 bibw=$5 pairs=$(($2 * ($2 - 1)))
    gx_mpirun "$np" --dry-run --topology-xml "$topo/$xml" --fake-gpus "$ids" >"$dir/$name.txt" 2>&1
    ok $? "$name: --dry-run exits 0" || diag <"$dir/$name.txt"
    [ "$(runs "$dir/$name.txt")" = "map map-bibw map-host ${coll}latency bandwidth " ]
    ok $? "$name: the map is four runs of their own, before the default runs ($(runs "$dir/$name.txt"))"
    run_lines "$dir/$name.txt" map >"$dir/$name.map"
    [ "$(wc -l <"$dir/$name.map")" -eq "$pairs" ] &&
        [ "$(awk '{print $1, $2, $3, $4, $5, $6, $7}' "$dir/$name.map" | sort -u)" = \
              "p2p device>device bw 64M 64M/1 5 4" ]
    ok $? "$name: $pairs steps of p2p bw at 64M, the whole message as one copy, 5 iterations of 4 messages" ||
        diag <"$dir/$name.map"
    # Every ordered pair once, one a round: $8 is the round's pair list.
    [ "$(awk '{print $8}' "$dir/$name.map" | sort -u | wc -l)" -eq "$pairs" ] &&
        awk '{ split($8, p, ":"); if (p[1] == p[2] || $8 ~ /,/) exit 1 }' "$dir/$name.map"
    ok $? "$name: every ordered pair of the $np GPUs, one at a time" || diag <"$dir/$name.map"
    run_lines "$dir/$name.txt" map-bibw >"$dir/$name.bibw"
    [ "$(awk '{print $1, $2, $3, $4, $5, $6, $7}' "$dir/$name.bibw" | sort -u)" = \
          "p2p device>device bibw 64M 64M/1 5 4" ] &&
        [ "$(awk '{print $8}' "$dir/$name.bibw" | tr '\n' ' ')" = "$bibw " ]
    ok $? "$name: bibw of one pair per kind of link between the GPUs ($bibw)" ||
        diag <"$dir/$name.bibw"
    # Each GPU's host link alone, both ways: rank r copies, r+1 (the last: 0) waits.
    run_lines "$dir/$name.txt" map-host >"$dir/$name.host"
    ring=$(awk -v n="$np" 'BEGIN { for (r = 0; r < n; r++) printf "%d:%d ", r, (r + 1) % n }')
    [ "$(awk '{print $1, $2, $3, $4, $5, $6, $7}' "$dir/$name.host" | sort -u | tr '\n' ';')" = \
          "device-to-host device>pinned bw 16M - 5 4;host-to-device pinned>device bw 16M - 5 4;" ] &&
        [ "$(awk '$1 == "host-to-device" {print $8}' "$dir/$name.host" | tr '\n' ' ')" = "$ring" ] &&
        [ "$(awk '$1 == "device-to-host" {print $8}' "$dir/$name.host" | tr '\n' ' ')" = "$ring" ]
    ok $? "$name: each GPU's host link, host-to-device and device-to-host at 16M, one GPU a round ($np each)" ||
        diag <"$dir/$name.host"
    # The node's allreduce: NCCL over every rank at 256M, one step of the map's iterations.
    run_lines "$dir/$name.txt" map-allreduce >"$dir/$name.coll"
    [ -z "$coll" ] || [ "$(cat "$dir/$name.coll")" = "nccl device>device allreduce 256M - 5 4 0..$((np - 1))" ]
    ok $? "$name: map-allreduce, NCCL's allreduce over ranks 0..$((np - 1)) at 256M, 5 iterations of 4" ||
        diag <"$dir/$name.coll"
    # The map's steps have no ceiling probes: no ceiling: line in its runs.
    ! awk '/^# run / { run = $3 } run ~ /^map/ && $2 ~ /^ceiling:/' "$dir/$name.txt" | grep -q .
    ok $? "$name: the map measures no ceiling probes"
    # The default budget is the measurements' 70 s, and the map's fixed iterations on top.
    map_s=$(sed -n 's/^# of the estimate, \([0-9.]*\) s are runs of fixed iterations.*/\1/p' "$dir/$name.txt")
    want=$(awk -v m="${map_s:-0}" 'BEGIN { b = 70 + int(m); if (m > int(m)) b++; print b }')
    grep -q "^# the estimate is within the budget of $want s" "$dir/$name.txt" &&
        ! grep -q 'cannot be kept' "$dir/$name.txt"
    ok $? "$name: the whole plan within the default budget of 70 s and the map's ${map_s:-?} s ($want s)" ||
        diag <"$dir/$name.txt"
    # The map's part of the estimate, which the budget does not shorten, said per run.
    tr '\n' ' ' <"$dir/$name.txt" | sed 's/ #   / /g' |
        grep -qE "# of the estimate, [0-9.]+ s are runs of fixed iterations \(--iters, the map's\), which the budget does not shorten: map \($pairs results\) [0-9.]+ s, map-bibw \($(echo $bibw | wc -w) results?\) [0-9.]+ s, map-host \($((2 * np)) results\) [0-9.]+ s$coll_est"
    ok $? "$name: the dry run says the map's part of the estimate" || diag <"$dir/$name.txt"
}

# The 4 x H200 VM's GPUs are all PHB to one another (no NVML for a recorded topology): one
# kind of link; the DGX-2's PCI tree has four from GPU 0 (PIX 0:1, PXB 0:2, NODE 0:4, SYS 0:8).
map_check "4 x H200" 4 h200x4-vm.xml "$H200" "0:1"
map_check "DGX-2" 16 dgx2-16gpu.xml "$DGX2" "0:1 0:2 0:4 0:8"
# The DGX-2's result steps: the map's 240, 4 and 32 beside the default runs' 48 (as on 2 GPUs); its
# probes those of one shared GPU and of two GPUs both (staged's sender-d2h: the plan does not
# know which).
grep -q '^# 406 measurements (325 results; 81 ceiling probes' "$dir/DGX-2.txt"
ok $? "DGX-2: 277 map results and the default runs' 48 ($(grep '^# [0-9]* measurements' "$dir/DGX-2.txt"))"

# Several nodes: one pair per ordered node pair, through CUDA-aware MPI (p2p is one node's).
gx_mpirun 1 --dry-run --assume-nodes 4 --assume-gpus-per-node 8 --topology-xml "$topo/h200x4-vm.xml" \
    --fake-gpus 0000:00:06.0,0000:00:07.0 >"$dir/nodes.txt" 2>&1
run_lines "$dir/nodes.txt" map >"$dir/nodes.map"
[ "$(runs "$dir/nodes.txt")" = "map latency bandwidth " ] &&
    [ "$(awk '{print $1, $3, $4}' "$dir/nodes.map" | sort -u)" = "mpi bw 64M" ] &&
    [ "$(wc -l <"$dir/nodes.map")" -eq 6 ] && grep -q '24:0,+1' "$dir/nodes.map"
ok $? "4 nodes x 8 GPUs: mpi bw at 64M, 6 rounds of 2 node pairs (12 ordered node pairs)" ||
    diag <"$dir/nodes.txt"

# Two nodes of one GPU each: 2 GPUs in all, no map either.
gx_mpirun 1 --dry-run --assume-nodes 2 --topology-xml "$topo/h200x4-vm.xml" \
    --fake-gpus 0000:00:06.0 >"$dir/nodes2.txt" 2>&1
[ "$(runs "$dir/nodes2.txt")" = "latency bandwidth " ]
ok $? "2 nodes x 1 GPU: no map ($(runs "$dir/nodes2.txt"))" || diag <"$dir/nodes2.txt"

# Two GPUs: the default run exactly as before, no map.
gx_mpirun 2 --dry-run --topology-xml "$topo/h200x4-vm.xml" --fake-gpus 0000:00:06.0,0000:00:07.0 \
    >"$dir/two.txt" 2>&1
[ "$(runs "$dir/two.txt")" = "latency bandwidth " ] && ! grep -q 'p2p .* 64M/1 *5 ' "$dir/two.txt" &&
    ! grep -q '^# of the estimate' "$dir/two.txt"
ok $? "2 GPUs: no map ($(runs "$dir/two.txt"))" || diag <"$dir/two.txt"

# --map off, and --pairs given (the user names the pairs): no map.
gx_mpirun 4 --dry-run --topology-xml "$topo/h200x4-vm.xml" --fake-gpus "$H200" --map off \
    >"$dir/off.txt" 2>&1
ok $? "--map off: exit 0" || diag <"$dir/off.txt"
[ "$(runs "$dir/off.txt")" = "latency bandwidth " ]
ok $? "--map off: the default runs alone ($(runs "$dir/off.txt"))"
gx_mpirun 4 --dry-run --topology-xml "$topo/h200x4-vm.xml" --fake-gpus "$H200" --pairs 0:1,2:3 \
    >"$dir/pairs.txt" 2>&1
[ "$(runs "$dir/pairs.txt")" = "latency bandwidth " ]
ok $? "--pairs given: no map ($(runs "$dir/pairs.txt"))"
gx_mpirun 4 --dry-run --topology-xml "$topo/h200x4-vm.xml" --fake-gpus "$H200" --map maybe \
    >"$dir/bad.txt" 2>&1
[ $? -eq 2 ] && grep -q "unknown value 'maybe' (expected on or off)" "$dir/bad.txt"
ok $? "--map maybe: exit 2, naming on and off" || diag <"$dir/bad.txt"

rm -rf "$dir"
done_testing
