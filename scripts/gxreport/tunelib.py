"""gpuxfer-report tune's tables and readers: the knobs of each MPI library (and NCCL) that matter for
point-to-point transfers, which of them the job's library has (from a report's context and, for
Open MPI, ompi_info), the parser of UCX's protocol tables (UCX_PROTO_INFO=y), and the advice
drawn from gpuxfer-report compare's rows. gpuxfer-report tune runs the sweeps (gpuxfer-report sweep) and the
judgement (gpuxfer-report compare); this module decides nothing about significance itself."""
import collections
import json
import os
import re
import subprocess

import gxreport as gx  # beside this file, as for the tools that import this one

# --- Knob tables --------------------------------------------------------------------------------
#
# One line per knob. how: "mca" (an Open MPI MCA parameter: OMPI_MCA_<name> in the environment,
# --mca <name> <value> on mpirun) or "env" (an environment variable). default: the library's own
# default as documented (Open MPI's is read from ompi_info where it can be). candidates: the
# values tried, per data location ("host": host memory, "device": GPU memory); none for a location
# means the knob does not act there. moves: what it shifts (transport: which route; threshold: the
# size where the protocol changes; chunk: a pipeline's piece; mechanism: how one copy is made).
# where: the library versions and transports that have it. needs: the names of the conditions
# (NEEDS below) the job's context must meet for the knob to be offered. with_values: settings a
# candidate value needs beside it ({value: ((name, value), ...)}).

Knob = collections.namedtuple(
    "Knob", "library name how default candidates moves where needs with_values")

MOVES = ("transport", "threshold", "chunk", "mechanism")
DATA = ("host", "device")

# pml ucx on Open MPI 4.1 and 5 looks for InfiniBand devices only (pml_ucx_devices mlx*,
# pml_ucx_tls); without them no PML opens. Both parameters any: UCX takes every device.
_UCX_PML_OPEN = (("pml_ucx_tls", "any"), ("pml_ucx_devices", "any"))

KNOBS = (
    # Open MPI: PML selection and the shared-memory BTLs under ob1.
    Knob("Open MPI", "pml", "mca", "ob1 (ucx where InfiniBand is found)",
         {"host": ("ob1", "ucx"), "device": ("ob1", "ucx")}, "transport",
         "Open MPI 4.x, 5.x with the pml components built", ("openmpi",),
         {"ucx": _UCX_PML_OPEN}),
    Knob("Open MPI", "btl_vader_single_copy_mechanism", "mca", "cma (best available)",
         {"host": ("cma", "emulated", "none")}, "mechanism",
         "Open MPI 3.x-4.x, btl vader under pml ob1 (5.x: btl_sm_single_copy_mechanism)",
         ("openmpi4", "ob1", "btl_vader"), {}),
    Knob("Open MPI", "btl_vader_eager_limit", "mca", "4096",
         {"host": ("16384", "32768")}, "threshold",
         "Open MPI 3.x-4.x, btl vader under pml ob1 (5.x: btl_sm_eager_limit)",
         ("openmpi4", "ob1", "btl_vader"), {}),
    Knob("Open MPI", "btl_sm_single_copy_mechanism", "mca", "cma or xpmem (best available)",
         {"host": ("cma", "emulated", "none")}, "mechanism",
         "Open MPI 5.x, btl sm under pml ob1", ("openmpi5", "ob1", "btl_sm"), {}),
    Knob("Open MPI", "btl_sm_eager_limit", "mca", "4096",
         {"host": ("16384", "32768")}, "threshold",
         "Open MPI 5.x, btl sm under pml ob1", ("openmpi5", "ob1", "btl_sm"), {}),
    Knob("Open MPI", "btl_smcuda_use_cuda_ipc", "mca", "1",
         {"device": ("0",)}, "transport",
         "Open MPI built with CUDA, btl smcuda under pml ob1 (0: device data through the host)",
         ("openmpi", "ob1", "btl_smcuda"), {}),
    Knob("Open MPI", "btl_smcuda_max_send_size", "mca", "32768",
         {"device": ("131072", "1048576")}, "chunk",
         "Open MPI built with CUDA, btl smcuda under pml ob1", ("openmpi", "ob1", "btl_smcuda"), {}),
    # UCX, under Open MPI's pml ucx or MPICH's ch4:ucx.
    Knob("UCX", "UCX_TLS", "env", "all",
         {"host": ("self,sm", "self,tcp"),
          "device": ("self,sm,cuda_copy,cuda_ipc", "self,sm,cuda_copy")}, "transport",
         "UCX 1.x (aliases sm, cuda; cuda_ipc: GPU peer copies)", ("ucx",), {}),
    Knob("UCX", "UCX_RNDV_THRESH", "env", "auto",
         {"host": ("8K", "64K", "1M"), "device": ("0", "8K", "1M")}, "threshold",
         "UCX 1.x: eager below, rendezvous from this size", ("ucx",), {}),
    Knob("UCX", "UCX_RNDV_FRAG_SIZE", "env", "host:512K,cuda:4M",
         {"host": ("host:128K", "host:2M"), "device": ("cuda:1M", "cuda:16M")}, "chunk",
         "UCX 1.13 and later (a size per memory type; older UCX one size): the rendezvous "
         "pipeline's fragment through bounce buffers", ("ucx",), {}),
    # MPICH (CH4 device).
    Knob("MPICH", "MPIR_CVAR_CH4_IPC_GPU_P2P_THRESHOLD", "env",
         "by version (1 in 4.0's notes; 32768 or 1048576 in later sources)",
         {"device": ("1", "32768", "1048576")}, "threshold",
         "MPICH 4.x CH4 built with GPU support: GPU IPC single copy from this size, within a node",
         ("mpich_ch4",), {}),
    Knob("MPICH", "MPIR_CVAR_CH4_OFI_GPU_PIPELINE_BUFFER_SZ", "env", "1048576",
         {"device": ("262144", "4194304")}, "chunk",
         "MPICH 4.1 and later, ch4:ofi with MPIR_CVAR_CH4_OFI_ENABLE_GPU_PIPELINE=1: the host "
         "staging pipeline's chunk between nodes", ("mpich_ch4_ofi",), {}),
    # Cray MPICH.
    Knob("Cray MPICH", "MPICH_GPU_IPC_THRESHOLD", "env", "1024",
         {"device": ("1", "8192", "1048576")}, "threshold",
         "Cray MPICH 8.x with MPICH_GPU_SUPPORT_ENABLED=1: GPU IPC within a node from this size",
         ("cray_mpich",), {}),
    # MVAPICH2.
    Knob("MVAPICH2", "MV2_CUDA_BLOCK_SIZE", "env", "262144",
         {"device": ("65536", "1048576", "4194304")}, "chunk",
         "MVAPICH2 2.x / MVAPICH2-GDR with MV2_USE_CUDA=1: the device<->host pipeline's block",
         ("mvapich2",), {}),
    # NCCL (the nccl path).
    Knob("NCCL", "NCCL_P2P_NET_CHUNKSIZE", "env", "131072",
         {"device": ("524288", "2097152")}, "chunk",
         "NCCL 2.14 and later: send/recv chunk over the network", ("nccl",), {}),
    Knob("NCCL", "NCCL_BUFFSIZE", "env", "4194304",
         {"device": ("1048576", "16777216")}, "chunk",
         "NCCL 2.x: the buffer per channel and peer", ("nccl",), {}),
    Knob("NCCL", "NCCL_P2P_LEVEL", "env", "unset (NCCL decides per topology)",
         {"device": ("NVL", "PHB", "SYS", "LOC")}, "transport",
         "NCCL 2.3.4 and later: the farthest GPU distance that still uses P2P", ("nccl",), {}),
)

LIBRARIES = tuple(dict.fromkeys(k.library for k in KNOBS))


def table(library):
    """The knobs of one library, in table order."""
    return [k for k in KNOBS if k.library == library]


def find(name):
    for k in KNOBS:
        if k.name == name:
            return k
    return None


def env_name(knob):
    """The environment variable that carries the knob (Open MPI reads OMPI_MCA_<name>)."""
    return "OMPI_MCA_" + knob.name if knob.how == "mca" else knob.name


def settings(knob, value):
    """[(environment variable, value)] that set the knob to value, with what the value needs."""
    out = [(env_name(knob), value)]
    for name, v in knob.with_values.get(value, ()):
        out.append(("OMPI_MCA_" + name if knob.how == "mca" else name, v))
    return out


# --- The job's library, from a report's context ----------------------------------------------

Context = collections.namedtuple(
    "Context", "library version mpi_library pml btl ucx device nccl gpu paths data")


def version_of(text):
    """(major, minor) of the first a.b in text; (0, 0) without one."""
    m = re.search(r"(\d+)\.(\d+)", text or "")
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def job_context(doc):
    """What the tune needs of a report: rank 0's library and transport, NCCL's version, whether
    its GPU is present, the paths measured and where the data was (host or device)."""
    ranks = (doc.get("context") or {}).get("ranks") or [{}]
    r = ranks[0]
    t = r.get("mpi_transport") or {}
    lib = t.get("library", "unknown")
    mpi_library = r.get("mpi_library", "")
    if lib == "Open MPI":
        version = version_of(mpi_library.split("Open MPI v", 1)[-1])
    else:
        version = version_of(mpi_library.split("Version:", 1)[-1])
    sw = r.get("software") or {}
    nccl = sw.get("nccl")
    results = doc.get("results") or []
    paths = sorted({x["path"] for x in results} | {x.get("path") for x in doc.get("skipped") or []
                                                 if x.get("path")})
    mems = {m for x in results for m in (x.get("mem") or {}).values()}
    data = "device" if mems & {"device", "managed"} else "host"  # as data_location, over all
    return Context(lib, version, mpi_library, t.get("pml"), tuple(t.get("btl") or ()),
                   t.get("ucx"), t.get("device"), nccl if nccl and nccl != "none" else None,
                   bool((r.get("gpu") or {}).get("present")), tuple(paths), data)


def _over_ucx(c):
    return c.ucx is not None and (c.pml == "ucx" or "ucx" in (c.device or ""))


# Conditions a knob needs: name -> (test on the context, why not when it fails).
NEEDS = {
    "openmpi": (lambda c: c.library == "Open MPI", "the library is not Open MPI"),
    "openmpi4": (lambda c: c.library == "Open MPI" and c.version[0] < 5,
                 "Open MPI 5 renamed btl vader to sm"),
    "openmpi5": (lambda c: c.library == "Open MPI" and c.version[0] >= 5,
                 "btl sm's parameters are Open MPI 5's"),
    "ob1": (lambda c: c.pml == "ob1", "the BTLs carry messages only under pml ob1"),
    "btl_vader": (lambda c: "vader" in c.btl, "btl vader is not loaded"),
    "btl_sm": (lambda c: "sm" in c.btl, "btl sm is not loaded"),
    "btl_smcuda": (lambda c: "smcuda" in c.btl, "btl smcuda is not loaded (Open MPI without CUDA)"),
    "ucx": (_over_ucx, "UCX does not carry the point-to-point messages"),
    "mpich_ch4": (lambda c: c.library == "MPICH" and c.version >= (4, 0)
                  and (c.device or "").startswith("ch4"), "not MPICH 4 with the ch4 device"),
    "mpich_ch4_ofi": (lambda c: c.library == "MPICH" and c.version >= (4, 1)
                      and (c.device or "").startswith("ch4:ofi"), "not MPICH 4.1+ on ch4:ofi"),
    "cray_mpich": (lambda c: c.library == "Cray MPICH", "the library is not Cray MPICH"),
    "mvapich2": (lambda c: c.library == "MVAPICH2", "the library is not MVAPICH2"),
    "nccl": (lambda c: c.nccl is not None and "nccl" in c.paths,
             "no nccl path measured (or no NCCL)"),
}


def why_not(knob, ctx):
    """None where the job's library has the knob and it acts on the job's data, else why not."""
    for need in knob.needs:
        test, reason = NEEDS[need]
        if not test(ctx):
            return reason
    if not knob.candidates.get(ctx.data):
        return f"does not act on {ctx.data} memory"
    return None


# --- Open MPI: the parameters ompi_info lists ------------------------------------------------

def ompi_params(component_of, run=None):
    """{parameter: {"value": current value, "enum": [values]}} for the MCA parameters of the
    components named ({"btl_vader_eager_limit": ("btl", "vader"), ...}), asked of ompi_info
    (--parsable); None where ompi_info cannot be run. run(argv) -> stdout text (tests hand one)."""
    run = run or _run_text
    out = {}
    for fw, comp in sorted(set(component_of.values())):
        text = run(["ompi_info", "--param", fw, comp, "--level", "9", "--parsable"])
        if text is None:
            return None
        for line in text.splitlines():
            parts = line.split(":")
            if len(parts) < 7 or parts[:2] != ["mca", fw] or parts[3] != "param":
                continue
            p = out.setdefault(parts[4], {"value": None, "enum": []})
            if parts[5] == "value":
                p["value"] = ":".join(parts[6:])
            elif parts[5] == "enumerator" and len(parts) >= 9:
                p["enum"].append(":".join(parts[8:]))
    return out


def ompi_components(fw, run=None):
    """The components of framework fw that ompi_info lists (e.g. pml: ob1, ucx, cm)."""
    text = (run or _run_text)(["ompi_info", "--parsable"])
    if text is None:
        return None
    return sorted({line.split(":")[2] for line in text.splitlines()
                   if line.startswith(f"mca:{fw}:") and len(line.split(":")) > 3})


def _run_text(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout if p.returncode == 0 else None


def offered(ctx, run=None):
    """[(knob, default, candidates, None)] for the knobs the job's library has, and
    [(knob, reason)] for the others. Open MPI's are checked against ompi_info where it runs:
    its current value is the default, and only values it lists (and components it has) are tried."""
    yes, no = [], []
    mca = {k.name: tuple(k.name.split("_", 2)[:2]) for k in KNOBS
           if k.how == "mca" and k.name.count("_") >= 2 and why_not(k, ctx) is None}
    params = ompi_params(mca, run) if mca else {}
    pmls = ompi_components("pml", run) if ctx.library == "Open MPI" else None
    for k in KNOBS:
        reason = why_not(k, ctx)
        if reason:
            no.append((k, reason))
            continue
        default, cands = k.default, list(k.candidates[ctx.data])
        if k.name == "pml":
            default = ctx.pml or default
            if pmls is not None:
                cands = [v for v in cands if v in pmls]
        elif k.library == "UCX" and (ctx.ucx or {}).get(k.name):
            default = ctx.ucx[k.name]  # as UCX read it (environment or its default)
        elif k.how == "mca" and params is not None:
            p = params.get(k.name)
            if p is None:
                no.append((k, "ompi_info does not list it"))
                continue
            default = p["value"] if p["value"] is not None else default
            if p["enum"]:
                cands = [v for v in cands if v in p["enum"]]
        cands = [v for v in cands if v != default]
        if not cands:
            no.append((k, f"no candidate besides the default {default}"))
            continue
        yes.append((k, default, cands))
    return yes, no


# --- UCX's protocol per result ---------------------------------------------------------------
#
# gpuxfer run with UCX_PROTO_INFO=y reads UCX's selection tables itself (src/report/ucx_proto.c)
# into its report's library_protocols: per mpi result of rank 0, the protocols and transports.

def protocols(folder, results):
    """Per configuration folder of a gpuxfer-report sweep folder: {size: ['protocol transport',
    ...]} from its runs' reports (run<k>.json's library_protocols), for each (size, memory) of
    the results (a report's)."""
    out = {}
    wanted = {(r["size"], r["mem"]["src"]) for r in results}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not (name.startswith("cfg-") and os.path.isdir(path)):
            continue
        per = {}
        for f in sorted(os.listdir(path)):
            if not (f.startswith("run") and f.endswith(".json")):
                continue
            try:  # the bound every tool reads reports within
                entries = gx.parse_json(f, gx.read_bounded(os.path.join(path, f))[0]).get(
                    "library_protocols") or []
            except gx.BadInput:
                continue
            for e in entries:
                if (e["size"], e["mem"]["src"]) not in wanted:
                    continue
                got = per.setdefault(str(e["size"]), [])
                for c in e["chosen"]:
                    text = f"{c['protocol']} {c['transports']}".strip()
                    if text not in got:
                        got.append(text)
        out[name] = per
    return out


# --- The library's route against gpuxfer's own ------------------------------------------------

def data_location(mem):
    """'device' where either end of a result's buffers is GPU (or managed) memory, else 'host'."""
    return "device" if {mem["src"], mem["dst"]} & {"device", "managed"} else "host"


def route_flags(doc):
    """The mpi path (the library's own route) against the other paths of the same report: each
    bandwidth result of mpi that reaches less than half of its ceiling (efficiency < 0.5, so the
    report has ceilings) while another path, for the same pair, pattern, size and data
    location, measured more: [(mpi result, the fastest such other result)]."""
    ok = [r for r in doc["results"] if r.get("status") == "ok" and r["unit"] == "GB/s"]
    flags = []
    for r in ok:
        eff = r.get("efficiency")
        if r["path"] != "mpi" or eff is None or eff >= 0.5:
            continue
        faster = [o for o in ok if o["path"] != "mpi" and o["pattern"] == r["pattern"]
                  and o["size"] == r["size"] and o["ranks"] == r["ranks"]
                  and data_location(o["mem"]) == data_location(r["mem"])
                  and o["stats"]["median"] > r["stats"]["median"]]
        if faster:
            flags.append((r, max(faster, key=lambda o: o["stats"]["median"])))
    return flags


# --- Advice from gpuxfer-report compare's rows ------------------------------------------------------

def speedup(unit, ratio, ci):
    """A ratio B/A (and its interval) as a speedup: > 1 is faster, for GB/s and for us alike."""
    if ratio is None:
        return None, None
    if unit == "us":
        return 1 / ratio, (None if ci is None else [1 / ci[1], 1 / ci[0]])
    return ratio, ci


def class_rows(compare, size_class):
    """compare's rows grouped by (path, pattern, memory, size class): {key: [row, ...]};
    size_class(size) -> the size's class."""
    out = {}
    for row in compare["rows"]:
        key = (row["path"], row["pattern"], "{}>{}".format(*row["mem"]), size_class(row["size"]))
        out.setdefault(key, []).append(row)
    return out


def best_per_class(compare, size_class):
    """Per class: the configuration (index > 0) significantly faster at the most sizes of the
    class and significantly slower at none (compare's verdicts), ties to the larger speedup.
    {key: None or {"cfg", "faster", "sizes", "size", "speedup", "ci95", "p", "q", "noisy",
    "noisy_win"}} where the reported size is the one of the class with the largest significant
    speedup; noisy: the class's sizes whose comparison rests on a run the machine disturbed
    (compare's noisy_comparison), noisy_win: whether the reported size's does."""
    out = {}
    ncfg = len(compare["configurations"])
    for key, rows in class_rows(compare, size_class).items():
        best = None
        for i in range(1, ncfg):
            cells = [(r, r["cells"][i]) for r in rows if r["cells"][i]]
            if any(c["verdict"] == "slower" for _, c in cells):
                continue
            wins = [(r, c) for r, c in cells if c["verdict"] == "faster"]
            if not wins:
                continue
            r, c = max(wins, key=lambda rc: speedup(rc[0]["unit"], rc[1]["ratio"], None)[0])
            s, ci = speedup(r["unit"], c["ratio"], c["ci95"])
            cand = {"cfg": i, "faster": len(wins), "sizes": len(rows), "size": r["size"],
                    "speedup": s, "ci95": ci, "p": c["p"], "q": c["q"], "test": c["test"],
                    "noisy": sum(1 for _, x in cells if x.get("noisy_comparison")),
                    "noisy_win": bool(c.get("noisy_comparison"))}
            if best is None or (cand["faster"], cand["speedup"]) > (best["faster"], best["speedup"]):
                best = cand
        out[key] = best
    return out


def combine(best, configs, ctx):
    """The settings to verify: one value per knob, the one that won the most classes (ties: the
    larger speedup), from best_per_class's answer; configs[i - 1] is configuration i's (knob,
    value). Knobs the chosen PML makes inert (vader's under pml ucx) are left out, with why:
    (settings [(name, value)], [why left out])."""
    wins = {}
    for b in best.values():
        if b:
            k, v = configs[b["cfg"] - 1]
            w = wins.setdefault(k.name, {}).setdefault(v, [0, 0.0])
            w[0] += 1
            w[1] = max(w[1], b["speedup"])
    chosen = {name: max(vals.items(), key=lambda kv: (kv[1][0], kv[1][1]))[0]
              for name, vals in wins.items()}
    dropped = []
    if "pml" in chosen:
        after = ctx._replace(pml=chosen["pml"])
        for name in list(chosen):
            why = why_not(find(name), after)
            if why:
                dropped.append(f"{name}: {why} (pml {chosen['pml']} chosen)")
                del chosen[name]
    pairs = []
    for k in KNOBS:
        if k.name in chosen:
            pairs += settings(k, chosen[k.name])
    return pairs, dropped


def verified(compare, size_class):
    """The final A/B (configuration 1 against the default, 0): per class 'faster', 'slower',
    'undecided' or 'same' by compare's verdicts (slower wins over faster, faster over
    undecided: a loss anywhere in the class shows), and whether the change holds: faster
    somewhere, slower nowhere."""
    per = {}
    for key, rows in class_rows(compare, size_class).items():
        v = [r["cells"][1]["verdict"] for r in rows if r["cells"][1]]
        per[key] = ("slower" if "slower" in v else "faster" if "faster" in v else
                    "undecided" if "undecided" in v else "same")
    return per, "faster" in per.values() and "slower" not in per.values()


def noisy_per_class(compare, size_class, cfg=1):
    """Per class: how many of its sizes' comparisons (configuration cfg against the default)
    rest on a run the machine disturbed (compare's noisy_comparison; 0 for reports before 2.5)."""
    return {key: sum(1 for r in rows if r["cells"][cfg] and r["cells"][cfg].get("noisy_comparison"))
            for key, rows in class_rows(compare, size_class).items()}


def ready_lines(pairs, how_of, library):
    """The settings as an export line, the launcher's options (Open MPI's mpirun: --mca for MCA
    parameters, -x for the rest; the MPICH family's mpiexec: -genv) and a Slurm #SBATCH --export
    line (Slurm splits --export at commas: a value with a comma goes in the job script's export
    instead). pairs: [(environment name, value)]; how_of(name) -> 'mca' or 'env'."""
    lines = ["export " + " ".join(f"{n}={v}" for n, v in pairs)]
    if library == "Open MPI":
        opts = [f"--mca {n[len('OMPI_MCA_'):]} {v}" if how_of(n) == "mca" else f"-x {n}={v}"
                for n, v in pairs]
        lines.append("mpirun " + " ".join(opts) + " ...")
    else:
        lines.append("mpiexec " + " ".join(f"-genv {n} {v}" for n, v in pairs) + " ...")
    plain = [(n, v) for n, v in pairs if "," not in v]
    if plain:
        lines.append("#SBATCH --export=ALL," + ",".join(f"{n}={v}" for n, v in plain))
    if len(plain) < len(pairs):
        lines.append("# in the job script (a comma in the value): export " +
                     " ".join(f"{n}={v}" for n, v in pairs if "," in v))
    return lines
