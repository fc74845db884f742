#!/bin/bash
# Issue 25 item 3 on the GPU machine: emulated rails, 2 hosts x 1 GPU (the machine's one GPU,
# shared), 2 rails a host: --pairs rails on every GPU path, rail 1 of h2 slowed to 20mbit both
# ways; the rail map must flag exactly that rail of that host, both ways, and each rank's NIC be
# its rail's (scripts/emuhosts-check.py). Kit: CUDA-aware Open MPI 4.1.4 (.gpukit/b's build).
set -u
. .gpukit/env.sh
export TMPDIR=/dev/shm
W=/tmp/rails; rm -rf $W; mkdir -p $W
exec > >(tee $W/log.txt) 2>&1
nvidia-smi -L; .gpukit/b/src/gpuxfer --version | head -2
s=$(date +%s)
timeout 560 scripts/gpuxfer-emulated-hosts -n 2 --rails 2 -t 70 -g .gpukit/b/src/gpuxfer \
    --ip .gpukit/net0/net/ip --tc .gpukit/net0/net/tc -o $W/out
echo "gpuxfer-emulated-hosts exit $? after $(( $(date +%s) - s )) s"
cat $W/out/checks.txt
for f in $W/out/*.txt; do case $f in *checks.txt) continue ;; esac; echo "== $f"; grep -vE '^\s*$' "$f" | tail -40; done
rm -rf $W/out/emu
cd /tmp && tar czf $OUT/rails.tar.gz rails
