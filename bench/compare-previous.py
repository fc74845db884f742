#!/usr/bin/env python3
"""Every GPU path's efficiency beside the previous build's (schema 1.11 calibration) for the
same results: path, pattern, size, then per report the median, the ceiling and eff%.
Usage: python3 bench/compare-previous.py OLD.json NEW.json [NEW2.json ...]
(results/issue32/h200x1/*-vs-previous.txt.)"""
import json
import sys


def rows(f):
    d = json.load(open(f))
    out = {}
    for r in d["results"]:
        if r.get("status") == "ok" and r["pattern"] != "latency":
            key = (r["path"], r["pattern"], r["size"])
            eff = r.get("efficiency")
            out[key] = (r["stats"]["median"], r.get("ceiling"), eff, "ceiling_exceeded" in r)
    return out


def cell(v):
    if not v:
        return "%30s" % "-"
    med, ceil, eff, bang = v
    return "%10.3f %9s %8s" % (med, "%.3f" % ceil if ceil else "-",
                               ("%.1f%s" % (100 * eff, "!" if bang else "")) if eff else "-")


reports = [rows(f) for f in sys.argv[1:]]
keys = sorted(set().union(*reports), key=lambda k: (k[0], k[1], k[2]))
print("%-17s %-5s %11s " % ("path", "pat", "size") +
      " | ".join("%10s %9s %8s" % ("median", "ceiling", "eff%") for _ in reports))
print("# reports: " + "; ".join(sys.argv[1:]))
for k in keys:
    print("%-17s %-5s %11d " % k + " | ".join(cell(r.get(k)) for r in reports))
