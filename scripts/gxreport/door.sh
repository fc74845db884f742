# The shell subcommands' common start (sourced by sweep.sh, soak.sh, bench.sh): they run only
# through the door (gpuxfer-report NAME), which tells them how to call it back, where the
# package's folder is, the release and the gpuxfer program it found (cli.py: shell_env).
if [ -z "${GX_REPORT_DOOR:-}" ] || [ -z "${GX_REPORT_LIB:-}" ]; then
    echo "$0: run it as gpuxfer-report $(basename "$0" .sh)" >&2
    exit 2
fi
gx_prog="gpuxfer-report $(basename "$0" .sh)"
# --help: the script's first comment block, without its #! line.
gx_usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0; }
gx_version() { echo "$gx_prog $GX_REPORT_VERSION"; exit 0; }
# Another subcommand, through the same door and Python.
gx_report() { "$GX_REPORT_PYTHON" "$GX_REPORT_DOOR" "$@"; }
# The package's helpers (python3 -m gxreport: sweep-order, write-manifest).
gx_report_lib() { PYTHONPATH=$GX_REPORT_LIB${PYTHONPATH:+:$PYTHONPATH} "$GX_REPORT_PYTHON" -m gxreport "$@"; }
# The program to run: $GPUXFER, else the one the door found (the build's, beside the door, on PATH).
gx_gpuxfer=${GPUXFER:-$GX_REPORT_GPUXFER}
# A scenario of the source tree (scripts/../scenarios); installed, gpuxfer finds its own by name.
gx_scenario() { if [ -r "$GX_REPORT_LIB/../scenarios/$1.json" ]; then echo "$GX_REPORT_LIB/../scenarios/$1.json"; else echo "$1"; fi; }
