#!/bin/bash
# A real Slurm on this machine: munged, slurmctld and slurmd started here (one node, this
# machine's CPUs, no cgroups), then the sbatch template and a job-array sweep with mpirun
# inside the allocation; their reports must be valid and carry the Slurm fields.
. "$top_srcdir/tests/lib.sh"

finish_skip() { skip "$1"; done_testing; exit; }
[ "$(id -u)" -eq 0 ] || finish_skip "not root: the test starts munged, slurmctld and slurmd"
for p in munged mungekey slurmctld slurmd sbatch squeue sacct scontrol; do
    [ "$p" = sacct ] && continue
    PATH=$PATH:/usr/sbin:/sbin command -v $p >/dev/null 2>&1 ||
        finish_skip "$p not found (apt-get install slurm-wlm munge)"
done
PATH=$PATH:/usr/sbin:/sbin

dir=$(mktemp -d "$TEST_TMP/slurm.XXXXXX")
chmod 700 "$dir"
pids=""
cleanup() {
    # Only the daemons this test started, by their pids.
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$p" 2>/dev/null
    done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Free ports for the daemons (the default ones may be taken by a system Slurm).
ports=$("$PYTHON" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
set -- $ports
ctld_port=$1 d_port=$2
host=$(hostname -s)
node_line=$(slurmd -C 2>/dev/null | head -n 1 | sed 's/ RealMemory=[0-9]*//')
case "$node_line" in NodeName=*) ;; *) finish_skip "slurmd -C does not describe this node" ;; esac

mkdir -p "$dir/state" "$dir/spool" "$dir/run" "$dir/log" "$dir/job"
# munge: its own key, socket and files under the temp dir.
dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 2>/dev/null && chmod 400 "$dir/munge.key"
munged -F --key-file="$dir/munge.key" --socket="$dir/run/munge.sock" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/run/munged.seed" --force >"$dir/log/munged.out" 2>&1 &
pids="$pids $!"

cat >"$dir/slurm.conf" <<CONF
ClusterName=gxtest
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/run/munge.sock
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# GPUs without devices, so that the template's --gpus-per-node is honoured on a CPU machine.
GresTypes=gpu
# Trust this file over what slurmd finds (no GPU devices here).
SlurmdParameters=config_overrides
$node_line Gres=gpu:2 State=UNKNOWN
PartitionName=gxtest Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
# Slurm drops GPUs without a device file; any two character devices do on a machine with no GPU.
printf 'AutoDetect=off\nName=gpu File=/dev/null\nName=gpu File=/dev/zero\n' >"$dir/gres.conf"
export SLURM_CONF="$dir/slurm.conf"

sleep 1
kill -0 ${pids% } 2>/dev/null || finish_skip "munged did not start: $(tail -n 1 "$dir/log/munged.log" "$dir/log/munged.out" 2>/dev/null | tr '\n' ' ')"
slurmctld -D -i -f "$SLURM_CONF" >"$dir/log/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$SLURM_CONF" >"$dir/log/slurmd.out" 2>&1 &
pids="$pids $!"

# Up to 5 minutes for the daemons to register the node: a verdict (here a skip) must not depend
# on how busy the machine is; an idle one takes seconds.
ready=0
for _ in $(seq 1 300); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null | head -n 1)
    case "$state" in idle*|mix*|alloc*) ready=1; break ;; esac
    sleep 1
done
if [ $ready -eq 0 ]; then
    { echo "node state: ${state:-none}"; tail -n 5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" 2>/dev/null; } | diag
    finish_skip "Slurm did not come up (node state '${state:-none}'; logs under $dir/log)"
fi
ok 0 "munged, slurmctld and slurmd are up, node $host idle"

# Waits for a job (and its array tasks) to leave the queue; prints its final state. 10 minutes
# by default, twice the jobs' own time limit (-t 00:05:00), so that Slurm's limit, not this
# wait, ends a job that hangs.
wait_job() {
    for _ in $(seq 1 "${2:-600}"); do
        [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && break
        sleep 1
    done
    scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u | tr '\n' ' '
}

# The template with mpirun inside the allocation; one node of this machine, 2 tasks, GPUs per
# node (the template's way). Options from GX_ARGS_FILE, whose commas survive sbatch --export;
# on the CPU, the GPUs are the H200 VM's, faked (--topology-xml, --fake-gpus).
export GX_LAUNCHER=mpirun GPUXFER GX_OUTDIR="$dir/out" GX_MPIRUN_ARGS="$gx_mpirun_opts"
unset GX_ARGS
topo=$top_srcdir/tests/topologies/h200x4-vm.xml
cat >"$dir/gx.args" <<ARGS
# the test's options, commas and all
--path p2p,host --pattern latency,bw --sizes 8,64K --iters 10 --quiet
--topology-xml $topo
--fake-gpus 0000:00:06.0,0000:00:07.0,0000:00:08.0,0000:00:09.0
ARGS
resources="-N 1 --ntasks-per-node=2 --gpus-per-node=2 --cpus-per-task=1 -t 00:05:00"
# shellcheck disable=SC2086
jid=$(cd "$dir/job" && sbatch --parsable $resources --export=ALL,GX_ARGS_FILE="$dir/gx.args" \
    -o "$dir/job/%j.out" "$top_srcdir/scripts/slurm/gpuxfer.sbatch" 2>"$dir/sbatch.err")
[ -n "$jid" ]
ok $? "sbatch --export=ALL,GX_ARGS_FILE=... gpuxfer.sbatch: job ${jid:-none} submitted"
[ -n "$jid" ] || diag <"$dir/sbatch.err"
states=$(wait_job "$jid")
out="$dir/out/gpuxfer-$jid.json"
[ -s "$out" ]
ok $? "the job wrote its report (job state: $states)"
[ -s "$out" ] || diag <"$dir/job/$jid.out"
check_report "$out" --ranks 2 --patterns latency,bw --sizes 2 >"$dir/check.txt" 2>&1
r=$?; ok $r "the report is valid, with results"; [ $r -eq 0 ] || diag <"$dir/check.txt"
"$PYTHON" - "$out" "$jid" "$host" >"$dir/check.txt" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
j = d["context"]["job"]
want = {"slurm_job_id": sys.argv[2], "slurm_partition": "gxtest", "slurm_nodelist": sys.argv[3],
        "slurm_tasks_per_node": "2", "slurm_gpus_per_node": "2", "slurm_cpus_per_task": "1"}
bad = {k: (j.get(k), v) for k, v in want.items() if j.get(k) != v}
assert not bad, bad
assert "slurm_gpus_per_task" not in j, j
assert "Slurm" in j["launcher"] and "mpirun" in j["launcher"], j["launcher"]
assert len(d["results"]) == 4 and all(r["status"] == "ok" for r in d["results"] if r["path"] == "host")
cl = d["command_line"]
assert "p2p,host" in cl and "0000:00:06.0,0000:00:07.0,0000:00:08.0,0000:00:09.0" in cl, cl
PY
r=$?; ok $r "context.job: job id, partition, node list, tasks, GPUs per node, CPUs per task, launcher; GX_ARGS_FILE's commas intact"
[ $r -eq 0 ] || diag <"$dir/check.txt"
# The intra-node paths under the template: every task sees both GPUs of the node, each rank
# takes its own, and p2p and the peer-copy ceiling are there (on the CPU: decided, then skipped
# for the fake GPUs only; on GPUs: measured; in a build without CUDA, p2p is absent with that
# reason).
"$PYTHON" - "$out" >"$dir/check.txt" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ranks = d["context"]["ranks"]
for r in ranks:
    cvd = r["env"].get("CUDA_VISIBLE_DEVICES", "")
    assert len(cvd.split(",")) == 2, ("each task sees both GPUs", r["rank"], cvd)
    assert r["gpu"]["visible_count"] == 2 and not r["gpu"]["shared_with"], r["gpu"]
assert sorted(r["gpu"]["visible_index"] for r in ranks) == [0, 1], "one GPU per rank"
pair = [p for p in d["context"]["pairs"] if p["ranks"] == [0, 1]]
assert pair and pair[0]["same_node"], d["context"]["pairs"]
absent = [s for s in d["skipped"] if s["path"] == "p2p" and s.get("ranks") is None]
if absent:  # a build without CUDA: p2p is not in it, no ceiling to measure for it
    assert "without CUDA" in absent[0]["reason"], absent
    print("no CUDA in this build:", absent[0]["reason"])
    sys.exit(0)
peer = [g for g in d["ceilings"]["rank_pairs"] if g["ranks"] == [0, 1]]
assert peer and "peer" in peer[0], d["ceilings"]["rank_pairs"]
fake = ranks[0]["gpu"]["fake"]
p2p = [r for r in d["results"] if r["path"] == "p2p"]
skipped = [s for s in d["skipped"] if s["path"] == "p2p"]
if fake:
    assert skipped and all(s["reason"].startswith("--fake-gpus") for s in skipped), skipped
    assert all(p.get("absent", "").startswith("--fake-gpus") for p in peer[0]["peer"]["points"]), peer
else:
    assert p2p and all(r["status"] == "ok" for r in p2p) and not skipped, (p2p, skipped)
    assert any(p.get("best") for p in peer[0]["peer"]["points"]), peer
print("fake GPUs" if fake else "real GPUs", [r["env"]["CUDA_VISIBLE_DEVICES"] for r in ranks])
PY
r=$?; ok $r "the template keeps the intra-node paths: both GPUs visible to each task, p2p and the peer ceiling present"
diag <"$dir/check.txt"

# srun as the launcher (no MPI: a stand-in for gpuxfer records what each task sees).
cat >"$dir/envdump" <<'SH'
#!/bin/sh
echo "$SLURM_LOCALID ${CUDA_VISIBLE_DEVICES-unset} $*" >"$GX_OUTDIR/task.$SLURM_PROCID"
SH
chmod +x "$dir/envdump"
# shellcheck disable=SC2086
sid=$(cd "$dir/job" && sbatch --parsable $resources --export=ALL,GX_LAUNCHER=srun,GPUXFER="$dir/envdump",GX_SRUN_ARGS=--mpi=none,GX_ARGS_FILE="$dir/gx.args" \
    -o "$dir/job/%j.out" "$top_srcdir/scripts/slurm/gpuxfer.sbatch" 2>"$dir/sbatch.err")
states=$(wait_job "${sid:-0}")
[ -n "$sid" ] && [ "$(cat "$dir/out"/task.* 2>/dev/null | awk '{print $2}' | sort -u)" = "0,1" ] &&
    [ "$(cat "$dir/out"/task.* | awk '{print $1}' | sort | tr '\n' ' ')" = "0 1 " ] &&
    grep -q -- '--path p2p,host .*--fake-gpus 0000:00:06.0,0000:00:07.0,' "$dir/out/task.0"
ok $? "under srun each task sees both GPUs of the node (CUDA_VISIBLE_DEVICES=0,1; state: $states)" ||
    { cat "$dir/out"/task.* "$dir/sbatch.err" "$dir/job/$sid.out" 2>/dev/null | diag; }

# The sweep: a job array over two settings files' lines, two replicates each, one task at a
# time (A B A B), each task its own report in its configuration's folder.
printf '# test sweep\nUCX_TLS=tcp\n\nUCX_TLS=sm NCCL_P2P_DISABLE=1\n' >"$dir/sweep.txt"
mkdir -p "$dir/sweep-submit/scripts" && ln -s "$top_srcdir/scripts/slurm" "$dir/sweep-submit/scripts/slurm"
# shellcheck disable=SC2086
aid=$(cd "$dir/sweep-submit" && GX_SWEEP="$dir/sweep.txt" GX_REPLICATES=2 \
    GX_ARGS="--pattern latency,bw --sizes 8,64K --iters 10 --quiet" sbatch --parsable --array=0-3%1 \
    $resources -o "$dir/job/%A-%a.out" \
    "$top_srcdir/scripts/slurm/sweep-array.sbatch" 2>"$dir/sbatch.err")
[ -n "$aid" ]
ok $? "sbatch --array=0-3%1 sweep-array.sbatch (2 configurations x 2 replicates): job ${aid:-none} submitted"
states=$(wait_job "$aid" 1200) # 4 tasks one after another, each within its 5 minutes
"$PYTHON" - "$dir/out" "$aid" "$top_srcdir/schema/gpuxfer-report.schema.json" >"$dir/check.txt" 2>&1 <<'PY'
import glob, json, os, sys, jsonschema
schema = json.load(open(sys.argv[3]))
out, aid = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(f"{out}/sweep-{aid}/*/*.json"))
names = [os.path.relpath(f, f"{out}/sweep-{aid}") for f in files]
folders = ("cfg-0-UCX_TLS-tcp", "cfg-1-UCX_TLS-sm_NCCL_P2P_DISABLE-1")
want = sorted(f"{folders[t % 2]}/gpuxfer-{aid}-{t}-run{t // 2 + 1}.json" for t in range(4))
assert names == want, names
for f in files:
    d = json.load(open(f))
    jsonschema.validate(d, schema)
    task = int(f.rsplit("-", 2)[1])
    j = d["context"]["job"]
    assert j["slurm_array_job_id"] == aid and j["slurm_array_task_id"] == str(task), j
    env = d["context"]["ranks"][0]["env"]
    assert env["UCX_TLS"] == ("tcp", "sm")[task % 2], env
    assert task % 2 == 0 or env["NCCL_P2P_DISABLE"] == "1", env
    assert d["results"], f
PY
r=$?; ok $r "the sweep: task t ran configuration t mod 2 as replicate t / 2 + 1, a valid report each in its configuration's folder (state: $states)"
[ $r -eq 0 ] || { diag <"$dir/check.txt"; cat "$dir"/job/"$aid"-*.out 2>/dev/null | diag; }
"$PYTHON" "$top_srcdir/scripts/gpuxfer-report" compare "$dir/out/sweep-$aid" >"$dir/cmp.txt" 2>&1 &&
    grep -q '^env.UCX_TLS:' "$dir/cmp.txt" && grep -q '^env.NCCL_P2P_DISABLE:' "$dir/cmp.txt" &&
    grep -q "^# A: $dir/out/sweep-$aid/cfg-0-UCX_TLS-tcp (2 runs)" "$dir/cmp.txt"
r=$?; ok $r "gpuxfer-report compare of the sweep's folder: its configurations, 2 runs each, the differing settings named"
[ $r -eq 0 ] || diag <"$dir/cmp.txt"

cleanup
pids=""
rm -rf "$dir"
done_testing
