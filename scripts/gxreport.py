"""Reading gpuxfer reports for the scripts next to this file (stdlib only)."""
import json
import math
import sys

SCHEMA_MAJOR = 1


class BadInput(Exception):
    """A file that the scripts cannot use; main() turns it into one line and exit status 2."""


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise BadInput(f"{path}: cannot read: {e.strerror}")
    except (ValueError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: not JSON ({e})")
    if not isinstance(doc, dict) or not isinstance(doc.get("tool"), dict) \
            or doc["tool"].get("name") != "gpuxfer" or not isinstance(doc.get("results"), list):
        raise BadInput(f"{path}: not a gpuxfer report (no tool.name 'gpuxfer' and results[])")
    ver = doc.get("schema_version")
    try:
        major = int(str(ver).split(".")[0])
    except ValueError:
        raise BadInput(f"{path}: bad schema_version {ver!r}")
    if major != SCHEMA_MAJOR:
        raise BadInput(f"{path}: schema version {ver}, this script reads {SCHEMA_MAJOR}.x")
    return doc


def ok_results(doc):
    return [r for r in doc["results"]
            if isinstance(r, dict) and r.get("status") == "ok" and isinstance(r.get("stats"), dict)]


def key(r):
    """What must match for two results to be the same measurement."""
    mem = r.get("mem") or {}
    return (r["path"], r["pattern"], r.get("unit", ""), mem.get("src", ""), mem.get("dst", ""),
            r.get("chunk", 0), r.get("depth", 0), int(r["size"]), tuple(r.get("ranks", ())))


def lower_is_better(unit):
    return unit == "us"


def human_size(n):
    for shift, suffix in ((30, "G"), (20, "M"), (10, "K")):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift}{suffix}"
    return str(n)


def die(prog, msg):
    print(f"{prog}: {msg}", file=sys.stderr)
    sys.exit(2)


def mann_whitney(x, y):
    """Two-sided Mann-Whitney U test: (U of x, p) by the normal approximation with tie and
    continuity correction; fine for the tens to thousands of samples gpuxfer keeps."""
    n1, n2 = len(x), len(y)
    allv = sorted([(v, 0) for v in x] + [(v, 1) for v in y])
    n = n1 + n2
    r1 = 0.0
    ties = 0.0
    i = 0
    while i < n:
        j = i
        while j + 1 < n and allv[j + 1][0] == allv[i][0]:
            j += 1
        avg = (i + j) / 2 + 1  # ranks are 1-based
        t = j - i + 1
        ties += t ** 3 - t
        r1 += avg * sum(1 for k in range(i, j + 1) if allv[k][1] == 0)
        i = j + 1
    u1 = r1 - n1 * (n1 + 1) / 2
    mu = n1 * n2 / 2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return u1, 1.0  # every sample equal: no evidence of a difference
    d = abs(u1 - mu) - 0.5
    z = max(d, 0.0) / math.sqrt(var)
    return u1, math.erfc(z / math.sqrt(2))


def calibrated(doc, kind, rank, peer, size):
    """The calibrated ceiling `kind` (h2d/d2h: of `rank`'s GPU; peer*, mpi_*: of the pair
    rank -> peer) at `size` bytes: its median, or None when not measured there."""
    cal = doc.get("calibration")
    if not isinstance(cal, dict):
        return None
    if kind in ("h2d", "d2h"):
        entries, match = cal.get("gpus", []), lambda e: e.get("rank") == rank
    else:
        entries = cal.get("gpu_pairs", []) if kind.startswith("peer") else cal.get("rank_pairs", [])
        match = lambda e: e.get("ranks") == [rank, peer]  # noqa: E731
    for e in entries:
        if isinstance(e, dict) and match(e):
            for p in (e.get(kind) or {}).get("points", []):
                if p.get("size") == size and p.get("median"):
                    return p["median"]
    return None
