#!/bin/bash
# The GPU-machine checks behind the closing notes, run there from the repository root with
# .gpukit (device kit), build-gpu (an x86-64 build against the kit's CUDA-aware Open MPI) and
# .whl (jsonschema wheels for the tests' report checks) carried along. Writes under $OUT.
#   scripts/h200-checks.sh topo|suite|faults|sanitizer|bench|soak|sweep|zerocopy|sticky|limits|
#                          unified-ab|latency ...
set -u
. .gpukit/env.sh
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site \
    .whl/*.whl >/dev/null 2>&1
export PYTHONPATH=/tmp/site
G=$PWD/build-gpu/src/gpuxfer
export GPUXFER=$G MPIRUN=mpirun PYTHON=python3 top_srcdir=$PWD TEST_TMP=/tmp/gx
OUT=${OUT:-/tmp/out}
# Output files are named after the machine: h200x4-... on 4 x H200, h200x2-... on 2.
MACH=${MACH:-h200x$(nvidia-smi -L 2>/dev/null | grep -c "^GPU")}
mkdir -p "$TEST_TMP" "$OUT"
quiet_ompi() { grep -v -e cuMemHostRegister -e '^ *cuMemHostRegister' -e 'help_aggregate' -e '^-----' ; }
# The table rows of pair 0->1 that gpuxfer printed, each prefixed with a label.
rows() { grep -E '^ +[0-9]+ +0->1' | sed "s/^/$1: /"; }
# MPI on pinned host memory at SIZES with each window W ("default": gpuxfer's own).
mpi_windows() {
    local sizes=$1 w wopt; shift
    for w in "$@"; do
        wopt="--window $w"; [ "$w" = default ] && wopt=
        # shellcheck disable=SC2086
        timeout 100 mpirun -np 2 --bind-to none "$G" --path mpi --mem pinned --pattern bw \
            --sizes "$sizes" $wopt --calibrate off --quiet --output /tmp/win.json --force 2>&1 |
            rows "mpi pinned window $w"
    done
}
# Each result of a report with its median, efficiency and per-stage times (initiator/peer).
stage_table() {
    python3 - "$1" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    st = ", ".join("%s %.1f/%.1f us" % (s["name"], s["initiator_us"], s["peer_us"])
                   for s in r.get("stages", []))
    eff = "%.1f%%" % (100 * r["efficiency"]) if r.get("efficiency") else "-"
    print("%-16s %-7s %10d %10.3f %-5s eff %-6s %s" % (r["path"], r["pattern"], r["size"],
          r["stats"]["median"], r["unit"], eff, st))
PY
}
for what in "$@"; do
    echo "=== $what"
    case $what in
    topo)
        # Every ordered pair of the 4 GPUs, p2p and NCCL: the topology header, the pair matrix.
        timeout 300 mpirun -np 4 --bind-to none "$G" --pairs all --path p2p,nccl \
            --pattern latency,bw --sizes 8,64M --iters 20 --quiet \
            --output "$OUT/${MACH}-allpairs.json" 2>&1 | quiet_ompi | tee "$OUT/${MACH}-allpairs.txt" |
            sed -n '1,12p;/pair matrix/,/^$/p'
        python3 tests/check_report.py "$OUT/${MACH}-allpairs.json" --ranks 4 && echo "report valid" ;;
    suite)
        timeout ${SUITE_LIMIT:-150} sh tests/gpu_paths.sh >"$OUT/gpu_paths.tap" 2>&1
        echo "gpu_paths rc=$?"; grep -E '^not ok|^1\.\.' "$OUT/gpu_paths.tap" ;;
    sanitizer)
        # Every error block with its host backtrace: an error whose frames are all inside Open
        # MPI or NCCL (not gpuxfer's own code) is attributed to that library.
        for tool in ${SAN_TOOLS:-memcheck racecheck}; do
            for p in ${SAN_PATHS:-mpi staged p2p zerocopy unified-prefetch unified-demand nccl}; do
                sizes=8,4095,1M+3; [ $p = nccl ] && sizes=8,4095
                timeout 200 mpirun -np 2 --bind-to none compute-sanitizer --tool $tool \
                    --error-exitcode 9 --print-limit 20 --show-backtrace host "$G" --path $p \
                    --pattern latency,bw,bibw --sizes $sizes --iters 2 --warmup 1 --quiet \
                    --calibrate off --output /tmp/san-$p.json >"/tmp/san-$tool-$p.log" 2>&1
                rc=$?
                echo "$tool $p: rc=$rc $(grep -E 'ERROR SUMMARY' /tmp/san-$tool-$p.log | sort | uniq -c | tr '\n' ' ')"
                python3 scripts/sanitizer-attribute "/tmp/san-$tool-$p.log"
            done
        done ;;
    bench)
        # The full sweep with calibration and the goals table (issue: performance).
        MPIRUN_ARGS="--bind-to none" timeout ${BENCH_LIMIT:-570} bash scripts/gpuxfer-bench -n 2 \
            -o /tmp/bench -t $(( ${BENCH_LIMIT:-570} - 20 )) 2>&1 | tee "$OUT/${MACH}-bench-goals.txt"
        echo "bench rc=${PIPESTATUS[0]}"
        cp /tmp/bench/bench.json "$OUT/${MACH}-gpu-sweep.json"
        quiet_ompi </tmp/bench/bench.txt >"$OUT/${MACH}-gpu-sweep.txt"
        sed -n '/^# calibration/,/^$/p' /tmp/bench/bench.txt | head -40
        python3 tests/check_report.py "$OUT/${MACH}-gpu-sweep.json" --ranks 2 --allow-skipped \
            && echo "report valid" ;;
    soak)
        MPIRUN_ARGS="--bind-to none" timeout $(( ${SOAK_SECONDS:-300} + 200 )) bash scripts/gpuxfer-soak \
            -n 2 -d ${SOAK_SECONDS:-300} -i 5 -o /tmp/soak -- --calibrate off 2>&1 | \
            tee "$OUT/${MACH}-soak.txt" | tail -n 40
        echo "soak rc=${PIPESTATUS[0]}"
        cp /tmp/soak/report.json "$OUT/${MACH}-soak.json"; cp /tmp/soak/samples.tsv "$OUT/${MACH}-soak-samples.tsv" ;;
    zerocopy)
        # Chunked zerocopy and p2p at large sizes with --chunk auto, against this run's ceilings;
        # then the NCCL variants (action nccl).
        timeout 150 mpirun -np 2 --bind-to none "$G" --path zerocopy,p2p --pattern bw --chunk auto \
            --sizes 8M,64M,128M,1G --quiet --output "$OUT/${MACH}-zerocopy-p2p.json" 2>&1 | quiet_ompi \
            >"$OUT/${MACH}-zerocopy-p2p.txt"
        echo "zerocopy/p2p rc=$?"; python3 scripts/gpuxfer-goals "$OUT/${MACH}-zerocopy-p2p.json" | grep -v '^cv'
        bash "$0" nccl ;;
    nccl)
        # NCCL send/recv at 256M and 1G with its defaults and with one setting changed at a time:
        # copy-engine p2p, a larger NVLink chunk, more channels, more threads per channel.
        for env in "" NCCL_P2P_USE_CUDA_MEMCPY=1 NCCL_P2P_NVL_CHUNKSIZE=2097152 \
                   NCCL_MIN_P2P_NCHANNELS=32 NCCL_MIN_NCHANNELS=32 NCCL_NTHREADS=512; do
            # local ranks inherit mpirun's environment
            timeout 60 env $env mpirun -np 2 --bind-to none "$G" --path nccl --pattern bw --sizes 256M,1G \
                --calibrate off --output /tmp/nccl.json --force 2>&1 | rows "nccl ${env:-defaults}"
        done ;;
    plan)
        # The transfer plan from scenarios/plan.json, calibrated: one size per class.
        timeout 400 mpirun -np 2 --bind-to none "$G" --scenario scenarios/plan.json --quiet \
            --output "$OUT/${MACH}-plan.json" 2>&1 | quiet_ompi >"$OUT/${MACH}-plan.txt"
        echo "plan rc=$?"; sed -n '/^# transfer plan/,/^$/p' "$OUT/${MACH}-plan.txt"
        python3 tests/check_report.py "$OUT/${MACH}-plan.json" --ranks 2 --allow-skipped \
            && echo "report valid" ;;
    cv)
        # Where the spread of the large bandwidth results comes from: every sample kept, 40
        # iterations; per result the cv of all samples, of the last half, the first five samples
        # and the slowest five with their iteration numbers.
        for paths in "host --mem pinned" "staged,nccl"; do
            timeout 150 mpirun -np 2 --bind-to none "$G" --path $paths --pattern bw,bibw \
                --sizes 128M,512M --chunk 4M --depth 4 --iters 40 --samples --calibrate off \
                --quiet --output "$OUT/${MACH}-cv-$(echo ${paths%% *} | tr , -).json" 2>&1 |
                quiet_ompi >/dev/null
            echo "cv $paths rc=$?"
        done
        python3 - "$OUT/${MACH}-cv-host.json" "$OUT/${MACH}-cv-staged-nccl.json" <<'PY'
import json, statistics as st, sys
def cv(x):
    return 100 * st.pstdev(x) / st.mean(x)
for r in [r for f in sys.argv[1:] for r in json.load(open(f))["results"]]:
    x = r.get("samples")
    if r["status"] != "ok" or not x:
        continue
    slow = sorted(range(len(x)), key=lambda i: x[i])[:5]
    print("%-7s %-5s %5dM cv %5.2f%% last half %5.2f%% | first %s | slowest %s" % (
        r["path"], r["pattern"], r["size"] >> 20, cv(x),
        cv(x[len(x) // 2:]), " ".join("%.1f" % v for v in x[:5]),
        " ".join("%d:%.1f" % (i, x[i]) for i in slow)))
PY
        ;;
    depth)
        # Does a deeper staging ring reach more of MPI's windowed rate? staged at 256M with 8 and
        # 16 chunks in flight beside 4, and MPI on pinned memory with as many messages in flight.
        timeout 150 mpirun -np 2 --bind-to none "$G" --path staged --pattern bw --sizes 256M \
            --chunk 1M,4M --depth 4,8,16 --iters 10 --calibrate off --quiet \
            --output "$OUT/${MACH}-staged-depth.json" 2>&1 | rows staged
        mpi_windows 1M,4M 4 8 16 32 64 ;;
    limits)
        # What limits the paths that miss their goals (issue: performance): the unified paths'
        # stage times; MPI on pinned host memory with as few messages in flight as the staged
        # ring has (window 1, 2, 4) at its chunk sizes, beside the windowed default.
        timeout 200 mpirun -np 2 --bind-to none "$G" --path unified-prefetch,unified-demand \
            --pattern bw,latency --sizes 64M,256M --iters 5 --quiet \
            --output "$OUT/${MACH}-unified-stages.json" 2>&1 | quiet_ompi >"$OUT/${MACH}-unified-stages.txt"
        echo "unified rc=$?"
        stage_table "$OUT/${MACH}-unified-stages.json"
        mpi_windows 4M,16M 1 2 4 default
        # CUDA-aware MPI on the managed buffers themselves, and 8 B latency of p2p beside MPI
        # on device buffers: the token and copy costs that p2p's ping-pong adds up.
        timeout 100 mpirun -np 2 --bind-to none "$G" --path mpi --mem managed --pattern bw \
            --sizes 64M,256M --calibrate off --quiet --output /tmp/mm.json --force 2>&1 |
            rows "mpi managed"
        timeout 100 mpirun -np 2 --bind-to none "$G" --path p2p,mpi --pattern latency --sizes 8 \
            --iters 2000 --calibrate off --quiet --output /tmp/lat.json --force 2>&1 |
            rows latency ;;
    unified-ab)
        # The unified paths' stages with MPI's CUDA support on (the kit's default) and off: what
        # MPI's handling of managed buffers costs.
        for cs in 1 0; do
            timeout 200 mpirun -np 2 --bind-to none --mca opal_cuda_support $cs "$G" \
                --path unified-prefetch,unified-demand --pattern bw --sizes 64M,256M --iters 5 \
                --quiet --output "$OUT/${MACH}-unified-cuda$cs.json" 2>&1 | quiet_ompi \
                >"$OUT/${MACH}-unified-cuda$cs.txt"
            echo "unified opal_cuda_support=$cs rc=$?"
            stage_table "$OUT/${MACH}-unified-cuda$cs.json"
        done ;;
    latency)
        # 8 B to 128 KiB latency of p2p (the GPUs' own ping-pong up to 64 KiB) beside MPI on
        # device buffers, every round trip's data checked.
        timeout 150 mpirun -np 2 --bind-to none "$G" --path p2p,mpi --pattern latency \
            --sizes 8,4K,64K,128K --iters 2000 --validate all --quiet \
            --output "$OUT/${MACH}-latency.json" 2>&1 | quiet_ompi >"$OUT/${MACH}-latency.txt"
        echo "latency rc=$?"; grep -E '^ +[0-9]+ +0->1|^ *size|path' "$OUT/${MACH}-latency.txt" | head -20 ;;
    sticky)
        # A real sticky CUDA error (illegal address on rank 1 at 4K): failed result, every rank
        # stops, report written with the error, exit 3, no hang.
        GPUXFER_FAULT=cuda-sticky:rank=1:size=4K timeout 120 mpirun -np 2 --bind-to none "$G" \
            --path staged --pattern bw --sizes 8,4K,1M --iters 5 --calibrate off --quiet \
            --output /tmp/sticky.json >/tmp/sticky.txt 2>&1
        echo "sticky rc=$? (expected 3)"; grep -v cuMemHostRegister /tmp/sticky.txt | tail -n 5
        python3 -c "import json; d=json.load(open('/tmp/sticky.json')); print('status', d['status'], 'exit', d['exit_code'], 'failure', d.get('failure'), 'error', d.get('error')); print([(r['size'], r['status'], r.get('reason', '')[:80]) for r in d['results']])" ;;
    faults)
        timeout 200 sh tests/faults.sh >"$OUT/faults.tap" 2>&1
        echo "faults rc=$?"; grep -E '^not ok|^1\.\.|cuda|SKIP' "$OUT/faults.tap" ;;
    sweep)
        timeout 330 mpirun -np 2 --bind-to none "$G" --scenario scenarios/gpu-sweep.json --quiet \
            --output "$OUT/${MACH}-gpu-sweep.json" 2>&1 | quiet_ompi >"$OUT/${MACH}-gpu-sweep.txt"
        echo "sweep rc=$?"; python3 scripts/gpuxfer-summary "$OUT/${MACH}-gpu-sweep.json" ;;
    esac
done
