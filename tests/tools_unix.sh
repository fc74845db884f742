#!/bin/bash
# The report tools as Unix programs: piped into
# head, writing to a full, closed or abandoned stdout, under a Latin-1 locale with non-ASCII
# names, given a FIFO or /dev/zero or a 2 GiB file or a size of 10^30 or a median of 0, 1e308 or
# 400 digits, a report crafted with escape sequences, one report given twice as two runs, writing
# a plot onto an existing file or a link or a full disk, a tune onto an existing folder or
# interrupted: no traceback, no hang, no unbounded memory, nothing unfiltered on the terminal, no
# overwrite without --force, no partial file or folder, and exit statuses that never collide with
# a verdict (2 bad input, 3 output not written, 130/143 interrupted; compare's and goals' 1 is
# theirs, and a tune's failed run).
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/tools-unix.XXXXXX")
S=$top_srcdir/scripts
rep=$top_srcdir/tests/reports/base.json
slower=$top_srcdir/tests/reports/slower.json
one_line() { # one_line FILE PATTERN: FILE is one line matching PATTERN, no traceback
    [ "$(wc -l <"$1")" -eq 1 ] && grep -q -- "$2" "$1" && ! grep -q Traceback "$1"
}
# Another run's report of what base.json measured: its own start and end times.
"$PYTHON" - "$rep" "$dir/again.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["start_time"], d["end_time"] = "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z"
json.dump(d, open(sys.argv[2], "w"))
PY
have_mpl=0
"$PYTHON" -c "import matplotlib" 2>/dev/null && have_mpl=1
# The report tools, each with the arguments that read FILE (a report, or B's first run) and write
# to stdout. A tune reads its --context before anything else and writes its folder only at the
# end; its stdout case lists the knobs.
tools="summary goals compare plot tune openmetrics"
reading() { # reading TOOL FILE: the tool's words
    case $1 in
    compare) echo "$S/gpuxfer-report compare $rep $dir/again.json -- $2 $slower" ;;
    plot) echo "$S/gpuxfer-report plot $2 -o $dir/plot-out.svg" ;;
    tune) echo "$S/gpuxfer-report tune -m false -o $dir/tune-out --dry-run --context $2" ;;
    *) echo "$S/gpuxfer-report $1 $2" ;;
    esac
}
printing() { # printing TOOL: the words of a run that prints to stdout
    case $1 in
    compare) echo "$S/gpuxfer-report compare $rep $dir/again.json" ;;
    plot) echo "$S/gpuxfer-report plot $rep -o $dir/plot-print.svg --force --describe" ;;
    tune) echo "$S/gpuxfer-report tune --list-knobs" ;;
    *) echo "$S/gpuxfer-report $1 $rep" ;;
    esac
}
nothing_left() { # what a tool given FILE must not leave behind
    [ -z "$(find "$dir" -maxdepth 1 -name 'plot-out.svg*' -o -maxdepth 1 -name 'tune-out*' -o \
        -maxdepth 1 -name '.tune-out*')" ]
}

for t in $tools; do
    if [ $t = plot ] && [ $have_mpl -eq 0 ]; then
        for i in 1 2 3 4; do skip "no matplotlib for $PYTHON: gpuxfer-report plot prints only after drawing"; done
        continue
    fi
    # shellcheck disable=SC2046
    "$PYTHON" $(printing $t) 2>"$dir/$t.err" | head -n 1 >/dev/null
    rc=${PIPESTATUS[0]}
    # The reader may leave before the tool writes or after (the pipe's buffer): 0 or 3, one line.
    { [ $rc -eq 0 ] && [ ! -s "$dir/$t.err" ]; } ||
        { [ $rc -eq 3 ] && one_line "$dir/$t.err" "^gpuxfer-report $t: cannot write stdout: Broken pipe"; }
    ok $? "gpuxfer-report $t | head -n 1: exit 0 or 3 with one line (exit $rc), no traceback" || diag <"$dir/$t.err"
    # shellcheck disable=SC2046
    "$PYTHON" $(printing $t) >/dev/full 2>"$dir/$t.err"
    rc=$?
    [ $rc -eq 3 ] && one_line "$dir/$t.err" "^gpuxfer-report $t: cannot write stdout: No space left on device"
    ok $? "gpuxfer-report $t onto a full stdout: exit 3 (got $rc), one line" || diag <"$dir/$t.err"
    # shellcheck disable=SC2046
    "$PYTHON" $(printing $t) >&- 2>"$dir/$t.err"
    rc=$?
    [ $rc -eq 3 ] && one_line "$dir/$t.err" "^gpuxfer-report $t: cannot write stdout: Bad file descriptor"
    ok $? "gpuxfer-report $t with stdout closed (>&-): exit 3 (got $rc), one line" || diag <"$dir/$t.err"
    # A reader gone before the first write, whatever the timing: a pipe whose read end is closed.
    # shellcheck disable=SC2046
    "$PYTHON" - $(printing $t) 2>"$dir/$t.err" <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
sys.exit(subprocess.run([sys.executable] + sys.argv[1:], stdout=w).returncode)
PY
    rc=$?
    [ $rc -eq 3 ] && one_line "$dir/$t.err" "^gpuxfer-report $t: cannot write stdout: Broken pipe"
    ok $? "gpuxfer-report $t, its reader gone (EPIPE): exit 3 (got $rc), one line" || diag <"$dir/$t.err"
done

# Every end the shared runner knows, one line and a status no verdict has (a tool's main raising
# what a slow read interrupted by Ctrl-C or an unforeseen bug would).
"$PYTHON" - "$S" <<'PY' 2>"$dir/run.err"
import subprocess, sys
sys.path.insert(0, sys.argv[1])
cases = {"raise KeyboardInterrupt": (130, "x: interrupted (SIGINT)"),
         "os.kill(os.getpid(), signal.SIGTERM)": (143, "x: interrupted (SIGTERM)"),
         "1 / 0": (2, "x: cannot use the input: ZeroDivisionError: division by zero (a bug of x: "
                     "GX_DEBUG=1 shows where)"),
         "raise RecursionError": (2, "x: input nested too deeply to use")}
bad = []
for body, (status, line) in cases.items():
    code = (f"import os, signal, sys\nsys.path.insert(0, {sys.argv[1]!r})\nimport gxreport as gx\n"
            f"def main(argv):\n    {body}\n    import time; time.sleep(60)\ngx.run('x', main)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if p.returncode != status or p.stderr.splitlines() != [line]:
        bad.append(f"{body}: exit {p.returncode}, stderr {p.stderr!r}")
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
ok $? "the shared runner: Ctrl-C 130, SIGTERM 143, an unforeseen error or a deep nesting 2, each one line" ||
    diag <"$dir/run.err"

mkfifo "$dir/fifo.json"
# A read of the fifo (or of /dev/zero) would never end: the limit tells that from a slow start on
# a loaded machine, with room to spare.
for input in "$dir/fifo.json" /dev/zero "$dir"; do
    timeout 120 "$PYTHON" "$S/gpuxfer-report" summary "$input" >/dev/null 2>"$dir/in.err"
    rc=$?
    [ $rc -eq 2 ] && one_line "$dir/in.err" "not a regular file\|Is a directory"
    ok $? "gpuxfer-report summary $input: exit 2 (got $rc) at once, one line" || diag <"$dir/in.err"
done

"$PYTHON" - "$rep" "$dir/big.json" "$dir/latin.json" "$dir/latin2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
big = json.loads(json.dumps(d))
big["results"][0]["size"] = 10 ** 30
json.dump(big, open(sys.argv[2], "w"))
for r in d["results"]:
    r["path"] = "h\u00f6st-\u20ac-\u00e9"
    r["run"] = "l\u00e4uft"
json.dump(d, open(sys.argv[3], "w"), ensure_ascii=False)
d["start_time"] = "2026-01-01T00:02:00Z"
json.dump(d, open(sys.argv[4], "w"), ensure_ascii=False)
PY
"$PYTHON" "$S/gpuxfer-report" summary "$dir/big.json" >/dev/null 2>"$dir/big.err"
rc=$?
[ $rc -eq 2 ] && one_line "$dir/big.err" "results\[0\].size: expected an integer from 1 to 2\*\*63 - 1"
ok $? "a size of 10^30: exit 2 (got $rc), the field named" || diag <"$dir/big.err"
for t in summary compare; do
    case $t in compare) a="$dir/latin.json $dir/latin2.json" ;; *) a="$dir/latin.json" ;; esac
    # shellcheck disable=SC2086
    LC_ALL=C PYTHONIOENCODING=latin-1 "$PYTHON" "$S/gpuxfer-report" $t $a >"$dir/latin.out" 2>"$dir/latin.err"
    rc=$?
    [ $rc -eq 0 ] && ! grep -q Traceback "$dir/latin.err" && grep -qF 'st-\u20ac' "$dir/latin.out"
    ok $? "gpuxfer-report $t under a Latin-1 locale, non-ASCII names: exit 0 (got $rc), no traceback" ||
        diag <"$dir/latin.err"
done

if "$PYTHON" -c "import matplotlib" 2>/dev/null; then
    echo mine >"$dir/mine.png"
    echo target >"$dir/target"
    ln -s "$dir/target" "$dir/link.png"
    for o in mine.png link.png; do
        "$PYTHON" "$S/gpuxfer-report" plot "$rep" -o "$dir/$o" 2>"$dir/p.err"
        rc=$?
        want="exists (--force overwrites it)"
        [ $o = mine.png ] || want="exists, a symbolic link (--force replaces the link, never its target)"
        [ $rc -eq 2 ] && one_line "$dir/p.err" "$want" &&
            [ "$(cat "$dir/$o")" = "$(cat "$dir/mine.png" 2>/dev/null || true)" -o -L "$dir/$o" ]
        ok $? "gpuxfer-report plot onto an existing $o: exit 2 (got $rc), left as it was" || diag <"$dir/p.err"
    done
    "$PYTHON" "$S/gpuxfer-report" plot "$rep" -o "$dir/link.png" --force 2>"$dir/p.err"
    rc=$?
    [ $rc -eq 0 ] && [ ! -L "$dir/link.png" ] && [ "$(cat "$dir/target")" = target ]
    ok $? "gpuxfer-report plot --force onto a link: the link replaced, its target untouched" || diag <"$dir/p.err"
    "$PYTHON" "$S/gpuxfer-report" plot "$dir/big.json" -o "$dir/big.png" 2>"$dir/p.err"
    rc=$?
    [ $rc -eq 2 ] && [ -z "$(find "$dir" -name 'big.png*')" ] && ! grep -q Traceback "$dir/p.err"
    ok $? "gpuxfer-report plot of a size of 10^30: exit 2 (got $rc), no file" || diag <"$dir/p.err"
    mkdir "$dir/full"
    if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=16k tmpfs "$dir/full" 2>/dev/null; then
        dd if=/dev/zero of="$dir/full/filler" bs=4k count=4 2>/dev/null
        "$PYTHON" "$S/gpuxfer-report" plot "$rep" -o "$dir/full/p.png" 2>"$dir/p.err"
        rc=$?
        [ $rc -eq 3 ] && one_line "$dir/p.err" "cannot write $dir/full/p.png: No space left on device" &&
            [ "$(ls "$dir/full")" = filler ]
        ok $? "gpuxfer-report plot onto a full disk: exit 3 (got $rc), one line, no partial file" ||
            { diag <"$dir/p.err"; ls "$dir/full" | diag; }
        umount "$dir/full"
    else
        skip "cannot mount a small tmpfs here"
    fi
else
    for i in 1 2 3 4 5; do skip "no matplotlib for $PYTHON"; done
fi

# Input every tool must refuse, with exit 2 and one line naming the file, before any work and
# leaving nothing: a file over the size limit (a sparse 2 GiB file: refused by its size, not
# read; under a 1 GiB address space a read would fail), and impossible medians.
truncate -s 2G "$dir/huge.json"
truncate -s $((1024 * 1024 + 1)) "$dir/mib1.json"
"$PYTHON" - "$rep" "$dir" <<'PY'
import json, os, sys
text = open(sys.argv[1]).read()
d = json.loads(text)
for name, v in (("zero", "0"), ("negative", "-1.5"), ("e308", "1e308"), ("digits", "1" + "0" * 399),
                ("nan", "NaN")):
    doc = json.loads(json.dumps(d))
    doc["results"][0]["stats"]["median"] = "MEDIAN"
    with open(os.path.join(sys.argv[2], f"median-{name}.json"), "w") as f:
        f.write(json.dumps(doc).replace('"MEDIAN"', v))
PY
for t in $tools; do
    # shellcheck disable=SC2046
    (ulimit -v 1048576; "$PYTHON" $(reading $t "$dir/huge.json")) >/dev/null 2>"$dir/in.err"
    rc=$?
    [ $rc -eq 2 ] && one_line "$dir/in.err" "^gpuxfer-report $t: $dir/huge.json: larger than 256 MiB (GX_REPORT_MAX_MIB), not read" &&
        nothing_left
    ok $? "gpuxfer-report $t, a 2 GiB file: exit 2 (got $rc), one line, not read" || diag <"$dir/in.err"
    # shellcheck disable=SC2046
    GX_REPORT_MAX_MIB=1 "$PYTHON" $(reading $t "$dir/mib1.json") >/dev/null 2>"$dir/in.err"
    rc=$?
    [ $rc -eq 2 ] && one_line "$dir/in.err" "^gpuxfer-report $t: $dir/mib1.json: larger than 1 MiB"
    ok $? "gpuxfer-report $t, GX_REPORT_MAX_MIB=1: a file of 1 MiB + 1 byte refused (got $rc)" || diag <"$dir/in.err"
    for m in zero negative e308 digits nan; do
        case $m in
        nan) want="results\[0\].stats.median: expected a number, got NaN" ;;
        *) want="results\[0\].stats.median: expected a number from 1e-09 to 1e+15 (a median is a time or a bandwidth), got " ;;
        esac
        # shellcheck disable=SC2046
        "$PYTHON" $(reading $t "$dir/median-$m.json") >/dev/null 2>"$dir/in.err"
        rc=$?
        [ $rc -eq 2 ] && one_line "$dir/in.err" "^gpuxfer-report $t: $dir/median-$m.json: $want" && nothing_left
        ok $? "gpuxfer-report $t, a median $m: exit 2 (got $rc), one line naming the file and the result" ||
            diag <"$dir/in.err"
    done
done
# Within the limit a report is read as ever.
GX_REPORT_MAX_MIB=1 "$PYTHON" "$S/gpuxfer-report" summary "$rep" >/dev/null 2>"$dir/in.err"
ok $? "GX_REPORT_MAX_MIB=1: a report of a few KiB read" || diag <"$dir/in.err"

# A limit no read can keep (beyond the platform's index: once an OverflowError called a bug):
# exit 2, one line, the range given.
GX_REPORT_MAX_MIB=99999999999999999999999 "$PYTHON" "$S/gpuxfer-report" summary "$rep" \
    >/dev/null 2>"$dir/in.err"
rc=$?
[ $rc -eq 2 ] && one_line "$dir/in.err" "^gpuxfer-report summary: GX_REPORT_MAX_MIB='99999999999999999999999': out of range (expected a number of MiB above 0, at most 1048576)$"
ok $? "GX_REPORT_MAX_MIB past any read: exit 2, out of range with its end (got $rc)" || diag <"$dir/in.err"

# Replicates that are not: one report given twice, by the same path, another path or a link to
# it, a copy or a copy rewritten (its JSON laid out anew) is refused, naming both arguments.
ln -s "$rep" "$dir/link.json"
cp "$rep" "$dir/copy.json"
"$PYTHON" -c 'import json, sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), indent=4, sort_keys=True)' \
    "$rep" "$dir/layout.json"
for t in compare plot; do
    for second in "$rep:the same file" "$dir/link.json:the same file" "$top_srcdir/tests/../tests/reports/base.json:the same file" \
            "$dir/copy.json:the same content" "$dir/layout.json:the same content"; do
        file=${second%%:*} how=${second#*:}
        case $t in plot) out="-o $dir/plot-out.svg" ;; *) out= ;; esac
        # shellcheck disable=SC2086
        "$PYTHON" "$S/gpuxfer-report" $t "$rep" "$file" -- "$slower" "$dir/again.json" $out >"$dir/dup.out" 2>"$dir/dup.err"
        rc=$?
        [ $rc -eq 2 ] && one_line "$dir/dup.err" "^gpuxfer-report $t: $rep and $file are one report ($how): give each run's report once" &&
            [ ! -s "$dir/dup.out" ] && nothing_left
        ok $? "gpuxfer-report $t A $(basename "$file") -- B B': exit 2 (got $rc), one line naming both ($how)" ||
            diag <"$dir/dup.err"
    done
done
"$PYTHON" "$S/gpuxfer-report" compare "$rep" "$dir/again.json" -- "$slower" "$slower" >/dev/null 2>"$dir/dup.err"
rc=$?
[ $rc -eq 2 ] && one_line "$dir/dup.err" "^gpuxfer-report compare: $slower and $slower are one report (the same file)"
ok $? "gpuxfer-report compare A A' -- B B: B given twice refused (got $rc)" || diag <"$dir/dup.err"
"$PYTHON" "$S/gpuxfer-report" compare --json "$rep" "$dir/again.json" -- "$slower" >"$dir/dup.json" 2>"$dir/dup.err"
rc=$?
[ $rc -eq 0 ] && "$PYTHON" - "$dir/dup.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
assert rows and all(r["cells"][0]["runs"] == 2 and r["cells"][1]["test"] == "t1" for r in rows), rows
PY
ok $? "gpuxfer-report compare A A' -- B, two runs of A: taken, each row a t1 test on two runs (exit $rc)" || diag <"$dir/dup.err"

# A report crafted to reach the terminal: escape sequences (colour, a window title, a clear
# screen, an 8-bit CSI), a carriage return, a bell, NUL and bidirectional-text controls in its
# names. Nothing of them is
# printed, by any tool, on stdout or stderr; the text around them is, and a file name in an error
# shows them escaped (\xHH, as gpuxfer's errors), so that it names that file and no other.
"$PYTHON" - "$rep" "$dir/evil.json" "$dir/evil2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
evil = "\x1b[31mRED\x1b]0;TITLE\x07\x1b[2J\x9b1m\r\x00\x85x\u202eLRO\u2066"
for r in d["results"]:
    r["path"] = "host" + evil
    r["run"] = "run" + evil
for rank in d["context"]["ranks"]:
    rank["hostname"] = "node" + evil
    rank["mpi_library"] = "Open MPI v4.1.4" + evil
d["command_line"] = ["gpuxfer", "--evil" + evil]
json.dump(d, open(sys.argv[2], "w"))
d["start_time"] = "2026-01-01T00:02:00Z"
json.dump(d, open(sys.argv[3], "w"))
PY
clean() { # clean FILE...: no control character but newline and tab, C0, DEL or C1
    "$PYTHON" - "$@" <<'PY'
import re, sys
bad = [f for f in sys.argv[1:]
       if re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]",
                    open(f, encoding="utf-8", errors="replace").read())]
print("control characters in:", *bad)
sys.exit(1 if bad else 0)
PY
}
for t in $tools; do
    case $t in
    compare) a="$S/gpuxfer-report compare $dir/evil.json $dir/evil2.json" ;;
    plot) a="$S/gpuxfer-report plot $dir/evil.json -o $dir/evil-plot.svg" ;; # without matplotlib: its error
    tune) a="$S/gpuxfer-report tune -m false -o $dir/evil-tune --dry-run --context $dir/evil.json" ;;
    *) a="$S/gpuxfer-report $t $dir/evil.json" ;;
    esac
    # shellcheck disable=SC2086
    "$PYTHON" $a >"$dir/evil.out" 2>"$dir/evil.err"
    rc=$?
    files="$dir/evil.out $dir/evil.err"
    [ -f "$dir/evil-tune/advice.txt" ] && files="$files $dir/evil-tune/advice.txt"
    # shellcheck disable=SC2086
    [ $rc -le 2 ] && ! grep -q Traceback "$dir/evil.err" && run_diag clean $files &&
        { [ $t != summary ] && [ $t != compare ] || grep -q "RED" "$dir/evil.out"; }
    ok $? "gpuxfer-report $t, a report with escape sequences in its names: none printed (exit $rc)" ||
        { diag <"$dir/evil.err"; head -c 600 "$dir/evil.out" | diag; }
    # shellcheck disable=SC2046
    "$PYTHON" $(reading $t "$dir/$(printf 'no\033]0;TITLE\007\033[31msuch\r.json')") >/dev/null 2>"$dir/evil.err"
    rc=$?
    [ $rc -eq 2 ] && run_diag clean "$dir/evil.err" &&
        one_line "$dir/evil.err" 'no\\x1b[]]0;TITLE\\x07\\x1b[[]31msuch\\x0d[.]json: cannot read'
    ok $? "gpuxfer-report $t, a file name with escape sequences: its error names it escaped (exit $rc)" ||
        diag <"$dir/evil.err"
done

# A tune's output folder: an existing one is refused and left as it was (--force replaces it);
# a tune refused after its start, or interrupted (Ctrl-C, SIGTERM) in its probe, leaves nothing.
tune() { "$PYTHON" "$S/gpuxfer-report" tune "$@"; }
mkdir "$dir/tex"
echo mine >"$dir/tex/keep"
tune -m false -o "$dir/tex" --dry-run --context "$rep" >"$dir/t.out" 2>"$dir/t.err"
rc=$?
[ $rc -eq 2 ] && one_line "$dir/t.err" "^gpuxfer-report tune: $dir/tex: exists (--force replaces it)" &&
    [ "$(ls -A "$dir/tex")" = keep ] && [ "$(cat "$dir/tex/keep")" = mine ] && [ ! -s "$dir/t.out" ] &&
    [ -z "$(find "$dir" -maxdepth 1 -name '.tex*')" ]
ok $? "gpuxfer-report tune onto an existing folder: exit 2 (got $rc), one line, the folder as it was" || diag <"$dir/t.err"
tune -m false -o "$dir/tex" --force --dry-run --context "$rep" >"$dir/t.out" 2>"$dir/t.err"
rc=$?
[ $rc -eq 0 ] && [ ! -e "$dir/tex/keep" ] && [ -s "$dir/tex/advice.txt" ] &&
    [ -z "$(find "$dir" -maxdepth 1 -name '.tex*')" ]
ok $? "gpuxfer-report tune --force: the folder replaced when the tune ends (exit $rc), nothing else left" || diag <"$dir/t.err"
tune -m false -o "$dir/tref" --context "$rep" --knobs NO_SUCH_KNOB >/dev/null 2>"$dir/t.err"
rc=$?
[ $rc -eq 2 ] && one_line "$dir/t.err" "^gpuxfer-report tune: --knobs: NO_SUCH_KNOB: not a knob" &&
    [ -z "$(find "$dir" -maxdepth 1 -name '*tref*')" ]
ok $? "gpuxfer-report tune refused after its start (--knobs): exit 2 (got $rc), no folder, no temporary left" ||
    { diag <"$dir/t.err"; ls -A "$dir" | diag; }
# The probe's mpirun waits until killed; the signal goes to the tune once the probe has started
# (an event, at any load). A background job ignores SIGINT: the tune is started with it default,
# as a terminal's Ctrl-C finds it.
printf '#!/bin/sh\ntouch "%s/started"\nexec sleep 600\n' "$dir" >"$dir/wait-mpirun"
chmod +x "$dir/wait-mpirun"
for sig in INT TERM; do
    rm -f "$dir/started"
    GPUXFER=$GPUXFER "$PYTHON" -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
        "$PYTHON" "$S/gpuxfer-report" tune -m "$dir/wait-mpirun" -o "$dir/tint" -- --sizes 8 >"$dir/t.out" 2>"$dir/t.err" &
    p=$!
    while [ ! -e "$dir/started" ] && kill -0 $p 2>/dev/null; do sleep 0.05; done
    kill -$sig $p
    wait $p
    rc=$?
    case $sig in INT) want=130 ;; TERM) want=143 ;; esac
    [ $rc -eq $want ] && one_line "$dir/t.err" "^gpuxfer-report tune: interrupted (SIG$sig)$" &&
        [ -z "$(find "$dir" -maxdepth 1 -name '*tint*')" ]
    ok $? "gpuxfer-report tune, SIG$sig in its probe: exit $want (got $rc), one line, no folder and no temporary left" ||
        { diag <"$dir/t.err"; ls -A "$dir" | diag; }
done

rm -rf "$dir"
done_testing
