/* Told nothing: with GPUs, every path that moves GPU data, for the transfer plan. */
#include "config.h"
#include "option_table.h"

#include "gpu.h"
#include "job.h"
#include "mem.h"
#include "pairs.h"
#include "scheme.h"
#include "path.h"
#include "pattern.h"
#include "probe.h"

#include <string.h>

/* The table says so, not the names: mpi moves device buffers in a CUDA build. */
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
    return gx_option_set(op, o, r, value, err);
}

/* The default run on GPUs: every path that moves GPU data. */
static int gpu_default(struct gx_options *o, struct gx_err *err)
{
    char list[512] = "";
    for (int i = 0; i < gx_path_count; i++)
        if (moves_gpu_data(gx_paths[i].ops))
            gx_list_add(list, sizeof list, ",", gx_paths[i].name);
    if (!list[0])
        return GX_OK; /* a build without CUDA: the host run */
    struct gx_run_opts *lat = &o->runs[0];
    GX_TRY(set(o, lat, "path", list, err));
    /* --pattern or --sizes: one run over the user's axes; --pairs job or node its collectives */
    if (o->default_axes_given || gx_scheme_of(lat->pairs)->groups)
        return GX_OK;
    o->nruns = 2;
    o->gpu_default = 1;
    o->runs[1] = *lat;
    struct gx_run_opts *bw = &o->runs[1];
    snprintf(lat->name, sizeof lat->name, "latency");
    snprintf(bw->name, sizeof bw->name, "bandwidth");
    GX_TRY(set(o, lat, "pattern", "latency", err));
    GX_TRY(set(o, lat, "sizes", GX_DEFAULT_LATENCY_SIZES, err));
    GX_TRY(set(o, bw, "pattern", "bw", err));
    return set(o, bw, "sizes", GX_DEFAULT_BW_SIZES, err);
}

/* From the default run's first: the user's per-run options hold for it too. */
static int map_run(struct gx_options *o, struct gx_run_opts *m, const char *name,
                   const char *path, const char *pattern, const char *pairs, struct gx_err *err)
{
    *m = o->runs[o->nruns - 1];
    m->given = m->cli = 0;
    snprintf(m->name, sizeof m->name, "%s", name);
    if (path)
        GX_TRY(set(o, m, "path", path, err));
    else
        m->npaths = 0;
    GX_TRY(set(o, m, "pattern", pattern, err));
    GX_TRY(set(o, m, "sizes", GX_MAP_SIZE, err));
    GX_TRY(set(o, m, "pairs", pairs, err));
    GX_TRY(set(o, m, "iters", GX_MAP_ITERS, err));
    GX_TRY(set(o, m, "window", GX_MAP_WINDOW, err));
    GX_TRY(set(o, m, "ceilings", "off", err));
    /* p2p as nvbandwidth's copies: the whole message as one copy, no candidates to search. */
    if (path && strcmp(path, "p2p") == 0) {
        GX_TRY(set(o, m, "chunk", GX_MAP_SIZE, err));
        GX_TRY(set(o, m, "depth", "1", err));
    }
    return GX_OK;
}

/* One pair at a time, the peer only waiting: no other GPU shares the host bridge meanwhile. */
static int map_host_run(struct gx_options *o, struct gx_run_opts *m, struct gx_err *err)
{
    static const char *const names[] = {GX_MAP_HOST_PROBES};
    int probes[GX_ARRAY_LEN(names)];
    for (size_t i = 0; i < GX_ARRAY_LEN(names); i++)
        if ((probes[i] = gx_probe_find(names[i])) < 0)
            return gx_fail(err, GX_ERUNTIME, "no probe %s", names[i]);
    GX_TRY(map_run(o, m, "map-host", NULL, "bw", "ring", err));
    GX_TRY(set(o, m, "sizes", GX_MAP_HOST_SIZE, err));
    m->nprobes = (int)GX_ARRAY_LEN(probes);
    memcpy(m->probes, probes, sizeof probes);
    return GX_OK;
}

int gx_options_gpu_map_kind(const struct gx_options *o, const struct gx_layout *l)
{
    const struct gx_option *pairs = gx_option_find("pairs");
    /* The user's --pairs names the pairs; --pattern or --sizes made it the user's one run. */
    if (!o->gpu_default || o->map_off || (pairs && (o->runs[0].given & GX_OPTION_BIT(pairs))))
        return GX_MAP_NONE;
    if (o->g.vary.option != GX_VARY_NONE) /* the values' comparison alone */
        return GX_MAP_NONE;
    /* On 2 GPUs the node check still wants both ways and the host links judged. */
    if (l->nranks < 2 || (l->nranks == 2 && !o->check))
        return GX_MAP_NONE;
    if (l->nnodes > 1) /* nodes needs as many ranks on every node */
        return l->per_node > 0 ? GX_MAP_NODES : GX_MAP_NONE;
    return GX_MAP_NODE;
}

int gx_options_gpu_map(struct gx_options *o, const struct gx_layout *l, const char *bibw_pairs,
                       struct gx_err *err)
{
    struct gx_run_opts runs[4];
    int n = 0;
    switch (gx_options_gpu_map_kind(o, l)) {
    case GX_MAP_NODES:
        GX_TRY(map_run(o, &runs[n++], "map", "mpi", "bw", "nodes", err));
        break;
    case GX_MAP_NODE:
        GX_TRY(map_run(o, &runs[n++], "map", "p2p", "bw", "all", err));
        if (bibw_pairs && bibw_pairs[0])
            GX_TRY(map_run(o, &runs[n++], "map-bibw", "p2p", "bibw", bibw_pairs, err));
        GX_TRY(map_host_run(o, &runs[n++], err));
        int nccl = gx_path_lookup("nccl");
        /* The node's collective, rated on its links; of 2 GPUs, the pair's own bw says it. */
        if (nccl >= 0 && gx_paths[nccl].ops && l->nranks > 2) {
            GX_TRY(map_run(o, &runs[n], "map-allreduce", "nccl", "allreduce", "job", err));
            GX_TRY(set(o, &runs[n++], "sizes", GX_MAP_COLL_SIZE, err));
        }
        break;
    default:
        return GX_OK;
    }
    if (o->check) { /* the map alone: the node check (--check) */
        memcpy(&o->runs[0], runs, (size_t)n * sizeof runs[0]);
        o->nruns = n;
        return GX_OK;
    }
    if (o->nruns + n > GX_MAX_RUNS)
        return GX_OK;
    memmove(&o->runs[n], &o->runs[0], (size_t)o->nruns * sizeof o->runs[0]);
    memcpy(&o->runs[0], runs, (size_t)n * sizeof runs[0]);
    o->nruns += n;
    return GX_OK;
}

static int only_collectives(const struct gx_run_opts *run)
{
    for (int i = 0; i < run->npatterns; i++)
        if (gx_pattern_table[run->patterns[i]]->coll == GX_COLL_NONE)
            return 0;
    return run->npatterns > 0;
}

/* A run of groups (--pairs job, node) measures the collectives on the paths that have them,
 * unless told which; a run of pairs never measures one. */
int gx_options_collective_defaults(struct gx_options *o, struct gx_err *err)
{
    const struct gx_option *path = gx_option_find("path"), *pattern = gx_option_find("pattern"),
                           *sizes = gx_option_find("sizes");
    char names[256];
    for (int r = 0; r < o->nruns; r++) {
        struct gx_run_opts *run = &o->runs[r];
        /* Collectives alone, no pairs named: every rank, as nccl-tests and osu measure them. */
        if (!(run->given & GX_OPTION_BIT(gx_option_find("pairs"))) && only_collectives(run) &&
            !gx_scheme_of(run->pairs)->groups) {
            GX_TRY(set(o, run, "pairs", "job", err));
            o->pairs_implied++;
        }
        int groups = gx_scheme_of(run->pairs)->groups;
        if (groups && !(run->given & GX_OPTION_BIT(pattern)))
            GX_TRY(set(o, run, "pattern", gx_pattern_names(names, sizeof names, ",", 1, 0), err));
        if (groups && !(run->given & GX_OPTION_BIT(sizes)))
            GX_TRY(set(o, run, "sizes", GX_DEFAULT_COLL_SIZES, err));
        for (int i = 0; i < run->npatterns; i++) {
            const struct gx_pattern_ops *pat = gx_pattern_table[run->patterns[i]];
            if ((pat->coll != GX_COLL_NONE) == groups)
                continue;
            char said_pattern[256], said_pairs[256];
            gx_option_origin(o, r, "pattern", said_pattern, sizeof said_pattern);
            gx_option_origin(o, r, "pairs", said_pairs, sizeof said_pairs);
            if (!(run->cli & GX_OPTION_BIT(gx_option_find("pattern"))) &&
                (run->given & ~run->cli & GX_OPTION_BIT(gx_option_find("pairs"))))
                snprintf(said_pairs, sizeof said_pairs, "runs[%d].pairs", r); /* file said */
            return gx_fail(err, GX_EINPUT, groups ? "%s %s: a pattern between pairs, and %s %s "
                           "makes groups for the collectives (%s)"
                           : "%s %s: a collective, which needs a group of ranks (pairs job or "
                           "node), not %s %s%s", said_pattern, pat->name, said_pairs, run->pairs,
                           groups ? gx_pattern_names(names, sizeof names, ",", 1, 1) : "");
        }
        if (!groups || (run->given & GX_OPTION_BIT(path)))
            continue;
        int n = 0;
        for (int i = 0; i < run->npaths; i++) {
            const struct gx_path_ops *ops = gx_paths[run->paths[i]].ops;
            if (ops && ops->collective)
                run->paths[n++] = run->paths[i];
        }
        run->npaths = n;
        if (!n)
            GX_TRY(set(o, run, "path", "host", err));
    }
    return GX_OK;
}

int gx_options_default_run(struct gx_job *job, struct gx_options *opts, struct gx_err *err)
{
    static char why[sizeof opts->no_gpu_why + 64];
    int mine = gx_gpu_visible(&opts->g, opts->dry_run), all = 0;
    GX_MPI_TRY(err, MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, job->comm));
    GX_TRY(all ? gpu_default(opts, err) : GX_OK);
    /* The host run stands in, so that the links and counters are still judged. */
    opts->check_no_gpu = opts->check && !opts->gpu_default;
    if (!all) { /* the lowest rank without one: rank 0 knows its own why */
        int none = mine ? job->size : job->rank, first = 0;
        GX_MPI_TRY(err, MPI_Allreduce(&none, &first, 1, MPI_INT, MPI_MIN, job->comm));
        if (first == 0)
            snprintf(opts->no_gpu_why, sizeof opts->no_gpu_why, "no GPU on rank 0: %s",
                     gx_gpu_none_why(&opts->g));
        else
            snprintf(opts->no_gpu_why, sizeof opts->no_gpu_why, "no GPU on rank %d", first);
        if (mine)
            snprintf(why, sizeof why, "the host run stands in for the GPU default run: %s",
                     opts->no_gpu_why);
        else
            snprintf(why, sizeof why, "%s", gx_gpu_none_why(&opts->g));
        job->no_gpu = why;
    }
    if (opts->check && opts->gpu_default && !opts->g.budget)
        opts->g.budget = GX_CHECK_BUDGET; /* the map's fixed iterations within it, not on top */
    /* Axes given make it the user's run, which takes what its steps need. */
    if (!opts->g.budget && !opts->default_axes_given) {
        opts->g.budget = all ? GX_DEFAULT_BUDGET_GPU : GX_DEFAULT_BUDGET_HOST;
        opts->g.budget_default = 1;
    }
    return GX_OK;
}
