#include "config.h"
#include "mplan.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "scheme.h"
#include "sizes.h"

#include <stdlib.h>
#include <string.h>

long gx_default_iters(size_t bytes)
{
    static const long by_class[GX_CLASS_COUNT] = {1000, 500, 200, 50, 20, 10};
    return by_class[gx_size_class(bytes)];
}

long gx_default_warmup(long iters)
{
    return iters / 10 > 2 ? iters / 10 : 2;
}

long gx_default_window(size_t bytes)
{
    /* At least 256 MiB in flight per iteration up to 64 messages: the per-iteration handshake
     * then costs under 1% of a large message's time, as the calibration's repeats do. */
    size_t w = 256 * GX_MIB / bytes;
    return w > 64 ? 64 : w < 1 ? 1 : (long)w;
}

long gx_default_window_at(size_t bytes, double gbps)
{
    /* Every iteration also pays fixed costs: the acknowledgement, a stream synchronization, a
     * library's own start (NCCL's is tens of us at 1 GiB). On H200 (issue 15) nccl bw at 256 MiB
     * read 344 GB/s with a window of 1 and 361 with 4; mpi bw at 1 MiB 176 with 64 messages and
     * 184 with 256. An iteration that lasts GX_WINDOW_SECONDS at the path's typical rate keeps
     * those costs near 1%, on a slower machine all the more. */
    long w = gx_default_window(bytes);
    double by_time = GX_WINDOW_SECONDS * gbps * 1e9 / (double)(bytes ? bytes : 1);
    if (by_time > (double)w)
        w = by_time >= GX_WINDOW_MAX ? GX_WINDOW_MAX : (long)by_time + 1;
    return w;
}

long gx_mstep_quick_iters(long iters)
{
    return iters / 5 > 3 ? iters / 5 : 3; /* enough to rank the candidates */
}

long gx_mstep_search_iters(const struct gx_mstep *s)
{
    /* Each candidate: its quick iterations, one warm-up, one validation pass (both ways). */
    return s->ncand > 1 ? s->ncand * (gx_mstep_quick_iters(s->iters) + 3) : 0;
}

static long pick(long given, long dflt)
{
    return given > 0 ? given : dflt;
}

static int add_step(struct gx_mplan *p, const struct gx_mstep *s, struct gx_err *err)
{
    struct gx_mstep *grown = gx_grow(p->steps, &p->scap, p->nsteps, 64, sizeof *grown);
    if (!grown)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the measurement plan");
    p->steps = grown;
    p->steps[p->nsteps++] = *s;
    return GX_OK;
}

/* The chunk x depth axes of one size, as the run's chunk mode says. */
static int add_chunked(struct gx_mplan *p, const struct gx_run_opts *run,
                       const struct gx_path_ops *ops, struct gx_mstep *s, struct gx_err *err)
{
    if (run->chunk_mode == GX_CHUNK_GIVEN) {
        static const size_t one_mib = GX_MIB;
        static const int two = 2;
        const size_t *chunks = run->nchunks ? run->chunks : &one_mib;
        const int *depths = run->ndepths ? run->depths : &two;
        for (int ci = 0; ci < (run->nchunks ? run->nchunks : 1); ci++)
            for (int di = 0; di < (run->ndepths ? run->ndepths : 1); di++) {
                s->chunk = chunks[ci];
                s->depth = depths[di];
                GX_TRY(add_step(p, s, err));
            }
        return GX_OK;
    }
    const struct gx_chunk_policy *pol =
        run->chunk_mode == GX_CHUNK_AUTO ? &gx_chunk_policy_auto : ops->chunk_policy;
    s->ncand = gx_chunk_candidates(pol, s->size, s->window, run->depths, run->ndepths,
                                   s->cand_chunk, s->cand_depth, GX_AUTO_MAX_CANDIDATES);
    s->chunk = s->cand_chunk[s->ncand - 1];
    s->depth = s->cand_depth[s->ncand - 1];
    return add_step(p, s, err);
}

/* Every pattern x size (x chunk x depth) of one group. */
static int add_steps(struct gx_mplan *p, const struct gx_run_opts *run,
                     const struct gx_path_ops *ops, struct gx_mgroup *g, struct gx_err *err)
{
    g->first = p->nsteps;
    for (int pi = 0; pi < run->npatterns; pi++)
        for (size_t si = 0; si < run->sizes.n; si++) {
            struct gx_mstep s = {.pattern = run->patterns[pi], .size = run->sizes.v[si]};
            s.iters = pick(run->iters, gx_default_iters(s.size));
            s.warmup = run->warmup >= 0 ? run->warmup : gx_default_warmup(s.iters);
            s.window = gx_pattern_table[s.pattern]->uses_window
                           ? pick(run->window, gx_default_window_at(s.size, ops->nominal_gbps))
                           : 1;
            g->largest = s.size > g->largest ? s.size : g->largest;
            if (ops->flags & GX_PATH_CHUNKED)
                GX_TRY(add_chunked(p, run, ops, &s, err));
            else
                GX_TRY(add_step(p, &s, err));
        }
    g->n = p->nsteps - g->first;
    return GX_OK;
}

static int add_group(struct gx_mplan *p, const struct gx_mgroup *g, struct gx_err *err)
{
    struct gx_mgroup *grown = gx_grow(p->groups, &p->gcap, p->ngroups, 16, sizeof *grown);
    if (!grown)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the measurement plan");
    p->groups = grown;
    p->groups[p->ngroups++] = *g;
    return GX_OK;
}

static int plan_run(struct gx_mplan *p, const struct gx_options *o, int r, struct gx_err *err)
{
    const struct gx_run_opts *run = &o->runs[r];
    for (int pi = 0; pi < run->npaths; pi++) {
        const struct gx_path_entry *pe = &gx_paths[run->paths[pi]];
        struct gx_mgroup g = {.run = r, .path = run->paths[pi], .round = -1};
        if (!pe->ops) { /* listed once, as skipped */
            g.absent = pe->absent_why;
            GX_TRY(add_group(p, &g, err));
            continue;
        }
        g.src_kind = run->mem_src != GX_MEM_DEFAULT ? run->mem_src : pe->ops->default_src;
        g.dst_kind = run->mem_dst != GX_MEM_DEFAULT ? run->mem_dst : pe->ops->default_dst;
        for (g.round = 0; g.round < p->pairs[r].nrounds; g.round++) {
            GX_TRY(add_steps(p, run, pe->ops, &g, err));
            GX_TRY(add_group(p, &g, err));
        }
    }
    return GX_OK;
}

int gx_mplan_make(const struct gx_options *o, const struct gx_layout *layout,
                  struct gx_mplan *p, struct gx_err *err)
{
    memset(p, 0, sizeof *p);
    p->layout = layout;
    int rc = GX_OK;
    for (int r = 0; r < o->nruns && rc == GX_OK; r++) {
        rc = gx_pairs_resolve(o->runs[r].pairs, layout, &p->pairs[r], err);
        if (rc == GX_OK)
            p->nruns = r + 1;
    }
    for (int r = 0; r < o->nruns && rc == GX_OK; r++)
        rc = plan_run(p, o, r, err);
    if (rc != GX_OK)
        gx_mplan_free(p);
    return rc;
}

unsigned gx_mplan_views(const struct gx_mplan *p)
{
    unsigned v = 0;
    for (int r = 0; r < p->nruns; r++)
        v |= p->pairs[r].scheme ? p->pairs[r].scheme->views : 0;
    return v;
}

void gx_mplan_free(struct gx_mplan *p)
{
    for (int r = 0; r < p->nruns; r++)
        gx_pairs_free(&p->pairs[r]);
    free(p->groups);
    free(p->steps);
    memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------------ --dry-run */

/* Lines of measurements --dry-run lists before it only counts. */
#define GX_DRY_RUN_LINES 2000

/* Seconds one step takes at the path's nominal rate: a guess, not a measurement. */
static double step_seconds(const struct gx_path_ops *ops, const struct gx_mstep *s)
{
    double gbps = ops->nominal_gbps > 0 ? ops->nominal_gbps : 10;
    double us = ops->nominal_us > 0 ? ops->nominal_us : 10;
    double msg = us * 1e-6 + (double)s->size / (gbps * 1e9);
    double trips = gx_pattern_table[s->pattern]->family == GX_FAMILY_LATENCY ? 2 : 1;
    double iters = (double)(s->iters + s->warmup + 2 + gx_mstep_search_iters(s));
    return iters * (double)s->window * trips * msg;
}

static void chunk_text(const struct gx_mstep *s, int chunked, char *buf, size_t len)
{
    char c[24];
    if (!chunked)
        snprintf(buf, len, "-");
    else if (s->ncand > 1)
        snprintf(buf, len, "best of %d", s->ncand);
    else {
        gx_format_size(s->chunk, c, sizeof c);
        snprintf(buf, len, "%s/%d", c, s->depth);
    }
}

static long total_rounds(const struct gx_mplan *p)
{
    long n = 0;
    for (int r = 0; r < p->nruns; r++)
        n += p->pairs[r].nrounds;
    return n;
}

/* The group's lines (none with f NULL: only counted). */
static void print_group(FILE *f, const struct gx_mplan *p, const struct gx_options *o,
                        const struct gx_mgroup *g, long *step, double *secs)
{
    const struct gx_run_opts *run = &o->runs[g->run];
    const struct gx_path_entry *pe = &gx_paths[g->path];
    const char *name = run->name[0] ? run->name : "-";
    if (g->absent) {
        if (f)
            fprintf(f, "%6s %-12s %-16s skipped: %s\n", "-", name, pe->name, g->absent);
        return;
    }
    const struct gx_round *round = &p->pairs[g->run].rounds[g->round];
    char pairs[64] = "", mem[40];
    for (int i = 0; i < round->npairs && strlen(pairs) + 12 < sizeof pairs; i++)
        snprintf(pairs + strlen(pairs), sizeof pairs - strlen(pairs), "%s%d:%d", i ? "," : "",
                 round->pairs[i].a, round->pairs[i].b);
    snprintf(mem, sizeof mem, "%s>%s", gx_mem_name(g->src_kind), gx_mem_name(g->dst_kind));
    for (size_t i = g->first; i < g->first + g->n; i++) {
        const struct gx_mstep *s = &p->steps[i];
        char size[32], chunk[48];
        gx_format_size(s->size, size, sizeof size);
        chunk_text(s, (pe->ops->flags & GX_PATH_CHUNKED) != 0, chunk, sizeof chunk);
        ++*step;
        if (f)
            fprintf(f, "%6ld %-12s %-16s %-18s %-8s %8s %-11s %6ld %6ld %6ld %s\n", *step, name,
                    pe->name, mem, gx_pattern_table[s->pattern]->name, size, chunk, s->iters,
                    s->warmup, s->window, pairs);
        *secs += step_seconds(pe->ops, s);
    }
}

/* Seconds and steps of one round of run r: every path's steps once. */
static double round_seconds(const struct gx_mplan *p, int r, long *steps)
{
    double secs = 0;
    *steps = 0;
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        if (gr->run != r || gr->absent || gr->round != 0)
            continue;
        for (size_t i = gr->first; i < gr->first + gr->n; i++)
            secs += step_seconds(gx_paths[gr->path].ops, &p->steps[i]);
        *steps += (long)gr->n;
    }
    return secs;
}

/* Every scheme of the table on this layout, with the runs' steps: to choose one before the job
 * is submitted. */
static void print_schemes(FILE *f, const struct gx_mplan *p, const struct gx_options *o)
{
    const struct gx_layout *l = p->layout;
    char per[16] = "uneven";
    if (l->per_node)
        snprintf(per, sizeof per, "%d", l->per_node);
    fprintf(f, "# schemes on %d node%s x %s ranks (%d ranks%s): measurements, rounds and "
            "estimated time with these runs' paths, patterns and sizes\n", l->nnodes,
            l->nnodes == 1 ? "" : "s", per, l->nranks, l->assumed ? ", assumed" : "");
    fprintf(f, "# %-15s %12s %9s %12s  %s\n", "scheme", "results", "rounds", "estimate s",
            "what");
    for (int i = 0; gx_schemes[i]; i++) {
        const struct gx_scheme *s = gx_schemes[i];
        if (!s->name)
            continue;
        long results = 0, rounds = 0;
        double secs = 0;
        struct gx_err why = {0};
        int ok = 1;
        for (int r = 0; r < o->nruns && ok; r++) {
            struct gx_pairs ps;
            if (gx_pairs_resolve(s->name, l, &ps, &why) != GX_OK) {
                ok = 0;
                break;
            }
            long steps;
            double per_round = round_seconds(p, r, &steps);
            for (int k = 0; k < ps.nrounds; k++)
                results += (long)ps.rounds[k].npairs * steps;
            rounds += ps.nrounds;
            secs += per_round * ps.nrounds;
            gx_pairs_free(&ps);
        }
        if (ok)
            fprintf(f, "# %-15s %12ld %9ld %12.0f  %s\n", s->name, results, rounds, secs, s->what);
        else
            fprintf(f, "# %-15s %12s %9s %12s  not here: %s\n", s->name, "-", "-", "-", why.msg);
    }
}

void gx_mplan_print(FILE *f, const struct gx_mplan *p, const struct gx_options *o)
{
    long step = 0;
    double secs = 0;
    fprintf(f, "# dry run: the measurements this job would make, in order (one result per pair "
            "of the round)\n");
    fprintf(f, "# %4s %-12s %-16s %-18s %-8s %8s %-11s %6s %6s %6s %s\n", "step", "run", "path",
            "memory", "pattern", "size", "chunk/depth", "iters", "warmup", "window", "pairs");
    long results = 0;
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        /* A plan of thousands of rounds prints its first lines; the totals count them all. */
        FILE *to = step < GX_DRY_RUN_LINES ? f : NULL;
        print_group(to, p, o, gr, &step, &secs);
        if (!gr->absent)
            results += (long)gr->n * p->pairs[gr->run].rounds[gr->round].npairs;
    }
    if (step > GX_DRY_RUN_LINES)
        fprintf(f, "# ... %ld more measurements not listed\n", step - GX_DRY_RUN_LINES);
    fprintf(f, "# %ld measurements (%ld results), in %ld rounds; estimate %.0f s without "
            "calibration, at each path's nominal rate (a guess: the machine decides)\n", step,
            results, total_rounds(p), secs);
    print_schemes(f, p, o);
}
