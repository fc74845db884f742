"""Writes reports as OpenMetrics text for node_exporter's textfile collector. Each measured
result's median, its share of the line rate, the run's verdict and each health finding become
gauges that a fleet's dashboards and alerts select by label (the collector reads the text as the
Prometheus text format).

Metrics (gauges; in base units, as Prometheus names them: a median in seconds or bytes a second):
  gpuxfer_result_median_seconds           a result in us (latency): its median
  gpuxfer_result_median_bytes_per_second  a result in GB/s (bw, bibw): its median (x 1e9)
  gpuxfer_result_line_ratio               its median over its route's line rate (the table's
                                          line%, a fraction), where the report has a rate
  gpuxfer_not_measured                    a result skipped or failed, or a path skipped (the
                                          report's skipped[]): how many with those labels
  gpuxfer_run_exit_code                   gpuxfer's exit status; label status: the run's
  gpuxfer_run_results                     the report's results per status (ok, skipped, failed)
  gpuxfer_run_end_timestamp_seconds       when the run ended, Unix time (a value, no timestamp)
  gpuxfer_health_findings                 the health verdict: its findings, 0 healthy (schema
                                          2.7 on; absent before), warnings not counted
  gpuxfer_health_check_findings           the findings of each check run (label check)
  gpuxfer_health_finding                  1 a finding: check, severity (finding, or warning:
                                          no verdict), rank, host, gpu, line, evidence
A result's labels: run, path, pattern, src_mem, dst_mem, size (bytes), chunk, depth and
chunk_auto (chunked paths), initiator and peer (ranks), initiator_host, peer_host,
initiator_gpu, peer_gpu (the PCI bus id, else the GPU's index) and initiator_gpu_model,
peer_gpu_model; a collective's (--pairs job, node) in their place its group's: group_first and
group_last (its first and last rank), group_size (its ranks), group_first_host and
group_last_host; and marks: the result's marks, comma-separated (the noise's waited, tail, wide,
few, drift: a median the machine disturbed; ceiling_exceeded, ceiling_within, ceiling_unsound;
line_exceeded: above the line rate, a wrong route or rate), absent where it has none. A label
without a value (no run name, no GPU) is left out, as Prometheus reads an empty one. Two results
with every label equal (a scenario's runs of one name) are told apart by the run label, name#2,
name#3, as summary and plot name them. With several reports, every sample has a label report,
the report's file as given.

No sample has a timestamp: the textfile collector skips a whole file that has one. Label
values and text are UTF-8; control characters are left out. The text ends with "# EOF"
(OpenMetrics), a comment in the Prometheus text format.

-o FILE is written whole (a temporary file beside it, renamed to FILE: the collector never reads
half of it; it reads only *.prom, not the temporary), never over an existing file or link
without --force, and never over a directory, FIFO, socket or device (a link is replaced itself,
never its target).

Every field a sample is made of is checked first: one of the wrong kind (an exit code that is no
integer, a finding's evidence that is no text, an end time not in gpuxfer's form) is exit 2 with
the field named, never a sample or a label left out.

Exit status: 0; 2 bad input (a report it cannot read or use, one given twice, over 256 MiB:
GX_REPORT_MAX_MIB, a median outside 1e-9..1e15; FILE exists, or is no regular file or link); 3
the text could not be written (a full disk: no partial file is left; stdout full, closed or its
reader gone); 130 Ctrl-C, 143 SIGTERM. Each failure is one line on stderr.
Usage: gpuxfer-report openmetrics REPORT.json [REPORT.json ...] [-o FILE [--force]]"""
import argparse
import datetime
import functools
import os
import sys

import gxreport as gx

PROG = "gpuxfer-report openmetrics"

# A report's unit: the family of its medians, that family's unit, and the factor to it.
MEDIANS = {"us": ("gpuxfer_result_median_seconds", "seconds", 1e-6),
           "GB/s": ("gpuxfer_result_median_bytes_per_second", "bytes_per_second", 1e9)}
STATUSES = ("ok", "skipped", "failed")


@functools.lru_cache(maxsize=None)
def clean(text):
    """A label value as written: without control characters, as every tool leaves them out of
    what it prints (gx.printable; to the collector's parser a raw one is no part of a line), and
    '?' for what is no UTF-8 (a lone surrogate from the JSON)."""
    return gx.printable(text).encode("utf-8", "replace").decode("utf-8")


@functools.lru_cache(maxsize=None)
def escaped(text):
    """A label value quoted as OpenMetrics and the Prometheus text format read it."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def number(v):
    """A sample's value: an int as one, a float as the shortest text that reads back the same."""
    return str(v) if gx.is_int(v) else repr(float(v))


class Family:
    """One metric family: its metadata and its samples, {labels: value}, labels a tuple of
    (name, value) pairs as written (clean), those without a value left out (Prometheus reads an
    empty label as none: two label sets that differ by one would be one series)."""

    def __init__(self, name, help_text, unit=""):
        self.name, self.help, self.unit, self.samples = name, help_text, unit, {}
        # {labels as given: the last number tried for them}: the next sample with those labels
        # goes on from there, never again through every number taken before it.
        self.repeats = {}

    @staticmethod
    def key(labels):
        return tuple((k, c) for k, c in ((k, clean(v)) for k, v in labels) if c)

    def add(self, labels, value):
        """Adds a sample whose labels no other has; a sample whose labels another has already
        is told apart by its run label, name#2, name#3 (as summary and plot number a run seen
        again), or by its report's (two files named alike but for control characters). Returns
        the labels as written."""
        key = self.key(labels)
        if key in self.samples:
            names = [k for k, _ in labels]
            tell = "run" if "run" in names else "report" if "report" in names else None
            if tell is None:
                raise AssertionError(f"{self.name}: two samples with the labels {key}")
            first = key
            n = self.repeats.get(first, 1)
            while key in self.samples:
                n += 1
                key = self.key([(k, f"{v}#{n}" if k == tell else v) for k, v in labels])
            self.repeats[first] = n
        self.samples[key] = value
        return key

    def count(self, labels, n=1):
        """n more of what has these labels (the value counts them)."""
        key = self.key(labels)
        self.samples[key] = self.samples.get(key, 0) + n

    def text(self):
        out = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} gauge"]
        if self.unit:
            out.append(f"# UNIT {self.name} {self.unit}")
        for key, value in self.samples.items():
            labels = ",".join(f'{k}="{escaped(v)}"' for k, v in key)
            out.append(f"{self.name}{{{labels}}} {number(value)}" if labels
                       else f"{self.name} {number(value)}")
        return "\n".join(out) + "\n"


def families():
    """Every family, in the order they are written."""
    fams = [Family(MEDIANS["us"][0], "a latency result's median (gpuxfer's us, in seconds)",
                   MEDIANS["us"][1]),
            Family(MEDIANS["GB/s"][0], "a bandwidth result's median (gpuxfer's GB/s, in bytes "
                   "a second)", MEDIANS["GB/s"][1]),
            Family("gpuxfer_result_line_ratio", "a result's median over the line rate of the "
                   "links it crosses (line% as a fraction; above 1: a wrong route or rate)",
                   "ratio"),
            Family("gpuxfer_not_measured", "results skipped or failed, and paths skipped, with "
                   "these labels (status, reason)"),
            Family("gpuxfer_run_exit_code", "gpuxfer's exit status (0 success, 8 degraded "
                   "hardware, ...), labelled with the run's status"),
            Family("gpuxfer_run_results", "the report's results with this status"),
            Family("gpuxfer_run_end_timestamp_seconds", "when the run ended (Unix time)",
                   "seconds"),
            Family("gpuxfer_health_findings", "the health checks' findings (degraded hardware; "
                   "0: healthy)"),
            Family("gpuxfer_health_check_findings", "the findings of this health check (0: "
                   "passed)"),
            Family("gpuxfer_health_finding", "a health finding (its check, rank, line and "
                   "evidence as labels)")]
    return {f.name: f for f in fams}


def text_of(d, name):
    v = d.get(name) if isinstance(d, dict) else None
    return v if isinstance(v, str) else ""


def rank_facts(doc):
    """{rank: (host, gpu, gpu model)} from the report's context; "" for what it does not say.
    A GPU is named by its PCI bus id (one GPU of the node whatever CUDA_VISIBLE_DEVICES said),
    else by its index."""
    ctx = doc.get("context")
    ranks = ctx.get("ranks") if isinstance(ctx, dict) else None
    out = {}
    for i, r in enumerate(ranks if isinstance(ranks, list) else ()):
        if not isinstance(r, dict):
            continue
        g = r.get("gpu") if isinstance(r.get("gpu"), dict) else {}
        gpu, model = "", ""
        if g.get("present") is not False:
            gpu = text_of(g, "pci_bus_id")
            for index in ("physical_index", "visible_index"):
                if not gpu and gx.is_int(g.get(index)):
                    gpu = str(g[index])
            model = text_of(g, "name")
        out[r["rank"] if gx.is_int(r.get("rank")) else i] = (text_of(r, "hostname"), gpu, model)
    return out


def pair_labels(facts, ranks):
    """The labels of a pair of ranks (initiator first): the ranks, their hosts and GPUs."""
    if not (isinstance(ranks, list) and len(ranks) == 2 and all(gx.is_int(x) for x in ranks)):
        return []
    (h0, g0, m0), (h1, g1, m1) = (facts.get(x, ("", "", "")) for x in ranks)
    return [("initiator", str(ranks[0])), ("peer", str(ranks[1])),
            ("initiator_host", h0), ("peer_host", h1), ("initiator_gpu", g0),
            ("peer_gpu", g1), ("initiator_gpu_model", m0), ("peer_gpu_model", m1)]


def group_labels(facts, ranks, size):
    """The labels of a collective's group (--pairs job, node): its first and last rank, as the
    report holds them, its size (its ranks) and the hosts of its first and last rank (one
    host for a node's group)."""
    (h0, _, _), (h1, _, _) = (facts.get(x, ("", "", "")) for x in ranks)
    return [("group_first", str(ranks[0])), ("group_last", str(ranks[1])),
            ("group_size", str(size)), ("group_first_host", h0), ("group_last_host", h1)]


def marks(r):
    """A result's marks, comma-separated: its noise marks (and few, from an older report's
    iteration count), then those of its ceiling and line rate; "" for a clean number."""
    out = list(dict.fromkeys(gx.noise_marks(r)))
    if gx.too_few(r) and "few" not in out:
        out.append("few")
    out += [name for name, test in (
        ("ceiling_exceeded", gx.ceiling_exceeded), ("ceiling_within", gx.ceiling_within),
        ("ceiling_unsound", gx.ceiling_unsound), ("line_exceeded", gx.line_exceeded)) if test(r)]
    return ",".join(out)


def result_labels(r, facts, head):
    chunked = "chunk" in r or "depth" in r
    return head + [
        ("run", r.get("run", "")), ("path", r["path"]), ("pattern", r["pattern"]),
        ("src_mem", r["mem"]["src"]), ("dst_mem", r["mem"]["dst"]), ("size", str(r["size"])),
        ("chunk", str(r.get("chunk", "")) if chunked else ""),
        ("depth", str(r.get("depth", "")) if chunked else ""),
        ("chunk_auto", "true" if r.get("chunk_auto") else "")] + (
            group_labels(facts, r["ranks"], r["group"]) if "group" in r
            else pair_labels(facts, r["ranks"]))


def unix_time(text):
    """A time in gpuxfer's form (UTC, ISO 8601) as Unix time; None for anything else."""
    for form in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            t = datetime.datetime.strptime(text, form)
        except (TypeError, ValueError):
            continue
        return t.replace(tzinfo=datetime.timezone.utc).timestamp()
    return None


# What the samples are made of beyond what every tool reads (gx.REPORT): each field a sample's
# value or label comes from, checked before any is written, so that none is left out for a
# value of the wrong kind (exit 2, the field named, as every tool names a field it cannot use).
REQ, OPT, TEXT = gx.REQ, gx.OPT, gx.STRING
RANK_OR_NULL = gx.Leaf("an integer from 0 or null",
                       lambda v: v is None or gx.is_int(v) and v >= 0)
EXIT_CODE = gx.Leaf("an integer from 0 to 255 (gpuxfer's exit status)",
                    lambda v: gx.is_int(v) and 0 <= v <= 255)
TIME = gx.Leaf("a UTC time as gpuxfer writes it (2026-01-31T12:00:00.000Z)",
               lambda v: unix_time(v) is not None)
GPU = gx.Obj({"present": (OPT, gx.BOOL), "pci_bus_id": (OPT, TEXT),
              "physical_index": (OPT, gx.COUNT), "visible_index": (OPT, gx.COUNT),
              "name": (OPT, TEXT)})
FINDING = gx.Obj({"check": (REQ, TEXT), "rank": (REQ, RANK_OR_NULL), "line": (REQ, TEXT),
                  "evidence": (REQ, TEXT), "severity": (OPT, TEXT)})
EXPORTED = gx.Obj({
    "exit_code": (REQ, EXIT_CODE), "status": (REQ, TEXT), "end_time": (REQ, TIME),
    "skipped": (OPT, gx.List(gx.Obj({"path": (REQ, TEXT), "reason": (REQ, TEXT),
                                     "run": (OPT, TEXT), "ranks": (OPT, gx.PAIR)}))),
    "context": (OPT, gx.Obj({"ranks": (OPT, gx.List(gx.Obj({
        "rank": (OPT, gx.COUNT), "hostname": (OPT, TEXT), "gpu": (OPT, GPU)})))})),
    "health": (OPT, gx.Obj({"checks": (REQ, gx.List(TEXT)),
                            "findings": (REQ, gx.List(FINDING))}))})
# A result's collective (--pairs job, node): its group's size is a label.
COLLECTIVE = gx.Obj({"ranks": (REQ, gx.Leaf("an integer from 2 (the group's ranks)",
                                            lambda v: gx.is_int(v) and 2 <= v <= gx.MAX_INT))})


def check_exported(path, doc):
    """BadInput naming the file and the first field a sample would be made of that is not of
    its kind (a report's results were checked as they were read: reader())."""
    try:
        EXPORTED.check(dict(doc, results=[]))
        for i, r in enumerate(doc["results"]):
            if isinstance(r.get("group"), gx.Mismatch):
                r["group"].place += ["collective", i, "results"]
                raise r["group"]
    except gx.Mismatch as e:
        raise gx.BadInput(f"{path}: {e.message()}")


# The fields of a result its samples' labels are made of (result_labels, add_report).
LABEL_FIELDS = ("status", "reason", "unit", "run", "path", "pattern", "mem", "size", "chunk",
                "depth", "chunk_auto", "ranks")


def reader():
    """gx.load's keep for openmetrics: of a result, the fields its samples are made of, its
    median, marks and line share worked out as it is read (a sweep's report is never held
    whole: its results' statistics, noise and stop rule are dropped as they come); a
    collective's group size as "group", or what is wrong with its collective (check_exported
    names it)."""
    def keep(r):
        k = {n: r[n] for n in LABEL_FIELDS if n in r}
        if "collective" in r:
            try:
                COLLECTIVE.check(r["collective"])
                k["group"] = r["collective"]["ranks"]
            except gx.Mismatch as e:
                k["group"] = e
        if r["status"] == "ok":
            k["median"], k["marks"], k["line_share"] = (r["stats"]["median"], marks(r),
                                                        gx.line_share(r))
        return k
    return keep


def add_report(fams, doc, head):
    """The samples of one report (its results as reader() keeps them); head: the labels every
    one of its samples starts with."""
    facts = rank_facts(doc)
    for r in doc["results"]:
        labels = result_labels(r, facts, head)
        if r["status"] != "ok":
            fams["gpuxfer_not_measured"].count(labels + [("status", r["status"]),
                                                         ("reason", text_of(r, "reason"))])
            continue
        name, _, factor = MEDIANS[r["unit"]]
        key = fams[name].add(labels + [("marks", r["marks"])], r["median"] * factor)
        share = r["line_share"]
        if share is not None:
            fams["gpuxfer_result_line_ratio"].add(key, share)
    skipped = doc.get("skipped")
    for s in skipped if isinstance(skipped, list) else ():
        if isinstance(s, dict):
            fams["gpuxfer_not_measured"].count(
                head + [("run", text_of(s, "run")), ("path", text_of(s, "path"))] +
                pair_labels(facts, s.get("ranks")) +
                [("status", "skipped"), ("reason", text_of(s, "reason"))])
    fams["gpuxfer_run_exit_code"].add(head + [("status", doc["status"])], doc["exit_code"])
    for st in STATUSES:
        fams["gpuxfer_run_results"].add(head + [("status", st)],
                                        sum(1 for r in doc["results"] if r["status"] == st))
    fams["gpuxfer_run_end_timestamp_seconds"].add(head, unix_time(doc["end_time"]))
    add_health(fams, doc.get("health"), facts, head)


def add_health(fams, health, facts, head):
    if not isinstance(health, dict):
        return  # a report before schema 2.7: no verdict, not a healthy one
    checks = health.get("checks")
    found = health.get("findings")
    found = [f for f in found if isinstance(f, dict)] if isinstance(found, list) else []
    verdict = [f for f in found if text_of(f, "severity") != "warning"]
    fams["gpuxfer_health_findings"].add(head, len(verdict))
    per_check = dict.fromkeys(c for c in checks if isinstance(c, str)) if isinstance(
        checks, list) else {}
    for f in found:
        per_check.setdefault(text_of(f, "check"), None)
    for check in per_check:
        fams["gpuxfer_health_check_findings"].count(
            head + [("check", check)], sum(1 for f in verdict if text_of(f, "check") == check))
    for f in found:
        rank = f.get("rank")
        host, gpu, model = facts.get(rank, ("", "", "")) if gx.is_int(rank) else ("", "", "")
        fams["gpuxfer_health_finding"].count(head + [
            ("check", text_of(f, "check")),
            ("severity", text_of(f, "severity") or "finding"),
            ("rank", str(rank) if gx.is_int(rank) else ""),
            ("host", host), ("gpu", gpu), ("gpu_model", model), ("line", text_of(f, "line")),
            ("evidence", text_of(f, "evidence"))])


def exposition(paths, docs):
    """The OpenMetrics text of the reports."""
    fams = families()
    for path, doc in zip(paths, docs):
        add_report(fams, doc, [("report", path)] if len(docs) > 1 else [])
    return "".join(f.text() for f in fams.values() if f.samples) + "# EOF\n"


def main(argv):
    ap = gx.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                           epilog="\n\n".join(__doc__.split("\nUsage:")[0].split("\n\n")[1:]),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("reports", nargs="+", metavar="REPORT.json",
                    help="gpuxfer reports (several: each sample labelled with its report)")
    ap.add_argument("-o", "--output", metavar="FILE",
                    help="write the text to FILE, whole or not at all (for the textfile "
                         "collector: a *.prom file in its folder); default stdout")
    ap.add_argument("--force", action="store_true",
                    help="replace an existing FILE (without it that is exit 2)")
    a = ap.parse_args(argv)
    if a.output:
        gx.check_output(a.output, a.force, label=f"-o {a.output}")
    docs = [gx.load(p, identify=len(a.reports) > 1, keep=reader()) for p in a.reports]
    for path, doc in zip(a.reports, docs):
        check_exported(path, doc)
    if len(docs) > 1:
        gx.distinct(docs)
    data = exposition(a.reports, docs).encode("utf-8")
    if a.output:
        gx.write_new(a.output, a.force, lambda f: f.write(data))
        return 0
    # Bytes, not text through the tools' stdout: the format is UTF-8 whatever the locale (a
    # C locale's stdout would escape a non-ASCII host name), and its text is printable already.
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # stdout closed at the start: the write fails as any closed output does
        sys.stdout.write(data.decode("utf-8"))
    else:
        out.write(data)
        out.flush()
    return 0
