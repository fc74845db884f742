#include "config.h"
#include "path.h"

#include "mem.h"

#include <stdio.h>
#include <string.h>

extern const struct gx_path_ops gx_path_host, gx_path_mpi;
#ifdef HAVE_CUDA
extern const struct gx_path_ops gx_path_staged, gx_path_staged_mpi, gx_path_p2p, gx_path_zerocopy,
    gx_path_unified_prefetch, gx_path_unified_demand;
#define CUDA_PATH(p) &p, NULL
#else
#define CUDA_PATH(p) NULL, "built without CUDA"
#endif
#ifdef HAVE_NCCL
extern const struct gx_path_ops gx_path_nccl;
#define NCCL_PATH(p) &p, NULL
#else
#define NCCL_PATH(p) NULL, "built without NCCL"
#endif

const struct gx_path_entry gx_paths[] = {
    {"host", &gx_path_host, NULL},
    {"mpi", &gx_path_mpi, NULL},
    {"staged", CUDA_PATH(gx_path_staged)},
    {"staged-mpi", CUDA_PATH(gx_path_staged_mpi)},
    {"p2p", CUDA_PATH(gx_path_p2p)},
    {"nccl", NCCL_PATH(gx_path_nccl)},
    {"zerocopy", CUDA_PATH(gx_path_zerocopy)},
    {"unified-prefetch", CUDA_PATH(gx_path_unified_prefetch)},
    {"unified-demand", CUDA_PATH(gx_path_unified_demand)},
};
const int gx_path_count = (int)GX_ARRAY_LEN(gx_paths);
_Static_assert(GX_ARRAY_LEN(gx_paths) <= GX_PATHS_MAX, "GX_PATHS_MAX bounds the paths");
static char setup_failed[GX_ARRAY_LEN(gx_paths)][sizeof(((struct gx_err *)0)->msg)];
static unsigned char is_set_up[GX_ARRAY_LEN(gx_paths)];

int gx_path_lookup(const char *name)
{
    for (int i = 0; i < gx_path_count; i++)
        if (strcmp(gx_paths[i].name, name) == 0)
            return i;
    return -1;
}

unsigned gx_bound_conditions(int src_kind, int dst_kind, int same_node, int same_gpu)
{
    int kinds[2] = {src_kind, dst_kind};
    unsigned holds = same_node ? GX_IF_SAME_NODE : GX_IF_OTHER_NODE;
    if (same_node && same_gpu)
        holds |= GX_IF_SAME_GPU;
    for (int i = 0; i < 2; i++) {
        if (gx_mem_on_gpu(kinds[i]))
            holds |= GX_IF_GPU_MEM;
        /* Pageable: an MPI moves it by other means than pinned memory, at another speed. */
        if (gx_mem_has(kinds[i], GX_MEM_HOST_ADDRESSABLE) &&
            !gx_mem_has(kinds[i], GX_MEM_GPU_ACCESSIBLE))
            holds |= GX_IF_PAGEABLE;
    }
    return holds;
}

int gx_paths_setup(const struct gx_job *job, const unsigned char *used, struct gx_err *err)
{
    for (int p = 0; p < gx_path_count; p++) {
        const struct gx_path_ops *ops = gx_paths[p].ops;
        setup_failed[p][0] = '\0';
        if (!ops || !ops->setup || !used[p])
            continue;
        struct gx_err why = {0};
        int rc = gx_agree(job->comm, ops->setup(job, &why), &why);
        is_set_up[p] = 1;
        if (rc == GX_ESKIP)
            snprintf(setup_failed[p], sizeof setup_failed[p], "%s", why.msg);
        else if (rc != GX_OK) {
            *err = why;
            return rc;
        }
    }
    return GX_OK;
}

const char *gx_path_setup_failed(int path)
{
    return setup_failed[path];
}

void gx_paths_teardown(void)
{
    for (int p = 0; p < gx_path_count; p++)
        if (is_set_up[p] && gx_paths[p].ops->teardown) {
            gx_paths[p].ops->teardown();
            is_set_up[p] = 0;
        }
}
