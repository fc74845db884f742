/* What gpuxfer measures when told nothing: on a node with GPUs, every path that moves GPU data,
 * latency at 8 B and bandwidth at one size per size class, each at its best chunk, so that the
 * transfer plan at the end answers which path to use for which size; without GPUs, the host run
 * of the option defaults. */
#include "config.h"
#include "option_table.h"

#include "mem.h"
#include "path.h"

#include <string.h>

/* One size per class (sizes.c) up to xlarge: tiny 4K, small 64K, medium 1M, large 16M, xlarge
 * 64M. The huge class is left to --sizes: the unified paths move 1-4 GB/s, and a huge size of
 * theirs alone would take most of the first minute. */
#define GX_DEFAULT_LATENCY_SIZES "8"
#define GX_DEFAULT_BW_SIZES "4K,64K,1M,16M,64M"

/* A path moves GPU data when it needs a GPU or its own buffers are GPU memory (mpi: device
 * buffers in a CUDA build); the table says so, not the names. */
static int moves_gpu_data(const struct gx_path_ops *p)
{
    return p && ((p->flags & GX_PATH_NEEDS_GPU) || gx_mem_has(p->default_src, GX_MEM_GPU_RESIDENT));
}

static int set(struct gx_options *o, struct gx_run_opts *r, const char *opt, const char *value,
               struct gx_err *err)
{
    const struct gx_option *op = gx_option_find(opt);
    if (!op)
        return gx_fail(err, GX_ERUNTIME, "no option --%s", opt);
    return op->set(o, r, value, err);
}

int gx_options_gpu_default(struct gx_options *o, struct gx_err *err)
{
    char list[512] = "";
    for (int i = 0; i < gx_path_count; i++)
        if (moves_gpu_data(gx_paths[i].ops))
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? "," : "",
                     gx_paths[i].name);
    if (!list[0])
        return GX_OK; /* a build without CUDA: the host run */
    struct gx_run_opts *lat = &o->runs[0];
    GX_TRY(set(o, lat, "path", list, err));
    if (o->default_axes_given) /* --pattern or --sizes: one run over the user's axes */
        return GX_OK;
    o->nruns = 2;
    o->runs[1] = *lat;
    struct gx_run_opts *bw = &o->runs[1];
    snprintf(lat->name, sizeof lat->name, "latency");
    snprintf(bw->name, sizeof bw->name, "bandwidth");
    GX_TRY(set(o, lat, "pattern", "latency", err));
    GX_TRY(set(o, lat, "sizes", GX_DEFAULT_LATENCY_SIZES, err));
    GX_TRY(set(o, bw, "pattern", "bw", err));
    /* Each size until its median is known (--precision) or its share of the budget is spent
     * (default_run in main.c gives the run its budget). */
    return set(o, bw, "sizes", GX_DEFAULT_BW_SIZES, err);
}
