#include "config.h"
#include "output.h"

#include "context.h"
#include "out_path.h"
#include "report.h"
#include "coll.h"
#include "result_fields.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define POS_CSV(pos) pos
#define POS_CSVAS(pos, name) pos
#define POS_NOCSV (-1)
#define COUNT_ROW(key, type, value, when, json, at, csv, tab) +(POS_##csv >= 0)
enum { NRESULT = 0 GX_RESULT_FIELDS(COUNT_ROW) };
#undef COUNT_ROW
/* After the result's own: where and when, so that many runs' lines read together still say. */
enum { COL_HOST = NRESULT, COL_JOB, COL_TIME, NCOLS };

/* The column's name at its place; two rows at one place warn (-Woverride-init), one left out is
 * a NULL that tests/csv.sh finds. */
#define NAME_KEY(k) k,
#define NAME_DROP(k)
#define NAME_CSV(pos) [pos] = NAME_KEY
#define NAME_CSVAS(pos, name) [pos] = name, NAME_DROP
#define NAME_NOCSV NAME_DROP
#define NAME_ROW(key, type, value, when, json, at, csv, tab) NAME_##csv(#key)
static const char *const columns[NCOLS + 1] = {GX_RESULT_FIELDS(NAME_ROW)[COL_HOST] = "host",
                                                [COL_JOB] = "job", [COL_TIME] = "time",
                                                [NCOLS] = NULL};
#undef NAME_ROW

/* NULL is an empty field. */
struct row {
    const char *f[NCOLS];
    char num[NCOLS][32];
};

/* The report's digits for v, by cJSON's own test: 15 unless they read back further than an
 * epsilon away; a value that is not finite is an empty field. */
static void set_num(struct row *w, int c, double v)
{
    if (!isfinite(v))
        return;
    snprintf(w->num[c], sizeof w->num[c], "%.15g", v);
    double back = strtod(w->num[c], NULL), big = fabs(back) > fabs(v) ? fabs(back) : fabs(v);
    if (fabs(back - v) > big * DBL_EPSILON)
        snprintf(w->num[c], sizeof w->num[c], "%.17g", v);
    w->f[c] = w->num[c];
}

static void set_int(struct row *w, int c, long long v)
{
    snprintf(w->num[c], sizeof w->num[c], "%lld", v);
    w->f[c] = w->num[c];
}

/* -1 with errno set on failure. */
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
    else if (fwrite(line, 1, len, c->f) != len || fflush(c->f) != 0) {
        c->werr = errno ? errno : EIO;
        if (c->f == stdout) /* a full disk under --table: no half row left at its end */
            gx_out_stdout_abandon();
    }
    free(line);
}

void gx_csv_init(struct gx_csv *c, FILE *f, const struct gx_context *context)
{
    *c = (struct gx_csv){.f = f, .context = context};
    char id[GX_ENV_NAME_MAX + 1], step[GX_ENV_NAME_MAX + 1];
    if (gx_env_name("SLURM_JOB_ID", id, sizeof id))
        snprintf(c->job, sizeof c->job, "%s%s%s", id,
                 gx_env_name("SLURM_STEP_ID", step, sizeof step) ? "." : "", step);
    write_row(c, columns);
}

static void where_and_when(const struct gx_csv *c, struct row *w, int initiator)
{
    const struct gx_ctx_rank *r = initiator >= 0 ? gx_ctx_rank(c->context, initiator) : NULL;
    w->f[COL_HOST] = r ? gx_ctx_str(c->context, r->hostname) : NULL;
    w->f[COL_JOB] = c->job[0] ? c->job : NULL;
    gx_utc_now(w->num[COL_TIME], sizeof w->num[COL_TIME], 0);
    w->f[COL_TIME] = w->num[COL_TIME];
}

/* A row's cell by its type; objects and arrays have none. */
static void put_STR(struct row *w, int c, const char *v)
{
    w->f[c] = v;
}

static void put_BOOL(struct row *w, int c, int v)
{
    w->f[c] = v ? "true" : "false";
}

static void put_MARKS(struct row *w, int c, unsigned marks)
{
    w->f[c] = gx_noise_words(marks, w->num[c], sizeof w->num[c]);
}

#define put_INT set_int
#define put_NUM set_num
#define put_OBJ(w, c, v) (void)0
#define put_ARR(w, c, v) (void)0

static void result_row(struct row *w, const struct gx_result *r)
{
#define CELL_ROW(key, type, value, when, json, at, csv, tab)                                  \
    if (POS_##csv >= 0 && (when))                                                             \
        put_##type(w, POS_##csv, value);
    GX_RESULT_FIELDS(CELL_ROW)
#undef CELL_ROW
}

static int col(const char *name)
{
    int c = 0;
    while (c < NCOLS && strcmp(columns[c], name) != 0)
        c++;
    return c;
}

int gx_csv_result(struct gx_csv *c, const struct gx_result *res, struct gx_err *err)
{
    if (!c->f)
        return GX_OK;
    struct row w = {0};
    result_row(&w, res);
    where_and_when(c, &w, res->a);
    write_row(c, w.f);
    if (c->werr)
        return gx_fail(err, GX_ERUNTIME, "cannot write the CSV to %s: %s",
                       gx_out_stdout_name(), strerror(c->werr));
    return GX_OK;
}

void gx_csv_skip(struct gx_csv *c, const char *run, const char *path,
                 const struct gx_pair *pairs, int npairs, const char *reason)
{
    for (int i = 0; c->f && i < (npairs > 0 ? npairs : 1); i++) {
        struct row w = {0};
        w.f[col("run")] = run;
        w.f[col("path")] = path;
        if (npairs > 0) {
            set_int(&w, col("initiator"), pairs[i].a);
            set_int(&w, col("peer"), pairs[i].b);
        }
        w.f[col("status")] = gx_state_name(GX_STATE_SKIPPED);
        w.f[col("reason")] = reason;
        where_and_when(c, &w, npairs > 0 ? pairs[i].a : -1);
        write_row(c, w.f);
    }
}
