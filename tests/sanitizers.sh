#!/bin/sh
# gpuxfer's code under -fsanitize=address,undefined: a VPATH copy of the distribution (below
# tests/out/sanitize of the build tree), configured as this build plus the sanitizers, runs the
# unit tests and every script test that drives gpuxfer's C code (both tiers' own), in parallel.
# The tests whose subject is something else (packaging, the Python report tools, the documents,
# other programs' builds) are left out below, each with why: running them again in this build
# reached no code the sanitizers watch. A new test in either tier is sanitized unless listed.
# Runs only from the top-level check; SKIPs inside itself.
. "$top_srcdir/tests/lib.sh"
builddir=$(dirname "$(dirname "$GPUXFER")")
if [ -n "${GX_INNER_CHECK:-}" ]; then
    skip "sanitizer build: this is the sanitizer build's own check"
    done_testing
    exit 0
fi
if [ -n "${GX_NO_SANITIZE:-}" ]; then
    skip "sanitizer build: GX_NO_SANITIZE is set"
    done_testing
    exit 0
fi

# NAME: why it is not run again in the sanitizer build.
left_out='
docs: the documents text, links and lists; the --help and --list output it reads runs sanitized in help.sh
layers: reads the sources #include lines; runs no program
comment_files: reads the comments of the sources; runs no program
compare: gpuxfer-report (Python) on constructed and recorded reports; its one host run is mpi_host.sh s path
plot: gpuxfer-report plot (Python, matplotlib); its one host run is mpi_host.sh s path
goals: gpuxfer-report goals (Python) on constructed reports; runs no gpuxfer
report_tools: the report tools (Python); the reports they read (complete, soak, interrupted, failed) come from runs soak.sh, signal_table.sh and faults.sh make sanitized
report_scale: the report tools (Python) on reports dev/big-report.py makes; runs no gpuxfer
report_bounds: the report tools (Python) timed on reports dev/big-report.py makes; runs no gpuxfer
tools_unix: the report tools (Python) as Unix programs; gpuxfer s own stdout and disk errors are stdout_writes.sh and table_file.sh, sanitized
config_sweep: the configuration-line parser (shell) and gpuxfer-report sweep; its runs are mpi_host.sh s host path
tune: gpuxfer-report tune (Python); the C parser of UCX tables is test_ucx_proto, sanitized, its runs host runs under MCA knobs
node_check: dev/gpuxfer-node-check (bash, Python) on constructed reports; runs no gpuxfer
nodecheck_root: the Slurm node check (bash) as root beside another user, and its time boxes, with a stand-in gpuxfer; runs no gpuxfer
slurm: Slurm s daemons and the sbatch templates; gpuxfer s SLURM_* code (names, the report context) runs sanitized in shared_output.sh
reframe: ReFrame s check file; its run is a default host run (mpi_host.sh)
install: make install and uninstall, the installed layout; the scenario lookup is test_scenario_find, sanitized
completion: the bash completion script; the --list it asks runs sanitized in help.sh
cuda_arch: configure s --with-cuda-arch, in configure runs of its own
easybuild: the EasyBuild recipes, built from the tarball without the sanitizers
spack_recipe: the Spack recipe s Python and configure
mpich: a second build with mpicc.mpich, configured without the sanitizers: here it was the same run again
invalid_input: its parsers are fuzzed under ASan and UBSan with leaks checked (fuzz.sh) and unit-tested here (test_input); the one-line exit 2 after bad input runs sanitized in quiet_surprises.sh, mpmd_input.sh and faults.sh
signal_repeat: signal_table.sh s signals again at drawn moments beside busy loops of its own; each signal runs sanitized in signal_table.sh, each moment in lifecycle.sh
stop_stress: signal_repeat.sh s stops again at any rank of 2 or 8 from start-up on, 5 tries a signal (4 minutes); each signal runs sanitized in signal_table.sh, each moment in lifecycle.sh
fuzz: its targets are built with AddressSanitizer and UBSan already (clang, libFuzzer)
sanitizers: this test
'
dir="$TEST_TMP/sanitize"
chmod -R u+w "$dir" 2>/dev/null
rm -rf "$dir" "$dir.configure.log"
# A make of its own, not the jobserver of the make that runs the tests.
gx_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" "$@"; }

# The tests of both tiers, as this build's Makefile lists them; those left out must be among
# them (a renamed test would otherwise leave its new name out unseen).
lists=$(gx_make -s -C "$builddir" gx-test-lists)
unit=$(echo "$lists" | sed -n 's/^unit //p')
scripts=$(echo "$lists" | sed -n 's/^script //p')
names=$(echo "$left_out" | sed -n 's/^\([a-z_0-9]*\): .*/\1/p')
stale=
for t in $names; do
    case " $scripts " in *" tests/$t.sh "*) ;; *) stale="$stale $t" ;; esac
done
[ -n "$unit" ] && [ -n "$scripts" ] && [ -z "$stale" ]
ok $? "the tests left out of the sanitizer build are tests of the tiers${stale:+ (not:$stale)}"
# Those that took longest in this build first, so that -j2 keeps both cores busy to the end;
# the rest in the tiers' order.
first="tests/faults.sh tests/lifecycle.sh tests/shared_output.sh tests/output_safety.sh
    tests/stop_rule.sh tests/signal_table.sh tests/soak.sh tests/ceilings.sh tests/help.sh
    tests/all_pairs.sh tests/stdout_writes.sh tests/mpi_host.sh tests/progress.sh"
run=
for t in $first $scripts; do
    b=${t#tests/}
    case " $run " in *" $t "*) continue ;; esac
    case " $scripts " in *" $t "*) ;; *) continue ;; esac
    echo "$names" | grep -qx "${b%.sh}" || run="$run $t"
done
echo "left out of the sanitizer build:" | diag
echo "$left_out" | sed '/^$/d; s/^/  /' | diag

# A clean copy of the sources: exactly what the distribution carries (make distdir, as
# distcheck uses), configured like this build plus the sanitizers.
eval "set -- $("$builddir/config.status" --config)"
# The copy is its own source tree: drop a --srcdir (make distcheck configures with one).
for a in "$@"; do shift; case $a in --srcdir=*) ;; *) set -- "$@" "$a" ;; esac; done
san="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
mkdir -p "$dir"
gx_make -C "$builddir" distdir distdir="$dir" >"$dir.configure.log" 2>&1 &&
    chmod -R u+w "$dir"
copied=$?
# Every program of the build links tests/keep_loaded.c: the libraries' plugins stay loaded until
# exit, so that LeakSanitizer matches their allocations to the suppressions cheaply (why there).
# Its dlclose must be the one the libraries call: exported from the program. Where that does not
# link (a linker without --export-dynamic-symbol), the build goes without it: the same checks,
# each process's exit dearer.
keep_ld="-Wl,--export-dynamic-symbol=dlclose"
if [ $copied -eq 0 ] && { ${CC:-cc} -O2 -c -o "$dir/keep_loaded.o" "$top_srcdir/tests/keep_loaded.c" &&
    echo 'int main(void) { return 0; }' >"$dir/keep_probe.c" &&
    ${CC:-cc} -o "$dir/keep_probe" "$dir/keep_probe.c" "$dir/keep_loaded.o" $keep_ld -ldl; } \
    >>"$dir.configure.log" 2>&1; then
    libs=
    for a in "$@"; do case $a in LIBS=*) libs=" ${a#LIBS=}" ;; esac; done
    set -- "$@" LIBS="$dir/keep_loaded.o -ldl$libs"
    echo "the libraries' plugins kept loaded until exit (tests/keep_loaded.c)" | diag
else
    keep_ld=
    echo "tests/keep_loaded.c not linked (see $dir.configure.log): the leak checks as dear as before" | diag
fi
[ $copied -eq 0 ] &&
    (cd "$dir" && ./configure "$@" CFLAGS="$san" \
        LDFLAGS="-fsanitize=address,undefined${keep_ld:+ $keep_ld}") >>"$dir.configure.log" 2>&1
ok $? "configure with -fsanitize=address,undefined" ||
    tail -n 30 "$dir.configure.log" | diag

# Open MPI keeps some allocations until exit: suppressed by library, never gpuxfer's own code
# (full unwinding, so that a leak through a plugin still shows the library that made it).
# Its memory hooks and ASan's interceptors do not mix: the patcher is switched off.
GX_INNER_CHECK=1 ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:exitcode=99" \
    LSAN_OPTIONS="suppressions=$top_srcdir/tests/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" OMPI_MCA_memory=^patcher \
    gx_make -C "$dir" -j2 check TESTS="$run $unit" >"$dir/check.log" 2>&1
rc=$?
log="$dir/test-suite.log"
val() { sed -n "s/^# $1: *//p" "$log" | head -n 1; }
echo "sanitizer build: PASS $(val PASS) FAIL $(val FAIL) ERROR $(val ERROR) SKIP $(val SKIP)" | diag
# The failures in the result line itself: CI shows result lines, not this log's diagnostics.
inner_failed=$(grep -E '^(FAIL|ERROR):' "$dir/check.log" | sed 's/^[A-Z]*: //; s/ - .*//' | head -n 8 |
    tr '\n' ',' | sed 's/,$//; s/,/, /g')
[ $rc -eq 0 ] && [ "$(val FAIL)" = 0 ] && [ "$(val ERROR)" = 0 ]
ok $? "the unit tests and the code's script tests under ASan + UBSan: every test passes${inner_failed:+ (failed: $inner_failed)}" || {
    grep -E '^(FAIL|ERROR):' "$dir/check.log"
    grep -h -A 30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$dir"/tests/*.log | head -n 120
} | diag
# Every test meant to run ran: a test missing from the sanitizer build's results is a loss.
missing=
for t in $run $unit; do
    [ -f "$dir/${t%.sh}.trs" ] || missing="$missing $t"
done
[ -z "$missing" ]
ok $? "each of the $(echo $run $unit | wc -w) tests ran in the sanitizer build${missing:+ (missing:$missing)}"
# Test scripts keep gpuxfer's stderr in their scratch folders, removed on success: the test
# logs and anything left behind must not hold a sanitizer report either.
! grep -r -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$dir"/tests/*.log "$dir"/tests/out \
    2>/dev/null
ok $? "no sanitizer report in any test log"
done_testing
