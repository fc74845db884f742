#include "config.h"
#include "csv.h"

#include "json_repair.h"
#include "report.h"
#include "sizes.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum col {
    RUN, PATH, SRC_MEM, DST_MEM, PATTERN, INITIATOR, PEER, SAME_NODE, SIZE, SIZE_CLASS, CHUNK,
    DEPTH, CHUNK_CHOICE, ITERATIONS, WARMUP, WINDOW, UNIT, STATUS, REASON, MEDIAN, MIN, MAX,
    MEAN, P5, P95, CV, CEILING, EFFICIENCY, CEILING_EXCEEDED, VALIDATION, NOISE, CEILING_UNSOUND,
    CEILING_WITHIN, LINE_GBS, LINE_SHARE, LINE_EXCEEDED,
    NCOLS
};

const char *const gx_csv_columns[NCOLS + 1] = {
    "run", "path", "src_mem", "dst_mem", "pattern", "initiator", "peer", "same_node", "size",
    "size_class", "chunk", "depth", "chunk_choice", "iterations", "warmup", "window", "unit",
    "status", "reason", "median", "min", "max", "mean", "p5", "p95", "cv", "ceiling",
    "efficiency", "ceiling_exceeded", "validation", "noise", "ceiling_unsound", "ceiling_within",
    "line_gbs", "line_share", "line_exceeded", NULL,
};

/* One line's fields: strings, or numbers printed into num; NULL is an empty field. */
struct row {
    const char *f[NCOLS];
    char num[NCOLS][32];
};

/* The report's digits for v (cJSON's: %.15g, or %.17g where those read back further than
 * an epsilon from v); a value that is not finite is an empty field. */
static void set_num(struct row *w, enum col c, double v)
{
    if (!isfinite(v))
        return;
    snprintf(w->num[c], sizeof w->num[c], "%.15g", v);
    /* cJSON's own test for the report's digits: 15 unless they read back further than one
     * epsilon away. */
    double back = strtod(w->num[c], NULL), big = fabs(back) > fabs(v) ? fabs(back) : fabs(v);
    if (fabs(back - v) > big * DBL_EPSILON)
        snprintf(w->num[c], sizeof w->num[c], "%.17g", v);
    w->f[c] = w->num[c];
}

static void set_int(struct row *w, enum col c, long long v)
{
    snprintf(w->num[c], sizeof w->num[c], "%lld", v);
    w->f[c] = w->num[c];
}

/* One field, repaired to UTF-8 and quoted where it must be; -1 with errno set on failure. */
static int put_field(FILE *m, const char *s)
{
    int oom = 0;
    char *fixed = gx_utf8_repaired(s, &oom);
    if (oom) {
        errno = ENOMEM;
        return -1;
    }
    const char *v = fixed ? fixed : s;
    int quote = strpbrk(v, ",\"\r\n") != NULL;
    int bad = quote && fputc('"', m) == EOF;
    for (const char *p = v; !bad && *p; p++)
        bad = (*p == '"' && quote && fputc('"', m) == EOF) || fputc(*p, m) == EOF;
    bad = bad || (quote && fputc('"', m) == EOF);
    free(fixed);
    return bad ? -1 : 0;
}

/* The whole line is made in memory, then written and flushed in one piece. */
static void write_row(struct gx_csv *c, const char *const f[NCOLS])
{
    if (!c->f || c->werr)
        return;
    char *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    int bad = !m;
    for (int i = 0; !bad && i < NCOLS; i++)
        bad = (i > 0 && fputc(',', m) == EOF) || put_field(m, f[i] ? f[i] : "") != 0;
    bad = bad || fputc('\n', m) == EOF;
    int e = errno;
    if (m && fclose(m) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad)
        c->werr = e ? e : ENOMEM;
    else if (fwrite(line, 1, len, c->f) != len || fflush(c->f) != 0)
        c->werr = errno ? errno : EIO;
    free(line);
}

void gx_csv_init(struct gx_csv *c, FILE *f)
{
    c->f = f;
    c->werr = 0;
    write_row(c, gx_csv_columns);
}

static void result_row(struct row *w, const struct gx_result *r)
{
    w->f[RUN] = r->run_name;
    w->f[PATH] = r->path;
    w->f[SRC_MEM] = r->src_mem;
    w->f[DST_MEM] = r->dst_mem;
    w->f[PATTERN] = r->pattern;
    set_int(w, INITIATOR, r->a);
    set_int(w, PEER, r->b);
    w->f[SAME_NODE] = r->same_node ? "true" : "false";
    set_int(w, SIZE, (long long)r->size);
    w->f[SIZE_CLASS] = gx_size_class_name(gx_size_class(r->size));
    if (r->chunk) {
        set_int(w, CHUNK, (long long)r->chunk);
        set_int(w, DEPTH, r->depth);
        w->f[CHUNK_CHOICE] = gx_chunk_choice_name(r->chunk_choice);
    }
    set_int(w, ITERATIONS, r->iters);
    set_int(w, WARMUP, r->warmup);
    set_int(w, WINDOW, r->window);
    w->f[UNIT] = r->unit;
    w->f[STATUS] = gx_state_name(r->state);
    w->f[REASON] = r->reason;
    if (r->state == GX_STATE_OK) {
        const struct gx_stats *s = &r->stats;
        set_num(w, MEDIAN, s->median);
        set_num(w, MIN, s->min);
        set_num(w, MAX, s->max);
        set_num(w, MEAN, s->mean);
        set_num(w, P5, s->p5);
        set_num(w, P95, s->p95);
        set_num(w, CV, s->cv);
    }
    if (r->state == GX_STATE_OK && r->ceiling > 0) {
        set_num(w, CEILING, r->ceiling);
        set_num(w, EFFICIENCY, r->efficiency);
        w->f[CEILING_EXCEEDED] = r->ceiling_exceeded ? "true" : "false";
        w->f[CEILING_WITHIN] = r->ceiling_within ? "true" : "false";
    }
    if (r->state == GX_STATE_OK && r->line_gbs > 0) {
        set_num(w, LINE_GBS, r->line_gbs);
        set_num(w, LINE_SHARE, r->line_share);
        w->f[LINE_EXCEEDED] = r->line_exceeded ? "true" : "false";
    }
    w->f[VALIDATION] = gx_validation_name(r);
    if (r->state == GX_STATE_OK) {
        gx_noise_words(r->noise.marks, w->num[NOISE], sizeof w->num[NOISE]);
        w->f[NOISE] = w->num[NOISE];
        w->f[CEILING_UNSOUND] = r->ceiling_unsound ? "true" : "false";
    }
}

int gx_csv_result(struct gx_csv *c, const struct gx_result *res, struct gx_err *err)
{
    if (!c->f)
        return GX_OK;
    struct row w = {0};
    result_row(&w, res);
    write_row(c, w.f);
    if (c->werr)
        return gx_fail(err, GX_ERUNTIME, "cannot write the CSV to stdout: %s",
                       strerror(c->werr));
    return GX_OK;
}

void gx_csv_skip(struct gx_csv *c, const char *run, const char *path,
                 const struct gx_pair *pairs, int npairs, const char *reason)
{
    for (int i = 0; c->f && i < (npairs > 0 ? npairs : 1); i++) {
        struct row w = {0};
        w.f[RUN] = run;
        w.f[PATH] = path;
        if (npairs > 0) {
            set_int(&w, INITIATOR, pairs[i].a);
            set_int(&w, PEER, pairs[i].b);
        }
        w.f[STATUS] = gx_state_name(GX_STATE_SKIPPED);
        w.f[REASON] = reason;
        write_row(c, w.f);
    }
}
