#!/bin/sh
# GPU choice and binding decisions on recorded topologies (tests/topologies/*.xml), compared
# with tests/golden/*.txt. The expected files were checked by hand against lstopo's view of
# each XML; GX_GOLDEN_UPDATE=1 rewrites them (then review the diff, do not just commit it).
. "$top_srcdir/tests/lib.sh"
test_topo="$(dirname "$GPUXFER")/../tests/test_topo"
topos="$top_srcdir/tests/topologies"
golden="$top_srcdir/tests/golden"
dir=$(mktemp -d "$TEST_TMP/topo_golden.XXXXXX")

H200="0000:00:06.0,0000:00:07.0,0000:00:08.0,0000:00:09.0"
DGX2="34:00.0,36:00.0,39:00.0,3b:00.0,57:00.0,59:00.0,5c:00.0,5e:00.0,b7:00.0,b9:00.0,bc:00.0,be:00.0,e0:00.0,e2:00.0,e5:00.0,e7:00.0"
P8="0002:01:00.0,0003:01:00.0,000a:01:00.0,000b:01:00.0"
IB="0000:83:00.0,0000:84:00.0"

case_() { # NAME XML BUSIDS NRANKS [ARGS...]
    name=$1; xml=$2; shift 2
    "$test_topo" "$topos/$xml" "$@" >"$dir/$name.txt" 2>&1
    rc=$?
    if [ "${GX_GOLDEN_UPDATE:-0}" = 1 ]; then cp "$dir/$name.txt" "$golden/$name.txt"; fi
    diff -u "$golden/$name.txt" "$dir/$name.txt" >"$dir/$name.diff" 2>&1
    d=$?
    [ $rc -eq 0 ] && [ $d -eq 0 ]
    ok $? "$name: $xml, $*"
    [ $d -eq 0 ] || diag <"$dir/$name.diff"
}

case_ h200x4-1 h200x4-vm.xml "$H200" 1
case_ h200x4-4 h200x4-vm.xml "$H200" 4
case_ h200x4-8-shared h200x4-vm.xml "$H200" 8
case_ h200x4-16-shared h200x4-vm.xml "$H200" 16
case_ h200x4-4-gpu-map h200x4-vm.xml "$H200" 4 --gpu-map 0,2,1,3
case_ h200x4-4-core h200x4-vm.xml "$H200" 4 --bind core
case_ h200x4-4-none h200x4-vm.xml "$H200" 4 --bind none
case_ dgx2-2 dgx2-16gpu.xml "$DGX2" 2
case_ dgx2-16 dgx2-16gpu.xml "$DGX2" 16
case_ dgx2-2-cvd-subset dgx2-16gpu.xml "$DGX2" 2 --cvd 8,9
case_ dgx2-4-slurm-uuid dgx2-16gpu.xml "$DGX2" 4 \
    --cvd-per-rank "GPU-d397;GPU-d256;GPU-27ce;GPU-ac1a"
case_ power8-4 power8-4gpu-2socket.xml "$P8" 4
case_ power8-8-slurm-index power8-4gpu-2socket.xml "$P8" 8 --cvd-per-rank "0;1;2;3;0;1;2;3"
case_ power8-2-numa power8-4gpu-2socket.xml "$P8" 2 --bind numa --cvd 1,2
case_ ib-1 2socket-gpu-ib.xml "$IB" 1 --cvd 1
case_ ib-2 2socket-gpu-ib.xml "$IB" 2
case_ ib-1-keep 2socket-gpu-ib.xml "$IB" 1 --cvd 1 --current 9-10
case_ ib-1-rebind 2socket-gpu-ib.xml "$IB" 1 --cvd 1 --current 0-3
case_ ib-1-numa-overrides 2socket-gpu-ib.xml "$IB" 1 --cvd 1 --current 9-10 --bind numa

rm -rf "$dir"
done_testing
