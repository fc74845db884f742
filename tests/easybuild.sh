#!/bin/sh
# The EasyBuild recipes (packaging/easybuild/gpuxfer-VERSION-gompi-2023b[-CUDA-12.4.0].eb):
# EasyBuild (EASYBUILD, else eb on PATH; CI installs it from PyPI) builds them from the make dist
# tarball with no network. Their toolchain and dependencies are modules EasyBuild would have
# built; here there are none, so the test writes stand-ins named as EasyBuild names them (Lua
# modules that set $EBROOT*/$EBVERSION* and load one another as EasyBuild's do), pointing at the
# system's gcc, Open MPI and hwloc, and, for the CUDA recipe, at the CUDA 12.4 runtime and NCCL
# 2.20.5 that NVIDIA publishes on PyPI (GX_PYPI_CUDA: a venv with nvidia-cuda-runtime-cu12==12.4.99,
# nvidia-cuda-nvcc-cu12==12.4.99 and nvidia-nccl-cu12==2.20.5; .ci/run makes one).
# - eb --inject-checksums puts the tarball's SHA256 in copies of both; eb --check-contrib
#   (EasyBuild's checks of contributed easyconfigs: style, checksums) passes them.
# - host recipe: with another SHA256, eb refuses the tarball; eb builds the copy, verifying the
#   checksum, installs it, its sanity check (gpuxfer --version) passing; the module loads with
#   Lmod, gpuxfer --version runs and the man pages are on MANPATH.
# - CUDA recipe: eb --stop=configure with --cuda-compute-capabilities=7.0,9.0; configure finds
#   the CUDA and NCCL the modules name (its summary: CUDA 12.4, NCCL 2.20.5, architectures
#   70,90). NVIDIA's PyPI packages of CUDA 12.4 carry no nvcc, so it stops there. Where the
#   machine has a CUDA toolkit with NCCL and cuobjdump (GX_CUDA_HOME, else /usr/local/cuda), a
#   copy set to that toolkit's versions is built in full, installed and sanity-checked.
# EasyBuild refuses to run as root: as root it runs as nobody. Skipped, saying why, without
# EasyBuild or Lmod (apt-get install lmod); each CUDA part without what it needs.
. "$top_srcdir/tests/lib.sh"
: "${top_builddir:?}"
eb=${EASYBUILD:-$(command -v eb 2>/dev/null)}
[ -n "$eb" ] && [ -x "$eb" ] || finish_skip "no EasyBuild (EASYBUILD=/path/to/eb, or pip install easybuild)"
lmod_init=${LMOD_PKG:-/usr/share/lmod/lmod}/init/bash
lmod_cmd=${LMOD_CMD:-${LMOD_PKG:-/usr/share/lmod/lmod}/libexec/lmod}
[ -r "$lmod_init" ] && [ -x "$lmod_cmd" ] || finish_skip "no Lmod at $lmod_init (apt-get install lmod)"
command -v bash >/dev/null || finish_skip "no bash"
ver=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
tc=gompi-2023b
cuda_suffix=-CUDA-12.4.0
ec_name=gpuxfer-$ver-$tc.eb
ec_cuda_name=gpuxfer-$ver-$tc$cuda_suffix.eb
[ -r "$top_srcdir/packaging/easybuild/$ec_name" ] && [ -r "$top_srcdir/packaging/easybuild/$ec_cuda_name" ]
ok $? "easyconfigs for this version: packaging/easybuild/$ec_name and $ec_cuda_name" || { done_testing; exit; }

# As root, everything EasyBuild touches belongs to nobody; its folder is one of its own in /tmp
# (the build tree's may not be open to nobody).
as_user=
if [ "$(id -u)" -eq 0 ]; then
    command -v setpriv >/dev/null || finish_skip "root, and no setpriv to run EasyBuild as nobody"
    as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/gx-easybuild.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/sources/g/gpuxfer" "$dir/home" "$dir/prefix" "$dir/tmp" "$dir/ec" "$dir/stand-in/empty"

# The tarball as make dist makes it, from a make of its own (not the test run's jobserver).
tarball=$dir/sources/g/gpuxfer/gpuxfer-$ver.tar.xz
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$top_builddir" distdir \
    distdir="$dir/gpuxfer-$ver" >"$dir/dist.log" 2>&1 &&
    tar -C "$dir" -cJf "$tarball" "gpuxfer-$ver" && rm -rf "$dir/gpuxfer-$ver"
ok $? "the make dist tarball, gpuxfer-$ver.tar.xz" || diag <"$dir/dist.log"
cp "$top_srcdir/packaging/easybuild/$ec_name" "$top_srcdir/packaging/easybuild/$ec_cuda_name" "$dir/ec/"

# stand_in NAME VERSION PREFIX [MODULE...]: a Lua module NAME/VERSION as EasyBuild would write one
# ($EBROOT*/$EBVERSION* as EasyBuild names them: - in a name becomes MIN; PREFIX/bin on PATH),
# loading MODULE... first.
stand_in() {
    _name=$1 _full=$2 _root=$3; shift 3
    _var=$(echo "$_name" | tr 'a-z' 'A-Z' | sed 's/-/MIN/g')
    mkdir -p "$dir/stand-in/modules/all/$_name"
    {
        echo "whatis([==[Description: gpuxfer's test: a stand-in for EasyBuild's $_name/$_full, at $_root]==])"
        for _m in "$@"; do echo "depends_on(\"$_m\")"; done
        echo "setenv(\"EBROOT$_var\", \"$_root\")"
        echo "setenv(\"EBVERSION$_var\", \"${_full%%-*}\")"
        # Its programs on PATH, as EasyBuild's modules do (the system's are there already).
        [ "$_root" = /usr ] || [ ! -d "$_root/bin" ] || echo "prepend_path(\"PATH\", \"$_root/bin\")"
    } >"$dir/stand-in/modules/all/$_name/$_full.lua"
}
# The gompi-2023b toolchain: the system's gcc and Open MPI (mpicc on PATH), hwloc and cJSON.
stand_in GCCcore 13.2.0 /usr
stand_in GCC 13.2.0 /usr GCCcore/13.2.0
stand_in OpenMPI 4.1.6-GCC-13.2.0 /usr GCC/13.2.0
stand_in gompi 2023b /usr GCC/13.2.0 OpenMPI/4.1.6-GCC-13.2.0
stand_in hwloc 2.9.2-GCCcore-13.2.0 /usr GCCcore/13.2.0

chmod -R a+rX "$dir" && [ -z "$as_user" ] || chown -R nobody:nogroup "$dir"

# gx_eb LOG ARGS...: eb offline (no source URL in the easyconfigs, a proxy that answers nothing),
# the stand-ins on MODULEPATH.
gx_eb() {
    _log=$1; shift
    $as_user env HOME="$dir/home" TMPDIR="$dir/tmp" http_proxy=http://127.0.0.1:9 \
        https_proxy=http://127.0.0.1:9 LMOD_CMD="$lmod_cmd" PATH="$(dirname "$eb"):$PATH" \
        MODULEPATH="$dir/stand-in/modules/all" \
        "$eb" --modules-tool=Lmod --module-syntax=Lua --prefix="$dir/prefix" \
        --sourcepath="$dir/sources" --buildpath="$dir/tmp/build" --tmpdir="$dir/tmp" \
        --parallel=2 "$@" >"$_log" 2>&1
}
# eb_log: EasyBuild's log of its last run (the path it printed).
eb_log() { sed -n 's/.*Results of the build can be found in the log file(s) \(.*\)$/\1/p' "$1" | tail -n 1; }

# The checksum a packager adds, from the tarball; then the builds verify it.
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
gx_eb "$dir/inject.log" "$dir/ec/$ec_name" "$dir/ec/$ec_cuda_name" --inject-checksums=sha256
rc=$?
[ $rc -eq 0 ] && grep -q "^checksums = \['$sum'\]\$" "$dir/ec/$ec_name" &&
    grep -q "^checksums = \['$sum'\]\$" "$dir/ec/$ec_cuda_name"
ok $? "eb --inject-checksums: the tarball's SHA256 in both easyconfigs (exit $rc)" ||
    { tail -n 20 "$dir/inject.log"; grep -n -A3 checksums "$dir/ec/$ec_name"; } | diag

# EasyBuild's checks for easyconfigs contributed to it: code style and checksums.
gx_eb "$dir/contrib.log" --check-contrib "$dir/ec/$ec_name" "$dir/ec/$ec_cuda_name"
rc=$?
if grep -q 'None of the specified modules (pycodestyle)' "$dir/contrib.log"; then
    skip "eb --check-contrib: no pycodestyle beside EasyBuild (pip install pycodestyle)"
else
    [ $rc -eq 0 ] && grep -q 'All contribution checks PASSed' "$dir/contrib.log"
    ok $? "eb --check-contrib: both easyconfigs, with their checksums, pass EasyBuild's style and checksum checks (exit $rc)" ||
        tail -n 20 "$dir/contrib.log" | diag
fi

# A tarball that is not the one the checksum names: EasyBuild stops before building.
sed "s/$sum/$(echo "$sum" | tr '0-9a-f' '1-9a-f0')/" "$dir/ec/$ec_name" >"$dir/ec/bad-$ec_name" &&
    { [ -z "$as_user" ] || chown nobody:nogroup "$dir/ec/bad-$ec_name"; }
gx_eb "$dir/bad.log" "$dir/ec/bad-$ec_name"
rc=$?
[ $rc -ne 0 ] && grep -q 'Checksum verification for .* failed' "$dir/bad.log" &&
    [ ! -e "$dir/prefix/software/gpuxfer/$ver-$tc/bin/gpuxfer" ]
ok $? "a wrong checksum: eb refuses the tarball, no gpuxfer installed (exit $rc)" || tail -n 20 "$dir/bad.log" | diag

# The host recipe: built, installed, its sanity check run.
gx_eb "$dir/eb.log" "$dir/ec/$ec_name"
rc=$?
inst=$dir/prefix/software/gpuxfer/$ver-$tc
[ $rc -eq 0 ] && [ -x "$inst/bin/gpuxfer" ]
ok $? "eb builds and installs $ec_name offline with the gompi stand-ins, its sanity check (gpuxfer --version) passing (exit $rc)" ||
    { tail -n 30 "$dir/eb.log"; find "$dir/tmp" -name 'easybuild-*.log' -exec tail -n 40 {} \; 2>/dev/null; } | diag
log=$(find "$inst/easybuild" -name 'easybuild-gpuxfer-*.log' 2>/dev/null | head -n 1)
[ -n "$log" ] && grep -q "Checksum verification for $tarball using $sum passed" "$log"
ok $? "EasyBuild verified the tarball's checksum" || grep -i checksum "${log:-/dev/null}" | tail -n 5 | diag
[ -n "$log" ] && grep -q '^  MPI compiler *: mpicc$' "$log" && grep -q '^  CUDA *: no$' "$log"
ok $? "configure ran with the toolchain's mpicc, without CUDA" || grep -A9 '^gpuxfer .* configuration' "${log:-/dev/null}" | diag

# The module, loaded as a user would: gpuxfer on PATH, its man page on MANPATH.
$as_user env HOME="$dir/home" MODULEPATH="$dir/stand-in/modules/all" bash -c '
    . "$1"; module use "$2/modules/all" && module load "gpuxfer/$3" &&
    command -v gpuxfer && gpuxfer --version | head -n 1 &&
    case ":$MANPATH:" in *":$2/software/gpuxfer/$3/share/man:"*) echo man ok ;; esac' \
    gx "$lmod_init" "$dir/prefix" "$ver-$tc" >"$dir/load.txt" 2>&1
grep -qx "$inst/bin/gpuxfer" "$dir/load.txt" &&
    grep -qx "gpuxfer $ver" "$dir/load.txt" && grep -qx "man ok" "$dir/load.txt"
ok $? "module load gpuxfer/$ver-$tc (Lmod): gpuxfer --version runs, the man pages on MANPATH" ||
    diag <"$dir/load.txt"

# The CUDA recipe, as far as configure, with CUDA and NCCL from NVIDIA's packages on PyPI.
nv=
[ -n "${GX_PYPI_CUDA:-}" ] && nv=$(ls -d "$GX_PYPI_CUDA"/lib/python3*/site-packages/nvidia 2>/dev/null | head -n 1)
if [ -z "$nv" ] || [ ! -e "$nv/cuda_runtime/lib/libcudart.so.12" ] || [ ! -d "$nv/cuda_nvcc/include/crt" ] ||
    [ ! -e "$nv/nccl/lib/libnccl.so.2" ]; then
    skip "$ec_cuda_name: no CUDA 12.4 and NCCL 2.20.5 from PyPI (GX_PYPI_CUDA=a venv with nvidia-cuda-runtime-cu12==12.4.99 nvidia-cuda-nvcc-cu12==12.4.99 nvidia-nccl-cu12==2.20.5)"
else
    # A CUDA prefix as EasyBuild's CUDA module has one: headers (the runtime's and nvcc's crt/),
    # lib64/libcudart.so; nvcc is absent from these packages: bin/nvcc says so and fails if run.
    cuda=$dir/stand-in/cuda-12.4.0 nccl=$dir/stand-in/nccl-2.20.5
    mkdir -p "$cuda/bin" "$cuda/include" "$cuda/lib64" "$nccl/include" "$nccl/lib"
    for h in "$nv"/cuda_runtime/include/* "$nv"/cuda_nvcc/include/*; do
        case ${h##*/} in __*) ;; *) ln -s "$h" "$cuda/include/" ;; esac
    done
    ln -s "$nv/cuda_runtime/lib/libcudart.so.12" "$cuda/lib64/libcudart.so.12"
    ln -s libcudart.so.12 "$cuda/lib64/libcudart.so"
    printf '#!/bin/sh\necho "nvcc: not in NVIDIA'"'"'s PyPI packages of CUDA 12.4 (gpuxfer'"'"'s test stops after configure)" >&2\nexit 1\n' \
        >"$cuda/bin/nvcc" && chmod 755 "$cuda/bin/nvcc"
    ln -s "$nv/nccl/include/nccl.h" "$nv/nccl/include/nccl_net.h" "$nccl/include/"
    ln -s "$nv/nccl/lib/libnccl.so.2" "$nccl/lib/libnccl.so.2"
    ln -s libnccl.so.2 "$nccl/lib/libnccl.so"
    stand_in CUDA 12.4.0 "$cuda"
    stand_in NCCL "2.20.5-GCCcore-13.2.0$cuda_suffix" "$nccl" GCCcore/13.2.0 CUDA/12.4.0
    stand_in UCX-CUDA "1.15.0-GCCcore-13.2.0$cuda_suffix" "$dir/stand-in/empty" GCCcore/13.2.0 CUDA/12.4.0
    chmod -R a+rX "$dir/stand-in" && [ -z "$as_user" ] || chown -R nobody:nogroup "$dir/stand-in"

    gx_eb "$dir/eb-cuda.log" "$dir/ec/$ec_cuda_name" --stop=configure --cuda-compute-capabilities=7.0,9.0
    rc=$?
    log=$(eb_log "$dir/eb-cuda.log")
    [ $rc -eq 0 ] && [ -n "$log" ] && grep -q '^gpuxfer .* configuration$' "$log"
    ok $? "eb $ec_cuda_name --stop=configure: configure runs (exit $rc)" ||
        { tail -n 30 "$dir/eb-cuda.log"; tail -n 40 "${log:-/dev/null}"; } | diag
    grep -q "^  CUDA *: yes 12\.4 ($cuda)\$" "${log:-/dev/null}" &&
        grep -q '^  CUDA architectures: 70,90$' "${log:-/dev/null}" &&
        grep -q '^  NCCL *: yes 2\.20\.5$' "${log:-/dev/null}" &&
        grep -q '^  MPI compiler *: mpicc$' "${log:-/dev/null}"
    ok $? "configure's summary: CUDA 12.4 from the CUDA module, NCCL 2.20.5, architectures 70,90 from --cuda-compute-capabilities=7.0,9.0" ||
        grep -A9 '^gpuxfer .* configuration' "${log:-/dev/null}" | diag
fi

# Where this machine has a CUDA toolkit with NCCL and cuobjdump in it (GX_CUDA_HOME, else
# /usr/local/cuda; CI has none): the CUDA recipe built in full, installed and its sanity check
# run (EasyBuild's check of the binaries' device code included), in a copy whose CUDA and NCCL
# versions are that toolkit's (as a packager changes them for another CUDA).
lc=${GX_CUDA_HOME:-/usr/local/cuda}
lc_ver=$("$lc/bin/nvcc" --version 2>/dev/null | sed -n 's/.*, V\([0-9][0-9.]*\)$/\1/p')
lc_nccl=$(awk '/^#define NCCL_(MAJOR|MINOR|PATCH) /{v = v (v == "" ? "" : ".") $3} END{print v}' \
    "$lc/include/nccl.h" 2>/dev/null)
if [ -z "$lc_ver" ] || [ -z "$lc_nccl" ] || [ ! -e "$lc/lib64/libnccl.so" ]; then
    skip "the CUDA recipe built in full: no CUDA toolkit with NCCL in $lc (GX_CUDA_HOME=DIR)"
    done_testing
    exit
elif [ ! -x "$lc/bin/cuobjdump" ]; then
    skip "the CUDA recipe built in full: no cuobjdump in $lc/bin, which EasyBuild's sanity check of CUDA builds runs"
    done_testing
    exit
fi
lc_suffix=-CUDA-$lc_ver
mkdir -p "$dir/ec/local"
lc_ec=$dir/ec/local/gpuxfer-$ver-$tc$lc_suffix.eb
sed "s/'12\.4\.0'/'$lc_ver'/; s/'2\.20\.5'/'$lc_nccl'/" "$dir/ec/$ec_cuda_name" >"$lc_ec"
stand_in CUDA "$lc_ver" "$lc"
stand_in NCCL "$lc_nccl-GCCcore-13.2.0$lc_suffix" "$lc" GCCcore/13.2.0 "CUDA/$lc_ver"
stand_in UCX-CUDA "1.15.0-GCCcore-13.2.0$lc_suffix" "$dir/stand-in/empty" GCCcore/13.2.0 "CUDA/$lc_ver"
chmod -R a+rX "$dir/stand-in" "$dir/ec" && [ -z "$as_user" ] || chown -R nobody:nogroup "$dir/stand-in" "$dir/ec"
gx_eb "$dir/eb-local.log" "$lc_ec" --cuda-compute-capabilities=8.0,9.0
rc=$?
lc_inst=$dir/prefix/software/gpuxfer/$ver-$tc$lc_suffix
log=$(find "$lc_inst/easybuild" -name 'easybuild-gpuxfer-*.log' 2>/dev/null | head -n 1)
[ $rc -eq 0 ] && [ -x "$lc_inst/bin/gpuxfer" ] && [ -n "$log" ] &&
    grep -q "^  CUDA *: yes ${lc_ver%.*} ($lc)\$" "$log" && grep -q "^  NCCL *: yes $lc_nccl\$" "$log" &&
    grep -q '^  CUDA architectures: 80,90$' "$log" &&
    grep -q 'Number of CUDA files checked: [1-9]' "$dir/eb-local.log" &&
    grep -q 'Number of files missing one or more CUDA Compute Capabilities: 0$' "$dir/eb-local.log" &&
    grep -q 'Number of files missing PTX code for the highest configured CUDA Compute Capability: 0$' "$dir/eb-local.log"
ok $? "eb builds, installs and sanity-checks the CUDA recipe with CUDA $lc_ver and NCCL $lc_nccl from $lc, EasyBuild's check finding device code for 8.0 and 9.0 and PTX (exit $rc)" ||
    { tail -n 30 "$dir/eb-local.log"; grep -A9 '^gpuxfer .* configuration' "${log:-/dev/null}"; } | diag
grep -A5 'CUDA sanity check summary report' "$dir/eb-local.log" | diag
done_testing
