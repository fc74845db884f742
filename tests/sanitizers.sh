#!/bin/sh
# The whole CPU test suite again (the full tier), in a VPATH build with -fsanitize=address,undefined (below
# tests/out/sanitize of the build tree). Runs only from the top-level check; SKIPs inside itself.
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
dir="$TEST_TMP/sanitize"
chmod -R u+w "$dir" 2>/dev/null
rm -rf "$dir" "$dir.configure.log"
# A clean copy of the sources: exactly what the distribution carries (make distdir, as
# distcheck uses), configured like this build plus the sanitizers.
eval "set -- $("$builddir/config.status" --config)"
# The copy is its own source tree: drop a --srcdir (make distcheck configures with one).
for a in "$@"; do shift; case $a in --srcdir=*) ;; *) set -- "$@" "$a" ;; esac; done
san="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
mkdir -p "$dir"
make -C "$builddir" distdir distdir="$dir" >"$dir.configure.log" 2>&1 &&
    chmod -R u+w "$dir" &&
    (cd "$dir" && ./configure "$@" CFLAGS="$san" \
        LDFLAGS="-fsanitize=address,undefined") >>"$dir.configure.log" 2>&1
ok $? "configure with -fsanitize=address,undefined" ||
    tail -n 30 "$dir.configure.log" | diag

# Open MPI keeps some allocations until exit: suppressed by library, never gpuxfer's own code
# (full unwinding, so that a leak through a plugin still shows the library that made it).
# Its memory hooks and ASan's interceptors do not mix: the patcher is switched off.
GX_INNER_CHECK=1 ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:exitcode=99" \
    LSAN_OPTIONS="suppressions=$top_srcdir/tests/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" OMPI_MCA_memory=^patcher \
    make -C "$dir" -j2 check-full >"$dir/check.log" 2>&1
rc=$?
log="$dir/test-suite.log"
val() { sed -n "s/^# $1: *//p" "$log" | head -n 1; }
echo "sanitizer build: PASS $(val PASS) FAIL $(val FAIL) ERROR $(val ERROR) SKIP $(val SKIP)" | diag
# The failures in the result line itself: CI shows result lines, not this log's diagnostics.
inner_failed=$(grep -E '^(FAIL|ERROR):' "$dir/check.log" | sed 's/^[A-Z]*: //; s/ - .*//' | head -n 8 |
    tr '\n' ',' | sed 's/,$//; s/,/, /g')
[ $rc -eq 0 ] && [ "$(val FAIL)" = 0 ] && [ "$(val ERROR)" = 0 ]
ok $? "make check-full under ASan + UBSan: every test passes${inner_failed:+ (failed: $inner_failed)}" || {
    grep -E '^(FAIL|ERROR):' "$dir/check.log"
    grep -h -A 30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$dir"/tests/*.log | head -n 120
} | diag
# Test scripts keep gpuxfer's stderr in their scratch folders, removed on success: the test
# logs and anything left behind must not hold a sanitizer report either.
! grep -r -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$dir"/tests/*.log "$dir"/tests/out \
    2>/dev/null
ok $? "no sanitizer report in any test log"
done_testing
