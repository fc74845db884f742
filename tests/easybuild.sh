#!/bin/sh
# The EasyBuild recipe (packaging/easybuild/gpuxfer-VERSION.eb): EasyBuild (EASYBUILD, else eb on
# PATH; CI installs it from PyPI) builds and installs gpuxfer from the make dist tarball with
# no network, writes an Lmod module; the module loads and gpuxfer --version runs. EasyBuild
# refuses to run as root: as root it runs as nobody. Skipped, saying why, without EasyBuild or
# Lmod (apt-get install lmod).
. "$top_srcdir/tests/lib.sh"
: "${top_builddir:?}"
eb=${EASYBUILD:-$(command -v eb 2>/dev/null)}
[ -n "$eb" ] && [ -x "$eb" ] || finish_skip "no EasyBuild (EASYBUILD=/path/to/eb, or pip install easybuild)"
lmod_init=${LMOD_PKG:-/usr/share/lmod/lmod}/init/bash
lmod_cmd=${LMOD_CMD:-${LMOD_PKG:-/usr/share/lmod/lmod}/libexec/lmod}
[ -r "$lmod_init" ] && [ -x "$lmod_cmd" ] || finish_skip "no Lmod at $lmod_init (apt-get install lmod)"
command -v bash >/dev/null || finish_skip "no bash"
ver=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
ec=$top_srcdir/packaging/easybuild/gpuxfer-$ver.eb
[ -r "$ec" ]
ok $? "an easyconfig for this version: packaging/easybuild/gpuxfer-$ver.eb" || { done_testing; exit; }

# As root, everything EasyBuild touches belongs to nobody; its folder is one of its own in /tmp
# (the build tree's may not be open to nobody).
as_user=
if [ "$(id -u)" -eq 0 ]; then
    command -v setpriv >/dev/null || finish_skip "root, and no setpriv to run EasyBuild as nobody"
    as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/gx-easybuild.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/sources/g/gpuxfer" "$dir/home" "$dir/prefix" "$dir/tmp"

# The tarball as make dist makes it, from a make of its own (not the test run's jobserver).
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$top_builddir" distdir \
    distdir="$dir/gpuxfer-$ver" >"$dir/dist.log" 2>&1 &&
    tar -C "$dir" -cJf "$dir/sources/g/gpuxfer/gpuxfer-$ver.tar.xz" "gpuxfer-$ver" &&
    rm -rf "$dir/gpuxfer-$ver"
ok $? "the make dist tarball, gpuxfer-$ver.tar.xz" || diag <"$dir/dist.log"
chmod -R a+rX "$dir" && [ -z "$as_user" ] || chown -R nobody:nogroup "$dir"

# Offline: no source URL in the easyconfig, and a proxy that answers nothing.
$as_user env HOME="$dir/home" TMPDIR="$dir/tmp" http_proxy=http://127.0.0.1:9 \
    https_proxy=http://127.0.0.1:9 LMOD_CMD="$lmod_cmd" PATH="$(dirname "$eb"):$PATH" \
    "$eb" "$ec" --modules-tool=Lmod --module-syntax=Lua --prefix="$dir/prefix" \
    --sourcepath="$dir/sources" --buildpath="$dir/tmp/build" --tmpdir="$dir/tmp" \
    --parallel=2 >"$dir/eb.log" 2>&1
rc=$?
[ $rc -eq 0 ] && [ -x "$dir/prefix/software/gpuxfer/$ver/bin/gpuxfer" ]
ok $? "eb builds and installs gpuxfer-$ver.eb offline, its sanity check (gpuxfer --version) passing (exit $rc)" ||
    { tail -n 30 "$dir/eb.log"; find "$dir/tmp" -name 'easybuild-*.log' -exec tail -n 40 {} \; 2>/dev/null; } | diag

# The module, loaded as a user would: gpuxfer on PATH, its man page on MANPATH.
$as_user env HOME="$dir/home" bash -c '
    . "$1"; module use "$2/modules/all" && module load "gpuxfer/$3" &&
    command -v gpuxfer && gpuxfer --version | head -n 1 &&
    case ":$MANPATH:" in *":$2/software/gpuxfer/$3/share/man:"*) echo man ok ;; esac' \
    gx "$lmod_init" "$dir/prefix" "$ver" >"$dir/load.txt" 2>&1
grep -qx "$dir/prefix/software/gpuxfer/$ver/bin/gpuxfer" "$dir/load.txt" &&
    grep -qx "gpuxfer $ver" "$dir/load.txt" && grep -qx "man ok" "$dir/load.txt"
ok $? "module load gpuxfer/$ver (Lmod): gpuxfer --version runs, the man pages on MANPATH" ||
    diag <"$dir/load.txt"
done_testing
