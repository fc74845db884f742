#!/usr/bin/env python3
"""Whether two gpuxfer reports of the same command say the same things apart from what was
measured: a refactor's check that the report "matches the previous build field for field except
times".

  dev/report-same.py OLD.json NEW.json [--ignore KEY,...]

Compares every member at every level: the same keys, arrays of the same length (results,
skipped, pairs, matrices...), and the same strings, booleans and numbers, except numbers and
texts that are measurements or depend on the machine's load at that moment: timings, medians and
spreads, noise marks and their reasons, soundness verdicts, process ids, file names with a pid,
and the order of results, summary rows and rounds (a budget's cut visits move a result).
Prints each difference with its place (results[3].stats.median) and exits 1 when there is one
that is not in those classes. --ignore adds member names to leave out wherever they are."""
import argparse
import json
import sys

# Numbers measured or timed: any value under these names may differ between two runs.
MEASURED = {
    "median", "min", "max", "mean", "p5", "p95", "cv", "stddev", "best", "spread", "ci95",
    "median_ci95", "median_ci", "gbps", "gbs", "aggregate_gbps", "message_rate", "efficiency",
    "line_share", "elapsed_s", "seconds", "seconds_run", "share_s", "assembly_s", "start_time",
    "end_time", "time", "pid", "cpu_wait", "cpu_waits", "tail", "iterations", "window", "stop",
    "median_min", "median_max", "median_mean", "samples", "stage_us", "resources", "interference",
    "wall_s", "estimate_s", "budget", "ceiling", "cpu_wait_max", "load", "load_start",
    "load_end", "ended", "precision_reached", "utilisation", "l2_resident", "value", "p99",
    "p1", "precision", "ceiling_absent", "values", "n", "schema_version", "revision",
    "initiator_us", "peer_us", "algbw_gbs", "time_us",
}
# Texts and verdicts that follow from the measurements or the load (a probe disturbed, a cell
# slower than its siblings): they may differ too.
LOAD_DEPENDENT = {
    "noise", "marks", "why", "ceiling_what", "ceiling_unsound", "ceiling_within",
    "ceiling_exceeded", "below_siblings", "disturbed", "noisy", "health", "findings", "plan",
    "runner_up", "auto_candidates", "chunk", "depth", "cpuset", "hostname", "env",
    "mpi_startup_notice", "command_line", "samples_file", "utf8_repaired", "start_time",
    "end_time", "checks",
}
# Arrays whose order follows the load (a step whose visits the budget cut ends earlier; checks
# count the visits): compared as sets, each element found by the members that name it.
KEYED = {
    "results": ("run", "path", "mem", "pattern", "size", "ranks", "chunk", "depth",
                "chunk_choice"),
    "summary": ("size_class", "path", "src_mem", "dst_mem", "pattern", "run", "unit"),
    "rounds": ("run", "path", "pattern", "size", "round"),
}


def keyed(k, items):
    """items in the order of their names (KEYED[k]), where every item is an object."""
    if k not in KEYED or not isinstance(items, list) or \
            not all(isinstance(x, dict) for x in items):
        return items
    return sorted(items, key=lambda x: json.dumps([x.get(m) for m in KEYED[k]], sort_keys=True))


def walk(a, b, where, out, ignore):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k in ignore:
                continue
            place = f"{where}.{k}" if where else k
            if k in LOAD_DEPENDENT or k in MEASURED:
                continue
            if k not in a or k not in b:
                out.append((place, "only in " + ("new" if k not in a else "old"), True))
            else:
                walk(keyed(k, a[k]), keyed(k, b[k]), place, out, ignore)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append((where, f"{len(a)} elements, then {len(b)}", True))
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{where}[{i}]", out, ignore)
    elif type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        out.append((where, f"{type(a).__name__} then {type(b).__name__}", True))
    elif a != b:
        out.append((where, f"{a!r} then {b!r}", True))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--ignore", default="", help="member names to leave out, comma-separated")
    a = ap.parse_args()
    old, new = (json.load(open(p)) for p in (a.old, a.new))
    out = []
    walk(old, new, "", out, {k for k in a.ignore.split(",") if k})
    for place, what, _ in out:
        print(f"{place}: {what}")
    print(f"{len(out)} difference{'s' if len(out) != 1 else ''} beyond what was measured "
          f"({len(old.get('results', []))} and {len(new.get('results', []))} results)")
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
