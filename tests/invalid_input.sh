#!/bin/sh
# Invalid input: one line on stderr (rank 0), exit 2, every rank exits, no report left behind.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/invalid.XXXXXX")
sc="$top_srcdir/tests/scenarios"

# Each refused input is a job of its own, mostly waiting on mpirun's start-up: a few run at once,
# in the background, and said() gives their verdicts in the order they were started, before any
# check that reads what they left (or did not).
started=0 said_n=0 pids=
expect_input_error() { # NP EXPECTED-TEXT ARGS...
    np=$1; want=$2; shift 2
    started=$((started + 1))
    c="$dir/case.$started"
    mkdir "$c"
    printf '%s\n' "$* (np $np) -> exit 2: $want" >"$c/desc"
    # Their own --output where they test it (an option is given once); no report there either.
    case " $* " in
    *" --output "*) out="$dir/r.json"; set -- --quiet "$@" ;;
    *) out="$c/r.json"; set -- --output "$out" --quiet "$@" ;;
    esac
    (
        gx_mpirun "$np" "$@" >"$c/stdout" 2>"$c/stderr"
        rc=$?
        lines=$(grep -c '^gpuxfer: ' "$c/stderr")
        if [ $rc -eq 2 ] && grep -qF -- "$want" "$c/stderr" && [ "$lines" -eq 1 ] &&
            [ ! -e "$out" ] && [ ! -e "$out.jsonl" ]; then
            echo 0 >"$c/verdict"
        else
            { echo "exit $rc, $lines message lines"; cat "$c/stderr"; } >"$c/diag"
            echo 1 >"$c/verdict"
        fi
    ) &
    pids="$pids $!"
    set -- $pids
    if [ $# -ge 4 ]; then
        wait "$1"
        shift
        pids="$*"
    fi
}
said() {
    wait
    pids=
    while [ "$said_n" -lt "$started" ]; do
        said_n=$((said_n + 1))
        c="$dir/case.$said_n"
        ok "$(cat "$c/verdict")" "$(cat "$c/desc")" || diag <"$c/diag"
    done
}

expect_input_error 2 "--sizes: size '0' is out of range" --sizes 0
expect_input_error 2 "--sizes: size '-5' is out of range" --sizes -5
expect_input_error 2 "--sizes: bad size '1X'" --sizes 1X
expect_input_error 2 "--sizes: 4096G needs 16384.0 GiB (2 buffers of that size for each of the 2 ranks on this node)" --sizes 4096G
# 3/8 of the node's memory: one rank's two buffers would fit, two ranks' do not.
expect_input_error 2 "for each of the 2 ranks on this node), more than its" \
    --sizes "$(( $(getconf _PHYS_PAGES) * $(getconf PAGESIZE) / 8 * 3 ))"
expect_input_error 2 "--pattern: unknown pattern 'pingpong'" --pattern pingpong
expect_input_error 2 "--path: unknown path 'warp'" --path warp
expect_input_error 2 "--chunk: size '0' is out of range" --chunk 0
expect_input_error 2 "--depth: 0 is out of range" --depth 0
# --precision is a fraction of the median, as its help says: the errors give its range and
# what a value means, not another option's example.
expect_input_error 2 "--precision: '1%' is not a decimal: '%' is not a digit (expected more than 0 and at most 1, e.g. 0.01: the interval within +-1% of the median)" --precision 1%
expect_input_error 2 "--precision: 2 is out of range (expected more than 0 and at most 1, e.g. 0.01: the interval within +-1% of the median)" --precision 2
"$GPUXFER" --help | tr -s ' \n' ' ' | grep -q -- "--precision FRACTION a step stops once the 95% interval of its median lies within FRACTION x the median on either side (0.01: +-1%), more than 0, at most 1"
ok $? "--help: --precision FRACTION, the interval within FRACTION x the median, its range"
expect_input_error 2 "--iters: 'many' is not an integer" --iters many
expect_input_error 2 "unknown option '--frobnicate'" --frobnicate
expect_input_error 2 "--pairs: rank '7' in '0:7' (the job has 2 ranks" --pairs 0:7
expect_input_error 1 "gpuxfer: needs 2 ranks" --sizes 8

said

# The dry run refuses what the run refuses, with the same words: an --output that cannot be made
# (/proc: access() says yes to root), a --topology-xml that is empty, not XML, cut short, a
# device or larger than a node's topology (hwloc would parse it past the start-up timeout).
: >"$dir/empty.xml"
echo 'garbage<<' >"$dir/garbage.xml"
head -c 3000 "$top_srcdir/tests/topologies/h200x4-vm.xml" >"$dir/cut.xml"
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$dir/huge.xml"
for spec in "--output|/proc/gx-none/r.json|--output: cannot" \
    "--topology-xml|$dir/empty.xml|is not a valid hwloc XML topology" \
    "--topology-xml|$dir/garbage.xml|is not a valid hwloc XML topology" \
    "--topology-xml|$dir/cut.xml|is not a valid hwloc XML topology" \
    "--topology-xml|/dev/zero|not a regular file" \
    "--topology-xml|$dir/huge.xml|is 17.0 MiB, more than an hwloc XML topology of a node"; do
    opt=${spec%%|*} rest=${spec#*|}; val=${rest%%|*} want=${rest#*|}
    for dry in "" --dry-run; do
        gx_mpirun 2 --path host --sizes 8 --iters 3 --quiet $dry "$opt" "$val" \
            >/dev/null 2>"$dir/stderr"
        rc=$?
        [ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/stderr")" -eq 1 ] &&
            grep -qF -- "$want" "$dir/stderr"
        ok $? "$opt $(basename "$val")${dry:+ with --dry-run}: exit 2, $want (exit $rc)" ||
            diag <"$dir/stderr"
    done
done
rm -f "$dir/huge.xml"

# Text that reaches the table is printable, whatever brings it: an escape sequence (a window
# title), a newline, a C1 control or a bidirectional-text override in an option's value, a
# scenario's value or a fault spec is refused by name, shown escaped.
esc=$(printf 'a\033]0;owned\007b') nl=$(printf 'x\ny') rlo=$(printf 'ok\342\200\256evil')
c1=$(printf 'a\302\233b')
for spec in "--name|$esc|--name: 'a\\x1b]0;owned\\x07b' holds a control character at byte 2" \
    "--name|$rlo|--name: 'ok\\xe2\\x80\\xaeevil' holds a control character at byte 3" \
    "--name|$c1|--name: 'a\\xc2\\x9bb' holds a control character at byte 2" \
    "--table|$dir/$nl.txt|--table: '" "--output|$dir/$nl.json|--output: '"; do
    opt=${spec%%|*} rest=${spec#*|}; val=${rest%%|*} want=${rest#*|}
    gx_mpirun 2 --path host --sizes 8 --iters 3 --quiet "$opt" "$val" >/dev/null 2>"$dir/stderr"
    rc=$?
    [ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/stderr")" -eq 1 ] &&
        grep -qF -- "$want" "$dir/stderr" && grep -q "holds a control character" "$dir/stderr"
    ok $? "$opt with a control character in its value: exit 2, one line, shown escaped (exit $rc)" ||
        diag <"$dir/stderr"
done
printf '{"runs": [{"name": "a\\u001b[2Jb", "path": "host", "sizes": 8, "iters": 3}]}\n' \
    >"$dir/ctl.json"
gx_mpirun 2 --scenario "$dir/ctl.json" --quiet --output "$dir/ctl-r.json" >/dev/null 2>"$dir/stderr"
rc=$?
[ $rc -eq 2 ] && grep -qF "runs[0].name: 'a\\x1b[2Jb' holds a control character at byte 2" "$dir/stderr"
ok $? "a scenario run's name with an escape sequence: exit 2, shown escaped (exit $rc)" ||
    diag <"$dir/stderr"
GPUXFER_FAULT=$(printf 'die:rank=1\033[2J') gx_mpirun 2 --path host --sizes 8 --iters 3 --quiet \
    --output "$dir/ctl-f.json" >/dev/null 2>"$dir/stderr"
rc=$?
[ $rc -eq 2 ] && grep -qF "GPUXFER_FAULT: 'die:rank=1\\x1b[2J' holds a control character" "$dir/stderr"
ok $? "a fault spec with an escape sequence: exit 2, shown escaped (exit $rc)" || diag <"$dir/stderr"
# Its neighbours: text that gpuxfer quotes in a message rather than refuses as a value (an
# unknown option, a scenario's unknown key) is shown escaped the same way (gx_text_shown), and so
# are a lone 8-bit CSI byte and a bidirectional-text control in a fault spec; stderr holds no
# control character but its newlines.
printf '{"runs": [{"si\\u001b]0;T\\u0007ze": 8}]}\n' >"$dir/ctl-key.json"
printf '{"runs": [{"sizes": 8}], "x\\u202ey": 1}\n' >"$dir/ctl-top.json"
for spec in "--$esc||unknown option '--a\\x1b]0;owned\\x07b'" \
    "--scenario|$dir/ctl-key.json|runs[0]: unknown key 'si\\x1b]0;T\\x07ze'" \
    "--scenario|$dir/ctl-top.json|unknown key 'x\\xe2\\x80\\xaey'" \
    "--name|$(printf 'a\233[2Jb')|--name: 'a\\x9b[2Jb' holds a control character at byte 2" \
    "GPUXFER_FAULT|$(printf 'die:rank=1\342\201\246')|GPUXFER_FAULT: 'die:rank=1\\xe2\\x81\\xa6'"; do
    opt=${spec%%|*} rest=${spec#*|}; val=${rest%%|*} want=${rest#*|}
    case $opt in
    GPUXFER_FAULT) GPUXFER_FAULT=$val gx_mpirun 2 --path host --sizes 8 --iters 3 --quiet \
        --output "$dir/ctl-n.json" >/dev/null 2>"$dir/stderr" ;;
    *) gx_mpirun 2 --path host --sizes 8 --iters 3 --quiet --output "$dir/ctl-n.json" "$opt" \
        ${val:+"$val"} >/dev/null 2>"$dir/stderr" ;;
    esac
    rc=$?
    [ $rc -eq 2 ] && [ "$(grep -c '^gpuxfer: ' "$dir/stderr")" -eq 1 ] &&
        grep -qF -- "$want" "$dir/stderr" &&
        ! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177\233]')" "$dir/stderr" &&
        ! grep -q "$(printf '\342\200\256\|\342\201\246')" "$dir/stderr"
    ok $? "$(printf %s "$opt" | tr -d "\000-\037") quoting a control character: exit 2, one line, shown escaped (exit $rc)" ||
        diag <"$dir/stderr"
done
expect_input_error 2 "--scenario: cannot read" --scenario "$dir/none.json"
expect_input_error 2 "bad-json.json: line 4: not valid JSON" --scenario "$sc/bad-json.json"
expect_input_error 2 "bad-key.json: runs[1]: unknown key 'size'" --scenario "$sc/bad-key.json"
expect_input_error 2 "bad-type.json: runs[0].iters: expected an integer" --scenario "$sc/bad-type.json"
expect_input_error 2 "bad-range.json: runs[0].window: 0 is out of range" --scenario "$sc/bad-range.json"
expect_input_error 2 "bad-path.json: runs[0].path: unknown path 'carrier-pigeon'" --scenario "$sc/bad-path.json"
expect_input_error 2 "bad-pattern.json: runs[0].pattern: unknown pattern 'allreducev'" --scenario "$sc/bad-pattern.json"
expect_input_error 2 "bad-size.json: runs[0].sizes: bad size '1X'" --scenario "$sc/bad-size.json"
expect_input_error 2 "--output: cannot" --sizes 8 --output /proc/none/r.json

# A scenario file is one JSON document, and its strings hold no NUL ("host\u0000x" is not "host").
printf '{"runs": [{"sizes": "8"}]} x\n' >"$dir/trailing.json"
expect_input_error 2 "trailing.json: line 1: text after the JSON document" --scenario "$dir/trailing.json"
printf '{"runs": [{"sizes": "8"}]}\n{"runs": [{"sizes": "16"}]}\n' >"$dir/two.json"
expect_input_error 2 "two.json: line 2: text after the JSON document" --scenario "$dir/two.json"
printf '{"runs": [{"sizes": "8",\n "path": "host\\u0000garbage"}]}\n' >"$dir/nul.json"
expect_input_error 2 "nul.json: line 2: key 'path': a string holds a NUL character" --scenario "$dir/nul.json"
printf '{"runs": [{"sizes": "8", "name\\u0000x": "a"}]}' >"$dir/nulkey.json"
expect_input_error 2 "nulkey.json: line 1: key 'name\\u0000x': a string holds a NUL" --scenario "$dir/nulkey.json"
printf '{"runs": [{"sizes": "8"}]}\000{"x": 1}' >"$dir/nulbyte.json"
expect_input_error 2 "cannot read '$dir/nulbyte.json' (not a regular file of at most 64 MiB without NUL bytes)" \
    --scenario "$dir/nulbyte.json"
said
printf '{"runs": [{"sizes": "8", "iters": 3, "name": "a\\\\u0000"}]}  \n\n' >"$dir/backslash.json"
gx_mpirun 2 --scenario "$dir/backslash.json" --quiet --output "$dir/bs.json" >/dev/null 2>&1 &&
    [ "$("$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['run'])" "$dir/bs.json")" = 'a\u0000' ]
ok $? "an escaped backslash before u0000 is text, and whitespace after the document is fine"

# Topology and GPU placement.
xml="$top_srcdir/tests/topologies/h200x4-vm.xml"
gpus=0000:00:06.0,0000:00:07.0,0000:00:08.0,0000:00:09.0
expect_input_error 2 "--gpu-map: entry 4 (for node-local rank 1) is out of range (expected 0..3" \
    --topology-xml "$xml" --fake-gpus $gpus --gpu-map 0,4
expect_input_error 2 "--gpu-map: 'x' is not an integer" --gpu-map 0,x
expect_input_error 2 "--gpu-map: empty item in list" --gpu-map 0,,1
expect_input_error 2 "--topology-xml: cannot read '$dir/none.xml'" --topology-xml "$dir/none.xml"
expect_input_error 2 "--topology-xml: '$top_srcdir/README.md' is not a valid hwloc XML" \
    --topology-xml "$top_srcdir/README.md"
GPUXFER_TOPOLOGY_XML="$dir/none.xml" expect_input_error 2 "GPUXFER_TOPOLOGY_XML: cannot read"
# A FIFO (or a device) as an input is refused at once, not waited on by every rank.
mkfifo "$dir/fifo"
expect_input_error 2 "--scenario: cannot read '$dir/fifo': not a regular file" --scenario "$dir/fifo"
expect_input_error 2 "--topology-xml: cannot read '$dir/fifo': not a regular file" --topology-xml "$dir/fifo"
expect_input_error 2 "--scenario: cannot read '/dev/zero': not a regular file" --scenario /dev/zero
expect_input_error 2 "--fake-gpus: bus id '0000:00:0a.0' is not a PCI device in the topology" \
    --topology-xml "$xml" --fake-gpus 0000:00:06.0,0000:00:0a.0
# The dry run refuses what the run refuses: a bus id not in the topology (--topology-xml's, or
# this machine's, which has no such stand-in GPU).
expect_input_error 2 "--fake-gpus: bus id '0000:00:0a.0' is not a PCI device in the topology" \
    --dry-run --topology-xml "$xml" --fake-gpus 0000:00:06.0,0000:00:0a.0
expect_input_error 2 "--fake-gpus: bus id '0000:7f:1f.7' is not a PCI device in the topology of this machine" \
    --dry-run --fake-gpus 0000:7f:1f.7
expect_input_error 2 "--fake-gpus: bad PCI bus id 'gpu0'" --fake-gpus gpu0
expect_input_error 2 "--bind: unknown binding 'sideways' (expected auto, numa, core or none)" \
    --bind sideways

said

# Options that surprised: an ambiguous prefix, an item given twice, two outputs in
# one file, a FIFO as the table; --dry-run refuses what the run refuses, creating nothing.
expect_input_error 2 "option '--t' is ambiguous: --table, --timeout, --topology-xml" --sizes 8 --t 10
said
[ ! -e 10 ]
ok $? "'--t 10' wrote no table to ./10"
expect_input_error 2 "--pattern: 'bw' is given twice in 'bw,bw' (items 1 and 2" --pattern bw,bw
expect_input_error 2 "--path: 'host' is given twice in 'host,host'" --path host,host
expect_input_error 2 "--pairs: '0:1' is given twice in '0:1,0:1'" --pairs 0:1,0:1
for dry in "" --dry-run; do
    expect_input_error 2 "--table: '$dir/r.json' is also --output's report ('$dir/r.json'): each output needs a file of its own" \
        --sizes 8 $dry --output "$dir/r.json" --table "$dir/r.json"
    expect_input_error 2 "--table: '$dir/sub/../r.json.jsonl' is also --output's results file (.jsonl) ('$dir/r.json.jsonl')" \
        --sizes 8 $dry --output "$dir/r.json" --table "$dir/sub/../r.json.jsonl"
    said
    : >"$dir/taken.txt"
    ln -f "$dir/taken.txt" "$dir/link.json"
    expect_input_error 2 "--table: '$dir/taken.txt' is also --output's report ('$dir/link.json')" \
        --sizes 8 $dry --force --output "$dir/link.json" --table "$dir/taken.txt"
    expect_input_error 2 "--table: '$dir/fifo' is a FIFO, not a regular file" --sizes 8 $dry --table "$dir/fifo"
    expect_input_error 2 "--table: '$dir' is a directory, not a regular file" --sizes 8 $dry --table "$dir"
    expect_input_error 2 "--table: '$dir/taken.txt' exists (--force overwrites it)" --sizes 8 $dry --table "$dir/taken.txt"
    expect_input_error 2 "--output: '$dir/taken.txt' exists (--force overwrites it)" --sizes 8 $dry --output "$dir/taken.txt"
    expect_input_error 2 "--table: '$sc/good-two-runs.json' is also the --scenario file" \
        $dry --force --scenario "$sc/good-two-runs.json" --table "$sc/good-two-runs.json"
done
said
[ ! -e "$dir/sub" ] && [ -f "$dir/taken.txt" ] && [ ! -s "$dir/taken.txt" ]
ok $? "refused outputs: no folder made, no file written"
# A character device is a stream the table is written to: /dev/null discards it.
gx_mpirun 2 --sizes 8 --iters 3 --quiet --output "$dir/null.json" --table /dev/null >"$dir/stdout" 2>"$dir/stderr" &&
    [ ! -s "$dir/stdout" ] && [ -f "$dir/null.json" ] && [ -c /dev/null ]
ok $? "--table /dev/null: the run writes its report, no table" || diag <"$dir/stderr"
gx_mpirun 2 --sizes 8 --dry-run --output "$dir/dry.json" --table /dev/null >"$dir/stdout" 2>"$dir/stderr" &&
    [ ! -e "$dir/dry.json" ]
ok $? "--dry-run --table /dev/null: taken, nothing created" || diag <"$dir/stderr"

# An option no path of the run uses is said, once, and the run goes on.
gx_mpirun 2 --path host --sizes 8 --chunk 64K --dry-run --output "$dir/dry.json" >"$dir/stdout" 2>"$dir/stderr" &&
    [ "$(grep -c '^gpuxfer: ' "$dir/stderr")" -eq 1 ] &&
    grep -q "^gpuxfer: --chunk has no effect on path host (it does not chunk); " "$dir/stderr"
ok $? "--chunk with --path host: said on one line, exit 0" || diag <"$dir/stderr"

# gpuxfer-report bench's numbers: a value test(1) cannot read used to run with no time limit.
for t in abc 1.5 -5 ''; do
    "$top_srcdir/scripts/gpuxfer-report" bench -o "$dir/bench" -t "$t" >"$dir/stdout" 2>"$dir/stderr"
    rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$dir/stderr")" -eq 1 ] && [ ! -e "$dir/bench" ] &&
        grep -qF "gpuxfer-report bench: -t '$t' is not a whole number (expected a time limit in whole seconds" "$dir/stderr"
    ok $? "gpuxfer-report bench -t '$t': one line, exit 2 (got $rc), nothing run" || diag <"$dir/stderr"
done
"$top_srcdir/scripts/gpuxfer-report" bench -o "$dir/bench" -n 1 >"$dir/stdout" 2>"$dir/stderr"
[ $? -eq 2 ] && grep -qF "gpuxfer-report bench: -n '1' is out of range (expected a number of ranks: 2.." "$dir/stderr"
ok $? "gpuxfer-report bench -n 1: out of range, exit 2" || diag <"$dir/stderr"
# A launcher of several words that refuses its options: bench says there is no report and why
# (the launch, with the launcher's own error), not only the launcher's lines.
MPIRUN="$MPIRUN --gx-no-such-option" "$PYTHON" "$top_srcdir/scripts/gpuxfer-report" bench \
    -o "$dir/bench" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
[ $rc -eq 3 ] && grep -q "report: none$" "$dir/stdout" &&
    grep -q "^gpuxfer-report bench: no report: $MPIRUN --gx-no-such-option exited [0-9]* before gpuxfer wrote one (the launch failed" "$dir/stderr" &&
    grep -q "^  .*gx-no-such-option" "$dir/stderr"
ok $? "gpuxfer-report bench, a launcher that refuses its options: no report, the launch named (exit $rc)" ||
    { diag <"$dir/stdout"; diag <"$dir/stderr"; }

# A valid scenario still runs, and --help / --version work on every rank count.
gx_mpirun 2 --scenario "$sc/good-two-runs.json" --quiet --output "$dir/good.json" >/dev/null 2>&1
ok $? "a valid two-run scenario runs"
check_report "$dir/good.json"
ok $? "its report is valid"
gx_mpirun 1 --help >"$dir/help" 2>&1 &&
    grep -q -- '--sizes SIZES' "$dir/help" && grep -q 'default: 1:4M' "$dir/help"
ok $? "--help documents options with their defaults"

[ "$(gx_mpirun 2 --version 2>/dev/null | grep -cE '^gpuxfer [0-9]+\.[0-9]+\.[0-9]+$')" -eq 1 ]
ok $? "--version: one 'gpuxfer X.Y.Z' line (then the build), from rank 0 only"

said
rm -rf "$dir"
done_testing
