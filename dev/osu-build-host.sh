#!/bin/bash
# Builds osu_latency, osu_bw and osu_bibw of OSU Micro-Benchmarks (a release tarball, e.g. 7.4)
# against the MPI whose mpicc is given, without CUDA (host buffers only), into OUTDIR: osu for
# dev/osu-side-by-side.sh -m H on a machine without GPUs.
#   osu-build-host.sh TARBALL [OUTDIR (default .osu/bin)] [MPICC (default mpicc)]
set -euo pipefail
tarball=${1:?usage: osu-build-host.sh TARBALL [OUTDIR] [MPICC]}
out=${2:-.osu/bin} mpicc=${3:-mpicc}
tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar xzf "$tarball" -C "$work"
cd "$work"/osu-micro-benchmarks-*/
./configure CC="$mpicc" CXX="${mpicc%cc}cxx" >configure.out 2>&1 || { tail -n 20 configure.out >&2; exit 1; }
make -j2 -C c/util >make.out 2>&1 &&
    make -j2 -C c/mpi/pt2pt/standard osu_latency osu_bw osu_bibw >>make.out 2>&1 ||
    { tail -n 20 make.out >&2; exit 1; }
cp c/mpi/pt2pt/standard/osu_latency c/mpi/pt2pt/standard/osu_bw c/mpi/pt2pt/standard/osu_bibw "$out/"
echo "osu-build-host.sh: $(ls "$out" | tr '\n' ' ')in $out ($("$mpicc" --showme:version 2>/dev/null || echo "$mpicc"))"
