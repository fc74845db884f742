/* --vary in the plan: a step's option (chunk, depth, window) makes each path's steps once per
 * value (mplan_round.c's add_steps), a group's (path, mem, nccl-comm) each round's groups once per
 * value, side by side: each visit measures the values one after another. */
#include "config.h"
#include "mplan.h"
#include "mplan_impl.h"

#include "mem.h"
#include "path.h"
#include "scheme.h"

#include <string.h>

static int add_absent(struct gx_mplan *p, struct gx_mgroup g, const char *why,
                      struct gx_err *err)
{
    g.absent = why;
    g.round = -1;
    return gx_mplan_add_group(p, &g, err);
}

/* The run's groups of path pi, round by round, one per value of --vary mem or nccl-comm. */
static int path_groups(struct gx_mplan *p, const struct gx_options *o, int r, int pi,
                       struct gx_err *err)
{
    const struct gx_run_opts *run = &o->runs[r];
    const struct gx_vary *vary = p->vary;
    const struct gx_path_entry *pe = &gx_paths[run->paths[pi]];
    struct gx_mgroup g = {.run = r, .path = run->paths[pi], .round = -1, .probe = -1,
                          .nccl_comm = o->g.nccl_comm};
    const char *absent = gx_mplan_absent(p, pe->ops, pe->absent_why, &g);
    if (!absent && vary->option == GX_VARY_NCCL_COMM && strcmp(pe->name, "nccl") != 0)
        absent = "--vary nccl-comm: only the nccl path measures on a communicator";
    if (absent)
        return add_absent(p, g, absent, err);
    for (g.round = 0; g.round < p->pairs[r].nrounds; g.round++)
        for (int k = 0; k < vary->n; k++) {
            struct gx_run_opts one = *run;
            gx_mplan_vary_apply(vary, k, &one);
            g.vary = k + 1;
            g.src_kind = one.mem_src != GX_MEM_DEFAULT ? one.mem_src : pe->ops->default_src;
            g.dst_kind = one.mem_dst != GX_MEM_DEFAULT ? one.mem_dst : pe->ops->default_dst;
            g.nccl_comm = vary->option == GX_VARY_NCCL_COMM ? vary->v[k].nccl_comm
                                                             : o->g.nccl_comm;
            GX_TRY(gx_mplan_add_round(p, &one, pe->ops, &g, err));
        }
    return GX_OK;
}

/* --vary path: the run's paths are the values (options.c set them), each round's side by side. */
static int path_values(struct gx_mplan *p, const struct gx_options *o, int r, struct gx_err *err)
{
    const struct gx_run_opts *run = &o->runs[r];
    int runs_any = 0;
    for (int k = 0; k < run->npaths; k++) {
        const struct gx_path_entry *pe = &gx_paths[run->paths[k]];
        struct gx_mgroup g = {.run = r, .path = run->paths[k], .round = -1, .probe = -1,
                              .vary = k + 1, .nccl_comm = o->g.nccl_comm};
        const char *absent = gx_mplan_absent(p, pe->ops, pe->absent_why, &g);
        if (absent)
            GX_TRY(add_absent(p, g, absent, err));
        runs_any |= !absent;
    }
    for (int round = 0; runs_any && round < p->pairs[r].nrounds; round++)
        for (int k = 0; k < run->npaths; k++) {
            const struct gx_path_entry *pe = &gx_paths[run->paths[k]];
            struct gx_mgroup g = {.run = r, .path = run->paths[k], .round = round, .probe = -1,
                                  .vary = k + 1, .nccl_comm = o->g.nccl_comm};
            if (gx_mplan_absent(p, pe->ops, pe->absent_why, &g))
                continue;
            g.src_kind = run->mem_src != GX_MEM_DEFAULT ? run->mem_src : pe->ops->default_src;
            g.dst_kind = run->mem_dst != GX_MEM_DEFAULT ? run->mem_dst : pe->ops->default_dst;
            GX_TRY(gx_mplan_add_round(p, run, pe->ops, &g, err));
        }
    return GX_OK;
}

int gx_mplan_vary_groups(struct gx_mplan *p, const struct gx_options *o, int r,
                         struct gx_err *err)
{
    if (p->vary->option == GX_VARY_PATH)
        return path_values(p, o, r, err);
    for (int pi = 0; pi < o->runs[r].npaths; pi++)
        GX_TRY(path_groups(p, o, r, pi, err));
    return GX_OK;
}
