#!/bin/sh
# make install into a DESTDIR: the program, the report tools (run by configure's Python, their
# module found from the installed location), data, man page generated from --help's table;
# --scenario NAME finds the scenarios from the build tree, the staged and a moved install;
# make uninstall removes everything again.
. "$top_srcdir/tests/lib.sh"
: "${top_builddir:?}" "${GX_BINDIR:?}" "${GX_PKGDATADIR:?}" "${GX_MAN1DIR:?}" "${GX_DOCDIR:?}" \
    "${GX_BASHCOMPDIR:?}"
dir=$(mktemp -d "$TEST_TMP/install.XXXXXX")
dest=$dir/root
bin=$dest$GX_BINDIR data=$dest$GX_PKGDATADIR
# A make of its own, not the jobserver of the make that runs the tests.
gx_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$top_builddir" "$@"; }

gx_make install DESTDIR="$dest" >"$dir/install.log" 2>&1
ok $? "make install DESTDIR=..." || diag <"$dir/install.log"

missing=""
for f in "$bin/gpuxfer" "$bin/gpuxfer-report" "$data/slurm/gpuxfer.sbatch" "$data/slurm/gpuxfer-nodecheck.sh" \
    "$data/slurm/sweep-array.sbatch"; do
    [ -x "$f" ] || missing="$missing $f"
done
for f in "$data/gxreport/__init__.py" "$data/gxreport/cli.py" "$data/gxreport/tunelib.py" \
    "$data/gxreport/sweep.sh" "$data/gx-config-line.sh" "$data/gpuxfer-report.schema.json" "$data/scenarios/smoke.json" \
    "$data/scenarios/gpu-sweep.json" "$data/scenarios/soak.json" "$data/slurm/sweep.example" \
    "$data/slurm/gpuxfer.args.example" "$dest$GX_MAN1DIR/gpuxfer.1" "$dest$GX_DOCDIR/LICENSE" \
    "$dest$GX_DOCDIR/CHANGELOG.md" "$dest$GX_DOCDIR/README.md" "$dest$GX_DOCDIR/docs/options.md" \
    "$dest$GX_DOCDIR/docs/reliability.md"; do
    [ -s "$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && [ "$(ls "$bin")" = "gpuxfer
gpuxfer-report" ]
ok $? "bindir: gpuxfer and gpuxfer-report alone; pkgdatadir: the package, schema, scenarios, Slurm; man, docs" ||
    echo "missing:$missing" | diag

# The reference runs, installed as they are in the source tree (pkgdatadir/reference), their
# README beside the docs (where the README's link finds it); the installed gpuxfer-report compare sets
# them beside each other.
bad="" nref=0
for f in "$top_srcdir"/results/reference/*.json; do
    nref=$((nref + 1))
    cmp -s "$f" "$data/reference/$(basename "$f")" || bad="$bad $(basename "$f")"
done
[ $nref -gt 0 ] && [ -z "$bad" ] && [ "$(ls "$data/reference" | wc -l)" -eq $nref ] &&
    cmp -s "$top_srcdir/results/README.md" "$dest$GX_DOCDIR/results/README.md"
ok $? "the $nref reference runs in pkgdatadir/reference, their README in docdir/results" ||
    echo "missing or different:$bad" | diag
(cd / && env -u PYTHONPATH "$bin/gpuxfer-report" compare "$data"/reference/h200-1gpu-*-run1.json \
    "$data"/reference/h200-1gpu-*-run2.json -- "$data"/reference/h100-80gb-1gpu-*-run1.json) \
    >"$dir/ref.txt" 2>&1
# compare wraps its lines at 100 columns (a long path across lines): the A line read whole.
[ $? -eq 0 ] && sed -n '/^# A:/,/^# B:/p' "$dir/ref.txt" | sed '$d' | tr -d '\n# ' |
    grep -q '/h200-1gpu-default-run2.json(2runs)' && grep -q '^# summary' "$dir/ref.txt" &&
    grep -A2 '^ranks.gpu.name' "$dir/ref.txt" | grep -q '^  B: NVIDIA H100' 
ok $? "installed gpuxfer-report compare: two H200 reference runs against an H100 one, the GPUs named" ||
    diag <"$dir/ref.txt"
"$PYTHON" - "$data/reference/h100-80gb-1gpu-default-run2.json" "$dir/mine.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["start_time"], d["end_time"] = "2026-11-25T10:00:00Z", "2026-11-25T10:01:00Z"
json.dump(d, open(sys.argv[2], "w"))
PY
(cd / && env -u PYTHONPATH "$bin/gpuxfer-report" compare --reference "$dir/mine.json") >"$dir/mref.txt" 2>&1
[ $? -eq 0 ] && runs=$(ls "$data"/reference/h100-80gb-1gpu-*.json | wc -l) &&
    sed -n '/^# reference:/,/^# [^ ]/p' "$dir/mref.txt" | sed '$d' | tr -d '\n# ' |
    grep -qx "reference:${runs}runsofNVIDIAH10080GBHBM3(thesameGPU)from$(echo "$data" | tr -d ' ')/reference" &&
    grep -q "^# one run's noise between runs: the golden runs of NVIDIA H100 80GB HBM3 x 1 in" "$dir/mref.txt"
ok $? "installed gpuxfer-report compare --reference: the installed reference runs of the same GPU, and the installed expectations' golden runs for the side of one run" ||
    diag <"$dir/mref.txt"

# Every installed program has a man page and a bash completion, and each subcommand of
# gpuxfer-report a page of its own, gpuxfer-report-NAME (generated from their --help by
# build-aux/gx-help2man).
missing=""
for p in "$bin"/*; do
    page=$dest$GX_MAN1DIR/$(basename "$p").1
    [ -s "$page" ] && grep -q '^\.SH NAME' "$page" || missing="$missing $page"
    [ -s "$dest$GX_BASHCOMPDIR/$(basename "$p")" ] && bash -n "$dest$GX_BASHCOMPDIR/$(basename "$p")" ||
        missing="$missing completion/$(basename "$p")"
done
for s in $(env -u PYTHONPATH "$bin/gpuxfer-report" --list-subcommands); do
    page=$dest$GX_MAN1DIR/gpuxfer-report-$s.1
    [ -s "$page" ] && grep -q "^gpuxfer\\\\-report\\\\-$s \\\\- " "$page" || missing="$missing $page"
done
[ -z "$missing" ]
ok $? "a man page and a bash completion for each installed program ($(ls "$bin" | wc -l)), a page per subcommand" ||
    echo "missing:$missing" | diag

[ "$(head -n 1 "$bin/gpuxfer-report")" = "#!$PYTHON" ]
ok $? "gpuxfer-report's #! line is configure's Python ($PYTHON)" || head -n 1 "$bin/gpuxfer-report" | diag

# From another folder, with nothing of the source tree on the module path: gxreport can only
# come from the installed pkgdatadir.
rep=$top_srcdir/tests/reports
(cd / && env -u PYTHONPATH "$bin/gpuxfer-report" compare "$rep/base.json" "$rep/slower.json") \
    >"$dir/cmp.txt" 2>&1
[ $? -eq 0 ] && grep -q 'slower' "$dir/cmp.txt"
ok $? "installed gpuxfer-report compare runs, its module from the installed location" ||
    diag <"$dir/cmp.txt"
# The installed sweep script reads sweep files with the installed parser (the Slurm one's too).
(cd / && "$bin/gpuxfer-report" sweep --dry-run "$data/slurm/sweep.example") >"$dir/sweep.txt" 2>&1 &&
    [ "$(head -n 1 "$dir/sweep.txt")" = "cfg-0-UCX_TLS=rc_sm_cuda_copy_cuda_ipc/run1.json: UCX_TLS=rc,sm,cuda_copy,cuda_ipc" ] &&
    [ "$(wc -l <"$dir/sweep.txt")" -eq 9 ]
ok $? "installed gpuxfer-report sweep reads sweep.example with the installed gx-config-line.sh" ||
    diag <"$dir/sweep.txt"
(cd / && env -u PYTHONPATH "$bin/gpuxfer-report" tune --list-knobs) >"$dir/tune.txt" 2>&1
[ $? -eq 0 ] && grep -q '^## UCX' "$dir/tune.txt" && grep -q 'UCX_RNDV_THRESH' "$dir/tune.txt"
ok $? "installed gpuxfer-report tune lists its knob tables, tunelib.py from the installed location" ||
    diag <"$dir/tune.txt"
(cd / && env -u PYTHONPATH "$bin/gpuxfer-report" goals "$rep/base.json") >"$dir/goals.txt" 2>&1
[ $? -le 1 ] && ! grep -q 'Traceback\|ModuleNotFound' "$dir/goals.txt"
ok $? "installed gpuxfer-report goals runs" || diag <"$dir/goals.txt"

# A Python without matplotlib: the message names the interpreter and how to install it.
mkdir -p "$dir/nompl/matplotlib" && echo 'raise ImportError("hidden by the test")' \
    >"$dir/nompl/matplotlib/__init__.py"
PYTHONPATH=$dir/nompl "$bin/gpuxfer-report" plot "$rep/base.json" -o "$dir/x.png" 2>"$dir/plot.err"
[ $? -eq 2 ] && grep -q "gpuxfer-report plot: .*python.* has no matplotlib (apt-get install python3-matplotlib or pip install matplotlib)" "$dir/plot.err"
ok $? "gpuxfer-report plot without matplotlib names the interpreter and the package" ||
    diag <"$dir/plot.err"

# The man page comes from the option table: every option --help lists is in it.
gx_mpirun 1 --help >"$dir/help" 2>&1
opts=$(sed -n 's/^  --\([a-z-]*\).*/\1/p' "$dir/help")
man=$dest$GX_MAN1DIR/gpuxfer.1
absent=""
for o in $opts; do
    grep -qF "\\-\\-$(echo "$o" | sed 's/-/\\-/g')" "$man" || absent="$absent --$o"
done
[ -n "$opts" ] && [ -z "$absent" ] && grep -q '^\.TH GPUXFER 1' "$man" &&
    grep -q 'Generated by gx-help2man from gpuxfer --help-all' "$man"
ok $? "gpuxfer.1: generated, every --help option in it ($(echo $opts | wc -w) options)" ||
    echo "not in the man page:$absent" | diag

if command -v groff >/dev/null 2>&1; then
    for page in "$dest$GX_MAN1DIR"/*.1; do
        groff -man -ww -z "$page" 2>&1 | sed "s|^|$(basename "$page"): |"
    done >"$dir/groff.err"
    [ ! -s "$dir/groff.err" ] && grep -q '^Examples:$' "$man"
    ok $? "every man page renders without groff warnings; gpuxfer.1 has the examples" ||
        diag <"$dir/groff.err"
else
    skip "groff not installed (apt-get install groff-base)"
fi

# --scenario NAME, wherever gpuxfer is (src/cli/scenario_find.c): GPUXFER_SCENARIO_PATH's
# folders first, then the build tree's scenarios (srcdir/scenarios in a VPATH build), or for an
# installed program the pkgdatadir beside it (a DESTDIR-staged or moved install), then the
# configured pkgdatadir. A scenario of the same name in each place, each with a run name of its
# own, shows which one a --dry-run read.
unset GPUXFER_SCENARIO_PATH
scen() { # scen FILE RUNNAME
    mkdir -p "$(dirname "$1")" &&
        printf '{"runs": [{"name": "%s", "path": "host", "pattern": "latency", "sizes": "8"}]}\n' \
            "$2" >"$1"
}
dry_run_name() { # dry_run_name NAME [GPUXFER]: the first run name --dry-run lists ("# run NAME")
    GPUXFER=${2:-$GPUXFER} gx_mpirun 2 --scenario "$1" --dry-run 2>&1 |
        awk '$1 == "#" && $2 == "run" { print $3; exit }'
}
scen "$data/scenarios/gx-where.json" staged
scen "$dir/env/gx-where.json" from-env
gx_mpirun 2 --scenario smoke --dry-run >"$dir/bt.txt" 2>&1 &&
    grep -q '^# run smoke$' "$dir/bt.txt"
ok $? "the build tree's gpuxfer finds smoke by name (the source tree's scenarios/)" ||
    diag <"$dir/bt.txt"
gx_mpirun 2 --scenario nosuch --quiet --output "$dir/nosuch.json" >/dev/null \
    2>"$dir/bt.err"
[ $? -eq 2 ] && grep -qF "in $(cd "$top_srcdir" && pwd -P)/scenarios, $GX_PKGDATADIR/scenarios, in that order" \
    "$dir/bt.err" && grep -q "no scenario 'nosuch' (expected a file, or one of: .*plan, smoke" "$dir/bt.err"
ok $? "--scenario with an unknown name from the build tree: exit 2, the shipped names, the source tree's scenarios, then the installed ones" ||
    diag <"$dir/bt.err"

# The staged install: its own scenarios, found relative to the program (its smoke runs).
GPUXFER=$bin/gpuxfer gx_mpirun 2 --scenario smoke --iters 3 --ceilings off --quiet \
    --output "$dir/smoke.json" >"$dir/smoke.txt" 2>&1 &&
    check_report "$dir/smoke.json" >/dev/null
ok $? "the DESTDIR-staged gpuxfer runs --scenario smoke by name" || diag <"$dir/smoke.txt"
got=$(dry_run_name gx-where "$bin/gpuxfer")
[ "$got" = staged ]
ok $? "the staged gpuxfer reads the staged pkgdatadir's scenario (run '$got')"
GPUXFER_SCENARIO_PATH=$dir/none:$dir/env
export GPUXFER_SCENARIO_PATH
got=$(dry_run_name gx-where "$bin/gpuxfer")
[ "$got" = from-env ]
ok $? "GPUXFER_SCENARIO_PATH comes before the installed scenarios (run '$got')"
GPUXFER=$bin/gpuxfer gx_mpirun 2 --scenario nosuch --quiet \
    --output "$dir/nosuch.json" >/dev/null 2>"$dir/nosuch.err"
[ $? -eq 2 ] && grep -qF "in $dir/none, $dir/env, $data/scenarios, $GX_PKGDATADIR/scenarios, in that order" "$dir/nosuch.err"
ok $? "--scenario with an unknown name: exit 2, every folder looked in, in order" ||
    diag <"$dir/nosuch.err"
unset GPUXFER_SCENARIO_PATH

# The install moved elsewhere: still its own scenarios.
mv "$dest" "$dir/moved"
got=$(dry_run_name gx-where "$dir/moved$GX_BINDIR/gpuxfer")
mv "$dir/moved" "$dest"
[ "$got" = staged ]
ok $? "a moved install finds its scenarios beside it (run '$got')"
rm -f "$data/scenarios/gx-where.json"

gx_make uninstall DESTDIR="$dest" >"$dir/uninstall.log" 2>&1
left=$(find "$dest" -type f 2>/dev/null)
[ -z "$left" ]
ok $? "make uninstall removes every installed file" || echo "$left" | diag

rm -rf "$dir"
done_testing
