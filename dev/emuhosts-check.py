#!/usr/bin/env python3
"""Checks a gpuxfer report made across emulated hosts (dev/emuhosts.sh): used by
dev/gpuxfer-emulated-hosts and tests/multihost.sh.

  emuhosts-check.py REPORT --hosts N [--subnet CIDR] [--ifname IF] [--paths LIST]
                    [--patterns LIST] [--skipped LIST] [--matrix]
                    [--rails R [--slow-rail HOST:RAIL] [--slow-ratio X] [--table FILE]]

- N nodes, rank i on host h<i+1> (--rails R: R ranks a host, rank i on h<i/R+1>); every pair
  measured and every result on other nodes (same_node false), each pair with its two NICs
  (context.pairs[].nics);
- each rank's NIC: its environment confines Open MPI's TCP to CIDR (OMPI_MCA_btl_tcp_if_include)
  and NCCL to interface IF (NCCL_SOCKET_IFNAME); with --rails, both to its rail's interface
  eth<i mod R> (=eth<i mod R> for NCCL), and that is the NIC the report names
  (context.ranks[].nic, from OMPI_MCA_btl_tcp_if_include);
- --slow-rail HOST:RAIL (RAIL of HOST shaped slow): in every rail map (layout_matrices, kind
  rail_map) the cells flagged slow, below X (default 0.8, gpuxfer's --slow-pair) x the map's
  median (latency: above median / X), are exactly those of rail RAIL with HOST sending or
  receiving, each ordered node pair with HOST both ways; none of another rail but a cell whose
  results the run itself marked disturbed (~: the machine, not the link, on a busy host), which
  is said and not a failure; --table FILE: the table's SLOW lines of the rail maps by the same
  rule;
- every result of PATHS ok, with each of PATTERNS, its data validated, and rated against the
  ceiling docs/ceilings.md promises for pairs on other nodes ("What bounds each path");
- each path of --skipped skipped, not measured, with its reason;
- --matrix: a pair matrix N x N for every (path, pattern, size) measured.
Prints one line per result (and per rank); exit 0 when every check holds, 1 with one line per
problem (starting 'FAIL'), 2 when the report cannot be read."""
import argparse
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "scripts"))
import gxreport as gx  # noqa: E402  (the marks ~ ! ? as every report tool prints them)

from gxreport import lower_is_better

GPU_MEM = ("device", "managed")
# Where a result's ceiling comes from when the two ranks are on other nodes, by path and pattern
# family (docs/ceilings.md's table): the ceiling_what prefixes; None = no ceiling for that family.
OTHER_NODE_CEILINGS = {
    "host": {"bw": None, "latency": None},
    "mpi": {"bw": None, "latency": None},
    "nccl": {"bw": None, "latency": None},
    "staged": {"bw": ["the sender's D2H alone", "D2H and H2D both ways"], "latency": None},
    "staged-mpi": {"bw": ["the sender's D2H alone", "D2H and H2D both ways"], "latency": None},
    "zerocopy": {"bw": ["kernels writing and reading mapped host"], "latency": None},
    "unified-prefetch": {"bw": ["prefetches"], "latency": None},
    "unified-demand": {"bw": ["page faults"], "latency": None},
}
# Why a result between nodes has no ceiling where docs/ceilings.md promises none (the network).
ACROSS_NODES = "across nodes"


# The probe's curve behind each stage, as an absent ceiling names it ("copy_engines 0->1 was not
# measured at 1048576 bytes: ..."): an absent ceiling of the right kind is reported, not a
# failure. Both ways, the curve's name gains "_bidir".
CURVES = {"D2H while H2D": "copy_engines", "D2H and H2D both ways": "copy_engines",
          "the sender's D2H alone": "sender_d2h",
          "kernels writing and reading mapped host": "mapped", "prefetches": "prefetch",
          "page faults": "faults"}


def expected_ceiling(r):
    family = "latency" if r["pattern"] == "latency" else "bw"
    if r["path"] == "mpi" and family == "latency" and (
            r["mem"]["src"] in GPU_MEM or r["mem"]["dst"] in GPU_MEM):
        return None  # "no latency ceiling for device buffers"
    return OTHER_NODE_CEILINGS.get(r["path"], {}).get(family, None)


def version(d):
    """The report's schema version as numbers: (2, 9)."""
    try:
        return tuple(int(x) for x in str(d.get("schema_version", "0")).split("."))
    except ValueError:
        return (0,)


def disturbed_cells(d, m):
    """{(rail, node pair index)} of a rail map whose results the run marked disturbed (~), from
    the results themselves (the map's own "disturbed" list, schema 2.9, must agree)."""
    out = set()
    for r in d["results"]:
        if (r.get("path"), r.get("pattern"), r.get("size")) != (m["path"], m["pattern"], m["size"]) \
                or not gx.noisy(r):
            continue
        ra, rb = r["ranks"]
        for rail, row in enumerate(m["rail_ranks"]):
            if ra in row and rb in row and [row.index(ra), row.index(rb)] in m["node_pairs"]:
                out.add((rail, m["node_pairs"].index([row.index(ra), row.index(rb)])))
    return out


def judge_flags(what, got, want, disturbed, named, fail):
    """Flags beyond `want` fail, unless on medians the run marked disturbed (said, not failed);
    every cell of `want` must be flagged."""
    if got - want - disturbed:
        fail(f"{what}: flagged beyond rail of the slowed host: {named(got - want - disturbed)}")
    if (got - want) & disturbed:
        print(f"  {what}: flagged too, on medians the machine disturbed (~, not the link): "
              f"{named((got - want) & disturbed)}")
    if want - got:
        fail(f"{what}: not flagged, on the slowed rail: {named(want - got)}")


def check_rail_maps(d, host, rail, ratio, fail, table=None):
    """The rail maps' slow cells (as the table flags them) against rail `rail` of `host`; with
    `table` (the table's text), its SLOW lines of the rail maps too."""
    maps = [m for m in d.get("layout_matrices", []) if m.get("kind") == "rail_map"]
    if not maps:
        fail("no rail map (layout_matrices kind rail_map: --pairs rails)")
    hosts = [r.get("hostname") for r in d["context"]["ranks"]]
    for m in maps:
        what = f"rail map {m['path']} {m['pattern']} {m['size']}"
        node_hosts = [hosts[k] for k in m["rail_ranks"][0]]
        if host not in node_hosts:
            fail(f"{what}: no node on host {host} (nodes {node_hosts})")
            continue
        node = node_hosts.index(host)
        want = {(rail, k) for k, (x, y) in enumerate(m["node_pairs"]) if node in (x, y)}
        med = statistics.median(v for row in m["values"] for v in row if v is not None)
        low = lower_is_better(m["unit"])
        got = {(r, k) for r, row in enumerate(m["values"]) for k, v in enumerate(row)
               if v is not None and (v > med / ratio if low else v < med * ratio)}

        def named(cells):
            return ", ".join(f"rail {r} {node_hosts[m['node_pairs'][k][0]]}->"
                             f"{node_hosts[m['node_pairs'][k][1]]}" for r, k in sorted(cells))
        print(f"  {what}: median {med:.4g} {m['unit']}, flagged ({ratio} x): {named(got) or 'none'}")
        disturbed = disturbed_cells(d, m)
        listed = {tuple(c) for c in m.get("disturbed", [])}
        if version(d) >= (2, 9) and listed != disturbed:
            fail(f"{what}: its disturbed cells {named(listed) or 'none'} are not those its "
                 f"results' noise marks: {named(disturbed) or 'none'}")
        judge_flags(what, got, want, disturbed, named, fail)
        if table is not None:
            # "#   SLOW rail R node A->B V[~] ...": the rail maps' slow lines as the table prints
            # them, ~ after the value where the machine disturbed the median.
            found = re.findall(r"^#   SLOW rail (\d+) node (\d+)->(\d+) [0-9.]+(~?) ", table, re.M)
            cell = {(x, y, z): (int(x), m["node_pairs"].index([int(y), int(z)]))
                    for x, y, z, _ in found if [int(y), int(z)] in m["node_pairs"]}
            lines = set(cell.values())
            tilde = {cell[x, y, z] for x, y, z, t in found if t and (x, y, z) in cell}
            if tilde != lines & disturbed:
                fail(f"the table's {what}: SLOW lines marked ~ {named(tilde) or 'none'}, but the "
                     f"disturbed among them are {named(lines & disturbed) or 'none'}")
            # An extra SLOW line is tolerated only where the table itself says ~.
            judge_flags(f"the table's {what}", lines, want, tilde, named, fail)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("report")
    ap.add_argument("--hosts", type=int, required=True)
    ap.add_argument("--subnet", default="")
    ap.add_argument("--ifname", default="")
    ap.add_argument("--paths", default="")
    ap.add_argument("--patterns", default="latency,bw")
    ap.add_argument("--skipped", default="")
    ap.add_argument("--matrix", action="store_true")
    ap.add_argument("--rails", type=int, default=0)
    ap.add_argument("--slow-rail", default="")
    ap.add_argument("--slow-ratio", type=float, default=0.8)
    ap.add_argument("--table", default=None, help="the run's table: its rail maps' SLOW lines too")
    a = ap.parse_args()
    slow_host, _, slow_rail = a.slow_rail.partition(":")
    if a.slow_rail and (not a.rails or not slow_rail.isdigit() or int(slow_rail) >= a.rails):
        ap.error(f"--slow-rail {a.slow_rail!r}: expected HOST:RAIL with RAIL below --rails")
    try:
        with open(a.report) as f:
            d = json.load(f)
        ctx, results = d["context"], d["results"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"emuhosts-check: {a.report}: cannot read the report: {e}", file=sys.stderr)
        return 2
    fails = []
    name = a.report.rsplit("/", 1)[-1]

    def fail(msg):
        fails.append(f"FAIL {name}: {msg}")

    per_host = max(a.rails, 1)
    want_hosts = [f"h{i // per_host + 1}" for i in range(a.hosts * per_host)]
    hosts = [r.get("hostname") for r in ctx["ranks"]]
    if hosts != want_hosts:
        fail(f"ranks' hosts {hosts}, expected {want_hosts}")
    if ctx["job"].get("nodes") != a.hosts:
        fail(f"context.job.nodes {ctx['job'].get('nodes')}, expected {a.hosts}")
    for r in ctx["ranks"]:
        env = r.get("env", {})
        nic = (r.get("gpu") or {}).get("nearest_nic", {}).get("name", "none found")
        tcp = env.get("OMPI_MCA_btl_tcp_if_include", "unset")
        sock = env.get("NCCL_SOCKET_IFNAME", "unset")
        gpu = r.get("gpu") or {}
        gpu_s = (f"GPU {gpu.get('name')} {gpu.get('pci_bus_id')} (CUDA_VISIBLE_DEVICES="
                 f"{env.get('CUDA_VISIBLE_DEVICES', 'unset')})" if gpu.get("present") else "no GPU")
        print(f"  rank {r['rank']} host {r.get('hostname')}: MPI TCP over {tcp}, NCCL socket "
              f"{sock}, nearest NIC (hwloc) {nic}; {gpu_s}")
        if a.rails:
            rail_if = f"eth{r['rank'] % a.rails}"
            used = r.get("nic") or {}
            print(f"    its NIC: {used.get('name')} from {used.get('source')}")
            if tcp != rail_if or sock != "=" + rail_if:
                fail(f"rank {r['rank']}: OMPI_MCA_btl_tcp_if_include {tcp}, NCCL_SOCKET_IFNAME "
                     f"{sock}, expected its rail's {rail_if} and ={rail_if}")
            if (used.get("name"), used.get("source")) != (rail_if, "OMPI_MCA_btl_tcp_if_include"):
                fail(f"rank {r['rank']}: NIC {used.get('name')} from {used.get('source')}, "
                     f"expected {rail_if} from OMPI_MCA_btl_tcp_if_include")
        if a.subnet and not a.rails and tcp != a.subnet:
            fail(f"rank {r['rank']}: OMPI_MCA_btl_tcp_if_include {tcp}, expected {a.subnet}")
        if a.ifname and not a.rails and sock != a.ifname:
            fail(f"rank {r['rank']}: NCCL_SOCKET_IFNAME {sock}, expected {a.ifname}")
    for p in ctx.get("pairs", []):
        if p.get("same_node") is not False:
            fail(f"pair {p['ranks']}: same_node {p.get('same_node')}, expected false")
        elif len(p.get("nics", [])) != 2:
            fail(f"pair {p['ranks']}: no nics for a pair on other nodes")
    if not ctx.get("pairs"):
        fail("context.pairs is empty")

    has_ceilings = gx.ceilings_of(d) is not None
    absent_ok = []
    paths = [p for p in a.paths.split(",") if p]
    patterns = [p for p in a.patterns.split(",") if p]
    seen = set()
    for r in results:
        if r.get("same_node") is not False:
            fail(f"{r['path']} {r['pattern']} {r['ranks']}: same_node {r.get('same_node')}")
        what = f"{r['path']} {r['mem']['src']}>{r['mem']['dst']} {r['pattern']} {r['size']} " \
               f"{r['ranks'][0]}->{r['ranks'][1]}"
        if r["status"] != "ok":
            fail(f"{what}: {r['status']}: {r.get('reason', '')}")
            continue
        seen.add((r["path"], r["pattern"]))
        v = r.get("validation", {}).get("status")
        if v != "passed":
            fail(f"{what}: validation {v}")
        want = expected_ceiling(r)
        cw = r.get("ceiling_what", "").replace("slowest stage: ", "")
        if has_ceilings and want is None and "ceiling" in r:
            fail(f"{what}: a ceiling ({r.get('ceiling_what')}) where docs/ceilings.md "
                 "promises none")
        elif has_ceilings and want is None and r.get("path") in OTHER_NODE_CEILINGS and \
                r["pattern"] != "latency" and ACROSS_NODES not in r.get("ceiling_absent", ""):
            fail(f"{what}: no ceiling, but not for the network: {r.get('ceiling_absent')!r}")
        elif has_ceilings and want and "ceiling" in r and not any(cw.startswith(w) for w in want):
            fail(f"{what}: ceiling {r.get('ceiling_what')!r}, expected one of {want}")
        elif has_ceilings and want and "ceiling" not in r:
            absent = r.get("ceiling_absent", "")
            curves = {CURVES[w] for w in want}
            if r["pattern"] == "bibw":
                curves = {c + "_bidir" for c in curves}
            # A point the machine disturbed is named after "ceiling unsound: ".
            named = absent[len("ceiling unsound: "):] if r.get("ceiling_unsound") else absent
            if not any(named.startswith(c + " ") for c in curves):
                fail(f"{what}: ceiling absent ({absent!r}), expected one of {want}")
            else:
                absent_ok.append(f"{what}: {absent}")
        eff = gx.efficiency_text(r, "%.0f", percent="%")
        median = gx.mark_median(f"{r['stats']['median']:.4g}", gx.noisy(r))
        print(f"  {what}: median {median} {r['unit']}, validation {v}, "
              f"ceiling {r.get('ceiling_what') or r.get('ceiling_absent', '-')}, efficiency {eff}")
    for p in paths:
        for pat in patterns:
            if (p, pat) not in seen:
                fail(f"{p} {pat}: no result measured")
    for p in [p for p in a.skipped.split(",") if p]:
        sk = [s for s in d.get("skipped", []) if s.get("path") == p]
        if any(r["path"] == p and r["status"] == "ok" for r in results):
            fail(f"{p}: measured, expected skipped")
        elif not sk or not all(s.get("reason") for s in sk):
            fail(f"{p}: not in skipped[] with a reason")
        else:
            print(f"  {p} skipped: {sk[0]['reason']}")
    if a.matrix:
        mats = d.get("matrices", [])
        if not mats:
            fail("no pair matrix (--pairs all)")
        for m in mats:
            vals = m["values"]
            full = len(vals) == a.hosts and all(
                len(row) == a.hosts and all((x is None) == (i == j) for j, x in enumerate(row))
                for i, row in enumerate(vals))
            if not full:
                fail(f"matrix {m['path']} {m['pattern']} {m['size']}: not a full "
                     f"{a.hosts} x {a.hosts} node matrix: {vals}")
        print(f"  {len(mats)} node x node matrices ({a.hosts} x {a.hosts})")
    if a.slow_rail:
        table = None
        if a.table:
            with open(a.table) as f:
                table = f.read()
        check_rail_maps(d, slow_host, int(slow_rail), a.slow_ratio, fail, table)
    if absent_ok:
        print(f"  {len(absent_ok)} result(s) with the right ceiling absent, e.g. {absent_ok[0]}")
    for x in fails:
        print(x)
    print(f"{name}: {'ok' if not fails else f'{len(fails)} problem(s)'}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
