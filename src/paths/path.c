#include "config.h"
#include "path.h"

#include "mem.h"

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
