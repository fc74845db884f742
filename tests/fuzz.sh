#!/bin/sh
# libFuzzer over the parsers (scenario files, sizes and fault specs, pairs, the command line),
# built with clang and AddressSanitizer + UndefinedBehaviorSanitizer. Each target first replays
# the committed corpus (tests/fuzz/corpus/<target>/: seeds and every crash ever found), then
# fuzzes for GX_FUZZ_SECONDS (default 30). SKIPs, with the reason, without clang/libFuzzer.
. "$top_srcdir/tests/lib.sh"
targets="scenario sizes pairs options"
secs=${GX_FUZZ_SECONDS:-30}
builddir=$(dirname "$(dirname "$GPUXFER")")
dir=$(mktemp -d "$TEST_TMP/fuzz.XXXXXX")

reason=
if [ -n "${GX_INNER_CHECK:-}" ]; then
    reason="inside the sanitizer build's own check"
elif [ "$secs" = 0 ]; then
    reason="GX_FUZZ_SECONDS=0"
elif ! command -v "${CLANG:=clang}" >/dev/null 2>&1; then
    reason="no clang on PATH (CLANG=$CLANG)"
else
    # Open MPI's wrapper compiles with clang; the parsers link against libmpi (error strings).
    MPICC="${MPICC:-mpicc}"
    export OMPI_CC="$CLANG" MPICH_CC="$CLANG"
    echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
        >"$dir/probe.c"
    "$MPICC" -fsanitize=fuzzer -o "$dir/probe" "$dir/probe.c" >"$dir/probe.log" 2>&1 ||
        reason="$CLANG through $MPICC cannot link -fsanitize=fuzzer (libclang-rt missing?)"
fi
if [ -n "$reason" ]; then
    for t in $targets; do skip "fuzz_$t: $reason"; done
    rm -rf "$dir"
    done_testing
    exit 0
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# The parsers only: a config.h without CUDA/NCCL, so that the tables name no GPU code.
grep -v -e 'HAVE_CUDA' -e 'HAVE_NCCL' "$builddir/config.h" >"$dir/config.h"
cflags="-g -O1 -std=gnu11 -Wall -Wextra $san -I$dir -I$builddir $(for d in "$top_srcdir"/src/*/; do printf -- "-I%s " "$d"; done)$(pkg-config --cflags libcjson hwloc)"
libs="$(pkg-config --libs libcjson hwloc) -lm -lpthread"
# options_help: --help and --list name the shipped scenarios (scenario_find). The pair schemes
# are every file of src/schemes/ (the scheme table names them all), so that a new one is in.
# path_mpi asks the MPI libraries' table (src/mpilib/) what a library gets wrong.
schemes=$(for f in "$top_srcdir"/src/schemes/scheme*.c; do basename "$f" .c; done | tr '\n' ' ')
srcs="err input sizes stats fill coll coll_data pattern_coll mem options options_set options_check options_parse vary options_help scenario_find scenario pairs $schemes path path_mpi mpilib openmpi mpich loaded ceiling slots noise mpi_util job pattern fault fault_pace topo file_util wrap"
built=0
for s in $srcs; do
    "$MPICC" $cflags -fsanitize=fuzzer-no-link -c -o "$dir/$s.o" "$(echo "$top_srcdir"/src/*/"$s".c)" \
        >>"$dir/build.log" 2>&1 || built=1
done
for t in $targets; do
    objs=$(for s in $srcs; do printf '%s ' "$dir/$s.o"; done)
    "$MPICC" $cflags -fsanitize=fuzzer -o "$dir/fuzz_$t" "$top_srcdir/tests/fuzz/fuzz_$t.c" $objs \
        $libs >>"$dir/build.log" 2>&1 || built=1
done
[ $built -eq 0 ] && ! grep -q 'warning:' "$dir/build.log"
ok $? "fuzz targets build with clang, ASan and UBSan, warning-free" || diag <"$dir/build.log"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
for t in $targets; do
    seeds="$top_srcdir/tests/fuzz/corpus/$t"
    work="$dir/corpus-$t"
    mkdir -p "$work"
    # New inputs go to the scratch corpus; crashes to $dir (copy them into $seeds once fixed).
    # One input of at most 4 KiB parses in milliseconds: -timeout (a hang found) is 60 s so that
    # a machine busy with other jobs never makes one.
    "$dir/fuzz_$t" -max_total_time="$secs" -timeout=60 -rss_limit_mb=2048 -max_len=4096 \
        -artifact_prefix="$dir/crash-$t-" -print_final_stats=1 "$work" "$seeds" \
        >"$dir/$t.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$t.log")
    ok $rc "fuzz_$t: ${execs:-?} executions in ${secs}s over the corpus, no crash, leak or UB" ||
        { tail -n 60 "$dir/$t.log"; ls "$dir"/crash-* 2>/dev/null; } | diag
    echo "fuzz_$t: ${execs:-?} executions, corpus $(ls "$work" | wc -l) + $(ls "$seeds" | wc -l) seeds" | diag
done

# Keep the scratch folder when something failed: it holds the crashing inputs.
[ "$failed" -eq 0 ] && [ -z "${GX_FUZZ_KEEP:-}" ] && rm -rf "$dir"
done_testing
