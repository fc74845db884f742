#!/usr/bin/env python3
"""bench/search-ab.sh's comparison: per chunked path and size, the default run's chosen chunk and
bandwidth (before and after the change) against the exhaustive search's best; the runs' times."""
import datetime
import json
import os
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


if __name__ == "__main__":
    main(sys.argv[1])
