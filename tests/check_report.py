#!/usr/bin/env python3
"""Checks a gpuxfer report: valid against the schema, and its values make sense.

Exit 0 when fine; otherwise one line per problem on stdout and exit 1."""
import argparse
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "schema", "gpuxfer-report.schema.json")


def samples_of(report, r, side):
    """A result's raw samples: in the report, or its line of the samples file (--samples beyond
    what the report holds); None when it has none."""
    if "samples" in r:
        return r["samples"]
    ref = r.get("samples_file")
    if ref is None:
        return None
    if ref["file"] not in side:
        with open(os.path.join(os.path.dirname(report), ref["file"])) as f:
            side[ref["file"]] = [json.loads(l) for l in f]
    s = side[ref["file"]][ref["line"] - 1]["samples"]
    return s if len(s) == ref["n"] else []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--patterns", default="", help="comma list every result set must cover")
    ap.add_argument("--sizes", type=int, default=0, help="sizes expected per (path, pattern, pair)")
    ap.add_argument("--pairs", default="", help="pairs expected, e.g. 0-1,2-3")
    ap.add_argument("--ranks", type=int, default=0)
    ap.add_argument("--status", default="complete")
    ap.add_argument("--allow-skipped", action="store_true")
    args = ap.parse_args()

    with open(SCHEMA) as f:
        schema = json.load(f)
    with open(args.report) as f:
        doc = json.load(f)
    problems = []
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError as e:
        problems.append("schema: %s at %s" % (e.message, "/".join(map(str, e.absolute_path))))
    if doc.get("status") != args.status:
        problems.append("status is %r, expected %r" % (doc.get("status"), args.status))
    if args.ranks and doc["context"]["job"]["ranks"] != args.ranks:
        problems.append("context has %d ranks, expected %d" % (doc["context"]["job"]["ranks"], args.ranks))
    seen, side = {}, {}
    for r in doc.get("results", []):
        key = (r.get("run"), r["path"], r["pattern"], tuple(r["ranks"]), r["size"],
               r.get("chunk"), r.get("depth"), r.get("vary", {}).get("value"))
        if key in seen:
            problems.append("duplicate result %s" % (key,))
        seen[key] = r
        if r["status"] == "skipped" and args.allow_skipped:
            continue
        if r["status"] != "ok":
            problems.append("result %s is %s: %s" % (key, r["status"], r.get("reason")))
            continue
        s = r["stats"]
        if not (0 < s["min"] <= s["median"] <= s["max"]):
            problems.append("result %s: statistics out of order or not positive: %s" % (key, s))
        if not (s["median_ci95"][0] <= s["median"] <= s["median_ci95"][1]):
            problems.append("result %s: median outside its confidence interval" % (key,))
        if s["n"] != r["iterations"]:
            problems.append("result %s: %d samples for %d iterations" % (key, s["n"], r["iterations"]))
        raw = samples_of(args.report, r, side)
        if raw is not None and len(raw) != r["iterations"]:
            problems.append("result %s: %d raw samples for %d iterations" % (key, len(raw), r["iterations"]))
        if r["validation"]["status"] != "passed":
            problems.append("result %s: validation %s" % (key, r["validation"]))
    if args.patterns or args.sizes or args.pairs:
        groups = {}
        for key in seen:
            groups.setdefault((key[0], key[1], key[2], key[3]), []).append(key[4])
        pats = set(p for p in args.patterns.split(",") if p)
        if pats and pats != set(k[2] for k in groups):
            problems.append("patterns %s, expected %s" % (sorted(set(k[2] for k in groups)), sorted(pats)))
        if args.pairs:
            want = set(tuple(int(x) for x in p.split("-")) for p in args.pairs.split(","))
            got = set(k[3] for k in groups)
            if want != got:
                problems.append("pairs %s, expected %s" % (sorted(got), sorted(want)))
        if args.sizes:
            for k, sizes in groups.items():
                if len(sizes) != args.sizes:
                    problems.append("%s has %d sizes, expected %d" % (k, len(sizes), args.sizes))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
