/* --dry-run: a line per step, the totals and every pair scheme on this layout. */
#include "config.h"
#include "mplan.h"
#include "mplan_impl.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "scheme.h"
#include "sizes.h"
#include "wrap.h"

#include <string.h>

/* Lines of measurements --dry-run lists before it only counts. */
#define GX_DRY_RUN_LINES 2000

/* Entry i of a round: a pair as a:b, a group as its first and last rank and its size. */
static void entry_text(const struct gx_round *round, int nranks, int i, char *buf, size_t len)
{
    const struct gx_pair *pr = &round->pairs[i];
    int members = 0;
    for (int r = pr->a; round->group_of && r <= pr->b && r < nranks; r++)
        members += round->group_of[r] == i;
    if (round->group_of)
        snprintf(buf, len, "%d..%d (%d rank%s)", pr->a, pr->b, members, members == 1 ? "" : "s");
    else
        snprintf(buf, len, "%d:%d", pr->a, pr->b);
}

/* The round's entries, or where they would be long the first and how many more. */
static void round_text(const struct gx_round *round, int nranks, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < round->npairs && used < len; i++) {
        char one[48];
        entry_text(round, nranks, i, one, sizeof one);
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "", one);
    }
    if (round->npairs > 1 && used > 7) {
        entry_text(round, nranks, 0, buf, len);
        used = strlen(buf);
        snprintf(buf + used, len - used, ",+%d", round->npairs - 1);
    }
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

/* As wide as this plan's widest, so that lines fit GX_TABLE_COLUMNS where names are short. */
struct step_widths {
    int path, mem, pattern, chunk;
    const char *chunk_head; /* "chunk/dep" where a step chunks, else "chunk" */
    int last_run; /* the run whose name was said last, -1 before the first */
};

static void group_names(const struct gx_mgroup *g, char *what, size_t wlen, char *mem,
                        size_t mlen)
{
    snprintf(what, wlen, "%s%s", g->probe >= 0 && !g->own ? "ceiling:" : "", gx_mgroup_name(g));
    snprintf(mem, mlen, "%s>%s", gx_mem_name(g->src_kind), gx_mem_name(g->dst_kind));
}

static struct step_widths step_widths(const struct gx_mplan *p)
{
    struct step_widths w = {4, 6, 7, 5, "chunk", -1}; /* "path", "memory", "pattern", "chunk" */
    for (size_t i = 0; i < p->ngroups; i++) {
        const struct gx_mgroup *g = &p->groups[i];
        char what[40], mem[40];
        group_names(g, what, sizeof what, mem, sizeof mem);
        w.path = (int)strlen(what) > w.path ? (int)strlen(what) : w.path;
        w.mem = (int)strlen(mem) > w.mem ? (int)strlen(mem) : w.mem;
        const struct gx_path_ops *ops = gx_mgroup_ops(g);
        int chunked = !g->absent && ops && (ops->flags & GX_PATH_CHUNKED);
        if (chunked)
            w.chunk_head = "chunk/dep";
        for (size_t k = g->first; !g->absent && k < g->first + g->n; k++) {
            char chunk[48];
            chunk_text(&p->steps[k], chunked, chunk, sizeof chunk);
            int pat = (int)strlen(gx_pattern_table[p->steps[k].pattern]->name);
            w.pattern = pat > w.pattern ? pat : w.pattern;
            w.chunk = (int)strlen(chunk) > w.chunk ? (int)strlen(chunk) : w.chunk;
        }
    }
    w.chunk = (int)strlen(w.chunk_head) > w.chunk ? (int)strlen(w.chunk_head) : w.chunk;
    return w;
}

/* A skip once per run, path or probe and reason, as the run says it. */
static int said_before(const struct gx_mplan *p, const struct gx_mgroup *g)
{
    for (const struct gx_mgroup *e = p->groups; e < g; e++)
        if (e->absent == g->absent && e->run == g->run && e->path == g->path &&
            e->probe == g->probe && e->src_kind == g->src_kind && e->dst_kind == g->dst_kind)
            return 1;
    return 0;
}

enum { WALK_PARTS = 48 };

struct plan_walk {
    long step, results, probes;
    double secs, probe_secs;
    int nparts;
    struct { char name[48]; double secs; } part[WALK_PARTS];
    double rest; /* the parts past WALK_PARTS */
};

/* Where the estimate goes: a path's steps of a pattern, the probes, the visits' buffers. */
static void walk_add(struct plan_walk *t, const char *name, double secs)
{
    int k = 0;
    while (k < t->nparts && strcmp(t->part[k].name, name) != 0)
        k++;
    if (k == WALK_PARTS) {
        t->rest += secs;
        return;
    }
    if (k == t->nparts)
        snprintf(t->part[t->nparts++].name, sizeof t->part[0].name, "%s", name);
    t->part[k].secs += secs;
}

/* With f NULL only counted. */
static void print_group(FILE *f, const struct gx_mplan *p, const struct gx_options *o,
                        const struct gx_mgroup *g, struct step_widths *w,
                        struct gx_budget *bg, struct plan_walk *t)
{
    const struct gx_path_ops *ops = gx_mgroup_ops(g);
    char what[40], mem[40];
    group_names(g, what, sizeof what, mem, sizeof mem);
    if (f && g->run != w->last_run && o->runs[g->run].name[0])
        fprintf(f, "# run %s\n", o->runs[g->run].name);
    w->last_run = g->run;
    const char *vary = g->vary ? p->vary->v[g->vary - 1].text : NULL;
    if (g->absent) {
        if (f && !said_before(p, g))
            gx_print_note(f, "%6s %-*s skipped%s%s: %s\n", "-", w->path, what,
                          vary ? " at " : "", vary ? vary : "", g->absent);
        return;
    }
    const struct gx_round *round = &p->pairs[g->run].rounds[g->round];
    char pairs[96];
    round_text(round, p->layout ? p->layout->nranks : 0, pairs, sizeof pairs);
    for (size_t i = g->first; i < g->first + g->n; i++) {
        const struct gx_mstep *s = &p->steps[i];
        char size[32], chunk[48];
        gx_format_size(s->size, size, sizeof size);
        chunk_text(s, (ops->flags & GX_PATH_CHUNKED) != 0, chunk, sizeof chunk);
        ++t->step;
        if (f)
            fprintf(f, "%6ld %-*s %-*s %-*s %5s %-*s %5ld %4ld %6ld %s%s%s\n", t->step, w->path,
                    what, w->mem, mem, w->pattern, gx_pattern_table[s->pattern]->name, size,
                    w->chunk, chunk, s->iters, s->warmup, s->window, pairs,
                    s->vary ? " vary " : "",
                    s->vary ? p->vary->v[s->vary - 1].text : "");
        double before = t->secs;
        gx_mplan_step_visits_planned(bg, p, i, &t->secs);
        char part[48] = "ceiling probes";
        if (g->probe < 0 || g->own)
            snprintf(part, sizeof part, "%s %s", ops->name, gx_pattern_table[s->pattern]->name);
        walk_add(t, part, t->secs - before);
    }
}

struct round_time {
    double settled, least;
    long steps;
};

static struct round_time round_time(const struct gx_mplan *p, int r)
{
    struct round_time t = {0};
    struct gx_budget none = {0}; /* no budget: each step where it settles */
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        if (gr->run != r || gr->absent || gr->round != 0)
            continue;
        t.settled += gx_mgroup_setup_all(p, gr);
        t.least += gx_mgroup_setup_all(p, gr);
        for (size_t i = gr->first; i < gr->first + gr->n; i++) {
            gx_mplan_step_visits_planned(&none, p, i, &t.settled);
            t.least += gx_mplan_step_least(p, i);
        }
        if (gr->probe < 0 || gr->own) /* a ceiling probe's steps are no results */
            t.steps += (long)gr->n;
    }
    return t;
}

/* A short run's estimate to a tenth: whole seconds would round 2.6 s to 3. */
static int secs_decimals(double secs)
{
    return secs < 10 ? 1 : 0;
}

static int plan_scheme(const struct gx_options *o, const char *name)
{
    for (int r = 0; r < o->nruns; r++)
        if (strcmp(o->runs[r].pairs, name) != 0)
            return 0;
    return o->nruns > 0;
}

/* Every scheme on this layout, so that one is chosen before the job is submitted. */
static void print_schemes(FILE *f, const struct gx_mplan *p, const struct gx_options *o,
                          double estimate)
{
    const struct gx_layout *l = p->layout;
    char per[16] = "uneven";
    if (l->per_node)
        snprintf(per, sizeof per, "%d", l->per_node);
    gx_print_note(f, "# schemes on %d node%s x %s ranks (%d ranks%s): measurements, rounds and "
            "estimated time with these runs' paths, patterns and sizes\n", l->nnodes,
            l->nnodes == 1 ? "" : "s", per, l->nranks, l->assumed ? ", assumed" : "");
    fprintf(f, "# %-15s %8s %7s %10s  %s\n", "scheme", "results", "rounds", "estimate s", "what");
    for (int i = 0; gx_schemes[i]; i++) {
        const struct gx_scheme *s = gx_schemes[i];
        if (!s->name)
            continue;
        long results = 0, rounds = 0;
        double settled = gx_mplan_overhead(p), least = gx_mplan_overhead(p);
        struct gx_err why = {0};
        int ok = 1;
        for (int r = 0; r < o->nruns && ok; r++) {
            struct gx_pairs ps;
            if (gx_pairs_resolve(s->name, l, &ps, &why) != GX_OK) {
                ok = 0;
                break;
            }
            struct round_time t = round_time(p, r);
            for (int k = 0; k < ps.nrounds; k++)
                results += (long)ps.rounds[k].npairs * t.steps;
            rounds += ps.nrounds;
            settled += t.settled * ps.nrounds;
            least += t.least * ps.nrounds;
            gx_pairs_free(&ps);
        }
        double secs = settled;
        if (o->g.budget > 0 && secs > (double)o->g.budget)
            secs = least > (double)o->g.budget ? least : (double)o->g.budget;
        if (ok && plan_scheme(o, s->name))
            secs = estimate;
        if (ok)
            gx_print_note(f, "# %-15s %8ld %7ld %10.*f  %s\n", s->name, results, rounds,
                          secs_decimals(secs), secs, s->what);
        else
            gx_print_note(f, "# %-15s %8s %7s %10s  not here: %s\n", s->name, "-", "-", "-",
                          why.msg);
    }
}

void gx_pairs_implied_note(FILE *f, const struct gx_options *o)
{
    if (o->pairs_implied)
        fprintf(f, "# --pairs job: collectives without --pairs measure every rank of the job in "
                "one group\n");
}

/* Every group in order, its visits within the budget's shares as the run gives them; with f,
 * the first GX_DRY_RUN_LINES steps printed. */
static struct plan_walk walk(FILE *f, const struct gx_mplan *p, const struct gx_options *o)
{
    struct plan_walk t = {0};
    struct step_widths w = step_widths(p);
    struct gx_budget bg;
    gx_budget_start(&bg, p, (double)o->g.budget, 0);
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        /* Thousands of rounds print their first lines; the totals count them all. */
        FILE *to = f && t.step < GX_DRY_RUN_LINES ? f : NULL;
        long before = t.step;
        double secs_before = t.secs;
        print_group(to, p, o, gr, &w, &bg, &t);
        double setup = gx_mgroup_setup_all(p, gr);
        t.secs += setup;
        /* A probe's buffers are the probes' time, as the count of measurements says it. */
        walk_add(&t, gr->probe >= 0 && !gr->own ? "ceiling probes" : "the visits' buffers", setup);
        gx_budget_setup_spent(&bg, setup);
        if (gr->probe >= 0 && !gr->own) {
            t.probes += t.step - before;
            t.probe_secs += t.secs - secs_before;
        } else if (!gr->absent)
            t.results += (long)gr->n * p->pairs[gr->run].rounds[gr->round].npairs;
    }
    return t;
}

double gx_mplan_estimate(const struct gx_mplan *p, const struct gx_options *o)
{
    return walk(NULL, p, o).secs + gx_mplan_overhead(p);
}

double gx_mplan_budget_estimate(const struct gx_mplan *p, const struct gx_options *o)
{
    return walk(NULL, p, o).secs + GX_JOB_OVERHEAD_S;
}

/* A user trimming a scenario asks which path costs the time. */
static void print_parts(FILE *f, const struct plan_walk *t, double overhead)
{
    if (t->nparts < 2)
        return;
    char line[WALK_PARTS * 64];
    size_t n = 0;
    for (int k = 0; k < t->nparts && n < sizeof line; k++)
        n += (size_t)snprintf(line + n, sizeof line - n, "%s %.*f s, ", t->part[k].name,
                              secs_decimals(t->part[k].secs), t->part[k].secs);
    if (t->rest > 0 && n < sizeof line)
        n += (size_t)snprintf(line + n, sizeof line - n, "the rest %.*f s, ",
                              secs_decimals(t->rest), t->rest);
    if (n < sizeof line)
        snprintf(line + n, sizeof line - n, "the job's start and end %.*f s",
                 secs_decimals(overhead), overhead);
    gx_print_note(f, "#   where the estimate goes: %s\n", line);
}

/* A visit's buffers, at the pace the dry run measured of each kind. */
static void print_setup_pace(FILE *f, const struct gx_mplan *p)
{
    char line[512];
    size_t n = 0;
    for (int k = 0; k < GX_MEM_COUNT && n < sizeof line; k++)
        if (p->setup_gbps[k] > 0)
            n += (size_t)snprintf(line + n, sizeof line - n, "%s%s %.3g GB/s", n ? ", " : "",
                                  gx_mem_name(k), p->setup_gbps[k]);
    int own = 0;
    for (size_t g = 0; g < p->ngroups; g++)
        own |= p->groups[g].own_setup_s > 0;
    if (n)
        gx_print_note(f, "#   a visit's buffers (two of its largest size; of pageable memory "
                      "those a rank writes%s), allocated and first written at the pace measured "
                      "in the dry run: %s\n", own ? "; a probe's own pinned staging" : "", line);
}

void gx_mplan_print(FILE *f, const struct gx_mplan *p, const struct gx_options *o)
{
    gx_pairs_implied_note(f, o);
    fprintf(f, "# dry run: the measurements this job would make, in order (one result per pair "
            "or group of the\n#   round; a group: its first and last rank, and its size)\n");
    if (p->vary) {
        char values[GX_MAX_VARY * (GX_ITEM_MAX + 2)] = "";
        for (int k = 0; k < p->vary->n; k++)
            gx_list_add(values, sizeof values, ", ", p->vary->v[k].text);
        gx_print_note(f, "# --vary %s: %s, each value's steps (vary VALUE) beside the others' in "
                      "every visit, %d visits at least\n", gx_vary_names[p->vary->option],
                      values, GX_VARY_MIN_VISITS);
    }
    struct step_widths w = step_widths(p);
    fprintf(f, "# %4s %-*s %-*s %-*s %5s %-*s %5s %4s %6s %s\n", "step", w.path, "path", w.mem,
            "memory", w.pattern, "pattern", "size", w.chunk, w.chunk_head, "iters", "warm",
            "window", "pairs");
    struct plan_walk t = walk(f, p, o);
    long step = t.step, results = t.results, probes = t.probes;
    double secs = t.secs, probe_secs = t.probe_secs;
    if (step > GX_DRY_RUN_LINES)
        fprintf(f, "# ... %ld more measurements not listed\n", step - GX_DRY_RUN_LINES);
    char skipped[64] = "";
    if (p->skipped_steps)
        snprintf(skipped, sizeof skipped, "; %ld more skipped, as said above", p->skipped_steps);
    long visits = 0; /* the progress line's count */
    for (size_t i = 0; i < p->nsteps; i++)
        visits += gx_mplan_step_visits(p, i);
    gx_print_note(f, "# %ld measurements (%ld results; %ld ceiling probes, %.*f s of the "
                  "estimate%s), in %ld rounds and %ld visits (the progress line counts these); "
                  "estimate %.*f s, "
                  "at each path's and probe's nominal rate and steps that settle where iterations "
                  "vary by %.3g%% up to 64 KiB, %.3g%% up to 1 MiB and %.3g%% above (a guess: the "
                  "machine decides)%s%s\n", step, results, probes,
                  secs_decimals(probe_secs), probe_secs, skipped,
                  total_rounds(p), visits, secs_decimals(secs + gx_mplan_overhead(p)),
                  secs + gx_mplan_overhead(p),
                  100 * gx_dry_run_cv(64 * GX_KIB), 100 * gx_dry_run_cv(GX_MIB),
                  100 * gx_dry_run_cv(GX_MIB + 1),
                  p->host_paced ? "; host memory's at its pace measured just now" : "",
                  p->pilot_steps ? "; the GPU steps' and collectives' at a pilot's" : "");
    print_parts(f, &t, gx_mplan_overhead(p));
    const struct gx_measured_pace *m = &p->host_pace;
    if (p->host_paced)
        gx_print_note(f, "#   host memory's pace, measured between ranks 0 and 1 in the dry run: "
                      "MPI %.3g us one way, %.3g GB/s at %zu MiB and %.3g GB/s at %zu MiB (%.3g "
                      "and %.3g each way at %zu and %zu MiB both ways at once), a copy %.3g GB/s "
                      "at %zu MiB and %.3g GB/s at %zu MiB (the ceiling probes'), a data check's "
                      "pattern written at %.3g GB/s and compared at %.3g GB/s (a reduction's at "
                      "%.3g and %.3g), iterations varying by %.3g%% up to 64 KiB, above it by "
                      "%.3g%% in iterations of %.2g ms and %.3g%% of %.2g ms\n",
                      m->us, m->gbps_near, m->bytes_near / GX_MIB, m->gbps_far,
                      m->bytes_far / GX_MIB, m->gbps_both_near, m->gbps_both,
                      m->bytes_near / GX_MIB, m->bytes_both / GX_MIB,
                      m->copy_gbps_near, m->bytes_near / GX_MIB, m->copy_gbps,
                      m->bytes_far / (2 * GX_MIB), m->fill_gbps, m->check_gbps,
                      m->sum_fill_gbps, m->sum_check_gbps, 100 * m->cv_small,
                      100 * m->cv_near, 1e3 * m->near_s, 100 * m->cv_far, 1e3 * m->far_s);
    if (p->pilot_steps)
        gx_print_note(f, "#   %ld steps (GPU, collectives) at the pace of a pilot the dry run "
                      "measured (%.1f s): each run's smallest size and its largest up to %u MiB "
                      "(else, from a smaller smallest, its next up to %u MiB; a collective's also "
                      "its largest up to %u MiB), %d iterations each, on the GPUs the run would "
                      "choose; a message between two on the line through them, beyond the largest "
                      "along the last two's\n",
                      p->pilot_steps, p->pilot_s, GX_PILOT_MOST >> 20, GX_PILOT_LARGE >> 20,
                      GX_PILOT_LARGE >> 20, GX_PILOT_ITERS);
    print_setup_pace(f, p);
    if (results == 0 && p->skipped_steps && !o->g.allow_skip)
        fprintf(f, "# every result is skipped: the run would measure nothing and exit %d "
                "(--allow-skip makes that exit 0)\n", GX_CODE_ENOTHING);
    if (p->nvisits > p->long_visits && !p->visits_asked)
        gx_print_note(f, "# each result measured in %d visits spread over the run (--visits), "
                      "sharing the column's iterations; one of messages of %.0f us or longer "
                      "in %d; a ceiling probe in %d, before its results; the node map's cells and "
                      "steps of exactly --iters once\n",
                      p->nvisits, GX_SHORT_MESSAGE_S * 1e6, p->long_visits,
                      GX_PROBE_VISITS);
    else if (p->nvisits > 1)
        gx_print_note(f, "# each result measured in %d visits spread over the run (--visits), "
                      "sharing the column's iterations; a ceiling probe in %d, before its results "
                      "in each visit; the node map's cells and steps of exactly --iters once\n",
                      p->nvisits, p->nvisits < GX_PROBE_VISITS ? p->nvisits : GX_PROBE_VISITS);
    /* The budget's clock starts after CUDA's start. */
    double est = secs + GX_JOB_OVERHEAD_S;
    if (o->g.budget > 0 && est <= (double)o->g.budget)
        fprintf(f, "# the estimate is within the budget of %ld s\n", o->g.budget);
    else if (o->g.budget > 0 && est <= (double)o->g.budget * GX_BUDGET_SLACK)
        /* An estimate printed above the budget says which rule took it as within. */
        fprintf(f, "# the estimate is within the budget of %ld s and the %.0f%% it may run over\n",
                o->g.budget, 100 * (GX_BUDGET_SLACK - 1));
    else if (o->g.budget > 0)
        fprintf(f, "# the estimate is over the budget of %ld s%s\n", o->g.budget,
                gx_budget_least(p) > (double)o->g.budget * GX_BUDGET_SLACK
                    ? ": the steps' least take longer"
                    : "");
    gx_mplan_print_exact(f, p, o);
    gx_budget_print(f, p, o);
    print_schemes(f, p, o, secs + gx_mplan_overhead(p));
}
