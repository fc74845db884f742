#!/bin/sh
# The default run (no --path, --mem or --scenario): on GPUs (here stood in for by --fake-gpus on
# a real node's topology) every path that moves GPU data, latency at 8 B and bw at one size per
# class; with --pattern or --sizes, one run of those over the same paths; without a GPU, the
# host run. Checked on --dry-run's plan, which needs no GPU.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/default_run.XXXXXX")
xml="$top_srcdir/tests/topologies/h200x4-vm.xml"
gpus=0000:00:06.0,0000:00:07.0

# The plan's result lines as "run path pattern size" (not its ceiling probes'): a step line is
# "step path memory pattern size ...", after "# run NAME" where its run has a name.
plan() { awk '/^# run / { run = $3 } /^ +[0-9]+ / && $2 !~ /^ceiling:/ {
                  print (run == "" ? "-" : run), $2, $4, $5 }' "$1"; }

gx_mpirun 2 --dry-run >"$dir/host.txt" 2>&1
ok $? "no GPU given: --dry-run exits 0"
[ "$(plan "$dir/host.txt" | awk '{print $2}' | sort -u)" = host ]
ok $? "no GPU given: the host run, as before" || diag <"$dir/host.txt"

if ! grep -q '^#define HAVE_CUDA 1' "$top_builddir/config.h" 2>/dev/null; then
    skip "the GPU default run: this build has no CUDA (its GPU paths are not in it)"
    skip "the GPU default run with --pattern/--sizes: no CUDA"
    done_testing
    exit $?
fi

gx_mpirun 2 --dry-run --topology-xml "$xml" --fake-gpus $gpus >"$dir/gpu.txt" 2>&1
ok $? "GPUs seen: --dry-run exits 0" || diag <"$dir/gpu.txt"
plan "$dir/gpu.txt" >"$dir/gpu.plan"
want_paths="mpi nccl p2p staged staged-mpi unified-demand unified-prefetch zerocopy"
got_lat=$(awk '$1 == "latency" {print $2}' "$dir/gpu.plan" | sort -u | tr '\n' ' ')
got_bw=$(awk '$1 == "bandwidth" {print $2}' "$dir/gpu.plan" | sort -u | tr '\n' ' ')
have_nccl=$(grep -c '^#define HAVE_NCCL 1' "$top_builddir/config.h")
[ "$have_nccl" -eq 1 ] || want_paths=$(echo "$want_paths" | sed 's/nccl //')
[ "$got_lat" = "$want_paths " ] && [ "$got_bw" = "$want_paths " ] && ! grep -q ' host ' "$dir/gpu.plan"
ok $? "GPUs seen: every path that moves GPU data, no host path (latency: $got_lat; bandwidth: $got_bw)" ||
    diag <"$dir/gpu.txt"
lat=$(awk '$1 == "latency" {print $3 "@" $4}' "$dir/gpu.plan" | sort -u)
bw=$(awk '$1 == "bandwidth" {print $4}' "$dir/gpu.plan" | sort -u | tr '\n' ' ')
[ "$lat" = "latency@8" ] && [ "$bw" = "16M 1M 4K 64K 64M " ] &&
    [ "$(awk '$1 == "bandwidth" {print $3}' "$dir/gpu.plan" | sort -u)" = bw ]
ok $? "GPUs seen: latency at 8 B only ($lat), bw at one size per class up to xlarge ($bw)"
# The GPU default run fits its own budget, which the plan says before it starts.
grep -qE '(within|over) the budget of 70 s' "$dir/gpu.txt" && grep -q '^# budget 70 s for ' "$dir/gpu.txt"
ok $? "GPUs seen: the run has a budget of its own (70 s on 2 GPUs, no map), and says what it buys" ||
    diag <"$dir/gpu.txt"

# Fake GPUs measure nothing: outside --dry-run they leave the host run.
gx_mpirun 2 --topology-xml "$xml" --fake-gpus $gpus --sizes 8 --iters 3 --ceilings off --quiet \
    --output "$dir/fake.json" >"$dir/fake.txt" 2>&1
ok $? "fake GPUs, measuring: exit 0" || diag <"$dir/fake.txt"
py_check "$dir/fake.json" <<'PY'
import json, sys
sys.exit(0 if {r["path"] for r in json.load(open(sys.argv[1]))["results"]} == {"host"} else 1)
PY
ok $? "fake GPUs, measuring: the host run"

gx_mpirun 2 --dry-run --topology-xml "$xml" --fake-gpus $gpus --pattern bibw --sizes 1M \
    --iters 7 >"$dir/axes.txt" 2>&1
plan "$dir/axes.txt" >"$dir/axes.plan"
[ "$(awk '{print $3 "@" $4}' "$dir/axes.plan" | sort -u)" = "bibw@1M" ] &&
    [ "$(awk '{print $2}' "$dir/axes.plan" | sort -u | tr '\n' ' ')" = "$want_paths " ]
ok $? "GPUs seen, --pattern and --sizes given: one run of them over every GPU path" ||
    diag <"$dir/axes.txt"
gx_mpirun 2 --dry-run --topology-xml "$xml" --fake-gpus $gpus --path staged >"$dir/path.txt" 2>&1
[ "$(plan "$dir/path.txt" | awk '{print $2}' | sort -u)" = staged ]
ok $? "GPUs seen, --path given: only that path"

rm -rf "$dir"
done_testing
