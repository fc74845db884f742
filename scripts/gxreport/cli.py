"""gpuxfer-report: one door to what is done with gpuxfer's reports, and to the runs that make
several of them. Each subcommand has its own --help and --version.

Usage: gpuxfer-report SUBCOMMAND [ARGS...]"""
import argparse
import importlib
import os
import shutil
import subprocess
import textwrap
import sys
import threading

import gxreport as gx

PROG = "gpuxfer-report"


class Subcommand:
    """A line of the table: its name, the module of this package or the shell script beside
    it that does the work, and what it does (the --help list, the man page and the bash
    completion are made from the table)."""

    def __init__(self, name, impl, what):
        self.name, self.impl, self.what = name, impl, what

    @property
    def shell(self):
        return self.impl.endswith(".sh")


SUBCOMMANDS = (
    Subcommand("summary", "summary", "one report's results as tables (size by path)"),
    Subcommand("compare", "compare", "configurations side by side, with the significance of "
               "each difference from replicated runs (slower, faster, same, undecided)"),
    Subcommand("plot", "plot", "bandwidth and latency against size, ceilings drawn (PNG, SVG)"),
    Subcommand("goals", "goals", "a report against the performance goals (efficiency against "
               "the ceilings)"),
    Subcommand("openmetrics", "openmetrics", "reports as OpenMetrics text for node_exporter's "
               "textfile collector: medians, line%, verdict, health findings"),
    Subcommand("expect", "expect", "a SKU's expectations from its golden runs (gpuxfer --check "
               "--expect), merged, as Prometheus alerting rules or a table"),
    Subcommand("tune", "tune", "the knobs of the job's MPI library that matter here, swept and "
               "judged; the settings to use"),
    Subcommand("sweep", "sweep.sh", "configurations (environment settings) run in interleaved "
               "rounds, then compared"),
    Subcommand("soak", "soak.sh", "gpuxfer --soak with every rank's memory watched for leaks"),
    Subcommand("bench", "bench.sh", "the full GPU sweep with its ceilings, then the goals"),
)


def find(name):
    for c in SUBCOMMANDS:
        if c.name == name:
            return c
    return None


def here():
    return os.path.dirname(os.path.abspath(__file__))


def door():
    """This program's path, as the shell subcommands call it back (sweep runs compare)."""
    return os.path.abspath(sys.argv[0])


def gpuxfer_program():
    """gpuxfer: $GPUXFER, else the build's (the source tree's src/ beside scripts/), else the
    one installed beside this door, else on PATH; None where there is none."""
    d = os.path.dirname(door())
    for p in (os.environ.get("GPUXFER"), os.path.join(d, os.pardir, "src", "gpuxfer"),
              os.path.join(d, "gpuxfer"), shutil.which("gpuxfer")):
        if p and os.path.isfile(p) and os.access(p, os.X_OK):
            return os.path.abspath(p)
    return None


def shell_env():
    """What a shell subcommand learns from the door: how to call it back, where the package
    and its shell library are, the release, and the gpuxfer program found."""
    env = dict(os.environ)
    env.update(GX_REPORT_DOOR=door(), GX_REPORT_PYTHON=sys.executable,
               GX_REPORT_LIB=os.path.dirname(here()), GX_REPORT_VERSION=gx.tool_version(),
               GX_REPORT_GPUXFER=gpuxfer_program() or "")
    return env


def parser():
    width = max(len(c.name) for c in SUBCOMMANDS) + 1  # two spaces after the longest name
    epilog = "subcommands:\n" + "\n".join(
        textwrap.fill(c.what, width=gx.COLUMNS - 1, initial_indent=f"  {c.name:<{width}} ",
                      subsequent_indent=" " * (width + 3)) for c in SUBCOMMANDS)
    ap = gx.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0], epilog=epilog,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("subcommand", metavar="SUBCOMMAND",
                    help="one of: " + ", ".join(c.name for c in SUBCOMMANDS))
    ap.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS",
                    help="the subcommand's (gpuxfer-report SUBCOMMAND --help)")
    return ap


def run_shell(script, argv):
    """A shell subcommand with its stdout through this process, line by line: a closed, full or
    abandoned stdout then ends it as it ends every tool (gx.run: exit 3, one line), never as the
    script's own status (a verdict), and what it prints is printable as the tools' is (on
    stderr, where the script quotes its arguments and a launcher's errors, escaped as every
    tool's stderr is: gx.run). The script is stopped where its output can no longer go (a soak
    stops its job)."""
    sys.stdout.write("")  # a closed stdout fails here, before a run whose answer it would lose
    try:
        child = subprocess.Popen(["/bin/bash", script] + argv, env=shell_env(),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        raise gx.BadInput(f"cannot run {script} with /bin/bash: {e.strerror}")

    def forward_stderr():  # beside stdout's loop, so that neither pipe fills and stops the script
        for line in iter(child.stderr.readline, b""):
            try:
                # A byte of no UTF-8 kept as itself, for stderr's escape to show it as \xHH.
                sys.stderr.write(line.decode("utf-8", errors="surrogateescape"))
                sys.stderr.flush()
            except (OSError, ValueError):  # stderr gone: the rest is let go, the status tells
                pass
    errors = threading.Thread(target=forward_stderr, daemon=True)
    errors.start()
    try:
        for line in iter(child.stdout.readline, b""):
            sys.stdout.write(line.decode("utf-8", errors="backslashreplace"))
            sys.stdout.flush()
    except BaseException:  # stdout failed, Ctrl-C, SIGTERM: the script stops too
        child.terminate()
        child.wait()
        raise
    child.stdout.close()
    rc = child.wait()
    errors.join()
    child.stderr.close()
    return rc if rc >= 0 else 128 - rc


def dispatch(name, rest):
    """Runs subcommand `name` with its arguments; does not return."""
    c = find(name)
    if c is None:
        gx.die(PROG, f"{name}: no such subcommand (expected one of: "
                     f"{', '.join(x.name for x in SUBCOMMANDS)}; gpuxfer-report --help)")
    if c.shell:
        script = os.path.join(here(), c.impl)
        gx.run(f"{PROG} {name}", lambda argv: run_shell(script, argv), rest)
    mod = importlib.import_module("gxreport." + c.impl)
    gx.run(mod.PROG, mod.main, rest)


def main(argv):
    """The door's own options (--help, --version, --list-subcommands for the completion)."""
    if argv[:1] == ["--list-subcommands"]:
        print("\n".join(c.name for c in SUBCOMMANDS))
        return 0
    if not argv:
        gx.die(PROG, "no subcommand: give one of " + ", ".join(c.name for c in SUBCOMMANDS) +
               " (gpuxfer-report --help)")
    a = parser().parse_args(argv)
    dispatch(a.subcommand, a.args)
    return 0


def run():
    argv = sys.argv[1:]
    if argv and not argv[0].startswith("-"):
        dispatch(argv[0], argv[1:])
    gx.run(PROG, main)
