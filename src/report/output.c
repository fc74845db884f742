#define _GNU_SOURCE 1 /* qsort_r */
#include "config.h"
#include "output.h"

#include "mem.h"
#include "mpilib.h"
#include "out_path.h"
#include "path.h"
#include "report.h"
#include "sizes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int said_has(const struct gx_said *said, const char *key)
{
    for (size_t i = 0; i < said->n; i++)
        if (strcmp(said->keys[i], key) == 0)
            return 1;
    return 0;
}

/* Open MPI gives its ranks a pty for stdout whether or not mpirun's own stdout is a terminal:
 * stdout is the user's terminal only when mpirun's, the parent's, is one. */
static int stdout_is_terminal(void)
{
    if (!isatty(STDOUT_FILENO))
        return 0;
    if (!getenv("OMPI_COMM_WORLD_SIZE"))
        return 1;
    char link[64], target[256];
    snprintf(link, sizeof link, "/proc/%ld/fd/1", (long)getppid());
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    return strncmp(target, "/dev/pts/", 9) == 0 || strncmp(target, "/dev/tty", 8) == 0;
}

FILE *gx_table_stream(const struct gx_global_opts *g)
{
    return g->format == GX_FORMAT_CSV ? stderr : stdout;
}

void gx_output_init(struct gx_output *out, const struct gx_job *job, const struct gx_options *o,
                    const struct gx_mplan *plan)
{
    *out = (struct gx_output){.active = job->rank == 0, .stream = gx_table_stream(&o->g),
                              .t0 = MPI_Wtime(), .budget_left = -1};
    gx_table_init(&out->table, out->active ? out->stream : NULL, o);
    enum gx_progress_to to = gx_progress_decide(o->g.quiet, isatty(STDERR_FILENO),
                                                out->stream == stdout && stdout_is_terminal());
    out->progress = out->active ? (to == GX_PROGRESS_STDOUT ? stdout : to ? stderr : NULL) : NULL;
    out->progress_tty = to == GX_PROGRESS_STDERR || to == GX_PROGRESS_STDOUT;
    /* A batch log of a long run shows that it is alive: from the start where --progress asks or
     * the plan is estimated past GX_PROGRESS_LONG_S, else once it has run that long. */
    out->log_from = out->t0;
    if (to == GX_PROGRESS_LOG && !o->g.progress &&
        gx_mplan_estimate(plan, o) <= GX_PROGRESS_LONG_S)
        out->log_from += GX_PROGRESS_LONG_S;
    out->last_draw = out->t0 - 3600; /* the first line at once */
    for (size_t i = 0; i < plan->nsteps; i++) /* a step once for each of its visits */
        out->total += gx_mplan_step_visits(plan, i);
}

enum gx_progress_to gx_progress_decide(int quiet, int stderr_tty, int stdout_tty)
{
    /* Under mpirun a terminal may reach the ranks as stdout only (stderr through a pipe). */
    if (quiet)
        return GX_PROGRESS_NONE;
    if (stderr_tty)
        return GX_PROGRESS_STDERR;
    if (stdout_tty)
        return GX_PROGRESS_STDOUT;
    return GX_PROGRESS_LOG;
}

static void clear_progress(struct gx_output *out)
{
    if (out->progress && out->progress_tty && out->drawn) {
        fputs("\r\033[K", out->progress);
        fflush(out->progress);
        out->drawn = 0;
    }
}

/* Over the last line (a terminal), or as a line of its own every GX_PROGRESS_LOG_S (a log). */
static void draw(struct gx_output *out, const char *text)
{
    double now = MPI_Wtime();
    if (!out->progress || now - out->last_draw < (out->progress_tty ? 0.2 : GX_PROGRESS_LOG_S) ||
        now < out->log_from)
        return;
    out->last_draw = now;
    if (out->progress_tty)
        fprintf(out->progress, "\r\033[K%s", text);
    else
        fprintf(out->progress, "gpuxfer: %s\n", text);
    fflush(out->progress);
    out->drawn = out->progress_tty;
}

static int needs_cuda_aware(const char *mem)
{
    int k = gx_mem_lookup(mem);
    return k >= 0 && gx_mem_has(k, GX_MEM_NEEDS_CUDA_AWARE);
}

static int hands_device_buffers_to_mpi(const struct gx_result *r)
{
    int p = gx_path_lookup(r->path);
    return p >= 0 && gx_paths[p].ops && (gx_paths[p].ops->flags & GX_PATH_MPI_BUFFERS) &&
           (needs_cuda_aware(r->src_mem) || needs_cuda_aware(r->dst_mem));
}

/* What carried the device buffers handed to MPI decides their figures. */
static void device_route_note(FILE *t)
{
    char version[MPI_MAX_LIBRARY_VERSION_STRING] = "", route[512];
    int len = 0;
    if (MPI_Get_library_version(version, &len) != MPI_SUCCESS ||
        gx_mpilib_device_route(version, route, sizeof route) < 0)
        return;
    fprintf(t, "\n# device buffers handed to MPI went by %s\n", route);
}

void gx_output_result(struct gx_output *out, const struct gx_result *r)
{
    if (!out->active)
        return;
    /* Later soak passes repeat the first: only failures show, as they come. */
    if (out->rotation > 1 && r->state != GX_STATE_FAILED && (!r->validated || r->valid))
        return;
    out->device_via_mpi |= r->state == GX_STATE_OK && hands_device_buffers_to_mpi(r);
    gx_table_add(&out->table, r);
    if (out->rotation > 1)
        gx_output_table(out);
}

void gx_output_table(struct gx_output *out)
{
    if (!out->active)
        return;
    clear_progress(out);
    gx_table_print(&out->table);
}

/* The reason none of a curve's points was measured, or NULL when one was. */
static const char *unmeasured(const struct gx_ceilings *c, const struct gx_ceil_curve *k)
{
    const char *why = k->absent != GX_SID_NONE ? gx_ceil_curve_absent(c, k) : NULL;
    for (int j = 0; j < k->n; j++) {
        if (k->pts[j].iters > 0)
            return NULL;
        if (!why && k->pts[j].absent != GX_SID_NONE)
            why = gx_ceil_point_absent(c, &k->pts[j]);
    }
    return why ? why : "no reason given";
}

static void curve_who(const struct gx_ceil_curve *k, char *buf, size_t len)
{
    if (k->b < 0)
        snprintf(buf, len, "rank %d", k->a);
    else
        snprintf(buf, len, "%d->%d", k->a, k->b);
}

/* A reason many curves share is said once, with the ceilings it leaves out. */
#define DISTINCT_REASONS 8
static void print_absent(const struct gx_output *out, const struct gx_ceilings *c, int i,
                         const char *told[], int *ntold)
{
    FILE *f = out->stream;
    const char *why = unmeasured(c, &c->curves[i]);
    for (int t = 0; t < *ntold; t++)
        if (strcmp(told[t], why) == 0)
            return;
    if (*ntold < DISTINCT_REASONS)
        told[(*ntold)++] = why;
    char which[512] = "";
    int listed = 0;
    for (int j = i; j < c->n && listed < 6; j++) {
        const struct gx_ceil_curve *k = &c->curves[j];
        const char *w = unmeasured(c, k);
        if (w && strcmp(w, why) == 0) {
            char who[32];
            curve_who(k, who, sizeof who);
            size_t used = strlen(which);
            snprintf(which + used, sizeof which - used, "%s%s %s", listed++ ? ", " : "",
                     gx_ceil_kind_name(k->kind), who);
        }
    }
    /* Wrapped as the other notes: a reason and six curves pass 100 columns. */
    gx_print_note(f, "#   absent: %s (%s%s)\n", said_has(&out->no_gpu, why) ? "no GPU on any "
                  "rank, as said above" : why, which, listed == 6 ? ", ..." : "");
}

static int curve_range(const struct gx_ceil_curve *k, double *lo, double *hi)
{
    int measured = 0;
    for (int j = 0; j < k->n; j++)
        if (k->pts[j].iters > 0) {
            double v = k->pts[j].best;
            *lo = measured && *lo < v ? *lo : v;
            *hi = measured && *hi > v ? *hi : v;
            measured++;
        }
    return measured;
}

struct group_sort {
    int (*cmp)(int x, int y, void *ctx);
    void *ctx;
};

static int group_cmp(const void *p, const void *q, void *arg)
{
    const struct group_sort *s = arg;
    int x = *(const int *)p, y = *(const int *)q, c = s->cmp(x, y, s->ctx);
    return c ? c : (x > y) - (x < y);
}

int gx_groups_make(struct gx_groups *g, const int *items, int m, int n,
                   int (*cmp)(int x, int y, void *ctx), void *ctx)
{
    size_t cells = n > 0 ? (size_t)n : 1;
    *g = (struct gx_groups){malloc(cells * sizeof *g->sorted), malloc(cells * sizeof *g->at),
                            malloc(cells * sizeof *g->size)};
    if (!g->sorted || !g->at || !g->size) {
        gx_groups_free(g);
        return -1;
    }
    for (int k = 0; k < m; k++)
        g->sorted[k] = items[k];
    struct group_sort s = {cmp, ctx};
    qsort_r(g->sorted, (size_t)m, sizeof *g->sorted, group_cmp, &s);
    for (int from = 0, to; from < m; from = to) {
        for (to = from + 1; to < m && cmp(g->sorted[from], g->sorted[to], ctx) == 0; to++)
            ;
        for (int k = from; k < to; k++) {
            g->at[g->sorted[k]] = from;
            g->size[g->sorted[k]] = to - from;
        }
    }
    return 0;
}

void gx_groups_free(struct gx_groups *g)
{
    free(g->sorted);
    free(g->at);
    free(g->size);
    *g = (struct gx_groups){0};
}

/* Curves of one layer: its kind, per rank or per pair, and what it measures. */
static int layer_cmp(int x, int y, void *ctx)
{
    const struct gx_ceilings *c = ctx;
    const struct gx_ceil_curve *p = &c->curves[x], *q = &c->curves[y];
    int d = p->kind != q->kind ? (p->kind > q->kind) - (p->kind < q->kind)
                               : (p->b < 0) - (q->b < 0);
    return d ? d : strcmp(gx_ceil_curve_what(c, p), gx_ceil_curve_what(c, q));
}

/* Up to this many curves of one layer get a line each; more get one line for the layer. */
#define CEILING_LINES_PER_LAYER 2

void gx_output_ceilings(struct gx_output *out, const struct gx_ceilings *c)
{
    FILE *f = out->stream;
    gx_output_table(out);
    gx_print_note(f, "\n# ceilings (%.1f s of probes): the best iteration of each layer below the "
            "paths, measured by the pairs (every size in the report's \"ceilings\")\n",
            c->seconds);
    const char *told[DISTINCT_REASONS];
    int ntold = 0;
    /* The measured curves by layer, so that a rails job's many curves group quickly. */
    int *items = malloc(((size_t)c->n + 1) * sizeof *items), m = 0;
    for (int i = 0; items && i < c->n; i++)
        if (!unmeasured(c, &c->curves[i]))
            items[m++] = i;
    struct gx_groups g = {0};
    int grouped = items && gx_groups_make(&g, items, m, c->n, layer_cmp, (void *)c) == 0;
    free(items);
    for (int i = 0; i < c->n; i++) {
        const struct gx_ceil_curve *k = &c->curves[i];
        if (unmeasured(c, k)) {
            print_absent(out, c, i, told, &ntold);
            continue;
        }
        /* Out of memory for the layers: a line each. */
        int layer_line = grouped && g.size[i] > CEILING_LINES_PER_LAYER;
        if (layer_line && g.sorted[g.at[i]] != i)
            continue;
        int curves = layer_line ? g.size[i] : 1, measured = 0, points = 0;
        double lo = 0, hi = 0;
        for (int j = 0; j < curves; j++) {
            const struct gx_ceil_curve *cj = layer_line ? &c->curves[g.sorted[g.at[i] + j]] : k;
            double l = 0, h = 0;
            int m = curve_range(cj, &l, &h);
            lo = measured && lo < l ? lo : l;
            hi = measured && hi > h ? hi : h;
            measured += m;
            points += (int)cj->n;
        }
        char who[32], l[24], h[24];
        if (layer_line)
            snprintf(who, sizeof who, "%d %s", curves, k->b < 0 ? "ranks" : "pairs");
        else
            curve_who(k, who, sizeof who);
        const char *unit = gx_ceil_kind_unit((enum gx_ceil_kind)k->kind);
        gx_format_in_unit(lo, unit, l, sizeof l);
        gx_format_in_unit(hi, unit, h, sizeof h);
        gx_print_note(f, "#   %-18s %-7s %d of %d %s, %s .. %s %s (%s)\n",
                      gx_ceil_kind_name((enum gx_ceil_kind)k->kind), who, measured, points,
                      layer_line ? "points" : "sizes", l, h, unit, gx_ceil_curve_what(c, k));
    }
    gx_groups_free(&g);
    fflush(f);
}

int gx_said_before(struct gx_said *said, const char *key)
{
    if (said_has(said, key))
        return 1;
    size_t len = strlen(key) + 1;
    char *copy = malloc(len);
    char **keys = copy ? gx_grow(said->keys, &said->cap, said->n, 16, sizeof *keys) : NULL;
    if (!keys) {
        free(copy);
        return 0;
    }
    said->keys = keys;
    said->keys[said->n++] = memcpy(copy, key, len);
    return 0;
}

void gx_said_free(struct gx_said *said)
{
    for (size_t i = 0; i < said->n; i++)
        free(said->keys[i]);
    free(said->keys);
    *said = (struct gx_said){0};
}

void gx_output_skip(struct gx_output *out, const char *what, const char *reason)
{
    if (!out->active || said_has(&out->no_gpu, reason))
        return;
    size_t len = strlen(what) + strlen(reason) + 2;
    char *key = malloc(len);
    if (key) {
        snprintf(key, len, "%s\n%s", what, reason);
        int said = gx_said_before(&out->skips, key);
        free(key);
        if (said)
            return;
    }
    clear_progress(out);
    gx_print_note(out->stream, "\n# path %s skipped: %s\n", what, reason);
    fflush(out->stream);
}

void gx_output_no_gpu(struct gx_output *out, struct gx_said *why)
{
    gx_said_free(&out->no_gpu);
    out->no_gpu = *why;
    *why = (struct gx_said){0};
    if (!out->active || out->no_gpu.n == 0)
        return;
    /* Asked of each kind, so that the line keeps up with the memory table. */
    int unusable[GX_MEM_COUNT], nkinds = 0;
    for (int k = 0; k < GX_MEM_COUNT; k++) {
        struct gx_err ignored = {0};
        if (gx_mem_usable(k, &ignored) != GX_OK)
            unusable[nkinds++] = k;
    }
    clear_progress(out);
    FILE *t = out->stream;
    char reasons[512] = "", kinds[256] = "";
    for (size_t i = 0; i < out->no_gpu.n && i < 3; i++)
        snprintf(reasons + strlen(reasons), sizeof reasons - strlen(reasons), "%s%s", i ? "; " : "",
                 out->no_gpu.keys[i]);
    for (int i = 0; i < nkinds; i++)
        snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s",
                 i == 0 ? ", and every path on " : i < nkinds - 1 ? ", " : " or ",
                 gx_mem_name(unusable[i]));
    gx_print_note(t, "\n# no GPU on any rank (%s%s): the paths that need one%s%s, are skipped\n",
                  reasons, out->no_gpu.n > 3 ? "; ..." : "", kinds, nkinds ? " memory" : "");
    fflush(t);
}

/* "[done/total] step  +-precision  elapsed  left (ends at)": the clock time stays true while a
 * long step draws nothing new. */
static void draw_step(struct gx_output *out)
{
    double now = MPI_Wtime(), elapsed = now - out->t0;
    double left = out->budget_left >= 0 ? out->budget_left
                  : out->done > 1 ? elapsed / (double)(out->done - 1) *
                                        (double)(out->total - out->done + 1)
                                  : 0;
    char text[320], prec[32] = "", at[16] = "", when[64];
    if (out->precision >= 10) /* a median near 0 against its spread: not yet a number */
        snprintf(prec, sizeof prec, "  +->999%%");
    else if (out->precision >= 0)
        snprintf(prec, sizeof prec, "  +-%.2g%%", 100 * out->precision);
    time_t end = time(NULL) + (time_t)(left + 0.5);
    struct tm tm;
    if (localtime_r(&end, &tm))
        strftime(at, sizeof at, "%H:%M:%S", &tm);
    if (out->budget_left == 0) /* spent: the steps left run their fewest iterations */
        snprintf(when, sizeof when, "budget spent");
    else
        snprintf(when, sizeof when, "%s ~%.0fs (%s)", out->budget_left > 0 ? "budget left" : "left",
                 left, at);
    snprintf(text, sizeof text, "[%ld/%ld] %s%s  elapsed %.0fs  %s", out->done, out->total,
             out->step, prec, elapsed, when);
    draw(out, text);
}

void gx_output_progress(struct gx_output *out, size_t size, const char *path, const char *pattern,
                        int visit, int visits, double budget_left)
{
    if (!out->active)
        return;
    out->done++;
    out->precision = -1;
    out->budget_left = budget_left;
    char of[32] = "";
    if (visit > 0)
        snprintf(of, sizeof of, " (visit %d of %d)", visit, visits);
    snprintf(out->step, sizeof out->step, "%s %s %zu B%s", path, pattern, size, of);
    draw_step(out);
}

void gx_output_precision(struct gx_output *out, double precision, double budget_left)
{
    if (!out->active)
        return;
    out->precision = precision;
    out->budget_left = budget_left;
    draw_step(out);
}

void gx_output_rotation(struct gx_output *out, long rotation)
{
    out->rotation = rotation;
    if (!out->active || rotation < 2)
        return;
    gx_output_table(out); /* the first pass's table, then this pass's failures as they come */
    fprintf(out->stream, "\n# soak: pass %ld starts (the previous one took %.0f s)\n", rotation,
            MPI_Wtime() - out->t0);
    fflush(out->stream);
    out->done = 0; /* the progress line counts this pass */
    out->t0 = MPI_Wtime();
}

int gx_stream_check(FILE *f, const char *what, struct gx_err *err)
{
    errno = 0;
    /* An earlier flush's failure has lost its errno: one more line finds it again. */
    if (fflush(f) == 0 && !ferror(f))
        return GX_OK;
    if (!errno) {
        clearerr(f);
        if (fputc('\n', f) != EOF && fflush(f) == 0)
            errno = 0;
    }
    return gx_fail(err, GX_ERUNTIME, "cannot write %s to %s: %s", what,
                   f == stdout ? gx_out_stdout_name() : "stderr",
                   errno ? strerror(errno) : "an earlier write failed");
}

void gx_output_done(struct gx_output *out)
{
    gx_output_table(out);
    if (out->active && out->progress && !out->progress_tty && MPI_Wtime() >= out->log_from)
        fprintf(out->progress, "gpuxfer: [%ld/%ld] measured in %.0fs\n", out->done, out->total,
                MPI_Wtime() - out->t0);
    if (out->active && out->device_via_mpi)
        device_route_note(out->stream);
    if (out->active)
        fflush(out->stream);
}

void gx_output_free(struct gx_output *out)
{
    gx_said_free(&out->skips);
    gx_said_free(&out->no_gpu);
    gx_table_free(&out->table);
}
