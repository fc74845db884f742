"""gpuxfer-report tune: which MPI/UCX/NCCL settings serve each size class best, proved by
replicated runs.

Reads the MPI library and transport the job runs on from a probe run's report (or --context),
offers that library's knobs (scripts/gxreport/tunelib.py's tables; Open MPI's checked with
ompi_info), and sweeps them one knob at a time against the default with gpuxfer-report sweep
(every configuration R times, in interleaved rounds), judged by gpuxfer-report compare (run-
level t tests, Benjamini-Hochberg, the ratios' intervals). Per path, pattern, memory and size
class it prints the best setting, its speedup over the default with the 95% interval, then
combines the best settings and verifies them against the default in a final A/B of its own. It
recommends only settings that compare calls significantly faster in the A/B, and slower nowhere;
the ready lines: export, mpirun (--mca / -x), #SBATCH --export.

GPUXFER_ARGS default to the mpi path (latency and bw at the default run's sizes) on device
memory, or on host (pageable) memory where nvidia-smi lists no GPU. --ceilings off and --quiet
are added unless given. With --proto-info every run gets UCX_PROTO_INFO=y and the protocol and
transport UCX chose for each result's size are read from the run's output into the advice
(gpuxfer's report has them too, rank 0's, as library_protocols, where UCX_LOG_FILE is not set).
--verify skips the sweep: the A/B of the settings given. Where the probe measured ceilings
and other paths, the library's route is flagged where it reaches less than half its ceiling
and another route was faster. Everything goes under OUTDIR: probe.json/.txt, sweep/ and verify/
(gpuxfer-report sweep folders), compare-sweep.json, compare-verify.json, advice.json,
advice.txt.

OUTDIR is made whole or not at all: the tune writes into a temporary folder beside it
(.NAME.tmp.*), which takes OUTDIR's name when the tune ends with 0 or 1; a refusal, Ctrl-C or
SIGTERM leaves nothing. An existing OUTDIR is refused unless --force (it is then replaced when
the tune ends); with --force too, a file, FIFO, socket or device there (only a folder or a link
is replaced: the link itself, never its target).

Exit status: 0 the tune ran (also when it recommends nothing); 1 a run or a comparison failed so
that nothing could be judged; 2 bad usage or input (an option, an existing OUTDIR, a report it
cannot use), with one line on stderr; 3 its output could not be written (stdout full or closed,
a full disk); 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), with one line on stderr."""
import argparse
import collections
import datetime
import json
import os
import re
import shlex
import signal
import shutil
import subprocess
import sys
import time

import gxreport as gx
from gxreport import cli
from gxreport import tunelib as tune

PROG = "gpuxfer-report tune"
# Seconds of a run that do not scale with its sizes (mpirun, MPI_Init, the report).
STARTUP_S = 3.0
# The shortest measuring time a run is given under --budget: below it most steps end at their
# fewest iterations whatever their share.
MIN_RUN_S = 5.0
# Under --budget the probe measures within this share of it (PROBE_S at most): one slow route
# (hundreds of microseconds a message on a GPU two ranks share) must not spend the budget before
# the sweep has started.
PROBE_SHARE, PROBE_S = 0.1, 60.0


def tool(name):
    """A sibling subcommand, called through the door that runs this one."""
    return [sys.executable, cli.door(), name]


def gpuxfer_program():
    return cli.gpuxfer_program() or gx.die(PROG, "no gpuxfer program (set GPUXFER)")


def has_gpu():
    try:
        p = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30,
                           check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0 and "GPU" in p.stdout


def without_option(args, name):
    """args less '--name VALUE' and '--name=VALUE'."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a == name:
            skip = True
        elif not a.startswith(name + "="):
            out.append(a)
    return out


def has_option(args, name):
    return any(a == name or a.startswith(name + "=") for a in args)


def base_args(a):
    args = list(a.gpuxfer_args)
    if not args:
        args = ["--path", "mpi", "--pattern", "latency,bw"]
        if not has_gpu():
            args += ["--mem", "pageable"]
    if not any(has_option(args, n) for n in ("--ceilings", "--calibrate")):  # its old name too
        args += ["--ceilings", "off"]
    if not has_option(args, "--quiet"):
        args += ["--quiet"]
    return args


def job_words(a, args):
    """The command line of a gpuxfer job of a.ranks ranks under a.mpirun, as sweep starts one."""
    return shlex.split(a.mpirun) + ["-np", str(a.ranks)] + \
        shlex.split(os.environ.get("MPIRUN_ARGS", "--bind-to none")) + [gpuxfer_program()] + args


def run_job(a, args, out, env):
    """One gpuxfer job like gpuxfer-report sweep's: its report out.json, its output out.txt.
    Returns (exit status, seconds)."""
    words = job_words(a, args + ["--force", "--output", out + ".json"])
    t0 = time.time()
    with open(out + ".txt", "w", encoding="utf-8") as f:
        try:
            p = subprocess.Popen(words, stdout=f, stderr=subprocess.STDOUT, env=env)
        except OSError as e:
            gx.die(PROG, f"cannot run {words[0]}: {e.strerror}")
        rc = wait_job(p, t0 + float(os.environ.get("GX_JOB_TIMEOUT", "600")))
    return rc, time.time() - t0


def probe_estimate(a, args, env):
    """The probe's time as gpuxfer's dry run estimates it (seconds), None where it says none."""
    try:
        done = subprocess.run(job_words(a, args + ["--dry-run"]), capture_output=True, text=True, errors="replace", env=env,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"; estimate ([0-9.]+) s", done.stdout)
    return float(m.group(1)) if done.returncode == 0 and m else None


def wait_job(p, deadline):
    """The job's exit status (124 past the deadline: killed). A Ctrl-C or SIGTERM while it runs
    kills it and, once it is gone, ends the tune as ever: raised inside subprocess's own wait,
    it could leave the Popen's lock taken, and the wait in its cleanup then never returned (a
    tune hung with its probe a zombie, under the sanitizer tier's load)."""
    got = []

    def stop(signum, frame):
        got.append(signum)
        p.kill()

    old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while p.poll() is None:
            if time.time() > deadline and not got:
                p.kill()
                p.wait()
                return 124
            time.sleep(0.02)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    if got and got[0] == signal.SIGINT:
        raise KeyboardInterrupt
    if got:
        raise gx.Interrupted(got[0])
    return p.returncode


def report_seconds(doc):
    """A report's run time from its start and end times (None where it has not both)."""
    try:
        t = [datetime.datetime.fromisoformat(doc[k].replace("Z", "+00:00"))
             for k in ("start_time", "end_time")]
    except (KeyError, AttributeError, ValueError):
        return None
    return (t[1] - t[0]).total_seconds() + STARTUP_S


def class_map(doc):
    """{size: size class} from the report's results (gpuxfer's own classes)."""
    return {r["size"]: r["size_class"] for r in doc["results"] if "size_class" in r}


def result_seconds(r):
    """About how long a result took: its iterations (and warm-up) times one iteration, from its
    median (latency: a round trip of two messages; bandwidth: a window of messages)."""
    med = r["stats"]["median"] if r.get("status") == "ok" and r.get("stats") else 0
    if med <= 0:
        return 0.0
    n = r.get("iterations", 0) + r.get("warmup", 0)
    if r["unit"] == "us":
        return n * 2 * med * 1e-6
    return n * r.get("window", 1) * r["size"] / (med * 1e9)


def size_weights(doc):
    """{size: share of the report's measuring time spent at that size} (even shares where the
    report says too little): the large sizes take most of a run."""
    w = {}
    for r in doc["results"]:
        w[r["size"]] = w.get(r["size"], 0.0) + result_seconds(r)
    total = sum(w.values())
    if total <= 0:
        return {s: 1 / len(w) for s in w} if w else {}
    return {s: v / total for s, v in w.items()}


def listed_sizes(args):
    """The sizes of GPUXFER_ARGS' --sizes where it is a plain list (8,4K,1M); None otherwise (no
    --sizes, or a range or an offset, which gpuxfer alone expands)."""
    value = None
    for i, w in enumerate(args):
        if w == "--sizes" and i + 1 < len(args):
            value = args[i + 1]
        elif w.startswith("--sizes="):
            value = w.split("=", 1)[1]
    if value is None:
        return None
    out = []
    for item in value.split(","):
        m = re.fullmatch(r"(\d+)([KMG]?)", item.strip())
        if not m:
            return None
        out.append(int(m.group(1)) << (10 * " KMG".index(m.group(2) or " ")))
    return sorted(set(out))


def plan(a, offer, sizes, classes, run_s, weights, spent_s=0.0):
    """The sweep that fits the budget (less spent_s, the probe's time): (configurations
    [(knob, value)], replicates, sizes, minutes, [what was cut], the measuring seconds each run
    is given with gpuxfer's --budget, or None for a run as long as the probe's)."""
    cands = [(k, list(c)) for k, _, c in offer]
    reps, kept, cut, cap = a.replicates, list(sizes), [], None
    avail = None if a.budget is None else max(0.0, a.budget * 60 - spent_s)

    def runs():
        return (1 + sum(len(c) for _, c in cands)) * reps + 2 * reps

    def minutes():
        frac = sum(weights.get(s, 0.0) for s in kept)
        measure = max(0.0, run_s - STARTUP_S) * frac
        return runs() * (STARTUP_S + (measure if cap is None else min(measure, cap))) / 60

    def over():
        return avail is not None and minutes() * 60 > avail

    if over():
        quickest = {}
        for s in sizes:
            c = classes.get(s)
            if c not in quickest or weights.get(s, 0.0) < weights.get(quickest[c], 0.0):
                quickest[c] = s
        if len(quickest) < len(kept):
            kept = sorted(quickest.values())
            cut.append("sizes: one per size class, the quickest in the probe "
                       f"({','.join(map(gx.human_size, kept))})")
    if over() and reps > 2:
        reps = 2
        cut.append("replicates: 2 (the fewest a t test takes)")
    if over():
        # Shorter runs before fewer candidates: gpuxfer's budget ends each step at its share,
        # with the precision it reached in the report (a knob left out answers nothing).
        cap = max(MIN_RUN_S, avail / runs() - STARTUP_S)
        cut.append(f"each run measures within {cap:.0f} s (gpuxfer --budget; the precision each "
                   "result reached is in its report)")
    if over() and any(len(c) > 1 for _, c in cands):
        cands = [(k, c[:1]) for k, c in cands]
        cut.append("candidates: the first of each knob")
    while over() and len(cands) > 1:
        k, _ = cands.pop()
        cut.append(f"knob {k.name} left out")
    if avail is not None and cap is None:
        # Not a cut: a bound. A candidate can be far slower than the probe's default (UCX_TLS
        # without cuda_ipc stages device memory through the host), and a run cut by the job's
        # time limit measures nothing.
        cap = max(MIN_RUN_S, avail / runs() - STARTUP_S)
    configs = [(k, v) for k, c in cands for v in c]
    return configs, reps, kept, minutes(), cut, cap


def sweep_line(pairs):
    return " ".join(f"{n}={v}" for n, v in pairs)


# The sweeps and their comparisons run inside the tune's folder, named relative to it: what they
# record (the manifest, compare's configuration names) holds when the folder takes its name.

def config_sweep(a, folder, lines, reps, args, env, dry=False):
    """gpuxfer-report sweep of the lines (the first the reference) into a.work/folder; its
    status."""
    sweepfile = folder + ".sweep"
    with open(os.path.join(a.work, sweepfile), "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
    cmd = tool("sweep") + ["-n", str(a.ranks), "-r", str(reps), "-o", folder,
           "-m", a.mpirun] + (["--dry-run"] if dry else []) + [sweepfile, "--"] + args
    env = dict(env, GPUXFER=gpuxfer_program())
    return subprocess.run(cmd, env=env, check=False, cwd=a.work).returncode


def compare_json(a, folder, out):
    p = subprocess.run(tool("compare") + ["--json", "--alpha", str(a.alpha), folder],
                       capture_output=True, text=True, check=False, cwd=a.work)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        return None
    with open(os.path.join(a.work, out), "w", encoding="utf-8") as f:
        f.write(p.stdout)
    return json.loads(p.stdout)


def fmt_speedup(s, ci, noisy=False):
    """A speedup with its interval; ~ after it where it rests on a run the machine disturbed."""
    if s is None:
        return "-"
    return gx.mark_median(f"x{s:.3f}", noisy) + (f" (ci95 {ci[0]:.3f}-{ci[1]:.3f})" if ci else " (no interval: one run a side)")


def key_text(key):
    path, pattern, mem, cls = key
    return f"{path} {pattern} {mem} {cls}"


def print_tables(ctx, offer, refused, out):
    gx.note(f"# library: {ctx.library} {'.'.join(map(str, ctx.version))}"
          + (f", pml {ctx.pml}" if ctx.pml else "") + (f", device {ctx.device}" if ctx.device else "")
          + (f", UCX {ctx.ucx.get('version')}" if ctx.ucx else "")
          + (f", NCCL {ctx.nccl}" if ctx.nccl else "") + f"; data in {ctx.data} memory", out)
    gx.note("# knobs offered: name (how set): default; candidates; moves; where", out)
    for k, default, cands in offer:
        gx.note(f"  {k.name} ({k.how}): default {default}; candidates {' '.join(cands)}; "
                f"moves {k.moves}; {k.where}", out)
    if refused:
        gx.note("# not offered", out)
        for k, why in refused:
            gx.note(f"  {k.name} ({k.library}): {why}", out)


def list_knobs(out):
    gx.note("# gpuxfer-report tune's knob tables: one per library; each knob: how it is set, "
            "the library's default, the candidates (host memory | device memory), what it "
            "moves, where it exists", out)
    for lib in tune.LIBRARIES:
        gx.note(f"\n## {lib}", out)
        for k in tune.table(lib):
            host = " ".join(k.candidates.get("host", ())) or "-"
            dev = " ".join(k.candidates.get("device", ())) or "-"
            # The name and how on the knob's line, the rest wrapped below it (100 columns).
            gx.note(f"  {k.name} ({k.how}): default {k.default}; candidates {host} | {dev}; "
                    f"moves {k.moves}; {k.where}", out)


def main(argv):
    ap = gx.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                           usage="%(prog)s [options] [-- GPUXFER_ARGS...]",
                           epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", dest="ranks", type=int, default=2, help="ranks (default 2)")
    ap.add_argument("-r", dest="replicates", type=int, default=3,
                    help="runs of each configuration, in interleaved rounds (default 3, at least 2)")
    ap.add_argument("-o", dest="outdir", default="./tune-out",
                    help="output folder (default ./tune-out), made whole when the tune ends (0 or 1) "
                         "and not at all on a refusal or an interrupt; never over an existing one "
                         "without --force")
    ap.add_argument("--force", action="store_true",
                    help="replace an existing output folder or link (when the tune ends, not "
                         "before); never a file, FIFO, socket or device")
    ap.add_argument("-m", dest="mpirun", default=os.environ.get("MPIRUN", "mpirun"),
                    help="the mpirun command, split at white space (default: $MPIRUN or mpirun)")
    ap.add_argument("--budget", type=gx.number_in(0, 100000), metavar="MINUTES",
                    help="fit the probe, the sweep and the A/B into this time: the probe measures within "
                         "a tenth of it (60 s at most); then fewer sizes (one per size class, the quickest "
                         "in the probe), 2 replicates, shorter runs (gpuxfer --budget, 5 s at least), one "
                         "candidate per knob, fewer knobs, in that order")
    ap.add_argument("--dry-run", action="store_true",
                    help="print the plan and the runs, run none (but the probe, without --context)")
    ap.add_argument("--context", metavar="REPORT.json",
                    help="read the library and a run's time from this report of the same arguments "
                         "instead of a probe run")
    ap.add_argument("--knobs", metavar="NAME,...", help="only these knobs (of the offered ones)")
    ap.add_argument("--verify", metavar="'NAME=VALUE ...'",
                    help="no sweep: the A/B of these settings (offered knobs' variables, "
                         "OMPI_MCA_... for MCA parameters) against the default, and the advice")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting for every run, the default's too (e.g. OMPI_MCA_pml=ucx); "
                         "repeatable")
    ap.add_argument("--proto-info", action="store_true",
                    help="UCX_PROTO_INFO=y in every run; the advice records the protocol and "
                         "transport UCX chose per size (a UCX whose UCX_PROTO_ENABLE is n by default, "
                         "1.13 here, prints it only with UCX_PROTO_ENABLE=y, which changes the "
                         "protocols: give it with --set)")
    ap.add_argument("--alpha", type=gx.number_in(0, 1, high_open=True), default=0.05,
                    help="gpuxfer-report compare's significance level (default 0.05)")
    ap.add_argument("--list-knobs", action="store_true", help="print every library's knob table")
    ap.add_argument("gpuxfer_args", nargs="*", metavar="GPUXFER_ARGS",
                    help="gpuxfer's options for every run (after --)")
    a = ap.parse_args(argv)
    if a.list_knobs:
        list_knobs(sys.stdout)
        return 0
    # The same range as the shell tools' counts (door.sh's gx_whole): a rank count of 20 digits
    # is no job anyone means, and taken it reached mpirun.
    if not 2 <= a.ranks <= 999999999:
        gx.die(PROG, f"-n {a.ranks}: out of range (expected a number of ranks: 2..999999999)")
    if not 2 <= a.replicates <= 9999:
        gx.die(PROG, f"-r {a.replicates}: out of range (expected a number of replicates: 2..9999; "
                     "the t test needs two runs a side)")
    env = dict(os.environ)
    base = []
    for s in a.set:
        name, eq, value = s.partition("=")
        if not eq or not name or not (name[0].isalpha() or name[0] == "_") or \
                not all(c.isalnum() or c == "_" for c in name) or any(c.isspace() for c in value):
            gx.die(PROG, f"--set '{s}': expected NAME=VALUE (NAME: letters, digits, _; no spaces)")
        env[name] = value
        base.append((name, value))
    if a.proto_info:
        env["UCX_PROTO_INFO"] = "y"
    args = base_args(a)
    with gx.NewFolder(a.outdir, a.force) as a.work:
        return tune_into(a, args, env, base)


def tune_into(a, args, env, base):
    """The tune, its files in a.work (a.outdir once it ends: the name it prints)."""
    out = Tee(sys.stdout, os.path.join(a.work, "advice.txt"))

    if a.context:
        probe = gx.load(a.context)
        run_s = report_seconds(probe) or 60.0
        spent_s = 0.0
        gx.note(f"# probe: {a.context} (a run of {run_s:.0f} s)", out)
    else:
        probe_out = os.path.join(a.work, "probe")
        probe_args = args
        if a.budget is not None and not has_option(args, "--budget"):
            probe_args = args + ["--budget", f"{max(MIN_RUN_S, min(PROBE_S, a.budget * 60 * PROBE_SHARE)):.0f}"]
        # Said before the probe runs, with how long it will take: the rest waits on it.
        est = probe_estimate(a, probe_args, env)
        gx.note(f"# probe: one run of gpuxfer {' '.join(args)} ({os.path.join(a.outdir, 'probe')}.txt)"
                + (f", about {est:g} s (its dry run's estimate; --context REPORT.json instead of a probe"
                   " skips it)" if est is not None else ""), out)
        out.flush()
        rc, run_s = run_job(a, probe_args, probe_out, env)
        spent_s = run_s
        if rc != 0 or not os.path.exists(probe_out + ".json"):
            with open(probe_out + ".txt", encoding="utf-8", errors="replace") as f:
                tail = collections.deque(f, 5)  # a line at a time: the output may be long
            print(f"{PROG}: the probe run exited {rc}:", *("  " + t.rstrip("\n") for t in tail), sep="\n",
                  file=sys.stderr)
            return 1
        probe = gx.load(probe_out + ".json")
        gx.note(f"# probe: {run_s:.0f} s", out)
    ctx = tune.job_context(probe)
    all_classes = class_map(probe)
    classes = dict(all_classes)
    sizes = sorted(classes)
    # A probe given with --context may have measured more sizes than the arguments ask for.
    asked = listed_sizes(args)
    if asked and set(asked) <= set(sizes) and asked != sizes:
        sizes = asked
        classes = {s: classes[s] for s in asked}
    if not sizes:
        gx.die(PROG, "the probe measured nothing: no sizes to tune (see its report's skipped)")
    mpirun_dir = os.path.dirname(shutil.which(shlex.split(a.mpirun)[0]) or "")
    ompi_info = os.path.join(mpirun_dir, "ompi_info")

    def run_text(argv):
        if os.access(ompi_info, os.X_OK):
            argv = [ompi_info] + argv[1:]
        return tune._run_text(argv)
    offer, refused = tune.offered(ctx, run_text)
    if a.knobs:
        want = [w for w in a.knobs.split(",") if w]
        names = {k.name for k, _, _ in offer}
        for w in want:
            if w not in names:
                k = tune.find(w)
                why = next((r for kk, r in refused if kk.name == w), None) if k else None
                gx.die(PROG, f"--knobs: {w}: " + (f"not offered here: {why}" if why else
                                                  "not a knob of the tables (--list-knobs)"))
        offer = [o for o in offer if o[0].name in want]
    print_tables(ctx, offer, refused, out)
    if a.proto_info and ctx.ucx and str(ctx.ucx.get("UCX_PROTO_ENABLE", "")).lower() in ("n", "no", "0") \
            and env.get("UCX_PROTO_ENABLE", "").lower() not in ("y", "yes", "1"):
        gx.note(f"# --proto-info: UCX {ctx.ucx.get('version')} runs with UCX_PROTO_ENABLE=n, under "
              "which UCX_PROTO_INFO prints nothing; --set UCX_PROTO_ENABLE=y shows the protocols "
              "(of the new selection, which is then what is measured)", out)
    flags = tune.route_flags(probe)
    if flags:
        movers = [k.name for k, _, _ in offer if k.moves in ("threshold", "chunk", "transport")]
        gx.note("# the library's route below half its ceiling where gpuxfer measured another route "
              "faster in the same job (the knobs that move its threshold, chunk or transport: "
              f"{', '.join(movers) or 'none offered'}; the sweep and the A/B show whether it follows)",
              out)
        for r, o in flags:
            chunk = f" chunk {gx.human_size(o['chunk'])}/{o.get('depth')}" if o.get("chunk") else ""
            mine, theirs = (gx.mark_median("%.3g" % x["stats"]["median"], gx.noisy(x))
                            for x in (r, o))
            gx.note(f"  mpi {r['pattern']} {r['mem']['src']}>{r['mem']['dst']} {gx.human_size(r['size'])}: "
                  f"{mine} GB/s, {gx.efficiency_text(r)}% of its ceiling; {o['path']}{chunk} "
                  f"{theirs} GB/s ({o['stats']['median'] / r['stats']['median']:.2f}x)", out)
    if not offer:
        gx.note("# nothing to tune: no knob of the library in use acts here", out)
        write_advice(a, ctx, offer, refused, base, None, None, None, None, None, None, None,
                     flags)
        return 0

    if a.verify is not None:
        pairs = verify_settings(a.verify, offer)
        offer = []
    configs, reps, kept, minutes, cut, cap = plan(a, offer, sizes, classes, run_s, size_weights(probe),
                                                  spent_s)
    if a.verify is not None:
        gx.note(f"# plan: no sweep (--verify); the A/B, {reps} runs each in interleaved rounds "
              f"({2 * reps} runs); "
              f"sizes {','.join(map(gx.human_size, kept))}"
              + (f"; budget {a.budget:g} min, each run measuring within {cap:.0f} s"
                 if a.budget is not None else ""), out)
    else:
        gx.note(f"# plan: {len(configs)} candidate setting(s) against the default, {reps} runs each in "
              f"interleaved rounds ({(1 + len(configs)) * reps} runs), then the A/B ({2 * reps} runs); "
              f"sizes {','.join(map(gx.human_size, kept))}; about {minutes:.1f} minutes "
              f"(the probe's run {run_s:.0f} s, each size weighed by its time there)"
              + (f"; budget {a.budget:g} min, each run measuring within {cap:.0f} s"
                 if a.budget is not None else ""), out)
    for c in cut:
        gx.note(f"#   cut to fit the budget: {c}", out)
    if a.budget is not None and minutes * 60 > a.budget * 60 - spent_s:
        gx.note(f"#   the budget cannot hold even this ({minutes:.1f} min): it runs anyway", out)
    run_args = args if kept == sizes else \
        without_option(args, "--sizes") + ["--sizes", ",".join(map(str, kept))]
    if cap is not None and not has_option(run_args, "--budget"):
        run_args = run_args + ["--budget", f"{cap:.0f}"]
    lines = ["GX_TUNE=default"] + [sweep_line(tune.settings(k, v)) for k, v in configs]
    sweep_dir, verify_dir = "sweep", "verify"
    size_class = lambda s: all_classes.get(s, "?")  # noqa: E731
    how_of = lambda n: "mca" if n.startswith("OMPI_MCA_") else "env"  # noqa: E731
    # Blocks in order, size classes from the smallest.
    key_order = lambda k: (k[0], k[1], k[2], min((s for s in all_classes if all_classes[s] == k[3]), default=0))  # noqa: E731
    run_results = [r for r in probe["results"] if r["size"] in kept]
    if a.dry_run:
        print(f"# each run: gpuxfer {shlex.join(run_args)}", file=out)  # a command to copy: one line
    out.flush()
    if a.verify is not None:
        per_class, protos = None, ({} if a.proto_info else None)
        if a.dry_run:
            config_sweep(a, verify_dir, ["GX_TUNE=default", sweep_line(pairs)], reps, run_args, env,
                         dry=True)
            return 0
    else:
        if a.dry_run:
            config_sweep(a, sweep_dir, lines, reps, run_args, env, dry=True)
            gx.note(f"# then the A/B: GX_TUNE=default against the combined best settings, {reps} runs "
                  f"each, interleaved ({os.path.join(a.outdir, 'verify')})", out)
            return 0

        rc = config_sweep(a, sweep_dir, lines, reps, run_args, env)
        cmp = compare_json(a, sweep_dir, "compare-sweep.json")
        if cmp is None:
            print(f"{PROG}: gpuxfer-report compare of {os.path.join(a.outdir, sweep_dir)} failed "
                  f"(sweep exit {rc})", file=sys.stderr)
            return 1
        best = tune.best_per_class(cmp, size_class)
        gx.note(f"\n# per size class: the best setting (significantly faster than the default at the most "
              f"sizes of the class, slower at none; compare's verdicts, alpha {a.alpha:g}), its speedup "
              f"at the class's size where it gains most, and its ready lines for that class alone",
              out)
        per_class = []
        for key in sorted(best, key=key_order):
            b = best[key]
            if b is None:
                gx.note(f"{key_text(key):<40} keep the default: no candidate significantly faster", out)
                per_class.append({"key": list(key), "setting": None})
                continue
            k, v = configs[b["cfg"] - 1]
            s = sweep_line(tune.settings(k, v))
            # ~ where the speedup rests on a run the machine disturbed, as compare marks it.
            speed = fmt_speedup(b["speedup"], b["ci95"], b["noisy_win"])
            disturbed = (f"; {b['noisy']} of its sizes on a disturbed run (~)" if b["noisy"]
                         else "")
            gx.note(f"{key_text(key):<40} {s}: {speed} at "
                  f"{gx.human_size(b['size'])}, q {b['q']:.2g}, faster at {b['faster']} of {b['sizes']} "
                  f"size(s){disturbed}" if b["q"] is not None else
                  f"{key_text(key):<40} {s}: {speed} at "
                  f"{gx.human_size(b['size'])} ({b['test']}){disturbed}", out)
            # This class alone (the sweep's verdict; the A/B below verifies the combination).
            for line in tune.ready_lines(base + tune.settings(k, v), how_of, ctx.library):
                print(f"    {line}", file=out)
            per_class.append({"key": list(key), "setting": tune.settings(k, v), "knob": k.name,
                              "value": v, **{n: b[n] for n in ("speedup", "ci95", "size", "p", "q",
                                                                 "faster", "sizes", "test", "noisy",
                                                                 "noisy_win")}})
        pairs, dropped = tune.combine(best, configs, ctx)
        for d in dropped:
            gx.note(f"# left out of the combination: {d}", out)
        protos = None
        if a.proto_info:
            protos = {"sweep": tune.protocols(os.path.join(a.work, sweep_dir), run_results)}
        if not pairs:
            gx.note("\n# advice: keep the defaults (no candidate was significantly faster in any size "
                  "class)", out)
            write_advice(a, ctx, offer, refused, base, configs, reps, kept, per_class, None, None, protos,
                         flags)
            return 0
    gx.note(f"\n# A/B: the default against the combination {sweep_line(pairs)}", out)
    out.flush()
    config_sweep(a, verify_dir, ["GX_TUNE=default", sweep_line(pairs)], reps, run_args, env)
    vcmp = compare_json(a, verify_dir, "compare-verify.json")
    if vcmp is None:
        print(f"{PROG}: gpuxfer-report compare of {os.path.join(a.outdir, verify_dir)} failed",
              file=sys.stderr)
        return 1
    per, holds = tune.verified(vcmp, size_class)
    gains = tune.best_per_class(vcmp, size_class)
    noisy = tune.noisy_per_class(vcmp, size_class)
    for key in sorted(per, key=key_order):
        g = gains.get(key)
        gx.note(f"{key_text(key):<40} {gx.mark_median(per[key], noisy.get(key))}" + (
            f": {fmt_speedup(g['speedup'], g['ci95'], g['noisy_win'])} at {gx.human_size(g['size'])}, q {g['q']:.2g}"
            if g and g["q"] is not None else ""), out)
    if protos is not None:
        protos["verify"] = tune.protocols(os.path.join(a.work, verify_dir), run_results)
    verification = {"settings": pairs, "per_class": [{"key": list(k), "verdict": per[k],
                                                      "noisy": noisy.get(k, 0)}
                                                     for k in sorted(per, key=key_order)],
                    "holds": holds}
    if any(noisy.values()):
        gx.note(f"# ~: {sum(noisy.values())} of the A/B's comparisons rest on a run the machine "
              "disturbed (the reports' noise): rerun the tune on a quieter node before trusting "
              "them", out)
    if holds:
        ready = tune.ready_lines(base + pairs, how_of, ctx.library)
        gx.note("\n# advice: the combination is significantly faster in the A/B and slower nowhere; "
              "set it so" + (" (with the --set base settings)" if base else ""), out)
        for line in ready:
            print(line, file=out)
        rec = {"settings": pairs, "base": base, "lines": ready}
    else:
        gx.note("\n# advice: keep the defaults: the combination was not significantly faster in the "
              "A/B, or slower somewhere", out)
        rec = None
    if protos:
        print_protocols(protos, out)
    write_advice(a, ctx, offer, refused, base, configs, reps, kept, per_class, verification, rec,
                 protos, flags)
    return 0


def verify_settings(text, offer):
    """--verify's NAME=VALUE words as [(name, value)]: each an offered knob's variable (or a
    setting one of its values needs); one error line otherwise."""
    known = {}
    for k, _, _ in offer:
        known[tune.env_name(k)] = k
        for vals in k.with_values.values():
            for n, _ in vals:
                known["OMPI_MCA_" + n if k.how == "mca" else n] = k
    pairs = []
    for word in text.split():
        name, eq, value = word.partition("=")
        if not eq or not value:
            gx.die(PROG, f"--verify '{word}': expected NAME=VALUE")
        if name not in known:
            gx.die(PROG, f"--verify: {name}: not a knob offered here (offered: "
                         f"{', '.join(sorted(known)) or 'none'})")
        pairs.append((name, value))
    if not pairs:
        gx.die(PROG, "--verify: no setting")
    return pairs


class Tee:
    """What the tune prints, on stdout and into OUTDIR/advice.txt."""

    def __init__(self, stream, path):
        self.stream, self.file = stream, open(path, "w", encoding="utf-8")

    def write(self, text):
        self.stream.write(text)
        self.file.write(gx.printable(text))  # read later on a terminal, as stdout is now

    def flush(self):
        self.stream.flush()
        self.file.flush()


def print_protocols(protos, out):
    gx.note("\n# UCX's protocol per size (UCX_PROTO_INFO, parsed from each run's output)", out)
    for phase, per in protos.items():
        for cfg, sizes in per.items():
            if not sizes:
                gx.note(f"{phase}/{cfg}: none printed", out)
                continue
            for size, ps in sizes.items():
                gx.note(f"{phase}/{cfg} {gx.human_size(int(size)):>6}: {'; '.join(ps)}", out)


def write_advice(a, ctx, offer, refused, base, configs, reps, sizes, per_class, verification,
                 rec, protos, flags=()):
    doc = {"tool": PROG, "library": ctx.library, "version": list(ctx.version),
           "mpi_library": ctx.mpi_library, "pml": ctx.pml, "device": ctx.device,
           "ucx": ctx.ucx, "nccl": ctx.nccl, "data": ctx.data, "base_settings": base,
           "knobs": [{"name": k.name, "library": k.library, "how": k.how, "default": d,
                      "candidates": c, "moves": k.moves, "where": k.where} for k, d, c in offer],
           "not_offered": [{"name": k.name, "library": k.library, "why": w} for k, w in refused],
           "plan": None if configs is None else {
               "configurations": [[["GX_TUNE", "default"]]] + [tune.settings(k, v) for k, v in configs],
               "replicates": reps, "sizes": sizes, "budget_minutes": a.budget},
           "per_class": per_class, "verification": verification, "recommendation": rec,
           "protocols": protos,
           "route_flags": [{"size": r["size"], "pattern": r["pattern"], "mem": r["mem"],
                            "mpi_GBps": r["stats"]["median"], "efficiency": r["efficiency"],
                            "mpi_noisy": gx.noisy(r), "faster_noisy": gx.noisy(o),
                            "faster_path": o["path"], "faster_GBps": o["stats"]["median"],
                            "chunk": o.get("chunk"), "depth": o.get("depth")}
                           for r, o in flags]}
    with open(os.path.join(a.work, "advice.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

