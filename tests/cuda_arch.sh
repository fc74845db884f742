#!/bin/sh
# configure's --with-cuda-arch: the lists it accepts (80,90 as gpuxfer writes them, 8.0,9.0 as
# EasyBuild's %(cuda_compute_capabilities)s template and Spack's cuda_arch give them, 80;90 as
# CMake's, blanks between) all become 80,90, checked with or without CUDA; a wrong one stops
# configure with its message. Where configure finds CUDA, the nvcc flags it makes of the list.
# configure runs in a copy of the sources (make distdir), with one cache for every run.
. "$top_srcdir/tests/lib.sh"
: "${top_builddir:?}"
dir=$(mktemp -d "$TEST_TMP/cuda_arch.XXXXXX")
trap 'rm -rf "$dir"' EXIT
gx_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" "$@"; }

# A source tree configured in place (CI's) cannot be configured a second time elsewhere.
gx_make -s -C "$top_builddir" distdir distdir="$dir/src" >"$dir/distdir.log" 2>&1
ok $? "make distdir: the sources for configure's runs" || { diag <"$dir/distdir.log"; done_testing; exit; }

# gx_configure LOG ARGS...: configure in $dir/build (a fresh folder each time, one cache).
gx_configure() {
    log=$1; shift
    rm -rf "$dir/build" && mkdir "$dir/build" &&
        (cd "$dir/build" && "$dir/src/configure" --cache-file="$dir/config.cache" \
            PYTHON="$PYTHON" "$@") >"$log" 2>&1
}
checked='checking for the CUDA compute capabilities (--with-cuda-arch)\.\.\.'
for arch in '80,90' '8.0,9.0' '80;90' '8.0;9.0' '80 90' ' 8.0, 9.0 '; do
    gx_configure "$dir/ok.log" --without-cuda --without-nccl "--with-cuda-arch=$arch" &&
        grep -q "^$checked 80,90\$" "$dir/ok.log"
    ok $? "--with-cuda-arch='$arch' is 80,90" || { grep "$checked" "$dir/ok.log"; tail -n 5 "$dir/ok.log"; } | diag
done
gx_configure "$dir/ok.log" --without-cuda --without-nccl && grep -q "^$checked 80,90\$" "$dir/ok.log"
ok $? "no --with-cuda-arch: 80,90" || tail -n 5 "$dir/ok.log" | diag
gx_configure "$dir/ok.log" --without-cuda --without-nccl --with-cuda-arch=7.5,12.0 &&
    grep -q "^$checked 75,120\$" "$dir/ok.log"
ok $? "--with-cuda-arch=7.5,12.0 is 75,120" || tail -n 5 "$dir/ok.log" | diag

for arch in 'sm_90' '9.0.1' '90a' ',;' ''; do
    gx_configure "$dir/bad.log" --without-cuda --without-nccl "--with-cuda-arch=$arch"
    rc=$?
    [ $rc -ne 0 ] && grep -q "error: --with-cuda-arch: " "$dir/bad.log"
    ok $? "--with-cuda-arch='$arch': configure stops, saying why (exit $rc)" || tail -n 5 "$dir/bad.log" | diag
done

# With CUDA (where configure finds it by itself): the list reaches nvcc, PTX of the last one too.
if gx_configure "$dir/cuda.log" --with-cuda-arch=8.0,9.0 && grep -q '^  CUDA *: yes' "$dir/cuda.log"; then
    flags=$(sed -n 's/^NVCC_ARCHFLAGS = *//p' "$dir/build/Makefile")
    want='-gencode=arch=compute_80,code=sm_80 -gencode=arch=compute_90,code=sm_90 -gencode=arch=compute_90,code=compute_90'
    [ "$flags" = "$want" ] && grep -q '^  CUDA architectures: 80,90$' "$dir/cuda.log"
    ok $? "with CUDA, --with-cuda-arch=8.0,9.0: nvcc's flags for 80 and 90 and the summary's 80,90" ||
        { echo "NVCC_ARCHFLAGS = $flags"; tail -n 12 "$dir/cuda.log"; } | diag
else
    skip "no CUDA found by configure here: the nvcc flags are not checked"
fi
done_testing
