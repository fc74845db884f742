#!/bin/sh
# GPU paths: every path x pattern over sizes across the size classes (odd sizes and sizes that
# are not a multiple of the chunk included), validated, on 2 ranks; p2p and nccl on 4 ranks;
# staged over several chunk x depth combinations. Without a GPU (or without CUDA in the build)
# every path is reported skipped with the reason, and so is each test here. With one GPU for
# both ranks, nccl (a GPU per rank) and p2p's kernel ping-pong (a peer GPU) are expected skipped.
# It should finish within 8 minutes on one H200; it says its wall time at the end.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/gpu.XXXXXX")
started=$(date +%s)
gpu_paths="mpi staged staged-mpi p2p nccl zerocopy unified-prefetch unified-demand"
sizes=1,4095,64K+1,1M+3,5M+1,33M,130M

# Probe: does a GPU path run here at all? The report says why not.
gx_mpirun 2 --path staged --pattern latency --sizes 8 --iters 2 --quiet \
    --allow-skip --output "$dir/probe.json" >"$dir/probe.txt" 2>&1
ok $? "probe run exits 0 with or without a GPU (--allow-skip)"
why=$("$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['skipped']; print(s[0]['reason'] if s else '')" "$dir/probe.json")
if [ -n "$why" ]; then
    # The paths must still be reported as skipped, with the reason, in a valid report.
    gx_mpirun 2 --path "$(echo $gpu_paths | tr ' ' ,)" --sizes 8 --iters 2 --quiet \
        --output "$dir/skip.json" >"$dir/skip.txt" 2>"$dir/skip.err"
    rc=$?
    # Without CUDA in the build, mpi runs on host memory; otherwise nothing can run here: exit 7,
    # and the table's last line (stdout; mpirun adds its own lines to stderr) says why.
    if "$PYTHON" -c "import json,sys; sys.exit(not any(r['status'] == 'ok' for r in json.load(open(sys.argv[1]))['results']))" "$dir/skip.json" 2>/dev/null; then
        [ $rc -eq 0 ]
        ok $? "GPU paths requested without a GPU, some measured on host memory: exit 0 (got $rc)"
        want=complete
    else
        [ $rc -eq 7 ] && grep -v '^$' "$dir/skip.txt" | tail -n 1 |
            grep -q "^# nothing measured: every step skipped, the report's \"skipped\" says why" &&
            grep -q "^gpuxfer: nothing was measured: every measurement was skipped (the first: [a-z-]* (memory [a-z]* -> [a-z]*): no CUDA driver" "$dir/skip.err" &&
            "$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d['status'] == 'nothing_measured' and d['exit_code'] == 7))" "$dir/skip.json"
        ok $? "all GPU paths requested without a GPU: nothing measured, exit 7, said last (got $rc)" ||
            cat "$dir/skip.txt" "$dir/skip.err" | diag
        want=nothing_measured
    fi
    check_report "$dir/skip.json" --status $want --allow-skipped
    ok $? "report valid"
    for p in $gpu_paths; do
        r=$("$PYTHON" - "$dir/skip.json" "$p" <<'PY'
import json, sys
d, p = json.load(open(sys.argv[1])), sys.argv[2]
why = [s["reason"] for s in d["skipped"] if s["path"] == p]
why += [r["reason"] for r in d["results"] if r["path"] == p and r["status"] == "skipped"]
ran = [r for r in d["results"] if r["path"] == p and r["status"] == "ok"]
print(why[0] if why else "ran on host memory" if ran else "")
PY
)
        case "$r" in
        "") ok 1 "path $p has neither results nor a skip reason" ;;
        "ran on host memory") ok 0 "path $p runs on host memory in this build (no CUDA)" ;;
        *) skip "path $p: $r" ;;
        esac
    done
    rm -rf "$dir"
    done_testing
    exit $?
fi
# Ranks 0 and 1 on one GPU (the probe's pair: the topology says "the same GPU").
shared_gpu=$("$PYTHON" -c "import json,sys; p=json.load(open(sys.argv[1]))['context']['pairs']; print(int(any(x.get('link_source') == 'the same GPU' for x in p)))" "$dir/probe.json")

# What the MPI library or UCX prints when it falls back or fails with device buffers (Open MPI's
# "cuIpcGetMemHandle failed", UCX errors): a run that printed one measured something other than
# what it says. GX_MPI_COMPLAINTS_KNOWN (an ERE) names the complaints a machine prints for
# every program, osu's too (Open MPI 4.1's cuMemHostRegister of its segment on the H200 VMs):
# they are listed, not failed.
# The smallest CUDA-aware MPI program (tests/mpi_cuda_baseline.c) runs first: a complaint it
# prints too is the library's on this machine, said once here and listed as known, never a
# failure of gpuxfer; one only gpuxfer's runs print still fails. Lines are compared with their
# numbers and addresses blanked (each process registers its own segment).
shape() { sed -e 's/0x[0-9a-fA-F]*/0x_/g' -e 's/[0-9][0-9]*/N/g' -e 's/[[:space:]]*$//'; }
known="$dir/baseline.known"
: >"$known"
if [ -x "$top_builddir/tests/mpi_cuda_baseline" ]; then
    # shellcheck disable=SC2086
    timeout -k 10 120 "$MPIRUN" -np 2 $gx_mpirun_opts "$top_builddir/tests/mpi_cuda_baseline" \
        >"$dir/baseline.txt" 2>&1
    rc=$?
    [ $rc -eq 0 ] && grep -q "arrived intact" "$dir/baseline.txt"
    ok $? "the smallest CUDA-aware MPI program: a device buffer sent by MPI arrives intact (exit $rc)" ||
        tail -n 20 "$dir/baseline.txt" | diag
    grep -a -E -f "$top_srcdir/dev/mpi-complaints.ere" "$dir/baseline.txt" | shape | sort -u >"$known"
    if [ -s "$known" ]; then
        echo "the MPI library's own complaints on this machine (the baseline program prints them too; docs/mpi-libraries.md):" | diag
        sed 's/^/  /' "$known" | diag
    fi
else
    skip "no tests/mpi_cuda_baseline in this build (no CUDA): no baseline of the library's complaints"
fi
complaints() { # FILE: prints the complaints not known on this machine
    grep -a -E -f "$top_srcdir/dev/mpi-complaints.ere" "$1" | shape |
        grep -a -v -x -F -f "$known" |
        { if [ -n "${GX_MPI_COMPLAINTS_KNOWN:-}" ]; then grep -a -v -E "$GX_MPI_COMPLAINTS_KNOWN"; else cat; fi; }
}
run() { # NAME NP ARGS...: run, check exit and report
    name=$1; np=$2; shift 2
    GX_TIMEOUT=${T:-400} gx_mpirun "$np" --quiet --output "$dir/$name.json" "$@" >"$dir/$name.txt" 2>&1
    rc=$?
    ok $rc "$name: exit 0"
    [ $rc -eq 0 ] || tail -n 20 "$dir/$name.txt" | diag
    check_report "$dir/$name.json" ${CHECK_ARGS:-}
    ok $? "$name: report valid, every result ok and validated"
    bad=$(complaints "$dir/$name.txt" | sort | uniq -c)
    [ -z "$bad" ]
    ok $? "$name: no CUDA or IPC complaint from the MPI library or UCX" || echo "$bad" | diag
    [ -z "${GX_MPI_COMPLAINTS_KNOWN:-}" ] ||
        grep -a -E "$GX_MPI_COMPLAINTS_KNOWN" "$dir/$name.txt" | sort | uniq -c | sed 's/^/known: /' | diag
}

# nccl where ranks share a GPU: skipped everywhere with the reason, the job going on (exit 0 with
# --allow-skip).
nccl_skipped() { # NAME NP
    gx_mpirun "$2" --quiet --path nccl --sizes 8 --iters 2 --allow-skip \
        --output "$dir/$1.json" >"$dir/$1.txt" 2>&1
    rc=$?
    [ $rc -eq 0 ] && "$PYTHON" -c "import json,sys; s=json.load(open(sys.argv[1]))['skipped']; sys.exit(not (s and 'NCCL needs a GPU of its own' in s[0]['reason']))" "$dir/$1.json"
    ok $? "$1: ranks share a GPU: nccl skipped, NCCL needs a GPU per rank (rc $rc)" ||
        tail -n 5 "$dir/$1.txt" | diag
}
for p in $gpu_paths; do
    if [ "$p" = nccl ] && [ "$shared_gpu" = 1 ]; then
        nccl_skipped np2-nccl 2
        continue
    fi
    run "np2-$p" 2 --path $p --pattern latency,bw,bibw --sizes $sizes --iters 5 --warmup 1 \
        --chunk 1M --depth 2
done
# Device buffers handed to MPI: the table says what carried them; with the suite's own options
# (no btl list on a GPU machine), not Open MPI's slow route through host memory.
if grep -q "^# device buffers handed to MPI went by " "$dir/np2-mpi.txt"; then
    ! { [ -z "${GX_MPIRUN_OPTS+set}" ] && grep -q "slow generic route" "$dir/np2-mpi.txt"; }
    ok $? "np2-mpi: $(sed -n 's/^# device buffers handed to MPI went by //p' "$dir/np2-mpi.txt")"
else
    "$PYTHON" -c "import json,sys; r=json.load(open(sys.argv[1]))['context']['ranks'][0]; sys.exit('Open MPI' in r['mpi_library'])" "$dir/np2-mpi.json"
    ok $? "np2-mpi: the table notes what carried the device buffers (Open MPI has a note)"
fi
# Ceilings: every GPU path's bandwidth results are bounded by a ceiling measured in this
# job (copy engines, peer copies, kernels on mapped host memory, managed memory, MPI between the
# hosts), and every per-GPU ceiling planned is measured.
for p in $gpu_paths; do
    [ "$p" = nccl ] && [ "$shared_gpu" = 1 ] && continue
    py_check "$dir/np2-$p.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
for r in d["results"]:
    # A probe the machine disturbed bounds nothing: no efficiency, and the reason.
    if r.get("ceiling_unsound") and r.get("ceiling_absent", "").startswith("ceiling unsound: "):
        print("# %s %s %d: %s" % (r["path"], r["pattern"], r["size"], r["ceiling_absent"]))
        continue
    if r["status"] == "ok" and r["pattern"] != "latency" and not (
            r.get("ceiling", 0) > 0 and r.get("efficiency", 0) > 0 and r.get("ceiling_what")):
        bad.append("%s %s %d: no ceiling: %s" % (r["path"], r["pattern"], r["size"], r.get("ceiling_absent")))
cal = d.get("ceilings", {})
for rp in cal.get("rank_pairs", []):
    for k, v in rp.items():
        if isinstance(v, dict) and not all(p.get("best", 0) > 0 for p in v.get("points", [])):
            bad.append("ranks %s %s: %s" % (rp["ranks"], k, v))
if not cal:
    bad.append("no ceilings in the report")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
    ok $? "np2-$p: bandwidth results carry a ceiling and an efficiency (or none where its probe was disturbed, with the reason), every probe's point measured"
done
run np2-validate-all 2 --path staged,p2p,zerocopy --pattern bw --sizes 4095,1M+3 --iters 4 \
    --validate all --chunk 256K --depth 3
# One node: staged goes through shared-memory slots, staged-mpi through MPI, zerocopy through
# the shared outbox; each says so per result, every message checked (odd sizes, sizes that are
# not a multiple of the chunk, depth 1..8, both directions at once), and staged is bounded by
# the copy engines alone there (no MPI stage), staged-mpi by its three stages.
run np2-shm-validate 2 --path staged,staged-mpi,zerocopy --pattern latency,bw,bibw \
    --sizes 4095,1M+3,17M+5 --iters 4 --validate all --chunk 256K,4M --depth 1,3,8
py_check "$dir/np2-shm-validate.json" <<'PY'
import json, sys
want = {"staged": "shared-memory slots", "staged-mpi": "MPI", "zerocopy": "shared-memory outbox"}
bad = []
rs = json.load(open(sys.argv[1]))["results"]
for r in rs:
    where = "%s %s %d %s/%s" % (r["path"], r["pattern"], r["size"], r.get("chunk"), r.get("depth"))
    if r.get("via") != want[r["path"]]:
        bad.append("%s: via %s" % (where, r.get("via")))
    if r["validation"]["status"] != "passed" or r["validation"]["checks"] < 4:
        bad.append("%s: validation %s" % (where, r["validation"]))
    cw = r.get("ceiling_what", "")
    if r.get("ceiling_unsound"):  # a probe the machine disturbed: no ceiling to check
        continue
    if r["pattern"] != "latency" and r["path"] == "staged" and ("MPI" in cw or not ("D2H" in cw or "H2D" in cw)):
        bad.append("%s: ceiling %s" % (where, cw))
# Both are bounded by the copy engines at their chunk (one way on two GPUs, the sender's D2H
# alone), staged-mpi by MPI's host copy as well: neither ceiling is above that probe's best there. The best of the whole run, the
# report's curve: each path group measures its points again just before its own steps and a
# result is rated then, so staged's and staged-mpi's ceilings come from different moments
# (on one H100 staged-mpi's was the higher at 4K, 1M and 4M) and are not compared directly.
d = json.load(open(sys.argv[1]))
best = {}
for rp in d.get("ceilings", {}).get("rank_pairs", []):
    for kind in ("copy_engines", "copy_engines_bidir", "sender_d2h"):
        for p in rp.get(kind, {}).get("points", []):
            best[kind, p["size"]] = max(best.get((kind, p["size"]), 0), p.get("best", 0))
for r in rs:
    if r["path"] not in ("staged", "staged-mpi") or r["pattern"] == "latency" or r.get("ceiling_unsound"):
        continue
    at = min(r["size"], r.get("chunk") or r["size"])
    alone = "D2H alone" in r.get("ceiling_what", "")
    ce = best.get(("copy_engines_bidir" if r["pattern"] == "bibw" else
                   "sender_d2h" if alone else "copy_engines", at))
    c = r.get("ceiling", 0)
    if ce is None or not 0 < c <= ce * 1.0001:
        bad.append("%s %s %d %s/%s: ceiling %s, the copy engines' best at %d: %s"
                   % (r["path"], r["pattern"], r["size"], r.get("chunk"), r.get("depth"), c, at, ce))
    cw = r.get("ceiling_what", "")
    if r["path"] == "staged-mpi" and not ("MPI" in cw or "D2H" in cw):
        bad.append("staged-mpi %s %d: ceiling %s names neither of its stages" % (r["pattern"], r["size"], cw))
print("\n".join(bad))
sys.exit(1 if bad or len(rs) != 3 * 3 * 3 * 2 * 3 else 0)
PY
ok $? "one node: staged via shared-memory slots, staged-mpi via MPI, zerocopy via its outbox; all validated, staged rated against the copy engines (or the sender's D2H) alone"
# A rank that stops while its peer waits on shared memory: the watchdog still ends the job
# (exit 4, the measurement named); a rank that dies: the job ends, not through the time limit.
for p in staged zerocopy; do
    GPUXFER_FAULT=hang:rank=1:size=64M:iter=2 gx_mpirun 2 --path $p \
        --pattern bw --sizes 1M,64M --iters 5 --chunk 4M --depth 2 --timeout 20 --quiet \
        --output "$dir/hang-$p.json" >"$dir/hang-$p.txt" 2>&1
    rc=$?
    [ $rc -eq 4 ] && grep -q "path $p pattern bw size 67108864.*did not complete within 20 s" \
        "$dir/hang-$p.txt"
    ok $? "$p: a peer hung during a shared-memory transfer: timeout, exit 4 (got $rc)" ||
        tail -n 20 "$dir/hang-$p.txt" | diag
    GPUXFER_FAULT=die:rank=1:size=64M:iter=2 gx_mpirun 2 --path $p \
        --pattern bw --sizes 1M,64M --iters 5 --chunk 4M --depth 2 --timeout 60 --quiet \
        --output "$dir/die-$p.json" >"$dir/die-$p.txt" 2>&1
    rc=$?
    [ $rc -ne 0 ] && [ $rc -ne 124 ]
    ok $? "$p: a peer killed during a shared-memory transfer: the job ends (exit $rc)" ||
        tail -n 20 "$dir/die-$p.txt" | diag
done
# p2p latency up to 64 KiB is the GPUs' own ping-pong (kernels/pingpong.cu: one persistent
# kernel per side, LL lines) between two GPUs; on one GPU the host times it. Every round trip's
# data checked by the kernels and, under --validate all, by the harness in dst; on both sides of
# its size limit (and odd sizes), every sample kept.
run np2-p2p-latency-all 2 --path p2p --pattern latency --sizes 8,4095,4K,64K,64K+1 --iters 200 \
    --validate all --samples
py_check "$dir/np2-p2p-latency-all.json" "$shared_gpu" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
shared = sys.argv[2] == "1"
bad = ["%d: %s" % (r["size"], r["stats"]) for r in rs if not r["stats"]["min"] > 0]
bad += ["%d: clock %s" % (r["size"], r.get("clock")) for r in rs
        if r.get("clock") != ("gpu" if r["size"] <= 65536 and not shared else "host")]
bad += ["%d: %d samples, min %s" % (r["size"], len(r.get("samples", [])), min(r.get("samples", [0])))
        for r in rs if len(r.get("samples", [])) != 200 or not min(r["samples"]) > 0]
# Each timed iteration checked in dst as well (the untimed validation adds its own checks).
bad += ["%d: %s" % (r["size"], r["validation"]) for r in rs
        if r["validation"]["status"] != "passed" or r["validation"]["checks"] < 2 * 200]
print("\n".join(bad))
sys.exit(1 if bad or len(rs) != 5 else 0)
PY
ok $? "p2p latency: 5 sizes, every sample timed (min > 0) and checked, by the GPUs up to 64K (not on one GPU)"
run np2-staged-sweep 2 --path staged --pattern bw --sizes 1M+3,16M+5 --iters 5 \
    --chunk 256K,1M,4M --depth 1,2,4
"$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); c=set((r['size'],r['chunk'],r['depth']) for r in d['results']); sys.exit(0 if len(c)==18 else 1)" "$dir/np2-staged-sweep.json"
ok $? "staged sweep: one result per size x chunk x depth (18)"
# The unified paths time their stages: each named, none negative, and none longer than an
# iteration (a latency iteration is a round trip: two one-way medians). unified-prefetch's stages
# overlap (each is the time it was active), so only each one, not their sum, is bounded.
"$PYTHON" - "$dir/np2-unified-prefetch.json" "$dir/np2-unified-demand.json" <<'PY'
import json, sys
bad = []
for f in sys.argv[1:]:
    for r in json.load(open(f))["results"]:
        if r["status"] != "ok":
            continue
        st = r.get("stages", [])
        want = 3 if r["path"] == "unified-prefetch" else 2
        if len(st) != want or any(s["initiator_us"] < 0 or s["peer_us"] < 0 for s in st):
            bad.append("%s %s %d: stages %s" % (r["path"], r["pattern"], r["size"], st))
            continue
        us = [s["initiator_us"] for s in st]
        total = sum(us) if r["path"] == "unified-demand" else max(us)
        if r["pattern"] == "latency" and total > 2.1 * r["stats"]["mean"]:
            bad.append("%s latency %d: stages %.1f us > round trip %.1f us" % (r["path"], r["size"],
                       total, 2 * r["stats"]["mean"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "unified paths: per-stage time per iteration reported, within an iteration"
# unified-prefetch pipelines chunks: every iteration validated at chunks below, between and
# above the 2M migration block (768K rounds to whole pages, 1M) and at depths 1 and 3.
run np2-unified-validate-all 2 --path unified-prefetch --pattern latency,bw,bibw \
    --sizes 4095,1M+3,33M --iters 4 --validate all --chunk 64K,768K,4M --depth 1,3
# --chunk auto: every candidate is measured (and validated), the reported one is the best.
run np2-chunk-auto 2 --path staged,p2p --pattern latency,bw --sizes 8,1M+3,33M --iters 10 \
    --chunk auto
"$PYTHON" - "$dir/np2-chunk-auto.json" <<'PY'
import json, sys
bad = []
for r in json.load(open(sys.argv[1]))["results"]:
    c = r.get("auto_candidates", [])
    if not r.get("chunk_auto") or "chunk" not in r or r.get("chunk_choice") != "auto":
        bad.append("%s %s %d: not chosen by auto" % (r["path"], r["pattern"], r["size"]))
    elif r["size"] > 1 << 20 and len(c) < 2:
        bad.append("%s %d: %d candidates" % (r["path"], r["size"], len(c)))
    elif c:
        pick = (min if r["unit"] == "us" else max)(c, key=lambda x: x["median"])
        if (pick["chunk"], pick["depth"]) != (r["chunk"], r["depth"]):
            bad.append("%s %s %d: reported %s/%s, best candidate %s/%s" % (r["path"], r["pattern"],
                       r["size"], r["chunk"], r["depth"], pick["chunk"], pick["depth"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "chunk auto: each result names its candidates and reports the best of them"
# Without --chunk/--depth: p2p moves the whole message as one copy; staged and zerocopy search a
# few candidates (validated) and report the best, saying so.
run np2-chunk-default 2 --path p2p,staged,zerocopy --pattern bw --sizes 8,1M+3,33M --iters 10
"$PYTHON" - "$dir/np2-chunk-default.json" <<'PY'
import json, sys
bad = []
for r in json.load(open(sys.argv[1]))["results"]:
    c = r.get("auto_candidates", [])
    where = "%s %d" % (r["path"], r["size"])
    if r.get("chunk_choice") != "default" or not r.get("chunk_auto"):
        bad.append("%s: chunk_choice %s" % (where, r.get("chunk_choice")))
    elif r["path"] == "p2p" and (r["chunk"], r["depth"], len(c)) != (r["size"], 1, 0):
        bad.append("%s: p2p %s/%s with %d candidates" % (where, r["chunk"], r["depth"], len(c)))
    elif r["path"] != "p2p" and r["size"] > 1 << 20 and len(c) < 2:
        bad.append("%s: %d candidates" % (where, len(c)))
    elif c and max(c, key=lambda x: x["median"])["chunk"] != r["chunk"]:
        bad.append("%s: not the best candidate" % where)
    if r["validation"]["status"] != "passed":
        bad.append("%s: validation %s" % (where, r["validation"]["status"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
ok $? "defaults: p2p the whole message, staged and zerocopy the best of their candidates, chunk_choice default"
run np2-mem-kinds 2 --path mpi --mem pinned,device --pattern bw --sizes 4K,4M --iters 5
run np2-host-pinned 2 --path host --mem pinned --pattern latency --sizes 8,1M --iters 5
run np2-host-mapped 2 --path host --mem mapped,pinned --pattern latency --sizes 8,1M --iters 5
# A size the GPU cannot hold for every rank on it is refused before anything runs (the memory
# guard); one that fails to allocate at run time (injected on device memory) is skipped with the
# reason while the sizes around it run.
gx_mpirun 2 --path mpi --pattern bw --sizes 8,200G,4K --iters 3 --quiet \
    --output "$dir/np2-guard.json" >"$dir/np2-guard.txt" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q -- "--sizes: 200G needs .* more than its .* GiB of memory" "$dir/np2-guard.txt" &&
    [ ! -e "$dir/np2-guard.json" ]
ok $? "200G on a GPU that cannot hold it: exit 2 naming the GPU's memory, nothing measured (rc $rc)" ||
    diag <"$dir/np2-guard.txt"
GPUXFER_FAULT=cuda-oom:rank=1:size=1M CHECK_ARGS=--allow-skipped \
    run np2-oom 2 --path mpi --pattern bw --sizes 8,1M,4K --iters 3
"$PYTHON" - "$dir/np2-oom.json" <<'PY'
import json, sys
r = {x["size"]: x for x in json.load(open(sys.argv[1]))["results"]}
big = r[1 << 20]
ok = big["status"] == "skipped" and "memory" in big["reason"] and r[8]["status"] == r[4096]["status"] == "ok"
sys.exit(0 if ok else 1)
PY
ok $? "out of GPU memory at 1M (injected): that size skipped with the reason, 8 and 4K measured"
# 4 ranks: p2p runs with two ranks on a GPU too (IPC within the device); NCCL needs a GPU per
# rank, so on fewer than 4 GPUs it must be skipped with that reason.
ngpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
run np4-p2p 4 --path p2p --pairs all-disjoint --pattern bw,bibw --sizes 8,1M+3,64M --iters 5
if [ "$ngpus" -ge 4 ]; then
    run np4-nccl 4 --path nccl --pairs all-disjoint --pattern bw,bibw --sizes 8,1M+3,64M --iters 5
else
    nccl_skipped np4-nccl 4
fi
rm -rf "$dir"
echo "# gpu_paths.sh: wall time $(($(date +%s) - started)) s"
done_testing
