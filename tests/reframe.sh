#!/bin/sh
# tests/reframe/gpuxfer_check.py under ReFrame (>= 4; pip install reframe-hpc): gpuxfer on this
# machine, its performance figures taken from the JSON report. Skipped without ReFrame.
. "$top_srcdir/tests/lib.sh"

# ReFrame: $REFRAME (.ci/run installs it in a venv), else reframe on PATH, else $PYTHON's module.
if [ -n "${REFRAME:-}" ] && [ -x "$REFRAME" ]; then
    set -- "$REFRAME"
elif command -v reframe >/dev/null 2>&1; then
    set -- reframe
elif "$PYTHON" -c "import reframe" >/dev/null 2>&1; then
    set -- "$PYTHON" -c "import sys; from reframe.frontend.cli import main; sys.exit(main())"
else
    skip "ReFrame is not installed (pip install reframe-hpc, or REFRAME=/path/to/bin/reframe)"
    done_testing
    exit
fi
version=$("$@" --version 2>/dev/null)
case $version in
[4-9].* | [1-9][0-9]*.*) ;;
*)
    skip "ReFrame >= 4 needed, '$*' is '${version:-not runnable}'"
    done_testing
    exit
    ;;
esac

dir=$(mktemp -d "$TEST_TMP/reframe.XXXXXX")
# From its own folder: what ReFrame writes (stage, output, logs, perflogs) stays there.
(cd "$dir" && GPUXFER="$GPUXFER" GPUXFER_OPTS="--iters 20" GPUXFER_LAUNCHER_OPTS="$gx_mpirun_opts" \
    timeout -k 10 "${GX_TIMEOUT:-300}" "$@" -C "$top_srcdir/tests/reframe/settings.py" \
    -c "$top_srcdir/tests/reframe/gpuxfer_check.py" -r --prefix "$dir" \
    --report-file "$dir/run-report.json" --nocolor >"$dir/reframe.out" 2>&1)
ok $? "ReFrame $version runs gpuxfer_check.py on system 'local': passed" || diag <"$dir/reframe.out"

py_check "$dir/run-report.json" <<'PY'
import json, sys
cases = [t for run in json.load(open(sys.argv[1]))["runs"] for t in run["testcases"]]
perf = {k.rsplit(":", 1)[1]: v for t in cases for k, v in (t.get("perfvalues") or {}).items()}
print("cases: %s; performance: %s" % ([(t["name"], t["result"]) for t in cases], perf))
ok = [(t["name"], t["result"]) for t in cases] == [("gpuxfer_host_check", "pass")]
ok = ok and perf.get("latency_8B", [0])[0] > 0 and perf["latency_8B"][4] == "us"
ok = ok and perf.get("bw_1M", [0])[0] > 0 and perf["bw_1M"][4] == "GB/s"
sys.exit(0 if ok else 1)
PY
ok $? "ReFrame's report: sanity (the report complete) and performance passed, latency_8B in us and bw_1M in GB/s from report.json, both positive"

done_testing
