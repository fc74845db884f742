#!/bin/sh
# The host paths with MPICH beside Open MPI: a second build of the same sources with
# CC=mpicc.mpich, run under mpirun.mpich (latency, bw, bibw; all-disjoint on 4 ranks; validation),
# its report naming MPICH and the CUDA-awareness the MPICH rule found (src/mpilib/mpich.c).
# Skipped where MPICH is not installed.
. "$top_srcdir/tests/lib.sh"
: "${top_builddir:?}"
if ! command -v mpicc.mpich >/dev/null 2>&1 || ! command -v mpirun.mpich >/dev/null 2>&1; then
    echo "1..0 # SKIP MPICH not installed (no mpicc.mpich or mpirun.mpich: apt-get install mpich libmpich-dev)"
    exit 0
fi
dir=$(mktemp -d "$TEST_TMP/mpich.XXXXXX")
# A make of its own, not the jobserver of the make that runs the tests.
gx_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" "$@"; }

# The sources as the tarball has them: a source tree configured in place (CI's) cannot be
# configured a second time elsewhere.
gx_make -s -C "$top_builddir" distdir distdir="$dir/src" >"$dir/distdir.log" 2>&1
ok $? "make distdir: the sources for a second build" || diag <"$dir/distdir.log"
mkdir -p "$dir/build"
(cd "$dir/build" && "$dir/src/configure" CC=mpicc.mpich --without-cuda PYTHON="$PYTHON") \
    >"$dir/configure.log" 2>&1 && grep -q '^  MPI compiler *: mpicc.mpich$' "$dir/configure.log"
ok $? "configure CC=mpicc.mpich --without-cuda" || tail -n 30 "$dir/configure.log" | diag
gx_make -C "$dir/build" -j2 >"$dir/make.log" 2>&1
built=$?
ok $built "make with mpicc.mpich" || tail -n 40 "$dir/make.log" | diag
grep -A3 'warning:' "$dir/make.log" | diag
if [ $built -ne 0 ]; then
    done_testing
    exit
fi

# lib.sh's runners, with MPICH's launcher (Hydra runs any number of ranks on any cores as is).
GPUXFER=$dir/build/src/gpuxfer
MPIRUN=mpirun.mpich
gx_mpirun_opts=

gx_mpirun 1 --version >"$dir/version" 2>&1 &&
    grep -q '^  MPI  *MPICH Version:' "$dir/version" &&
    grep -qE '^  MPIX_CUDA_AWARE_SUPPORT  *not defined$' "$dir/version"
ok $? "--version: MPI is MPICH, MPIX_CUDA_AWARE_SUPPORT not defined" || diag <"$dir/version"

for pat in latency bw bibw; do
    out="$dir/np2-$pat.json"
    gx_mpirun_table "$dir/np2-$pat.txt" 2 --path host --pattern $pat --sizes 1,4K,64K,1M+3 \
        --iters 20 --warmup 2 --quiet --output "$out" >"$dir/np2-$pat.mpirun" 2>&1
    ok $? "MPICH, 2 ranks, $pat: exit 0" || diag <"$dir/np2-$pat.mpirun"
    check_report "$out" --ranks 2 --patterns $pat --sizes 4 --pairs 0-1
    ok $? "MPICH, 2 ranks, $pat: report valid against the schema, values sensible, one result per size"
    lines=$(grep -cE '^ +[0-9]+ +0->1 +- +- +[0-9.e-]+M?[~^]? +[0-9.e-]+M? +[0-9.e-]+M? ' "$dir/np2-$pat.txt")
    [ "$lines" -eq 4 ]
    ok $? "MPICH, 2 ranks, $pat: table has 4 parseable lines (found $lines)"
done

out="$dir/np4.json"
gx_mpirun 4 --pairs all-disjoint --pattern latency,bw --sizes 8,64K --iters 10 --quiet \
    --output "$out" >"$dir/np4.txt" 2>&1
ok $? "MPICH, 4 ranks, all-disjoint: exit 0" || diag <"$dir/np4.txt"
check_report "$out" --ranks 4 --patterns latency,bw --sizes 2 --pairs 0-1,2-3
ok $? "MPICH, 4 ranks: results for pairs 0-1 and 2-3, valid"

out="$dir/validate.json"
gx_mpirun 2 --path host,mpi --pattern bw,bibw --sizes 1,64K+1 --iters 10 --validate all \
    --quiet --output "$out" >"$dir/validate.txt" 2>&1
ok $? "MPICH, --validate all on host and mpi: exit 0" || diag <"$dir/validate.txt"
check_report "$out" --ranks 2 --patterns bw,bibw --sizes 2 --pairs 0-1 &&
    py_check "$out" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
bad = [(r["path"], r["pattern"], r["size"]) for r in rs
       if r["validation"]["checks"] < r["iterations"] or r["validation"]["status"] != "passed"]
print("%d results, not validated every iteration: %s" % (len(rs), bad))
sys.exit(0 if len(rs) == 8 and not bad else 1)
PY
ok $? "MPICH, --validate all: every iteration of every result checked, no error"

# The report names MPICH and the reason the MPICH rule gave: MPIX_GPU_query_support (MPICH 4.0
# and later) or that an older MPICH cannot be asked.
py_check "$dir/np4.json" <<'PY'
import json, re, sys
ranks = json.load(open(sys.argv[1]))["context"]["ranks"]
rule = re.compile(r"^(MPIX_GPU_query_support\(CUDA\) = ([01]) \(MPICH\)"
                  r"|unknown: MPICH without MPIX_GPU_query_support \(before 4\.0\) cannot be asked)$")
for r in ranks:
    m = rule.match(r["cuda_aware_mpi_reason"])
    print("rank %d: %r, cuda_aware_mpi %s, reason %r" % (r["rank"], r["mpi_library"][:40],
          r["cuda_aware_mpi"], r["cuda_aware_mpi_reason"]))
    assert r["mpi_library"].startswith("MPICH Version:"), r["mpi_library"]
    assert m, r["cuda_aware_mpi_reason"]
    assert r["cuda_aware_mpi"] == (m.group(2) == "1"), r
assert len(ranks) == 4
PY
ok $? "MPICH report: mpi_library MPICH, cuda_aware_mpi and its reason from the MPICH rule"

# --assume-cuda-aware where the MPICH rule does not say yes: aware, and the reason says over what.
out="$dir/assume.json"
gx_mpirun 2 --pattern latency --sizes 8 --iters 3 --ceilings off --assume-cuda-aware --quiet \
    --output "$out" >"$dir/assume.txt" 2>&1
ok $? "MPICH, --assume-cuda-aware: exit 0" || diag <"$dir/assume.txt"
py_check "$out" <<'PY'
import json, re, sys
for r in json.load(open(sys.argv[1]))["context"]["ranks"]:
    why = r["cuda_aware_mpi_reason"]
    print("rank %d: cuda_aware_mpi %s, %r" % (r["rank"], r["cuda_aware_mpi"], why))
    assert r["cuda_aware_mpi"] is True
    assert (why == "MPIX_GPU_query_support(CUDA) = 1 (MPICH)"
            or re.match(r"^--assume-cuda-aware(, over | \(unknown: )MPI", why)), why
PY
ok $? "MPICH, --assume-cuda-aware: cuda_aware_mpi true, the reason names the option and the rule"

rm -rf "$dir"
done_testing
