#!/bin/sh
# gpuxfer-report openmetrics: a real CPU run's report, a GPU reference run's and constructed
# reports with awkward values (quotes, backslashes, newlines and non-ASCII in names, hosts and
# reasons; a skipped and a failed result; marks; runs of one name), each read back by both of
# prometheus_client's parsers (OpenMetrics and the Prometheus text format node_exporter's
# textfile collector reads) and checked against its report; variants those parsers must refuse;
# -o FILE whole, never over a file without --force; a report it cannot read: one line, exit 2.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/openmetrics.XXXXXX")
om() { gx_report openmetrics "$@"; }
"$PYTHON" -c 'import prometheus_client' 2>/dev/null ||
    finish_skip "no prometheus_client for $PYTHON (apt-get install python3-prometheus-client)"

# check.py PROM REPORT...: PROM, as both parsers read it, holds each report's results, verdict
# and findings and nothing else; several reports: each sample labelled with its own.
cat >"$dir/check.py" <<'PY'
import collections, json, os, re, sys
sys.path.insert(0, os.environ["GX_SCRIPTS"])
import gxreport as gx
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om_parse
from prometheus_client.parser import text_string_to_metric_families as prom_parse

FACTOR = {"us": ("gpuxfer_result_median_seconds", 1e-6),
          "GB/s": ("gpuxfer_result_median_bytes_per_second", 1e9)}
RESULTS = ("gpuxfer_result_median_seconds", "gpuxfer_result_median_bytes_per_second",
           "gpuxfer_result_line_ratio", "gpuxfer_not_measured")
LABELS = ("pattern", "src_mem", "dst_mem", "size", "chunk", "depth", "initiator", "peer",
          "initiator_host", "peer_host")


def unique(fams):
    """{family: [samples]}, refusing two samples of one name and labels (one series twice: the
    textfile collector refuses the file; prometheus_client's parsers take it)."""
    seen, out = set(), {}
    for f in fams:
        assert f.type == "gauge" and f.name.startswith("gpuxfer_"), (f.name, f.type)
        for s in f.samples:
            assert s.timestamp is None, s
            key = (s.name, tuple(sorted(s.labels.items())))
            assert key not in seen, f"a series twice: {key}"
            seen.add(key)
            out.setdefault(f.name, []).append(s)
    return out


def pair(doc, ranks):
    hosts = {r.get("rank", i): r.get("hostname", "") for i, r in enumerate(doc["context"]["ranks"])}
    return (str(ranks[0]), str(ranks[1]), hosts[ranks[0]], hosts[ranks[1]])


def marks(r):
    """The marks gx's helpers (every tool's rule) give r."""
    m = gx.marks_json(r)
    return frozenset(gx.noise_marks(r) + ["few"] * gx.too_few(r) + [
        k for k in ("ceiling_exceeded", "ceiling_within", "ceiling_unsound") if m[k]] +
        ["line_exceeded"] * gx.line_exceeded(r))


def expected(rep, doc):
    """{family: Counter of (the labels checked, value)} that one report should give."""
    exp = collections.defaultdict(collections.Counter)
    text = lambda s: gx.printable(s).encode("utf-8", "replace").decode("utf-8")  # noqa: E731
    for r in doc["results"]:
        base = (rep, text(r.get("run", "")), text(r["path"]), r["pattern"], text(r["mem"]["src"]),
                text(r["mem"]["dst"]), str(r["size"]), str(r.get("chunk", "")),
                str(r.get("depth", ""))) + tuple(map(text, pair(doc, r["ranks"])))
        if r["status"] != "ok":
            exp["gpuxfer_not_measured"][base + (r["status"], text(r.get("reason", "")))] += 1
            continue
        name, factor = FACTOR[r["unit"]]
        exp[name][base + (marks(r), r["stats"]["median"] * factor)] += 1
        if r.get("line_gbs") and r["unit"] != "us":
            exp["gpuxfer_result_line_ratio"][
                base + (marks(r), r["stats"]["median"] / r["line_gbs"])] += 1
    for s in doc.get("skipped", []):
        key = (rep, text(s.get("run", "")), text(s["path"])) + ("",) * 6 + (
            tuple(map(text, pair(doc, s["ranks"]))) if "ranks" in s else ("",) * 4)
        exp["gpuxfer_not_measured"][key + ("skipped", text(s["reason"]))] += 1
    return exp


def got(samples, rep):
    """The same of the samples labelled with report rep ("": no report label)."""
    out = collections.defaultdict(collections.Counter)
    for name in RESULTS:
        for s in samples.get(name, []):
            lb = s.labels
            if lb.get("report", "") != rep:
                continue
            # a run seen again is name#2, name#3: its run is name
            base = (rep, re.sub(r"#\d+$", "", lb.get("run", "")), lb["path"]) + tuple(
                lb.get(k, "") for k in LABELS)
            if name == "gpuxfer_not_measured":  # its value counts those with its labels
                out[name][base + (lb["status"], lb["reason"])] += int(s.value)
            else:
                m = frozenset(lb["marks"].split(",")) if "marks" in lb else frozenset()
                out[name][base + (m, s.value)] += 1
    return out


def check(prom, reports, parsers=(om_parse, prom_parse)):
    body = open(prom, "rb").read().decode("utf-8")
    assert body.endswith("\n# EOF\n"), "no # EOF at the end"
    for parse in parsers:
        samples = unique(list(parse(body)))
        for path in reports:
            rep = path if len(reports) > 1 else ""
            doc = json.load(open(path))
            exp, have = expected(rep, doc), got(samples, rep)
            for name in set(exp) | set(have):
                assert exp[name] == have[name], (parse.__module__, path, name,
                                                 exp[name] - have[name], have[name] - exp[name])
            mine = lambda name: [s for s in samples.get(name, [])  # noqa: E731
                                 if s.labels.get("report", "") == rep]
            ok = sum(r["status"] == "ok" for r in doc["results"])
            medians = mine(RESULTS[0]) + mine(RESULTS[1])
            assert len(medians) == ok, (len(medians), ok)
            [code] = mine("gpuxfer_run_exit_code")
            assert code.value == doc["exit_code"] and code.labels["status"] == doc["status"], code
            counts = {s.labels["status"]: s.value for s in mine("gpuxfer_run_results")}
            assert counts == {st: sum(r["status"] == st for r in doc["results"])
                              for st in ("ok", "skipped", "failed")}, counts
            health = doc.get("health")
            if health is None:
                assert not mine("gpuxfer_health_findings"), "a health verdict without checks"
                continue
            [total] = mine("gpuxfer_health_findings")
            verdict = [f for f in health["findings"] if f.get("severity") != "warning"]
            assert total.value == len(verdict), total
            per = {s.labels["check"]: s.value for s in mine("gpuxfer_health_check_findings")}
            assert set(per) == set(health["checks"]) | {f["check"] for f in health["findings"]}
            assert sum(per.values()) == len(verdict), per
            found = collections.Counter((f["check"], gx.printable(f["line"]),
                                         gx.printable(f["evidence"])) for f in health["findings"])
            have = collections.Counter()
            for s in mine("gpuxfer_health_finding"):
                have[(s.labels["check"], s.labels["line"], s.labels["evidence"])] += int(s.value)
            assert have == found, (have, found)
        print(f"{parse.__module__}: {sum(len(v) for v in samples.values())} samples in "
              f"{len(samples)} families, as the reports say")


if __name__ == "__main__":
    check(sys.argv[1], sys.argv[2:])
PY
export GX_SCRIPTS="$top_srcdir/scripts"
check() { run_diag "$PYTHON" "$dir/check.py" "$@"; }

# A real CPU run: latency and bandwidth of host memory.
gx_mpirun 2 --path host --pattern latency,bw --sizes 8,64K --iters 5 --quiet \
    --output "$dir/run.json" >"$dir/run.txt" 2>&1
ok_diag $? "$dir/run.txt" "a CPU run's report"
om "$dir/run.json" >"$dir/run.prom" 2>"$dir/run.err"
ok_diag $? "$dir/run.err" "openmetrics of the CPU run: exit 0"
check "$dir/run.prom" "$dir/run.json"
ok $? "the CPU run's OpenMetrics, read by both parsers: every result's median, the verdict, the health checks"
grep -q '^# UNIT gpuxfer_result_median_seconds seconds$' "$dir/run.prom" &&
    grep -q '^# UNIT gpuxfer_result_median_bytes_per_second bytes_per_second$' "$dir/run.prom" &&
    grep -q '^gpuxfer_run_exit_code{status="complete"} 0$' "$dir/run.prom" &&
    grep -q '^gpuxfer_health_findings 0$' "$dir/run.prom" &&
    grep -q '^gpuxfer_result_median_seconds{path="host",pattern="latency",src_mem="pageable",dst_mem="pageable",size="8",initiator="0",peer="1",initiator_host="[^"]*",peer_host="[^"]*"[,}]' "$dir/run.prom"
ok_diag $? "$dir/run.prom" "units in the names and UNIT lines, a result's labels, the exit code, the health verdict"

# A GPU run (the reference runs shipped): line rates, GPUs by bus id, chunked paths.
gpu=$top_srcdir/results/reference/h100-2gpu-nvlink-default-run1.json
om "$gpu" >"$dir/gpu.prom" 2>"$dir/gpu.err"
ok_diag $? "$dir/gpu.err" "openmetrics of a GPU reference run: exit 0"
check "$dir/gpu.prom" "$gpu"
ok $? "the GPU run's OpenMetrics: its medians and line ratios as the report has them"
grep -q '^gpuxfer_result_line_ratio{.*chunk="[0-9]*",depth="[0-9]*".*initiator_gpu="0000:[0-9a-f:.]*",.*initiator_gpu_model="NVIDIA H100[^"]*"' "$dir/gpu.prom"
ok_diag $? "$dir/gpu.prom" "a chunked result's chunk and depth, its GPUs by bus id and model"

# Awkward values, built on the CPU run's report.
"$PYTHON" - "$dir/run.json" "$dir/awkward.json" <<'PY'
import copy, json, sys
doc = json.load(open(sys.argv[1]))
nasty = 'q"uote \\back\\slash\nnew line é ß ✓'
ranks = doc["context"]["ranks"]
ranks[0]["hostname"] = "host-0 " + nasty
ranks[1]["hostname"] = "hôte-1 \ud800"  # no UTF-8: '?'
ranks[0]["gpu"] = {"present": True, "fake": False, "pci_bus_id": "0000:1b:00.0",
                   "name": 'GPU "X" \\ ü'}
ranks[1]["gpu"] = {"present": True, "fake": False, "physical_index": 3, "name": "GPU Y"}
res = doc["results"]
bw = [r for r in res if r["unit"] == "GB/s"]
lat = [r for r in res if r["unit"] == "us"]
res[0]["run"] = "nightly " + nasty
extra = []
# Several runs of one scenario: the same path twice under one run name, once under another.
for r in lat:
    extra += [dict(copy.deepcopy(r), run="again"), dict(copy.deepcopy(r), run="again"),
              dict(copy.deepcopy(r), run="other"), dict(copy.deepcopy(r), run="other\x1b[0m")]
# A path named awkwardly; a skipped result and a failed one, reasons with quotes, newlines and
# an escape sequence (left out, as every tool leaves it out of what it prints).
extra.append(dict(copy.deepcopy(bw[0]), path="my " + nasty))
for status, reason in (("skipped", "no " + nasty), ("failed", "bad \x1b[31mred\x1b[0m byte")):
    r = copy.deepcopy(bw[0])
    r.pop("stats")
    r.update(status=status, reason=reason, run=status)
    extra.append(r)
# Marks: few iterations and a wide interval, a median above its line rate, one at half of it.
m = bw[-1]["stats"]["median"]
extra.append(dict(copy.deepcopy(bw[-1]), run="marked", noise={"marks": ["few", "wide"]},
                  line_gbs=m / 2, line_exceeded=True))
extra.append(dict(copy.deepcopy(bw[-1]), run="line", line_gbs=m * 2))
doc["results"] += extra
doc["skipped"] = [{"path": "p2p", "ranks": [0, 1], "reason": "no " + nasty, "run": "r"},
                  {"path": "nccl", "reason": "not built in"}]
finding = {"check": "nvlink-down", "rank": 0, "line": "rank 0: NVLink \"3\" down " + nasty,
           "evidence": "nvidia-smi said\n\"inactive\" \\ 0"}
doc["health"]["findings"] = [finding, dict(finding), dict(finding, check="pcie-below-max",
                                                        rank=None),
                             dict(finding, check="nvlink-errors", severity="warning")]
doc["status"], doc["exit_code"] = "complete", 8
json.dump(doc, open(sys.argv[2], "w"))
PY
ok $? "constructed: awkward names, hosts, reasons and findings; skipped, failed and marked results; runs of one name"
om "$dir/awkward.json" >"$dir/awkward.prom" 2>"$dir/awkward.err"
ok_diag $? "$dir/awkward.err" "openmetrics of the constructed report: exit 0"
check "$dir/awkward.prom" "$dir/awkward.json"
ok $? "the constructed report's OpenMetrics, read by both parsers: names, hosts and reasons as given, each result once"
py_check "$dir/awkward.prom" <<'PY'
import collections, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse
fams = {f.name: f for f in parse(open(sys.argv[1], encoding="utf-8").read())}
med = fams["gpuxfer_result_median_bytes_per_second"].samples
lat = fams["gpuxfer_result_median_seconds"].samples
runs = sorted({s.labels.get("run", "") for s in lat})
assert {"again", "again#2", "other", "other#2"} <= set(runs), runs
assert all(s.labels["peer_host"] == "hôte-1 ?" for s in lat)
nasty = 'q"uote \\back\\slash\nnew line é ß ✓'
assert any(s.labels["initiator_host"] == "host-0 " + nasty for s in lat)
assert any(s.labels["path"] == "my " + nasty for s in med)
assert all(s.labels["initiator_gpu"] == "0000:1b:00.0" and s.labels["peer_gpu"] == "3" and
           s.labels["initiator_gpu_model"] == 'GPU "X" \\ ü' for s in med)
[marked] = [s for s in med if s.labels.get("run") == "marked"]
assert set(marked.labels["marks"].split(",")) >= {"few", "wide", "line_exceeded"}, marked
ratios = {s.labels.get("run"): s.value for s in fams["gpuxfer_result_line_ratio"].samples}
assert ratios == {"marked": 2.0, "line": 0.5}, ratios
reasons = collections.Counter()
for s in fams["gpuxfer_not_measured"].samples:
    reasons[s.labels["status"] + ":" + s.labels["reason"]] += s.value
assert reasons == {"skipped:no " + nasty: 2.0, "failed:bad red byte": 1.0,
                   "skipped:not built in": 1.0}, reasons
finds = {(s.labels["check"], s.labels.get("rank"), s.labels.get("host")): s.value
         for s in fams["gpuxfer_health_finding"].samples}
assert finds == {("nvlink-down", "0", "host-0 " + nasty): 2.0,
                 ("pcie-below-max", None, None): 1.0,
                 ("nvlink-errors", "0", "host-0 " + nasty): 1.0}, finds
sev = {s.labels["check"]: s.labels["severity"] for s in fams["gpuxfer_health_finding"].samples}
assert sev == {"nvlink-down": "finding", "pcie-below-max": "finding", "nvlink-errors": "warning"}
assert [s.value for s in fams["gpuxfer_health_findings"].samples] == [3.0]
[code] = fams["gpuxfer_run_exit_code"].samples
assert code.value == 8 and code.labels == {"status": "complete"}
PY
ok $? "a run name seen again told apart (again, again#2; other and other with an escape sequence), a host name of no UTF-8 with '?', the pair's GPUs (bus id, index), the marks, line ratios, reasons counted, findings counted (one given twice: 2), a warning not in the verdict"

# Thousands of results with every label alike (a scenario's run of one name repeated), after
# one whose run is named as a copy would be numbered (again#2): each told apart, once (the
# copies again, again#3, ..., again#3001).
"$PYTHON" - "$dir/run.json" "$dir/same.json" <<'PY'
import copy, json, sys
doc = json.load(open(sys.argv[1]))
one = next(r for r in doc["results"] if r["unit"] == "us")
doc["results"] = [dict(one, run="again#2")] + [dict(one, run="again")] * 3000
json.dump(doc, open(sys.argv[2], "w"))
PY
om "$dir/same.json" >"$dir/same.prom" 2>"$dir/same.err" && py_check "$dir/same.prom" <<'PY'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse
fams = {f.name: f for f in parse(open(sys.argv[1], encoding="utf-8").read())}
runs = [s.labels["run"] for s in fams["gpuxfer_result_median_seconds"].samples]
want = ["again"] + [f"again#{n}" for n in range(2, 3002)]
assert sorted(runs) == sorted(want), (len(runs), sorted(set(want) - set(runs))[:5])
PY
ok_diag $? "$dir/same.err" "3000 results of one run name after one named as a copy: 3001 series, each once"

# A collective's group (--pairs job: the job's ranks; a CPU run, 3 ranks) labelled as a group
# with its size, never as a pair; a pair's labels as they were.
gx_mpirun 3 --pairs job --pattern allreduce,broadcast --sizes 64 --iters 3 --visits 1 --quiet \
    --output "$dir/coll.json" >"$dir/coll.out" 2>&1 &&
    om "$dir/coll.json" >"$dir/coll.prom" 2>>"$dir/coll.out" &&
    py_check "$dir/coll.prom" "$dir/coll.json" <<'PY'
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse
fams = {f.name: f for f in parse(open(sys.argv[1], encoding="utf-8").read())}
doc = json.load(open(sys.argv[2]))
host = {r["rank"]: r["hostname"] for r in doc["context"]["ranks"]}
got = sorted((s.labels["pattern"], tuple(sorted(set(s.labels) - {"marks"})), s.labels["group_first"],
              s.labels["group_last"], s.labels["group_size"], s.labels["group_first_host"],
              s.labels["group_last_host"])
             for s in fams["gpuxfer_result_median_bytes_per_second"].samples)
names = ("dst_mem", "group_first", "group_first_host", "group_last", "group_last_host",
         "group_size", "path", "pattern", "size", "src_mem")
assert got == [(p, names, "0", "2", "3", host[0], host[2]) for p in ("allreduce", "broadcast")], got
PY
ok_diag $? "$dir/coll.out" "--pairs job's collectives: group_first 0, group_last 2, group_size 3, the hosts of both; no initiator or peer"

# A field a sample is made of, of the wrong kind or missing: exit 2, one line naming the file and
# the field, nothing written; never a sample or a label left out.
"$PYTHON" - "$dir/run.json" "$dir/coll.json" "$dir" <<'PY'
import copy, json, os, sys
run, coll = (json.load(open(p)) for p in sys.argv[1:3])
def bad(name, doc, change):
    d = copy.deepcopy(doc)
    change(d)
    json.dump(d, open(os.path.join(sys.argv[3], f"bad-{name}.json"), "w"))
bad("code-text", run, lambda d: d.update(exit_code="0"))
bad("code-float", run, lambda d: d.update(exit_code=1.5))
bad("code-missing", run, lambda d: d.pop("exit_code"))
bad("status", run, lambda d: d.update(status=3))
bad("end", run, lambda d: d.update(end_time="yesterday"))
bad("host", run, lambda d: d["context"]["ranks"][1].update(hostname=7))
bad("evidence", run, lambda d: d["health"]["findings"].append(
    {"check": "nvlink-down", "rank": 0, "line": "l", "evidence": 5}))
bad("skipped", run, lambda d: d.update(skipped=[{"path": "p2p", "reason": ["r"]}]))
bad("group", coll, lambda d: d["results"][-1]["collective"].update(ranks="3"))
PY
for spec in "code-text|exit_code: expected an integer from 0 to 255 (gpuxfer's exit status), got \"0\"" \
    "code-float|exit_code: expected an integer from 0 to 255 (gpuxfer's exit status), got 1.5" \
    "code-missing|exit_code: expected an integer from 0 to 255 (gpuxfer's exit status), got nothing" \
    "status|status: expected a string, got 3" \
    "end|end_time: expected a UTC time as gpuxfer writes it" \
    "host|context.ranks[1].hostname: expected a string, got 7" \
    "evidence|health.findings[0].evidence: expected a string, got 5" \
    "skipped|skipped[0].reason: expected a string, got a list" \
    "group|.collective.ranks: expected an integer from 2 (the group's ranks), got \"3\""; do
    name=${spec%%|*} want=${spec#*|}
    om "$dir/bad-$name.json" -o "$dir/bad-$name.prom" >"$dir/e.out" 2>"$dir/e.err"
    [ $? -eq 2 ] && [ ! -s "$dir/e.out" ] && [ "$(wc -l <"$dir/e.err")" -eq 1 ] &&
        grep -qF "gpuxfer-report openmetrics: $dir/bad-$name.json: " "$dir/e.err" &&
        grep -qF -- "$want" "$dir/e.err" && [ ! -e "$dir/bad-$name.prom" ]
    ok_diag $? "$dir/e.err" "$name of the wrong kind: exit 2, one line naming the file and the field, no file"
done

# Reports before the health checks and the noise marks (the fixtures of compare's tests).
for f in base noisy; do
    om "$top_srcdir/tests/reports/$f.json" >"$dir/$f.prom" 2>"$dir/$f.err" &&
        check "$dir/$f.prom" "$top_srcdir/tests/reports/$f.json" &&
        ! grep -q '^gpuxfer_health' "$dir/$f.prom"
    ok $? "an older report ($f.json): its results, no health verdict" || diag <"$dir/$f.err"
done

# Several reports: each sample labelled with its report; a report given twice refused.
om "$dir/run.json" "$dir/awkward.json" >"$dir/two.prom" 2>"$dir/two.err" &&
    check "$dir/two.prom" "$dir/run.json" "$dir/awkward.json"
ok_diag $? "$dir/two.err" "two reports: every sample labelled with its report, each report's as alone"
cp "$dir/run.json" "$dir/copy.json"
om "$dir/run.json" "$dir/copy.json" >"$dir/twice.out" 2>"$dir/twice.err"
[ $? -eq 2 ] && [ ! -s "$dir/twice.out" ] && [ "$(wc -l <"$dir/twice.err")" -eq 1 ] &&
    grep -q "^gpuxfer-report openmetrics: .*are one report" "$dir/twice.err"
ok_diag $? "$dir/twice.err" "one report given twice: exit 2, one line"

# What the checks refuse, so that they can fail: an unescaped quote in a label (OpenMetrics'
# parser refuses it; the Prometheus format's reads on with the label cut short, which check.py
# finds), no # EOF (OpenMetrics; the Prometheus format has no end mark), a family given twice
# (OpenMetrics) and a series twice (OpenMetrics; the Prometheus format's takes it, check.py not).
py_check "$dir" "$dir/awkward.json" "$dir/awkward.prom" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from check import check, om_parse, prom_parse
report, good = sys.argv[2], sys.argv[3]
body = open(good, encoding="utf-8").read()


def refused(parse, text):
    try:
        list(parse(text))
    except ValueError:
        return True
    return False


def failed(text, parsers=(om_parse, prom_parse)):
    """Whether check.py fails on text as the report's OpenMetrics, read by parsers."""
    with open(good + ".bad", "w", encoding="utf-8") as f:
        f.write(text)
    try:
        check(good + ".bad", [report], parsers)
    except (ValueError, AssertionError) as e:
        print(f"refused: {type(e).__name__}: {str(e)[:80]}")
        return True
    return False


assert not refused(om_parse, body) and not refused(prom_parse, body) and not failed(body)
quote = body.replace('\\"', '"', 1)
assert quote != body and refused(om_parse, quote) and failed(quote, (prom_parse,))
no_eof = body[:-len("# EOF\n")]
assert refused(om_parse, no_eof) and not refused(prom_parse, no_eof) and failed(no_eof)
lines = body.splitlines(keepends=True)
first = [ln for ln in lines if ln.startswith("# TYPE ")][0].split()[2]
block = "".join(ln for ln in lines if ln.startswith((first + "{", first + " ")) or
                ln.startswith("# ") and ln.split()[2:3] == [first])
assert refused(om_parse, no_eof + block + "# EOF\n")
# The first sample again after the second: OpenMetrics' parser refuses a series that comes back
# (one given twice in a row it takes once); the Prometheus format's takes both.
one, two = [ln for ln in lines if ln.startswith(first + "{")][:2]
series = no_eof.replace(two, two + one, 1) + "# EOF\n"
assert refused(om_parse, series) and not refused(prom_parse, series)
assert failed(series, (prom_parse,))
PY
ok $? "refused: an unescaped quote and a series twice (OpenMetrics' parser; check.py on the Prometheus format's reading), no # EOF and a family twice (OpenMetrics' parser)"

# -o FILE: the text whole, as on stdout, whatever the locale; never over a file without --force.
LC_ALL=C om "$dir/awkward.json" >"$dir/c.prom" 2>"$dir/c.err" && cmp -s "$dir/c.prom" "$dir/awkward.prom"
ok_diag $? "$dir/c.err" "stdout in the C locale: the same UTF-8 text"
mkdir "$dir/textfile"
om "$dir/awkward.json" -o "$dir/textfile/gpuxfer.prom" >"$dir/o.out" 2>"$dir/o.err" &&
    [ ! -s "$dir/o.out" ] && cmp -s "$dir/textfile/gpuxfer.prom" "$dir/awkward.prom" &&
    [ "$(ls "$dir/textfile")" = gpuxfer.prom ]
ok_diag $? "$dir/o.err" "-o FILE: the text, nothing on stdout, no temporary left beside it"
om "$dir/run.json" -o "$dir/textfile/gpuxfer.prom" >"$dir/o.out" 2>"$dir/o.err"
[ $? -eq 2 ] && [ "$(wc -l <"$dir/o.err")" -eq 1 ] &&
    grep -q "^gpuxfer-report openmetrics: -o .*gpuxfer.prom: exists (--force overwrites it)$" "$dir/o.err" &&
    cmp -s "$dir/textfile/gpuxfer.prom" "$dir/awkward.prom"
ok_diag $? "$dir/o.err" "-o an existing FILE: exit 2, one line, the file as it was"
om "$dir/run.json" -o "$dir/textfile/gpuxfer.prom" --force 2>"$dir/o.err" &&
    cmp -s "$dir/textfile/gpuxfer.prom" "$dir/run.prom" && [ "$(ls "$dir/textfile")" = gpuxfer.prom ]
ok_diag $? "$dir/o.err" "-o FILE --force: replaced by the new text, nothing else left in the folder"

# A report it cannot read: one line on stderr, exit 2, nothing written.
for bad in "$dir/missing.json" "$top_srcdir/tests/reports/not-json.json"; do
    om "$bad" -o "$dir/textfile/bad.prom" >"$dir/e.out" 2>"$dir/e.err"
    [ $? -eq 2 ] && [ ! -s "$dir/e.out" ] && [ "$(wc -l <"$dir/e.err")" -eq 1 ] &&
        grep -q "^gpuxfer-report openmetrics: $bad: " "$dir/e.err" && [ ! -e "$dir/textfile/bad.prom" ]
    ok_diag $? "$dir/e.err" "$(basename "$bad"): exit 2, one line, no file"
done

done_testing
