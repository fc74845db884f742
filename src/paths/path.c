#include "config.h"
#include "path.h"

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
