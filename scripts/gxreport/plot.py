"""gpuxfer-report plot: latency and bandwidth against message size, and the pair matrices as
heatmaps.

A subplot (facet) per path and pattern (latency, bw, bibw), each pattern starting a row of at
most four (a pattern measured at one size only, as the default run's 8 B latency: one facet, the
paths side by side), on log axes (--linear-bw: bandwidth from 0 on a linear one); in each a line
per memory kinds and run (and report, when several are given): never two memory kinds or two
runs in one line. A collective's facet has its busbw, its out-of-place and in-place forms two
lines of it, as nccl-tests prints them side by side. A line is the median over the pairs
measured, with a band from p5 to p95 (with several pairs the lowest p5 to the highest p95), its
measured ceiling dotted in its colour and,
where the report has them (schema 2.7), the line rate of the links crossed dash-dotted; chunked
paths at their best chunk/depth per size (--all-chunks: a line per chunk/depth). A colour per
path (several reports: a colour per report), a line style and marker per line of a path; a facet
with several lines has a legend of its own, and the legend below the facets says what lines,
bands and dots are. At most 48 lines of one report (or configuration), path and pattern are
drawn (a run of one name repeated, name#2, name#3, ...): the first 47, and the others as one
line, "the other N lines", their median with a band from their lowest to their highest (a
comparison's: the median of their means). At most 24 subplots are drawn, the first in their
order, the title saying how many of how many. A heatmap per pair matrix (rows: sender, columns:
receiver) with the value in each cell, a colour scale from 0 to the matrix's measured ceiling
(the median over its pairs) or, without one, to its largest value, the scale's words under the
heatmap (the colour bar names the unit); the heatmaps in a grid of at most 2 a row and 3 rows
(17.25 inches, 1897 pixels, wide), each readable on one screen; beyond that (a --pairs all
report of several sizes, a sweep), one per path, memory kinds and pattern (its largest size for
a bandwidth, its smallest for a latency), the title saying how many of how many, the other sizes
as lines; beyond 32 ranks, colour only. A median whose step the machine disturbed (the report's
noise, schema 2.5; gpuxfer's table marks it ~) is a hollow marker, and a heatmap cell ~ after
its value.

A comparison (the configurations of gpuxfer-report compare: A1.json A2.json -- B1.json B2.json,
folders of reports, a gpuxfer-report sweep folder) has the same facets, drawn by configuration:
a colour per configuration, each run's median a point, a line through the geometric mean of the
runs (the value compare judges), and the measured ceiling, where the reports have one, dotted
in the line's colour; log axes (configurations differ by ratios); no heatmaps. Needs matplotlib
(Debian/Ubuntu: apt-get install python3-matplotlib; elsewhere pip install matplotlib); where the
python3 that runs it has none, an interpreter that has it draws the plot (configure's, the
system's, the next python3 on PATH).

-o FILE is written whole or not at all, never over an existing file or link without --force,
and never over a directory, FIFO, socket or device (a link is replaced itself, never its
target).

Exit status: 0; 2 bad input (FILE exists or is no regular file or link, a report, an option;
a report given twice, over 256 MiB (GX_REPORT_MAX_MIB) or with a median outside 1e-9..1e15) or
matplotlib missing; 3 FILE or --describe could not be written (a full disk: no partial file
is left; stdout full, closed or its reader gone); 130 Ctrl-C, 143 SIGTERM. Each failure is one
line on stderr.
"""
import argparse
import importlib.util
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import textwrap

import gxreport as gx

PROG = "gpuxfer-report plot"
# Paths in a fixed order, so that a path has the same colour in every plot.
PATHS = ("host", "mpi", "staged", "staged-mpi", "p2p", "nccl", "zerocopy", "unified-prefetch",
         "unified-demand")
# The patterns in the order of the facets' rows, with their titles.
PATTERNS = {"latency": "latency, one way", "bw": "bw, one way", "bibw": "bibw, both ways"}
# The most lines a panel names in a legend of its own.
MAX_PANEL_LEGEND = 12
# The most lines drawn of one report (or configuration), path and pattern: past them (runs of one
# name measured again and again, numbered name#2, name#3, ...), the first MAX_LINES - 1 are
# drawn and the others as one line, their median, its band their lowest to their highest (a
# comparison's: the median of their runs' means), so that a plot takes the time of a bounded
# page whatever a report repeats.
MAX_LINES = 48
FACET_COLS = 4  # facets in a row
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
# A line style and marker per line of one path: every pair differs from the ones before it.
STYLES = sorted(itertools.product(range(len(LINESTYLES)), range(len(MARKERS))),
                key=lambda p: ((p[1] - p[0]) % len(MARKERS), p[0]))
NOISY_LABEL = "hollow: the machine disturbed the step (~)"
# A PNG's pixels per inch, and the figure's own: its page is laid out and drawn once, at it.
PNG_DPI = 110
# The heatmaps' grid is bounded, so that each heatmap reads on one screen: its figure at most
# HEAT_WIDTH inches wide (1897 pixels at the 110 dpi of a PNG: two heatmaps of 16 ranks) and
# HEAT_ROWS heatmaps high. A heatmap is a square of 3.6 inches, larger for more ranks up to
# HEAT_MAX_INCHES, with room beside it for its colour bar (HEAT_BESIDE). A --pairs all report
# has a matrix per path, memory kinds, pattern and size, dozens of them: beyond what the grid
# holds, one per path, memory kinds and pattern is drawn (at the size a reader looks at first),
# the first of them up to the grid's count, and the lines show every size as the median over
# the pairs.
HEAT_WIDTH = 17.25
HEAT_ROWS = 3
HEAT_MAX_INCHES = 6.0
HEAT_BESIDE = 2.6
MAX_HEATMAPS = 12  # never more, whatever the grid would hold


def heat_grid(ranks):
    """(a heatmap's inches, the grid's columns, the most heatmaps drawn) for matrices of this
    many ranks."""
    inches = min(HEAT_MAX_INCHES, max(3.6, 0.42 * min(ranks, MAX_ANNOTATED_RANKS)))
    cols = max(1, int(HEAT_WIDTH // (inches + HEAT_BESIDE)))
    return inches, cols, min(MAX_HEATMAPS, cols * HEAT_ROWS)


# Above this many ranks a heatmap's cells are too small to hold a readable value: colour only.
MAX_ANNOTATED_RANKS = 32
# The facet of a pattern measured at one size only (the default run's 8 B latency): the paths
# side by side in one subplot, rather than a subplot of one point each.
ALL_PATHS = "*"


def path_order(path):
    return (PATHS.index(path) if path in PATHS else len(PATHS), path)


def hollow_handle():
    from matplotlib.lines import Line2D
    return Line2D([], [], color="grey", marker="o", linestyle="none", markerfacecolor="white",
                  markeredgecolor="grey")


def plot_marked(ax, xs, ys, noisy, colour, ls, mk, gid):
    """A line whose points at the noisy sizes are hollow markers (gid noisy:...): a median the
    machine disturbed, never drawn as a clean one."""
    clean = [i for i, n in enumerate(noisy) if not n]
    ax.plot(xs, ys, color=colour, linestyle=ls, marker=mk, markersize=4, linewidth=1.4,
            gid="line:" + gid, markevery=None if len(clean) == len(xs) else clean)
    if len(clean) < len(xs):
        ax.plot([x for x, n in zip(xs, noisy) if n], [y for y, n in zip(ys, noisy) if n],
                linestyle="none", marker=mk, markersize=6, markerfacecolor="white",
                markeredgecolor=colour, markeredgewidth=1.3, gid="noisy:" + gid, zorder=3)


def plot_ceiling(ax, pts, colour, gid):
    """A line's measured ceiling dotted in its colour (gid ceiling:...), at the sizes that
    have one; whether there was any."""
    ceil = [(s, p["ceiling"]) for s, p in pts if p["ceiling"] is not None]
    if ceil:  # one point: a short dash, a dotted line of one point being invisible
        ax.plot([s for s, _ in ceil], [c for _, c in ceil], color=colour, linestyle=":",
                linewidth=1.2, alpha=0.9, gid="ceiling:" + gid,
                marker="_" if len(ceil) == 1 else None, markersize=18)
    return bool(ceil)


def plot_line_rate(ax, pts, colour, gid):
    """The line rate of the links a line's transfers cross (schema 2.7), dash-dotted in its
    colour (gid linerate:...): what no transfer over them can exceed; whether there was any."""
    rates = [(s, p["line"]) for s, p in pts if p.get("line") is not None]
    if rates:
        ax.plot([s for s, _ in rates], [r for _, r in rates], color=colour, linestyle="-.",
                linewidth=1.0, alpha=0.6, gid="linerate:" + gid,
                marker="_" if len(rates) == 1 else None, markersize=18)
    return bool(rates)


def plot_bounds(ax, xs, pts, colour, gid):
    """A line's ceiling and line rate at its x positions: (whether any ceiling, any rate)."""
    at = list(zip(xs, (p for _, p in pts)))
    return plot_ceiling(ax, at, colour, gid), plot_line_rate(ax, at, colour, gid)


def x_axis(ax, cx, mine, sizes):
    """The facet's x axis: the paths (a facet of all paths at one size) or the sizes."""
    if cx:
        path_axis(ax, mine, sizes[0])
    else:
        size_axis(ax, sizes)


def palette(n):
    """n distinct colours: tab10, then the light shades of tab20, then evenly spaced hues."""
    from matplotlib import colormaps, colors
    tab10 = [colors.to_hex(c) for c in colormaps["tab10"].colors]
    light = [colors.to_hex(c) for c in colormaps["tab20"].colors[1::2]]
    out = tab10 + light
    if n > len(out):
        out += [colors.to_hex(colors.hsv_to_rgb((i / (n - len(out)), 0.8, 0.7)))
                for i in range(n - len(out))]
    return out[:n]


def median_or_none(values):
    return statistics.median(values) if values else None


def merged_point(pts):
    """One point of the lines past MAX_LINES at a size, from their points there: a report's
    (median, band and bounds over them) or a comparison's (the median of their values)."""
    if "value" in pts[0]:
        return {"runs": [], "noisy": [any(any(p["noisy"]) for p in pts)],
                "value": statistics.median(p["value"] for p in pts),
                "ceiling": median_or_none([p["ceiling"] for p in pts if p["ceiling"] is not None]),
                "line": median_or_none([p["line"] for p in pts if p["line"] is not None])}
    chunks = {p["chunk"] for p in pts}
    return {"median": statistics.median(p["median"] for p in pts),
            "noisy": sum(p["noisy"] for p in pts), "few": sum(p["few"] for p in pts),
            "ceiling": median_or_none([p["ceiling"] for p in pts if p["ceiling"] is not None]),
            "line": median_or_none([p["line"] for p in pts if p["line"] is not None]),
            "lo": min(p["lo"] for p in pts), "hi": max(p["hi"] for p in pts),
            "pairs": sum(p["pairs"] for p in pts),
            "chunk": chunks.pop() if len(chunks) == 1 else "several",
            "candidates": max(p["candidates"] for p in pts)}


def capped(lines):
    """lines with those past MAX_LINES of one report (or configuration), path and pattern made
    one line (merged_point at each size), in the place of the first of them; ident and name say
    how many it stands for."""
    group = lambda ln: (ln[0][0], ln[0][1], ln[1], ln[2])  # noqa: E731
    counts = {}
    for ln in lines:
        counts[group(ln)] = counts.get(group(ln), 0) + 1
    seen, rest, place, out = {}, {}, {}, []
    for ln in lines:
        g = group(ln)
        seen[g] = seen.get(g, 0) + 1
        if counts[g] <= MAX_LINES or seen[g] < MAX_LINES:
            out.append(ln)
            continue
        if g not in rest:
            place[g] = len(out)
            out.append(None)
        rest.setdefault(g, []).append(ln)
    for g, more in rest.items():
        by_size = {}
        for _, _, _, pts, _ in more:
            for size, p in pts:
                by_size.setdefault(size, []).append(p)
        ident = more[0][0][:2] + ("*", "*", f"+{len(more)} more", "None")
        pts = [(size, merged_point(p)) for size, p in sorted(by_size.items())]
        what = "the median of their means" if "value" in pts[0][1] else \
            "their median, band lowest..highest"
        out[place[g]] = (ident, more[0][1], more[0][2], pts,
                         f"{path_of(more[0])} the other {len(more)} lines ({what})")
    return out


def lines_of(docs, names, all_chunks):
    """[(ident, pattern, unit, points, name)]: ident is what a line's colour, style and legend
    entry follow (report, path, memory kinds, run, chunk), the same in every subplot."""
    out = []
    for doc, report in zip(docs, names):
        lines = gx.curves(doc, all_chunks)
        extra = (lambda ln: f" ({report})") if len(docs) > 1 else None  # noqa: E731
        label = gx.line_names(lines, extra)
        # A collective's value is nccl-tests' bus bandwidth (its result's collective object);
        # its out-of-place and in-place forms are two lines of one facet, as nccl-tests' rows.
        colls = {r["pattern"]: r["collective"] for r in gx.ok_results(doc) if "collective" in r}
        for ln, pts in lines.items():
            pattern, name, run = ln.pattern, label[ln], ln.run
            if pattern in colls:
                form = "in-place" if colls[pattern]["in_place"] else "out-of-place"
                pattern = f"{colls[pattern]['op']}, busbw"
                name, run = f"{name} {form}", f"{run} {form}"
            ident = (ln.path, report, ln.src, ln.dst, run, str(ln.chunk))
            out.append((ident, pattern, ln.unit, sorted(pts.items()), name))
    return capped(out)


def styles(idents):
    """{ident: (colour, linestyle, marker)}: a colour per path, a style per line of the path;
    with several reports a colour per report (the facets already part the paths), so that two
    runs never share one."""
    idents = set(idents)
    paths = sorted({i[0] for i in idents}, key=path_order)
    reports = sorted({i[1] for i in idents})
    if len(reports) > 1:
        colours = palette(len(reports))
        colour = {i: colours[reports.index(i[1])] for i in idents}
    else:
        others = [p for p in paths if p not in PATHS]
        colours = palette(len(PATHS) + len(others))
        colour = {i: colours[PATHS.index(i[0]) if i[0] in PATHS else len(PATHS) + others.index(i[0])]
                  for i in idents}
    out = {}
    for path in paths:
        for n, ident in enumerate(sorted(i for i in idents if i[0] == path)):
            ls, mk = STYLES[n % len(STYLES)]
            out[ident] = (colour[ident], LINESTYLES[ls], MARKERS[mk])
    return out


def size_axis(ax, sizes):
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator
    lo, hi = min(sizes), max(sizes)
    span = math.log2(hi / lo) if hi > lo else 0
    # Ticks at powers of two whose exponent is a multiple of 1, 2, 5 or 10 (5, 10: on 1K, 1M,
    # 1G): the smallest step that leaves at most 9.
    step = next(s for s in (1, 2, 5, 10, 20, 40) if span / s <= 8)
    first, last = math.ceil(math.log2(lo)), math.floor(math.log2(hi))
    ticks = [2 ** e for e in range(first, last + 1) if e % step == 0] or [lo]
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: gx.size_text(int(round(v)))))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("message size (bytes)")


def in_view(axis):
    """The axis's log locators, their ticks only those within the view (and a hair beyond):
    matplotlib's reach decades past it, every one a tick made, labelled and measured at each
    layout pass only to be left undrawn."""
    from matplotlib.ticker import Locator

    class InView(Locator):
        def __init__(self, base):
            self.base = base

        def set_axis(self, axis):
            super().set_axis(axis)
            self.base.set_axis(axis)

        def __call__(self):
            lo, hi = sorted(self.axis.get_view_interval())
            return [v for v in self.base() if lo / 1.001 <= v <= hi * 1.001]

        def tick_values(self, vmin, vmax):
            return self.base.tick_values(vmin, vmax)

        def nonsingular(self, v0, v1):
            return self.base.nonsingular(v0, v1)

        def view_limits(self, vmin, vmax):
            return self.base.view_limits(vmin, vmax)

    axis.set_major_locator(InView(axis.get_major_locator()))
    axis.set_minor_locator(InView(axis.get_minor_locator()))


def log_axis(ax, unit=None):
    """A log y axis labelled in plain numbers (0.5, 20, 1000), the minor ticks too when it
    spans less than two decades; a bandwidth below 0.01 GB/s in MB/s, as the table prints it,
    each such tick with its unit ("0.5 MB/s": an M alone would read as a size's, as on the x
    axis)."""
    from matplotlib.ticker import FuncFormatter, NullFormatter
    ax.set_yscale("log")
    in_view(ax.yaxis)

    def tick(v):
        if gx.in_mbs(v, unit):
            return f"{v * 1e3:g} MB/s".replace("e-0", "e-")
        return f"{v:g}".replace("e+0", "e").replace("e-0", "e-")
    plain = FuncFormatter(lambda v, _: tick(v))
    ax.yaxis.set_major_formatter(plain)
    lo, hi = ax.get_ylim()
    # Minor labels only where majors are few: all of them within a decade, 2s and 5s within two.
    some = FuncFormatter(lambda v, _: plain(v) if f"{v:e}"[0] in "25" else "")
    ax.yaxis.set_minor_formatter(plain if hi / lo < 10 else some if hi / lo < 100
                                 else NullFormatter())


def path_of(ln):
    """A line's path: a comparison's idents start with the configuration, a report's with it."""
    return ln[0][1] if isinstance(ln[0][0], int) else ln[0][0]


def facets_of(lines):
    """The facets, [(pattern, unit, path)]: a subplot per path and pattern, the patterns in
    their order, the paths in theirs (a path keeps its place in every plot); a pattern of
    several paths all at one size is one facet, its path ALL_PATHS."""
    groups = {}
    for ln in lines:
        g = groups.setdefault((ln[1], ln[2]), (set(), set()))
        g[0].add(path_of(ln))
        g[1].update(s for s, _ in ln[3])
    out = set()
    for (pattern, unit), (paths, sizes) in groups.items():
        one = len(sizes) == 1 and len(paths) > 1
        out.update((pattern, unit, p) for p in ([ALL_PATHS] if one else paths))
    return sorted(out, key=lambda f: (list(PATTERNS).index(f[0]) if f[0] in PATTERNS
                                      else len(PATTERNS), f[1], path_order(f[2])))


def in_facet(ln, facet):
    return (ln[1], ln[2]) == facet[:2] and facet[2] in (ALL_PATHS, path_of(ln))


# The most subplots drawn: past them (a report of hundreds of paths), the first in their order,
# the title saying how many of how many, so that the page stays one a person reads (and takes
# the time of a page).
MAX_FACETS = 24


def facets_drawn(lines):
    """(the lines of the first MAX_FACETS facets, a note of what was left out or None)."""
    facets = facets_of(lines)
    if len(facets) <= MAX_FACETS:
        return lines, None
    kept = facets[:MAX_FACETS]
    return [ln for ln in lines if any(in_facet(ln, f) for f in kept)], (
        f"the first {MAX_FACETS} of {len(facets)} subplots (path x pattern) drawn; "
        "gpuxfer-report summary lists every result")


def category_x(mine):
    """{ident: x} in a facet of all paths at one size: a path's lines side by side around its
    place (several memory kinds, runs or configurations never hide each other)."""
    paths = sorted({path_of(ln) for ln in mine}, key=path_order)
    out = {}
    for i, path in enumerate(paths):
        idents = sorted((ln[0] for ln in mine if path_of(ln) == path), key=str)
        for k, ident in enumerate(idents):
            out[ident] = i + 0.5 * (k - (len(idents) - 1) / 2) / max(1, len(idents) - 1) \
                if len(idents) > 1 else float(i)
    return out


def path_axis(ax, mine, size):
    """The x axis of a facet of all paths at one size: a tick per path."""
    paths = sorted({path_of(ln) for ln in mine}, key=path_order)
    ax.set_xticks(range(len(paths)), paths, rotation=30, ha="right")
    ax.set_xlim(-0.6, len(paths) - 0.4)
    text = gx.size_text(size)
    ax.set_xlabel(f"path ({text}{' B' if text.isdigit() else ''} messages)")


def facet_grid(lines):
    """(rows, columns) of the facets: each pattern starts a row, at most FACET_COLS
    a row."""
    per = {}
    for pattern, unit, _ in facets_of(lines):
        per[(pattern, unit)] = per.get((pattern, unit), 0) + 1
    cols = min(FACET_COLS, max(per.values()))
    return sum(math.ceil(n / cols) for n in per.values()), cols


def facet_axes(fig, lines, legend_h):
    """The facets' subplots in their grid, each pattern starting a row, and a row below them
    for the legend: [((pattern, unit, path), ax, the facet's lines)], and the legend's axes."""
    rows, cols = facet_grid(lines)
    gs = fig.add_gridspec(rows + 1, cols, height_ratios=[4.0] * rows + [legend_h])
    out, row, col, prev = [], -1, cols, None
    for facet in facets_of(lines):
        if facet[:2] != prev or col == cols:
            row, col, prev = row + 1, 0, facet[:2]
        mine = [ln for ln in lines if in_facet(ln, facet)]
        span = min(2, cols) if facet[2] == ALL_PATHS else 1  # room for the paths' names
        out.append((facet, fig.add_subplot(gs[row, col:col + span]), mine))
        col += span
    lax = fig.add_subplot(gs[rows, :])
    lax.axis("off")
    return out, lax


def facet_title(ax, pattern, unit, path):
    ax.set_title(f"{'by path' if path == ALL_PATHS else path}: {PATTERNS.get(pattern, pattern)}"
                 f" ({unit})\n"
                 f"{'lower' if gx.lower_is_better(unit) else 'higher'} is better",
                 fontsize="medium")
    ax.set_ylabel(unit)
    ax.grid(True, which="major", alpha=0.3)


def draw_lines(fig, lines, style, all_chunks, linear_bw):
    """The facets of one report or several (a subplot per path and pattern: its lines, each
    with its p5..p95 band and its ceiling dotted, a legend in it where it has more than one
    line) and the legend below them; returns the subplot axes and the legend."""
    from matplotlib.lines import Line2D
    axes = []
    drawn, lax = facet_axes(fig, lines, 0.8)
    ceilings = rates = False
    for (pattern, unit, path), ax, mine in drawn:
        axes.append(ax)
        sizes = []
        cx = category_x(mine) if path == ALL_PATHS else None
        for ident, pat, u, pts, name in mine:
            colour, ls, mk = style[ident]
            xs = [cx[ident]] if cx else [s for s, _ in pts]
            ys = [p["median"] for _, p in pts]
            plot_marked(ax, xs, ys, [p["noisy"] for _, p in pts], colour, ls, mk, name)
            lo, hi = [p["lo"] for _, p in pts], [p["hi"] for _, p in pts]
            if len(xs) == 1:  # no band around a single size: an error bar
                bars = ax.errorbar(xs, ys, yerr=[[ys[0] - lo[0]], [hi[0] - ys[0]]],
                                   color=colour, capsize=4, linestyle="none")
                for c in bars.lines[2]:
                    c.set_gid("band:" + name)
            elif any(h > low for low, h in zip(lo, hi)):
                ax.fill_between(xs, lo, hi, color=colour, alpha=0.18, linewidth=0,
                                gid="band:" + name)
            c, r = plot_bounds(ax, xs, pts, colour, name)
            ceilings, rates = ceilings or c, rates or r
            sizes += [s for s, _ in pts]
        x_axis(ax, cx, mine, sizes)
        # Log axes: a path spans decades from 4K to 64M, and its ceiling may lie far above.
        if gx.lower_is_better(unit) or not linear_bw:
            log_axis(ax, unit)
        else:
            ax.set_ylim(bottom=0)
        facet_title(ax, pattern, unit, path)
        # A legend where a path has several lines here (the paths of ALL_PATHS are the ticks);
        # past a dozen a legend would cover the panel and name nothing a reader can find.
        if len(mine) > MAX_PANEL_LEGEND:
            ax.text(0.01, 0.99, f"{len(mine)} lines (memory kinds x runs): too many to name "
                    "here; gpuxfer-report summary lists them", transform=ax.transAxes,
                    fontsize="x-small", va="top", gid="legend-too-many")
        elif len(mine) > len({path_of(ln) for ln in mine}):
            ax.legend([Line2D([], [], color=style[ln[0]][0], linestyle=style[ln[0]][1],
                              marker=style[ln[0]][2], markersize=4) for ln in mine],
                      [ln[4][len(path) + 1:] if ln[4].startswith(path + " ") else ln[4]
                       for ln in mine], fontsize="x-small", loc="best")
    handles = [Line2D([], [], color="grey", marker="o", markersize=4),
               Line2D([], [], color="grey", linewidth=6, alpha=0.25)]
    labels = ["the median over the pairs", "band: p5..p95 (over the pairs: lowest to highest)"]
    if ceilings:
        handles.append(Line2D([], [], color="grey", linestyle=":"))
        labels.append("the measured ceiling, in the line's colour")
    if rates:
        handles.append(Line2D([], [], color="grey", linestyle="-."))
        labels.append("the line rate of the links crossed, in the line's colour")
    if any(p["noisy"] for ln in lines for _, p in ln[3]):
        handles.append(hollow_handle())
        labels.append(NOISY_LABEL)
    legend = lax.legend(handles, labels, loc="upper left", fontsize="small", ncol=2,
                        title="path: memory kinds [run]" + (" chunk" if all_chunks else "") +
                        " (a legend in a subplot with several lines)", title_fontsize="small",
                        frameon=False, borderaxespad=0)
    return axes, legend


def comparison_lines(cfgs, docs):
    """[(ident, pattern, unit, points, name)] of a comparison: ident (configuration index, path,
    memory kinds, run, chunk); points [(size, {'runs': [each run's median], 'value': their
    geometric mean, 'ceiling': the median of the runs' ceilings or None})]."""
    out = []
    for ci, runs in enumerate(docs):
        acc = {}
        for doc in runs:
            for ln, pts in gx.curves(doc).items():
                for size, pt in pts.items():
                    got = acc.setdefault(ln, {}).setdefault(size, {"runs": [], "ceilings": [],
                                                                   "noisy": [], "lines": []})
                    got["runs"].append(pt["median"])
                    got["noisy"].append(bool(pt["noisy"]))
                    if pt["ceiling"] is not None:
                        got["ceilings"].append(pt["ceiling"])
                    if pt["line"] is not None:
                        got["lines"].append(pt["line"])
        label = gx.line_names(acc)
        for ln, sizes in acc.items():
            pts = [(size, {"runs": v["runs"], "noisy": v["noisy"], "value": gx.geomean(v["runs"]),
                           "ceiling": statistics.median(v["ceilings"]) if v["ceilings"] else None,
                           "line": statistics.median(v["lines"]) if v["lines"] else None})
                   for size, v in sorted(sizes.items())]
            out.append(((ci, ln.path, ln.src, ln.dst, ln.run, str(ln.chunk)), ln.pattern, ln.unit,
                        pts, label[ln]))
    return capped(out)


def short_name(name):
    """A configuration's name as a legend shows it: each report or folder by its last part."""
    return " .. ".join(os.path.basename(x.rstrip("/")) or x for x in name.split(" .. "))


def draw_comparison(fig, cfgs, lines):
    """The facets of a comparison (a subplot per path and pattern: many paths stay readable)
    and the legend below them (a colour per configuration, then what points, lines and dots
    are); returns the subplot axes and the legend."""
    from matplotlib.lines import Line2D
    colours = palette(len(cfgs))
    axes = []
    drawn, lax = facet_axes(fig, lines, 0.9 + 0.22 * len(cfgs))
    rates = False
    for (pattern, unit, path), ax, mine in drawn:
        axes.append(ax)
        # A line style per memory kinds and run within the facet, the same for every
        # configuration; a legend in the facet where it has more than one.
        kinds = sorted({ln[0][2:] for ln in mine})
        sizes = []
        cx = category_x(mine) if path == ALL_PATHS else None
        for ident, pat, u, pts, name in mine:
            ls, mk = STYLES[kinds.index(ident[2:]) % len(STYLES)]
            colour, ls, mk = colours[ident[0]], LINESTYLES[ls], MARKERS[mk]
            gid = f"{ident[0]}:{name}"
            xs = [cx[ident]] if cx else [s for s, _ in pts]
            # The runs' mean rests on every run: hollow where one of them was disturbed.
            plot_marked(ax, xs, [p["value"] for _, p in pts], [any(p["noisy"]) for _, p in pts],
                        colour, ls, mk, gid)
            # Each run's median, spread a little along the size axis so that runs do not hide
            # each other; a disturbed run's hollow.
            rx, ry, hollow = [], [], []
            for x, (_, p) in zip(xs, pts):
                n = len(p["runs"])
                for k, (v, noisy) in enumerate(zip(p["runs"], p["noisy"])):
                    rx.append(x + 0.04 * (k - (n - 1) / 2) if cx else
                              x * 2 ** (0.12 * (k - (n - 1) / 2)))
                    ry.append(v)
                    hollow.append(noisy)
            ax.scatter([x for x, h in zip(rx, hollow) if not h],
                       [y for y, h in zip(ry, hollow) if not h], s=14, color=colour, alpha=0.55,
                       edgecolors="none", marker=mk, gid="runs:" + gid, zorder=3)
            if any(hollow):
                ax.scatter([x for x, h in zip(rx, hollow) if h], [y for y, h in zip(ry, hollow) if h],
                           s=22, facecolors="white", edgecolors=colour, linewidths=1.2, marker=mk,
                           gid="runs-noisy:" + gid, zorder=3)
            rates = plot_bounds(ax, xs, pts, colour, gid)[1] or rates
            sizes += [s for s, _ in pts]
        x_axis(ax, cx, mine, sizes)
        # Log axes throughout: configurations differ by ratios, and a ceiling far above the
        # results would flatten them on a linear one.
        log_axis(ax, unit)
        facet_title(ax, pattern, unit, path)
        if len(kinds) > MAX_PANEL_LEGEND:  # as draw_lines says it
            ax.text(0.01, 0.99, f"{len(kinds)} lines (memory kinds x runs): too many to name "
                    "here; gpuxfer-report summary lists them", transform=ax.transAxes,
                    fontsize="x-small", va="top", gid="legend-too-many")
        elif len(kinds) > 1:
            ax.legend([Line2D([], [], color="grey", linestyle=LINESTYLES[STYLES[i][0]],
                              marker=MARKERS[STYLES[i][1]], markersize=4)
                       for i in range(len(kinds))],
                      [" ".join(x for x in (f"{k[0]}>{k[1]}", k[2]) if x and x != "None")
                       for k in kinds], fontsize="x-small", loc="best")
    handles, labels = [], []
    for ci, c in enumerate(cfgs):
        handles.append(Line2D([], [], color=colours[ci], linestyle="-", marker="o", markersize=4))
        labels.append(f"{chr(ord('A') + ci) if ci < 26 else ci}: {short_name(c['name'])} "
                      f"({len(c['reports'])} run{'s' if len(c['reports']) != 1 else ''})"
                      + (f": {c['differs']}" if c.get("differs") else ""))
    handles += [Line2D([], [], color="grey", marker="o", linestyle="none", alpha=0.55),
                Line2D([], [], color="grey", linestyle="-"),
                Line2D([], [], color="grey", linestyle=":")]
    labels += ["a run's median", "the runs' geometric mean", "measured ceiling"]
    if rates:
        handles.append(Line2D([], [], color="grey", linestyle="-."))
        labels.append("line rate of the links crossed")
    if any(any(p["noisy"]) for ln in lines for _, p in ln[3]):
        handles.append(hollow_handle())
        labels.append(NOISY_LABEL)
    legend = lax.legend(handles, labels, loc="upper left", fontsize="small",
                        ncol=1 if len(cfgs) > 2 else 2, title="configurations",
                        title_fontsize="small", frameon=False, borderaxespad=0)
    return axes, legend


def without_heatmapped(lines, mats):
    """The lines less the subplots whose every point is also a heatmap's (an all-pairs report
    at a few sizes: its lines would join far-apart sizes and tell nothing the heatmaps do not).
    A matrix without memory kinds (reports before 1.0's mem in matrices) matches any."""
    shown = {(name, m["path"], m["pattern"], m["size"], m.get("mem", {}).get("src"),
              m.get("mem", {}).get("dst")) for _, name, m in mats}
    drop = {(pattern, unit) for _, pattern, unit, _, _ in lines}
    for (path, report, src, dst, _, _), pattern, unit, pts, _ in lines:
        if any((report, path, pattern, size, src, dst) not in shown and
               (report, path, pattern, size, None, None) not in shown for size, _ in pts):
            drop.discard((pattern, unit))
    return [ln for ln in lines if (ln[1], ln[2]) not in drop]


def heatmaps_drawn(mats):
    """(the matrices to draw, a note of what was left out, or None where every one is drawn):
    beyond what the grid holds (heat_grid), one per report, path, memory kinds, pattern and
    chunk/depth, at its largest size for a bandwidth and its smallest for a latency, in the order
    of the facets."""
    most = heat_grid(max((len(m["values"]) for _, _, m in mats), default=0))[2]
    reports = list(dict.fromkeys(name for _, name, _ in mats))
    pattern = lambda it: (list(PATTERNS).index(it[2]["pattern"])  # noqa: E731
                          if it[2]["pattern"] in PATTERNS else len(PATTERNS), it[2]["pattern"])
    if len(mats) <= most:  # in the facets' order, a path's sizes one after another
        return sorted(mats, key=lambda it: (
            reports.index(it[1]), pattern(it), path_order(it[2]["path"]), str(it[2].get("mem")),
            str(it[2].get("chunk")), str(it[2].get("depth")), it[2]["size"])), None
    groups = {}
    for item in mats:
        _, name, m = item
        mem = m.get("mem") or {}
        g = (name, m["path"], m["pattern"], str(m.get("unit")), str(mem.get("src")),
             str(mem.get("dst")), str(m.get("chunk")), str(m.get("depth")),
             str(m.get("chunk_choice")))
        groups.setdefault(g, []).append(item)
    picks = []
    for g, items in groups.items():
        latency = gx.lower_is_better(items[0][2].get("unit")) or g[2] == "latency"
        picks.append((min if latency else max)(items, key=lambda it: it[2]["size"]))
    picks.sort(key=lambda it: (reports.index(it[1]), pattern(it), path_order(it[2]["path"]),
                               str(it[2].get("mem")), str(it[2].get("chunk")),
                               str(it[2].get("depth"))))
    # Taken a path and memory kinds of each pattern in turn, so that every pattern has its
    # heatmaps when not all fit; drawn in the facets' order.
    turn, seen = {}, {}
    for it in picks:
        g = (it[1], pattern(it))
        turn[id(it)] = seen[g] = seen.get(g, -1) + 1
    chosen = {id(it) for it in sorted(picks, key=lambda it: turn[id(it)])[:most]}
    drawn = [it for it in picks if id(it) in chosen]
    note = (f"{len(drawn)} of {len(mats)} pair matrices drawn: per path, memory kinds and pattern "
            "the largest size (bandwidth) or the smallest (latency)"
            + (f", {len(drawn)} of those {len(picks)} (the first of each pattern)"
               if len(picks) > len(drawn) else "")
            + "; the lines show every size (the median over the pairs); every matrix is in the "
            "report")
    return drawn, note


# Each report's measured results by (path, pattern, size), made once: a report's matrices
# each look up their results, and a sweep has hundreds of matrices over a quarter million
# results.
_cells = {}


def matrix_results(doc, m):
    """The measured results whose values the matrix holds."""
    cells = _cells.get(id(doc))
    if cells is None:
        cells = _cells[id(doc)] = {}
        for r in gx.ok_results(doc):
            cells.setdefault((r["path"], r["pattern"], r["size"]), []).append(r)
    mem = m.get("mem", {})
    return [r for r in cells.get((m["path"], m["pattern"], m["size"]), ())
            if r["unit"] == m.get("unit", r["unit"])
            and (r["path"], r["pattern"], r["size"]) == (m["path"], m["pattern"], m["size"])
            and (not mem or (r["mem"]["src"], r["mem"]["dst"]) == (mem["src"], mem["dst"]))
            and (r.get("chunk"), r.get("depth")) == (m.get("chunk"), m.get("depth"))]


def ceiling_of(doc, m):
    """The median over the matrix's pairs of their measured ceilings, and what it is, or None."""
    found = [(r["ceiling"], r.get("ceiling_what", "")) for r in matrix_results(doc, m)
             if "ceiling" in r]
    if not found:
        return None
    whats = [w for _, w in found]
    return statistics.median(c for c, _ in found), max(set(whats), key=whats.count)


def draw_heatmap(fig, ax, doc, report, m, several, inches):
    from matplotlib import colormaps
    unit = m.get("unit", "")
    n = len(m["values"])
    noisy = {tuple(r["ranks"]) for r in matrix_results(doc, m) if gx.noisy(r)}
    vals = [[math.nan if v is None else v for v in row] for row in m["values"]]
    cells = [v for row in m["values"] for v in row if v is not None]
    top = max(cells) if cells else 1.0
    ceiling = ceiling_of(doc, m) if not gx.lower_is_better(unit) else None
    vmax = ceiling[0] if ceiling else top
    cmap = colormaps["viridis_r" if gx.lower_is_better(unit) else "viridis"].copy()
    cmap.set_bad("#d9d9d9")
    im = ax.imshow(vals, cmap=cmap, vmin=0, vmax=vmax)
    if ceiling:
        scale = (f"scale 0 to the measured ceiling, {gx.unit_words(ceiling[0], unit)}"
                 f"\n(median over the pairs: {ceiling[1]})")
    else:
        scale = f"scale 0 to the largest value, {gx.unit_words(top, unit)}"
    annotate = n <= MAX_ANNOTATED_RANKS
    if not annotate:
        scale += f"\n(values in the report: {n} ranks leave no room for them in the cells)"
    else:
        if any(0 <= a < n and 0 <= b < n and m["values"][a][b] is not None for a, b in noisy):
            scale += "\n~: the machine disturbed that pair's step"
        if any(gx.in_mbs(v, unit) for v in cells):  # the cells' values say their unit: M
            scale += "\n" + gx.MBS_NOTE
    # The colour bar says the unit alone; the scale's words go under the heatmap, wrapped to its
    # width: beside it they ran into the next heatmap's labels.
    bar = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04,
                       extend="max" if top > vmax else "neither", label=unit)
    # Value in each measured cell, sized to fit the cell; dark text on light colours; ~ after
    # the value of a pair whose step the machine disturbed; M after one in MB/s (gx.unit_text).
    # Out of the layout: a value sits inside its cell, so it never widens the heatmap's box.
    texts = [[gx.mark_median(gx.unit_text(v, unit), (i, j) in noisy) if v is not None else ""
              for j, v in enumerate(row)] for i, row in enumerate(m["values"])]
    chars = max((len(t) for row in texts for t in row), default=1)
    cell_pt = inches * 72 / n
    size = max(4.0, min(11.0, 0.85 * cell_pt / (0.62 * chars)))
    for i, row in enumerate(m["values"] if annotate else ()):
        for j, v in enumerate(row):
            if v is None:
                continue
            r, g, b, _ = cmap(min(v / vmax, 1.0) if vmax > 0 else 0)
            dark = 0.299 * r + 0.587 * g + 0.114 * b > 0.5
            ax.text(j, i, texts[i][j], ha="center", va="center", fontsize=size,
                    color="black" if dark else "white", gid="cell", in_layout=False)
    width = max(30, int(inches * 72 / (0.6 * 8.5)))
    ax.set_xlabel("receiver rank\n" + "\n".join(
        textwrap.fill(part, width) for part in scale.split("\n")), fontsize=8.5)
    ax.set_ylabel("sender rank")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    tick = max(5.0, min(10.0, cell_pt / 2.5))
    ax.tick_params(labelsize=tick)
    mem = m.get("mem")
    sub = [gx.mem_text(mem["src"], mem["dst"])] if mem else []
    if m.get("chunk"):
        sub.append(f"chunk {gx.human_size(m['chunk'])}/{m.get('depth', 1)}")
    if several:
        sub.append(report)
    ax.set_title(f"{m['path']} {m['pattern']} {gx.size_iec(m['size'])} ({unit})"
                 + ("\n" + ", ".join(sub) if sub else ""), fontsize="medium")
    return {"title": ax.get_title(), "ranks": n, "cells": len(cells),
            "annotations": sum(1 for t in ax.texts if t.get_gid() == "cell"),
            "noisy_cells": sum(1 for t in ax.texts
                               if t.get_gid() == "cell" and t.get_text().endswith(gx.NOISY)),
            "fontsize": size, "vmin": 0, "vmax": vmax, "ceiling": bool(ceiling),
            "colorbar": f"{unit}; {scale}", "_bar": bar.ax}


def savefig_is_canvas(rc):
    """Whether savefig would write the canvas's pixels as drawn: its background the figure's,
    opaque, the whole page."""
    return (rc["savefig.facecolor"] == "auto" and rc["savefig.edgecolor"] == "auto"
            and not rc["savefig.transparent"] and rc["savefig.bbox"] in (None, "standard"))


def describe(fig, line_axes, legend, maps, drawn):
    """What was drawn, read back from the figure (drawn: laid out and drawn on its canvas
    already, as for a PNG): the tests check it."""
    from matplotlib import colors
    if not drawn:  # savefig's renderer (a vector file's, a cropped page's) left none to read
        fig.canvas.draw()
    panels = []
    for ax in line_axes:
        bands = {c.get_gid()[5:] for c in ax.collections if (c.get_gid() or "").startswith("band:")}
        runs = {c.get_gid()[5:]: len(c.get_offsets()) for c in ax.collections
                if (c.get_gid() or "").startswith("runs:")}
        noisy_runs = {c.get_gid()[11:]: len(c.get_offsets()) for c in ax.collections
                      if (c.get_gid() or "").startswith("runs-noisy:")}
        noisy = {ln.get_gid()[6:]: len(ln.get_xdata()) for ln in ax.get_lines()
                 if (ln.get_gid() or "").startswith("noisy:")}
        ceilings = {ln.get_gid()[8:]: len(ln.get_xdata()) for ln in ax.get_lines()
                    if (ln.get_gid() or "").startswith("ceiling:")}
        rates = {ln.get_gid()[9:]: len(ln.get_xdata()) for ln in ax.get_lines()
                 if (ln.get_gid() or "").startswith("linerate:")}
        series = [{"name": ln.get_gid()[5:], "color": colors.to_hex(ln.get_color()),
                   "linestyle": ln.get_linestyle(), "marker": ln.get_marker(),
                   "points": len(ln.get_xdata()), "band": ln.get_gid()[5:] in bands,
                   "noisy_points": noisy.get(ln.get_gid()[5:], 0)}
                  for ln in ax.get_lines() if (ln.get_gid() or "").startswith("line:")]
        for sr in series:
            sr["ceiling_points"] = ceilings.get(sr["name"], 0)
            sr["line_rate_points"] = rates.get(sr["name"], 0)
            if sr["name"] in runs or sr["name"] in noisy_runs:
                # a comparison: its runs' points (the disturbed ones among them)
                sr["run_points"] = runs.get(sr["name"], 0) + noisy_runs.get(sr["name"], 0)
                sr["noisy_run_points"] = noisy_runs.get(sr["name"], 0)
        panels.append({"title": ax.get_title(), "xlabel": ax.get_xlabel(),
                       "ylabel": ax.get_ylabel(), "yscale": ax.get_yscale(), "series": series})
    # Each heatmap's colour bar, its ticks and label, clear of every other heatmap and its
    # labels, and within the figure (a long label beside the bar ran past both).
    from matplotlib.transforms import Bbox
    renderer = fig.canvas.get_renderer()
    whole = fig.bbox
    # A bar's tight box leaves out what of its label runs past the bar: its label's own box too.
    boxes = [(m["_ax"].get_tightbbox(renderer), Bbox.union([
        m["_bar"].get_tightbbox(renderer), m["_bar"].yaxis.label.get_window_extent(renderer)]))
        for m in maps]
    for i, m in enumerate(maps):
        m.pop("_bar")
        bar = boxes[i][1]
        inside = (bar.x0 >= whole.x0 - 1 and bar.y0 >= whole.y0 - 1 and bar.x1 <= whole.x1 + 1
                  and bar.y1 <= whole.y1 + 1)
        m["colorbar_clear"] = bool(inside) and not any(bar.overlaps(b) for j, bs in enumerate(boxes)
                                                 if j != i for b in bs)
    out = {"line_panels": panels, "heatmaps": maps}
    if legend is not None:
        box = legend.get_window_extent()
        drawn = line_axes + [m.pop("_ax") for m in maps]
        out["legend"] = {"entries": [t.get_text() for t in legend.get_texts()],
                         "outside": not any(box.overlaps(ax.get_window_extent()) for ax in drawn)}
    else:
        for m in maps:
            m.pop("_ax")
    return out


# What plot reads of a result (gx.curves, the heatmaps' marks and ceilings): a report is held
# as that (gx.load's keep), never whole, so that a sweep's fits in the memory of a page.
PLOTTED = ("status", "path", "pattern", "unit", "size", "mem", "ranks", "run", "chunk", "depth",
           "chunk_auto", "ceiling", "ceiling_what", "line_gbs", "noise")
PLOTTED_STATS = ("median", "p5", "p95", "n")


def plotted(r):
    k = {n: r[n] for n in PLOTTED if n in r}
    if "stats" in r:
        k["stats"] = {n: r["stats"][n] for n in PLOTTED_STATS if n in r["stats"]}
    if "collective" in r:  # a collective's facet and its two forms (lines_of)
        k["collective"] = {n: r["collective"][n] for n in ("op", "in_place")}
    return k


def pythons():
    """The interpreters a user may have matplotlib for: configure's, the system's, each python3 on
    PATH (the source tree's door runs the first python3 on PATH, often a pyenv one without it)."""
    # By name, not by the file a link leads to: a venv's python links to the system's, whose
    # site-packages it does not see.
    seen = {os.path.abspath(sys.executable)}
    names = [os.environ.get("PYTHON", ""), "/usr/bin/python3"]
    names += [os.path.join(d, "python3") for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    for n in names:
        if n and os.path.isfile(n) and os.access(n, os.X_OK) and os.path.abspath(n) not in seen:
            seen.add(os.path.abspath(n))
            yield n


def elsewhere(argv):
    """Runs this plot again under an interpreter that has matplotlib; returns where none has
    (or this is that run already). The run there says so once it draws (drawn_elsewhere): a
    report it refuses is one line on stderr, as here."""
    if os.environ.get("GX_PLOT_RERUN"):
        return
    for py in pythons():
        probe = subprocess.run([py, "-c", "import matplotlib"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, check=False)
        if probe.returncode == 0:
            sys.stderr.flush()
            env = dict(os.environ, GX_PLOT_RERUN="1", GX_PLOT_FROM=sys.executable,
                       GX_PLOT_WITH=py)
            os.execve(py, [py, os.path.abspath(sys.argv[0]), "plot"] + list(argv), env)


def drawn_elsewhere():
    if os.environ.get("GX_PLOT_FROM") and os.environ.get("GX_PLOT_WITH"):
        print(f"{PROG}: {os.environ['GX_PLOT_FROM']} has no matplotlib; drawing with "
              f"{os.environ['GX_PLOT_WITH']}", file=sys.stderr)


def with_matplotlib(argv):
    """Runs this plot again under an interpreter that has matplotlib, or says none has."""
    elsewhere(argv)
    gx.die(PROG, f"{sys.executable} has no matplotlib (apt-get install python3-matplotlib or "
                 "pip install matplotlib), nor has any other python3 on PATH")


def main(argv):
    ap = gx.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("reports", nargs="+", metavar="REPORT.json|FOLDER",
                    help="gpuxfer reports; several runs per configuration (a comparison) as "
                         "gpuxfer-report compare takes them: '--' between configurations, folders of "
                         "reports, gpuxfer-report sweep folders")
    ap.add_argument("-o", "--output", required=True, metavar="FILE.png|FILE.svg")
    ap.add_argument("--force", action="store_true",
                    help="replace an existing FILE (without it that is exit 2)")
    ap.add_argument("--all-chunks", action="store_true",
                    help="a line per chunk/depth of the chunked paths, not their best per size")
    ap.add_argument("--linear-bw", action="store_true",
                    help="bandwidth on a linear axis from 0 (by default a log one, as latency: "
                         "a path spans decades from small to large messages)")
    ap.add_argument("--describe", action="store_true",
                    help="print what was drawn (subplots, lines, bands, legend, heatmaps) as JSON")
    a = ap.parse_args(gx.separated(argv))
    ext = os.path.splitext(a.output)[1].lower()
    if ext not in (".png", ".svg"):
        gx.die(PROG, f"-o {a.output}: the file name must end in .png or .svg")
    gx.check_output(a.output, a.force, label=f"-o {a.output}")  # before the work, and again after
    # Before the reports are read, where another interpreter draws: they would be read twice.
    if importlib.util.find_spec("matplotlib") is None:
        elsewhere(argv)
    cfgs = gx.configurations(a.reports)
    # A comparison: configurations of several runs, or named as such ('--', a folder).
    comparison = gx.SEPARATOR in a.reports or any(
        len(c["reports"]) > 1 or c["reports"] != [c["name"]] for c in cfgs)
    if comparison:
        if a.all_chunks:
            gx.die(PROG, "--all-chunks: not with a comparison (each configuration's runs are "
                         "drawn at their best chunk/depth)")
        runs = [[gx.load(p) for p in c["reports"]] for c in cfgs]
        gx.distinct([d for g in runs for d in g])
        lines, mats, heat_note = comparison_lines(cfgs, runs), [], None
        names = [c["name"] for c in cfgs]
        # Each configuration named by what differs, as compare's legend names it.
        from gxreport.compare import context_diff, what_differs
        diffs = context_diff(runs)
        for i, c in enumerate(cfgs):
            c["differs"] = " ".join(c["settings"]) if c["settings"] else what_differs(diffs, i)
    else:
        docs = [gx.load(c["reports"][0], identify=len(cfgs) > 1, keep=plotted) for c in cfgs]
        gx.distinct(docs)
        names = [os.path.basename(c["reports"][0]) for c in cfgs]
        lines = lines_of(docs, names, a.all_chunks)
        mats, heat_note = heatmaps_drawn(
            [(doc, name, m) for doc, name in zip(docs, names) for m in doc.get("matrices", [])])
        lines = without_heatmapped(lines, mats)
    if not lines and not mats:
        gx.die(PROG, "no successful results to plot in " + ", ".join(names))
    lines, facet_note = facets_drawn(lines)
    try:
        import matplotlib
        matplotlib.use("Agg")  # no display on compute nodes and in CI
        import matplotlib.pyplot as plt
    except ImportError:
        with_matplotlib(argv)
    drawn_elsewhere()

    # Heatmaps: a square of `inches` each, larger for more ranks, in a bounded grid (heat_grid).
    inches, cols, _ = heat_grid(max((len(m["values"]) for _, _, m in mats), default=0))
    cols = min(len(mats), cols) if mats else 1
    rows = math.ceil(len(mats) / cols) if mats else 0
    line_h = 5.5 if lines else 0
    width_lines = 17.0 if lines else 0
    if lines:  # the facets: 4.2 x 3.4 inches each, the legend below
        frows, fcols = facet_grid(lines)
        line_h = 3.4 * frows + 1.4 + (0.22 * len(cfgs) if comparison else 0)
        width_lines = max(12.0, 4.2 * fcols)
    heat_h = rows * (inches + 2.0) + (0.6 if heat_note else 0)
    width = max(width_lines, cols * (inches + HEAT_BESIDE))
    # At the PNG's dpi: the one layout and drawing made for the file is the one --describe reads.
    fig = plt.figure(figsize=(width, line_h + heat_h), dpi=PNG_DPI, layout="constrained")
    tops = fig.subfigures(2 if lines and mats else 1, 1, squeeze=False,
                          height_ratios=[line_h, heat_h] if lines and mats else None)[:, 0]
    line_axes, legend, maps = [], None, []
    if comparison:
        line_axes, legend = draw_comparison(tops[0], cfgs, lines)
        tops[0].suptitle("comparison of " + " vs ".join(
            chr(ord("A") + i) if i < 26 else str(i) for i in range(len(cfgs))) +
            ": each run's median a point, a line through their geometric mean, the ceiling "
            "dotted" + (f"\n{facet_note}" if facet_note else ""), fontsize="medium")
    elif lines:
        style = styles([ln[0] for ln in lines])
        line_axes, legend = draw_lines(tops[0], lines, style, a.all_chunks, a.linear_bw)
        chunked = any(p["chunk"] != (0, 0) for ln in lines for _, p in ln[3])
        tops[0].suptitle(", ".join(names) + (
            "" if not chunked else ": every chunk/depth" if a.all_chunks else
            ": chunked paths at their best chunk/depth per size") +
            (f"\n{facet_note}" if facet_note else ""), fontsize="medium")
    if mats:
        axes = tops[-1].subplots(rows, cols, squeeze=False).ravel()
        for ax, (doc, name, m) in zip(axes, mats):
            info = draw_heatmap(tops[-1], ax, doc, name, m, len(docs) > 1, inches)
            info["_ax"] = ax
            maps.append(info)
        for ax in axes[len(mats):]:
            ax.set_visible(False)
        if heat_note:
            tops[-1].suptitle(textwrap.fill(heat_note, int(width * 7)), fontsize="medium")
    # A PNG drawn once, its pixels written as they are: savefig would lay the figure out and
    # draw it twice (a draw to place it, then the one it keeps). Where a matplotlibrc asks savefig
    # for another background or a cropped page, savefig writes it.
    canvas = ext == ".png" and savefig_is_canvas(matplotlib.rcParams)
    if canvas:
        from matplotlib import image
        fig.canvas.draw()
        gx.write_new(a.output, a.force, lambda f: image.imsave(
            f, fig.canvas.buffer_rgba(), format="png", origin="upper", dpi=fig.dpi))
    else:
        gx.write_new(a.output, a.force, lambda f: fig.savefig(f, dpi=PNG_DPI, format=ext[1:]))
    if a.describe:
        what = describe(fig, line_axes, legend, maps, drawn=canvas)
        if heat_note:
            what["heatmaps_note"] = heat_note
        if facet_note:
            what["facets_note"] = facet_note
        print(json.dumps(what, indent=1))
    return 0

