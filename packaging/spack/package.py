# Spack recipe for gpuxfer (copy into a Spack repository as packages/gpuxfer/package.py). Written
# to Spack's conventions (AutotoolsPackage with CudaPackage). Not built by Spack in CI or by its
# authors; tests/spack_recipe.sh runs its Python against a stand-in of spack.package
# (docs/building.md says what was and was not tested). gpuxfer is not published yet, so
# the git URL below does not answer; build @main from a local clone in a Spack environment:
# spack develop --path /path/to/clone gpuxfer@main, then spack add gpuxfer@main and spack install.
from spack.package import *


class Gpuxfer(AutotoolsPackage, CudaPackage):
    """Measures how fast data moves between GPUs and hosts in an MPI job, over every path
    (CUDA-aware MPI, host-staged copies, CUDA IPC, NCCL, zero-copy and unified memory), with
    the machine's ceilings calibrated in the same job and a JSON report with a transfer plan."""

    homepage = "https://github.com/gpuxfer/gpuxfer"
    url = "https://github.com/gpuxfer/gpuxfer/releases/download/v0.1.0/gpuxfer-0.1.0.tar.xz"
    git = "https://github.com/gpuxfer/gpuxfer.git"

    license("BSD-3-Clause")

    version("main", branch="main")

    variant("nccl", default=True, when="+cuda", description="The nccl path (needs CUDA)")

    depends_on("c", type="build")
    depends_on("mpi")
    depends_on("cjson")
    depends_on("hwloc@2:")
    depends_on("pkgconfig", type="build")
    depends_on("python@3:", type=("build", "run"))
    depends_on("nccl", when="+nccl")
    # Built from git: the configure script is generated (autoreconf -fi). Spack's AutotoolsPackage
    # regenerates it only where autoconf, automake and libtool are dependencies (older Spack
    # releases want m4 too), and adds pkgconf's aclocal folder for configure.ac's PKG_* macros.
    depends_on("autoconf", type="build", when="@main")
    depends_on("automake", type="build", when="@main")
    depends_on("libtool", type="build", when="@main")
    depends_on("m4", type="build", when="@main")

    def configure_args(self):
        spec = self.spec
        args = [f"CC={spec['mpi'].mpicc}", f"PYTHON={spec['python'].command.path}"]
        if spec.satisfies("+cuda"):
            args.append(f"--with-cuda={spec['cuda'].prefix}")
            archs = spec.variants["cuda_arch"].value
            if archs and archs[0] != "none":
                args.append("--with-cuda-arch=" + ",".join(archs))
        else:
            args.append("--without-cuda")
        if spec.satisfies("+nccl"):
            args.append(f"--with-nccl={spec['nccl'].prefix}")
        else:
            args.append("--without-nccl")
        return args
