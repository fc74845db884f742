"""A report left by a signal of the table (tests/lib.sh, gx_signal_check).

Usage: check_signal.py REPORT SIGNAL RANK EXIT. The report's exit_code is the job's, its status
interrupted with failure naming SIGNAL and RANK, and its results are the .jsonl's lines, one for
one and equal, at least one of them (the signal was sent after the first had streamed)."""
import json
import sys

path, sig, rank, code = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(path + ".jsonl", encoding="utf-8") as f:
    text = f.read()
assert text.endswith("\n"), "the .jsonl ends in a cut line"
lines = [json.loads(line) for line in text.splitlines()]
with open(path, encoding="utf-8") as f:
    d = json.load(f)
fail = d.get("failure") or {}
assert d["exit_code"] == code and d["status"] == "interrupted", (d["exit_code"], d["status"], code)
assert fail.get("kind") == "signal" and fail.get("signal") == sig, fail
assert fail.get("ranks") == [rank], fail
res = d["results"]
assert len(lines) >= 1, "no result streamed before the signal"
assert len(res) == len(lines), f"the report has {len(res)} results, the .jsonl {len(lines)} lines"
for i, (r, line) in enumerate(zip(res, lines)):
    assert r == line, f"result {i} differs from line {i}: {r} != {line}"
