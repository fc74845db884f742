"""gpuxfer-report compare: is configuration B (C, ...) slower than A, where, by how much, and is it
real?

Each configuration is one report or several, its runs (A1.json A2.json -- B1.json B2.json, a
folder of reports, or a gpuxfer-report sweep folder: each of its configurations); runs of --vary
(context.run.vary: settings measured interleaved in one job) are a configuration per value, the
first value A, each report a run of every one. For every result they share, prints each
configuration's value (the geometric mean of its runs' medians), the ratio to A with its 90%
interval, its q and its verdict, judged by the runs, not by the iterations (a run's iterations
share its moment of the machine). The noise of a configuration's value has two levels: its runs
differ (a whole run may be slow), and within a run its visits differ (--visits: each measured at
another moment of the run); the standard error is the larger of the two estimates, so that many
visits never hide a spread between runs (runs without visits: the runs' alone; one run a side
without visits: nothing tells it). A run's visits share its placement and its clocks: a side of
one run takes the noise between runs of the golden runs of its SKU where an expectations file
(gpuxfer-report expect; --expect, else those installed with gpuxfer) has them, when larger.
Welch's t test on the logs calls a row slower or faster where
its Benjamini-Hochberg q is below --alpha; 'same' only where the ratio's 1 - 2 alpha (90%)
interval lies within --tolerance (5%) of 1 either way (two one-sided tests); else 'undecided'.
Settings of --vary are judged visit by visit (paired): the machine's moments they shared drop
out. Every row says its noise, the smallest difference it could have called (at alpha, power
0.8); the verdicts' count and the summary its median and worst. It prints the spread among a
configuration's own runs, then what it could not compare (results missing, failed or skipped in
some report), the options the matched results ran with that differ (UNFAIR where they make the
comparison unfair: iterations, warmup, window, clock; a window gpuxfer shrank under load, or a
chunk it picked, is its own pick, said as a note), what differs in the configurations' contexts
and command lines, and a summary per path and pattern: slower/faster/same/undecided, the
geometric mean of the ratios and the rows' noise. A value with ~ after it rests on a run whose
step the machine disturbed (the report's noise, schema 2.5), and so does a verdict with ~ after
it: the summary counts those comparisons apart. A bandwidth below 0.01 GB/s prints in MB/s with
an M after it (0.8532M), as gpuxfer's table and summary print it, and a legend line says so
(--json keeps GB/s). Where the reports rate their routes (schema 2.7), a bandwidth block has
line%: the faster configuration's value over the line rate both cross, ! where a run of either
lies above its rate, diff where their rates differ (each side's share in --json), - where a side
has none. Needs scipy (Debian/Ubuntu: apt-get install python3-scipy).

A run counts once: one report given twice (the same file by any path or link, or the same
document: a copy) is refused, naming both arguments.

Exit status: 0; 1 with --fail-below when some result regressed beyond the ratio (significantly)
or failed (its data check included) in a later configuration;
2 bad input (a report, a folder or an option; a report given twice, over 256 MiB
(GX_REPORT_MAX_MIB) or with a median outside 1e-9..1e15; runs of --vary beside other runs) or
scipy missing, with one line on stderr; 3 its output
could not be written (stdout full, closed or its reader gone); 130 Ctrl-C, 143 SIGTERM.
"""
import argparse
import collections
import functools
import gc
import importlib.util
import json
import math
import os
import re
import shlex
import statistics
import sys

import gxreport as gx

PROG = "gpuxfer-report compare"

# Environment variables that change on every run (addresses, ids, session paths) and so say
# nothing about the configuration.
VOLATILE_ENV = re.compile(
    r"URI|_ID$|JOBID|JOB_ID|jobid|SESSION|session|TMPDIR|tmpdir|DSTORE|NAMESPACE|precondition|PORT|"
    r"RANK|vpid|ARGV|COMMAND|_PID|hnp|daemon|initial_wdir|NODEID|PROCID|LOCALID|TASK_PID|"
    r"STEP_|SLURM_TOPOLOGY|SLURM_SUBMIT|SLURM_CPUS_ON|SLURM_GTIDS|SLURM_LAUNCH|SLURM_SRUN|"
    r"SLURM_TASKS_PER|SLURM_JOB_START|SLURM_JOB_END|SLURM_ARRAY_TASK|SLURM_NODELIST|"
    r"SLURM_JOB_NODELIST|SLURMD_NODENAME|PMIX_HOSTNAME|OMPI_FILE_LOCATION|SLURM_CONF")
# Per-job parts of paths in a fact's words (Open MPI's session directory, named after the
# launcher's pid: /tmp/ompi.HOST.UID/pid.741, or prterun.HOST.PID.UID under Open MPI 5), which
# differ between the runs of one configuration: the words say the same of the machine.
VOLATILE_PATH = re.compile(r"(?<=/)(pid|jf)\.\d+|(?<=/)prterun\.[^/\s]*")
# Per-rank fields that identify the process rather than the machine.
RANK_IDENTITY = {"rank", "pid", "env", "local_rank", "node"}
# Job fields that are per job by design.
JOB_IDENTITY = {"slurm_job_id", "slurm_array_job_id", "slurm_array_task_id"}


# The power a row's resolving power is worked out at: the smallest difference it calls four
# times in five.
POWER = 0.8

# The varied options of --vary, and the fields of compare's match key each one's value lies
# in (path, pattern, unit, src, dst, chunk, depth, size, ranks): a result of each value matches
# those of the others at every field but these. window and nccl-comm lie in none.
VARY_KEY = {"chunk": (5,), "depth": (6,), "window": (), "path": (0,), "nccl-comm": (),
            "mem": (3, 4)}
# Where a varied field's value stood in the key.
VARIED = "varied"


def variance(xs):
    """The sample variance of floats (statistics.variance's, in floating point: its exact sums
    would cost a sweep's rows more than the rest of their judgement)."""
    m = math.fsum(xs) / len(xs)
    return math.fsum([(x - m) ** 2 for x in xs]) / (len(xs) - 1)


def log_positive(values):
    return [math.log(v) for v in values if v > 0]


# A configuration's estimate at a row, on the log scale: its runs' mean log median, the variance
# of that mean, its degrees of freedom, where the variance came from (runs, visits, golden runs,
# or None where nothing tells it: one run without visits) and its number of runs.
Side = collections.namedtuple("Side", "mean var df source runs")


def two_levels(mean, logs, visit_logs, floor=None, paired_visits=False):
    """A Side from its runs' logs and, per run that has them, its visits' logs (--visits: each
    measured at another moment of the run). Two levels of noise: the visits of a run spread by
    the machine's moments within it, the runs' own values also by what holds a whole run (its
    placement, its clocks: a run that is uniformly slow). The variance of the mean is the
    larger of the two estimates, so that many visits never hide a spread between runs: from the
    visits, the mean over the runs of their visits' variance over their count, over the runs;
    from the runs, their variance over their count. Runs without visits count as runs alike
    where others have them. One run's visits share what holds the whole run (its placement,
    its clocks): floor, (the variance of one run's log, its degrees of freedom) from the SKU's
    golden runs, stands for the runs' own where there is one run; not where paired_visits (two
    settings' visits interleaved in one run: what holds the run drops out of their
    difference)."""
    n = len(logs)
    between = (variance(logs) / n, n - 1, "runs") if n >= 2 else \
        (*floor, "golden runs") if floor and not paired_visits else None
    vis = [v for v in visit_logs if len(v) >= 2]
    within = (statistics.fmean([variance(v) / len(v) for v in vis]) / n,
              sum(len(v) - 1 for v in vis), "visits") if vis else None
    if between and (within is None or between[0] >= within[0]):
        return Side(mean, *between, n)
    return Side(mean, *within, n) if within else Side(mean, None, None, None, n)


def side_of(runs, floor=None):
    """A configuration's Side at a row from its runs (Seen, positive medians); floor: its
    golden runs' (run_floors)."""
    logs = [math.log(r.median) for r in runs]
    return two_levels(math.fsum(logs) / len(logs), logs,
                      [log_positive(r.visits) for r in runs if r.visits], floor)


def difference(a, b):
    """(the difference of b's mean log from a's, its variance, degrees of freedom, test) of two
    Sides: Welch's (test t) where both know their noise; where one side does not (one run, no
    visits), the other's noise of one run stands for both (t1); with neither, no test (-)."""
    diff = b.mean - a.mean
    if a.var is None and b.var is None:
        return diff, None, None, "-"
    if a.var is None or b.var is None:
        known = a if a.var is not None else b
        return diff, known.var * known.runs * (1 / a.runs + 1 / b.runs), known.df, "t1"
    var = a.var + b.var
    df = var * var / (a.var ** 2 / a.df + b.var ** 2 / b.df) if var > 0 else a.df + b.df
    return diff, var, df, "t"


def paired(pairs):
    """The difference (as difference()) of two settings that one run measured interleaved
    (--vary), from [(A's Seen, the other's Seen)] of the same runs: per run the difference of
    their logs, per visit (the i-th visit of each, measured one after the other) the same; the
    two levels of two_levels() over those differences (test paired): the machine's moments
    both shared drop out."""
    logs = [math.log(b.median) - math.log(a.median) for a, b in pairs]
    visit_logs = []
    for a, b in pairs:
        if a.visits and b.visits and len(a.visits) == len(b.visits):
            visit_logs.append([math.log(y) - math.log(x) for x, y in zip(a.visits, b.visits)
                               if x > 0 and y > 0])
    s = two_levels(math.fsum(logs) / len(logs), logs, visit_logs, paired_visits=True)
    return (s.mean, s.var, s.df, "paired" if s.var is not None else "-"), s.source


def judge(cells, alpha, tolerance, units):
    """Verdicts of one configuration's cells against A's, over the rows (cells: per row the
    cell, None where it has none; units: per row its unit). A cell's "diff", "var", "df" (from
    difference() or paired()) give its p (Welch's t, two-sided), its q (Benjamini-Hochberg over
    the rows), its intervals (ci95; ci_same at 1 - 2 alpha, the two one-sided tests of
    equivalence at alpha), and its resolving power: the smallest ratio's distance from 1 that
    the row calls at alpha with power POWER (the minimum detectable effect, (t(1 - alpha / 2)
    + t(POWER)) standard errors). slower/faster where q < alpha; same where ci_same lies within
    1 +- tolerance (1 / (1 + tolerance) to 1 + tolerance); else undecided."""
    import numpy as np  # scipy's: compare's only use
    from scipy import stats
    known = [i for i, c in enumerate(cells) if c is not None and c["var"] is not None]
    ps = [None] * len(cells)
    if known:
        diff = np.array([cells[i]["diff"] for i in known])
        se = np.sqrt(np.array([cells[i]["var"] for i in known]))
        df = np.array([cells[i]["df"] for i in known], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(diff) / se
        # No spread at all: any difference is beyond it, none is none.
        p = np.where(se > 0, 2 * stats.t.sf(t, df), np.where(diff != 0, 0.0, 1.0))
        q95, q_same = stats.t.ppf(0.975, df) * se, stats.t.ppf(1 - alpha, df) * se
        mde = (stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(POWER, df)) * se
        for j, i in enumerate(known):
            c, d = cells[i], diff[j]
            ps[i] = float(p[j])
            c["ci95"] = [math.exp(d - q95[j]), math.exp(d + q95[j])]
            c["ci_same"] = [math.exp(d - q_same[j]), math.exp(d + q_same[j])]
            c["resolving"] = math.expm1(float(mde[j]))
    qs = gx.benjamini_hochberg(ps)
    bound = math.log1p(tolerance)
    for c, p, q, unit in zip(cells, ps, qs, units):
        if c is None:
            continue
        c["p"], c["q"] = p, q
        sig = q is not None and q < alpha
        c["significant"] = "yes" if sig else "no"
        if c["few"] or c["base_few"]:  # a median of fewer than 5 iterations decides nothing
            c["verdict"] = "undecided"
        elif sig:
            worse = c["ratio"] > 1 if gx.lower_is_better(unit) else c["ratio"] < 1
            c["verdict"] = "slower" if worse else "faster"
        elif c["ci_same"] and -bound <= math.log(c["ci_same"][0]) and \
                math.log(c["ci_same"][1]) <= bound:
            c["verdict"] = "same"
        else:
            c["verdict"] = "undecided"
        del c["diff"], c["var"], c["base_few"]


def regressed(unit, cell, fail_below):
    """A significant slowdown (the run-level judgement) beyond the ratio."""
    ratio = cell["ratio"]
    if cell["verdict"] != "slower" or ratio is None:
        return False
    if gx.lower_is_better(unit):
        return ratio > 1 / fail_below
    return ratio < fail_below


# What compare reads of a result (Seen), made as its report is read (gx.load's keep): a sweep's
# reports are never held whole, and what is judged of each result is worked out once.
# key: its match key (the varied fields' VARIED under --vary); visits: its visits' medians
# (--visits, schema 2.14), None with fewer than two; vary: its value of --vary's option, or
# None; line_rate,
# line_absent (where it has no rate), line_route, line_exceeded: gx's line helpers' answers;
# rated: whether its report rates routes (schema 2.7); ran: the fields options() reads
# (RAN_FIELDS' and its stop rule's precision asked, gx.MISSING where it has none: hashable,
# equal ones shared).
Seen = collections.namedtuple("Seen", "key status median noisy few marks visits vary line_rate "
                                      "line_absent line_route line_exceeded rated ran")

# The fields of a result options() reads (and its stop rule's precision asked).
RAN_FIELDS = ("iterations", "warmup", "window", "clock", "chunk_auto", "chunk", "depth")
RAN_MISSING = (gx.MISSING,) * len(RAN_FIELDS)


def reader(chunk_as_setting=False):
    """gx.load's keep for compare: a result as its Seen. Equal strings, keys and options are
    one object over every report read (the results of a sweep share most of them). A result
    kept has passed the report's checks (gx.RESULT): its fields are of the types the schema
    says, so that gx's helpers' tests of them are written here as their answers, a sweep's
    result read in one call. A result of --vary (its "vary": the option and its value) has
    VARIED in the fields of its key that option sets (VARY_KEY)."""
    shared = {}
    one = sys.intern
    # shared.setdefault(x, x): x, or the equal object kept before it.
    found, share = shared.get, shared.setdefault
    new_seen = functools.partial(tuple.__new__, Seen)
    few_below = gx.MIN_SAMPLES
    # gx.line_absent's answer for a result that gives no reason of its own, by whether it is a
    # latency.
    unsaid = {True: gx.line_absent({"unit": "us"}), False: gx.line_absent({})}

    def keep(r):
        get = r.get
        if chunk_as_setting and ("chunk" in r or "depth" in r):
            chunk = depth = "any"  # gx.match_key's
        elif get("chunk_auto"):
            chunk = depth = "auto"
        else:
            chunk, depth = get("chunk", 0), get("depth", 0)
        mem = r["mem"]
        k = (r["path"], r["pattern"], r["unit"], mem["src"], mem["dst"], chunk, depth, r["size"],
             tuple(r["ranks"]))
        vary = get("vary")
        if vary is not None and (varied := VARY_KEY.get(vary["option"])):
            k = tuple(VARIED if i in varied else x for i, x in enumerate(k))
        # The key's strings and pair one object for every result that has them (one key
        # object for the results of several reports that match).
        known = found(k)
        if known is None:
            known = tuple([one(x) if type(x) is str else share(x, x) for x in k])
            known = share(known, known)
        stats, noise = get("stats"), get("noise")
        n = stats.get("n") if stats is not None else None
        few = n is not None and 0 < n < few_below  # gx.too_few's
        if noise is None:
            marks = ()
        else:
            marks = tuple(noise["marks"])  # gx.noise_marks': a list of strings
            marks = share(marks, marks)
            few = few or "few" in marks
        rate = get("line_gbs") if r["unit"] != "us" else None  # gx.line_rate's
        if rate is not None and not (gx.is_number(rate) and rate > 0):
            rate = None
        if rate is None:
            absent = get("line_absent")
            absent = share(absent, absent) if absent else unsaid[r["unit"] == "us"]
            exceeded = get("line_exceeded") is True
        else:
            # gx.line_exceeded's: flagged, or the median above the rate.
            absent = None
            exceeded = get("line_exceeded") is True or (
                stats is not None and stats["median"] / rate > 1)
        stop = get("stop")
        visits = stop.get("visit_medians") if stop else None
        visits = tuple(visits) if visits and len(visits) >= 2 else None
        ran = (*map(get, RAN_FIELDS, RAN_MISSING),
               stop.get("precision_asked", gx.MISSING) if stop else gx.MISSING)
        # Seen's fields in their order.
        return new_seen((known, one(r["status"]), stats["median"] if stats is not None else None,
                         bool(gx.MACHINE_MARKS.intersection(marks)) or few, few, marks, visits,
                         None if vary is None else one(str(vary["value"])), rate, absent,
                         get("line_route"), exceeded, "line_gbs" in r or "line_absent" in r,
                         share(ran, ran)))
    return keep


def index(doc, vary=None):
    """{(match key, repeat): Seen} over every result of a report (read with reader()), or of
    those of one value of --vary's option. A key
    seen again in one report (a scenario that measures the same thing in two runs, or several
    chunks of one size with chunk_as_setting) is numbered, repeat 0, 1, ..., and the n-th
    repeat of a report matches the n-th of the others."""
    out, seen = {}, {}
    for r in doc["results"]:  # gx.numbered's, in one loop
        if r.vary != vary:
            continue
        k = r.key
        n = seen.get(k, 0)
        seen[k] = n + 1
        out[k, n] = r
    return out


def measured(r):
    return r is not None and r.status == "ok"


# The options each result ran with; a difference in those of UNFAIR makes its comparison unfair
# (another number of samples, another window of messages, another clock).
UNFAIR = ("iterations", "warmup", "window", "clock")


# What follows an option difference that is gpuxfer's own pick, not the user's setting.
PICK_NOTE = {"window": " (gpuxfer's pick: a window it shrank to its step's share of the budget,"
                       " no setting of the command)",
             "chunk/depth": " (gpuxfer's pick: the best of its candidates in each run)"}


def window_given(doc):
    """Whether a report's command line may set a window (--window, or a scenario file's runs):
    a window the user set is never shrunk, so one that differs is no pick of gpuxfer's."""
    return any(w.split("=", 1)[0] in ("--window", "--scenario")
               for w in doc.get("command_line") or [])


def command_of(doc):
    return tuple(without_run_files(doc.get("command_line") or []))


def window_picks(docs):
    """picks() of build_rows for configurations of these reports (docs: per configuration its
    runs' documents): a window differs by gpuxfer's pick where the configurations' runs ran
    one command (less their own files), or none of them names a window or a scenario."""
    def picks(i):
        runs = docs[0] + docs[i]
        same = len({command_of(d) for d in runs}) == 1
        return frozenset(("window",)) if same or not any(map(window_given, runs)) \
            else frozenset()
    return picks


def unfair(name, values):
    """A difference that makes a comparison unfair: both reports say, and they differ (a field an
    older gpuxfer did not write is a difference, not a known unfairness)."""
    return name in UNFAIR and None not in values


def report_options(doc):
    """Options that hold for every result of a report."""
    return {"ceilings": "on" if gx.ceilings_of(doc) is not None else "off"}


def report_option_differences(docs):
    """[(report index, option, [value in A, value in the report])]"""
    base = report_options(docs[0])
    return [(i, name, [base[name], v]) for i, d in enumerate(docs[1:], 1)
            for name, v in report_options(d).items() if base[name] != v]


def iterations_option(r):
    """What set a result's iterations: the number given (--iters), or the stop rule (schema 2.1:
    a precision asked, within a budget), whose counts differ from run to run by design."""
    stop = r.get("stop") or {}
    if "precision_asked" in stop:
        return f"until +-{100 * stop['precision_asked']:g}%"
    return r.get("iterations")


def options(r, chunk_as_setting=False):
    o = {name: r.get(name) for name in UNFAIR}
    o["iterations"] = iterations_option(r)
    if r.get("chunk_auto") or chunk_as_setting:
        o["chunk/depth"] = f"{gx.human_size(r['chunk'])}/{r['depth']}" if "chunk" in r else None
    return o


def options_of(ran, chunk_as_setting, made):
    """options() of a result by its Seen's ran, made once for each distinct one (`made`: those
    made so far); the same dict each time, never changed."""
    o = made.get(ran)
    if o is None:
        *fields, asked = ran
        r = {n: v for n, v in zip(RAN_FIELDS, fields) if v is not gx.MISSING}
        if asked is not gx.MISSING:
            r["stop"] = {"precision_asked": asked}
        o = made[ran] = options(r, chunk_as_setting)
    return o


def option_differences(base, theirs):
    """{option: [A's value, the other's]} where two results' options() differ."""
    if base is theirs:  # options_of's one dict for equal options: a sweep's every row
        return {}
    return {n: [base.get(n), theirs.get(n)] for n in sorted(base.keys() | theirs.keys())
            if base.get(n) != theirs.get(n)}


def build_rows(groups, alpha, tolerance, chunk_as_setting=False, picks=None, paired_runs=False,
               varied_option=None, floors=None):
    """groups: per configuration, the indexes of its runs' reports. A row per measurement that
    A measured (in some run) and another configuration too. picks(i): the options whose
    difference between A's and configuration i's results is gpuxfer's own pick (a window it
    shrank under load where no command line set one); paired_runs: each configuration's n-th
    index is of the same run as A's (--vary: paired()); varied_option: the options() name
    --vary sets (the configurations' difference, no option difference); floors: per
    configuration its golden runs' noise (run_floors) or None."""
    floors = floors or [None] * len(groups)
    order = {}
    for t in groups[0]:
        for k, r in t.items():
            if r.status == "ok":
                order.setdefault(k, None)
    rows, sort_keys, blocks = [], [], {}
    made = {}
    picked = [picks(i) if picks else frozenset() for i in range(len(groups))]
    # One report a configuration (a comparison of two reports, a sweep of one run each): its
    # result, not a list of its reports'.
    tables = [g[0] for g in groups] if all(len(g) == 1 for g in groups) else None
    for k in order:
        if tables:
            runs = [[r] if (r := t.get(k)) is not None and r.status == "ok" else []
                    for t in tables]
        else:
            runs = [[t[k] for t in g if measured(t.get(k))] for g in groups]
        if not any(runs[1:]):
            continue
        (path, pattern, unit, src, dst, chunk, depth, size, ranks), repeat = k
        base = runs[0]
        base_medians = [r.median for r in base]
        base_cell = cell_of(base, base_medians)
        floor_key = (path, pattern, unit, src, dst, size)
        base_side = side_of(base, floors[0] and floors[0].get(floor_key)) \
            if positive(base_medians) else None
        cells = [base_cell]
        line_col = base_cell.pop("rated")
        base_options = made.get(base[0].ran) or options_of(base[0].ran, chunk_as_setting, made)
        for i, rs in enumerate(runs[1:], 1):
            if not rs:
                cells.append(None)
                continue
            medians = [r.median for r in rs]
            cell = cell_of(rs, medians)
            # Reports from 2.7 on say of every bandwidth result its line rate or why it has
            # none: their blocks get line%; older ones keep the table they had.
            line_col = cell.pop("rated") or line_col
            value, base_value = cell["value"], base_cell["value"]
            ratio = value / base_value if base_value > 0 and value > 0 else None
            # Ratios and their logs need positive values: a zero or negative median (a
            # broken or hand-made report) is shown, not judged.
            if base_side is None or not positive(medians):
                (diff, var, df, test), source = (None, None, None, "-"), None
            elif paired_runs and all(measured(t.get(k)) for g in (groups[0], groups[i])
                                     for t in g):
                (diff, var, df, test), source = paired(list(zip(base, rs)))
            else:
                side = side_of(rs, floors[i] and floors[i].get(floor_key))
                (diff, var, df, test), source = difference(base_side, side), side.source
            theirs = rs[0].ran
            differ = {} if theirs is base[0].ran else option_differences(
                base_options, made.get(theirs) or options_of(theirs, chunk_as_setting, made))
            differ.pop(varied_option, None)
            picks_here = [n for n in differ if n in picked[i] or n == "chunk/depth" and
                          auto_chunk(base[0].ran) and auto_chunk(theirs)]
            cell.update(se_from=source, ratio=ratio, test=test, df=df, diff=diff, var=var,
                        base_few=base_cell["few"], ci95=None, ci_same=None, resolving=None,
                        p=None, q=None)
            # A disturbed run on either side: the ratio and its verdict rest on it.
            cell["noisy_comparison"] = bool(cell["noisy"] or base_cell["noisy"])
            cell["option_differences"] = differ
            cell["picked"] = picks_here
            cell["unfair"] = [n for n, v in differ.items() if unfair(n, v) and
                              n not in picks_here] if differ else []
            if len(rs) == 1 and len(base) == 1:  # rates_differ's
                a, b = base[0].line_rate, rs[0].line_rate
                cell["line_rates_differ"] = a is not None and b is not None and a != b
            else:
                cell["line_rates_differ"] = rates_differ(base, rs)
            cells.append(cell)
        base_cell["se_from"] = base_side.source if base_side else None
        rows.append({"key": k, "path": path, "pattern": pattern, "unit": unit, "mem": [src, dst],
                     "chunk": chunk, "depth": depth, "size": size, "ranks": list(ranks),
                     "repeat": repeat, "cells": cells, "line_col": line_col})
        # Blocks in the order A has them; sizes ascending inside a block.
        block = k[0][:7]
        sort_keys.append((blocks.setdefault(block, len(blocks)), size, ranks, repeat))
    for i in range(1, len(groups)):
        judge([r["cells"][i] for r in rows], alpha, tolerance, [r["unit"] for r in rows])
    return [rows[i] for i in sorted(range(len(rows)), key=sort_keys.__getitem__)]


def auto_chunk(ran):
    """Whether a result's chunk and depth were gpuxfer's pick (chunk_auto: its default search
    or --chunk auto), by its Seen's ran."""
    return ran[RAN_FIELDS.index("chunk_auto")] is True


def cell_of(rs, medians):
    """A configuration's cell of a row, from its runs rs (their medians): its value, the runs'
    spread, visits, noise and line rate (line_facts), and "rated" (whether a report of its runs
    rates routes, schema 2.7: the row's line_col), which the row takes out of it."""
    visits = sum(len(r.visits) for r in rs if r.visits)
    if len(rs) == 1:  # one run (most rows of a sweep): its own, as the many runs' below
        r = rs[0]
        value, rate = medians[0], r.line_rate  # center() of one median is the median
        return {"value": value, "runs": 1, "run_medians": medians, "run_cv": None,
                "visits": visits, "noisy": 1 if r.noisy else 0, "few": 1 if r.few else 0,
                "noise": sorted(set(r.marks)) if r.marks else [],
                "line_gbs": rate, "line_share": value / rate if rate is not None else None,
                "line_exceeded": r.line_exceeded,
                "line_absent": r.line_absent if rate is None else None,
                "line_route": r.line_route if rate is not None else None, "rated": r.rated}
    value = center(medians)
    return {"value": value, "runs": len(rs), "run_medians": medians,
            "run_cv": gx.run_cv(medians), "visits": visits, "noisy": sum(r.noisy for r in rs),
            "few": sum(r.few for r in rs), "noise": sorted({m for r in rs for m in r.marks}),
            **line_facts(rs, value), "rated": any(r.rated for r in rs)}


def line_facts(rs, value):
    """A configuration's value against its route's line rate (schema 2.7), from its runs:
    line_gbs the rate they all have (None where one has none, or where their rates differ: a
    link down in one run), line_share the value over it, line_exceeded a run above its rate,
    line_absent why there is no rate, line_route the links crossed."""
    if len(rs) == 1:  # one run (most rows of a sweep): its own
        r = rs[0]
        rate = r.line_rate
        return {"line_gbs": rate, "line_share": value / rate if rate is not None else None,
                "line_exceeded": r.line_exceeded,
                "line_absent": r.line_absent if rate is None else None,
                "line_route": r.line_route if rate is not None else None}
    rates = {r.line_rate for r in rs}
    rate = next(iter(rates)) if len(rates) == 1 else None
    if rate is not None:
        absent = None
    elif None in rates:
        absent = "; ".join(sorted({r.line_absent for r in rs if r.line_rate is None}))
    else:
        absent = "links of different line rates in its runs (" + ", ".join(
            f"{x:.1f}" for x in sorted(rates)) + " GB/s)"
    routes = {r.line_route for r in rs}
    return {"line_gbs": rate, "line_share": value / rate if rate is not None else None,
            "line_exceeded": any(r.line_exceeded for r in rs), "line_absent": absent,
            "line_route": next(iter(routes)) if rate is not None and len(routes) == 1 else None}


def rates_differ(base, rs):
    """Whether two configurations' runs, each with a line rate, cross links of different rates:
    no share of one rate then holds for both."""
    rates = {r.line_rate for r in base + rs}
    return None not in rates and len(rates) > 1


def positive(values):
    return all(v > 0 for v in values)


def center(medians):
    """A configuration's value: the geometric mean of its runs' medians (the median where one
    is not positive)."""
    return gx.geomean(medians) if positive(medians) else statistics.median(medians)


def noise(rows, ncfg):
    """Per configuration, the spread among its own runs: the coefficient of variation of the
    runs' medians, its median and 90th percentile over the rows where it has two runs or more."""
    out = []
    for i in range(ncfg):
        cvs, runs, noisy_rows = [], 0, 0
        for r in rows:
            c = r["cells"][i]
            if c:
                if c["run_cv"] is not None:
                    cvs.append(c["run_cv"])
                runs = max(runs, c["runs"])
                noisy_rows += bool(c["noisy"])
        cvs.sort()
        out.append({"runs": runs, "rows": len(cvs), "noisy_rows": noisy_rows,
                    "median_cv": statistics.median(cvs) if cvs else None,
                    "p90_cv": cvs[min(len(cvs) - 1, int(0.9 * len(cvs)))] if cvs else None})
    return out


def missing_results(tables):
    """[(report index, status, key)] for every measurement some report has and another lacks:
    status 'missing' where that report has no such result, else its status (failed, skipped)."""
    wanted = {}
    for t in tables:
        for k, r in t.items():
            if r.status == "ok":
                wanted.setdefault(k, None)
    out = []
    for i, t in enumerate(tables):
        get = t.get
        for k in wanted:
            r = get(k)
            if r is None:
                out.append((i, "missing", k))
            elif r.status != "ok":
                out.append((i, r.status, k))
    return out


def grouped(items):
    """Compacts [(label, key, detail)] (label, detail: anything hashable) into [(label, block,
    repeat, pairs, [(size, detail)...])]: per (label, block, pair, repeat) its sizes with their
    details, then the pairs that share those."""
    by_pair = {}
    for label, ((path, pattern, unit, src, dst, chunk, depth, size, ranks), repeat), detail in items:
        block = (path, pattern, unit, src, dst, chunk, depth)
        by_pair.setdefault((label, block, ranks, repeat), []).append((size, detail))
    by_sizes = {}
    for (label, block, ranks, repeat), sized in by_pair.items():
        by_sizes.setdefault((label, block, repeat, tuple(sorted(sized))), []).append(ranks)
    return [(label, block, repeat, sorted(pairs), list(sized))
            for (label, block, repeat, sized), pairs in by_sizes.items()]


def what(block, repeat, pairs, sizes):
    """e.g. 'p2p bw device>device chunk 4M/2 pair 0->1 sizes 64M,1G'."""
    path, pattern, _, src, dst, chunk, depth = block
    text = f"{path} {pattern} {src}>{dst}"
    if chunk in ("auto", "any", VARIED):
        text += f" chunk {chunk}"
    elif chunk:
        text += f" chunk {gx.human_size(chunk)}/{depth}"
    text += (" pair " if len(pairs) == 1 else " pairs ") + ",".join(
        "->".join(map(str, p)) for p in pairs)
    return f"{text} {sizes_text(sizes)}" + (f" (repeat {repeat + 1})" if repeat else "")


def sizes_text(sizes):
    """'size 8', 'sizes 8,1M', and a run of three or more doubling sizes as '1 to 1G doubling'."""
    parts = []
    i = 0
    while i < len(sizes):
        j = i
        while j + 1 < len(sizes) and sizes[j + 1] == 2 * sizes[j]:
            j += 1
        if j - i >= 2:
            parts.append(f"{gx.human_size(sizes[i])} to {gx.human_size(sizes[j])} doubling")
        else:
            parts.extend(gx.human_size(s) for s in sizes[i:j + 1])
        i = j + 1
    return ("size " if len(sizes) == 1 else "sizes ") + ",".join(parts)


def by_detail(sized):
    """[(size, detail)] -> {detail: [sizes]}, details in the order of their first size."""
    out = {}
    for size, detail in sized:
        out.setdefault(detail, []).append(size)
    return out


def group_json(block, repeat, pairs):
    path, pattern, unit, src, dst, chunk, depth = block
    return {"path": path, "pattern": pattern, "unit": unit, "mem": [src, dst], "chunk": chunk,
            "depth": depth, "repeat": repeat, "pairs": [list(p) for p in pairs]}


def option_groups(rows):
    """The option differences of the matched results, grouped: [((report index, option,
    gpuxfer's pick), block, repeat, pairs, [(size, (value in A, value in the report))...])]."""
    items = []
    for row in rows:
        for i, c in enumerate(row["cells"]):
            if i and c and c["option_differences"]:
                for name, (va, vb) in c["option_differences"].items():
                    items.append(((i, name, name in c["picked"]), row["key"], (va, vb)))
    return grouped(items)


def resolving_spread(values):
    """(median, worst) of rows' resolving powers (None where no row has one)."""
    if not values:
        return None, None
    return statistics.median(values), max(values)


def summary(rows):
    """Per report after the first and per (path, pattern, unit): slower/faster/same/undecided
    counts, the unfair ones, the geometric mean of the ratios (report / first) and the rows'
    resolving power (its median and worst, over the rows that have one)."""
    acc = {}
    log = math.log
    for row in rows:
        for i, c in enumerate(row["cells"]):
            if not i or c is None:
                continue
            at = (i, row["path"], row["pattern"], row["unit"])
            s = acc.get(at)
            if s is None:
                s = acc[at] = {"slower": 0, "faster": 0, "same": 0, "undecided": 0, "unfair": 0,
                               "noisy": 0, "logs": [], "resolving": []}
            s[c["verdict"]] += 1
            if c["unfair"]:
                s["unfair"] += 1
            if c["noisy_comparison"]:
                s["noisy"] += 1
            ratio = c["ratio"]
            if ratio and ratio > 0:
                s["logs"].append(log(ratio))
            if c["resolving"] is not None:
                s["resolving"].append(c["resolving"])
    out = []
    for (i, path, pattern, unit), s in sorted(acc.items()):
        logs = s.pop("logs")
        median, worst = resolving_spread(s.pop("resolving"))
        out.append({"report": i, "path": path, "pattern": pattern, "unit": unit,
                    "lower_is_better": gx.lower_is_better(unit), **s, "ratios": len(logs),
                    "geomean_ratio": math.exp(sum(logs) / len(logs)) if logs else None,
                    "resolving_median": median, "resolving_worst": worst})
    return out


def flatten(prefix, v, out):
    if isinstance(v, dict):
        for k, x in v.items():
            flatten(f"{prefix}.{k}" if prefix else k, x, out)
    elif isinstance(v, list) and v and all(isinstance(x, (dict, list)) for x in v):
        for x in v:
            flatten(prefix + "[]", x, out)
    else:
        out.setdefault(prefix, set()).add(json.dumps(v, sort_keys=True)
                                          if not isinstance(v, str)
                                          else VOLATILE_PATH.sub(lambda m: m.group(0).split(".")[0] + ".*", v))


# Options whose value is a file of the run's own: it differs between the runs of one
# configuration (a Slurm template names each run's report and table after its job) and says
# nothing about the configuration.
RUN_FILE_OPTIONS = ("--output", "--table")


def without_run_files(words):
    """A command line less its files of the run's own (RUN_FILE_OPTIONS), each said as FILE."""
    out, skip = [], False
    for w in words:
        if skip:
            skip = False
            out.append("FILE")
        elif w in RUN_FILE_OPTIONS:
            skip = True
            out.append(w)
        else:
            name = w.split("=", 1)[0]
            out.append(f"{name}=FILE" if "=" in w and name in RUN_FILE_OPTIONS else w)
    return out


def context_facts(doc):
    """Configuration facts of a report: name -> sorted distinct values over ranks."""
    ctx = doc.get("context") or {}
    facts = {}
    facts["tool.version"] = {str(doc["tool"].get("version"))}
    if "command_line" in doc:
        facts["command_line"] = {shlex.join(without_run_files(doc["command_line"]))}
    for k, v in (ctx.get("job") or {}).items():
        if k not in JOB_IDENTITY:
            flatten("job." + k, v, facts)
    for k, v in ctx.items():
        if k not in ("job", "ranks"):
            flatten(k, v, facts)
    for r in ctx.get("ranks") or []:
        for k, v in r.items():
            if k not in RANK_IDENTITY:
                flatten("ranks." + k, v, facts)
        for k, v in (r.get("env") or {}).items():
            if not VOLATILE_ENV.search(k):
                facts.setdefault("env." + k, set()).add(str(v))
    return {k: ", ".join(sorted(v)) for k, v in facts.items()}


def context_diff(groups):
    """The facts that differ between configurations, each configuration's values over its runs;
    not a fact that differs between the runs of one configuration (a port, a path or an id of
    each job's own): that is no setting of the configuration."""
    facts, per_run = [], set()
    for docs in groups:
        merged = {}
        for d in docs:
            for k, v in context_facts(d).items():
                merged.setdefault(k, set()).add(v)
        per_run |= {k for k, v in merged.items() if len(v) > 1}
        facts.append({k: ", ".join(sorted(v)) for k, v in merged.items()})
    names = sorted(set().union(*facts) - per_run)
    return [(n, [f.get(n, "(unset)") for f in facts]) for n in names
            if len({f.get(n, "(unset)") for f in facts}) > 1]


def fmt(v, width, prec=3):
    if not isinstance(v, (int, float)):
        return f"{'-':>{width}}"
    # Fixed decimals hide slow links' tiny bandwidths (0.000): those get significant digits.
    return ("%*.*f" if v == 0 or abs(v) >= 0.1 else "%*.*g") % (width, prec, v)


def letter(i):
    return chr(ord('A') + i) if i < 26 else str(i)


def pct(v):
    return "-" if v is None else f"{100 * v:.1f}%"


def ci_text(ci):
    return "-" if ci is None else f"{ci_end(ci[0])}-{ci_end(ci[1])}"


def ci_width(line_col):
    return 11 if line_col else 13


def ci_end(v):
    """An end of a ratio's interval in five characters below 99999.5 (0.912, 12.35, 123.4), so
    that an interval fits the narrower ci95 of a block with line%; below 10 as ever."""
    for decimals in (3, 2, 1):
        text = f"{v:.{decimals}f}"
        if len(text) <= 5:
            return text
    return f"{v:.0f}"


def value_text(cell, width, unit):
    """A configuration's value to four significant digits (a bandwidth below gx.GBS_AS_MBS
    GB/s in MB/s with an M after it, as gpuxfer's table and summary print it), '~' after it
    where a run of it was disturbed."""
    v = cell["value"]
    if not isinstance(v, (int, float)):
        return f"{'-':>{width}}"
    # gx.unit_text's, which is gx.value_text's but for a bandwidth in MB/s (gx.in_mbs).
    text = gx.value_text(v) if unit != "GB/s" or not 0 < v < gx.GBS_AS_MBS else \
        gx.unit_text(v, unit)
    if cell["noisy"]:
        text += gx.NOISY
    return text.rjust(width)


def verdict_text(cell):
    """The verdict, ~ after it where it rests on a disturbed run, and the row's resolving
    power: the smallest difference it could have called."""
    return gx.mark_median(cell["verdict"], cell["noisy_comparison"]) + \
        f" (noise {resolving_text(cell['resolving'])})"


def resolving_text(x):
    """A resolving power as +-4.3%, +-12%; unknown where there is none (nothing tells the
    noise: one run a side without visits)."""
    if x is None:
        return "unknown"
    return f"+-{100 * x:.1f}%" if x < 0.1 else f"+-{100 * x:.0f}%"


def line_text(base, cell):
    """line%: the faster configuration's share of the line rate both cross; "diff" where their
    rates differ (no share of one rate holds for both); '!' where a run of either lies above its
    rate, whatever the text."""
    if cell is None:
        return gx.line_text(None, base["line_exceeded"])
    exceeded = base["line_exceeded"] or cell["line_exceeded"]
    if cell["line_rates_differ"]:
        return gx.line_text(None, exceeded, none="diff")
    # One rate for both: the faster side's share is the larger, and above 1 where either's is.
    shares = [base["line_share"], cell["line_share"]]
    return gx.line_text(None if None in shares else max(shares), exceeded)


def side_rate_text(cell):
    """A configuration's line rate and route, or why it has none."""
    if cell["line_gbs"] is None:
        return cell["line_absent"]
    return f"{cell['line_gbs']:.1f} GB/s" + (f" ({cell['line_route']})" if cell["line_route"]
                                               else "")


def rates_differ_notes(block_rows, j):
    """Under a block, what its 'diff' rows of configuration j cross: each side's rate, per group
    of sizes crossing the same."""
    groups = {}
    for row in block_rows:
        c = row["cells"][j]
        if c and c["line_rates_differ"]:
            groups.setdefault((side_rate_text(row["cells"][0]), side_rate_text(c)),
                              []).append(row["size"])
    return [f"# line% diff at {sizes_text(sorted(set(sizes)))}: A crosses {a}; {letter(j)} "
            f"crosses {c}: no share of one rate holds for both (--json: each one's line_share)"
            for (a, c), sizes in groups.items()]


LEGEND_FACTS, LEGEND_VALUE = 3, 40


def what_differs(diffs, i):
    """Configuration i by what differs: its values of the context facts in which it differs
    from A (A: from any other), the first LEGEND_FACTS of them, each value cut at
    LEGEND_VALUE characters; how many more the context differences list."""
    mine = [(n, v[i]) for n, v in diffs if (v[i] != v[0] if i else len(set(v)) > 1)]
    shown = ", ".join(f"{n}={val if len(val) <= LEGEND_VALUE else val[:LEGEND_VALUE - 3] + '...'}"
                      for n, val in mine[:LEGEND_FACTS])
    more = len(mine) - LEGEND_FACTS
    return shown + (f" (+{more} more: # context differences)" if more > 0 else "")


def ci_level(alpha):
    """The level of the interval that 'same' is judged by, in percent (90 at alpha 0.05)."""
    return f"{100 * (1 - 2 * alpha):.3g}"


def tol_text(tolerance):
    return f"+-{100 * tolerance:g}%"


def print_tables(cfgs, rows, out, diffs=(), alpha=0.05, tolerance=0.05):
    for i, c in enumerate(cfgs):
        runs = f"{len(c['reports'])} run{'s' if len(c['reports']) != 1 else ''}"
        # A sweep's configurations are named by their settings; reports by what differs.
        differs = " ".join(c["settings"]) if c["settings"] else what_differs(diffs, i)
        settings = f": {differs}" if differs else ""
        # A line each, wrapped only past gx.COLUMNS (a long path or setting; --json has each
        # whole): a file name a reader searches for stays on its line where it fits.
        gx.note(f"# {letter(i)}: {c['name']} ({runs}){settings}", out)
    level = ci_level(alpha)
    gx.note("# a value: the geometric mean of the configuration's runs' medians; X/A: its ratio to"
            f" A, ci{level}: the ratio's {level}% interval; q: Welch's t test on the logs of the"
            " runs' medians, its p adjusted over the rows (Benjamini-Hochberg), the noise of each"
            " side from its runs and from their visits (--visits), whichever is larger;"
            f" slower/faster: q < {alpha:g}; same: ci{level} within {tol_text(tolerance)};"
            " undecided: neither; noise: the smallest difference the row could call (at alpha,"
            f" power {POWER:g}), unknown with one run a side and no visits", out)
    if any(c and c["noisy"] for r in rows for c in r["cells"]):
        gx.note("# ~ after a value: a run of it whose step the machine disturbed (its median is no"
                " clean number: the report's noise); after a verdict: the comparison rests on such"
                " a value", out)
    if any(c and gx.in_mbs(c["value"], r["unit"]) for r in rows for c in r["cells"]):
        gx.note("# " + gx.MBS_NOTE, out)
    if any(r["line_col"] for r in rows):
        gx.note("# line%: the faster configuration's value over the line rate of the links both"
                " cross (how near the hardware the better one comes); ! a run of either above its"
                " route's line rate (a wrong route or rate); diff: links of different line rates"
                " (named under the block); -: a side without one (a report before schema 2.7, host"
                " memory on one node, a link of unknown rate)", out)
    # A block's rows once per configuration against A, each line within gx.COLUMNS.
    blocks = []
    for row in rows:
        b = (row["path"], row["pattern"], row["unit"], tuple(row["mem"]), row["chunk"], row["depth"])
        if not blocks or blocks[-1][0] != b:
            blocks.append((b, []))
        blocks[-1][1].append(row)
    for _, block_rows in blocks:
        row = block_rows[0]
        extra = (", chunk auto (each report's pick)" if row["chunk"] == "auto" else
                 ", chunk varied (the configurations')" if row["chunk"] == VARIED else
                 ", any chunk (--chunk-as-setting: each result's)" if row["chunk"] == "any"
                 else
                 f", chunk {gx.human_size(row['chunk'])} depth {row['depth']}" if row["chunk"]
                 else "")
        gx.note(f"\n# path {row['path']}, memory {row['mem'][0]} -> {row['mem'][1]}, pattern "
                f"{row['pattern']}{extra}, {row['unit']} ({better(row['unit'])})", out)
        # As gpuxfer's table, line% only where the block's reports rate their routes (schema
        # 2.7), so that an older report's table stays as it was; there ci95 is narrower to keep
        # the line within gx.COLUMNS, as the table narrows its columns beside line%.
        line_col = any(r["line_col"] for r in block_rows)
        # size and pair share 16 columns: a pair wider than 6 (ranks from 100, a repeat's #2)
        # takes them from the size where its sizes are short, so a line with line% stays
        # within gx.COLUMNS.
        pairs = [pair_text(r) for r in block_rows]
        pw = max(6, *map(len, pairs))
        sw = max(4, 16 - pw, *(len(str(r["size"])) for r in block_rows))
        for j in range(1, len(cfgs)):
            c = letter(j)
            line_head = f" {'line%':>6}" if line_col else ""
            ci_head = "ci" + ci_level(alpha)
            lines = [fit_row(f"#{'size':>{sw - 1}} {'pair':>{pw}} {'A':>9} {c:>9} {c + '/A':>6}"
                             f"{line_head} {ci_head:>{ci_width(line_col)}} {'q':>7} verdict")]
            lines += [fit_row(row_line(row, j, line_col, sw, pw, pair))
                      for row, pair in zip(block_rows, pairs)]
            # One write for the block: its lines hold numbers and the table's own words, no
            # text of a report (whose escape sequence might run on into the next line).
            out.write("\n".join(lines) + "\n")
            for text in rates_differ_notes(block_rows, j):
                gx.note(text, out)


def fit_row(line):
    """A row (or its header) past gx.COLUMNS (a ratio of 1000 or more, sizes of 10 digits beside
    pairs from 100) goes on below, indented, at the last space that fits: no line is wider."""
    if len(line) <= gx.COLUMNS:
        return line
    cut = line.rfind(" ", 0, gx.COLUMNS + 1)
    cut = cut if cut > 0 else gx.COLUMNS
    return line[:cut].rstrip() + "\n" + " " * 8 + line[cut:].strip()


def pair_text(row):
    """'0->1', and '#2' after it for a repeat's row."""
    pair = "->".join(map(str, row["ranks"]))
    return pair + (f"#{row['repeat'] + 1}" if row["repeat"] else "")


def row_line(row, j, line_col=False, size_width=10, pair_width=6, pair=None):
    """A row's line for configuration j against A (pair: its pair_text, where made already)."""
    if pair is None:
        pair = pair_text(row)
    line = (f"{str(row['size']).rjust(size_width)} {pair.rjust(pair_width)} "
            f"{value_text(row['cells'][0], 9, row['unit'])}")
    c = row["cells"][j]
    line_cell = f" {line_text(row['cells'][0], c):>6}" if line_col else ""
    ciw = ci_width(line_col)
    if c is None:
        return line + f" {'-':>9} {'-':>6}{line_cell} {'-':>{ciw}} {'-':>7} -"
    q = f"{c['q']:7.2g}" if c["q"] is not None else f"{'-':>7}"
    return line + (f" {value_text(c, 9, row['unit'])} {fmt(c['ratio'], 6)}{line_cell}"
                   f" {ci_text(c['ci_same']).rjust(ciw)} {q} {verdict_text(c)}")


def better(unit):
    return "lower is better" if gx.lower_is_better(unit) else "higher is better"


def shown(v):
    return "(unset)" if v is None else str(v)


def significance_counts(rows, ncfg):
    """Per configuration after A: its rows, how many are called, the same and decided, and
    their resolving power (median and worst over the rows that have one; unknown: those
    without)."""
    out = []
    for i in range(1, ncfg):
        cells = [r["cells"][i] for r in rows if r["cells"][i]]
        resolving = [c["resolving"] for c in cells if c["resolving"] is not None]
        median, worst = resolving_spread(resolving)
        significant = sum(c["significant"] == "yes" for c in cells)
        same = sum(c["verdict"] == "same" for c in cells)
        decided = sum(c["verdict"] != "undecided" for c in cells)
        out.append({"rows": len(cells), "significant": significant, "same": same,
                    "decided": decided, "unknown": len(cells) - len(resolving),
                    "resolving_median": median, "resolving_worst": worst,
                    "by_test": {t: sum(c["test"] == t for c in cells)
                                for t in ("t", "t1", "paired", "-")}})
    return out


def print_significance(cfgs, counts, spread, alpha, tolerance, out):
    gx.note("\n# noise: the spread among a configuration's own runs (the coefficient of variation of"
            " the runs' medians, its median and 90th percentile over the rows)", out)
    for i, n in enumerate(spread):
        if n["median_cv"] is None:
            print(f"{letter(i)}: {n['runs']} run{'s' if n['runs'] != 1 else ''}: no spread among"
                  " runs (one run; its visits tell its noise where it has them)", file=out)
        else:
            print(f"{letter(i)}: {n['runs']} run{'' if n['runs'] == 1 else 's'}: {pct(n['median_cv'])} (90th percentile "
                  f"{pct(n['p90_cv'])}, {n['rows']} row{'s' if n['rows'] != 1 else ''})", file=out)
    for i, n in enumerate(spread):
        if n["noisy_rows"]:
            gx.note(f"{letter(i)}: {n['noisy_rows']} row{'s' if n['noisy_rows'] != 1 else ''} with"
                    " a run the machine disturbed (~: a rank waited for a CPU, a slow tail or a "
                    "wide interval; rerun on a quieter node)", out)
    print(f"\n# verdicts (alpha {alpha:g}, tolerance {tol_text(tolerance)})", file=out)
    for i, c in enumerate(counts, 1):
        median, worst = c["resolving_median"], c["resolving_worst"]
        noise_text = ("noise unknown on every row" if median is None else
                      f"noise {resolving_text(median)} median, {resolving_text(worst)} worst")
        unknown = c["unknown"]
        if unknown and median is not None:
            noise_text += f", unknown on {unknown} row{'s' if unknown != 1 else ''}"
        gx.note(f"{letter(i)} vs A: {c['decided']} of {c['rows']} rows decided: "
                f"{c['significant']} significant (q < {alpha:g}), {c['same']} the same within "
                f"{tol_text(tolerance)}; {noise_text} (the smallest difference a row could call)",
                out)
        if unknown:
            gx.note(f"  {unknown} row{'s' if unknown != 1 else ''} of one run on each side without "
                    "visits: nothing tells the noise; run with --visits (the default measures "
                    "each result in several) or run each configuration several times "
                    "(gpuxfer-report sweep -r)", out)


def print_findings(names, cfg_names, missing, report_opts, opts, diffs, totals, out):
    """names: the reports (missing results, report options are per report); cfg_names: the
    configurations (the results' option differences are per configuration). Each finding wraps
    past gx.COLUMNS: report paths and option values may be any length."""
    print("\n# missing results" + ("" if missing else ": none"), file=out)
    for (i, status), block, repeat, pairs, sized in missing:
        gx.note(f"{status} in {names[i]}: {what(block, repeat, pairs, [s for s, _ in sized])}",
                out)
    print("\n# option differences (A's value vs the other report's)" +
          ("" if opts or report_opts else ": none"), file=out)
    for i, name, values in report_opts:
        gx.note(f"{names[i]}: all results: {name} {shown(values[0])} vs {shown(values[1])}", out)
    for (i, name, pick), block, repeat, pairs, sized in opts:
        for values, sizes in by_detail(sized).items():
            gx.note(f"{'UNFAIR: ' if unfair(name, values) and not pick else ''}{cfg_names[i]}: "
                    f"{what(block, repeat, pairs, sizes)}: {name} {shown(values[0])} "
                    f"vs {shown(values[1])}" + (PICK_NOTE[name] if pick else ""), out)
    print("\n# context differences" + ("" if diffs else ": none"), file=out)
    for name, vals in diffs:
        gx.note(f"{name}:", out)
        for i, v in enumerate(vals):
            gx.note(f"  {letter(i)}: {v}", out)
    gx.note("\n# summary: per path and pattern, the results slower, faster, the same and undecided, "
            "the geometric mean of the ratios to A (GB/s: higher is better, a ratio > 1 is "
            "faster; us: lower is better, a ratio < 1 is faster) and the rows' noise (the "
            "smallest difference each could call: median and worst)", out)
    for s in totals:
        c = letter(s["report"])
        mean = "-" if s["geomean_ratio"] is None else f"{s['geomean_ratio']:.3f}"
        unfair_text = f", {s['unfair']} unfair" if s["unfair"] else ""
        noisy_text = (f", {s['noisy']} of them on a disturbed run (~)" if s["noisy"] else "")
        noise_text = ("noise unknown" if s["resolving_median"] is None else
                      f"noise {resolving_text(s['resolving_median'])} median, "
                      f"{resolving_text(s['resolving_worst'])} worst")
        gx.note(f"{c}: {s['path']} {s['pattern']} ({s['unit']}): "
                f"{s['slower']} slower, {s['faster']} faster, {s['same']} same, "
                f"{s['undecided']} undecided{unfair_text}"
                f"{noisy_text}; geomean {c}/A {mean}; {noise_text}", out)


def as_json(cfgs, files, rows, counts, spread, settings, missing, report_opts, opts, diffs,
            totals):
    names = [c["name"] for c in cfgs]
    for r in rows:
        del r["key"], r["line_col"]
    option_differences = [
        {"report": files[i], "option": name, "values": values, "unfair": False, "picked": False,
         "scope": "report"}
        for i, name, values in report_opts] + [
        {"report": names[i], "option": name, "values": list(values),
         "unfair": unfair(name, values) and not pick, "picked": pick,
         "scope": "results", "sizes": sizes, **group_json(block, repeat, pairs)}
        for (i, name, pick), block, repeat, pairs, sized in opts
        for values, sizes in by_detail(sized).items()]
    return {"reports": names, "configurations": cfgs, **settings, "rows": rows,
            "significance": [dict(c, configuration=names[i]) for i, c in enumerate(counts, 1)],
            "noise": [dict(n, configuration=names[i]) for i, n in enumerate(spread)],
            "missing": [{"report": files[i], "status": status, "sizes": [s for s, _ in sized],
                         **group_json(block, repeat, pairs)}
                        for (i, status), block, repeat, pairs, sized in missing],
            "option_differences": option_differences,
            "unfair": [d for d in option_differences if d["unfair"]],
            "context_differences": [{"name": n, "values": v} for n, v in diffs],
            "summary": [dict(s, report=names[s["report"]]) for s in totals]}


# What json.dumps writes of a value with its default separators, by the C encoder (json.dumps
# with an indent is its pure Python encoder). The rows hold no cycles: nothing to look for.
_encode = json.JSONEncoder(check_circular=False).encode
# The lines of a sweep's rows written at once: each write of a few bytes would cost more than
# its line, and all of them as one text would double the rows' memory.
LINES_PER_WRITE = 1000


def print_json(doc, out):
    """The document as json.dumps(doc, indent=1) lays out its top-level members, each item of a
    top-level list (a row, an option difference) on one line as json.dumps(item) writes it:
    valid JSON, a row a line for grep or jq, and a sweep's rows in a fraction of the text
    (and the time) of an indented one."""
    write = out.write
    write("{")
    sep = "\n "
    for name, value in doc.items():
        write(sep + _encode(name) + ": ")
        sep = ",\n "
        if isinstance(value, list) and value:
            for at in range(0, len(value), LINES_PER_WRITE):
                lines = [_encode(item) for item in value[at:at + LINES_PER_WRITE]]
                write(("[\n  " if at == 0 else ",\n  ") + ",\n  ".join(lines))
            write("\n ]")
        else:
            # A newline in a string is written as \n, never as a line of its own.
            write(json.dumps(value, indent=1).replace("\n", "\n "))
    write("\n}\n" if doc else "}\n")


def machine_of(doc):
    """(GPU model, the first pair's link, the job's GPUs) of a report: what a reference run must
    share (a default run on four GPUs measures the node's map and pairs two do not have)."""
    ctx = doc.get("context") or {}
    gpus = [(r.get("gpu") or {}) for r in ctx.get("ranks") or [] if isinstance(r, dict)]
    model = next((g.get("name") for g in gpus if g.get("present") and g.get("name")), "no GPU")
    count = len({g.get("uuid") or g.get("pci_bus_id") for g in gpus if g.get("present")})
    pairs = [p for p in ctx.get("pairs") or [] if isinstance(p, dict)]
    # The link itself (NV18, PIX, SYS: two GPUs on 12 NVLinks are no reference for 18), or for
    # two ranks on one GPU the words that say so; never where the link was read (nvml, hwloc).
    first = pairs[0] if pairs else {}
    link = "the same GPU" if first.get("link") == "X" else first.get("link")
    return model, link or "unknown link", count


def machine_words(kind):
    """'NVIDIA H100 80GB HBM3 (NV18, 4 GPUs)': a machine_of kind as the notes name it."""
    model, link, count = kind
    return f"{model} ({link}" + (f", {count} GPUs)" if count > 2 else ")")


def with_reference(cfgs):
    """([the reference runs of the same machine kind, the given runs], the line that says
    which); exit 2 where the given reports are not one configuration or no reference run
    matches them."""
    if len(cfgs) != 1:
        gx.die(PROG, f"--reference: give your runs as one configuration (got {len(cfgs)}); the "
                     "reference runs are the other")
    mine = cfgs[0]
    want = machine_of(gx.load(mine["reports"][0]))
    # A reference run given as one of yours (a shipped run compared with the others) is no
    # reference to itself: it is left out of them, not refused as a report given twice.
    yours = {k for path in mine["reports"] for k in gx.identity(gx.load(path))}
    folder = gx.reference_dir()
    if folder is None:
        gx.die(PROG, "--reference: no reference runs found (installed in the data folder's "
                     "reference/, results/reference in the source tree; GX_REFERENCE_DIR names "
                     "another folder)")
    found, kinds, left = [], set(), 0
    for path in sorted(gx.folder_reports(folder), key=gx.natural):
        doc = gx.load(path)
        kind = machine_of(doc)
        kinds.add(kind)
        if kind == want and yours.isdisjoint(gx.identity(doc)):
            found.append(path)
        left += kind == want and not yours.isdisjoint(gx.identity(doc))
    if not found and left:
        gx.die(PROG, f"--reference: every reference run of {machine_words(want)} in {folder} "
                     "is one of the runs given: nothing left to compare them with")
    if not found:
        gx.die(PROG, f"--reference: no reference run of {machine_words(want)} in {folder}; "
                     "there are: " + "; ".join(machine_words(k) for k in sorted(kinds)))
    note = (f"# reference: {len(found)} run{'' if len(found) == 1 else 's'} of "
            f"{machine_words(want)} from {folder}" +
            (f", less {left} given as yours" if left else ""))
    name = (os.path.basename(found[0]) if len(found) == 1 else
            f"{os.path.basename(found[0])} .. {os.path.basename(found[-1])}")
    return [{"name": "reference " + name, "settings": [], "reports": found}, mine], note


def expectations_files(given):
    """The expectations files whose golden runs tell one run's noise: --expect's, else those
    installed with gpuxfer ($GX_EXPECT_DIR, the data folder's expectations/, the source tree's
    results/expectations)."""
    if given:
        return given
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for d in (os.environ.get("GX_EXPECT_DIR"), os.path.join(here, "expectations"),
              os.path.join(here, os.pardir, "results", "expectations")):
        if d and os.path.isdir(d):
            return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".json"))
    return []


def run_floors(docs, files):
    """Per configuration, where the golden runs of its SKU (rank 0's facts of its first report,
    as gpuxfer-report expect has them) are in an expectations file: {(path, pattern, unit, src,
    dst, size): (the variance of one run's log, its degrees of freedom)}, the noise of each
    expectation (its points' largest relative distance from the expected value: over route
    classes the largest), else None; and the notes saying which were used."""
    from gxreport import expect
    skus = [(f, sku) for f in files for sku in expect.read(f)["skus"]]
    out, notes = [], []
    for g in docs:
        try:
            facts = expect.facts(g[0], "")
        except gx.BadInput:
            facts = None
        found = next(((f, sku) for f, sku in skus if sku["facts"] == facts), None)
        if found is None:
            out.append(None)
            continue
        floor = {}
        for e in found[1]["expectations"]:
            if gx.is_number(e.get("noise")) and e["noise"] >= 0:
                k = (e["path"], e["pattern"], e["unit"], e["mem"]["src"], e["mem"]["dst"],
                     e["size"])
                v = (math.log1p(e["noise"]) ** 2, max(1, len(e.get("runs") or ()) - 1))
                floor[k] = max(floor.get(k, v), v)
        out.append(floor)
        note = (f"# one run's noise between runs: the golden runs of {facts['gpu_model']} x "
                f"{facts['gpus_per_node']} in {found[0]}")
        if note not in notes:
            notes.append(note)
    return out, notes


# The options() name of a --vary option's setting, where options() has one.
VARY_OPTION = {"window": "window", "chunk": "chunk/depth", "depth": "chunk/depth"}


def vary_values(vary):
    return [str(v) for v in vary["values"]]


def vary_of(docs, files):
    """(option, [values]) where the reports are runs of --vary (context.run.vary), all of one
    option over the same values; None where none is. Exit 2 where some are and others not,
    where they vary differently, or where a result's value is none of its report's."""
    said = [((d.get("context") or {}).get("run") or {}).get("vary") for d in docs]
    if all(v is None for v in said):
        for d, f in zip(docs, files):
            if any(r.vary is not None for r in d["results"]):
                gx.die(PROG, f"{f}: results of --vary (their vary) without the run's "
                             "context.run.vary")
        return None
    at = next(i for i, v in enumerate(said) if v is not None)
    option, values = said[at]["option"], vary_values(said[at])
    if option not in VARY_KEY:
        gx.die(PROG, f"{files[at]}: context.run.vary.option: expected one of "
                     f"{', '.join(VARY_KEY)}, got {option!r}")
    if len(values) < 2 or len(set(values)) != len(values):
        gx.die(PROG, f"{files[at]}: context.run.vary.values: expected two or more distinct "
                     f"values, got {', '.join(values) or 'none'}")
    for v, f in zip(said, files):
        if v is None:
            gx.die(PROG, f"{f}: not a run of --vary, where {files[at]} varies {option}: compare "
                         "runs of --vary only with runs of the same command")
        if v["option"] != option or vary_values(v) != values:
            gx.die(PROG, f"{f}: varies {v['option']} over {','.join(vary_values(v))}, where "
                         f"{files[at]} varies {option} over {','.join(values)}: runs of the same "
                         "command only")
    for d, f in zip(docs, files):
        for r in d["results"]:
            if r.vary is not None and r.vary not in values:
                gx.die(PROG, f"{f}: a result's vary.value {r.vary!r} is none of "
                             f"context.run.vary.values ({','.join(values)})")
    return option, values


def main(argv):
    ap = gx.ArgumentParser(
        prog=PROG, description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="%(prog)s [options] A.json B.json [C.json ...]\n"
              "     | %(prog)s [options] A1.json A2.json .. -- B1.json B2.json .. [-- ...]\n"
              "     | %(prog)s [options] SWEEP_FOLDER | FOLDER FOLDER ...\n"
              "     | %(prog)s [options] VARY_RUN.json [VARY_RUN2.json ...] (runs of --vary)")
    ap.add_argument("reports", nargs="+", metavar="REPORT.json|FOLDER",
                    help="gpuxfer reports, folders of reports or gpuxfer-report sweep folders; "
                         "'--' between configurations of several runs; the first configuration is "
                         "the reference (runs of --vary: a configuration per value, the first A)")
    ap.add_argument("--fail-below", type=gx.number_in(0, 1), metavar="RATIO",
                    help="exit 1 when a result is significantly slower beyond RATIO (0 < RATIO <= "
                         "1): bandwidth ratio below RATIO, or latency (us) ratio above 1/RATIO")
    ap.add_argument("--alpha", type=gx.number_in(0, 1, high_open=True), default=0.05,
                    help="significance level: a row is called when its Benjamini-Hochberg q is "
                         "below ALPHA, 0 < ALPHA < 1 (default 0.05)")
    ap.add_argument("--tolerance", type=gx.number_in(0, 1000), default=5, metavar="PERCENT",
                    help="a row is 'same' only where the ratio's interval at 1 - 2 ALPHA (90%%) "
                         "lies within PERCENT of 1 either way (default 5)")
    ap.add_argument("--chunk-as-setting", action="store_true",
                    help="match results whatever chunk and depth they ran at, and compare those "
                         "as a setting (listed with the option differences): is chunk 1M slower "
                         "than the default chunk?")
    ap.add_argument("--reference", action="store_true",
                    help="set the reports given (your runs: one configuration) beside the "
                         "reference runs of the same GPU model, pair link and GPU count, as A: the curated "
                         "default runs installed with gpuxfer (GX_REFERENCE_DIR elsewhere); run "
                         "yours as they were run, mpirun -np 2 gpuxfer")
    ap.add_argument("--expect", action="append", metavar="FILE",
                    help="an expectations file (gpuxfer-report expect) whose golden runs of a "
                         "configuration's SKU tell the noise between runs of a side of one run "
                         "(default: those installed with gpuxfer; GX_EXPECT_DIR elsewhere)")
    ap.add_argument("--json", action="store_true",
                    help="print rows, significance, noise, missing results, option differences, "
                         "unfair comparisons, context differences and the summary as JSON")
    a = ap.parse_args(gx.separated(argv))
    if importlib.util.find_spec("scipy") is None:
        gx.die(PROG, f"{sys.executable} has no scipy, whose t distribution judges the rows "
                     "(apt-get install python3-scipy or pip install scipy)")
    cfgs = gx.configurations(a.reports)
    if a.reference and gx.SEPARATOR not in a.reports and len(cfgs) > 1:
        # Your runs, however given (reports, folders): one configuration beside the reference.
        reports = [r for c in cfgs for r in c["reports"]]
        cfgs = [{"name": f"{cfgs[0]['name']} .. {cfgs[-1]['name']}", "settings": [],
                 "reports": reports}]
    if a.reference:
        cfgs, note = with_reference(cfgs)
        gx.note(note, sys.stderr if a.json else sys.stdout)  # a folder: one line where it fits
    tolerance = a.tolerance / 100
    keep = reader(a.chunk_as_setting)
    docs = [[gx.load(p, keep=keep) for p in c["reports"]] for c in cfgs]
    flat = [d for g in docs for d in g]
    gx.distinct(flat)
    files = [p for c in cfgs for p in c["reports"]]
    vary = vary_of(flat, files)
    if vary:
        # Each value a configuration, each report a run of every one (the first value is A).
        option, values = vary
        cfgs = [{"name": f"{option}={v}", "settings": [f"{option}={v}"], "reports": files}
                for v in values]
        docs = [flat] * len(values)
        groups = [[index(d, v) for d in flat] for v in values]
        files = [f"{p} ({option}={v})" for v in values for p in files]
    else:
        if len(cfgs) < 2:
            gx.die(PROG, "give at least two configurations to compare (reports, or folders)")
        groups = [[index(d) for d in g] for g in docs]
    # The rows hold no cycles: the cyclic collector, left on, would walk all of a sweep's each
    # time it ran while they are made. Once made they are set aside (gc.freeze), and it runs
    # again for what follows (json's encoder makes cycles at every call).
    floors, notes = run_floors(docs, expectations_files(a.expect))
    for n in notes:
        gx.note(n, sys.stderr if a.json else sys.stdout)
    gc.disable()
    rows = build_rows(groups, a.alpha, tolerance, a.chunk_as_setting, window_picks(docs),
                      paired_runs=bool(vary), varied_option=VARY_OPTION.get(vary and vary[0]),
                      floors=floors)
    gc.freeze()
    gc.enable()
    if not rows:
        gx.die(PROG, f"no common results: {cfgs[0]['name']} shares no successful (path, pattern, "
                     f"size, memory, chunk, pair) measurement with the other configurations")
    missing = grouped(((i, status), k, None)
                      for i, status, k in missing_results([t for g in groups for t in g]))
    report_opts = report_option_differences(flat) if not vary else []
    opts = option_groups(rows)
    diffs = context_diff(docs)
    totals = summary(rows)
    counts = significance_counts(rows, len(cfgs))
    spread = noise(rows, len(cfgs))
    if a.json:
        settings = {"alpha": a.alpha, "tolerance": tolerance,
                    "ci_same_level": 1 - 2 * a.alpha, "power": POWER,
                    "vary": {"option": vary[0], "values": vary[1]} if vary else None}
        print_json(as_json(cfgs, files, rows, counts, spread, settings, missing, report_opts,
                           opts, diffs, totals), sys.stdout)
    else:
        print_tables(cfgs, rows, sys.stdout, diffs, a.alpha, tolerance)
        print_significance(cfgs, counts, spread, a.alpha, tolerance, sys.stdout)
        print_findings(files, [c["name"] for c in cfgs], missing, report_opts, opts, diffs, totals, sys.stdout)
    if a.fail_below is not None:
        bad = [(r, i, c) for r in rows for i, c in enumerate(r["cells"])
               if i > 0 and c is not None and regressed(r["unit"], c, a.fail_below)]
        for r, i, c in bad:
            limit = a.fail_below if not gx.lower_is_better(r["unit"]) else 1 / a.fail_below
            # One finding a line, wrapped within 100 columns (a continuation indented): a CI
            # log's grep for "regression:" finds each.
            gx.note(f"{PROG}: regression: {cfgs[i]['name']}: {r['path']} {r['pattern']} size "
                    f"{r['size']} pair {'->'.join(map(str, r['ranks']))}: ratio {c['ratio']:.3f} "
                    f"({r['unit']}, limit {limit:.3f}, {c['test']})"
                    + (" on a run the machine disturbed (~): rerun on a quieter node"
                       if c["noisy_comparison"] else ""), out=sys.stderr)
        # A result that failed in a later configuration (its data check included) where A
        # measured it is worse than any ratio: the gate must not pass it by leaving it out.
        first = len(cfgs[0]["reports"])
        failed = [(i, k) for i, status, k in missing_results([t for g in groups for t in g])
                  if i >= first and status == "failed"]
        for i, k in failed:
            m = k[0]
            gx.note(f"{PROG}: regression: {files[i]}: {m[0]} {m[1]} size {m[7]} pair "
                    f"{'->'.join(map(str, m[8]))}: failed", out=sys.stderr)
        if bad or failed:
            return 1
    return 0

