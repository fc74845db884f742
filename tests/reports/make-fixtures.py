#!/usr/bin/env python3
"""Writes the constructed reports of tests/compare.sh (deterministic; rerun after schema changes).

base vs slower, with raw samples (rank test):
  host latency 8 B   : slower is 3x the latency        -> significant, slower
  host latency 1 MiB : same distribution               -> not significant
  host bw 8 B        : same distribution               -> not significant
  host bw 1 MiB      : slower has half the bandwidth   -> significant, slower
  host bw 64 KiB     : slower has +3% (overlapping)    -> not significant
base vs options (what compare must not hide):
  host latency 8 B   : 10 iterations, not 40             -> UNFAIR: iterations 40 vs 10
  host bw 1 MiB      : window 16 (--window), not 64       -> UNFAIR: window 64 vs 16
  host bw 64 KiB     : not measured                       -> missing in options.json
  host bw 8 B        : failed                             -> failed in options.json
  host latency 4 KiB : only in options                    -> missing in base.json
  host latency 1 MiB : measured twice (two runs)          -> the second missing in base.json
  ceilings on (as calibration), another command line      -> an option and a context difference
noisy (schema 2.5: noise, ceilings) against base, same measurements:
  host latency 8 B   : noisy (waited), eff 80%           -> ~ after its value, a marked verdict
  host latency 1 MiB : ceiling unsound                   -> ? for ceiling and eff
  host bw 8 B        : eff 112%, ceiling_exceeded        -> ! after eff
  host bw 1 MiB      : noisy (tail, wide), half of base  -> slower~
  host bw 64 KiB     : clean, eff 90%                    -> unmarked
ci-base vs ci-slower, no samples (confidence intervals):
  host bw 1 MiB      : intervals apart                 -> significant, slower
  host bw 64 KiB     : intervals overlap               -> not significant
The reports are older than schema 2.12: their ceilings are under the old name, "calibration",
which the report tools must go on reading (tests/compare.sh's "ceilings off vs on").
"""
import json
import os
import random
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))


def stats(s):
    s = sorted(s)
    n = len(s)
    q = lambda p: s[min(n - 1, int(p * (n - 1)))]  # noqa: E731
    lo, hi = int(n / 2 - 0.98 * n ** 0.5), int(n / 2 + 0.98 * n ** 0.5)
    mean = statistics.fmean(s)
    sd = statistics.pstdev(s)
    return {"n": n, "min": s[0], "max": s[-1], "mean": mean, "median": statistics.median(s),
            "p5": q(0.05), "p95": q(0.95), "p99": q(0.99), "stddev": sd, "cv": sd / mean,
            "median_ci95": [s[max(lo, 0)], s[min(hi, n - 1)]]}


def result(pattern, size, samples, keep, path="host", ranks=(0, 1)):
    cls = "tiny" if size <= 4096 else "small" if size <= 65536 else "medium"
    r = {"path": path, "mem": {"src": "pageable", "dst": "pageable"}, "pattern": pattern,
         "ranks": list(ranks), "same_node": True, "size": size, "size_class": cls,
         "iterations": len(samples), "warmup": 3, "window": 1 if pattern == "latency" else 64,
         "unit": "us" if pattern == "latency" else "GB/s", "status": "ok",
         "stats": stats(samples), "validation": {"status": "passed", "checks": 1}}
    if keep:
        r["samples"] = samples
    return r


def report(results, host="node-a", env=None, matrices=None, command_line=("gpuxfer",)):
    d = {"schema_version": "1.0", "tool": {"name": "gpuxfer", "version": "0.1.0"},
         "command_line": list(command_line), "start_time": "2026-01-01T00:00:00Z",
         "end_time": "2026-01-01T00:01:00Z", "status": "complete", "exit_code": 0,
         "context": {"job": {"ranks": 2, "nodes": 1, "launcher": "mpirun (Open MPI)"},
                     "ranks": [{"rank": i, "hostname": host, "pid": 100 + i, "node": 0,
                                "local_rank": i, "local_size": 2,
                                "mpi_library": "Open MPI v4.1.4", "cpuset": str(i),
                                "env": dict(env or {})} for i in range(2)]},
         "results": results, "skipped": [], "summary": []}
    if matrices is not None:
        d["matrices"] = matrices
    return d


def noise(marks=(), cpu_wait=0.01, tail=1.2, ci=0.03):
    n = {"marks": list(marks), "cpu_wait": cpu_wait, "tail": tail, "median_ci": ci}
    if marks:
        n["why"] = "; ".join({"waited": f"a rank waited for a CPU {100 * cpu_wait:.0f}% of the step",
                              "tail": f"the slowest 5% of iterations {tail:.1f}x the median",
                              "wide": f"the median known only to +-{100 * ci:.0f}%"}[m]
                             for m in marks)
    return n


def rated(r, eff, what):
    """r with a ceiling and its efficiency (and ceiling_exceeded above 1)."""
    m = r["stats"]["median"]
    r.update(ceiling=m * eff if r["unit"] == "us" else m / eff, ceiling_what=what,
             efficiency=eff)
    if eff > 1:
        r["ceiling_exceeded"] = {"by": eff, "ceiling_range": [r["ceiling"], r["ceiling"] * 1.02],
                                 "reason": "the median lies beyond every iteration of the probe"}
    return r


def noisy_report(rng):
    """Schema 2.5: the base measurements, some disturbed by the machine, one ceiling unsound,
    one exceeded."""
    lat8 = rated(result("latency", 8, noisy(rng, 2.5), False), 0.8, "shm_latency at 8")
    lat8["noise"] = noise(["waited"], cpu_wait=0.34)
    lat1m = result("latency", 1 << 20, noisy(rng, 100), False)
    lat1m.update(ceiling_unsound=True, noise=noise(),
                 ceiling_absent="ceiling unsound: shm_latency 0->1 at 1M was disturbed more than "
                                "the result (a rank waited for a CPU 41% of the step)")
    bw8 = rated(result("bw", 8, noisy(rng, 0.1), False), 1.12, "shm_copy at 8")
    bw8["noise"] = noise()
    bw1m = rated(result("bw", 1 << 20, noisy(rng, 5, spread=0.4), False), 0.5, "shm_copy at 1M")
    bw1m["noise"] = noise(["tail", "wide"], tail=12.3, ci=0.31)
    bw64k = rated(result("bw", 1 << 16, noisy(rng, 8), False), 0.9, "shm_copy at 64K")
    bw64k["noise"] = noise()
    d = report([lat8, lat1m, bw8, bw1m, bw64k], env={"UCX_TLS": "rc,sm"})
    d["schema_version"] = "2.5"
    point = lambda size, best, marks=(): {  # noqa: E731
        "size": size, "best": best, "median": best * 1.1, "min": best, "max": best * 1.3,
        "spread": 0.27, "iterations": 20, "noise": noise(marks, cpu_wait=0.41)}
    d["calibration"] = {"seconds": 1.5, "method": "constructed", "rank_pairs": [{
        "ranks": [0, 1],
        "shm_latency": {"unit": "us", "points": [point(8, 2.0), point(1 << 20, 150.0, ["waited"])]},
        "shm_copy": {"unit": "GB/s", "points": [point(8, 0.089), point(1 << 16, 8.9),
                                                 point(1 << 20, 10.0)]}}]}
    d["interference"] = {"results_measured": 5, "results_noisy": 2, "ceilings_unsound": 1,
                         "ceilings_exceeded": 1, "cpu_wait_max": 0.34,
                         "load_average": [2.5, 3.1], "cpus_online": 2}
    way = lambda r, **marks: {"path": "host", "mem": r["mem"], "gbps": r["stats"]["median"],  # noqa: E731
                              "efficiency": r.get("efficiency"), "pairs": 1, **marks}
    d["plan"] = [{"pair_type": "same node", "data": "host", "size_class": "small", "size": 1 << 16,
                  "best": way(bw64k), "runner_up": None},
                 {"pair_type": "same node", "data": "host", "size_class": "medium",
                  "size": 1 << 20, "best": way(bw1m, noisy=1), "runner_up": None}]
    return d


def noisy(rng, center, n=40, spread=0.05):
    return [round(center * (1 + rng.uniform(-spread, spread)), 6) for _ in range(n)]


def write(name, doc):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def main():
    rng = random.Random(6)
    base = [result("latency", 8, noisy(rng, 2.0), True), result("latency", 1 << 20, noisy(rng, 100), True),
            result("bw", 8, noisy(rng, 0.1), True), result("bw", 1 << 20, noisy(rng, 10), True),
            result("bw", 1 << 16, noisy(rng, 8, spread=0.2), True)]
    slow = [result("latency", 8, noisy(rng, 6.0), True), result("latency", 1 << 20, noisy(rng, 100), True),
            result("bw", 8, noisy(rng, 0.1), True), result("bw", 1 << 20, noisy(rng, 5), True),
            result("bw", 1 << 16, noisy(rng, 8.24, spread=0.2), True)]
    write("base.json", report(base, env={"UCX_TLS": "rc,sm"}))
    write("slower.json", report(slow, host="node-b", env={"UCX_TLS": "tcp"}))
    cib = [result("bw", 1 << 20, noisy(rng, 10, 30, 0.02), False),
           result("bw", 1 << 16, noisy(rng, 8, 30, 0.2), False)]
    cis = [result("bw", 1 << 20, noisy(rng, 9, 30, 0.02), False),
           result("bw", 1 << 16, noisy(rng, 8.1, 30, 0.2), False)]
    write("ci-base.json", report(cib))
    write("ci-slower.json", report(cis))
    write("other-path.json", report([result("bw", 1 << 20, noisy(rng, 10), False, path="staged")]))
    v3 = report(base)
    v3["schema_version"] = "3.0"  # a major the scripts do not read
    write("schema-v3.json", v3)
    write("not-gpuxfer.json", {"benchmark": "osu_bw", "results": []})
    with open(os.path.join(HERE, "not-json.json"), "w") as f:
        f.write("# size  bandwidth\n8 0.1\n")
    vals = [[None, 10.0, 9.5, 10.2], [9.9, None, 10.1, 4.0], [10.3, 9.8, None, 10.0],
            [10.0, 4.1, 9.7, None]]
    write("matrix.json", report([result("bw", 1 << 20, noisy(rng, 10), False, ranks=(a, b))
                                 for a in range(4) for b in range(4) if a != b],
                                matrices=[{"path": "host", "pattern": "bw", "size": 1 << 20,
                                           "unit": "GB/s", "ranks": 4, "values": vals}]))
    options = [result("latency", 8, noisy(rng, 2.0, n=10), True),
               result("latency", 1 << 20, noisy(rng, 100), True),
               result("latency", 1 << 20, noisy(rng, 100), True),
               result("latency", 4096, noisy(rng, 20), True),
               dict(result("bw", 8, [0.1], False), status="failed", reason="constructed failure"),
               dict(result("bw", 1 << 20, noisy(rng, 10), True), window=16)]
    del options[4]["stats"]
    for r, run in zip(options[:3], ("first", "first", "second")):
        r["run"] = run
    doc = report(options, env={"UCX_TLS": "rc,sm"},
                 command_line=("gpuxfer", "--iters", "10", "--window", "16"))
    doc["calibration"] = {"seconds": 0.5, "method": "constructed", "rank_pairs": []}
    write("options.json", doc)
    write("noisy.json", noisy_report(random.Random(45)))  # its own: the others stay as they were


if __name__ == "__main__":
    main()
