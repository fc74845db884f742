#!/usr/bin/env python3
"""big-report.py: a report of a sweep's size made from a real one, for the report tools at scale.

    dev/big-report.py REAL.json RESULTS OUT.json [--ranks N] [--seed S] [--validate]

Takes the measured results of a real report (any gpuxfer run: on the CPU machine
`mpirun -np 2 src/gpuxfer --output REAL.json`) and makes RESULTS of them as a `--pairs all`
sweep of N ranks (16 by default) would: every ordered pair, at each of the real report's sizes,
in the patterns latency, bw and bibw, over as many paths and memory kinds as it takes to reach
RESULTS (host and mpi, pageable or pinned memory at either end, then all of them again as
another run of the sweep), with a matrix per (path, memory kinds, pattern, size) holding every
pair's median. Each result is a copy of a real result of the same unit (its stats, stop, noise
and ceiling fields as gpuxfer writes them), its numbers scaled by a factor per pair and per path
so that pairs differ as links do; noise is kept on one result in ten (a sweep on a quiet node),
so that the file is of a real sweep's size per result. The rest of the real report (context,
ceilings, plan, summary) is kept as it is, but its start and end times, which differ by seed
as two runs' do. Written compact; nothing is written beside OUT (no .jsonl).

--validate checks OUT against schema/gpuxfer-report.schema.json (python3-jsonschema): the rest
of the document whole and 2,000 of its results (they all come from one generator; the whole of
a large report takes minutes).
"""
import argparse
import copy
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PATTERNS = (("latency", "us"), ("bw", "GB/s"), ("bibw", "GB/s"))
# (path, src, dst): the host paths and memory kinds a CPU machine measures, in the order a sweep's
# are added to reach the count asked; past them, the same again as another run of the sweep.
KINDS = tuple((path, src, dst) for path in ("host", "mpi") for src in ("pageable", "pinned")
              for dst in ("pageable", "pinned"))
PATHS = KINDS * 2


def scaled(r, unit, factor):
    """r's numbers of `unit` scaled by factor (a pair's or a path's speed): stats, stop's
    visit medians, ceiling and efficiency kept consistent."""
    f = factor if unit == "us" else 1 / factor
    st = r.get("stats")
    if st:
        for k in ("min", "max", "mean", "median", "p5", "p95", "p99", "stddev"):
            if k in st:
                st[k] *= f
        if "median_ci95" in st:
            st["median_ci95"] = [x * f for x in st["median_ci95"]]
    stop = r.get("stop")
    if stop and "visit_medians" in stop:
        stop["visit_medians"] = [x * f for x in stop["visit_medians"]]
    if "efficiency" in r and "ceiling" in r and st:
        r["efficiency"] = (r["ceiling"] / st["median"] if unit == "us"
                           else st["median"] / r["ceiling"])
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("real")
    ap.add_argument("results", type=int)
    ap.add_argument("out")
    ap.add_argument("--ranks", type=int, default=16)
    ap.add_argument("--seed", type=int, default=61)
    ap.add_argument("--validate", action="store_true")
    a = ap.parse_args()
    with open(a.real, encoding="utf-8") as f:
        doc = json.load(f)
    rng = random.Random(a.seed)
    by_unit = {}
    for r in doc["results"]:
        if r.get("status") == "ok" and "stats" in r:
            by_unit.setdefault(r["unit"], []).append(r)
    if set(by_unit) != {"us", "GB/s"}:
        sys.exit(f"{a.real}: needs measured latencies and bandwidths (got {sorted(by_unit)})")
    sizes = sorted({r["size"] for r in doc["results"]})
    pairs = [(i, j) for i in range(a.ranks) for j in range(a.ranks) if i != j]
    pair_factor = {p: rng.uniform(0.8, 1.25) for p in pairs}
    results, matrices = [], []
    per_path = len(pairs) * len(sizes) * len(PATTERNS)
    combos = [(n, c) for n, c in enumerate(PATHS)]
    while len(combos) * per_path < a.results:  # more than the paths give: runs named apart
        combos += [(len(combos), c) for c in PATHS]
    for n, (path, src, dst) in combos:
        if len(results) >= a.results:
            break
        path_factor = rng.uniform(0.5, 2.0)
        # A path and memory kinds seen again is another run of the sweep, named apart.
        seen = sum(1 for _, c in combos[:n] if c == (path, src, dst))
        run = f"sweep{seen + 1}" if seen else None
        for pattern, unit in PATTERNS:
            for size in sizes:
                like = [r for r in by_unit[unit] if r["size"] == size] or by_unit[unit]
                values = [[None] * a.ranks for _ in range(a.ranks)]
                made = 0
                for p in pairs:
                    if len(results) >= a.results:
                        break
                    r = scaled(copy.deepcopy(rng.choice(like)), unit, path_factor * pair_factor[p])
                    r.update(path=path, pattern=pattern, unit=unit, size=size, ranks=list(p),
                             mem={"src": src, "dst": dst})
                    if run:
                        r["run"] = run
                    else:
                        r.pop("run", None)
                    if rng.random() >= 0.1:
                        r.pop("noise", None)
                    r.pop("ceiling_absent", None)
                    r.pop("ceiling_unsound", None)
                    values[p[0]][p[1]] = r["stats"]["median"]
                    results.append(r)
                    made += 1
                if made:
                    m = {"path": path, "pattern": pattern, "size": size, "unit": unit,
                         "mem": {"src": src, "dst": dst}, "ranks": a.ranks, "values": values}
                    matrices.append(m)
    doc["results"] = results
    doc["matrices"] = matrices
    doc["command_line"] = list(doc.get("command_line", [])) + ["--pairs", "all"]
    # Another seed is another run: its start and end times differ, as two runs' always do (to
    # the millisecond: a fixture's times without one get one, so that two reports made of it
    # differ in their fingerprints as two runs' do, not only in their results).
    for name in ("start_time", "end_time"):
        if isinstance(doc.get(name), str) and doc[name].endswith("Z"):
            t = doc[name][:-1]
            doc[name] = (t[:t.rindex(".")] if "." in t else t) + f".{a.seed % 1000:03d}Z"
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{a.out}: {len(results)} results, {len(matrices)} matrices, "
          f"{os.path.getsize(a.out) / (1 << 20):.1f} MiB")
    if a.validate:
        import jsonschema
        with open(os.path.join(HERE, os.pardir, "schema", "gpuxfer-report.schema.json"),
                  encoding="utf-8") as f:
            schema = json.load(f)
        sample = dict(doc, results=rng.sample(results, min(len(results), 2000)))
        jsonschema.validate(sample, schema)
        print(f"{a.out}: valid against the schema ({len(sample['results'])} results sampled, "
              "the rest of the document whole)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
