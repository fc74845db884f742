#!/usr/bin/env python3
"""bench/search-ab.sh's comparison: per chunked path and size, the default run's chosen chunk and
bandwidth (before and after the change) against the exhaustive search's best; the runs' times.

  search-ab.py DIR                the table
  search-ab.py pairs DIR ROUNDS   writes DIR/pairs-scenario.json: where a default run chose another
                                  setting than the exhaustive search, both settings as runs of one
                                  job, adjacent and in turn (A B, then B A: a drift costs neither)
  search-ab.py paired DIR         that job's report (DIR/pairs.json): per round the median of the
                                  default's setting over the exhaustive's, and their median

One run each cannot resolve 1% where the same setting moves 10-30% from job to job (staged-mpi on
one shared H200); measured adjacent in one job, the two settings share the job's state."""
import datetime
import json
import os
import statistics
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def seconds(doc):
    t = [datetime.datetime.fromisoformat(doc[k].replace("Z", "+00:00")) for k in ("start_time", "end_time")]
    return (t[1] - t[0]).total_seconds()


def bw(doc):
    out = {}
    for r in doc["results"]:
        if r["pattern"] == "bw" and r.get("status") == "ok" and "chunk" in r:
            out[(r["path"], r["size"])] = (r["stats"]["median"], r.get("chunk"), r.get("depth"),
                                           len(r.get("auto_candidates", [])))
    return out


def main(folder):
    """Each default run of the folder (old-default, new-default, new-default2: those there)
    against the exhaustive search."""
    runs = [n for n in ("old-default", "new-default", "new-default2")
            if os.path.exists(os.path.join(folder, n + ".json"))]
    docs = {n: load(os.path.join(folder, n + ".json")) for n in runs + ["exhaustive"]}
    print("# wall (report start to end): " +
          ", ".join(f"{n} {seconds(d):.1f} s" for n, d in docs.items()))
    got = {n: bw(d) for n, d in docs.items()}
    ex = got.pop("exhaustive")
    cd = lambda x: f"{x[1]}/{x[2]}" if x else "-"  # noqa: E731
    print(f"{'path':<17}{'size':>10} " +
          " ".join(f"{n + ' GB/s':>18} {'chunk/depth':>13} {'tried':>5} {'/exh':>6}" for n in got) +
          f" {'exhaustive':>11} {'chunk/depth':>13} {'tried':>5}")
    for key in sorted(set().union(*got.values())):
        c = ex.get(key)
        cols = []
        for n in got:
            b = got[n].get(key)
            ratio = b[0] / c[0] if b and c else float("nan")
            cols.append(f"{b[0] if b else float('nan'):>18.4g} {cd(b):>13} {b[3] if b else 0:>5} "
                        f"{ratio:>6.3f}")
        print(f"{key[0]:<17}{key[1]:>10} " + " ".join(cols) +
              f" {c[0] if c else float('nan'):>11.4g} {cd(c):>13} {c[3] if c else 0:>5}")


def differing(folder):
    """(path, size, default's setting, exhaustive's setting) wherever a default run of the
    folder chose another chunk or depth than the exhaustive search, once each."""
    ex = bw(load(os.path.join(folder, "exhaustive.json")))
    seen = []
    for n in ("new-default", "new-default2"):
        f = os.path.join(folder, n + ".json")
        if not os.path.exists(f):
            continue
        for key, b in sorted(bw(load(f)).items()):
            c = ex.get(key)
            if c and b[1:3] != c[1:3]:
                item = (key[0], key[1], b[1:3], c[1:3])
                if item not in seen:
                    seen.append(item)
    return seen


def name(path, size, side, setting, rnd):
    return f"{side}{rnd}:{path}:{size}:{setting[0]}/{setting[1]}"


def pairs(folder, rounds):
    runs = []
    todo = differing(folder)
    rounds = min(rounds, 64 // max(1, 2 * len(todo)))  # a scenario's 64 runs
    for rnd in range(rounds):
        for path, size, a, b in todo:
            sides = [("A", a), ("B", b)] if rnd % 2 == 0 else [("B", b), ("A", a)]
            for side, st in sides:
                runs.append({"name": name(path, size, side, st, rnd), "path": path,
                             "pattern": "bw", "sizes": [str(size)], "chunk": [str(st[0])],
                             "depth": [str(st[1])], "iters": 10, "calibrate": "off"})
    with open(os.path.join(folder, "pairs-scenario.json"), "w", encoding="utf-8") as f:
        json.dump({"description": "the default's and the exhaustive search's settings, in turn",
                   "runs": runs}, f, indent=1)
    print(len(runs))


def paired(folder):
    got = {}
    for r in load(os.path.join(folder, "pairs.json"))["results"]:
        if r.get("status") == "ok":
            got[r["run"]] = r["stats"]["median"]
    print(f"{'path':<17}{'size':>10} {'default':>11} {'exhaustive':>11} {'rounds':>6} "
          f"{'A/B per round':<36} {'median':>6}")
    rounds = 1 + max((int(k.split(":")[0][1:]) for k in got), default=-1)
    for path, size, a, b in differing(folder):
        ratios = []
        for rnd in range(rounds):
            x = got.get(name(path, size, "A", a, rnd))
            y = got.get(name(path, size, "B", b, rnd))
            if x and y:
                ratios.append(x / y)
        med = statistics.median(ratios) if ratios else float("nan")
        print(f"{path:<17}{size:>10} {'%d/%d' % a:>11} {'%d/%d' % b:>11} {len(ratios):>6} "
              f"{' '.join('%.3f' % x for x in ratios):<36} {med:>6.3f}")


if __name__ == "__main__":
    if sys.argv[1] == "pairs":
        pairs(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "paired":
        paired(sys.argv[2])
    else:
        main(sys.argv[1])
