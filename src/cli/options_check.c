/* What the options ask of the job's memory and ranks, checked before anything is measured. */
#include "config.h"
#include "option_table.h"

#include "mem.h"
#include "pairs.h"
#include "path.h"

#include <stdio.h>
#include <unistd.h>

/* The most buffers that one rank of the run holds in GPU memory (device) or in host memory (any
 * other kind: pageable, pinned, managed and mapped memory are host pages), over its paths. */
static int buffers_in(const struct gx_run_opts *run, int device)
{
    int most = 0;
    for (int i = 0; i < run->npaths; i++) {
        const struct gx_path_ops *ops = gx_paths[run->paths[i]].ops;
        if (!ops)
            continue;
        int src = run->mem_src != GX_MEM_DEFAULT ? run->mem_src : ops->default_src;
        int dst = run->mem_dst != GX_MEM_DEFAULT ? run->mem_dst : ops->default_dst;
        int n = (gx_mem_has(src, GX_MEM_GPU_ALLOCATED) == device) +
                (gx_mem_has(dst, GX_MEM_GPU_ALLOCATED) == device);
        most = n > most ? n : most;
    }
    return most;
}

static void run_where(const struct gx_options *o, int r, char *where, size_t len)
{
    if (o->g.scenario[0])
        snprintf(where, len, "%s: runs[%d].", o->g.scenario, r);
    else
        snprintf(where, len, "--");
}

/* Every rank that shares the memory holds its buffers there at once: the largest size times
 * the buffers times the ranks must fit. mem 0: unknown, not checked. */
static int check_fits(const struct gx_options *o, int device, int ranks, double mem,
                      const char *what, struct gx_err *err)
{
    for (int r = 0; mem > 0 && r < o->nruns; r++) {
        const struct gx_run_opts *run = &o->runs[r];
        int nbuf = buffers_in(run, device);
        for (size_t i = 0; i < run->sizes.n; i++) {
            double need = (double)nbuf * (double)ranks * (double)run->sizes.v[i];
            if (need <= mem)
                continue;
            char where[PATH_MAX + 32], s[32];
            run_where(o, r, where, sizeof where);
            gx_format_size(run->sizes.v[i], s, sizeof s);
            return gx_fail(err, GX_EINPUT,
                           "%ssizes: %s needs %.1f GiB (%d buffer%s of that size for each of the "
                           "%d rank%s on %s), more than its %.1f GiB of memory",
                           where, s, need / (double)GX_GIB, nbuf, nbuf == 1 ? "" : "s", ranks,
                           ranks == 1 ? "" : "s", what, mem / (double)GX_GIB);
        }
    }
    return GX_OK;
}

int gx_options_check_job(const struct gx_options *o, const struct gx_layout *layout,
                         int node_ranks, struct gx_err *err)
{
    for (int r = 0; r < o->nruns; r++) {
        char where[PATH_MAX + 32];
        run_where(o, r, where, sizeof where);
        struct gx_pairs pairs;
        if (gx_pairs_resolve(o->runs[r].pairs, layout, &pairs, err) != GX_OK)
            return gx_wrap(err, "%spairs", where);
        gx_pairs_free(&pairs);
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double mem = pages > 0 && page > 0 ? (double)pages * (double)page : 0;
    return check_fits(o, 0, node_ranks, mem, "this node", err);
}

int gx_options_check_gpu_memory(const struct gx_options *o, int gpu_ranks, double gpu_bytes,
                                struct gx_err *err)
{
    return check_fits(o, 1, gpu_ranks, gpu_bytes, "this GPU", err);
}
