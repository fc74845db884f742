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
    old, new, ex = (load(os.path.join(folder, n + ".json")) for n in ("old-default", "new-default", "exhaustive"))
    print(f"# wall (report start to end): before {seconds(old):.1f} s, after {seconds(new):.1f} s, "
          f"exhaustive {seconds(ex):.1f} s")
    o, n, e = bw(old), bw(new), bw(ex)
    print(f"{'path':<17}{'size':>10} {'before GB/s':>12} {'chunk/depth':>13} {'after GB/s':>11} "
          f"{'chunk/depth':>13} {'tried':>5} {'exhaustive':>11} {'chunk/depth':>13} {'tried':>5} "
          f"{'after/exh':>9} {'after/before':>12}")
    for key in sorted(n):
        a, b, c = o.get(key), n[key], e.get(key)
        cd = lambda x: f"{x[1]}/{x[2]}" if x else "-"  # noqa: E731
        print(f"{key[0]:<17}{key[1]:>10} {a[0] if a else float('nan'):>12.4g} {cd(a):>13} "
              f"{b[0]:>11.4g} {cd(b):>13} {b[3]:>5} {c[0] if c else float('nan'):>11.4g} {cd(c):>13} "
              f"{c[3] if c else 0:>5} {b[0] / c[0] if c else float('nan'):>9.3f} "
              f"{b[0] / a[0] if a else float('nan'):>12.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
