#!/usr/bin/env python3
"""Writes constructed runs with visits (schema 2.14: each result's stop.visit_medians) for
tests/compare.sh, each set in a folder of OUT (every value written out: the verdicts they must
get follow from them by hand):
    tests/reports/make-visit-runs.py OUT

host bw, GB/s; each run's median the geometric mean of its visits' medians.
  tol/A1..A3, tol/B1..B3 (three runs a side, five visits each):
    1M  : B's visits A's in another order            -> same (the ratio's interval 1 +- 0.3%)
    2M  : B 10% below A, visits within 0.5%           -> slower
    4M  : B 10% above A                               -> faster
    8M  : visits spread by 30%, B as A                -> undecided, noise far beyond 5%
    16M : B 2% below A, visits spread by 20%          -> same at --tolerance 10, else undecided
  one/A.json, one/B.json (one run a side, three visits each):
    1M  : B 20% below A, visits within 1%             -> slower (decided from the visits)
    2M  : B as A                                       -> same
  slowrun/A1..A3, slowrun/B1..B3 (three runs a side, five tight visits each):
    1M  : B's third run 10% slow at every visit       -> not called (the runs' spread)
  vary/run1.json, vary/run2.json (--vary chunk=1M,4M: one command run twice):
    1M  : 4M 2% above 1M at each visit, the visits
          drifting by 10% together                    -> faster (paired visit by visit)
    2M  : 4M as 1M                                     -> same
  picks/A.json, picks/B.json, picks/C.json (one command, gpuxfer's picks differ; C names
  --window 16):
    1M  : window 24 vs 1 (A, B: gpuxfer's pick)        -> a note, not UNFAIR; C: UNFAIR
    2M  : chunk_auto, chunk 1M vs 4M (its pick)        -> a note
"""
import json
import math
import os
import sys

M = 1 << 20


def geomean(v):
    return math.exp(sum(map(math.log, v)) / len(v))


def stats(visits):
    """The result's stats as its visits' medians put them (its iterations are not kept)."""
    m = geomean(visits)
    lo, hi = min(visits), max(visits)
    return {"n": 100, "min": lo, "max": hi, "mean": m, "median": m, "p5": lo, "p95": hi,
            "p99": hi, "stddev": 0.0, "cv": 0.0, "median_ci95": [lo, hi]}


def result(size, visits, window=64, chunk=None, vary=None):
    r = {"path": "host", "mem": {"src": "pageable", "dst": "pageable"}, "pattern": "bw",
         "ranks": [0, 1], "same_node": True, "size": size, "size_class": "large",
         "iterations": 100, "warmup": 10, "window": window, "unit": "GB/s", "status": "ok",
         "stats": stats(visits),
         "stop": {"by": "precision", "precision_asked": 0.01, "visits": len(visits),
                  "visits_planned": len(visits), "visit_medians": list(visits)},
         "validation": {"status": "passed", "checks": 1}}
    if chunk:
        r.update(chunk=chunk, depth=2, chunk_choice="default", chunk_auto=True)
    if vary:
        r["vary"] = {"option": vary[0], "value": vary[1]}
    return r


def report(results, minute, command=("gpuxfer", "--path", "host"), vary=None):
    d = {"schema_version": "2.14", "tool": {"name": "gpuxfer", "version": "0.9.0"},
         "command_line": list(command),
         "start_time": f"2026-01-01T00:{minute:02d}:00Z",
         "end_time": f"2026-01-01T00:{minute:02d}:30Z", "status": "complete", "exit_code": 0,
         "context": {"job": {"ranks": 2, "nodes": 1, "launcher": "mpirun (Open MPI)"},
                     "ranks": [{"rank": i, "hostname": "node-a", "pid": 100 + i, "node": 0,
                                "local_rank": i, "local_size": 2,
                                "mpi_library": "Open MPI v4.1.4", "cpuset": str(i), "env": {}}
                               for i in range(2)]},
         "results": results, "skipped": [], "summary": []}
    if vary:
        d["context"]["run"] = {"vary": {"option": vary[0], "values": list(vary[1])}}
    return d


def scaled(v, f):
    return [x * f for x in v]


def write(out, name, doc):
    path = os.path.join(out, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)


def main(out):
    minute = iter(range(60))
    tight = [10.0, 10.02, 9.98, 10.01, 9.99]
    tight2 = [10.0, 10.04, 9.97, 10.02, 9.98]
    wide = [10.0, 13.0, 7.7, 11.5, 8.8]
    spread2 = [10.0, 11.0, 9.0, 10.5, 9.5]
    for run in range(3):
        # Each run its own order of the same visits: runs alike, visits spread as given.
        rot = lambda v: v[run:] + v[:run]  # noqa: E731
        a = [result(M, rot(tight)), result(2 * M, rot(tight)), result(4 * M, rot(tight)),
             result(8 * M, rot(wide)), result(16 * M, rot(spread2))]
        b = [result(M, rot(tight)[::-1]), result(2 * M, scaled(rot(tight2), 0.9)),
             result(4 * M, scaled(rot(tight2), 1.1)), result(8 * M, rot(wide)[::-1]),
             result(16 * M, scaled(rot(spread2)[::-1], 0.98))]
        write(out, f"tol/A{run + 1}.json", report(a, next(minute)))
        write(out, f"tol/B{run + 1}.json", report(b, next(minute)))
        write(out, f"slowrun/A{run + 1}.json", report([result(M, rot(tight))], next(minute)))
        write(out, f"slowrun/B{run + 1}.json",
              report([result(M, scaled(rot(tight2), 0.9 if run == 2 else 1.0))], next(minute)))
    three = [10.0, 10.1, 9.9]
    write(out, "one/A.json", report([result(M, three), result(2 * M, three)], next(minute)))
    write(out, "one/B.json", report([result(M, scaled(three[::-1], 0.8)),
                                     result(2 * M, [10.05, 9.95, 10.0])], next(minute)))
    # Visit by visit the machine's speed moves by 10%, the same for both chunks measured
    # one after the other; 4M 2% above 1M each time (within 0.1%).
    drift = [10.0, 11.0, 9.5, 10.5, 10.2]
    jitter = [1.0, 1.001, 0.999, 1.0005, 0.9995]
    vary = ("chunk", ("1M", "4M"))
    for run in range(2):
        d = scaled(drift, 1 + 0.03 * run)
        results = [result(M, d, vary=(vary[0], "1M")),
                   result(M, [x * 1.02 * j for x, j in zip(d, jitter)], vary=(vary[0], "4M")),
                   result(2 * M, d, vary=(vary[0], "1M")),
                   result(2 * M, [x * j for x, j in zip(d, jitter)], vary=(vary[0], "4M"))]
        for r, chunk in zip(results, (M, 4 * M, M, 4 * M)):
            r.update(chunk=chunk, depth=2, chunk_choice="given")
        write(out, f"vary/run{run + 1}.json",
              report(results, next(minute), ("gpuxfer", "--vary", "chunk=1M,4M"), vary))
    for name, window, chunk, cmd in (("A", 24, M, ()), ("B", 1, 4 * M, ()),
                                     ("C", 16, M, ("--window", "16"))):
        write(out, f"picks/{name}.json",
              report([result(M, tight, window=window), result(2 * M, tight, chunk=chunk)],
                     next(minute), ("gpuxfer", "--path", "host") + cmd))


if __name__ == "__main__":
    main(sys.argv[1])
