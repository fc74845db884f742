#!/bin/sh
# Output safety: no overwrite without --force, missing directories created, reports replaced by
# rename (never rewritten in place), unwritable paths refused before anything is measured; the
# report tools' outputs never in place of what is no regular file (or folder) or link.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/output.XXXXXX")
args="--sizes 8 --iters 3 --pattern latency --quiet"

out="$dir/a/b/c/r.json"
gx_mpirun 2 $args --output "$out" >/dev/null 2>"$dir/err"
ok $? "missing directories are created: exit 0"
check_report "$out"
ok $? "the report in the new directory is valid"

echo '{"precious": true}' >"$dir/keep.json"
gx_mpirun 2 $args --output "$dir/keep.json" >/dev/null 2>"$dir/err"
rc=$?
[ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/err")" -eq 1 ] &&
    grep -q "exists (--force overwrites it)" "$dir/err" && grep -q precious "$dir/keep.json" &&
    [ ! -e "$dir/keep.json.jsonl" ]
ok $? "an existing report is kept without --force: exit 2, one line, file untouched"

echo '{"line": 1}' >"$dir/orphan.json.jsonl"
gx_mpirun 2 $args --output "$dir/orphan.json" >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && grep -q "orphan.json.jsonl' exists" "$dir/err" && grep -q line "$dir/orphan.json.jsonl"
ok $? "the .jsonl of an aborted run is kept too without --force"

echo '{"samples": [1]}' >"$dir/side.json.samples.jsonl"
gx_mpirun 2 $args --output "$dir/side.json" >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && grep -q "side.json.samples.jsonl' exists" "$dir/err" &&
    gx_mpirun 2 $args --force --output "$dir/side.json" >/dev/null 2>"$dir/err" &&
    [ ! -e "$dir/side.json.samples.jsonl" ]
ok $? "a .samples.jsonl is kept without --force; with it, an old one (the report does not refer to) is removed"

inode_before=$(stat -c %i "$dir/keep.json")
gx_mpirun 2 $args --force --output "$dir/keep.json" >/dev/null 2>"$dir/err"
ok $? "--force overwrites: exit 0"
check_report "$dir/keep.json"
ok $? "--force: the new report is valid"
[ "$(stat -c %i "$dir/keep.json")" != "$inode_before" ] &&
    [ -z "$(find "$dir" -name '*.tmp.*')" ]
ok $? "the report is written to a temporary file and renamed over the old one; no temporary left"

# Every form of --output that is no report file: refused (exit 2, one line naming the path as
# given, nothing measured, nothing created or replaced) without --force; with it, refused still
# (REFUSED) or the report written in place of the name itself (WRITTEN), never through a link.
# FORM SETUP-COMMAND FORCE-OUTCOME EXPECTED-TEXT
forms='directory|mkdir "$p"|REFUSED|exists and is a directory
slash|p="$p/"|REFUSED|ends in '"'/'"': a directory
fifo|mkfifo "$p"|REFUSED|exists and is a FIFO
device|p=/dev/full|REFUSED|exists and is a device
link|echo target >"$p.target" && ln -s "$p.target" "$p"|WRITTEN|is a symbolic link (to
dangling|ln -s "$p.nowhere" "$p"|WRITTEN|is a symbolic link (to
jsonl-dangling|ln -s "$p.nowhere" "$p.jsonl"|WRITTEN|.jsonl'"'"' is a symbolic link
jsonl-directory|mkdir "$p.jsonl"|REFUSED|.jsonl'"'"' exists and is a directory
file|echo old >"$p"|WRITTEN|exists (--force overwrites it)
under-a-file|: >"$p.f" && p="$p.f/r.json"|REFUSED|.f'"'"' is not a directory
unwritable-folder|p=/proc/gpuxfer-test.json|REFUSED|cannot write '"'/proc/gpuxfer-test.json'"'
missing-folders|p="$p.new/a/b/r.json"|WRITTEN|'
echo "$forms" >"$dir/forms"
# fd 3: mpirun forwards its stdin to rank 0, which would swallow the list.
while IFS='|' read -r form setup outcome want <&3; do
    for force in "" --force; do
        p="$dir/form-$form$force.json"
        eval "$setup"
        gx_mpirun 2 $args $force --output "$p" >"$dir/out" 2>"$dir/err" </dev/null
        rc=$?
        lines=$(grep -c '^gpuxfer: ' "$dir/err")
        if [ -z "$force" ] && [ -n "$want" ] || [ "$outcome" = REFUSED ]; then
            [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -qF -- "--output: " "$dir/err" &&
                grep -qF -- "$want" "$dir/err" && grep -qF -- "'${p%/}" "$dir/err" &&
                ! grep -q "0->1" "$dir/out" && [ ! -e "$p.nowhere" ] &&
                { [ ! -e "$p.target" ] || [ "$(cat "$p.target")" = target ]; } &&
                { [ -L "$p" ] || [ ! -f "$p" ] || [ "$(cat "$p")" = old ]; }
            ok $? "--output $form ${force:-without --force}: refused, naming it: $want"
        else
            [ $rc -eq 0 ] && [ -f "$p" ] && [ ! -L "$p" ] && [ ! -e "$p.nowhere" ] &&
                { [ ! -e "$p.target" ] || [ "$(cat "$p.target")" = target ]; } && check_report "$p"
            ok $? "--output $form ${force:-without --force}: written in place of the name, nothing through a link"
        fi || { echo "exit $rc"; cat "$dir/err"; ls -la "$dir" | grep "form-$form"; } | diag
    done
done 3<"$dir/forms"

: >"$dir/plainfile"
for bad in "$dir/plainfile/sub/r.json" /proc/gpuxfer-test/r.json /proc/gpuxfer-test.json; do
    gx_mpirun 2 $args --output "$bad" >"$dir/out" 2>"$dir/err"
    rc=$?
    [ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/err")" -eq 1 ] && grep -q -- "--output: cannot" "$dir/err" &&
        ! grep -q "0->1" "$dir/out"
    ok $? "unwritable --output $bad: exit 2 before any measurement" || { echo "exit $rc"; cat "$dir/err"; } | diag
done

# Bytes that are not UTF-8 (a Latin-1 job name, --name, a file name, a scenario's name) reach the
# report and the .jsonl repaired (U+FFFD) and listed in utf8_repaired: both always parse.
printf '{"runs": [{"name": "r\351sum\351", "sizes": "8", "iters": 3, "pattern": "latency"}]}' >"$dir/latin1.json"
bad=$(printf 'd\351bit')
SLURM_JOB_NAME=$bad gx_mpirun 2 --quiet --scenario "$dir/latin1.json" \
    --output "$dir/u8-$bad.json" >/dev/null 2>"$dir/err"
rc=$?
[ $rc -eq 0 ] && check_report "$dir/u8-$bad.json"
ok $? "foreign bytes in the environment, --output and a scenario name: exit 0, valid report" ||
    { echo "exit $rc"; cat "$dir/err"; } | diag
py_check "$dir/u8-$bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
rep = d["utf8_repaired"]
lines = [json.loads(l) for l in open(sys.argv[1] + ".jsonl", encoding="utf-8")]
want = ["command_line[5]", "context.ranks[0].env.SLURM_JOB_NAME", "context.ranks[1].env.SLURM_JOB_NAME"]
print(rep, lines)
sys.exit(0 if all(w in rep for w in want) and d["context"]["ranks"][0]["env"]["SLURM_JOB_NAME"] == "d\ufffdbit" and
         lines and all(l["run"] == "r\ufffdsum\ufffd" and l["utf8_repaired"] == ["run"] for l in lines) else 1)
PY
ok $? "the repaired fields are listed (report: command line, environment; each .jsonl line: run)"

# A full disk (a 64 KiB tmpfs, root only): exit 3, every .jsonl line complete, no temporary left.
# The samples fill it: one round trip each (--window 1; the default 24 at these sizes made each
# size outlast its --timeout where other jobs held the cores, 1060 of 1100 iterations in 324 s),
# no ceilings (not what this checks).
mkdir "$dir/full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k tmpfs "$dir/full" 2>"$dir/err"; then
    gx_mpirun 2 --sizes 1:64 --iters 1000 --pattern latency --window 1 --ceilings off --samples \
        --quiet --output "$dir/full/r.json" >/dev/null 2>"$dir/err"
    rc=$?
    py_check "$dir/full/r.json.jsonl" <<'PY'
import json, sys
t = open(sys.argv[1]).read()
lines = [json.loads(l) for l in t.splitlines()]
print(len(t), "bytes,", len(lines), "lines")
sys.exit(0 if t.endswith("\n") and 0 < len(lines) < 7 else 1)
PY
    full=$?
    [ $rc -eq 3 ] && [ $full -eq 0 ] && grep -q "No space left on device" "$dir/err" &&
        [ -z "$(find "$dir/full" -name '*.tmp.*')" ]
    ok $? "disk full: exit 3, the .jsonl ends with a complete line, no temporary report left" ||
        { echo "exit $rc"; cat "$dir/err"; ls -l "$dir/full"; } | diag
    umount "$dir/full"
else
    skip "disk full: cannot mount a small tmpfs here ($(id -un): $(head -c 200 "$dir/err"))"
fi

# The report tools' outputs (openmetrics -o FILE, plot -o FILE, tune -o FOLDER), with and without
# --force: never in place of a directory (for a file), a file (for a folder), a FIFO, a socket
# or a device: exit 2, one line naming it as what it is, left as it was. A symbolic link is
# refused without --force, and with it replaced itself, never its target. (A device of the
# test's own, never /dev/null: a tool that replaced it would replace only that.)
# FORM|SETUP|FILE TOOLS WITH --force|TUNE WITH --force
forms='directory|mkdir "$p"|REFUSED:exists and is a directory|WRITTEN
file|echo old >"$p"|WRITTEN|REFUSED:exists and is a regular file
fifo|mkfifo "$p"|REFUSED:exists and is a FIFO|REFUSED:exists and is a FIFO
socket|"$PYTHON" -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$p"|REFUSED:exists and is a socket|REFUSED:exists and is a socket
device|mknod "$p" c 1 3|REFUSED:exists and is a device|REFUSED:exists and is a device
link|echo target >"$p.target" && ln -s "$p.target" "$p"|WRITTEN|WRITTEN
dangling|ln -s "$p.nowhere" "$p"|WRITTEN|WRITTEN'
base="$top_srcdir/tests/reports/base.json"
tools="openmetrics tune"
"$PYTHON" -c 'import matplotlib' >/dev/null 2>&1 && tools="$tools plot"
tool_out() { # tool_out TOOL PATH [--force]: the tool writing its output to PATH
    local t=$1 o=$2
    shift 2
    case $t in
    tune) gx_report tune -m false --dry-run --context "$base" -o "$o" "$@" ;;
    *) gx_report "$t" "$base" -o "$o" "$@" ;;
    esac
}
kind() { # what is at $1: its type, and a regular file's text
    if [ -L "$1" ]; then echo "link to $(readlink "$1")"; elif [ -d "$1" ]; then echo "dir $(ls -A "$1" | head -3)";
    elif [ -p "$1" ]; then echo fifo; elif [ -S "$1" ]; then echo socket; elif [ -c "$1" ]; then echo device;
    elif [ -f "$1" ]; then echo "file $(head -c 20 "$1")"; else echo none; fi
}
echo "$forms" >"$dir/tool-forms"
for t in $tools; do
    while IFS='|' read -r form setup file_force dir_force; do
        if [ $form = device ] && [ "$(id -u)" -ne 0 ]; then
            skip "$t -o a device: mknod needs root"
            skip "$t -o a device --force: mknod needs root"
            continue
        fi
        outcome=$file_force
        [ $t = tune ] && outcome=$dir_force
        for force in "" --force; do
            p="$dir/tool-$t-$form$force.svg"
            eval "$setup"
            before=$(kind "$p")
            tool_out $t "$p" $force >/dev/null 2>"$dir/err"
            rc=$?
            if [ -z "$force" ] || [ "${outcome%%:*}" = REFUSED ]; then
                want=${outcome#REFUSED:}
                if [ -z "$force" ]; then
                    case $form in
                    link|dangling) want="exists, a symbolic link (--force replaces the link, never its target)" ;;
                    directory) [ $t = tune ] && want="exists (--force replaces it)" ;;
                    file) [ $t = tune ] || want="exists (--force overwrites it)" ;;
                    esac
                fi
                [ $rc -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] &&
                    grep -q "^gpuxfer-report $t: " "$dir/err" && grep -qF -- "$p: $want" "$dir/err" &&
                    [ "$(kind "$p")" = "$before" ]
                ok $? "$t -o $form ${force:-without --force}: refused, left as it was: $want"
            else
                [ $rc -eq 0 ] && [ ! -L "$p" ] && { [ $t = tune ] && [ -d "$p" ] || [ -f "$p" ]; }
                ok $? "$t -o $form --force: written in its place"
            fi || { echo "exit $rc, before: $before, after: $(kind "$p")"; cat "$dir/err"; } | diag
            [ ! -e "$p.nowhere" ] && { [ ! -e "$p.target" ] || [ "$(cat "$p.target")" = target ]; } &&
                [ -z "$(find "$dir" -name '*.tmp.*')" ] && [ -z "$(find "$dir" -name '.tool-*')" ]
            ok $? "$t -o $form ${force:-without --force}: nothing through a link, no temporary left"
        done
    done <"$dir/tool-forms"
done
# The shell subcommands' -o folders (soak, bench, sweep): a folder is written into, never
# anything else in its place or through it (a file, a FIFO, a device): exit 2, one line naming
# what it is, before anything runs.
echo "X=1" >"$dir/sweep-file"
for t in soak bench sweep; do
    for form in file fifo device; do
        p="$dir/shell-$t-$form"
        case $form in
        file) echo old >"$p"; what="a regular file" ;;
        fifo) mkfifo "$p"; what="a FIFO" ;;
        device)
            [ "$(id -u)" -eq 0 ] || { skip "$t -o a device: mknod needs root"; continue; }
            mknod "$p" c 1 3; what="a device" ;;
        esac
        before=$(kind "$p")
        case $t in
        soak) gx_report soak -d 1 -o "$p" -- --sizes 8 ;;
        bench) gx_report bench -o "$p" ;;
        sweep) gx_report sweep -o "$p" "$dir/sweep-file" -- --sizes 8 ;;
        esac >"$dir/out" 2>"$dir/err"
        rc=$?
        [ $rc -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && [ ! -s "$dir/out" ] &&
            grep -qxF "gpuxfer-report $t: -o '$p': exists and is $what (expected a folder)" "$dir/err" &&
            [ "$(kind "$p")" = "$before" ]
        ok $? "$t -o $form: exit 2, one line naming it, left as it was" ||
            { echo "exit $rc"; cat "$dir/out" "$dir/err"; } | diag
    done
done

# A name with control characters: the error names it escaped (\xHH, as gpuxfer's), not with
# them left out (which would name another file).
p="$dir/$(printf 'a\033[2J\nb.prom')"
mkfifo "$p"
gx_report openmetrics "$base" -o "$p" --force >/dev/null 2>"$dir/err"
[ $? -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] &&
    grep -qF -- "$dir/a\x1b[2J\x0ab.prom: exists and is a FIFO" "$dir/err"
ok $? "openmetrics -o a FIFO whose name holds an escape and a newline: named escaped, one line" ||
    diag <"$dir/err"

rm -rf "$dir"
done_testing
