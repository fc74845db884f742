#!/bin/sh
# --check, the node check, without a GPU: on this machine (no GPU: the host run stands in, the
# verdict says it could not run, exit 7, the report's status the stand-in run's own; on a GPU
# node PASS or FAIL, exit 0 or 8); with the stand-in NVML (tests/fake_nvml.c) of two H100 NVL
# whose NVLink count or counters are degraded (exit 8, a FAIL line whose reason scontrol takes);
# bad input, and options that would take it past its 60 s (exit 2, one line, no verdict);
# and --dry-run's plan on recorded topologies: the map alone within the check's 60 s on the
# 4 x H200 VM, eight H100 on NVSwitch and the DGX-2's 16 GPUs.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/check_preset.XXXXXX")
topo="$top_srcdir/tests/topologies"
lib="$top_builddir/tests/fake-nvml"
base="$top_srcdir/tests/fake-nvml-h100nvl.txt"
NVL="0000:00:06.0,0000:00:07.0"

# verdict_ok FILE: its last line is the one verdict line, PASS or FAIL reason="..." with a reason
# of at most 80 characters of letters, digits, spaces and .,:/_+- (what scontrol's reason=
# takes as it is); no other verdict line before it.
verdict_ok() {
    last=$(tail -n 1 "$1")
    [ "$(grep -c '^PASS$\|^FAIL reason=' "$1")" -eq 1 ] || return 1
    [ "$last" = PASS ] && return 0
    reason=$(printf '%s\n' "$last" | sed -n 's/^FAIL reason="\([A-Za-z0-9 .,:\/_+-]*\)"$/\1/p')
    [ -n "$reason" ] && [ "${#reason}" -le 80 ] && [ "$reason" = "$(echo $reason)" ]
}

# 1. This machine, as it is.
gx_mpirun_table "$dir/here.txt" 2 --check --output "$dir/here.json" >"$dir/here.mpirun" 2>"$dir/here.err"
rc=$?
verdict_ok "$dir/here.txt"
ok $? "on this machine: one verdict line, the table's last ($(tail -n 1 "$dir/here.txt"))" ||
    diag <"$dir/here.txt"
if nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    [ $rc -eq 0 ] || [ $rc -eq 8 ]
    ok $? "a GPU node: exit 0 (PASS) or 8 (FAIL), $rc"
    skip "the no-GPU verdict: this machine has a GPU"
else
    [ $rc -eq 7 ] && grep -q '^FAIL reason="gpuxfer could not run: no GPU on rank 0: [^"]*"$' "$dir/here.txt" &&
        grep -q '^gpuxfer: --check: no GPU on rank 0: .*; the host run stood in (exit 7)$' "$dir/here.err"
    ok $? "no GPU: exit 7 ($rc), FAIL reason=\"gpuxfer could not run: no GPU on rank 0: ...\", and why on stderr" ||
        diag <"$dir/here.err"
    py_check "$dir/here.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = (d["status"], d["exit_code"], d["error"].startswith("no GPU on rank 0: "), d["health"]["findings"])
want = ("complete", 7, True, [])
print("got %r, expected %r" % (got, want) if got != want else "")
sys.exit(got != want)
PY
    ok $? "its report: the stand-in's own status (complete, its results measured), exit_code 7, the error, no finding"
fi

# 2. The stand-in NVML's two H100 NVL as fake GPUs: what it reads is judged although the host
# run stands in for the map.
run_nvml() { # run_nvml NAME: --check on $dir/NAME.nvml; exit status
    GX_FAKE_NVML_CONFIG="$dir/$1.nvml" GPUXFER_FAKE_NVML=1 \
    LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        gx_mpirun_table "$dir/$1.txt" 2 --check --topology-xml "$topo/h200x4-vm.xml" \
        --fake-gpus "$NVL" --output "$dir/$1.json" >"$dir/$1.mpirun" 2>"$dir/$1.err"
}
if [ -f "$lib/libnvidia-ml.so.1" ]; then
    sed 's/^0000:00:07.0   6       12    12 /0000:00:07.0   6       12    11 /' "$base" >"$dir/down.nvml"
    run_nvml down
    rc=$?
    [ $rc -eq 8 ] && verdict_ok "$dir/down.txt" &&
        [ "$(tail -n 1 "$dir/down.txt")" = 'FAIL reason="gpuxfer: GPU 0000:00:07.0 rank 1: 1 NVLink down, 11 of 12 active"' ]
    ok $? "one NVLink of GPU 1 down (11 of its 12): exit 8 ($rc), the finding as the reason: $(tail -n 1 "$dir/down.txt")" ||
        diag <"$dir/down.err"
    py_check "$dir/down.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = (d["status"], d["exit_code"], [f["check"] for f in d["health"]["findings"]])
want = ("complete", 8, ["nvlink-down"])
print("got %r, expected %r" % (got, want) if got != want else "")
sys.exit(got != want)
PY
    ok $? "its report: complete, exit_code 8, the finding the reason names"

    { cat "$base"; echo "set 0000:00:07.0 pcie_replay 0>1"; echo "set 0000:00:06.0 nvlink_replay:2 3>9"; } >"$dir/moved.nvml"
    run_nvml moved
    rc=$?
    [ $rc -eq 8 ] && verdict_ok "$dir/moved.txt" &&
        grep -q '^FAIL reason="gpuxfer: GPU 0000:00:06.0 rank 0: NVLink replays during the run +1 more"$' "$dir/moved.txt"
    ok $? "two counters that moved during the run: exit 8 ($rc), the first named, +1 more: $(tail -n 1 "$dir/moved.txt")" ||
        diag <"$dir/moved.err"

    cp "$base" "$dir/steady.nvml"
    run_nvml steady
    rc=$?
    [ $rc -eq 7 ] && verdict_ok "$dir/steady.txt" &&
        grep -q '^FAIL reason="gpuxfer could not run: no GPU on rank 0: fake GPUs measure nothing"$' "$dir/steady.txt"
    ok $? "steady counters on fake GPUs: no finding, so could not run (exit 7, $rc)" ||
        diag <"$dir/steady.txt"
else
    skip "the stand-in NVML is not built (make check builds it)"
    skip "the stand-in NVML is not built"
    skip "the stand-in NVML is not built"
    skip "the stand-in NVML is not built"
fi

# 3. Bad input: exit 2, one line on stderr naming the option, nothing on stdout (no verdict:
# the check did not run, and a prolog must not take a typo for a node's state).
bad() { # bad DESCRIPTION NP ARGS...
    d=$1 np=$2; shift 2
    gx_mpirun_table "$dir/bad.txt" "$np" "$@" --output "$dir/bad.json" >"$dir/bad.mpirun" 2>"$dir/bad.err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/bad.err")" -eq 1 ] && [ ! -s "$dir/bad.txt" ] &&
        [ ! -e "$dir/bad.json" ]
    ok $? "$d: exit 2 ($rc), one line, no verdict, no report: $(grep '^gpuxfer: ' "$dir/bad.err")" ||
        diag <"$dir/bad.err"
}
bad "--check --sizes 8" 2 --check --sizes 8
grep -q "^gpuxfer: --sizes: not with --check" "$dir/bad.err"
ok $? "the error names the option"
bad "--check --scenario plan" 2 --check --scenario plan
bad "--check --map off" 2 --map off --check
bad "--check --budget x" 2 --check --budget x
bad "--check on 1 rank" 1 --check
# What would take it past its 60 s, or change its plan, is refused by the run and the dry run
# alike: the option named, the limit and what is allowed.
bad "--check --iters 100000" 2 --check --iters 100000
grep -q "^gpuxfer: --iters: not with --check, whose plan is fixed (.*within 60 s)" "$dir/bad.err"
ok $? "the error names --iters and the check's 60 s"
bad "--check --dry-run -i 100000" 2 --check --dry-run -i 100000
for opt in "--warmup 100000" "--window 64" "--visits 8" "--precision 0.001" "--validate all"; do
    bad "--check --dry-run $opt" 2 --check --dry-run $opt
done
for opt in budget timeout; do
    bad "--check --$opt 5000" 2 --check --$opt 5000
    grep -q "^gpuxfer: --$opt 5000: past --check's limit of 60 s (give at most 60, or leave it out)$" "$dir/bad.err"
    ok $? "--$opt 5000: the limit and what is allowed"
    bad "--check --dry-run --$opt 61" 2 --check --dry-run --$opt 61
done

# 4. --dry-run's plan: the map alone, within the check's 60 s, on 4, 8 and 16 GPUs (the node's
# allreduce too beyond 2 GPUs, where NCCL is built).
if grep -q '^#define HAVE_CUDA 1' "$top_builddir/config.h" 2>/dev/null; then
    coll=
    grep -q '^#define HAVE_NCCL 1' "$top_builddir/config.h" && coll="map-allreduce "
    dry() { # dry NAME NP XML BUSIDS RUNS
        gx_mpirun "$2" --check --dry-run --topology-xml "$topo/$3" --fake-gpus "$4" >"$dir/$1.dry" 2>&1
        rc=$?
        runs=$(awk '/^# run / { print $3 }' "$dir/$1.dry" | tr '\n' ' ')
        est=$(tr '\n' ' ' <"$dir/$1.dry" | sed 's/ #   / /g' |
              sed -n 's/.* measurements (.*; estimate \([0-9.]*\) s, at each .*/\1/p')
        [ $rc -eq 0 ] && [ "$runs" = "$5" ] && [ -n "$est" ] &&
            awk -v e="$est" 'BEGIN { exit !(e <= 60) }' &&
            grep -q '^# the estimate is within the budget of 60 s' "$dir/$1.dry" &&
            ! grep -q '^PASS\|^FAIL' "$dir/$1.dry"
        ok $? "$1: --check --dry-run plans the map alone ($runs), estimate ${est:-?} s within 60 s, no verdict" ||
            diag <"$dir/$1.dry"
        echo "# $1: --check --dry-run estimate ${est:-?} s"
    }
    dry "4 x H200" 4 h200x4-vm.xml "0000:00:06.0,0000:00:07.0,0000:00:08.0,0000:00:09.0" \
        "map map-bibw map-host $coll"
    dry "8 x H100 NVSwitch" 8 h100x8-nvswitch.xml \
        "0000:00:06.0,0000:00:07.0,0000:00:08.0,0000:00:09.0,0000:00:0a.0,0000:00:0b.0,0000:00:0c.0,0000:00:0d.0" \
        "map map-bibw map-host $coll"
    dry "DGX-2" 16 dgx2-16gpu.xml \
        "34:00.0,36:00.0,39:00.0,3b:00.0,57:00.0,59:00.0,5c:00.0,5e:00.0,b7:00.0,b9:00.0,bc:00.0,be:00.0,e0:00.0,e2:00.0,e5:00.0,e7:00.0" \
        "map map-bibw map-host $coll"
    dry "2 GPUs" 2 h200x4-vm.xml "$NVL" "map map-bibw map-host "
    # On 2 GPUs the map is both ways of the one pair, its bibw and both host links both ways.
    [ "$(awk '/^ +[0-9]+ / { print $2, $4, $10 }' "$dir/2 GPUs.dry" | tr '\n' ';')" = \
          "p2p bw 0:1;p2p bw 1:0;p2p bibw 0:1;host-to-device bw 0:1;host-to-device bw 1:0;device-to-host bw 0:1;device-to-host bw 1:0;" ]
    ok $? "2 GPUs: both ways, the pair's bibw and each host link both ways" || diag <"$dir/2 GPUs.dry"
    # A shorter box is the user's to give: its plan is the same, within it.
    gx_mpirun 2 --check --dry-run --budget 30 --timeout 60 --topology-xml "$topo/h200x4-vm.xml" \
        --fake-gpus "$NVL" >"$dir/short.dry" 2>&1
    [ $? -eq 0 ] && grep -q '^# the estimate is within the budget of 30 s' "$dir/short.dry"
    ok $? "--budget 30 --timeout 60: the same plan within 30 s" || diag <"$dir/short.dry"
else
    skip "the dry run's map: this build has no CUDA (no GPU default run)"
fi

# 5. --help says it, the man page's table too.
gx_mpirun 1 --help >"$dir/help" 2>&1
grep -q '^  --check ' "$dir/help"
ok $? "--help lists --check"
rm -rf "$dir"
done_testing
