#!/bin/bash
# gpuxfer-report tune: the knob tables (every line complete, no knob offered for a library
# that lacks it, Open MPI's checked against what ompi_info lists), UCX's protocols read from the
# runs' reports (the parser of UCX's tables is gpuxfer's: tests/test_ucx_proto), and a tune
# on host memory with a small budget: 2 ranks, two sizes, 2 replicates, one knob; its advice is
# produced, parseable, and names only knobs of the library's table that ompi_info lists.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/tune.XXXXXX")
# unwrap FILE: the tune's lines as one line each (a row wrapped at 100 columns continues two
# spaces in, a "# " note's continuation "#   "; its ready lines, four spaces in, stay).
unwrap() { awk 'NR > 1 && (/^  [^ ]/ || /^#   /) { sub(/^#? +/, ""); line = line " " $0; next }
                NR > 1 { print line } { line = $0 } END { if (NR) print line }' "$1"; }
tune() { gx_report tune "$@"; }
export PYTHONPATH=$top_srcdir/scripts

py_check <<'PY'
from gxreport import tunelib as t
bad = []
names = [k.name for k in t.KNOBS]
if len(names) != len(set(names)):
    bad.append("a knob name twice")
for k in t.KNOBS:
    where = f"{k.library}/{k.name}"
    if k.library not in ("Open MPI", "UCX", "MPICH", "Cray MPICH", "MVAPICH2", "NCCL"):
        bad.append(f"{where}: library")
    if not k.name or k.how not in ("mca", "env") or not k.default or not k.where:
        bad.append(f"{where}: name, how, default or where missing")
    if k.how == "env" and k.name != k.name.upper():
        bad.append(f"{where}: an environment variable in lower case")
    if k.moves not in t.MOVES:
        bad.append(f"{where}: moves {k.moves}")
    if not k.candidates or set(k.candidates) - set(t.DATA):
        bad.append(f"{where}: candidates by data location")
    for data, vals in k.candidates.items():
        if not vals or any(not isinstance(v, str) or not v or any(c.isspace() for c in v) for v in vals):
            bad.append(f"{where}: {data} candidates empty or with white space")
    if not k.needs or set(k.needs) - set(t.NEEDS):
        bad.append(f"{where}: needs {k.needs}")
    if set(k.with_values) - {v for vals in k.candidates.values() for v in vals}:
        bad.append(f"{where}: with_values for a value it never tries")
for lib in ("Open MPI", "UCX", "MPICH", "Cray MPICH", "MVAPICH2", "NCCL"):
    if not t.table(lib):
        bad.append(f"no table for {lib}")
print("\n".join(bad))
raise SystemExit(1 if bad else 0)
PY
ok $? "knob tables: every line complete (how, default, candidates per data location, moves, where, needs), names unique, a table per library"

py_check <<'PY'
from gxreport import tunelib as t
C = t.Context
none_run = lambda argv: None  # no ompi_info: the table decides alone
cases = {
    # (context) -> the libraries whose knobs may be offered
    "Open MPI 4 ob1 host": (C("Open MPI", (4, 1), "", "ob1", ("vader", "self", "tcp"), None, None,
                              None, False, (), "host"), {"Open MPI"}),
    "Open MPI 4 ucx host": (C("Open MPI", (4, 1), "", "ucx", ("vader", "self"), {"version": "1.13.1"},
                              None, None, False, (), "host"), {"Open MPI", "UCX"}),
    "Open MPI 5 ob1 device": (C("Open MPI", (5, 0), "", "ob1", ("sm", "smcuda", "self"), None, None,
                                "2.28.9", True, ("mpi",), "device"), {"Open MPI"}),
    "MPICH ch4:ofi device": (C("MPICH", (4, 1), "", None, (), None, "ch4:ofi", None, True, ("mpi",),
                               "device"), {"MPICH"}),
    "MPICH ch4:ucx device": (C("MPICH", (4, 0), "", None, (), {"version": "1.13"}, "ch4:ucx", None,
                               True, ("mpi",), "device"), {"MPICH", "UCX"}),
    "Cray MPICH device": (C("Cray MPICH", (8, 1), "", None, (), None, "ch4:ofi", None, True,
                            ("mpi",), "device"), {"Cray MPICH"}),
    "MVAPICH2 device": (C("MVAPICH2", (2, 3), "", None, (), None, None, None, True, ("mpi",),
                          "device"), {"MVAPICH2"}),
    "Open MPI 4 ob1 + nccl": (C("Open MPI", (4, 1), "", "ob1", ("vader", "smcuda"), None, None,
                                "2.28.9", True, ("mpi", "nccl"), "device"), {"Open MPI", "NCCL"}),
}
bad = []
for name, (ctx, libs) in cases.items():
    yes, no = t.offered(ctx, none_run)
    got = {k.library for k, _, _ in yes}
    if not got or got - libs:
        bad.append(f"{name}: offered {sorted(got)}, expected within {sorted(libs)}")
    for k, d, c in yes:
        if not c or d in c or set(c) - set(k.candidates[ctx.data]):
            bad.append(f"{name}: {k.name}: candidates {c} (default {d})")
    if {k.name for k, _, _ in yes} & {k.name for k, _ in no}:
        bad.append(f"{name}: a knob both offered and refused")
    if len(yes) + len(no) != len(t.KNOBS):
        bad.append(f"{name}: a knob neither offered nor refused")
# Open MPI 4 must not get Open MPI 5's btl_sm_*, nor 5 vader's; host memory no device-only knob.
o4 = {k.name for k, _, _ in t.offered(cases["Open MPI 4 ob1 host"][0], none_run)[0]}
o5 = {k.name for k, _, _ in t.offered(cases["Open MPI 5 ob1 device"][0], none_run)[0]}
# Open MPI 5 names vader "sm" (a "vader" alias may still load): its knobs are btl_sm_*.
o5v = {k.name for k, _, _ in t.offered(C("Open MPI", (5, 0), "", "ob1", ("sm", "vader", "self"),
                                         None, None, None, False, (), "host"), none_run)[0]}
if any(n.startswith("btl_vader") for n in o5v) or "btl_sm_eager_limit" not in o5v:
    bad.append(f"Open MPI 5 with a vader alias: {sorted(o5v)}")
if any(n.startswith("btl_sm_") for n in o4) or any(n.startswith("btl_vader") for n in o5):
    bad.append(f"vader/sm mixed up: {sorted(o4)} {sorted(o5)}")
if not {"pml", "btl_vader_single_copy_mechanism", "btl_vader_eager_limit"} <= o4:
    bad.append(f"Open MPI 4 on host memory lacks vader's knobs: {sorted(o4)}")
ucx = C("Open MPI", (4, 1), "", "ucx", ("vader",), {"version": "1.13.1", "UCX_TLS": "self,sm",
        "UCX_RNDV_THRESH": "auto"}, None, None, False, (), "host")
yes = {k.name: (d, c) for k, d, c in t.offered(ucx, none_run)[0]}
if set(yes) != {"pml", "UCX_TLS", "UCX_RNDV_THRESH", "UCX_RNDV_FRAG_SIZE"} or \
        yes["UCX_TLS"] != ("self,sm", ["self,tcp"]) or yes["pml"] != ("ucx", ["ob1"]):
    bad.append(f"under pml ucx: {yes} (UCX's knobs, their defaults as UCX read them)")
# What ompi_info lists decides: a parameter it lacks is refused, its default is the current
# value, and only the values of its enumerator are tried.
listing = {
    ("ompi_info", "--param", "btl", "vader", "--level", "9", "--parsable"):
        "mca:btl:vader:param:btl_vader_single_copy_mechanism:value:none\n"
        "mca:btl:vader:param:btl_vader_single_copy_mechanism:enumerator:value:3:none\n"
        "mca:btl:vader:param:btl_vader_single_copy_mechanism:enumerator:value:4:emulated\n",
    ("ompi_info", "--parsable"): "mca:pml:ob1:version:\"mca:2.1.0\"\n",
}
yes, no = t.offered(cases["Open MPI 4 ob1 host"][0], lambda argv: listing.get(tuple(argv), ""))
got = {k.name: (d, c) for k, d, c in yes}
if got != {"btl_vader_single_copy_mechanism": ("none", ["emulated"])}:
    bad.append(f"ompi_info's listing not followed: {got}, refused {[(k.name, w) for k, w in no if k.library == 'Open MPI']}")
# The settings a value needs, and the ready lines.
pairs = t.settings(t.find("pml"), "ucx")
if pairs[0] != ("OMPI_MCA_pml", "ucx") or ("OMPI_MCA_pml_ucx_devices", "any") not in pairs:
    bad.append(f"pml ucx's settings: {pairs}")
lines = t.ready_lines([("OMPI_MCA_btl_vader_eager_limit", "16384"), ("UCX_TLS", "self,sm")],
                      lambda n: "mca" if n.startswith("OMPI_MCA_") else "env", "Open MPI")
want = ["export OMPI_MCA_btl_vader_eager_limit=16384 UCX_TLS=self,sm",
        "mpirun --mca btl_vader_eager_limit 16384 -x UCX_TLS=self,sm ...",
        "#SBATCH --export=ALL,OMPI_MCA_btl_vader_eager_limit=16384",
        "# in the job script (a comma in the value): export UCX_TLS=self,sm"]
if lines != want:
    bad.append(f"ready lines: {lines}")
print("\n".join(bad))
raise SystemExit(1 if bad else 0)
PY
ok $? "knobs offered only where the library has them (Open MPI 4/5, UCX, MPICH ch4, Cray MPICH, MVAPICH2, NCCL), as ompi_info lists them; settings and ready lines"

py_check <<'PY'
import json, os, shutil, tempfile
from gxreport import tunelib as t
bad = []
# A sweep folder's runs' reports, per configuration: each result size's protocols from the
# reports' library_protocols (gpuxfer parses UCX's tables: tests/test_ucx_proto).
tmp = tempfile.mkdtemp()
for cfg in ("cfg-0-GX_TUNE=default", "cfg-1-UCX_TLS=self,tcp"):
    os.makedirs(os.path.join(tmp, cfg))
def entry(size, proto, tls):
    return {"path": "mpi", "pattern": "bw", "size": size, "unit": "GB/s", "rank": 0, "peer": 1,
            "mem": {"src": "pageable", "dst": "pageable"},
            "chosen": [{"operation": "tagged message by ucp_tag_send*", "protocol": proto,
                        "transports": tls}]}
for k in (1, 2):
    json.dump({"library_protocols": [entry(8, "eager short", "sysv/memory"),
                                     entry(65536, "rendezvous zero-copy read from remote", "cma/memory"),
                                     entry(1 << 20, "rendezvous zero-copy read from remote", "cma/memory")]},
              open(os.path.join(tmp, "cfg-0-GX_TUNE=default", f"run{k}.json"), "w"))
json.dump({"results": []}, open(os.path.join(tmp, "cfg-1-UCX_TLS=self,tcp", "run1.json"), "w"))
open(os.path.join(tmp, "cfg-1-UCX_TLS=self,tcp", "run1.txt"), "w").write("nothing printed\n")
got = t.protocols(tmp, [{"size": 8, "mem": {"src": "pageable", "dst": "pageable"}},
                        {"size": 65536, "mem": {"src": "pageable", "dst": "pageable"}}])
want = {"cfg-0-GX_TUNE=default": {"8": ["eager short sysv/memory"],
                                  "65536": ["rendezvous zero-copy read from remote cma/memory"]},
        "cfg-1-UCX_TLS=self,tcp": {}}
if got != want:
    bad.append(f"protocols of a sweep folder: {got}")
shutil.rmtree(tmp)
print("\n".join(bad))
raise SystemExit(1 if bad else 0)
PY
ok $? "UCX's protocols per configuration and size read from the runs' reports (library_protocols), each once, sizes not asked for left out"

py_check <<'PY'
from gxreport import tunelib as t
# compare --json rows made by hand: configuration 1 faster at 8 and 64 (tiny), configuration 2
# faster at 8 but slower at 64 (so never tiny's best), configuration 1 the same at 1M (medium).
def cell(ratio, verdict, q=0.01):
    return {"ratio": ratio, "ci95": [ratio * 0.9, ratio * 1.1], "p": q, "q": q, "test": "t",
            "verdict": verdict}
def row(size, unit, cells):
    return {"path": "mpi", "pattern": "bw" if unit == "GB/s" else "latency", "unit": unit,
            "mem": ["pageable", "pageable"], "size": size, "cells": [{"value": 1.0}] + cells}
cmp = {"configurations": [{}, {}, {}], "rows": [
    row(8, "GB/s", [cell(1.5, "faster"), cell(2.0, "faster")]),
    row(64, "GB/s", [cell(1.2, "faster"), cell(0.5, "slower")]),
    row(1 << 20, "GB/s", [cell(1.01, "same", 0.6), cell(0.99, "same", 0.7)]),
    row(8, "us", [cell(0.5, "faster"), None])]}
cls = lambda s: "tiny" if s <= 4096 else "medium"
best = t.best_per_class(cmp, cls)
bad = []
b = best[("mpi", "bw", "pageable>pageable", "tiny")]
if not b or b["cfg"] != 1 or b["faster"] != 2 or b["size"] != 8 or abs(b["speedup"] - 1.5) > 1e-9:
    bad.append(f"bw tiny: {b}")
if best[("mpi", "bw", "pageable>pageable", "medium")] is not None:
    bad.append("a class with no significant gain got a setting")
b = best[("mpi", "latency", "pageable>pageable", "tiny")]
if not b or abs(b["speedup"] - 2.0) > 1e-9 or abs(b["ci95"][0] - 1 / 0.55) > 1e-9:
    bad.append(f"latency: the ratio 0.5 (us) is a speedup of 2 with its interval inverted: {b}")
k = t.find("btl_vader_eager_limit")
ctx = t.Context("Open MPI", (4, 1), "", "ob1", ("vader",), None, None, None, False, (), "host")
pairs, dropped = t.combine(best, [(k, "16384"), (k, "32768")], ctx)
if pairs != [("OMPI_MCA_btl_vader_eager_limit", "16384")] or dropped:
    bad.append(f"combined: {pairs} {dropped}")
pml = t.find("pml")
pairs, dropped = t.combine({"a": {"cfg": 1, "speedup": 2.0}, "b": {"cfg": 2, "speedup": 1.5}},
                           [(pml, "ucx"), (k, "16384")], ctx)
if pairs[0] != ("OMPI_MCA_pml", "ucx") or any("vader" in n for n, _ in pairs) or len(dropped) != 1:
    bad.append(f"vader's knob kept under pml ucx: {pairs} {dropped}")
ab = {"configurations": [{}, {}], "rows": [row(8, "GB/s", [cell(1.5, "faster")]),
                                            row(1 << 20, "GB/s", [cell(1.0, "same", 0.5)])]}
per, holds = t.verified(ab, cls)
if not holds or per[("mpi", "bw", "pageable>pageable", "medium")] != "same":
    bad.append(f"A/B faster in one class, same in another: {per} {holds}")
ab["rows"][1]["cells"][1] = cell(0.8, "slower")
if t.verified(ab, cls)[1]:
    bad.append("an A/B slower in a class holds")
# Schema 2.5: compare's noisy_comparison (a run the machine disturbed on either side) is counted
# per class, and whether the reported size's speedup rests on one; cells without it: none.
if best[("mpi", "bw", "pageable>pageable", "tiny")]["noisy"] != 0:
    bad.append("rows without noisy_comparison counted as noisy")
cmp["rows"][1]["cells"][1]["noisy_comparison"] = True
b = t.best_per_class(cmp, cls)[("mpi", "bw", "pageable>pageable", "tiny")]
if (b["noisy"], b["noisy_win"], b["size"]) != (1, False, 8):
    bad.append(f"one of tiny's two sizes on a disturbed run, not the reported one: {b}")
cmp["rows"][0]["cells"][1]["noisy_comparison"] = True
b = t.best_per_class(cmp, cls)[("mpi", "bw", "pageable>pageable", "tiny")]
if (b["noisy"], b["noisy_win"]) != (2, True):
    bad.append(f"the reported size on a disturbed run: {b}")
n = t.noisy_per_class(cmp, cls)
if n != {("mpi", "bw", "pageable>pageable", "tiny"): 2, ("mpi", "bw", "pageable>pageable", "medium"): 0,
         ("mpi", "latency", "pageable>pageable", "tiny"): 0}:
    bad.append(f"noisy_per_class: {n}")
print("\n".join(bad))
raise SystemExit(1 if bad else 0)
PY
ok $? "advice from compare's verdicts: the best per class (faster, slower nowhere; us as speedups), one value per knob, vader's left out under pml ucx, the A/B holds only faster and slower nowhere; comparisons on disturbed runs counted per class"

py_check <<'PY'
from gxreport import tunelib as t
bad = []
def doc(mpi_library, transport, mem, paths=("mpi",), nccl="2.28.9", gpu=True):
    return {"context": {"ranks": [{"mpi_library": mpi_library, "mpi_transport": transport,
                                   "software": {"nccl": nccl}, "gpu": {"present": gpu}}]},
            "results": [{"path": p, "mem": {"src": mem, "dst": mem}, "size": 8} for p in paths]}
c = t.job_context(doc("Open MPI v5.0.7, package: Open MPI", {"library": "Open MPI", "pml": "ucx",
                      "btl": ["smcuda", "self"], "ucx": {"version": "1.22.0", "UCX_TLS": "all"}},
                      "device", paths=("mpi", "nccl")))
if (c.library, c.version, c.pml, c.data, c.gpu, c.nccl, c.paths) != \
        ("Open MPI", (5, 0), "ucx", "device", True, "2.28.9", ("mpi", "nccl")):
    bad.append(f"Open MPI 5 over UCX on device memory: {c}")
names = {k.name for k, _, _ in t.offered(c, lambda argv: None)[0]}
if names != {"pml", "UCX_TLS", "UCX_RNDV_THRESH", "UCX_RNDV_FRAG_SIZE", "NCCL_P2P_NET_CHUNKSIZE",
             "NCCL_BUFFSIZE", "NCCL_P2P_LEVEL"}:
    bad.append(f"offered on device memory over UCX with nccl: {sorted(names)}")
c = t.job_context(doc("MPICH Version:      4.0.2\nMPICH Release date: Thu Apr  7\nMPICH Device: ch4:ucx",
                      {"library": "MPICH", "device": "ch4:ucx"}, "pageable", gpu=False))
if (c.library, c.version, c.device, c.data) != ("MPICH", (4, 0), "ch4:ucx", "host"):
    bad.append(f"MPICH on host memory: {c}")
print("\n".join(bad))
raise SystemExit(1 if bad else 0)
PY
ok $? "the job's library, version, transport, NCCL and data location read from a report's context and results"

py_check <<'PY'
from gxreport import tunelib as t
def res(path, size, median, eff=None, mem="device", pattern="bw"):
    return {"path": path, "pattern": pattern, "unit": "GB/s", "size": size, "ranks": [0, 1],
            "mem": {"src": mem, "dst": mem}, "status": "ok", "stats": {"median": median},
            "efficiency": eff}
doc = {"results": [
    res("mpi", 1 << 20, 10.0, 0.3), res("staged", 1 << 20, 25.0), res("p2p", 1 << 20, 20.0),
    res("mpi", 65536, 5.0, 0.6), res("staged", 65536, 9.0),          # mpi above half: no flag
    res("mpi", 4 << 20, 30.0, 0.3), res("staged", 4 << 20, 20.0),    # the others slower: no flag
    res("mpi", 8 << 20, 1.0, 0.1), res("host", 8 << 20, 5.0, None, "pageable"),  # other data
    res("mpi", 16 << 20, 1.0, None), res("staged", 16 << 20, 5.0)]}  # no ceiling
flags = t.route_flags(doc)
got = [(r["size"], o["path"]) for r, o in flags]
print(got)
raise SystemExit(0 if got == [(1 << 20, "staged")] else 1)
PY
ok $? "the library's route flagged where it reaches less than half its ceiling and another route of the same job, pair, size and data location measured faster (the fastest named)"

# Its counts out of range, quoted with the whole range (both ends), before anything runs.
for a in "-n 1" "-n 99999999999999999999" "-r 1" "-r 10000"; do
    # shellcheck disable=SC2086
    tune $a -o "$dir/range" -- --sizes 8 >/dev/null 2>"$dir/err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && [ ! -e "$dir/range" ] &&
        grep -q "^gpuxfer-report tune: $a: out of range (expected a number of .*: 2\.\.9999*" "$dir/err"
    ok $? "$a: one error line with the range, exit 2 (exit $rc)" || diag <"$dir/err"
done
tune --set 'A B' -- --sizes 8 >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && grep -q "expected NAME=VALUE" "$dir/err"
ok $? "--set without NAME=VALUE: exit 2" || diag <"$dir/err"

# The whole loop on a machine that answers as told: a fake mpirun (drops -np N and MPIRUN_ARGS'
# one word) and a fake gpuxfer that writes a constructed report (Open MPI 4.1, pml ob1, vader)
# three times faster (bandwidth up, latency down) under btl_vader_eager_limit=32768, a percent
# apart between replicates; so the sweep must find it in every size class, the A/B verify it and
# the advice give its ready lines.
cat >"$dir/fake-mpirun" <<'SH'
#!/bin/sh
shift 3
exec "$@"
SH
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$PYTHON" "$dir/fake-gpuxfer.py" >"$dir/fake-gpuxfer"
cat >"$dir/fake-gpuxfer.py" <<'SH'
import json, os, re, sys
out = sys.argv[sys.argv.index("--output") + 1]
with open(os.environ["FAKE_REPORT"], encoding="utf-8") as f:
    doc = json.load(f)
# Each run's report its own, as a real run's is (its times, pids and command line): compare
# refuses one report given twice.
doc["command_line"] = ["gpuxfer"] + sys.argv[1:]
r0 = doc["context"]["ranks"][0]
r0["mpi_library"] = "Open MPI v4.1.4, package: fake"
r0["mpi_transport"] = {"library": "Open MPI", "pml": "ob1", "btl": ["vader", "self"]}
m = re.search(r"run(\d+)\.json$", out)
f = (3.0 if os.environ.get("OMPI_MCA_btl_vader_eager_limit") == "32768" else 1.0) * \
    (1 + 0.01 * (int(m.group(1)) if m else 1))
for r in doc["results"]:
    g = f if r["unit"] == "GB/s" else 1 / f
    st = r["stats"]
    for k in ("min", "max", "mean", "median", "p5", "p95", "p99", "stddev"):
        st[k] *= g
    if g < 1:
        st["min"], st["max"] = st["max"], st["min"]
        st["min"], st["max"] = min(st["min"], st["max"]), max(st["min"], st["max"])
    st["median_ci95"] = [v * g for v in st["median_ci95"]]
with open(out, "w", encoding="utf-8") as f:
    json.dump(doc, f)
SH
chmod +x "$dir/fake-mpirun" "$dir/fake-gpuxfer"
FAKE_REPORT=$top_srcdir/tests/reports/base.json MPIRUN_ARGS=--oversubscribe GPUXFER=$dir/fake-gpuxfer \
    tune -m "$dir/fake-mpirun" -o "$dir/fake" -r 3 --knobs btl_vader_eager_limit -- --sizes 8 \
    >"$dir/fake.txt" 2>&1
ok $? "a tune with a fake gpuxfer that is 3x faster under one setting exits 0" || tail -n 20 "$dir/fake.txt" | diag
py_check "$dir/fake" "$dir/fake.txt" <<'PY'
import json, os, sys
folder, text = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
doc = json.load(open(os.path.join(folder, "advice.json"), encoding="utf-8"))
bad = []
setting = [["OMPI_MCA_btl_vader_eager_limit", "32768"]]
if len(doc["per_class"]) != 5:
    bad.append(f"{len(doc['per_class'])} classes, expected 5 (latency tiny/medium, bw tiny/small/medium)")
for c in doc["per_class"]:
    if c["setting"] != setting or not 2.8 < c["speedup"] < 3.2 or not c["ci95"] or c["q"] >= 0.05:
        bad.append(f"class {c['key']}: {c}")
v = doc["verification"]
if not v or not v["holds"] or v["settings"] != setting or {x["verdict"] for x in v["per_class"]} != {"faster"}:
    bad.append(f"verification: {v}")
rec = doc["recommendation"]
want = ["export OMPI_MCA_btl_vader_eager_limit=32768",
        "mpirun --mca btl_vader_eager_limit 32768 ...",
        "#SBATCH --export=ALL,OMPI_MCA_btl_vader_eager_limit=32768"]
if not rec or rec["lines"] != want:
    bad.append(f"recommendation: {rec}")
tail = text[text.index("# advice: the combination"):].splitlines()[1:4] if "# advice: the combination" in text else []
if tail != want:
    bad.append(f"printed ready lines: {tail}")
if text.count("    export OMPI_MCA_btl_vader_eager_limit=32768") != 5:
    bad.append("a ready line per size class missing")
print("\n".join(bad))
raise SystemExit(1 if bad else 0)
PY
ok $? "its advice: eager limit 32768 in every size class (speedup 3, interval, q), verified by the A/B, the export, mpirun and #SBATCH lines printed and in advice.json"
# What it prints fits 100 columns (the ready lines and each run's command aside: commands to
# copy whole; the test's
# folder, whose length is the caller's, counted as DIR).
wide=$(sed "s|$dir|DIR|g" "$dir/fake.txt" | grep -v '^ *\(export\|mpirun\|#SBATCH\) \|^# each run: gpuxfer ' |
    awk 'length > 100')
[ -z "$wide" ]
ok $? "the tune's output: every line within 100 columns" || printf '%s\n' "$wide" | diag

FAKE_REPORT=$top_srcdir/tests/reports/base.json MPIRUN_ARGS=--oversubscribe GPUXFER=$dir/fake-gpuxfer \
    tune -m "$dir/fake-mpirun" -o "$dir/fakev" -r 3 --verify OMPI_MCA_btl_vader_eager_limit=32768 \
    -- --sizes 8 >"$dir/fakev.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && [ ! -d "$dir/fakev/sweep" ] && [ -d "$dir/fakev/verify" ] &&
    grep -q '^host bw pageable>pageable tiny *faster: x3.0' "$dir/fakev.txt" &&
    grep -qx 'mpirun --mca btl_vader_eager_limit 32768 ...' "$dir/fakev.txt"
ok $? "--verify: no sweep, the A/B of the given setting (faster with its speedup per class) and its ready lines" ||
    tail -n 20 "$dir/fakev.txt" | diag
# The same A/B on a report whose latency 8 B and bw 1 MiB the machine disturbed (noisy.json,
# schema 2.5): those classes' verdicts marked ~, a line says so, advice.json counts them.
FAKE_REPORT=$top_srcdir/tests/reports/noisy.json MPIRUN_ARGS=--oversubscribe GPUXFER=$dir/fake-gpuxfer \
    tune -m "$dir/fake-mpirun" -o "$dir/faken" -r 3 --verify OMPI_MCA_btl_vader_eager_limit=32768 \
    -- --sizes 8 >"$dir/faken.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '^host latency pageable>pageable tiny *faster~: x3.0' "$dir/faken.txt" &&
    grep -q '^host bw pageable>pageable medium *faster~' "$dir/faken.txt" &&
    grep -q '^host bw pageable>pageable tiny *faster: x3.0' "$dir/faken.txt" &&
    grep -q '^# ~: 2 of the A/B.s comparisons rest on a run the machine disturbed' "$dir/faken.txt" &&
    py_check "$dir/faken/advice.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["verification"]
got = {" ".join(c["key"]): c["noisy"] for c in v["per_class"]}
assert got == {"host bw pageable>pageable tiny": 0, "host bw pageable>pageable small": 0,
               "host bw pageable>pageable medium": 1, "host latency pageable>pageable tiny": 1,
               "host latency pageable>pageable medium": 0}, got
PY
ok $? "--verify on disturbed runs: their classes' verdicts marked ~, counted, in advice.json" ||
    tail -n 20 "$dir/faken.txt" | diag
FAKE_REPORT=$top_srcdir/tests/reports/noisy.json MPIRUN_ARGS=--oversubscribe GPUXFER=$dir/fake-gpuxfer \
    tune -m "$dir/fake-mpirun" -o "$dir/fakens" -r 2 --knobs btl_vader_eager_limit -- --sizes 8 \
    >"$dir/fakens.txt" 2>&1
[ $? -eq 0 ] && unwrap "$dir/fakens.txt" >"$dir/fakens.one" &&
    grep -q '^host bw pageable>pageable medium *OMPI_MCA_btl_vader_eager_limit=32768: x3.000~ (ci95 .* 1 of its sizes on a disturbed run (~)$' "$dir/fakens.one" &&
    grep -q '^host bw pageable>pageable small *OMPI_MCA_btl_vader_eager_limit=32768: x3.000 (ci95 .*size(s)$' "$dir/fakens.one" &&
    py_check "$dir/fakens/advice.json" <<'PY'
import json, sys
got = {" ".join(c["key"]): (c["noisy"], c["noisy_win"]) for c in json.load(open(sys.argv[1]))["per_class"]}
assert got["host bw pageable>pageable medium"] == (1, True), got
assert got["host bw pageable>pageable small"] == (0, False), got
PY
ok $? "the sweep on disturbed runs: a class's speedup marked ~ where it rests on one, counted (advice.json)" ||
    tail -n 20 "$dir/fakens.txt" | diag
FAKE_REPORT=$top_srcdir/tests/reports/base.json MPIRUN_ARGS=--oversubscribe GPUXFER=$dir/fake-gpuxfer \
    tune -m "$dir/fake-mpirun" -o "$dir/fakev2" --verify UCX_TLS=tcp -- --sizes 8 >"$dir/fakev2.txt" 2>&1
[ $? -eq 2 ] && tail -n 1 "$dir/fakev2.txt" | grep -q "^gpuxfer-report tune: --verify: UCX_TLS: not a knob offered here"
ok $? "--verify with a knob the library does not offer: exit 2, one line" || diag <"$dir/fakev2.txt"

command -v ompi_info >/dev/null || finish_skip "no ompi_info: the tune run needs Open MPI"
export MPIRUN_ARGS="--oversubscribe --bind-to none --mca mpi_yield_when_idle 1" GX_JOB_TIMEOUT=180
targs=(--path mpi --mem pageable --pattern bw --sizes 8,64K --iters 20)
tune -m "$MPIRUN" -o "$dir/bad" --knobs UCX_TLS -- "${targs[@]}" >"$dir/bad.txt" 2>&1
[ $? -eq 2 ] && tail -n 1 "$dir/bad.txt" | grep -q "UCX_TLS: not offered here: UCX does not carry"
ok $? "--knobs UCX_TLS under pml ob1: refused, with why" || diag <"$dir/bad.txt"

tune -m "$MPIRUN" -o "$dir/dry" -r 2 --dry-run --knobs btl_vader_eager_limit -- "${targs[@]}" >"$dir/dry.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(grep -c '^cfg-[0-9]-.*/run[12].json: ' "$dir/dry.txt")" -eq 6 ] &&
    [ ! -d "$dir/dry/sweep" ] && grep -q '^# plan: 2 candidate' "$dir/dry.txt" &&
    head -n 4 "$dir/dry.txt" | sed ':a;N;$!ba;s/\n#  */ /g' |
    grep -q '^# probe: one run of gpuxfer .*, about [0-9.]* s (its dry run.s estimate'
ok $? "--dry-run: first what the probe runs and about how long, then the plan and the 6 runs (default and 2 candidates, 2 each) listed, none run" ||
    diag <"$dir/dry.txt"

tune -m "$MPIRUN" -o "$dir/t" -r 2 --budget 3 --knobs btl_vader_eager_limit -- \
    "${targs[@]}" >"$dir/t.txt" 2>&1
rc=$?
ok $rc "a tune on host memory (2 ranks, sizes 8 and 64K, 2 replicates, vader's eager limit) exits 0" ||
    tail -n 30 "$dir/t.txt" | diag
py_check "$dir/t" "$dir/t.txt" <<'PY'
import json, os, subprocess, sys
from gxreport import tunelib as t
folder, text = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
bad = []
doc = json.load(open(os.path.join(folder, "advice.json"), encoding="utf-8"))
lib = doc["library"]
if lib != "Open MPI" or doc["pml"] != "ob1" or doc["data"] != "host":
    bad.append(f"context: {lib} {doc['pml']} {doc['data']}")
table = {k.name for k in t.table(lib)}
listed = subprocess.run(["ompi_info", "--param", "btl", "vader", "--level", "9", "--parsable"],
                        capture_output=True, text=True).stdout
companions = {n for k in t.table(lib) for vals in k.with_values.values() for n, _ in vals}
def known(name):
    name = name[len("OMPI_MCA_"):] if name.startswith("OMPI_MCA_") else name
    return name in table | companions and (not name.startswith("btl_") or f":param:{name}:" in listed)
named = [k["name"] for k in doc["knobs"]]
named += [n for cfg in doc["plan"]["configurations"][1:] for n, _ in cfg]
named += [n for c in doc["per_class"] if c["setting"] for n, _ in c["setting"]]
if doc["recommendation"]:
    named += [n for n, _ in doc["recommendation"]["settings"]]
unknown = [n for n in named if not known(n)]
if unknown:
    bad.append(f"names no knob of {lib}'s table that ompi_info lists: {unknown}")
if [k["name"] for k in doc["knobs"]] != ["btl_vader_eager_limit"]:
    bad.append(f"knobs: {doc['knobs']}")
if len(doc["per_class"]) != 2 or {tuple(c["key"][3:]) for c in doc["per_class"]} != {("tiny",), ("small",)}:
    bad.append(f"per class: {doc['per_class']}")
# The per-class section alone: where a setting was found, the verification's A/B that follows
# prints each class's verdict under the same row name.
lines = text.splitlines()
start = next((i for i, l in enumerate(lines) if l.startswith("# per size class:")), len(lines))
end = next((i for i in range(start + 1, len(lines))
            if lines[i].startswith("# ") and not lines[i].startswith("#   ")), len(lines))
# A row wrapped at 100 columns continues on lines two spaces in: joined again.
section = "\n".join(lines[start + 1:end]).replace("\n  ", " ").split("\n")
for c in doc["per_class"]:
    if c["setting"] and not (c["speedup"] > 1 and c["q"] is not None and c["q"] < 0.05):
        bad.append(f"a class's setting without a significant gain: {c}")
    line = [l for l in section if l.startswith("mpi bw pageable>pageable " + c["key"][3])]
    if len(line) != 1:
        bad.append(f"no line for class {c['key'][3]}")
rec = doc["recommendation"]
if rec is not None:
    if not (doc["verification"] and doc["verification"]["holds"]):
        bad.append("a recommendation the A/B did not verify")
    exp = rec["lines"][0]
    if exp != "export " + " ".join(f"{n}={v}" for n, v in rec["settings"]):
        bad.append(f"export line: {exp}")
    if not any(l.startswith("mpirun --mca ") for l in rec["lines"]):
        bad.append(f"no mpirun line: {rec['lines']}")
elif "# advice: keep the defaults" not in text:
    bad.append("neither a recommendation nor 'keep the defaults'")
print("\n".join(bad))
raise SystemExit(1 if bad else 0)
PY
ok $? "the advice (advice.json) parses, has a line per size class, names only knobs of Open MPI's table that ompi_info lists, recommends only what the A/B verified"

# A budget the probe's run length cannot fit shortens the runs (gpuxfer --budget) before it drops
# candidates: the probe's report made to say it took two minutes.
python3 - "$dir/t/probe.json" "$dir/long.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d["start_time"], d["end_time"] = "2026-11-24T00:00:00Z", "2026-11-24T00:02:00Z"
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"))
PY
tune -m "$MPIRUN" -o "$dir/long" -r 3 --budget 2 --dry-run --context "$dir/long.json" \
    --knobs btl_vader_eager_limit -- "${targs[@]}" >"$dir/long.txt" 2>&1
rc=$?
cap=$(sed -n 's/^#   cut to fit the budget: each run measures within \([0-9]*\) s .*/\1/p' "$dir/long.txt")
[ $rc -eq 0 ] && [ -n "$cap" ] && [ "$cap" -ge 5 ] && [ "$cap" -le 12 ] &&
    grep -q "^# each run: gpuxfer .* --budget $cap\$" "$dir/long.txt" &&
    ! grep -q "cut to fit the budget: candidates" "$dir/long.txt" &&
    [ "$(grep -c '^cfg-[0-9]-.*/run[12].json: ' "$dir/long.txt")" -eq 6 ]
ok $? "--budget 2 after a 2-minute probe: 2 replicates, then each run within a measuring budget (5-12 s, gpuxfer --budget), every candidate kept" ||
    diag <"$dir/long.txt"

# gpuxfer's own report: UCX's protocol per mpi result (UCX_PROTO_INFO=y; UCX 1.13 prints it only
# with UCX_PROTO_ENABLE=y), its tables out of the job's stdout, no log file left behind.
# The ranks' own TMPDIR: other jobs on the machine (CI runs tests side by side) leave theirs.
mkdir -p "$dir/tmp"
TMPDIR=$dir/tmp UCX_PROTO_ENABLE=y UCX_PROTO_INFO=y OMPI_MCA_pml=ucx OMPI_MCA_pml_ucx_tls=any \
    OMPI_MCA_pml_ucx_devices=any gx_mpirun 2 --path mpi,host --mem pageable --pattern bw --sizes 8,4M --iters 20 --output "$dir/proto.json" \
    >"$dir/proto.txt" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "PML ucx cannot be selected\|No components were able to be opened" "$dir/proto.txt"; then
    skip "pml ucx cannot be selected here"
    skip "pml ucx cannot be selected here"
else
    check_report "$dir/proto.json" --patterns bw --sizes 2 &&
        py_check "$dir/proto.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
lp = doc.get("library_protocols") or []
got = {e["size"]: {c["protocol"] for c in e["chosen"]} for e in lp}
bad = []
if sorted(got) != [8, 4194304] or any(e["path"] != "mpi" or e["rank"] != 0 for e in lp):
    bad.append(f"entries: {lp}")
elif "eager short" not in got[8] or not any("rendezvous" in p for p in got[4194304]):
    bad.append(f"protocols: {got}")
print("\n".join(bad))
raise SystemExit(1 if bad else 0)
PY
    ok $? "UCX_PROTO_INFO=y: the report's library_protocols name eager short at 8 B and a rendezvous at 4 MiB (rank 0's tables), valid against the schema" ||
        diag <"$dir/proto.txt"
    logs=$(ls "$dir/tmp" | grep -c '^gpuxfer-ucx\.')
    [ $rc -eq 0 ] && ! grep -q "ucp_context\|ep_cfg\[" "$dir/proto.txt" &&
        grep -q "^# UCX's protocol per mpi result" "$dir/proto.txt" && [ "$logs" -eq 0 ]
    ok $? "its tables in the report's section, none on the job's output, no log file left (exit $rc)" ||
        diag <"$dir/proto.txt"
fi

# UCX loaded before main (as Open MPI 5 links it; here by LD_PRELOAD): UCX has read where its log
# goes already, so gpuxfer starts again with UCX_LOG_FILE set; the tables still reach the report.
ucs=$(ldconfig -p 2>/dev/null | awk '/libucs\.so\.0 /{print $NF; exit}')
if [ -z "$ucs" ] || grep -q "pml ucx cannot be selected here" "$dir/proto.txt" 2>/dev/null ||
        ! grep -q "UCX's protocol per mpi result" "$dir/proto.txt"; then
    skip "no libucs.so.0, or pml ucx cannot be selected here"
else
    # Under the sanitizers' build ASan's runtime must come first among preloaded libraries.
    asan=$(ldd "$GPUXFER" 2>/dev/null | awk '/libasan/ { print $3; exit }')
    preload=${asan:+$asan:}$ucs
    UCX_PROTO_ENABLE=y UCX_PROTO_INFO=y OMPI_MCA_pml=ucx OMPI_MCA_pml_ucx_tls=any \
        OMPI_MCA_pml_ucx_devices=any gx_mpirun_opts="$gx_mpirun_opts -x LD_PRELOAD=$preload" \
        gx_mpirun 2 --path mpi --mem pageable \
        --pattern bw --sizes 8,4M --iters 20 --output "$dir/preload.json" >"$dir/preload.txt" 2>&1
    rc=$?
    [ $rc -eq 0 ] && ! grep -q "ucp_context\|ep_cfg\[" "$dir/preload.txt" &&
        grep -A2 "^# UCX's protocol per mpi result" "$dir/preload.txt" | grep -q "eager short"
    ok $? "libucs loaded before main: gpuxfer starts again with UCX_LOG_FILE, the tables in the report's section, none on the output (exit $rc)" ||
        diag <"$dir/preload.txt"
fi
done_testing
