"""Prints a report's medians as one table per pattern (latency, bw, bibw: latency and bandwidth
apart): a row per size, a column per path and memory kinds, and per run where several runs have
the same path and memory kinds; nothing merges memory kinds or runs. Collectives as nccl-tests
prints them: a table per collective, path, memory kinds and run, a row per size with its count
and type, time (us), algbw and busbw (GB/s) of the out-of-place and the in-place form side by
side (the median over the groups), and the average bus bandwidth. A cell is the median (over
the pairs measured, 4 significant digits; a bandwidth below 0.01 GB/s in MB/s with an M after
it, as gpuxfer's table prints it, and a line under the tables says so); chunked paths at their
best chunk/depth at that size. A median with ~ after it is no clean number: the machine disturbed the step of a pair it is
taken over (schema 2.5's noise); a line under the tables counts them. Under them too: the results
above their route's line rate, and the report's health findings (schema 2.7), one line each.
Exit status: 0; 2 a report it cannot read or use (over 256 MiB: GX_REPORT_MAX_MIB; a median
outside 1e-9..1e15); 3 its tables could not be written (stdout full, closed or its reader gone);
130 Ctrl-C, 143 SIGTERM. Each failure is one line on stderr.
Usage: gpuxfer-report summary REPORT.json [--run NAME]"""
import os
import statistics
import sys

import gxreport as gx

PROG = "gpuxfer-report summary"
PATTERNS = ("latency", "bw", "bibw")  # the order of the tables; other patterns follow by name


def table(pattern, unit, lines):
    """The lines of one table: a header of up to three rows (path, memory kinds, run)."""
    names = gx.line_names(lines)
    cols = sorted(lines, key=lambda ln: (ln.path, ln.src, ln.dst, ln.run))
    heads = []
    for ln in cols:
        head = [ln.path, gx.mem_text(ln.src, ln.dst)]
        if names[ln].endswith("]"):
            head.append(names[ln][names[ln].rindex(" [") + 1:])
        heads.append(head)
    depth = max(len(h) for h in heads)
    widths = [max(10, *(len(x) for x in h)) for h in heads]
    chunked = any(p["chunk"] not in ((0, 0), None) for ln in cols for p in lines[ln].values())
    pairs = any(p["pairs"] > 1 for ln in cols for p in lines[ln].values())
    out = ["", f"{pattern} ({unit}; median" + (" over the pairs" if pairs else "") +
           ("; chunked paths at their best chunk/depth" if chunked else "") + ")"]
    # As many columns a block as fit gx.COLUMNS; the next block repeats the sizes.
    blocks, used = [[]], 8
    for k, w in enumerate(widths):
        if blocks[-1] and used + 1 + w > gx.COLUMNS:
            blocks.append([])
            used = 8
        blocks[-1].append(k)
        used += 1 + w
    # As many blocks, evened out where they still fit (7 columns: 4 and 3, not 6 and 1).
    per = -(-len(widths) // len(blocks))
    even = [list(range(i, min(i + per, len(widths)))) for i in range(0, len(widths), per)]
    if len(even) == len(blocks) and all(8 + sum(1 + widths[k] for k in ks) <= gx.COLUMNS
                                        for ks in even):
        blocks = even
    sizes = sorted({s for ln in cols for s in lines[ln]})
    for b, ks in enumerate(blocks):
        if b:
            out.append("")
        for i in range(depth):
            out.append(("%8s " % ("size" if i == depth - 1 else "") + " ".join(
                "%*s" % (widths[k], heads[k][i] if i < len(heads[k]) else "") for k in ks)).rstrip())
        for s in sizes:
            cells = []
            for k in ks:
                p = lines[cols[k]].get(s)
                cells.append("%*s" % (widths[k], "-" if p is None else
                                      gx.mark_median(gx.unit_text(p["median"], unit),
                                                     p["noisy"])))
            out.append("%8s " % gx.size_text(s) + " ".join(cells))
    return out


# A report before 2.23 has no count and type: they are worked out from its collective's name,
# one of the five it could hold (tests/coll_table.sh holds these to the collectives' table); a
# later report carries both, whatever the collective.
REDUCES = ("allreduce", "reduce-scatter")
SPLITS = ("allgather", "reduce-scatter", "alltoall")


def coll_count_type(c):
    """nccl-tests' count and type of a collective (a report before 2.23 has neither)."""
    kind = c.get("type") or ("float" if c["op"] in REDUCES else "int8")
    if "count" in c:
        return c["count"], kind
    block = c["bytes"] // c["ranks"] if c["op"] in SPLITS else c["bytes"]
    return block // (4 if kind == "float" else 1), kind


def time_text(us):
    """As nccl-tests prints a time: fewer decimals as it grows."""
    return "%.0f" % us if us >= 10000 else "%.1f" % us if us >= 100 else "%.2f" % us


def coll_tables(results):
    """The lines of the collectives' tables, nccl-tests' columns."""
    tabs = {}
    for r in results:
        c = r["collective"]
        key = (c["op"], r["path"], r["mem"]["src"], r["mem"]["dst"], r.get("run", ""))
        row = tabs.setdefault(key, {}).setdefault(c["bytes"], {})
        row.setdefault(bool(c["in_place"]), []).append(r)
    out = []
    for (op, path, src, dst, run), rows in sorted(tabs.items()):
        ranks = {r["collective"]["ranks"] for side in rows.values() for rs in side.values()
                 for r in rs}
        sides = [s for s in (False, True) if any(s in side for side in rows.values())]
        out += ["", f"{op} ({path} {gx.mem_text(src, dst)}" + (f", run {run}" if run else "") +
                f"; {'/'.join(map(str, sorted(ranks)))} ranks; the median over the groups)",
                "%8s %10s %5s" % ("", "", "") + "".join(
                    " %-25s" % ("-------- in-place -------" if s else "------ out-of-place -----")
                    for s in sides),
                "%8s %10s %5s" % ("size", "count", "type") +
                " %8s %7s %8s" % ("time(us)", "algbw", "busbw") * len(sides)]
        busbw = []
        for size in sorted(rows):
            first = next(iter(rows[size].values()))[0]["collective"]
            count, kind = coll_count_type(first)
            line = "%8s %10d %5s" % (gx.size_text(size), count, kind)
            for s in sides:
                rs = rows[size].get(s)
                if not rs:
                    line += " %8s %7s %8s" % ("-", "-", "-")
                    continue
                bus = statistics.median(r["stats"]["median"] for r in rs)
                alg = bus / rs[0]["collective"]["busbw_factor"]
                busbw += [r["stats"]["median"] for r in rs]
                mark = "~" if any(gx.noisy(r) for r in rs) else ""
                line += " %8s %7.2f %8s" % (time_text(size / alg / 1e3), alg,
                                            "%.2f%s" % (bus, mark))
            out.append(line)
        out.append("# avg bus bandwidth: %.2f GB/s (the mean busbw of its %d results)" %
                   (sum(busbw) / len(busbw), len(busbw)))
    return out


def health_lines(doc):
    """The results above their route's line rate (no transfer can be) and the report's health
    findings (schema 2.7: degraded links), one line each; nothing for a report without them."""
    above = [r for r in doc["results"] if gx.line_exceeded(r)]
    out = []
    if above:
        out.append(f"# {len(above)} of {len(doc['results'])} results above their route's line "
                   "rate: a wrong route or rate (the table's line% with !)")
    health = doc.get("health")
    found = health.get("findings") if isinstance(health, dict) else None
    for f in found if isinstance(found, list) else ():
        if isinstance(f, dict) and isinstance(f.get("line"), str):
            out.append("# health: " + f["line"])
    return out


def main(argv):
    ap = gx.ArgumentParser(prog=PROG, description=__doc__.split("\nUsage:")[0])
    ap.add_argument("report")
    ap.add_argument("--run", help="only results of this run name")
    args = ap.parse_args(argv)
    doc = gx.load(args.report, identify=False)
    if args.run:
        doc = dict(doc, results=[r for r in doc["results"] if r.get("run") == args.run])
    colls = [r for r in gx.ok_results(doc) if isinstance(r.get("collective"), dict)]
    doc = dict(doc, results=[r for r in doc["results"] if not isinstance(r.get("collective"),
                                                                            dict)])
    by_table = {}
    for ln, pts in gx.curves(doc).items():
        by_table.setdefault((ln.pattern, ln.unit), {})[ln] = pts
    order = lambda pu: (PATTERNS.index(pu[0]) if pu[0] in PATTERNS else len(PATTERNS), pu)  # noqa: E731
    for pattern, unit in sorted(by_table, key=order):
        print("\n".join(table(pattern, unit, by_table[(pattern, unit)])))
    if colls:
        print("\n".join(coll_tables(colls)))
    cells = [p for t in by_table.values() for pts in t.values() for p in pts.values()]
    if any(gx.in_mbs(p["median"], unit) for (_, unit), t in by_table.items()
           for pts in t.values() for p in pts.values()):
        gx.note("\n# " + gx.MBS_NOTE)
    few = sum(1 for p in cells if p.get("few"))
    marked = sum(1 for p in cells if p["noisy"] and not p.get("few"))
    if few:
        gx.note(f"\n# {few} of {len(cells)} medians marked {gx.FEW_NOTE}")
    if marked:
        gx.note(f"\n# {marked} of {len(cells)} medians marked {gx.NOISY_NOTE}")
        run = gx.interference_text(doc)
        if run:
            gx.note(f"# the run's interference: {run}")
    health = health_lines(doc)
    if health:
        print("\n" + "\n".join(health))
    return 0

