"""Every field of the given reports, in turn, missing or replaced by each value of the wrong
kind, fed to every report tool in this process: each takes it (exit 0 or 1) or refuses it with
BadInput (exit 2, one line naming the file); any other exception is a failure. Fields are walked
by their place with list indices folded (results[*].stats.median once, at results[0] and at the
last result), so that a report of any length is walked in seconds.
usage: report_fields.py SCRIPTS-DIR TMP-DIR REPORT.json..."""
import contextlib
import copy
import importlib.machinery
import importlib.util
import io
import json
import os
import sys
import traceback

scripts, tmp, reports = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, scripts)
import gxreport as gx  # noqa: E402


def tool(name):
    return importlib.import_module("gxreport." + name)


TOOLS = {n: tool(n) for n in ("compare", "summary", "goals", "openmetrics")}
try:
    import matplotlib  # noqa: F401
    if os.environ.get("GX_WALK_PLOT"):  # minutes, not seconds: asked for
        TOOLS["plot"] = tool("plot")
    else:
        print("# gpuxfer-report plot left out (GX_WALK_PLOT=1 walks it too)")
except ImportError:
    print("# gpuxfer-report plot left out: no matplotlib for", sys.executable)
DRAWN = ("results", "matrices", *gx.CEILINGS_KEYS)  # the ceilings under either name
WRONG = [None, "x", [], {}, True, -1, 0, 1.5, 1e308, [1, "a"], {"a": None}]


def places(v, at=()):
    """Every place in v, list items folded to the first and the last."""
    yield at
    if isinstance(v, dict):
        for k, x in v.items():
            yield from places(x, at + (k,))
    elif isinstance(v, list):
        for i in sorted({0, len(v) - 1}) if v else ():
            yield from places(v[i], at + (i,))


def changed(doc, at, value, delete):
    """doc with the value at `at` replaced or deleted: the containers on the way there copied,
    the rest shared with doc (a mutant is only written out, never changed again)."""
    d = copy.copy(doc)
    x = d
    for k in at[:-1]:
        x[k] = copy.copy(x[k])
        x = x[k]
    if delete:
        del x[at[-1]]
    else:
        x[at[-1]] = value
    return d


def args_for(name, path, other):
    return {"compare": [path, other], "plot": [path, "-o", os.path.join(tmp, "x.png")],
            "summary": [path], "goals": [path], "openmetrics": [path]}[name]


def run(name, argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = TOOLS[name].main(argv)
        except gx.BadInput as e:
            return 2, str(e)
        except SystemExit as e:  # argparse, or a script's own die()
            return e.code, err.getvalue()
    return status, ""


failures = checked = 0
for report in reports:
    base = json.load(open(report))
    seen = set()
    for at in places(base):
        pattern = tuple("*" if isinstance(k, int) else k for k in at)
        if not at or (pattern, at[-1] == 0) in seen:
            continue
        seen.add((pattern, at[-1] == 0))
        for value in WRONG + ["delete"]:
            doc = changed(base, at, value, value == "delete")
            path = os.path.join(tmp, "mutant.json")
            with open(path, "w") as f:
                f.write(json.dumps(doc))  # the same text as json.dump, by the C encoder
            # Whether the shared check takes the mutant matters to plot alone (below).
            loaded = False
            if "plot" in TOOLS:
                try:
                    gx.load(path)
                    loaded = True
                except gx.BadInput:
                    pass
            for name in TOOLS:
                # Drawing is slow: gpuxfer-report plot gets what its shared check (gx.load, run by
                # every tool above) takes, in the parts it draws.
                if name == "plot" and not (loaded and at[0] in DRAWN):
                    continue
                checked += 1
                try:
                    status, text = run(name, args_for(name, path, report))
                    good = status in (0, 1) or (status == 2 and "\n" not in text.strip())
                except Exception:
                    good, text = False, traceback.format_exc(limit=3)
                if not good:
                    failures += 1
                    where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in at)
                    print(f"# {name} {os.path.basename(report)} {where} = {value!r}: {text}")
print(f"{checked} tool runs over the fields of {len(reports)} reports, {failures} failures")
sys.exit(1 if failures else 0)
