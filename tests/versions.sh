#!/bin/sh
# Versions everywhere: --version and the report's context name gpuxfer's version and source
# revision, the build configuration, and per rank the OS, CPU model, CUDA, NCCL and MPI versions.
. "$top_srcdir/tests/lib.sh"
dir=$(mktemp -d "$TEST_TMP/versions.XXXXXX")

# The revision the build should carry: the source tree's commit, or the tarball's revision file.
if [ -e "$top_srcdir/.git" ] && commit=$(git -C "$top_srcdir" rev-parse --short HEAD 2>/dev/null); then
    want=$commit
elif [ -s "$top_srcdir/.tarball-version" ]; then
    want=$(cat "$top_srcdir/.tarball-version")
else
    want=unknown
fi

gx_mpirun 2 --version >"$dir/version" 2>"$dir/version.err"
ok $? "--version runs"
head -n 1 "$dir/version" | grep -qE '^gpuxfer [0-9]+\.[0-9]+\.[0-9]+$' &&
    grep -q "^  revision  *.*$want" "$dir/version" &&
    grep -qE '^  CUDA toolkit  *([0-9]+\.[0-9]+|no)$' "$dir/version" &&
    grep -qE '^  NCCL headers  *([0-9]+\.[0-9]+\.[0-9]+|no)$' "$dir/version" &&
    grep -qE '^  MPIX_CUDA_AWARE_SUPPORT  *(0|1|not defined)$' "$dir/version" &&
    grep -q '^  CUDA driver  ' "$dir/version" && grep -q '^  MPI  ' "$dir/version" &&
    grep -q "^  OS  *$(uname -s) $(uname -r)" "$dir/version"
ok $? "--version: version, revision ($want), build configuration, this machine's versions" ||
    diag <"$dir/version"

gx_mpirun 2 --pattern latency --sizes 8 --iters 3 --ceilings off --quiet \
    --output "$dir/r.json" >"$dir/run.txt" 2>&1
ok $? "a run for its report" || diag <"$dir/run.txt"
check_report "$dir/r.json" --ranks 2
ok $? "the report is valid against the schema"
model=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)
py_check "$dir/r.json" "$want" "$(uname -s) $(uname -r)" "$model" "$dir/version" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want, os_prefix, model, version_text = sys.argv[2:6]
assert d["schema_version"] == "2.23", d["schema_version"]
b = d["context"]["build"]
assert b["version"] == d["tool"]["version"], b
assert want in b["revision"], (want, b)
assert f"  revision                 {b['revision']}" in open(version_text).read().splitlines()
assert b["cuda"] == "no" or b["cuda"][0].isdigit(), b
for r in d["context"]["ranks"]:
    s = r["software"]
    assert s["os"].startswith(os_prefix), s
    assert not model or s["cpu_model"] == model, (s, model)
    assert s["mpi_library"] == r["mpi_library"], s
    for k in ("cuda_driver", "cuda_runtime", "nccl"):
        v = s[k]
        assert v[0].isdigit() or v.startswith(("none (", "unknown (")), (k, v)
    assert b["cuda"] == "no" or s["cuda_runtime"][0].isdigit(), s
print("build:", b)
PY
ok $? "context.build and each rank's software: revision, configuration, OS, CPU, CUDA, NCCL, MPI"

# glibc's malloc thresholds, fixed before MPI_Init, are said; a user's GLIBC_TUNABLES for one
# stands (the report says so), gpuxfer's other is set (tests/test_heap.c: the list's parsing).
GLIBC_TUNABLES=glibc.malloc.check=0:glibc.malloc.mmap_threshold=131072 gx_mpirun 2 --pattern latency \
    --sizes 8 --iters 3 --ceilings off --quiet --output "$dir/t.json" >"$dir/run.txt" 2>&1
ok $? "a run with GLIBC_TUNABLES" || diag <"$dir/run.txt"
# ASan's allocator ignores mallopt: gpuxfer's own thresholds are then the C library's.
asan=$(ldd "$GPUXFER" 2>/dev/null | grep -c libasan)
py_check "$dir/r.json" "$dir/t.json" "$asan" <<'PY'
import json, sys
said = [json.load(open(f))["context"]["job"]["malloc"] for f in sys.argv[1:3]]
print(said)
own = ["%s as the C library's (mallopt refused it)" % n
       for n in ("mmap_threshold", "trim_threshold")] if sys.argv[3] != "0" else \
      ["mmap_threshold 33554432", "trim_threshold 2147483647"]
sys.exit(0 if said[0] == ", ".join(own)
         and said[1] == "mmap_threshold 131072 (the user's GLIBC_TUNABLES), " + own[1] else 1)
PY
ok $? "context.job.malloc: the thresholds gpuxfer set (or why not), the user's GLIBC_TUNABLES standing"

# The revision header is made at build time and never committed.
if [ -e "$top_srcdir/.git" ]; then
    [ -z "$(git -C "$top_srcdir" ls-files gx_revision.h gpuxfer.1 inst)" ] &&
        git -C "$top_srcdir" check-ignore -q gx_revision.h
    ok $? "gx_revision.h (and the generated man page and scripts) not in git, ignored"
else
    skip "not a git checkout"
fi

rm -rf "$dir"
done_testing
