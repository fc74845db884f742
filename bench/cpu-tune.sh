#!/bin/bash
# Issue 37 on the CPU machine (2 cores, Debian 12, Open MPI 4.1.4, UCX 1.13.1): two tunes of the
# mpi path on host (pageable) memory and an A/B, one after the other:
#   ob1: Open MPI's default PML (ob1): pml ob1 vs ucx, vader's single-copy mechanism and eager
#        limit; the default run's sizes, planned into 25 minutes (--budget cuts them to one per
#        size class). Where cpu-ob1/probe.json is there already (a first attempt's probe, the
#        same arguments), it is the --context, which saves the probe's 4-5 minutes;
#   ucx: under pml ucx (--set): UCX_TLS and UCX_RNDV_THRESH (and pml back to ob1), at one size
#        per class below 4M, planned into 15 minutes;
#   pml: --verify, no sweep: pml ucx against Open MPI's default (ob1), 5 runs each, at the sizes
#        the ob1 tune kept (its probe the --context).
# Run from the source tree's root as root, with gpuxfer built in _build/:
#   bench/cpu-tune.sh [ob1] [ucx] [pml]      (default: all three)
# The tunes' folders and outputs go to results/issue37/, the load average before and
# after each tune to results/issue37/load.txt.
set -u
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export GPUXFER=${GPUXFER:-$PWD/_build/src/gpuxfer}
out=results/issue37
[ $# -gt 0 ] || set -- ob1 ucx pml
for t in "$@"; do
    echo "$t start $(date -u +%H:%M:%S): $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/load.txt"
    case $t in
    ob1) ctx=()
        [ -s "$out/cpu-ob1/probe.json" ] && ctx=(--context "$out/cpu-ob1/probe.json")
        scripts/gpuxfer-tune -r 3 --budget 25 "${ctx[@]}" -o "$out/cpu-ob1" -- \
            --path mpi --mem pageable --pattern latency,bw >"$out/cpu-ob1.txt" 2>&1 ;;
    ucx) scripts/gpuxfer-tune -r 3 --budget 15 -o "$out/cpu-ucx" --knobs pml,UCX_TLS,UCX_RNDV_THRESH \
            --set OMPI_MCA_pml=ucx --set OMPI_MCA_pml_ucx_tls=any --set OMPI_MCA_pml_ucx_devices=any -- \
            --path mpi --mem pageable --pattern latency,bw --sizes 8,8K,256K,2M >"$out/cpu-ucx.txt" 2>&1 ;;
    pml) scripts/gpuxfer-tune -r 5 --context "$out/cpu-ob1/probe.json" -o "$out/cpu-pml" \
            --verify "OMPI_MCA_pml=ucx OMPI_MCA_pml_ucx_tls=any OMPI_MCA_pml_ucx_devices=any" -- \
            --path mpi --mem pageable --pattern latency,bw --sizes 4,8K,256K,2M >"$out/cpu-pml.txt" 2>&1 ;;
    *) echo "cpu-tune.sh: '$t': expected ob1, ucx or pml" >&2; exit 2 ;;
    esac
    echo "exit $?" >>"$out/cpu-$t.txt"
    echo "$t end $(date -u +%H:%M:%S): $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/load.txt"
done
