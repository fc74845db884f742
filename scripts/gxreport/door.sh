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
# gx_whole OPTION VALUE LEAST WHAT: VALUE as a whole number from LEAST to 999999999 on stdout,
# or one line naming the option, the value and that range, and status 2. The shell's test(1)
# reads neither "abc" nor 20 digits (an error of its own, then false), and a number past 9
# digits is no count, time or tolerance anyone means.
gx_whole() {
    case $2 in
    '' | *[!0-9]*) echo "$gx_prog: $1 '$2' is not a whole number (expected $4: $3..999999999)" >&2; return 2 ;;
    esac
    if [ ${#2} -gt 9 ] || [ "$((10#$2))" -lt "$3" ]; then
        echo "$gx_prog: $1 '$2' is out of range (expected $4: $3..999999999)" >&2
        return 2
    fi
    echo "$((10#$2))"
}
# gx_out_folder OPTION DIR: DIR made a folder where missing; an existing folder (or a link to
# one) is written into; anything else (a file, a FIFO, a socket, a device, a link to no folder)
# is one line naming what it is and status 2: nothing is written in its place or through it.
gx_out_folder() {
    local what=
    if [ -d "$2" ]; then
        return 0
    elif [ -L "$2" ]; then what="a symbolic link to no folder"
    elif [ -p "$2" ]; then what="a FIFO"
    elif [ -S "$2" ]; then what="a socket"
    elif [ -b "$2" ] || [ -c "$2" ]; then what="a device"
    elif [ -f "$2" ]; then what="a regular file"
    elif [ -e "$2" ]; then what="no folder"
    fi
    if [ -n "$what" ]; then
        echo "$gx_prog: $1 '$2': exists and is $what (expected a folder)" >&2
        return 2
    fi
    mkdir -p -- "$2" 2>/dev/null ||
        { echo "$gx_prog: $1 '$2': cannot make the folder" >&2; return 2; }
}
# Another subcommand, through the same door and Python.
gx_report() { "$GX_REPORT_PYTHON" "$GX_REPORT_DOOR" "$@"; }
# The package's helpers (python3 -m gxreport: sweep-order, write-manifest).
gx_report_lib() { PYTHONPATH=$GX_REPORT_LIB${PYTHONPATH:+:$PYTHONPATH} "$GX_REPORT_PYTHON" -m gxreport "$@"; }
# The program to run: $GPUXFER, else the one the door found (the build's, beside the door, on PATH).
gx_gpuxfer=${GPUXFER:-$GX_REPORT_GPUXFER}
# A scenario of the source tree (scripts/../scenarios); installed, gpuxfer finds its own by name.
gx_scenario() { if [ -r "$GX_REPORT_LIB/../scenarios/$1.json" ]; then echo "$GX_REPORT_LIB/../scenarios/$1.json"; else echo "$1"; fi; }
