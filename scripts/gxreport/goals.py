"""Checks a gpuxfer report against the performance goals (efficiency against the ceilings that
gpuxfer measured in the same run) and prints one table: goal, size, chunk/depth, value, ceiling,
efficiency, line%, target, met, and below each goal its path, pattern and note (--wide: one line
each). As gpuxfer's table: ~ after a value (and after met) judged on a result whose step the
machine disturbed, ! after an efficiency above 100% and ? for the ceiling and efficiency of a
result whose ceiling probe was disturbed; an efficiency goal is not judged on either (its ceiling
is no bound there). line%: the result's median over its route's line rate (schema 2.7), ! after
one above it (a wrong route or rate), - without one (a latency, host memory, an older report).
Exit status 0 when every goal that has results is met, 1 when some are missed, 2 for a report it
cannot read or use (over 256 MiB: GX_REPORT_MAX_MIB; a median outside 1e-9..1e15), 3 when its
table could not be written (stdout full, closed or its reader gone), 130 Ctrl-C, 143 SIGTERM;
each failure one line on stderr, never 0 or 1.
Usage: gpuxfer-report goals REPORT.json [--wide]"""
import os
import sys

import gxreport as gx

PROG = "gpuxfer-report goals"
MIB = 1 << 20


def host_mem(r):
    mem = r.get("mem") or {}
    return mem.get("src") in ("pageable", "pinned") and mem.get("dst") in ("pageable", "pinned")


def best_per_size(results, path, pattern, min_size=0, exact=None, where=None):
    """The best result per size (chunked paths: the best chunk/depth) of one path/pattern."""
    best = {}
    for r in results:
        if r["path"] != path or r["pattern"] != pattern or r["size"] < min_size:
            continue
        if exact is not None and r["size"] != exact:
            continue
        if where and not where(r):
            continue
        low = gx.lower_is_better(r["unit"])
        cur = best.get(r["size"])
        m = r["stats"]["median"]
        if cur is None or (m < cur["stats"]["median"] if low else m > cur["stats"]["median"]):
            best[r["size"]] = r
    return [best[s] for s in sorted(best)]


def config(r):
    return "%s/%s" % (gx.human_size(r["chunk"]), r["depth"]) if r.get("chunk") else "-"


def row(goal, r, target, met, value=..., note="", unit=None):
    """A goal's row judged on result r: its value (r's median unless given) marked ~ where r's
    step was disturbed; a count (unit "count") is no measurement of r and is not marked."""
    return {"goal": goal, "path": r["path"], "pattern": r["pattern"], "size": r["size"],
            "config": config(r), "value": r["stats"]["median"] if value is ... else value,
            "unit": unit or r["unit"], "ceiling": gx.ceiling_text(r, "%.2f"),
            "eff": gx.efficiency_text(r, "%.1f", percent="%"), "line_share": gx.line_share(r),
            "line_exceeded": gx.line_exceeded(r), "target": target, "met": met,
            "noisy": gx.noisy(r) and unit != "count", "note": note or ceiling_note(r)}


def ceiling_note(r):
    """Which ceiling rates r, or why none does here (an unsound one: ceiling_absent's reason;
    one that r beat: no bound)."""
    if gx.ceiling_unsound(r):
        return gx.unsound_why(r)
    return r.get("ceiling_what", "") + (
        " (efficiency above 100%: the ceiling is no bound here)" if gx.ceiling_exceeded(r) else
        " (at the ceiling: above it within the median's interval)" if gx.ceiling_within(r) else "")


def efficiency_met(r, target):
    """Whether r's efficiency reaches target; None where it says nothing: no ceiling, an unsound
    one, or one that r beat."""
    eff = r.get("efficiency") or 0
    if not eff or gx.ceiling_unsound(r) or gx.ceiling_exceeded(r):
        return None
    return eff >= target


def shm_staged(r):
    """Staged through shared-memory host slots (one node), not through MPI."""
    return "shared" in (r.get("via") or "")


def stage_gbps(doc, r):
    """The stage bandwidths of a staged result at its chunk size, from the report's
    ceilings: D2H on the sender's GPU, MPI host sender -> receiver (unless the slots were
    shared memory), H2D on the receiver's GPU; None when the ceilings lack one."""
    a, b = r["ranks"]
    chunk = min(r.get("chunk") or r["size"], r["size"])
    stages = [gx.measured_ceiling(doc, "d2h", a, None, chunk), gx.measured_ceiling(doc, "h2d", b, None, chunk)]
    if not shm_staged(r):
        stages.insert(1, gx.measured_ceiling(doc, "mpi_pinned_bw", a, b, chunk))
    return None if None in stages else stages


def staged_goals(rows, doc, results):
    for r in best_per_size(results, "staged-mpi", "bw", min_size=64 * MIB):
        rows.append(row("staged-mpi bw >= 64M", r, ">= 90% eff", efficiency_met(r, 0.90),
                        note=ceiling_note(r) + one_message_note(doc, r)))
    # Schema 2 measures the copy engines of both sides at once, as the pipeline runs them: the
    # ideal pipelined rate is the ceiling itself, so the gain over depth 1 against its ideal is
    # the efficiency row above, not a goal of its own.
    for path in ("staged", "staged-mpi") if not gx.schema_at_least(doc, 2, 0) else ():
        for r in best_per_size(results, path, "bw", min_size=64 * MIB):
            base, whence = depth1_median(results, r)
            stages = stage_gbps(doc, r)
            if base is None or not stages:
                rows.append(row("%s gain over depth 1" % path, r, ">= 90% ideal", None,
                                value=None, unit="x", note="no depth-1 result at this chunk"
                                if base is None else "no stage ceiling at this chunk"))
                continue
            gain = r["stats"]["median"] / base
            ideal = sum(1 / s for s in stages) / max(1 / s for s in stages)
            rows.append(row("%s gain over depth 1" % path, r, ">= 90% ideal",
                            gain >= 0.9 * ideal, value=gain, unit="x",
                            note="gain %.2fx, ideal %.2fx (stages %s GB/s; depth 1 %s)"
                            % (gain, ideal, "/".join("%.1f" % s for s in stages), whence)))


def stage_note(r):
    """Where a result's time went, from its own stage times: the busiest stage beside the
    iteration (window messages, both ways for bibw, at the median rate); "" without stages."""
    stages = r.get("stages") or []
    window, median = r.get("window"), r["stats"]["median"]
    if not stages or not window or not median or r["unit"] != "GB/s":
        return ""
    busiest = max(stages, key=lambda s: max(s["initiator_us"], s["peer_us"]))
    busy_ms = max(busiest["initiator_us"], busiest["peer_us"]) / 1e3
    ways = 2 if r["pattern"] == "bibw" else 1
    iteration_ms = r["size"] * window * ways / (median * 1e6)
    return "; measured: %s busy %.1f of the %.1f ms iteration" % (
        busiest["name"], busy_ms, iteration_ms)


def spread_note(r):
    """The middle 90% of a result's samples, beside its median."""
    s = r["stats"]
    if "p5" not in s or "p95" not in s:
        return ""
    return "; %s %s: samples %.4g..%.4g (p5..p95) around %.4g" % (
        r["pattern"], gx.human_size(r["size"]), s["p5"], s["p95"], s["median"])


def one_message_note(doc, r):
    """The MPI stage as the pipeline drives it, one chunk per message: the ceiling
    probes' ping-pong at the chunk size gives the one-way rate of a lone message, beside the ceiling's
    rate of a window of messages."""
    a, b = r["ranks"]
    chunk = min(r.get("chunk") or r["size"], r["size"])
    us = gx.measured_ceiling(doc, "mpi_pinned_latency", a, b, chunk)
    if not us:
        return ""
    gbps = chunk / us / 1e3
    return "; one MPI message at a time at %s: %.2f GB/s, %.0f%% of it reached" % (
        gx.human_size(chunk), gbps, 100 * r["stats"]["median"] / gbps)


def depth1_median(results, r):
    """The unpipelined (depth 1) bandwidth at r's chunk and size: a measured result of its own,
    else the candidate that --chunk auto measured for r; (None, None) when neither exists."""
    for x in results:
        if (x["path"] == r["path"] and x["pattern"] == r["pattern"] and x["size"] == r["size"]
                and x.get("chunk") == r.get("chunk") and x.get("depth") == 1):
            return x["stats"]["median"], "measured"
    for c in r.get("auto_candidates") or []:
        if c["chunk"] == r.get("chunk") and c["depth"] == 1:
            return c["median"], "from --chunk auto's candidates"
    return None, None


# The project's goals, each with the figure its target came from. Efficiency goals are rated
# against ceilings gpuxfer measured in the same job; reference goals against what a widely used
# benchmark (OSU's osu_bw/osu_bibw, nccl-tests' sendrecv) reached with the same libraries on the
# 4 x H200 machine (NV18, Open MPI 4.1.4, NCCL 2.28): they apply to H200 reports only.
EFFICIENCY_GOALS = [
    # goal, path, pattern, selection, target, where the target comes from
    ("p2p bw >= 64M", "p2p", "bw", {"min_size": 64 * MIB}, 0.98, "peer copy"),
    ("p2p bw 1M", "p2p", "bw", {"exact": MIB}, 0.90, "peer copy"),
    ("p2p bibw >= 64M", "p2p", "bibw", {"min_size": 64 * MIB}, 0.95, "peer copies both ways"),
    ("staged bw >= 64M", "staged", "bw", {"min_size": 64 * MIB}, 0.90,
     "the project's goal: 90% of the copy engines, the sender's D2H while the receiver's H2D runs"),
    ("staged bibw >= 64M", "staged", "bibw", {"min_size": 64 * MIB}, 0.90,
     "each GPU's D2H and H2D copies at once (copy_engines_bidir), as staged bw's 90%"),
    ("zerocopy bw >= 64M", "zerocopy", "bw", {"min_size": 64 * MIB}, 0.95,
     "the project's goal: 95% of the SMs writing and reading mapped host memory at once"),
    ("zerocopy bibw >= 64M", "zerocopy", "bibw", {"min_size": 64 * MIB}, 0.95,
     "each GPU's kernels writing and reading mapped host at once (mapped_bidir), as bw's 95%"),
    ("unified-prefetch bw >= 64M", "unified-prefetch", "bw", {"min_size": 64 * MIB}, 0.80,
     "the project's goal: 80% of its slowest stage (prefetch to host 12.8 GB/s there; MPI on "
     "managed memory where this MPI library is slower)"),
]
REFERENCE_GOALS = [
    # goal, path, pattern, size, reference value (GB/s), where it was measured
    ("mpi device bw 1M", "mpi", "bw", MIB, 183.0, "osu_bw, Open MPI 4.1.4, 4 x H200"),
    ("mpi device bibw 64M", "mpi", "bibw", 64 * MIB, 726.0, "osu_bibw, same"),
    ("mpi device bibw 1G", "mpi", "bibw", 1 << 30, 747.0, "osu_bibw, same"),
    ("nccl bw 256M", "nccl", "bw", 256 * MIB, 360.0, "nccl-tests sendrecv, NCCL 2.28, same"),
    ("nccl bibw 64M", "nccl", "bibw", 64 * MIB, 578.0, "nccl-tests, same"),
    ("nccl bibw 1G", "nccl", "bibw", 1 << 30, 730.0, "nccl-tests, same"),
]
LATENCY_GOALS = [
    # goal, path, size, at most (us, one way, median), where the target comes from
    ("p2p latency 8 B", "p2p", 8, 1.2, "the project's goal: NVLink load round trip 0.83 us"),
    ("p2p latency 4K", "p2p", 4096, 1.5, "the project's goal"),
]
# Bandwidths whose cv must stay <= 1% at >= 64 MiB: every path but the unified ones, whose
# every iteration migrates pages.
CV_EXEMPT = ("unified-prefetch", "unified-demand")


def h200(doc):
    ranks = ((doc.get("context") or {}).get("ranks")) or []
    names = [((r.get("gpu") or {}).get("name") or "") for r in ranks if isinstance(r, dict)]
    return bool(names) and all("H200" in n for n in names)


def goals(doc):
    results = gx.ok_results(doc)
    rows = []
    for goal, path, pattern, sel, target, whence in EFFICIENCY_GOALS:
        for r in best_per_size(results, path, pattern, **sel):
            met = efficiency_met(r, target)
            rows.append(row(goal, r, ">= %.0f%% eff" % (100 * target), met,
                            note="%s; target from %s%s" % (ceiling_note(r), whence,
                                                           stage_note(r) if met is False
                                                           else "")))
    staged_goals(rows, doc, results)
    on_h200 = h200(doc)
    for goal, path, pattern, size, ref, whence in REFERENCE_GOALS:
        for r in best_per_size(results, path, pattern, exact=size,
                               where=lambda x: not host_mem(x)):
            m = r["stats"]["median"]
            rows.append(row(goal, r, ">= %.0f (99%%)" % (0.99 * ref),
                            m >= 0.99 * ref if on_h200 else None,
                            note="%.1f%% of %.0f GB/s, %s" % (100 * m / ref, ref, whence)
                            if on_h200 else "reference measured on H200 only (%s)" % whence))
    for goal, path, size, most, whence in LATENCY_GOALS:
        for r in best_per_size(results, path, "latency", exact=size):
            rows.append(row(goal, r, "<= %.1f us" % most, r["stats"]["median"] <= most,
                            note="one way, median; target from %s" % whence))
    # Schema 2 rates host latency against shared memory's round trip, the layer below MPI, not
    # against MPI's own bare ping-pong: the overhead of gpuxfer's loop is osu's comparison
    # (dev/osu-side-by-side.sh), not a ceiling's.
    for path in ("mpi", "host") if not gx.schema_at_least(doc, 2, 0) else ():
        for r in best_per_size(results, path, "latency", exact=8, where=host_mem):
            rows.append(row("host mpi latency 8 B", r, "within 5% of bare",
                            efficiency_met(r, 1 / 1.05)))
    for path in sorted({r["path"] for r in results} - set(CV_EXEMPT)):
        big = [r for r in results if r["path"] == path and r["unit"] == "GB/s" and
               r["size"] >= 64 * MIB]
        if not big:
            continue
        # A spread from fewer than 5 iterations is no spread: such a result never meets the
        # goal, and is shown as the worst.
        few = [r for r in big if gx.too_few(r)]
        worst = few[0] if few else max(big, key=lambda r: r["stats"].get("cv", 0))
        n_ok = sum(1 for r in big if r["stats"].get("cv", 1) <= 0.01 and not gx.too_few(r))
        rows.append(row("cv <= 1%% (%s)" % path, worst, "cv <= 1%", n_ok == len(big),
                        value=100 * worst["stats"].get("cv", 0), unit="cv%",
                        note="%d of %d bw results >= 64M; worst shown (%s)%s%s"
                        % (n_ok, len(big), worst["pattern"],
                           spread_note(worst) if n_ok < len(big) else "",
                           "; %d from too few iterations to judge" % len(few) if few else "")))
    bound_goal(rows, results)
    return rows


def bound_goal(rows, results):
    """Every ceiling a bound: no rated result beyond every repeat of its ceiling
    (the table's '!'), after the MPI points that results crossed were measured again."""
    rated = [r for r in results if r.get("ceiling")]
    if not rated and not any(gx.ceiling_unsound(r) for r in results):
        return
    beyond = [r for r in rated if gx.ceiling_exceeded(r)]
    again = sum(1 for r in rated if r.get("ceiling_rechecked"))
    unsound = sum(1 for r in results if gx.ceiling_unsound(r))
    note = "%d of %d rated results beyond their ceiling, %d after their ceiling was measured " \
        "again" % (len(beyond), len(rated), again) + (
            "; %d more with an unsound ceiling (?, not rated)" % unsound if unsound else "")
    if beyond:
        worst = max(beyond, key=lambda r: r.get("efficiency") or 0)
        rows.append(row("every ceiling a bound", worst, "0 results with !", False,
                        value=len(beyond), unit="count",
                        note="%s; the furthest shown (%s)" % (note, worst.get("ceiling_what", ""))))
    else:
        rows.append({"goal": "every ceiling a bound", "path": "(all)", "pattern": "-",
                     "size": None, "config": "-", "value": 0, "unit": "count", "ceiling": "-",
                     "eff": "-", "line_share": None, "line_exceeded": False,
                     "target": "0 results with !", "met": True, "noisy": False,
                     "note": note})


WIDE = "%-28s %-16s %-7s %6s %-9s %10s %-5s %9s %6s %6s  %-18s %-4s %s"
# line% beside eff within 100 columns: value and ceiling hold 7 characters (390.0~, 393.94),
# target 16 (0 results with !; the 17 of a schema 1 report's "within 5% of bare" has no ~ after
# its met).
NARROW = "%-27s %5s %-7s %7s %-5s %7s %7s %5s  %-16s %s"


def main(argv):
    ap = gx.ArgumentParser(prog=PROG, description=__doc__.split("\nUsage:")[0])
    ap.add_argument("report", metavar="REPORT.json")
    ap.add_argument("--wide", action="store_true",
                    help="a goal's line with every column, its path, pattern and note on it "
                         "(wider than 100 columns); by default the note is the line below")
    a = ap.parse_args(argv)
    doc = gx.load(a.report, identify=False)
    rows = goals(doc)
    if a.wide:
        print(WIDE % ("goal", "path", "pattern", "size", "chunk", "value", "unit", "ceiling",
                      "eff", "line%", "target", "met", "ceiling / note"))
    else:
        print(NARROW % ("goal", "size", "chunk", "value", "unit", "ceiling", "eff", "line%",
                        "target", "met"))
    for x in rows:
        met = "-" if x["met"] is None else gx.mark_median("yes" if x["met"] else "NO", x["noisy"])
        # "-" where a number does not apply (an absolute target, a missing baseline).
        value = "-" if x["value"] is None else gx.mark_median(
            str(x["value"]) if x["unit"] == "count" else gx.value_text(x["value"]), x["noisy"])
        size = gx.human_size(x["size"]) if x["size"] else "-"
        # As gpuxfer's table: a decimal where the line is wide, whole percents where narrow.
        line = gx.line_text(x["line_share"], x["line_exceeded"], "%.1f" if a.wide else "%.0f")
        if a.wide:
            print(WIDE % (x["goal"], x["path"], x["pattern"], size, x["config"], value,
                          x["unit"], x["ceiling"], x["eff"], line, x["target"], met, x["note"]))
            continue
        print(NARROW % (x["goal"], size, x["config"], value, x["unit"], x["ceiling"], x["eff"],
                        line, x["target"], met))
        gx.note(f"  {x['path']} {x['pattern']}: {x['note']}" if x["path"] not in x["goal"]
                else f"  {x['note']}")
    missed = sum(1 for x in rows if x["met"] is False)
    unknown = sum(1 for x in rows if x["met"] is None)
    disturbed = sum(1 for x in rows if x["noisy"] and x["met"] is not None)
    print()
    (print if a.wide else gx.note)("%d goals checked: %d met, %d missed, %d without a ceiling or baseline"
            % (len(rows), len(rows) - missed - unknown, missed, unknown) +
            ("; %d of them judged on a result the machine disturbed (~): rerun on a quieter "
             "node" % disturbed if disturbed else ""))
    return 1 if missed else 0

