"""gpuxfer-report's package: reading gpuxfer reports, shared by its subcommands (stdlib only);
the subcommands are the modules beside this file and the door is cli.py."""
import argparse
import codecs
import collections
import errno
import gc
import hashlib
import json
import math
import os
import random
import re
import shutil
import signal
import stat
import statistics
import sys
import tempfile

# The report schema's majors these scripts read: 2.0 changed only the ceilings' object
# (ceilings measured by probes, per rank pair, their best iteration), which measured_ceiling()
# reads in both forms. 2.12 renamed that object from "calibration" to "ceilings"; ceilings_of()
# finds it under either.
SCHEMA_MAJORS = (1, 2)


class BadInput(Exception):
    """A file or an option that the scripts cannot use; run() turns it into one line on stderr
    and exit status 2."""


# --- Checking what the scripts read -----------------------------------------------------------
# A report is checked once, when it is loaded, for every field that some script reads: its type,
# and for numbers that they are finite. A field the schema requires is required here only where
# a script needs it. The check names the first bad field by its place in the document:
#   B.json: results[3].stats.median: expected a number, got "x"

MISSING = object()


# The largest magnitude a number of a report may have. Every quantity gpuxfer measures is far
# below it (a latency of 1e15 us is 31 years, a bandwidth of 1e15 GB/s a zettabyte a second), and
# below it the tools' arithmetic cannot overflow: products of a few such numbers, their logs and
# ratios stay finite, where 1e308 or a 400-digit integer made inf or an OverflowError.
MAX_VALUE = 1e15
# A median is what the tools divide by and take the log of: a time or a bandwidth, never 0 or
# below, and above a femto-unit (1e-9 us, 1 byte a second in GB/s) for the same reason as above.
MIN_MEDIAN = 1e-9
# Integers a report holds (counts, sizes, ranks) fit gpuxfer's 64-bit ones.
MAX_INT = (1 << 63) - 1


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_numeric(v):
    """A JSON number, finite (Python's json reads NaN and Infinity)."""
    return is_int(v) or isinstance(v, float) and math.isfinite(v)


def is_number(v):
    # An int is compared as an int: 10**400 would overflow a conversion to float.
    return is_numeric(v) and -MAX_VALUE <= v <= MAX_VALUE


def is_median(v):
    return is_numeric(v) and MIN_MEDIAN <= v <= MAX_VALUE


def shown(v):
    """A value as an error message shows it: short scalars as JSON, containers by their kind."""
    if v is MISSING:
        return "nothing (the field is missing)"
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "a list"
    if is_int(v) and abs(v) >= 10 ** 40:
        return f"an integer of {len(str(abs(v)))} digits"
    text = json.dumps(v)
    return text if len(text) <= 40 else text[:37] + ('..."' if text[0] == '"' else "...")


class Mismatch(Exception):
    """A value that is not what its node expects; `place` is filled in, innermost first, by the
    nodes it is raised through (nothing is spent on the place while every value is right)."""

    def __init__(self, expected, got):
        super().__init__()
        self.expected, self.got, self.place = expected, got, []

    def where(self):
        text = ""
        for part in reversed(self.place):
            text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
        return text or "top level"

    def message(self):
        return f"{self.where()}: expected {self.expected}, got {self.got}"


# Every node has check(v), which names what is wrong and where, and fast(v): whether check(v)
# would pass, at a fraction of its cost (no place kept, the leaves' tests inline). A report is
# checked by fast() first and by check() only where fast() finds something, for its message:
# a sweep's report has millions of values, each one checked. fast() may refuse what check()
# accepts (check() then decides), never the other way round.

class Leaf:
    """inline: fast() as an expression of x, written into the fast() of an object that has the
    leaf as a field's node (Obj), where a call for each of a result's fields would cost more
    than its test."""

    def __init__(self, what, test, inline=None):
        self.what, self.test, self.inline = what, test, inline
        self.fast = eval("lambda x: " + inline) if inline else test

    def check(self, v):
        if not self.test(v):
            raise Mismatch(self.what, shown(v))


class Ranged(Leaf):
    """A number in a range: a value of another kind is named as such ("expected a number"), one
    out of the range by the range."""

    def __init__(self, test, low, high, what="a number", why=""):
        null = what.endswith("or null")
        # A float between the ends is finite; a bool is no int here (type, not isinstance).
        super().__init__(what, lambda v: v is None and null or is_numeric(v),
                         f"(type(x) is float or type(x) is int) and {low!r} <= x <= {high!r}"
                         + (" or x is None" if null else ""))
        self.in_range = test
        self.range = f"a number from {low:g} to {high:g}{why}" + what[len("a number"):]
        self.low, self.high, self.null = low, high, null

    def check(self, v):
        super().check(v)
        if v is not None and not self.in_range(v):
            raise Mismatch(self.range, shown(v))


class Obj:
    """An object with the fields {name: (required, node)}; `rest`: the node of other fields."""

    def __init__(self, fields, rest=None, what="an object"):
        self.nodes = {name: node for name, (_, node) in fields.items()}
        self.required = [name for name, (required, _) in fields.items() if required]
        self.rest, self.what = rest, what
        # fast() written out as one expression: each known field's test inline where its node is
        # a leaf, a short list of leaves or an object of such fields (a call of the node's
        # fast() where not), the other fields by rest's.
        env = {"M": MISSING, "known": frozenset(self.nodes), "rest": rest.fast if rest else None}
        code = ["def fast(v):", f"    if not {_fields_expression(self, 'v', env)}:",
                "        return False"]
        if rest:
            code += ["    for name, x in v.items():",
                     "        if name not in known and not rest(x):", "            return False"]
        code.append("    return True")
        exec("\n".join(code), env)
        self.fast = env["fast"]
        if len(self.nodes) >= LAYOUT_FIELDS:
            self.fast = _by_layout(self, self.fast)

    def check(self, v):
        if not isinstance(v, dict):
            raise Mismatch(self.what, shown(v))
        for name in self.required:
            if name not in v:
                e = Mismatch(self.nodes[name].what, shown(MISSING))
                e.place.append(name)
                raise e
        # The fields present, not every field known: most optional ones are absent.
        for name, x in v.items():
            node = self.nodes.get(name, self.rest)
            if node:
                try:
                    node.check(x)
                except Mismatch as e:
                    e.place.append(name)
                    raise


# The longest list of a fixed length whose items' tests are written out, one by one, in the
# fast() of the object that holds it (a pair of ranks, an interval's two ends).
INLINE_ITEMS = 4


def _expression(node, var, env):
    """An expression that is node.fast(var)'s answer, var a plain name: a leaf's test, a short
    list's or an object's written out (Obj), else a call of node.fast (env: the names it
    uses)."""
    if isinstance(node, Leaf) and node.inline:
        return "(" + re.sub(r"\bx\b", lambda _: var, node.inline) + ")"
    if isinstance(node, List) and node.length and node.length <= INLINE_ITEMS and \
            isinstance(node.item, Leaf) and node.item.inline:
        return "(" + " and ".join([f"type({var}) is list", f"len({var}) == {node.length}"] + [
            _expression(node.item, f"{var}[{i}]", env) for i in range(node.length)]) + ")"
    if isinstance(node, Obj) and node.rest is None:
        return _fields_expression(node, var, env)
    name = f"fast{len(env)}"
    env[name] = node.fast
    return f"{name}({var})"


# An object of this many known fields (a result) is tested by its layout (_by_layout): most of
# them optional, the lookups of those it lacks would cost more than its own fields' tests.
LAYOUT_FIELDS = 20
# The layouts an object's test is written for; a report's results have a few (a hand-made or
# damaged report any number: those past these get the test of every field).
LAYOUTS = 64


def _by_layout(obj, generic):
    """obj.fast for an object of many optional fields: a test written for each layout met (its
    fields' names in their order), of the fields it has, each taken by its name; generic, the
    test of every known field, past LAYOUTS layouts."""
    layouts = {}

    def fast(v):
        if type(v) is not dict:
            return False
        layout = tuple(v)
        test = layouts.get(layout)
        if test is None:
            if len(layouts) >= LAYOUTS:
                return generic(v)
            test = layouts[layout] = _layout_test(obj, layout)
        return test(v)
    return fast


def _layout_test(obj, layout):
    """obj.fast for a dict whose fields are `layout`, in that order."""
    if not set(obj.required) <= set(layout):
        return lambda v: False
    env = {"M": MISSING}
    parts = ["True"]
    for name in layout:
        node = obj.nodes.get(name, obj.rest)
        if node is not None:
            field = f"x{len(env)}"
            env[field] = None  # keeps the name taken
            parts.append(f"(({field} := v[{name!r}]) is not M and "
                         f"{_expression(node, field, env)})")
    exec("def fast(v):\n    return " + " and ".join(parts), env)
    return env["fast"]


def _fields_expression(obj, var, env):
    """obj.fast(var)'s answer but for the fields of obj's rest: a dict whose required fields
    are there and whose known fields pass their nodes' tests, each read once into a name of
    its own."""
    parts = [f"type({var}) is dict"]
    for name, node in obj.nodes.items():
        field = f"x{len(env)}"
        env[field] = None  # keeps the name taken
        got = f"({field} := {var}.get({name!r}, M))"
        test = _expression(node, field, env)
        parts.append(f"({got} is not M and {test})" if name in obj.required else
                     f"({got} is M or {test})")
    return "(" + " and ".join(parts) + ")"


def numbers_fast(low, high, length):
    """List(Ranged).fast for a range without null, a list's numbers tested at once (a result's
    samples: a sweep's report has millions): each an int or a float (no bool), the least and the
    largest within the range, and no NaN. A NaN first in the list is min's and max's answer,
    and fails the range; elsewhere neither takes it, and their answers hold for the other items,
    which are then finite: a NaN among them makes their sum NaN."""
    kinds = {int, float}

    def fast(v):
        if type(v) is not list or length and len(v) != length:
            return False
        if not v:
            return True
        if not kinds.issuperset(map(type, v)):
            return False
        if not (low <= min(v) and max(v) <= high):
            return False
        total = sum(v)
        return total == total
    return fast


class List:
    def __init__(self, item, length=None):
        self.item, self.length = item, length
        self.what = f"a list of {length} items" if length else "a list"
        item_fast = item.fast
        if isinstance(item, Ranged) and not item.null:
            self.fast = numbers_fast(item.low, item.high, length)
        else:
            self.fast = lambda v: type(v) is list and (not length or len(v) == length) and all(
                map(item_fast, v))

    def check(self, v):
        if not isinstance(v, list):
            raise Mismatch(self.what, shown(v))
        if self.length and len(v) != self.length:
            raise Mismatch(self.what, f"{len(v)} items")
        for i, x in enumerate(v):
            try:
                self.item.check(x)
            except Mismatch as e:
                e.place.append(i)
                raise


STRING = Leaf("a string", lambda v: isinstance(v, str), "type(x) is str")
BOOL = Leaf("true or false", lambda v: isinstance(v, bool), "x is True or x is False")
NUMBER = Ranged(is_number, -MAX_VALUE, MAX_VALUE)
MEDIAN = Ranged(is_median, MIN_MEDIAN, MAX_VALUE, why=" (a median is a time or a bandwidth)")
NUMBER_OR_NULL = Ranged(is_number, -MAX_VALUE, MAX_VALUE, "a number or null")
COUNT = Leaf("an integer from 0 to 2**63 - 1", lambda v: is_int(v) and 0 <= v <= MAX_INT,
             f"type(x) is int and 0 <= x <= {MAX_INT}")
POSITIVE = Leaf("an integer from 1 to 2**63 - 1", lambda v: is_int(v) and 1 <= v <= MAX_INT,
                f"type(x) is int and 1 <= x <= {MAX_INT}")
# A message size gpuxfer can have (size_t, and what a plot's log axis can hold): 10**30 is not.
SIZE = Leaf("an integer from 1 to 2**63 - 1", lambda v: is_int(v) and 1 <= v < 1 << 63,
            f"type(x) is int and 1 <= x < {1 << 63}")
UNIT = Leaf('"us" or "GB/s"', lambda v: v in ("us", "GB/s"), 'x in ("us", "GB/s")')
MEM = Obj({"src": (True, STRING), "dst": (True, STRING)})
# A value of --vary's option: its words as given (1M, pinned), or a number (a depth, a window).
VARY_VALUE = Leaf("a string or a number",
                  lambda v: type(v) in (str, int) or type(v) is float and math.isfinite(v),
                  "type(x) in (str, int) or type(x) is float and -1e308 < x < 1e308")
PAIR = List(COUNT, 2)
REQ, OPT = True, False
# Any word is a mark: a mark a later gpuxfer adds still makes the median unreliable.
NOISE = Obj({"marks": (REQ, List(STRING)), "why": (OPT, STRING),
             **{k: (OPT, NUMBER) for k in ("cpu_wait", "tail", "median_ci")}})
STATS = Obj({"median": (REQ, MEDIAN), "median_ci95": (OPT, List(NUMBER, 2)), "n": (OPT, POSITIVE),
             **{k: (OPT, NUMBER) for k in ("min", "max", "mean", "p5", "p95", "p99", "stddev", "cv")}})
RESULT = Obj({
    "path": (REQ, STRING), "pattern": (REQ, STRING), "unit": (REQ, UNIT), "size": (REQ, SIZE),
    "status": (REQ, STRING), "mem": (REQ, MEM), "ranks": (REQ, PAIR),
    "chunk": (OPT, POSITIVE), "depth": (OPT, POSITIVE), "chunk_auto": (OPT, BOOL),
    "iterations": (OPT, POSITIVE), "warmup": (OPT, COUNT), "window": (OPT, POSITIVE),
    "clock": (OPT, STRING), "via": (OPT, STRING), "run": (OPT, STRING), "rotation": (OPT, POSITIVE),
    "samples": (OPT, List(NUMBER)),
    "samples_file": (OPT, Obj({"file": (REQ, STRING), "line": (REQ, POSITIVE), "n": (REQ, COUNT)})),
    "ceiling": (OPT, NUMBER), "efficiency": (OPT, NUMBER), "line_gbs": (OPT, NUMBER),
    "line_share": (OPT, NUMBER), "line_exceeded": (OPT, BOOL), "line_absent": (OPT, STRING),
    "line_route": (OPT, STRING),
    "ceiling_what": (OPT, STRING), "reason": (OPT, STRING), "ceiling_absent": (OPT, STRING),
    "ceiling_unsound": (OPT, BOOL), "noise": (OPT, NOISE),
    "auto_candidates": (OPT, List(Obj({"chunk": (REQ, POSITIVE), "depth": (REQ, POSITIVE),
                                       "median": (REQ, NUMBER)}))),
    "stats": (OPT, STATS),
    "stop": (OPT, Obj({"by": (REQ, STRING), "precision_asked": (OPT, NUMBER),
                       "visit_medians": (OPT, List(NUMBER))})),
    "vary": (OPT, Obj({"option": (REQ, STRING), "value": (REQ, VARY_VALUE)})),
    "stages": (OPT, List(Obj({"name": (REQ, STRING), "initiator_us": (REQ, NUMBER),
                              "peer_us": (REQ, NUMBER)})))})
CURVE = Obj({"points": (OPT, List(Obj({"size": (REQ, SIZE), "median": (OPT, NUMBER),
                                        "best": (OPT, NUMBER)})))})
CEILINGS = Obj({
    "gpus": (OPT, List(Obj({"rank": (OPT, COUNT)}, rest=CURVE))),
    "gpu_pairs": (OPT, List(Obj({"ranks": (OPT, PAIR)}, rest=CURVE))),
    "rank_pairs": (OPT, List(Obj({"ranks": (OPT, PAIR)}, rest=CURVE)))})
MATRIX = Obj({"path": (REQ, STRING), "pattern": (REQ, STRING), "size": (REQ, SIZE),
              "unit": (OPT, UNIT), "mem": (OPT, MEM), "chunk": (OPT, POSITIVE),
              "depth": (OPT, POSITIVE), "chunk_choice": (OPT, STRING),
              "values": (REQ, List(List(NUMBER_OR_NULL)))})
REPORT = Obj({
    "results": (REQ, List(RESULT)), "command_line": (OPT, List(STRING)),
    "context": (OPT, Obj({"job": (OPT, Obj({})),
                          "run": (OPT, Obj({"vary": (OPT, Obj({
                              "option": (REQ, STRING), "values": (REQ, List(VARY_VALUE))}))})),
                          "ranks": (OPT, List(Obj({"env": (OPT, Obj({})),
                                                   "gpu": (OPT, Obj({"name": (OPT, STRING)}))})))})),
    "ceilings": (OPT, CEILINGS), "calibration": (OPT, CEILINGS),  # its name before 2.12
    "matrices": (OPT, List(MATRIX)),
    "interference": (OPT, Obj({"load_average": (OPT, List(NUMBER, 2)),
                               **{k: (OPT, NUMBER) for k in (
                                   "results_measured", "results_noisy", "results_few", "results_drift",
                                   "results_two_speeds", "ceilings_unsound",
                                   "ceilings_exceeded", "cpu_wait_max", "cpus_online")}}))})


def settle(r):
    """The status rule (gpuxfer's gx_result_settle): a result whose data check failed is failed,
    whatever status its report gave it (earlier reports kept "ok" beside the failed
    validation), so that no tool counts its numbers as a measurement."""
    v = r.get("validation")
    if isinstance(v, dict) and v.get("status") == "failed" and r.get("status") != "skipped":
        if r.get("status") != "failed":
            r["reason"] = "received data did not match what was sent" + (
                f" (first bad byte at offset {v['first_bad_offset']})"
                if is_int(v.get("first_bad_offset")) else "")
        r["status"] = "failed"
        r.pop("stats", None)


def check_report(doc):
    """Raises BadInput (without the file name) for the first field the scripts cannot use."""
    if not isinstance(doc, dict):
        raise BadInput(f"top level: expected an object (a gpuxfer report), got {shown(doc)}")
    tool = doc.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "gpuxfer":
        raise BadInput(f"not a gpuxfer report (tool.name: expected \"gpuxfer\", got "
                       f"{shown(tool.get('name', MISSING) if isinstance(tool, dict) else MISSING)})")
    ver = doc.get("schema_version", MISSING)
    try:
        major = int(str(ver).split(".")[0])
    except ValueError:
        raise BadInput(f"schema_version: expected \"{SCHEMA_MAJORS[-1]}.x\", got {shown(ver)}")
    if major not in SCHEMA_MAJORS:
        raise BadInput(f"schema version {ver}, this script reads "
                       f"{' or '.join('%d.x' % m for m in SCHEMA_MAJORS)}")
    if not REPORT.fast(doc):
        try:
            REPORT.check(doc)
        except Mismatch as e:
            raise BadInput(e.message())
    for r in doc["results"]:
        settle(r)
    for i, r in enumerate(doc["results"]):
        if r["status"] == "ok" and "stats" not in r:
            raise BadInput(f"results[{i}].stats: expected an object (status is \"ok\"), got "
                           f"{shown(MISSING)}")
    for i, m in enumerate(doc.get("matrices", [])):
        for j, row in enumerate(m["values"]):
            if len(row) != len(m["values"]):
                raise BadInput(f"matrices[{i}].values[{j}]: expected a list of "
                               f"{len(m['values'])} items (a square matrix), got {len(row)} items")


# The largest file the tools read, in MiB (GX_REPORT_MAX_MIB sets another): what a report is
# parsed into takes a few times its size in memory, so a file of any size (a 2 GiB log given by
# mistake) must be refused before it is read, not after. gpuxfer's largest reports, a sweep of
# every pair (a quarter of a million results) or a full sweep with every sample inline, are below
# it.
REPORT_MAX_MIB = 256
REPORT_MAX_MIB_MOST = 1 << 20


def max_report_bytes():
    text = os.environ.get("GX_REPORT_MAX_MIB", "")
    try:
        mib = float(text) if text else REPORT_MAX_MIB
    except ValueError:
        raise BadInput(f"GX_REPORT_MAX_MIB={text!r}: expected a number of MiB")
    # A read of more than 1 TiB at once is no limit the tools can keep (os.read takes a size
    # that fits the platform's index, and memory is far smaller).
    if not (math.isfinite(mib) and 0 < mib <= REPORT_MAX_MIB_MOST):
        raise BadInput(f"GX_REPORT_MAX_MIB={text!r}: out of range (expected a number of MiB "
                       f"above 0, at most {REPORT_MAX_MIB_MOST})")
    return int(mib * (1 << 20))


class _Bounded:
    """`with _Bounded(path, what) as b:` b.file (binary), b.inode ((device, inode)), b.read(n),
    which refuses a file that grows past the limit meanwhile. A regular file of at most
    max_report_bytes(): a FIFO would block the tool and a device such as /dev/zero fill its
    memory; a file over the limit is refused by its size before any of it is read. BadInput
    names the file otherwise."""

    def __init__(self, path, what):
        self.path, self.what = path, what

    def __enter__(self):
        path, what = self.path, self.what
        self.limit = limit = max_report_bytes()
        try:
            self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as e:
            raise BadInput(f"{path}: cannot read: {e.strerror}")
        try:
            st = os.fstat(self.fd)
            if not stat.S_ISREG(st.st_mode):
                raise BadInput(f"{path}: not a regular file (expected {what})")
            self.too_big = BadInput(f"{path}: larger than {limit / (1 << 20):g} MiB "
                                    f"(GX_REPORT_MAX_MIB), not read (expected {what})")
            if st.st_size > limit:
                raise self.too_big
            os.set_blocking(self.fd, True)
            self.file = open(self.fd, "rb", closefd=False)
        except OSError as e:
            os.close(self.fd)
            raise BadInput(f"{path}: cannot read: {e.strerror}")
        except BaseException:
            os.close(self.fd)
            raise
        self.inode, self.total = (st.st_dev, st.st_ino), 0
        return self

    def read(self, n):
        try:
            data = self.file.read(n)
        except OSError as e:
            raise BadInput(f"{self.path}: cannot read: {e.strerror}")
        self.total += len(data)
        if self.total > self.limit:
            raise self.too_big
        return data

    def __exit__(self, *exc):
        self.file.close()
        os.close(self.fd)
        return False


def read_bounded(path, what="a gpuxfer report"):
    """(bytes, (device, inode)) of a regular file of at most max_report_bytes() (_Bounded)."""
    with _Bounded(path, what) as b:
        return b.read(b.limit + 1), b.inode


def parse_json(path, data):
    """data: the file's bytes, or its text already decoded."""
    try:
        return json.loads(data if isinstance(data, str) else data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: not JSON ({e})")
    except RecursionError:
        raise BadInput(f"{path}: not JSON (nested too deeply)")


# Each loaded report's identity, by id() of its document (set by load, read by distinct).
_identity = {}


def _dump(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def digest(doc):
    """The digest of a document in a canonical form (its members sorted, no spaces), whatever
    its layout: a copy, or one rewritten by jq, has the same. Made a member and an item at a
    time: the whole document as one text would double a large report's memory."""
    h = hashlib.sha256()
    for name in sorted(doc) if isinstance(doc, dict) else ():
        h.update(_dump(name))
        value = doc[name]
        if isinstance(value, list):
            # "\0" never occurs in JSON's text (ensure_ascii escapes it), so that no two lists
            # give one sequence of items.
            h.update(b"[")
            for item in value:
                h.update(b"\0" + _dump(item))
            h.update(b"]")
        else:
            h.update(_dump(value))
    return h.digest()


def fingerprint(doc):
    """A digest of what tells runs apart at a glance (every member but the top-level lists, and
    the lists' lengths): two reports with the same content have the same fingerprint, and two
    runs' reports different ones (their start and end times), so that digest(), which reads every
    result, is made only of reports whose fingerprints agree."""
    h = hashlib.sha256()
    for name in sorted(doc) if isinstance(doc, dict) else ():
        value = doc[name]
        h.update(_dump(name) + (b"[%d]" % len(value) if isinstance(value, list) else _dump(value)))
    return h.digest()


def content_digest(doc):
    """digest() of a loaded report's whole document: read again where load() kept only part of
    each result (a rare need: only reports whose fingerprints agree are compared by it)."""
    path, _, _, kept = _identity[id(doc)]
    return digest(_load_whole(path)[0] if kept else doc)


def identity(doc):
    """(the file, by device and inode; the normalised content's digest) of a loaded report:
    either one equal is one report."""
    return _identity[id(doc)][1], content_digest(doc)


def distinct(docs):
    """BadInput, naming both arguments, where two of the loaded reports `docs` are one report
    given twice: a run counted twice is no replicate (its spread 0, every difference
    'significant' at p = 0)."""
    signs = collections.Counter(_identity[id(doc)][2] for doc in docs)
    seen_inode, seen_doc = {}, {}
    for doc in docs:
        path, inode, sign, _ = _identity[id(doc)]
        # Only reports whose fingerprints agree can have the same content.
        keys = [(seen_inode, inode, "the same file")]
        if sign is not None and signs[sign] > 1:
            keys.append((seen_doc, content_digest(doc), "the same content"))
        for seen, key, how in keys:
            if key in seen:
                raise BadInput(f"{seen[key]} and {path} are one report ({how}): give each run's "
                               "report once")
            seen[key] = path


class _NotStreamed(Exception):
    """What the parse an item at a time does not take (no JSON, a document that is no object, a
    byte-order mark): the whole text is then parsed at once, whose error names the place."""


# What the parse of a report reads at a time: its text is never held whole beside what is
# made of it (a sweep's report is as large as the limit).
READ_CHUNK = 1 << 20
# What items() leaves at a chunk's end to read on before the next item: more than a result of a
# sweep's report takes.
ITEM_ROOM = 1 << 16
_SPACE = re.compile(r"[ \t\n\r]*")


class _Text:
    """A report's text, a chunk at a time: the JSON values at the reader's place (value())."""

    def __init__(self, bounded):
        self.bounded, self.buf, self.at, self.eof = bounded, "", 0, False
        self.utf8 = codecs.getincrementaldecoder("utf-8")()

    def fill(self):
        # At least what is held already: a long value is read again only a few times.
        data = self.bounded.read(max(READ_CHUNK, len(self.buf) - self.at))
        try:
            text = self.utf8.decode(data, final=not data)
        except UnicodeDecodeError:
            raise _NotStreamed()
        self.eof = not data
        self.buf, self.at = self.buf[self.at:] + text, 0

    def peek(self):
        """The next character but white space, "" at the end."""
        while True:
            self.at = _SPACE.match(self.buf, self.at).end()
            if self.at < len(self.buf):
                return self.buf[self.at]
            if self.eof:
                return ""
            self.fill()

    def take(self, chars):
        """The next character, one of chars."""
        c = self.peek()
        if not c or c not in chars:
            raise _NotStreamed()
        self.at += 1
        return c

    def value(self, scan):
        self.peek()
        while True:
            try:
                v, end = scan(self.buf, self.at)
            except (StopIteration, ValueError):  # cut at the chunk's end, or no JSON
                if self.eof:
                    raise _NotStreamed()
                self.fill()
                continue
            if end == len(self.buf) and not self.eof:  # a number may go on in the next chunk
                self.fill()
                continue
            self.at = end
            return v

    def items(self, scan, make):
        """[make(item) for each item of the list at the reader's place, its "[" taken and not
        empty], up to and with its "]". An item that ends inside the chunk and is followed by
        its "," or the "]" is taken as it is (a compact report's every item); any other, by
        value() and take(), which read on past the chunk's end and skip white space."""
        out = []
        append = out.append
        while True:
            if len(self.buf) - self.at < ITEM_ROOM and not self.eof:
                # An item cut at the chunk's end costs json's error for it, which counts the
                # lines of the whole chunk: read on first.
                self.fill()
            buf, at = self.buf, self.at
            try:
                v, end = scan(buf, at)
            except (StopIteration, ValueError):
                end = len(buf)
            if end < len(buf):
                append(make(v))
                c = buf[end]
                if c == ",":
                    self.at = end + 1
                    continue
                self.at = end
                if c == "]":
                    self.at += 1
                    return out
            else:
                append(make(self.value(scan)))
            if self.take(",]") == "]":
                return out


def _compactor():
    """An object_pairs_hook that makes a parsed report smaller, every value the same: each key
    and each string one object, and small containers of strings, integers, booleans and nulls
    (a result's memory kinds, ranks, marks, validation) one object for all the results that
    have them equal. A report's values are therefore never changed in place by the tools, only
    replaced in the result that has them (settle())."""
    keys, shared, leaf_types = {}, {}, (str, int, bool, type(None))
    key, share = keys.setdefault, shared.setdefault

    def small(v):  # a list
        if len(v) > 4 or not all(type(x) in leaf_types for x in v):
            return v
        return share(("[",) + tuple((type(x), x) for x in v), v)

    def make(pairs):
        d = {key(k, k): share(v, v) if type(v) is str else small(v) if type(v) is list else v
             for k, v in pairs}
        if len(d) <= 4 and all(type(v) in leaf_types for v in d.values()):
            # The type beside each value: 1, 1.0 and true are equal in Python.
            return share(("{",) + tuple((k, type(v), v) for k, v in d.items()), d)
        return d
    return make


def _parse_items(text, keep=None):
    """A report's document, each item of its top-level lists (the results, the matrices)
    parsed alone: the same document as json.loads makes of the whole text. keep: a function
    of a result that says what the document holds of it (load()), each result checked and
    settled first."""
    scan = json.JSONDecoder(object_pairs_hook=_compactor()).scan_once
    # A result kept in part is dropped once read: nothing is gained by sharing its parts.
    scan_kept = json.JSONDecoder().scan_once
    doc = {}
    text.take("{")
    if text.peek() == "}":
        text.at += 1
    else:
        while True:
            name = text.value(scan)
            if type(name) is not str:
                raise _NotStreamed()
            text.take(":")
            if text.peek() == "[":
                text.at += 1
                value = []
                if text.peek() == "]":
                    text.at += 1
                elif keep and name == "results":
                    value = text.items(scan_kept, _keeper(keep))
                else:
                    value = text.items(scan, _same)
            else:
                value = text.value(scan)
            doc[name] = value
            if text.take(",}") == "}":
                break
    if text.peek():
        raise _NotStreamed()
    return doc


def _same(v):
    return v


def _keeper(keep):
    """keep of a result as check_report leaves it (settled), read alone; _NotStreamed where it
    is not one check_report passes: the whole report is then read again, and checked whole,
    for the message that names the place."""
    result_fast = RESULT.fast

    def kept(r):
        if not result_fast(r):
            raise _NotStreamed()
        v = r.get("validation")
        if type(v) is dict and v.get("status") == "failed":  # settle's case, a parsed object
            settle(r)
        if "stats" not in r and r["status"] == "ok":
            raise _NotStreamed()
        return keep(r)
    return kept


def _load_kept(path, keep):
    """(document, inode) of load(path, keep=keep) where the report is read an item at a time
    and every result passes check_report's checks as it comes; _NotStreamed otherwise."""
    with _Bounded(path, "a gpuxfer report") as bounded:
        inode = bounded.inode
        doc = _parse_items(_Text(bounded), keep)
    results = doc.get("results")
    if type(results) is not list:
        raise _NotStreamed()
    # The rest of the report, by the same checks (those of the results passed as they came).
    try:
        check_report(dict(doc, results=[]))
    except BadInput:
        raise _NotStreamed()
    return doc, inode


def _load_whole(path):
    """(document, inode) of the report at `path`, checked (check_report); BadInput names the
    file and the field."""
    try:
        with _Bounded(path, "a gpuxfer report") as bounded:
            inode = bounded.inode
            doc = _parse_items(_Text(bounded))
    except (_NotStreamed, RecursionError):
        data, inode = read_bounded(path)
        doc = parse_json(path, data)
        del data
    try:
        check_report(doc)
    except BadInput as e:
        raise BadInput(f"{path}: {e}")
    return doc, inode


def load(path, identify=True, keep=None):
    """The report at `path`, checked (check_report); BadInput names the file and the field.
    identify: keep what distinct() needs (a tool that reads one report has no use for it).
    keep: a function of a (checked, settled) result that makes what the document holds in its
    place, so that a tool that reads several large reports holds what it uses of them, never
    a whole one (the results are read and dropped one at a time)."""
    # The cyclic collector would walk every container made so far each time it runs, many
    # times over while a large report is built; a report has no cycles, and once loaded its
    # objects are set aside (gc.freeze) so that no later collection walks them either.
    collecting = gc.isenabled()
    gc.disable()
    try:
        doc = None
        if keep:
            try:
                doc, inode = _load_kept(path, keep)
            except (_NotStreamed, RecursionError):
                pass  # read whole below: its error, if any, names the place
        if doc is None:
            doc, inode = _load_whole(path)
            if keep:
                doc["results"] = [keep(r) for r in doc["results"]]
    finally:
        if collecting:
            gc.enable()
    gc.freeze()
    # The same report, whatever its path or layout: the same file (device and inode: any path,
    # link or hard link to it), or the same document (a copy, or one rewritten by jq: its JSON
    # in a canonical form). Two runs never write the same document: each report holds its run's
    # start and end times (to the millisecond) and its ranks' process ids. The fingerprint
    # needs only the lengths of the lists, which a document of kept results has too.
    _identity[id(doc)] = (path, inode, fingerprint(doc) if identify else None, keep is not None)
    return doc


# --- Options ----------------------------------------------------------------------------------

# The release the tools belong to, as gpuxfer --version says it: the install writes it here
# (Makefile.am, inst/gxreport/__init__.py); in the source tree it is read from configure.ac.
TOOL_VERSION = "@PACKAGE_VERSION@"


def tool_version():
    if "@" not in TOOL_VERSION:
        return TOOL_VERSION
    try:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                               "configure.ac"), encoding="utf-8") as f:
            m = re.search(r"AC_INIT\(\[gpuxfer\], \[([^]]+)\]", f.read())
    except OSError:
        m = None
    return (m.group(1) if m else "unknown") + " (source tree)"


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose usage errors are one line on stderr and exit status 2, with --version."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_argument("--version", action="version", version=f"%(prog)s {tool_version()}",
                          help="the version, and exit")

    def error(self, message):
        die(self.prog, message)


def number_in(low, high, low_open=True, high_open=False):
    """An argparse type: a finite number in the interval, e.g. number_in(0, 1) for 0 < x <= 1."""
    text = f"{low} {'<' if low_open else '<='} x {'<' if high_open else '<='} {high}"

    def parse(s):
        try:
            v = float(s)
        except ValueError:
            v = math.nan
        if not (math.isfinite(v) and (low < v if low_open else low <= v)
                and (v < high if high_open else v <= high)):
            raise argparse.ArgumentTypeError(f"expected a number with {text}, got {s!r}")
        return v
    return parse


# The exit statuses every tool shares, none of them a verdict (compare's and goals' 1, a tune's
# failed run 1): bad input (a report, a folder, an option, or anything else the tool could not
# use), its output not written (stdout full, closed, or its reader gone; a file: a full disk),
# and interrupted (128 + the signal, as a shell reports it: 130 Ctrl-C, 143 SIGTERM).
EXIT_INPUT = 2
EXIT_OUTPUT = 3

# What a report's strings must not bring to a terminal: escape sequences (CSI, OSC and the
# like: colours, a window title, a cursor moved over earlier lines), every other control
# character but newline and tab, C0, DEL and C1 alike, and the bidirectional-text controls
# (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), which reorder what a line shows.
_CONTROLS = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                       r"|[ -/]*[0-~])?|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
                       "|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


# The ASCII characters a match of _CONTROLS can begin with (every one but newline and tab):
# ASCII text without them, most of what the tools print (a sweep's --json, its tables), is
# printable as it is, which bytes.translate tells far faster than a search of the pattern.
_ASCII_CONTROLS = bytes(range(0x09)) + bytes(range(0x0b, 0x20)) + b"\x7f"


# What escaped() writes as \xNN: every control character that printable() leaves out (tab
# kept, newline too: a message is one line), and a byte that is no UTF-8, as Python reads it
# from a file name or an argument (U+DC80-U+DCFF) or from JSON (a lone surrogate). The same but
# newline: what stderr shows escaped, line by line.
_ESCAPED_CLASS = ("\x00-\x08{}\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                  "\u2066-\u2069\ud800-\udfff")
_ESCAPED = re.compile("[" + _ESCAPED_CLASS.format("\n") + "]")
_ESCAPED_LINES = re.compile("[" + _ESCAPED_CLASS.format("") + "]")


def _escape_one(m):
    c = m.group()
    raw = bytes([ord(c) - 0xdc00]) if "\udc80" <= c <= "\udcff" else c.encode(
        "utf-8", "surrogatepass")
    return "".join(f"\\x{b:02x}" for b in raw)


def escaped(text, lines=False):
    """text with each control character and each byte that is no UTF-8 written as \\xNN (its
    bytes in UTF-8), as gpuxfer writes them in its messages: a file name in an error is the
    name given, on one line, inert on a terminal, never another file's name (printable() would
    leave the characters out). lines: newlines kept."""
    return (_ESCAPED_LINES if lines else _ESCAPED).sub(_escape_one, text)


def printable(text):
    """text without control characters (newline and tab kept), escape sequences and
    bidirectional-text controls."""
    if text.isascii() and len(text.encode("ascii").translate(None, _ASCII_CONTROLS)) == len(text):
        return text
    return _CONTROLS.sub("", text)


class Printable:
    """A text stream whose every write is printable(), or with escape escaped() (stderr: its
    errors and notes name files, which must stay the names given): the one filter of what the
    tools print, so that no string from a report (a name, a reason, an environment value)
    reaches the terminal as an escape sequence, whichever code printed it."""

    def __init__(self, stream, escape=False):
        self._stream, self._escape = stream, escape

    def write(self, text):
        return self._stream.write(escaped(text, lines=True) if self._escape else printable(text))

    def __getattr__(self, name):
        return getattr(self._stream, name)


class ClosedStdout:
    """sys.stdout where the tool was started with it closed (tool >&-): a write fails as a
    write to a closed descriptor does, so that it ends as any unwritable output does."""

    def write(self, text):
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def flush(self):
        pass

    def fileno(self):
        return 1


class Interrupted(BaseException):
    """A signal that ends the tool (SIGTERM), raised where the tool is, so that what it made is
    cleaned up as on Ctrl-C (KeyboardInterrupt)."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _terminated(signum, frame):
    raise Interrupted(signum)


def _standard_fds():
    """Descriptors 0-2, where the tool was started with one closed, held by /dev/null: a file
    the tool opens must never become its stdout (a report read as fd 1, a child's output written
    into it)."""
    closed = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.append(fd)
            new = os.open(os.devnull, os.O_RDWR)
            if new != fd:
                os.dup2(new, fd)
                os.close(new)
    return closed


def run(prog, main, argv=None):
    """Runs a script's main(argv) and exits with its status. Every other end is one line on
    stderr, "PROG: ...", and a status that is no verdict: bad input (BadInput, or an error the
    tool did not foresee) EXIT_INPUT; its output not written (stdout full, closed or its reader
    gone; a file: a full disk) EXIT_OUTPUT; Ctrl-C or SIGTERM 128 + the signal. What it prints is
    printable() on stdout and escaped() on stderr (its errors name files as given), text the
    terminal's encoding lacks (a Latin-1 locale, non-ASCII names) escaped, never a traceback
    (GX_DEBUG=1 prints one for an unforeseen error)."""
    closed = _standard_fds()
    if 2 in closed or sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    if 1 in closed or sys.stdout is None:
        sys.stdout = ClosedStdout()
    else:
        sys.stdout.reconfigure(errors="backslashreplace")
    sys.stderr.reconfigure(errors="backslashreplace")
    sys.stdout, sys.stderr = Printable(sys.stdout), Printable(sys.stderr, escape=True)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        status = main(sys.argv[1:] if argv is None else argv)
        sys.stdout.flush()  # here, not at exit: a full disk is then this run's answer
    except BadInput as e:
        status = fail(prog, str(e), EXIT_INPUT)
    except OSError as e:
        if e.filename is None:  # stdout itself; a file's error names it through write_new
            # Nothing more can reach it, and the flush at exit must not fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        status = fail(prog, f"cannot write {e.filename or 'stdout'}: {e.strerror}", EXIT_OUTPUT)
    except KeyboardInterrupt:
        status = fail(prog, "interrupted (SIGINT)", 128 + signal.SIGINT)
    except Interrupted as e:
        status = fail(prog, f"interrupted ({signal.Signals(e.signum).name})", 128 + e.signum)
    except RecursionError:
        status = fail(prog, "input nested too deeply to use", EXIT_INPUT)
    except Exception as e:  # noqa: BLE001 - whatever it is, one line and no verdict's status
        if os.environ.get("GX_DEBUG"):
            import traceback
            traceback.print_exc()
        status = fail(prog, f"cannot use the input: {type(e).__name__}: {e} (a bug of {prog}: "
                            "GX_DEBUG=1 shows where)", EXIT_INPUT)
    sys.exit(status)


def fail(prog, msg, status):
    """One line on stderr, what it quotes escaped (a stderr that fails too is let go: the
    status still tells)."""
    try:
        print(f"{prog}: {escaped(msg)}", file=sys.stderr, flush=True)
    except OSError:
        pass
    return status


def kind_of(mode):
    """What a file of this mode is, in the words of an error."""
    return ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or
            stat.S_ISBLK(mode) else "a regular file" if stat.S_ISREG(mode) else
            "not a regular file")


def check_output(path, force, folder=False, label=None):
    """BadInput (naming it as label, else path) where a tool must not write its output at path:
    an existing file without force; with force, anything but a regular file (a folder, for a
    folder's output) or a symbolic link, which is replaced itself, never its target. A device,
    a FIFO or a socket is never replaced: the one at a name is what others use (/dev/null)."""
    label = label or path
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as e:
        raise BadInput(f"{label}: cannot look at it: {e.strerror}")
    replaces = "replaces" if folder else "overwrites"
    if stat.S_ISLNK(mode):
        if not force:
            raise BadInput(f"{label}: exists, a symbolic link (--force replaces the link, never "
                           "its target)")
    elif stat.S_ISDIR(mode) if folder else stat.S_ISREG(mode):
        if not force:
            raise BadInput(f"{label}: exists (--force {replaces} it)")
    else:
        raise BadInput(f"{label}: exists and is {kind_of(mode)} (expected "
                       f"{'a folder' if folder else 'a file'} name; --force {replaces} only "
                       f"{'a folder' if folder else 'a regular file'} or a link)")


def write_new(path, force, write):
    """The one way the tools write a file: write(f) fills a temporary beside path (created
    exclusively, never through a link), which then takes path's name whole: never a partial
    file, without force never over an existing file or link, and never over anything but a
    regular file or a link (check_output: BadInput), looked at again just before the temporary
    takes the name. A failure (OSError, e.g. a full disk) removes the temporary and is raised
    with path as its file."""
    check_output(path, force)
    folder = os.path.dirname(path) or "."
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".tmp.")
    except OSError as e:
        raise OSError(e.errno, e.strerror, path)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        check_output(path, force)  # what took the name meanwhile
        if force:
            os.replace(tmp, path)  # a link at path is replaced, its target untouched
        else:
            os.link(tmp, path)  # exclusive: a file made meanwhile stays
            os.unlink(tmp)
    except FileExistsError:
        os.unlink(tmp)
        raise BadInput(f"{path}: exists (--force overwrites it)")
    except BadInput:
        os.unlink(tmp)
        raise
    except OSError as e:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise OSError(e.errno, e.strerror, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


class NewFolder:
    """The one way a tool makes an output folder, as write_new makes a file: `with
    NewFolder(path, force) as work:` fills `work`, a temporary folder beside path, which takes
    path's name when the block ends normally (an existing path is refused with BadInput before
    anything is made, or with force replaced then). An exception out of the block (a refusal,
    Ctrl-C, a full disk) removes the temporary: nothing half-made is left, and nothing the tool
    did not make is touched."""

    def __init__(self, path, force):
        self.path, self.force = os.path.normpath(path), force
        check_output(self.path, force, folder=True, label=path)
        parent = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(parent):
            raise BadInput(f"{path}: no folder {parent} to make it in")
        self.prefix = os.path.join(parent, "." + os.path.basename(os.path.abspath(self.path)))

    def __enter__(self):
        self.work = tempfile.mkdtemp(prefix=self.prefix + ".tmp.")
        return self.work

    def __exit__(self, kind, value, tb):
        if kind is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            return False
        old = None
        try:
            check_output(self.path, self.force, folder=True)  # made meanwhile: someone else's
            if os.path.lexists(self.path):
                old = tempfile.mkdtemp(prefix=self.prefix + ".old.")
                os.rename(self.path, os.path.join(old, "x"))
            os.rename(self.work, self.path)
        except BaseException:
            shutil.rmtree(self.work, ignore_errors=True)
            if old and not os.path.lexists(self.path):  # put back what was replaced
                os.rename(os.path.join(old, "x"), self.path)
            raise
        finally:
            if old:
                shutil.rmtree(old, ignore_errors=True)
        return False


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- Reading results ----------------------------------------------------------------------------

def ok_results(doc):
    """The measured results of a loaded report (each has stats)."""
    return [r for r in doc["results"] if r["status"] == "ok"]


def key(r):
    """What must match for two results to be the same measurement."""
    return (r["path"], r["pattern"], r["unit"], r["mem"]["src"], r["mem"]["dst"],
            r.get("chunk", 0), r.get("depth", 0), r["size"], tuple(r["ranks"]))


def match_key(r, chunk_as_setting=False):
    """key, but a --chunk auto result matches whatever chunk/depth another run picked (its pick
    is an option difference); with chunk_as_setting every result does (its chunk/depth is
    then a setting compared, as an option is)."""
    k = key(r)
    if chunk_as_setting and ("chunk" in r or "depth" in r):
        return k[:5] + ("any", "any") + k[7:]
    return k[:5] + ("auto", "auto") + k[7:] if r.get("chunk_auto") else k


def numbered(results, keyfn):
    """(repeat, key, result) for each result: a key seen again (a scenario that measures the
    same thing in two runs) is numbered 0, 1, ... in the order of the results."""
    seen = {}
    for r in results:
        k = keyfn(r)
        n = seen.get(k, 0)
        seen[k] = n + 1
        yield n, k, r


def lower_is_better(unit):
    return unit == "us"


def better(unit, a, b):
    """Whether median a is better than median b in `unit`."""
    return a < b if lower_is_better(unit) else a > b


def human_size(n):
    for shift, suffix in ((30, "G"), (20, "M"), (10, "K")):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift}{suffix}"
    return str(n)


def size_text(n):
    """human_size, and a size just above a round one as e.g. 64K+1."""
    for shift, suffix in ((30, "G"), (20, "M"), (10, "K")):
        whole, rest = n >> shift, n & ((1 << shift) - 1)
        if whole and rest < 100:
            return f"{whole}{suffix}" + (f"+{rest}" if rest else "")
    return str(n)


def size_iec(n):
    """A size for a title: 8 B, 64 KiB, 64 MiB, 1 GiB (other sizes in bytes)."""
    for shift, suffix in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {suffix}"
    return f"{n} B"


# What every table and note of the tools fits by default: a terminal of this many columns.
COLUMNS = 100


def note(text, out=None, columns=COLUMNS):
    """Prints "# ..." prose, each line wrapped at a space before `columns`; a continuation line
    starts with "#" and two spaces more than its line's own indent. Newlines in text are kept.
    A word longer than a line (a path, an option's value) is cut after its last '/', ',', '=' or
    '-' that fits, else at `columns`: no line is wider, whatever a report names."""
    out = out or sys.stdout
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip("# " if line.startswith("#") else " "))
        lead = "#" + " " * (indent + 1) if line.startswith("#") else " " * (indent + 2)
        start = indent  # where the line's words begin: a cut after it
        while len(line) > columns and len(lead) < columns // 2:
            cut = line.rfind(" ", start + 1, columns + 1)
            if cut > start and len(lead) + len(line[cut + 1:].split(" ", 1)[0]) > columns:
                start = cut  # the next word fits no line either: it begins on this one
            if cut <= start:  # no space within the line: within the word, after a separator
                cut = max(line.rfind(c, start + 1, columns) for c in "/,=-") + 1
                if cut <= max(start + 1, columns // 2):
                    cut = columns
            print(line[:cut], file=out)
            line = lead + line[cut:].lstrip(" ")
            start = len(lead)
        print(line, file=out)


def value_text(v, digits=4):
    """A median with `digits` significant digits: 381.2, 10.62, 0.1520; below 0.001 with an
    exponent (2.170e-04)."""
    if v == 0 or not math.isfinite(v):
        return str(v)
    if abs(v) < 0.001:
        return "%.*e" % (digits - 1, v)
    decimals = digits - 1 - math.floor(math.log10(abs(v)))
    return "%.*f" % (max(0, decimals), v)


# Bandwidths below this many GB/s print in MB/s with an M after them, as gpuxfer's own table
# prints them (sizes.h: GX_GBS_AS_MBS): osu's users read small rates in MB/s. Reports keep GB/s.
GBS_AS_MBS = 0.01
MBS_NOTE = (f"M after a value: MB/s, as bandwidths below {GBS_AS_MBS:g} GB/s print (the report "
            "keeps GB/s)")


def in_mbs(v, unit):
    """Whether a value of `unit` prints in MB/s (unit_text)."""
    return unit == "GB/s" and isinstance(v, (int, float)) and 0 < v < GBS_AS_MBS


def unit_text(v, unit, digits=4):
    """value_text, but a bandwidth below GBS_AS_MBS GB/s in MB/s with an M after it: four
    significant digits or five decimals at most (9.044e-05 GB/s: 0.09044M), never an exponent,
    as gpuxfer's table writes it (gx_format_gbs)."""
    if not in_mbs(v, unit):
        return value_text(v, digits)
    mbs = v * 1e3
    decimals = min(5, max(0, digits - 1 - math.floor(math.log10(mbs))))
    text = "%.*f" % (decimals, mbs)
    if decimals > 0 and float(text) >= 10 ** (digits - decimals):  # rounded into the next decade
        text = "%.*f" % (decimals - 1, mbs)
    return text + "M"


def unit_words(v, unit):
    """A value and its unit in prose: "9.044 MB/s" below GBS_AS_MBS GB/s, else "12.50 GB/s"."""
    if in_mbs(v, unit):
        return unit_text(v, unit)[:-1] + " MB/s"
    return f"{value_text(v)} {unit}"


def mem_text(src, dst):
    return f"{src}>{dst}"


# --- Marks: the numbers the machine or the ceiling made unreliable (schema 2.5) ----------------
# The one rule every tool prints by, as gpuxfer's table does: '~' after a median whose step the
# machine disturbed (its noise has a mark), '!' after an efficiency above 100% (the ceiling is no
# bound for it), '?' for the ceiling and efficiency of a result whose ceiling probe was disturbed.
# A report before 2.5 says nothing of noise: its medians are unmarked, not clean.
NOISY, EXCEEDED, WITHIN, UNSOUND = "~", "!", "=", "?"


def noise_marks(r):
    """The noise marks (waited, tail, wide) of a result or a ceiling probe's point; [] when it
    has none or its report predates them."""
    n = r.get("noise") if isinstance(r, dict) else None
    marks = n.get("marks") if isinstance(n, dict) else None
    return [m for m in marks if isinstance(m, str)] if isinstance(marks, list) else []


# The marks of another process taking the CPUs (gpuxfer's GX_NOISE_MACHINE); wide and drift are
# the platform's own variation (schema 2.23: the table's ^), which its visits_ci prices.
MACHINE_MARKS = frozenset(("waited", "tail"))


def noisy(r):
    """Whether r's median is no clean number: the machine disturbed its step, or it rests on too
    few iterations to judge (schema 2.13's mark "few")."""
    return bool(MACHINE_MARKS.intersection(noise_marks(r))) or too_few(r)


# gpuxfer's fewest timed iterations for a number shown clean (GX_NOISE_MIN_SAMPLES).
MIN_SAMPLES = 5


def too_few(r):
    """Whether r rests on fewer than MIN_SAMPLES timed iterations (also in reports before the
    mark "few", from its stats' n)."""
    if "few" in noise_marks(r):
        return True
    s = r.get("stats") if isinstance(r, dict) else None
    n = s.get("n") if isinstance(s, dict) else None
    return isinstance(n, (int, float)) and 0 < n < MIN_SAMPLES


def noise_why(r):
    n = r.get("noise") if isinstance(r, dict) else None
    why = n.get("why") if isinstance(n, dict) else None
    return why if isinstance(why, str) and why else ", ".join(noise_marks(r))


def ceiling_unsound(r):
    """A ceiling was measured but is no bound for r (its probe was disturbed): no efficiency."""
    return isinstance(r, dict) and r.get("ceiling_unsound") is True and not is_number(
        r.get("efficiency"))


def ceiling_within(r):
    """r's median is above its ceiling but its 95% interval reaches it (schema 2.6): at the
    ceiling, no evidence that the ceiling is no bound."""
    return isinstance(r, dict) and isinstance(r.get("ceiling_within"), dict)


def ceiling_exceeded(r):
    """r beat its ceiling (an efficiency above 1, its median's interval beyond it): that
    efficiency is no measure of r. Reports before 2.6 (no ceiling_within) are judged by their
    efficiency alone."""
    eff = r.get("efficiency") if isinstance(r, dict) else None
    return is_number(eff) and eff > 1 and not ceiling_within(r)


def unsound_why(r):
    """What made r's ceiling unsound, from its ceiling_absent ("ceiling unsound: ...")."""
    why = r.get("ceiling_absent") if isinstance(r, dict) else None
    return why if isinstance(why, str) and why else "ceiling unsound"


def mark_median(text, is_noisy):
    return text + NOISY if is_noisy else text


def median_text(r, digits=4):
    """A result's median (value_text) with '~' when noisy."""
    return mark_median(value_text(r["stats"]["median"], digits), noisy(r))


def efficiency_text(r, fmt="%.1f", none="-", percent=""):
    """A result's efficiency in percent: '?' when its ceiling is unsound, `none` when it has no
    efficiency, '!' after one beyond its ceiling and '=' after one above 100% within its
    median's interval (every efficiency above 100% has its mark)."""
    if ceiling_unsound(r):
        return UNSOUND
    eff = r.get("efficiency")
    if not is_number(eff):
        return none
    return fmt % (100 * eff) + percent + (
        EXCEEDED if ceiling_exceeded(r) else WITHIN if eff > 1 else "")


def ceiling_text(r, fmt="%.3f", none="-"):
    """A result's ceiling: '?' when unsound, `none` without one."""
    if ceiling_unsound(r):
        return UNSOUND
    c = r.get("ceiling")
    return fmt % c if is_number(c) else none


# --- The line rate (schema 2.7): the third yardstick, the links as built -------------------------
# A report before 2.7, a latency, host memory on one node or a link of unknown rate has none:
# every helper answers None (False) there, and a tool prints "-".

def line_rate(r):
    """The line rate of r's route in GB/s, None without one (a latency has none: a share of it
    would divide microseconds by GB/s)."""
    v = r.get("line_gbs") if isinstance(r, dict) and r.get("unit") != "us" else None
    return v if is_number(v) and v > 0 else None


def line_share(r):
    """r's median over its route's line rate (the report's line_share), None without a rate."""
    rate = line_rate(r)
    stats = r.get("stats") if rate else None  # a failed result has no median
    return stats["median"] / rate if isinstance(stats, dict) and "median" in stats else None


def line_exceeded(r):
    """r lies above its route's line rate, which no transfer can: a wrong route or rate (a health
    finding). Judged on the median too, so that a hand-made report's share above 1 without the
    flag is never shown as a clean number."""
    flagged = isinstance(r, dict) and r.get("line_exceeded") is True
    return flagged or (line_share(r) or 0) > 1


def line_absent(r):
    """Why r has no line rate: the report's line_absent, else what its report predates."""
    why = r.get("line_absent") if isinstance(r, dict) else None
    if isinstance(why, str) and why:
        return why
    if isinstance(r, dict) and r.get("unit") == "us":
        return "a latency: no line rate (it rates bandwidths)"
    return "no line rate in its report (before schema 2.7)"


def line_text(share, exceeded=False, fmt="%.0f", none="-"):
    """A share of the line rate in percent as gpuxfer's table prints line% (src/report/output.c):
    '!' after it where the result lies above the rate, `none` without a share (then '!' still
    says that a result behind it lies above its rate). `exceeded` and a share above 1 both mark:
    no share above 100% is ever printed clean."""
    text = none if share is None else fmt % (100 * share)
    return text + (EXCEEDED if exceeded or (share or 0) > 1 else "")


def marks_json(r):
    """A result's marks for a tool's --json: noisy (and its noise marks), ceiling_unsound,
    ceiling_exceeded, ceiling_within."""
    return {"noisy": noisy(r), "noise": noise_marks(r), "ceiling_unsound": ceiling_unsound(r),
            "ceiling_exceeded": ceiling_exceeded(r), "ceiling_within": ceiling_within(r)}


def interference_text(doc):
    """The run's interference (schema 2.5) in a few words: the longest wait for a CPU and the
    load against the CPUs; "" without it."""
    i = doc.get("interference")
    if not isinstance(i, dict):
        return ""
    parts = []
    if is_number(i.get("cpu_wait_max")) and i["cpu_wait_max"] > 0:
        parts.append(f"a rank waited for a CPU up to {100 * i['cpu_wait_max']:.0f}% of a step")
    load = i.get("load_average")
    if isinstance(load, list) and len(load) == 2 and all(is_number(x) for x in load):
        parts.append(f"load average {load[0]:.1f} at the start, {load[1]:.1f} at the end"
                     + (f" on {i['cpus_online']:g} CPUs" if is_number(i.get("cpus_online")) else ""))
    return "; ".join(parts)


NOISY_NOTE = ("~: the machine interfered with that step (a rank waited for a CPU, a slow tail, "
              "a wide interval, or visits that disagree: the report's noise), so its median is "
              "no clean number; rerun on a quieter node")
FEW_NOTE = ("~: fewer than %d timed iterations (cut by --timeout or a stop signal, --iters, or "
            "a budget before gpuxfer gave every step 5): too few to judge" % MIN_SAMPLES)


# --- Curves: what summary and plot show ---------------------------------------------------------
# A line is one (path, memory kinds, pattern, run) of a report: never two memory kinds, never two
# runs (a run name seen again is numbered, "name#2"). At each size it has one point: per
# chunk/depth the median over the pairs measured, and of the chunk/depths the best one (a
# --chunk auto result counts as one, whatever each pair picked). With all_chunks, each fixed
# chunk/depth is a line of its own and --chunk auto results one more.

# run: '' when unnamed; chunk: None (the best per size), 'auto' or (chunk, depth) with all_chunks.
Line = collections.namedtuple("Line", "path src dst pattern unit run chunk")


def chunk_text(chunk):
    if chunk is None:
        return ""
    if chunk == "auto":
        return "chunk auto"
    return f"chunk {human_size(chunk[0])}/{chunk[1]}" if chunk[0] else "unchunked"


def curves(doc, all_chunks=False):
    """{Line: {size: point}}, point: {'median', 'noisy', 'ceiling', 'line', 'lo', 'hi', 'pairs',
    'chunk', 'candidates'}: median over the pairs, noisy how many of those pairs' steps the
    machine disturbed (a median over them is then marked), ceiling the median of their measured
    ceilings (None without), line the median of their routes' line rates (schema 2.7; None
    without), lo..hi the lowest p5 to the highest p95 among them (the median where
    the stats lack them), chunk the chunk/depth shown ('auto', (chunk, depth) or (0, 0)),
    candidates how many chunk/depths the size had."""
    acc = {}
    for repeat, _, r in numbered(ok_results(doc), lambda r: match_key(r) + (r.get("run", ""),)):
        run = r.get("run", "") + (f"#{repeat + 1}" if repeat else "")
        setting = "auto" if r.get("chunk_auto") else (r.get("chunk", 0), r.get("depth", 0))
        line = Line(r["path"], r["mem"]["src"], r["mem"]["dst"], r["pattern"], r["unit"], run,
                    setting if all_chunks else None)
        acc.setdefault(line, {}).setdefault(r["size"], {}).setdefault(setting, []).append(r)
    out = {}
    for line, sizes in acc.items():
        pts = out[line] = {}
        for size, settings in sizes.items():
            best = None
            for setting, rs in settings.items():
                st = [r["stats"] for r in rs]
                ceilings = [r["ceiling"] for r in rs if "ceiling" in r]
                rates = [r["line_gbs"] for r in rs if "line_gbs" in r]
                pt = {"median": statistics.median(s["median"] for s in st),
                      "noisy": sum(noisy(r) for r in rs), "few": sum(too_few(r) for r in rs),
                      "ceiling": statistics.median(ceilings) if ceilings else None,
                      "line": statistics.median(rates) if rates else None,
                      "lo": min(s.get("p5", s["median"]) for s in st),
                      "hi": max(s.get("p95", s["median"]) for s in st),
                      "pairs": len(rs), "chunk": setting, "candidates": len(settings)}
                if best is None or better(line.unit, pt["median"], best["median"]):
                    best = pt
            pts[size] = best
    return out


def line_names(lines, extra=None):
    """{line: name}: path and memory kinds, the run where another line has the same path and
    memory kinds, the chunk/depth where lines differ only in it. `extra(line)`: text to add (a
    report's name)."""
    runs = {}
    for ln in lines:
        runs.setdefault((ln.path, ln.src, ln.dst), set()).add(ln.run)
    names = {}
    for ln in lines:
        name = f"{ln.path} {mem_text(ln.src, ln.dst)}"
        if len(runs[(ln.path, ln.src, ln.dst)]) > 1:
            name += f" [{ln.run or 'unnamed run'}]"
        if ln.chunk is not None:
            name += f" {chunk_text(ln.chunk)}"
        if extra:
            name += extra(ln)
        names[ln] = name
    return names


def die(prog, msg):
    sys.exit(fail(prog, msg, EXIT_INPUT))


# --- Run-level statistics: what gpuxfer-report compare judges a difference by ----------------------------
# The iterations of one run share that run's moment of the machine (placement, other jobs,
# clocks), so they are not independent draws of a configuration: a run's median is one
# observation, and the spread among a configuration's runs is the noise a difference must beat.
# The values are compared on a log scale (a ratio is a difference of logs).

def geomean(values):
    if len(values) == 1:  # most comparisons' rows: one run a side
        return values[0]
    return math.exp(sum(map(math.log, values)) / len(values))


def run_cv(values):
    """The spread among a configuration's runs: the coefficient of variation of their medians,
    or None with fewer than two runs."""
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    return statistics.stdev(values) / mean if mean else None


def benjamini_hochberg(ps):
    """The Benjamini-Hochberg adjusted p-values (q) of ps, None kept as None: a row is called
    when its q is below alpha, which holds the expected share of false calls among the called
    rows to alpha (with no true difference at all, the chance of any call to alpha)."""
    known = sorted((p, i) for i, p in enumerate(ps) if p is not None)
    m = len(known)
    out = [None] * len(ps)
    running = 1.0
    for rank in range(m, 0, -1):
        p, i = known[rank - 1]
        running = min(running, p * m / rank)
        out[i] = running
    return out


# --- Sweeps: gpuxfer-report sweep's run order and manifest -------------------------------------

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


def sweep_order(configurations, replicates, seed=None):
    """[(configuration, replicate)] in the order to run them: rounds, each every configuration
    once (replicate r of each before replicate r+1 of any), so that a slow spell of the machine
    falls on every configuration alike; the configurations in index order in each round, or,
    with a seed, in an order shuffled per round by random.Random(seed)."""
    rng = random.Random(seed) if seed is not None else None
    order = []
    for rep in range(1, replicates + 1):
        cfgs = list(range(configurations))
        if rng:
            rng.shuffle(cfgs)
        order += [(c, rep) for c in cfgs]
    return order


RUN = Obj({"replicate": (REQ, POSITIVE), "report": (REQ, STRING), "exit": (OPT, Leaf(
    "an integer or null", lambda v: v is None or is_int(v)))})
SWEEP = Obj({"manifest_version": (REQ, Leaf(str(MANIFEST_VERSION), lambda v: v == MANIFEST_VERSION)),
             "configurations": (REQ, List(Obj({
                 "index": (REQ, COUNT), "folder": (REQ, STRING), "settings": (REQ, List(STRING)),
                 "runs": (REQ, List(RUN))})))})


def load_sweep(folder):
    """A sweep folder's configurations from its manifest: [(name, settings, [report paths of
    the runs whose report exists])]; BadInput for a manifest the scripts cannot use."""
    path = os.path.join(folder, MANIFEST)
    doc = parse_json(path, read_bounded(path, "a gpuxfer-report sweep manifest")[0])
    try:
        SWEEP.check(doc)
    except Mismatch as e:
        raise BadInput(f"{path}: {e.message()}")
    out = []
    for c in doc["configurations"]:
        reports = [os.path.join(folder, r["report"]) for r in sorted(c["runs"], key=lambda r: r["replicate"])]
        out.append((os.path.join(folder, c["folder"]), c["settings"],
                    [r for r in reports if os.path.exists(r)]))
    return out


# Schema 1.x: the ceilings' kinds measured per GPU (their "gpus" entries).
GPU_CEILINGS_1 = ("h2d", "d2h", "mapped_write", "mapped_read", "prefetch_to_host",
                  "prefetch_to_gpu", "fault_in", "copy_bidir", "mapped_bidir")


def schema_at_least(doc, major, minor):
    """Whether the report's schema_version is major.minor or later."""
    try:
        have = tuple(int(x) for x in str(doc.get("schema_version", "")).split(".")[:2])
    except ValueError:
        return False
    return have >= (major, minor)


# The report's member that holds the ceilings: its name since schema 2.12, then the one before.
CEILINGS_KEYS = ("ceilings", "calibration")


def ceilings_of(doc):
    """The report's ceilings object (the probes' curves), under its name or its old one
    ("calibration", before schema 2.12), or None when the run measured none."""
    for key in CEILINGS_KEYS:
        if isinstance(doc.get(key), dict):
            return doc[key]
    return None


def measured_ceiling(doc, kind, rank, peer, size):
    """The ceiling `kind` of the pair rank -> peer at `size` bytes (schema 2: a probe's best
    iteration, every kind per rank pair; 1.x: the median, per-GPU kinds of `rank`'s GPU), or
    None when not measured there."""
    cal = ceilings_of(doc)
    if cal is None:
        return None
    if schema_at_least(doc, 2, 0):
        entries, value = cal.get("rank_pairs", []), "best"
        match = lambda e: e.get("ranks") == [rank, peer]  # noqa: E731
    else:
        value = "median"
        if kind.startswith("mpi_pinned_") and not schema_at_least(doc, 1, 10):
            kind = "mpi_" + kind[len("mpi_pinned_"):]  # before 1.10, mpi_* was on pinned buffers
        if kind in GPU_CEILINGS_1:
            entries, match = cal.get("gpus", []), lambda e: e.get("rank") == rank
        else:
            entries = (cal.get("gpu_pairs", []) if kind.startswith("peer")
                       else cal.get("rank_pairs", []))
            match = lambda e: e.get("ranks") == [rank, peer]  # noqa: E731
    for e in entries:
        if isinstance(e, dict) and match(e):
            for p in (e.get(kind) or {}).get("points", []):
                if p.get("size") == size and p.get(value):
                    return p[value]
    return None


# --- Configurations: the reports of one configuration's runs, from a command line ----------------
# A '--' between configurations on the command line, as argparse hands it on (a path cannot hold
# a NUL, so no report is taken for it).
SEPARATOR = "\0--"


def separated(argv):
    """argv with each '--' made SEPARATOR, which argparse keeps among the positional arguments."""
    return [SEPARATOR if w == "--" else w for w in argv]


def natural(path):
    """A sort key that puts run2 before run10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path)]


def folder_reports(folder):
    """The reports in a folder (*.json but the manifest), in natural order."""
    try:
        names = os.listdir(folder)
    except OSError as e:
        raise BadInput(f"{folder}: cannot read: {e.strerror}")
    return [os.path.join(folder, n) for n in sorted(names, key=natural)
            if n.endswith(".json") and n != MANIFEST
            and os.path.isfile(os.path.join(folder, n))]


def expand(item):
    """[(name, settings, [report paths])]: a report is one configuration of one run; a sweep
    folder (gpuxfer-report sweep's, with its manifest) each of its configurations; a folder of
    reports one configuration; a folder of configuration folders (cfg-<i>-..., as Slurm's
    sweep writes them) each of those, in the order of i."""
    if not os.path.isdir(item):
        return [(item, [], [item])]
    item = os.path.normpath(item)
    if os.path.exists(os.path.join(item, MANIFEST)):
        return load_sweep(item)
    reports = folder_reports(item)
    if reports:
        return [(item, [], reports)]
    subs = sorted((n for n in os.listdir(item) if re.match(r"cfg-\d+", n)
                   and os.path.isdir(os.path.join(item, n))), key=natural)
    out = [(os.path.join(item, n), [], folder_reports(os.path.join(item, n))) for n in subs]
    out = [c for c in out if c[2]]
    if not out:
        raise BadInput(f"{item}: a folder with no report (*.json), no {MANIFEST} and no "
                          "configuration folder (cfg-<i>-...) holding reports")
    return out


def configurations(items):
    """[{'name', 'settings', 'reports'}] from the command line's reports and folders: with '--'
    between them, each group is one configuration (its reports and folders of reports
    together); without, each report and folder as expand() says."""
    if SEPARATOR not in items:
        found = [c for item in items for c in expand(item)]
    else:
        groups, cur = [], []
        for item in items + [SEPARATOR]:
            if item != SEPARATOR:
                cur.append(item)
                continue
            if not cur:
                raise BadInput("an empty configuration: '--' at the start, the end or twice "
                                  "in a row")
            parts = []
            for x in cur:
                got = expand(x)
                if len(got) != 1:
                    raise BadInput(f"{x}: {len(got)} configurations in one group: give the "
                                      "folder without '--', or one configuration's folder")
                parts.append(got[0])
            name = parts[0][0] if len(parts) == 1 else f"{parts[0][0]} .. {parts[-1][0]}"
            groups.append((name, parts[0][1], [r for p in parts for r in p[2]]))
            cur = []
        found = groups
    for name, _, reports in found:
        if not reports:
            raise BadInput(f"{name}: no run of this configuration left a report")
    return [{"name": n, "settings": list(s), "reports": r} for n, s, r in found]


def reference_dir():
    """The reference runs' folder: $GX_REFERENCE_DIR, else the installed one (reference/ beside
    this package in the data folder), else the source tree's results/reference; None where
    there is none."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for d in (os.environ.get("GX_REFERENCE_DIR"), os.path.join(here, "reference"),
              os.path.join(here, os.pardir, "results", "reference")):
        if d and os.path.isdir(d):
            return os.path.normpath(d)
    return None


def write_manifest(folder, lines):
    """Writes folder/manifest.json (through a temporary file: a reader never sees half of one)
    from gpuxfer-report sweep's tab-separated lines:
        KEY VALUE                  sweep_file, replicates, seed, order, ranks, gpuxfer, mpirun,
                                   mpirun_args (numbers as integers; seed empty: none)
        arg WORD                   gpuxfer's arguments, in order
        cfg INDEX LINE FOLDER SETTING...
        run SEQUENCE CONFIGURATION REPLICATE EXIT STARTED SECONDS   (EXIT empty: not run yet)
    """
    doc = {"tool": "gpuxfer-report sweep", "manifest_version": MANIFEST_VERSION,
           "gpuxfer_args": [], "configurations": [], "sequence": []}
    runs = []
    for line in lines:
        f = line.rstrip("\n").split("\t")
        if f[0] == "arg":
            doc["gpuxfer_args"].append(f[1])
        elif f[0] == "cfg":
            doc["configurations"].append({"index": int(f[1]), "line": int(f[2]), "folder": f[3],
                                          "settings": f[4:], "runs": []})
        elif f[0] == "run":
            runs.append(f[1:])
        elif f[0] in ("replicates", "ranks"):
            doc[f[0]] = int(f[1])
        elif f[0] == "seed":
            doc["seed"] = int(f[1]) if f[1] else None
        else:
            doc[f[0]] = f[1]
    for seq, cfg, rep, rc, started, seconds in sorted(runs, key=lambda r: int(r[0])):
        c = doc["configurations"][int(cfg)]
        c["runs"].append({"replicate": int(rep), "sequence": int(seq),
                          "report": f"{c['folder']}/run{rep}.json",
                          "output": f"{c['folder']}/run{rep}.txt",
                          "exit": int(rc) if rc else None, "started": started or None,
                          "seconds": int(seconds) if seconds else None})
        doc["sequence"].append({"configuration": int(cfg), "replicate": int(rep)})
    for c in doc["configurations"]:
        c["runs"].sort(key=lambda r: r["replicate"])
    tmp = os.path.join(folder, MANIFEST + ".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(doc, out, indent=1)
        out.write("\n")
    os.replace(tmp, os.path.join(folder, MANIFEST))


def internal_main(argv):
    """python3 -m gxreport sweep-order CONFIGURATIONS REPLICATES [SEED]: 'configuration
    replicate' per line in run order; python3 -m gxreport write-manifest FOLDER < lines
    (write_manifest). For the sweep subcommand, which is a shell script."""
    if argv[:1] == ["sweep-order"] and len(argv) in (3, 4):
        seed = int(argv[3]) if len(argv) == 4 and argv[3] != "" else None
        for cfg, rep in sweep_order(int(argv[1]), int(argv[2]), seed):
            print(cfg, rep)
        return 0
    if argv[:1] == ["write-manifest"] and len(argv) == 2:
        write_manifest(argv[1], sys.stdin)
        return 0
    die("gxreport", "usage: python3 -m gxreport sweep-order N R [SEED] | write-manifest FOLDER")
