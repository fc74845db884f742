#!/bin/sh
# The Spack recipe (packaging/spack/package.py) without Spack, which is on neither PyPI nor
# Debian: its Python runs against a stand-in of the names it takes from spack.package (the
# directives record what they are given; a spec answers what the recipe asks of it). Checked:
# @main, built from git, depends on what Spack's AutotoolsPackage needs to regenerate configure
# (autoconf, automake, libtool; m4 for older Spack) and pkgconfig; configure_args for ~cuda,
# +cuda cuda_arch=80,90 (+nccl) and +cuda ~nccl; and configure (in a copy of the sources, make
# distdir) takes the ~cuda arguments with no option it does not know. Not a Spack build: see
# docs/building.md.
. "$top_srcdir/tests/lib.sh"
: "${top_builddir:?}"
dir=$(mktemp -d "$TEST_TMP/spack_recipe.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/stand-in/spack"
: >"$dir/stand-in/spack/__init__.py"
cat >"$dir/stand-in/spack/package.py" <<'PY'
# A stand-in for the names a recipe takes from Spack's spack.package: directives record their
# arguments in DIRECTIVES; the build system classes are empty.
DIRECTIVES = []
def _directive(name):
    def record(*args, **kwargs):
        DIRECTIVES.append((name, args, kwargs))
    return record
version = _directive("version")
variant = _directive("variant")
depends_on = _directive("depends_on")
license = _directive("license")
conflicts = _directive("conflicts")
maintainers = _directive("maintainers")
requires = _directive("requires")
class AutotoolsPackage:
    pass
class CudaPackage:
    pass
__all__ = [n for n in dir() if not n.startswith("_") or n == "_directive"]
PY

# The recipe's configure arguments and dependencies, one per line, for three specs.
PYTHONPATH="$dir/stand-in" "$PYTHON" - "$top_srcdir/packaging/spack/package.py" >"$dir/out.txt" 2>&1 <<'PY'
import importlib.util, sys, types
import spack.package as sp
spec_ = importlib.util.spec_from_file_location("gx_recipe", sys.argv[1])
recipe = importlib.util.module_from_spec(spec_)
spec_.loader.exec_module(recipe)
for name, args, kw in sp.DIRECTIVES:
    if name == "depends_on":
        print("depends_on", args[0], "type=" + str(kw.get("type", "")), "when=" + str(kw.get("when", "")))
    if name == "version":
        print("version", args[0], *sorted(f"{k}={v}" for k, v in kw.items()))

class Spec:
    def __init__(self, on, arch):
        self.on, self.variants = on, {"cuda_arch": types.SimpleNamespace(value=arch)}
        self.deps = {"mpi": types.SimpleNamespace(mpicc="/opt/mpi/bin/mpicc"),
                     "python": types.SimpleNamespace(command=types.SimpleNamespace(path="/opt/py/bin/python3")),
                     "cuda": types.SimpleNamespace(prefix="/opt/cuda"),
                     "nccl": types.SimpleNamespace(prefix="/opt/nccl")}
    def satisfies(self, s):
        return s in self.on
    def __getitem__(self, name):
        return self.deps[name]

for label, on, arch in (("~cuda", (), ("none",)), ("+cuda", ("+cuda", "+nccl"), ("80", "90")),
                        ("+cuda~nccl", ("+cuda",), ("80", "90"))):
    pkg = recipe.Gpuxfer.__new__(recipe.Gpuxfer)
    pkg.spec = Spec(on, arch)
    print("args", label, " ".join(pkg.configure_args()))
PY
ok $? "package.py runs against the stand-in of spack.package" || { diag <"$dir/out.txt"; done_testing; exit; }

for dep in autoconf automake libtool m4; do
    grep -qx "depends_on $dep type=build when=@main" "$dir/out.txt"
    ok $? "@main depends on $dep (build)" || grep '^depends_on' "$dir/out.txt" | diag
done
grep -q "^depends_on pkgconfig type=build " "$dir/out.txt" && grep -q "^version main branch=main" "$dir/out.txt"
ok $? "version main from the main branch; pkgconfig (build) for configure's PKG_* macros" || diag <"$dir/out.txt"
grep -qx "args ~cuda CC=/opt/mpi/bin/mpicc PYTHON=/opt/py/bin/python3 --without-cuda --without-nccl" "$dir/out.txt"
ok $? "~cuda: CC is the MPI's mpicc, PYTHON the dependency's, --without-cuda --without-nccl" || grep '^args' "$dir/out.txt" | diag
grep -qx "args +cuda CC=/opt/mpi/bin/mpicc PYTHON=/opt/py/bin/python3 --with-cuda=/opt/cuda --with-cuda-arch=80,90 --with-nccl=/opt/nccl" "$dir/out.txt"
ok $? "+cuda cuda_arch=80,90: --with-cuda=PREFIX --with-cuda-arch=80,90 --with-nccl=PREFIX" || grep '^args' "$dir/out.txt" | diag
grep -qx "args +cuda~nccl CC=/opt/mpi/bin/mpicc PYTHON=/opt/py/bin/python3 --with-cuda=/opt/cuda --with-cuda-arch=80,90 --without-nccl" "$dir/out.txt"
ok $? "+cuda ~nccl: --without-nccl" || grep '^args' "$dir/out.txt" | diag

# configure with the ~cuda arguments (this machine's mpicc and Python in place of Spack's).
gx_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" "$@"; }
gx_make -s -C "$top_builddir" distdir distdir="$dir/src" >"$dir/distdir.log" 2>&1
ok $? "make distdir: the sources for configure" || { diag <"$dir/distdir.log"; done_testing; exit; }
mkdir "$dir/build"
mpicc=$(command -v mpicc 2>/dev/null || echo mpicc)
(cd "$dir/build" && "$dir/src/configure" "CC=$mpicc" "PYTHON=$PYTHON" --without-cuda --without-nccl) \
    >"$dir/configure.log" 2>&1 &&
    ! grep -q 'unrecognized option' "$dir/configure.log" && grep -q '^  CUDA *: no$' "$dir/configure.log"
ok $? "configure takes the ~cuda arguments, none unrecognized" || tail -n 15 "$dir/configure.log" | diag
done_testing
