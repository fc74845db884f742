/* What the options ask of the job's memory and ranks, checked before anything is measured. */
#include "config.h"
#include "option_table.h"

#include "job.h"
#include "mem.h"
#include "mplan.h"
#include "pairs.h"
#include "path.h"
#include "wrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Pageable, pinned, managed and mapped memory are all host pages. */
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

const char *gx_option_origin(const struct gx_options *o, int r, const char *name, char *buf,
                             size_t len)
{
    const struct gx_option *op = gx_option_find(name);
    unsigned long long bit = op ? GX_OPTION_BIT(op) : 0;
    if (o->runs[r].cli & bit)
        snprintf(buf, len, "--%s", name);
    else if (o->runs[r].given & bit)
        snprintf(buf, len, "%.200s: runs[%d].%s", o->g.scenario, r, name);
    else
        snprintf(buf, len, "the default %s", name);
    return buf;
}

/* Every rank sharing the memory holds its buffers at once. mem 0: unknown, not checked. */
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
            char where[256], s[32];
            gx_option_origin(o, r, "sizes", where, sizeof where);
            gx_format_size(run->sizes.v[i], s, sizeof s);
            return gx_fail(err, GX_EINPUT,
                           "%s: %s needs %.1f GiB (%d buffer%s of that size for each of the "
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
    /* Said before any --pairs value is looked at: the user may have given none. */
    if (layout->nranks < 2)
        return gx_fail(err, GX_EINPUT, "needs 2 ranks (it measures between pairs of "
                       "ranks); this job has %d (run it with mpirun -np 2 or more)",
                       layout->nranks);
    for (int r = 0; r < o->nruns; r++) {
        char where[256];
        gx_option_origin(o, r, "pairs", where, sizeof where);
        struct gx_pairs pairs;
        if (gx_pairs_resolve(o->runs[r].pairs, layout, &pairs, err) != GX_OK)
            return gx_wrap(err, "%s", where);
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

void gx_idle_ranks_note(FILE *out, const struct gx_options *o, const struct gx_mplan *plan)
{
    int n = plan->layout ? plan->layout->nranks : 0;
    char *busy = calloc(n > 0 ? (size_t)n : 1, 1);
    if (!busy)
        return; /* a note only: nothing is lost without it */
    for (int r = 0; r < plan->nruns; r++)
        for (int k = 0; k < plan->pairs[r].nrounds; k++) {
            const struct gx_round *round = &plan->pairs[r].rounds[k];
            for (int i = 0; i < round->npairs; i++)
                busy[round->pairs[i].a] = busy[round->pairs[i].b] = 1;
            for (int rank = 0; round->group_of && rank < n; rank++)
                busy[rank] |= round->group_of[rank] >= 0;
        }
    char idle[256] = "";
    int nidle = 0, first = -1;
    for (int rank = 0; rank <= n; rank++) { /* ranges of idle ranks: "2", "2-7" */
        if (rank < n && !busy[rank]) {
            nidle++;
            first = first < 0 ? rank : first;
            continue;
        }
        if (first >= 0) { /* the range ends at rank - 1 */
            size_t used = strlen(idle);
            if (first == rank - 1)
                snprintf(idle + used, sizeof idle - used, "%s%d", used ? "," : "", first);
            else
                snprintf(idle + used, sizeof idle - used, "%s%d-%d", used ? "," : "", first,
                         rank - 1);
            first = -1;
        }
    }
    free(busy);
    if (!nidle)
        return;
    const char *pairs = o->nruns > 0 ? o->runs[0].pairs : "";
    fprintf(out, "gpuxfer: rank%s %s of %d stay%s idle: no pair of %s%s includes %s (--pairs "
            "all-disjoint or all uses every rank)\n", nidle == 1 ? "" : "s", idle, n,
            nidle == 1 ? "s" : "", o->g.scenario[0] ? "the scenario's runs, e.g. --pairs " :
            "--pairs ", pairs, nidle == 1 ? "it" : "them");
}

void gx_no_effect_notes(FILE *out, const struct gx_options *o)
{
    for (const struct gx_option *op = gx_option_table; op->name; op++) {
        if (!op->path_needs)
            continue;
        char lacking[512] = "", able[512] = "";
        int nlacking = 0;
        unsigned char seen[64] = {0}; /* gx_paths' entries, each named once */
        int by_file = 0, by_cli = 0; /* who gave it where it has no effect */
        for (int r = 0; r < o->nruns; r++) {
            const struct gx_run_opts *run = &o->runs[r];
            int used = 0;
            for (int i = 0; i < run->npaths; i++) {
                const struct gx_path_ops *ops = gx_paths[run->paths[i]].ops;
                used |= ops && (ops->flags & op->path_needs) == op->path_needs;
            }
            /* A run some of whose paths use it uses it: its results say which did. */
            if (!(run->given & GX_OPTION_BIT(op)) || used)
                continue;
            by_cli |= (run->cli & GX_OPTION_BIT(op)) != 0;
            by_file |= (run->given & ~run->cli & GX_OPTION_BIT(op)) != 0;
            for (int i = 0; i < run->npaths; i++) {
                int p = run->paths[i];
                const struct gx_path_ops *ops = gx_paths[p].ops;
                /* A path left out of this build is skipped with its own line, not this one. */
                if (!ops || (ops->flags & op->path_needs) == op->path_needs ||
                    p >= (int)sizeof seen || seen[p]++)
                    continue;
                gx_list_add(lacking, sizeof lacking, ", ", gx_paths[p].name);
                nlacking++;
            }
        }
        if (!nlacking)
            continue;
        for (int p = 0; p < gx_path_count; p++)
            if (gx_paths[p].ops && (gx_paths[p].ops->flags & op->path_needs) == op->path_needs)
                gx_list_add(able, sizeof able, ", ", gx_paths[p].name);
        /* What a path does that the option needs, in the note's words: "(it does not chunk)",
         * "no path of this build chunks". */
        int chunks = op->path_needs == GX_PATH_CHUNKED;
        const char *verb = chunks ? "chunk" : "use it", *verbs = chunks ? "chunks" : "uses it";
        char name[PATH_MAX + 64];
        if (by_file && by_cli)
            snprintf(name, sizeof name, "--%s (and %.200s's %s)", op->name, o->g.scenario,
                     op->name);
        else if (by_file)
            snprintf(name, sizeof name, "%.200s's %s", o->g.scenario, op->name);
        else
            snprintf(name, sizeof name, "--%s", op->name);
        gx_print_note(out, "gpuxfer: %s has no effect on path%s %s (%s not %s); %s%s\n", name,
                      nlacking == 1 ? "" : "s", lacking, nlacking == 1 ? "it does" : "they do",
                      verb, able[0] ? "it applies to " : "no path of this build ",
                      able[0] ? able : verbs);
    }
}

int gx_options_layout(const struct gx_job *job, const struct gx_options *opts,
                      struct gx_layout *layout, struct gx_err *err)
{
    if (opts->assume_per_node && !opts->assume_nodes)
        return gx_fail(err, GX_EINPUT, "--assume-gpus-per-node: only with --assume-nodes");
    if (!opts->assume_nodes)
        return gx_layout_make(job->size, job->node_of, layout, err);
    if (!opts->dry_run)
        return gx_fail(err, GX_EINPUT, "--assume-nodes: only with --dry-run (a real run "
                       "measures the job it has)");
    return gx_layout_assume((int)opts->assume_nodes,
                            opts->assume_per_node ? (int)opts->assume_per_node : 1, layout, err);
}
