/* Open MPI: CUDA-aware when MPIX_Query_cuda_support() (its mpi-ext.h extension) says 1. */
#define _GNU_SOURCE 1 /* RTLD_DEFAULT */
#include "config.h"
#include "mpilib.h"

#include "gx.h"

#include <dlfcn.h>
#include <stdio.h>
#include <mpi.h>
#include <string.h>
#include <sys/vfs.h>
#ifdef HAVE_MPI_EXT_H
#include <mpi-ext.h>
#endif

int gx_fs_pinnable(const char *path, char *fs, size_t len)
{
    static const struct {
        unsigned long magic;
        const char *name;
        int in_memory;
    } kinds[] = {
        {0x01021994ul, "tmpfs", 1}, {0x858458f6ul, "ramfs", 1}, {0x958458f6ul, "hugetlbfs", 1},
        {0xef53ul, "ext4", 0},      {0x58465342ul, "xfs", 0},   {0x6969ul, "nfs", 0},
        {0x794c7630ul, "overlayfs", 0}, {0x9123683eul, "btrfs", 0}, {0x9fa0ul, "proc", 0},
    };
    struct statfs st;
    if (statfs(path, &st) != 0)
        return -1;
    unsigned long magic = (unsigned long)st.f_type & 0xfffffffful;
    for (size_t i = 0; i < GX_ARRAY_LEN(kinds); i++)
        if (kinds[i].magic == magic) {
            snprintf(fs, len, "%s", kinds[i].name);
            return kinds[i].in_memory;
        }
    snprintf(fs, len, "a file system of type 0x%lx", magic);
    return -1; /* not known to keep its files on disk either */
}

int gx_mpilib_mpi_ext_cuda_aware(void)
{
#if defined(MPIX_CUDA_AWARE_SUPPORT) && MPIX_CUDA_AWARE_SUPPORT
    return 1;
#elif defined(MPIX_CUDA_AWARE_SUPPORT)
    return 0;
#else
    return -1;
#endif
}

static void openmpi_cuda_aware(const struct gx_mpilib_facts *p, struct gx_cuda_awareness *out)
{
    if (!p->query_cuda_support) {
        gx_mpilib_answer(out, GX_AWARE_UNKNOWN,
                         "Open MPI without MPIX_Query_cuda_support (built without its cuda "
                         "extension)");
        return;
    }
    if (p->query_cuda_support()) {
        gx_mpilib_answer(out, GX_AWARE_YES, "MPIX_Query_cuda_support() = 1 (Open MPI)");
        return;
    }
    if (p->mpi_ext_cuda_aware == 0)
        gx_mpilib_answer(out, GX_AWARE_NO,
                         "MPIX_Query_cuda_support() = 0: Open MPI built without CUDA "
                         "(MPIX_CUDA_AWARE_SUPPORT = 0)");
    else
        gx_mpilib_answer(out, GX_AWARE_NO, "MPIX_Query_cuda_support() = 0 at run time (Open MPI)");
}

/* The PML Open MPI selected in MPI_Init. Its exported component structure (Open MPI 4 and 5):
 * three ints, the project name (16), three ints, the type (32), three ints, the component (64). */
static int selected_pml(char *name, size_t len)
{
    const char *c = dlsym(RTLD_DEFAULT, "mca_pml_base_selected_component");
    if (!c || strcmp(c + 12, "ompi") != 0 || strcmp(c + 40, "pml") != 0 || !memchr(c + 84, 0, 64) ||
        !c[84])
        return 0;
    snprintf(name, len, "%s", c + 84);
    return 1;
}

static void openmpi_transport(const char *version, struct gx_mpi_transport *out)
{
    (void)version;
    if (!selected_pml(out->pml, sizeof out->pml))
        snprintf(out->pml, sizeof out->pml, "unknown (Open MPI's selected PML could not be read)");
    out->has_btl = 1;
    gx_mpilib_loaded("mca_btl_", &out->btl, NULL, 0);
}

static int openmpi_over_ucx(const char *version)
{
    (void)version;
    char pml[64];
    return selected_pml(pml, sizeof pml) && strcmp(pml, "ucx") == 0;
}

/* pml ob1 without the smcuda BTL copies device buffers through host memory, far slower. */
static int openmpi_device_route(const char *version, char *buf, size_t len)
{
    (void)version;
    char pml[64] = "";
    if (!selected_pml(pml, sizeof pml)) {
        snprintf(buf, len, "Open MPI, its PML unknown");
        return 0;
    }
    if (strcmp(pml, "ob1") != 0) {
        snprintf(buf, len, "Open MPI's pml %s", pml);
        return 0;
    }
    struct gx_mpi_names btls;
    gx_mpilib_loaded("mca_btl_", &btls, NULL, 0);
    char names[256] = "";
    size_t used = 0;
    int smcuda = 0;
    for (const char *b = NULL; (b = gx_mpi_names_next(&btls, b));) {
        if (used + strlen(b) + 2 >= sizeof names)
            continue;
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? "," : "", b);
        smcuda |= strcmp(b, "smcuda") == 0;
    }
    if (!used) {
        snprintf(buf, len, "Open MPI's pml ob1, its BTLs built into the library (which of them "
                 "carries device buffers is not known)");
        return 0;
    }
    if (smcuda) {
        snprintf(buf, len, "Open MPI's pml ob1 with btl smcuda (CUDA IPC within a node)");
        return 0;
    }
    snprintf(buf, len, "Open MPI's pml ob1 over btl %s, without smcuda: ob1 copies them through "
             "host memory, a slow generic route (a btl list that leaves smcuda out does this)",
             names);
    return 1;
}

/* coll/cuda stages a device buffer through host memory at one rank's share of the output; an
 * in-place reduce-scatter's input is the whole buffer, so the host collective reads past the
 * copy: wrong sums, then a segfault once the read leaves the heap. Fixed upstream in 6.0
 * (open-mpi/ompi#13883) and on the 5.0 branch after 5.0.9 (#14249), in no release gpuxfer
 * can tell from its version string: every Open MPI before 6 is taken to have it. */
static int openmpi_device_coll_defect(const char *version, const char *collective, int in_place,
                                      char *buf, size_t len)
{
    int major = 0, minor = 0;
    if (!in_place || strcmp(collective, "reduce-scatter") != 0 ||
        sscanf(version, "Open MPI v%d.%d", &major, &minor) != 2 || major >= 6)
        return 0;
    /* Components built as plugins are seen loaded: without coll/cuda among them, no staging.
     * None seen (built into libmpi, or before MPI_Init): taken to be there. */
    struct gx_mpi_names coll;
    int any = gx_mpilib_loaded("mca_coll_", &coll, NULL, 0) > 0, cuda = 0;
    for (const char *c = NULL; (c = gx_mpi_names_next(&coll, c));)
        cuda |= strcmp(c, "cuda") == 0;
    if (any && !cuda)
        return 0;
    snprintf(buf, len, "Open MPI v%d.%d's coll/cuda stages one rank's share of an in-place "
             "reduce-scatter's device buffer and reads past it (wrong sums, then a segfault; "
             "fixed in 6.0, open-mpi/ompi#13883)", major, minor);
    return 1;
}

/* Open MPI's CUDA support pins its shared-memory file, which the driver cannot on a disk. */
static void openmpi_startup_notice(const struct gx_mpilib_facts *p, char *buf, size_t len)
{
    static const char *const dirs[] = {"OMPI_MCA_orte_jobfam_session_dir", "PMIX_SERVER_TMPDIR"};
    const char *dir = NULL;
    for (size_t i = 0; i < GX_ARRAY_LEN(dirs) && !dir; i++)
        dir = p->env(dirs[i]);
    if (!p->query_cuda_support || !p->query_cuda_support() || !dir || !dir[0])
        return;
    char fs[32];
    if (gx_fs_pinnable(dir, fs, sizeof fs) != 0)
        return;
    /* Not in the notice's own words: tests tell the two apart by them (dev/mpi-complaints.ere). */
    snprintf(buf, len, "Open MPI's session directory %s is on %s, where CUDA cannot pin its "
             "shared-memory segment: its start-up notice that cuMemHostRegister failed is the "
             "library's (TMPDIR=/dev/shm mpirun -x TMPDIR ... avoids it; docs/mpi-libraries.md)",
             dir, fs);
}

const struct gx_mpilib_ops gx_mpilib_openmpi = {
    .name = "Open MPI",
    .starts = "Open MPI v",
    .cuda_aware = openmpi_cuda_aware,
    .transport = openmpi_transport,
    .over_ucx = openmpi_over_ucx,
    .device_route = openmpi_device_route,
    .startup_notice = openmpi_startup_notice,
    .device_coll_defect = openmpi_device_coll_defect,
};
