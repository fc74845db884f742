"""gpuxfer-report expect: what a healthy node of one SKU measures, from its golden runs, as a
versioned expectations file that `gpuxfer --check --expect FILE` judges a node against.

From the runs (reports of healthy nodes of one SKU: status complete, exit 0, no health finding
but those --accept-finding names), one expectation per route class, path, memory kinds, pattern
and size: the expected value (the median of the runs' values, a run's value the median of its
points: the pairs of that class), its noise (the points' largest relative distance from it, over
every pair of every run), the bound a check uses, the runs it came from and the SKU facts it is
valid for (rank 0's: GPU model, GPUs the node has, CUDA driver and runtime, NCCL, MPI library).
The rule (docs/line-rates.md): margin = max(--min-margin, min(0.5, 2 x noise)); a bandwidth must
be at least expected x (1 - margin), a latency at most expected / (1 - margin).

A route class is what the node map names a route by, never a pair's ranks: the links it
crosses, narrowest first ("NVLink 4, 18 links"; "PCIe gen5 x16 + PCIe gen5 x16"; a NIC by its
rate, "NIC 400 Gb/s", not its name), "no link" (one GPU's own memory, host memory of one node),
"unknown" where the report does not say. A node whose GPUs are numbered in another order
matches.

--merge joins expectations files of several SKUs into one (a SKU in two of them is refused).
--rules prints Prometheus alerting rules for the metrics `gpuxfer-report openmetrics` exports:
one rule per expectation key, selected by the labels those metrics have (a key measured over
routes of several classes takes the lowest bound: the metric has no route label). --table
prints the expectations as a Markdown table (docs/pairs-and-slurm.md has one).

Exit status: 0; 2 bad input (a report or expectations file it cannot read or use, a run not
healthy, runs of more than one SKU, FILE exists); 3 the output could not be written; 130 Ctrl-C,
143 SIGTERM. Each failure is one line on stderr.
Usage: gpuxfer-report expect RUN.json... -o FILE [--min-margin F] [--accept-finding CHECK]
       gpuxfer-report expect --merge EXPECT.json... -o FILE
       gpuxfer-report expect --rules EXPECT.json [-o FILE]
       gpuxfer-report expect --table EXPECT.json"""
import json
import os
import re
import statistics

import gxreport as gx

PROG = "gpuxfer-report expect"
FORMAT = "gpuxfer-expectations"
VERSION = "1.0"
MIN_MARGIN = 0.10
MAX_NOISE_MARGIN = 0.5
NOISE_TIMES = 2
FACTS = ("gpu_model", "gpus_per_node", "cuda_driver", "cuda_runtime", "nccl", "mpi_library")
# The route's hops as gpuxfer's line_route writes them: "WHAT RATE GB/s" or "WHAT ?", by ", ".
HOP = re.compile(r"(.+?) (?:[0-9.]+ GB/s|\?)(?:, |$)")
NIC_RATE = re.compile(r"^\S+ ([0-9]+) Gb/s$")
NOT_NIC = ("PCIe", "NVLink", "C2C", "the link between sockets")
NO_LINK = ("the same GPU", "host memory on one node")


def hop_class(what):
    """A hop's class: its text, a NIC's by its rate alone (its name differs GPU by GPU)."""
    if what.startswith(NOT_NIC):
        return what
    m = NIC_RATE.match(what)
    return f"NIC {m.group(1)} Gb/s" if m else "NIC (rate unknown)"


def line_class(r):
    """The class from a bandwidth result's own route, None where it has none."""
    route = r.get("line_route")
    if isinstance(route, str) and route:
        hops = HOP.findall(route)
        if hops and "".join(hops) != "":
            return " + ".join(hop_class(h) for h in hops)
    absent = r.get("line_absent")
    if isinstance(absent, str) and absent.startswith(NO_LINK):
        return "no link"
    return None


def mem(r):
    m = r.get("mem") or {}
    return (m.get("src", ""), m.get("dst", ""))


def route_classes(doc):
    """Each ok result's class: its own route; a latency result's (no rate, so no route in the
    report) that of the bandwidth result of its path, memory kinds and ranks; else the context's
    pair: one GPU ("X") is "no link" for a path that does not stage through the host."""
    own, by_pair = {}, {}
    for i, r in enumerate(doc["results"]):
        c = line_class(r)
        if c is not None:
            own[i] = c
            by_pair.setdefault((r["path"], mem(r), tuple(r.get("ranks") or ())), c)
    same_gpu = set()
    for p in (doc.get("context") or {}).get("pairs") or ():
        if isinstance(p, dict) and p.get("link") == "X":
            same_gpu.add(tuple(p.get("ranks") or ()))
    out = {}
    for i, r in enumerate(doc["results"]):
        ranks = tuple(r.get("ranks") or ())
        c = own.get(i) or by_pair.get((r["path"], mem(r), ranks))
        if c is None and ranks in same_gpu and r["path"] not in ("staged", "staged-mpi",
                                                                  "zerocopy"):
            c = "no link"
        out[i] = c or "unknown"
    return out


def facts(doc, name):
    """The SKU facts of a report: of its first rank (a run of one SKU has them alike)."""
    def obj(d, k):  # a member that is not an object (a report the tools took) says nothing
        v = d.get(k)
        return v if isinstance(v, dict) else {}
    ranks = obj(doc, "context").get("ranks")
    ranks = [r for r in ranks if isinstance(r, dict)] if isinstance(ranks, list) else []
    if not ranks:
        raise gx.BadInput(f"{name}: no context.ranks: the SKU facts are unknown")
    first = ranks[0]
    gpu, sw = obj(first, "gpu"), obj(first, "software")
    present = gpu.get("present") is True
    return {"gpu_model": gpu.get("name", "unknown") if present else "none",
            "gpus_per_node": gpu.get("visible_count", 0) if present else 0,
            "cuda_driver": sw.get("cuda_driver", "unknown"),
            "cuda_runtime": sw.get("cuda_runtime", "unknown"),
            "nccl": sw.get("nccl", "unknown"),
            "mpi_library": sw.get("mpi_library", first.get("mpi_library", "unknown"))}


def healthy(doc, name, accept):
    if doc.get("status") != "complete" or doc.get("exit_code") != 0:
        raise gx.BadInput(f"{name}: not a healthy run (status {doc.get('status')}, exit "
                          f"{doc.get('exit_code')}): expectations come from complete runs")
    found = ((doc.get("health") or {}).get("findings")) or []
    bad = sorted({f.get("check", "?") for f in found
                  if isinstance(f, dict) and not f.get("warning") and f.get("check") not in accept})
    if bad:
        raise gx.BadInput(f"{name}: not a healthy run: health finding {', '.join(bad)} "
                          "(--accept-finding CHECK takes a run with it as healthy)")


def sig(v):
    return float(f"{v:.6g}")


def make(reports, min_margin, accept):
    runs, points, sku = [], {}, None
    for name in reports:
        doc = gx.load(name)
        healthy(doc, name, accept)
        f = facts(doc, name)
        if sku is None:
            sku = f
        elif f != sku:
            diff = [k for k in FACTS if f[k] != sku[k]]
            raise gx.BadInput(f"{name}: another SKU than {reports[0]} ({diff[0]}: {f[diff[0]]!r},"
                              f" not {sku[diff[0]]!r}): make a file per SKU, then --merge them")
        sha = gx.digest(doc).hex()
        if any(r["sha256"] == sha for r in runs):
            raise gx.BadInput(f"{name}: the same run as another given (a run counts once)")
        runs.append({"report": os.path.basename(name), "start_time": doc.get("start_time", ""),
                     "sha256": sha})
        classes = route_classes(doc)
        for i, r in enumerate(doc["results"]):
            if r.get("status") != "ok" or r.get("unit") not in ("us", "GB/s"):
                continue
            key = (classes[i], r["path"], mem(r), r["pattern"], r["size"], r["unit"])
            points.setdefault(key, {}).setdefault(len(runs) - 1, []).append(
                r["stats"]["median"])
    if not points:
        raise gx.BadInput("no measured result in " + ", ".join(reports))
    out = []
    for key in sorted(points):
        cls, path, (src, dst), pattern, size, unit = key
        per_run = points[key]
        expected = statistics.median(statistics.median(v) for v in per_run.values())
        noise = max(abs(p - expected) for v in per_run.values() for p in v) / expected
        margin = max(min_margin, min(MAX_NOISE_MARGIN, NOISE_TIMES * noise))
        e = {"route_class": cls, "path": path, "mem": {"src": src, "dst": dst},
             "pattern": pattern, "size": size, "unit": unit, "expected": sig(expected),
             "noise": sig(noise), "margin": sig(margin),
             "runs": sorted(per_run), "points": sum(len(v) for v in per_run.values())}
        if gx.lower_is_better(unit):
            e["at_most"] = sig(expected / (1 - margin))
        else:
            e["at_least"] = sig(expected * (1 - margin))
        out.append(e)
    return {"format": FORMAT, "version": VERSION, "tool": f"{PROG} {gx.tool_version()}",
            "rule": {"min_margin": min_margin, "noise_times": NOISE_TIMES,
                     "max_noise_margin": MAX_NOISE_MARGIN},
            "skus": [{"facts": sku, "runs": runs, "expectations": out}]}


def check_file(doc, name):
    """An expectations file as --merge, --rules and --table read it: its format and version,
    and the members they use (the schema, schema/gpuxfer-expect.schema.json, has all)."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise gx.BadInput(f"{name}: not an expectations file (format is not {FORMAT!r})")
    major = str(doc.get("version", "")).split(".")[0]
    if major != VERSION.split(".")[0]:
        raise gx.BadInput(f"{name}: expectations version {doc.get('version')!r}: this tool "
                          f"reads {VERSION.split('.')[0]}.x")
    skus = doc.get("skus")
    if not isinstance(skus, list) or not skus:
        raise gx.BadInput(f"{name}: no skus")
    for i, s in enumerate(skus):
        if not isinstance(s, dict) or not isinstance(s.get("facts"), dict) or \
                not isinstance(s.get("expectations"), list):
            raise gx.BadInput(f"{name}: skus[{i}]: expected facts and expectations")
        for k in FACTS:
            if k not in s["facts"]:
                raise gx.BadInput(f"{name}: skus[{i}].facts: no {k}")
        for j, e in enumerate(s["expectations"]):
            need = ("route_class", "path", "mem", "pattern", "size", "unit", "expected")
            if not isinstance(e, dict) or any(k not in e for k in need) or \
                    ("at_least" not in e) == ("at_most" not in e):
                raise gx.BadInput(f"{name}: skus[{i}].expectations[{j}]: expected "
                                  f"{', '.join(need)} and at_least or at_most")
    return doc


def read(name):
    try:
        with open(name, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise gx.BadInput(f"{name}: cannot read: {e.strerror}")
    except (ValueError, UnicodeDecodeError) as e:
        raise gx.BadInput(f"{name}: not JSON: {e}")
    return check_file(doc, name)


def merge(names):
    skus, where = [], {}
    for name in names:
        for s in read(name)["skus"]:
            key = json.dumps(s["facts"], sort_keys=True)
            if key in where:
                raise gx.BadInput(f"{name}: its SKU ({s['facts']['gpu_model']}, "
                                  f"{s['facts']['gpus_per_node']} GPUs) is in {where[key]} too")
            where[key] = name
            skus.append(s)
    return {"format": FORMAT, "version": VERSION, "tool": f"{PROG} {gx.tool_version()}",
            "skus": skus}


def quote(text):
    return json.dumps(text)  # a YAML double-quoted scalar reads JSON's escapes alike


def label_text(v):
    """A PromQL label value: the double-quoted string of its grammar (JSON's escapes)."""
    return json.dumps(str(v))


def rules(doc):
    """Prometheus alerting rules: a group per SKU, a rule per measurement key (openmetrics'
    labels: no route class, so the lowest bound of the classes a key has)."""
    from gxreport import openmetrics as om
    out = ["# Made by " + quote(f"{PROG} {gx.tool_version()}") + " from expectations: "
           "Prometheus alerting rules for gpuxfer-report openmetrics' metrics.", "groups:"]
    for s in doc["skus"]:
        f = s["facts"]
        name = f"gpuxfer expectations {f['gpu_model']} x{f['gpus_per_node']}"
        out += [f"  - name: {quote(name)}", "    rules:"]
        keys = {}
        for e in s["expectations"]:
            k = (e["path"], e["mem"]["src"], e["mem"]["dst"], e["pattern"], e["size"], e["unit"])
            low = "at_most" in e
            bound = e["at_most"] if low else e["at_least"]
            old = keys.get(k)
            keys[k] = bound if old is None else (max(old, bound) if low else min(old, bound))
        for (path, src, dst, pattern, size, unit), bound in sorted(keys.items()):
            metric, _, factor = om.MEDIANS[unit]
            labels = {"path": path, "src_mem": src, "dst_mem": dst, "pattern": pattern,
                      "size": size}
            if f["gpu_model"] != "none":
                labels["initiator_gpu_model"] = f["gpu_model"]
            sel = ",".join(f"{k}={label_text(v)}" for k, v in labels.items())
            op = ">" if gx.lower_is_better(unit) else "<"
            what = "above" if op == ">" else "below"
            out += [f"      - alert: GpuxferBelowExpected",
                    f"        expr: {quote(f'{metric}{{{sel}}} {op} {bound * factor:.6g}')}",
                    "        labels:",
                    "          severity: warning",
                    "        annotations:",
                    "          summary: " + quote(
                        f"{path} {pattern} at {gx.size_text(size)} {what} the expected "
                        f"{bound:g} {unit} on {{{{ $labels.initiator_host }}}}")]
    return "\n".join(out) + "\n"


def table(doc):
    out = []
    for s in doc["skus"]:
        f = s["facts"]
        out += [f"{f['gpu_model']}, {f['gpus_per_node']} GPUs; CUDA driver {f['cuda_driver']}, "
                f"runtime {f['cuda_runtime']}, NCCL {f['nccl']}", "",
                "| route class | path | mem | pattern | size | expected | noise | bound |",
                "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |"]
        for e in s["expectations"]:
            bound = (f"<= {e['at_most']:g}" if "at_most" in e else f">= {e['at_least']:g}")
            out.append(f"| {e['route_class']} | {e['path']} | {e['mem']['src']}>"
                       f"{e['mem']['dst']} | {e['pattern']} | {gx.size_text(e['size'])} | "
                       f"{e['expected']:g} {e['unit']} | {100 * e['noise']:.1f}% | {bound} |")
        out.append("")
    return "\n".join(out)


def write(doc_text, out, force):
    if out:
        gx.write_new(out, force, lambda f: f.write(doc_text.encode("utf-8")))
    else:
        print(doc_text, end="")


def main(argv):
    ap = gx.ArgumentParser(prog=PROG, description=__doc__.split("\nUsage:")[0],
                           formatter_class=gx.argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", metavar="FILE")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--merge", action="store_true", help="join expectations files")
    mode.add_argument("--rules", action="store_true", help="Prometheus alerting rules")
    mode.add_argument("--table", action="store_true", help="a Markdown table")
    ap.add_argument("-o", "--output", help="the file to write (stdout for --rules, --table)")
    ap.add_argument("--force", action="store_true", help="overwrite --output")
    ap.add_argument("--min-margin", type=gx.number_in(0, 1, low_open=False, high_open=True),
                    default=MIN_MARGIN, help=f"the least margin (default {MIN_MARGIN})")
    ap.add_argument("--accept-finding", action="append", default=[], metavar="CHECK",
                    help="a health finding that does not make a run unhealthy")
    a = ap.parse_args(argv)
    if a.rules or a.table:
        if len(a.files) != 1:
            raise gx.BadInput("--rules and --table read one expectations file")
        doc = read(a.files[0])
        write(rules(doc) if a.rules else table(doc), a.output, a.force)
        return 0
    if not a.output:
        raise gx.BadInput("-o FILE: where the expectations go")
    doc = merge(a.files) if a.merge else make(a.files, a.min_margin, set(a.accept_finding))
    write(json.dumps(doc, indent=1) + "\n", a.output, a.force)
    return 0
