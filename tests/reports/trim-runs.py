#!/usr/bin/env python3
"""Copies a gpuxfer-report sweep folder into a test fixture, each report trimmed to what
gpuxfer-report compare and gpuxfer-report plot read: the results (stats, ceilings), the command line, and of
the context the job, the ranks' identity and MPI library, and of their environment only the
variables that the sweep's lines set. The ceilings, plan, resources, samples and the summary
go; the reports stay valid against the schema. The measurements are the runs' own: nothing is
changed but left out.
    tests/reports/trim-runs.py SWEEP_FOLDER FIXTURE_FOLDER
(tests/reports/aa and ab-btl: from results/issue34/cpu-aa-hog and cpu-ab-btl at commit 208e285.)"""
import json
import os
import shutil
import sys

RANK_KEYS = ("rank", "hostname", "pid", "node", "local_rank", "local_size", "mpi_library",
             "cpuset")
RESULT_DROP = ("samples", "samples_file", "auto_candidates", "stages")


def trim(doc, names):
    ctx = doc["context"]
    out = {k: doc[k] for k in ("schema_version", "tool", "command_line", "start_time",
                               "end_time", "status", "exit_code")}
    out["context"] = {"job": ctx["job"], "ranks": [
        dict({k: r[k] for k in RANK_KEYS}, env={k: v for k, v in r["env"].items() if k in names})
        for r in ctx["ranks"]]}
    out["results"] = [{k: v for k, v in r.items() if k not in RESULT_DROP}
                      for r in doc["results"]]
    out["skipped"] = doc["skipped"]
    out["summary"] = []
    return out


def main(src, dst):
    with open(os.path.join(src, "manifest.json")) as f:
        manifest = json.load(f)
    names = {s.split("=", 1)[0] for c in manifest["configurations"] for s in c["settings"]}
    os.makedirs(dst, exist_ok=True)
    shutil.copy(os.path.join(src, "manifest.json"), dst)
    for c in manifest["configurations"]:
        os.makedirs(os.path.join(dst, c["folder"]), exist_ok=True)
        for r in c["runs"]:
            with open(os.path.join(src, r["report"])) as f:
                doc = trim(json.load(f), names)
            with open(os.path.join(dst, r["report"]), "w") as f:
                json.dump(doc, f, separators=(",", ":"))
                f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
