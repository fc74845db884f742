/* --expect: the expectations file read once on rank 0, its SKU chosen before anything is
 * measured, and at the end a view that judges each kept point against the expectation of its
 * route class: the finding below-expected. */
#include "config.h"
#include "expect.h"

#include "context.h"
#include "kept.h"
#include "report.h"
#include "links_store.h"
#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "sizes.h"
#include "topo.h"
#include "versions.h"
#include "view.h"
#include "wrap.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GX_EXPECT_FILE_MAX (64L << 20)
#define GX_CLASS_LEN 256

struct expectation {
    const char *cls, *path, *src, *dst, *pattern; /* the file's strings */
    double size, expected, bound;
    int at_most;
};

static const char *const fact_names[] = {
    "gpu_model", "gpus_per_node", "cuda_driver", "cuda_runtime", "nccl", "mpi_library",
};
#define NFACTS (sizeof fact_names / sizeof fact_names[0])

static struct {
    cJSON *doc;
    char file[4096];
    const cJSON *sku; /* the chosen one */
    struct expectation *e;
    size_t n;
} the;

static int bad(struct gx_err *err, const char *where, const char *what)
{
    return gx_fail(err, GX_EINPUT, "--expect %s: %s: %s (a file of gpuxfer-report expect)",
                   the.file, where, what);
}

static const char *str_of(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int num_of(const cJSON *o, const char *name, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v))
        return 0;
    *out = v->valuedouble;
    return 1;
}

/* e into x; 0 where it lacks a member (x then partly filled). */
static int read_expectation(const cJSON *e, struct expectation *x)
{
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(e, "mem");
    double least = 0;
    *x = (struct expectation){.cls = str_of(e, "route_class"), .path = str_of(e, "path"),
                              .src = str_of(mem, "src"), .dst = str_of(mem, "dst"),
                              .pattern = str_of(e, "pattern")};
    x->at_most = num_of(e, "at_most", &x->bound);
    int at_least = num_of(e, "at_least", &least);
    if (!x->at_most)
        x->bound = least;
    return x->cls && x->path && x->src && x->dst && x->pattern && num_of(e, "size", &x->size) &&
           num_of(e, "expected", &x->expected) && x->at_most != at_least;
}

static int check_expectation(const cJSON *e, const char *where, struct gx_err *err)
{
    struct expectation x;
    if (!read_expectation(e, &x))
        return bad(err, where, "expected route_class, path, mem.src, mem.dst, pattern, size, "
                   "expected and one of at_least, at_most");
    return GX_OK;
}

static int check_doc(struct gx_err *err)
{
    const char *format = str_of(the.doc, "format"), *version = str_of(the.doc, "version");
    if (!format || strcmp(format, "gpuxfer-expectations") != 0)
        return bad(err, "format", "not \"gpuxfer-expectations\"");
    if (!version || strncmp(version, "1.", 2) != 0)
        return bad(err, "version", "this gpuxfer reads version 1.x");
    const cJSON *skus = cJSON_GetObjectItemCaseSensitive(the.doc, "skus"), *s;
    if (!cJSON_IsArray(skus) || cJSON_GetArraySize(skus) == 0)
        return bad(err, "skus", "expected a list of one SKU or more");
    char where[96];
    int i = 0;
    cJSON_ArrayForEach(s, skus) {
        const cJSON *facts = cJSON_GetObjectItemCaseSensitive(s, "facts"), *e;
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(s, "expectations");
        for (size_t f = 0; f < NFACTS; f++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(facts, fact_names[f]);
            snprintf(where, sizeof where, "skus[%d].facts.%s", i, fact_names[f]);
            if (!cJSON_IsString(v) && !(f == 1 && cJSON_IsNumber(v)))
                return bad(err, where, f == 1 ? "expected a number" : "expected a string");
        }
        if (!cJSON_IsArray(list)) {
            snprintf(where, sizeof where, "skus[%d].expectations", i);
            return bad(err, where, "expected a list");
        }
        int j = 0;
        cJSON_ArrayForEach(e, list) {
            snprintf(where, sizeof where, "skus[%d].expectations[%d]", i, j++);
            GX_TRY(check_expectation(e, where, err));
        }
        i++;
    }
    return GX_OK;
}

int gx_expect_load(const char *path, struct gx_err *err)
{
    gx_expect_free();
    snprintf(the.file, sizeof the.file, "%s", path);
    int fd = gx_open_regular(path);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return gx_fail(err, GX_EINPUT, "--expect: cannot read '%s' (not a readable regular "
                       "file)", path);
    }
    long len = -1;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && len <= GX_EXPECT_FILE_MAX &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len + 1)) &&
        fread(buf, 1, (size_t)len, f) == (size_t)len)
        buf[len] = '\0';
    else
        len = -1;
    fclose(f);
    if (len < 0) {
        free(buf);
        return gx_fail(err, GX_EINPUT, "--expect: cannot read '%s' (at most 64 MiB)", path);
    }
    the.doc = cJSON_Parse(buf);
    free(buf);
    if (!the.doc)
        return gx_fail(err, GX_EINPUT, "--expect %s: not JSON (a file of gpuxfer-report "
                       "expect)", path);
    int rc = check_doc(err);
    if (rc != GX_OK)
        gx_expect_free();
    return rc;
}

void gx_expect_free(void)
{
    cJSON_Delete(the.doc);
    free(the.e);
    memset(&the, 0, sizeof the);
}

struct node_facts {
    char v[NFACTS][512];
};

static void put_software(void *ctx, const char *key, const char *value)
{
    struct node_facts *n = ctx;
    for (size_t f = 2; f < NFACTS; f++)
        if (strcmp(key, fact_names[f]) == 0)
            snprintf(n->v[f], sizeof n->v[f], "%s", value);
}

static void fact_text(const cJSON *facts, size_t f, char *buf, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(facts, fact_names[f]);
    if (cJSON_IsNumber(v))
        snprintf(buf, len, "%d", v->valueint);
    else
        snprintf(buf, len, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static int take_sku(const cJSON *s, struct gx_err *err)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(s, "expectations"), *e;
    size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
    the.e = calloc(n ? n : 1, sizeof *the.e);
    if (!the.e)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for --expect");
    cJSON_ArrayForEach(e, list)
        read_expectation(e, &the.e[i++]); /* checked as the file was read */
    the.n = n;
    the.sku = s;
    return GX_OK;
}

int gx_expect_choose(const struct gx_job *job, struct gx_err *err)
{
    if (!the.doc)
        return GX_OK;
    struct node_facts here;
    const struct gx_topo_rank *t = job->topo;
    int gpu = t && t->has_gpu;
    for (size_t f = 0; f < NFACTS; f++)
        snprintf(here.v[f], sizeof here.v[f], "unknown");
    snprintf(here.v[0], sizeof here.v[0], "%s", gpu ? t->name : "none");
    snprintf(here.v[1], sizeof here.v[1], "%d", gpu ? t->nvisible : 0);
    gx_software_each(put_software, &here);
    const cJSON *s, *nearest = NULL;
    size_t best = 0, differs = 0;
    char text[512];
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(the.doc, "skus")) {
        const cJSON *facts = cJSON_GetObjectItemCaseSensitive(s, "facts");
        size_t same = 0, first = NFACTS;
        for (size_t f = 0; f < NFACTS; f++) {
            fact_text(facts, f, text, sizeof text);
            if (strcmp(text, here.v[f]) == 0)
                same++;
            else if (first == NFACTS)
                first = f;
        }
        if (same == NFACTS)
            return take_sku(s, err);
        if (!nearest || same > best) {
            nearest = s;
            best = same;
            differs = first;
        }
    }
    fact_text(cJSON_GetObjectItemCaseSensitive(nearest, "facts"), differs, text, sizeof text);
    return gx_fail(err, GX_EINPUT, "--expect %s: made for another SKU: %s '%s', this node's "
                   "'%s' (no SKU of the file has this node's facts)", the.file,
                   fact_names[differs], text, here.v[differs]);
}

/* A route's class as the node map names it: its links, narrowest first, joined by " + " (a NIC
 * by its rate: its name differs GPU by GPU); "no link" (one GPU's own memory, host memory of one
 * node); "unknown" where no rate is known. gpuxfer-report expect reads the same from a report. */
static void route_class(const struct gx_route *r, char *buf, size_t len)
{
    if (!(r->line_gbs > 0)) {
        int none = strncmp(r->why, "the same GPU", 12) == 0 ||
                   strncmp(r->why, "host memory on one node", 23) == 0;
        snprintf(buf, len, "%s", none ? "no link" : "unknown");
        return;
    }
    buf[0] = '\0';
    for (int i = 0; i < r->nhops; i++) {
        const struct gx_hop *h = &r->hops[i];
        size_t l = strlen(buf);
        if (h->kind == GX_LINK_NIC && h->gbs > 0)
            snprintf(buf + l, len - l, "%sNIC %.0f Gb/s", i ? " + " : "", h->gbs * 8);
        else if (h->kind == GX_LINK_NIC)
            snprintf(buf + l, len - l, "%sNIC (rate unknown)", i ? " + " : "");
        else
            snprintf(buf + l, len - l, "%s%s", i ? " + " : "", h->what);
    }
}

/* As the line rate rates it (rating.c): a group by the narrowest hop of its ring, here the
 * ranks from its first to its last. */
static void class_of(const struct gx_link_store *s, const struct gx_kept *k, char *buf,
                     size_t len)
{
    int group = gx_kept_collective(k), n = group ? k->b - k->a + 1 : 1;
    const struct gx_path_ops *ops = gx_paths[k->path].ops;
    int via_host = ops && (ops->flags & GX_PATH_VIA_HOST) != 0;
    struct gx_route best, hop;
    for (int i = 0; i < n; i++) {
        int from = group ? k->a + i : k->a, to = group ? k->a + (i + 1) % n : k->b;
        if (!s || gx_link_store_route(s, from, to, gx_mem_has(k->src_kind, GX_MEM_GPU_RESIDENT),
                                      gx_mem_has(k->dst_kind, GX_MEM_GPU_RESIDENT), via_host,
                                      &hop) != 0) {
            snprintf(buf, len, "unknown");
            return;
        }
        if (group && !(hop.line_gbs > 0)) { /* rating.c rates no group over such a hop */
            snprintf(buf, len, "unknown");
            return;
        }
        if (i == 0 || hop.line_gbs < best.line_gbs)
            best = hop;
    }
    route_class(&best, buf, len);
}

/* cls NULL: any class (whether the route is worth working out at all). */
static const struct expectation *find(const struct gx_kept *k, const char *cls)
{
    for (size_t i = 0; i < the.n; i++) {
        const struct expectation *x = &the.e[i];
        if (x->size == (double)k->size && (!cls || strcmp(x->cls, cls) == 0) &&
            strcmp(x->path, gx_paths[k->path].name) == 0 &&
            strcmp(x->pattern, gx_pattern_table[k->pattern]->name) == 0 &&
            strcmp(x->src, gx_mem_name(k->src_kind)) == 0 &&
            strcmp(x->dst, gx_mem_name(k->dst_kind)) == 0)
            return x;
    }
    return NULL;
}

struct judged {
    const struct gx_kept *k;
    const struct expectation *x;
    int below;
    char cls[GX_CLASS_LEN];
};

struct expect_state {
    struct judged *j;
    size_t n, unjudged, below;
};

static int expect_make(void *state, const struct gx_run *run, struct gx_err *err)
{
    struct expect_state *st = state;
    if (!the.sku)
        return GX_OK;
    const struct gx_link_store *facts = run->context ? run->context->facts : NULL;
    size_t cap = 0;
    for (size_t i = 0; i < run->nkept; i++) {
        const struct gx_kept *k = &run->kept[i];
        if (k->state != GX_STATE_OK)
            continue;
        if (st->n == cap) { /* only the judged: a sweep's many results have no expectation */
            struct judged *more = realloc(st->j, (cap = cap ? 2 * cap : 64) * sizeof *more);
            if (!more)
                return gx_fail(err, GX_ERUNTIME, "out of host memory for --expect's judgement");
            st->j = more;
        }
        struct judged *j = &st->j[st->n];
        int any = find(k, NULL) != NULL;
        if (any)
            class_of(facts, k, j->cls, sizeof j->cls);
        if (!any || !(j->x = find(k, j->cls))) {
            st->unjudged++;
            continue;
        }
        j->k = k;
        j->below = j->x->at_most ? k->median > j->x->bound : k->median < j->x->bound;
        st->below += (size_t)j->below;
        st->n++;
    }
    return GX_OK;
}

static int expect_findings(const void *state, const struct gx_run *run, struct gx_health *h,
                           int nh, int max)
{
    (void)run;
    const struct expect_state *st = state;
    char size[32];
    for (size_t i = 0; i < st->n && nh < max; i++) {
        const struct judged *j = &st->j[i];
        if (!j->below)
            continue;
        const struct gx_kept *k = j->k;
        const char *unit = gx_pattern_table[k->pattern]->unit;
        struct gx_health *x = gx_health_add(h, &nh, max, "below-expected", k->a);
        gx_format_size(k->size, size, sizeof size);
        char med[32], want[32], bound[32];
        gx_format_value(k->median, med, sizeof med);
        gx_format_value(j->x->expected, want, sizeof want);
        gx_format_value(j->x->bound, bound, sizeof bound);
        /* Path, pair, measured and expected first: a drain reason keeps 80 characters. */
        snprintf(x->line, sizeof x->line, "%s %s %d%s%d %s %s: %s %s, expected %s %s, %s %s "
                 "%s, %s>%s over %.120s", gx_paths[k->path].name,
                 gx_kept_collective(k) ? "group" : "pair", k->a,
                 gx_kept_collective(k) ? ".." : "->", k->b, gx_pattern_table[k->pattern]->name,
                 size, med, unit, want, unit, j->x->at_most ? "at most" : "at least", bound, unit,
                 gx_mem_name(k->src_kind), gx_mem_name(k->dst_kind), j->cls);
        snprintf(x->evidence, sizeof x->evidence, "median %.6g %s, expected %.6g, bound %.6g "
                 "(%s), route class %s", k->median, unit, j->x->expected, j->x->bound,
                 j->x->at_most ? "at most" : "at least", j->cls);
    }
    return nh;
}

static cJSON *expect_json(const void *state, const struct gx_run *run)
{
    (void)run;
    const struct expect_state *st = state;
    if (!the.sku)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", the.file);
    cJSON_AddItemToObject(o, "facts", cJSON_Duplicate(
                                          cJSON_GetObjectItemCaseSensitive(the.sku, "facts"), 1));
    cJSON_AddNumberToObject(o, "judged", (double)st->n);
    cJSON_AddNumberToObject(o, "below", (double)st->below);
    cJSON_AddNumberToObject(o, "unjudged", (double)st->unjudged);
    cJSON *pts = cJSON_AddArrayToObject(o, "points");
    for (size_t i = 0; i < st->n; i++) {
        const struct judged *j = &st->j[i];
        cJSON *p = cJSON_CreateObject();
        gx_kept_add_measurement(p, j->k);
        cJSON *ranks = cJSON_AddArrayToObject(p, "ranks");
        cJSON_AddItemToArray(ranks, cJSON_CreateNumber(j->k->a));
        cJSON_AddItemToArray(ranks, cJSON_CreateNumber(j->k->b));
        cJSON_AddStringToObject(p, "route_class", j->cls);
        cJSON_AddNumberToObject(p, "median", j->k->median);
        cJSON_AddNumberToObject(p, "expected", j->x->expected);
        cJSON_AddNumberToObject(p, j->x->at_most ? "at_most" : "at_least", j->x->bound);
        cJSON_AddBoolToObject(p, "below", j->below);
        cJSON_AddItemToArray(pts, p);
    }
    return o;
}

static void expect_print(FILE *table, const void *state, const struct gx_run *run)
{
    (void)run;
    const struct expect_state *st = state;
    if (the.sku)
        gx_print_note(table, "\n# expect: %zu point%s judged against %s, %zu below the expected; "
                      "%zu with no expectation of their route class, path, pattern and size\n",
                      st->n, st->n == 1 ? "" : "s", the.file, st->below, st->unjudged);
}

static void expect_free(void *state)
{
    free(((struct expect_state *)state)->j);
}

const struct gx_view_ops gx_view_expect = {
    .name = "expect", .state_size = sizeof(struct expect_state), .make = expect_make,
    .findings = expect_findings, .json = expect_json, .print = expect_print,
    .free = expect_free,
};
