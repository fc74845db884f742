#include "matrix.h"

#include "json_util.h"
#include "path.h"
#include "pattern.h"
#include "result.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct group {
    const struct gx_kept *first; /* a result of the group, for its key fields */
    double *v;                   /* nranks x nranks, NAN where not measured */
    int filled;
};

static int same_key(const struct gx_kept *x, const struct gx_kept *y)
{
    return gx_kept_same_way(x, y) && x->pattern == y->pattern && x->size == y->size;
}

static cJSON *matrix_json(const struct group *g, int n)
{
    const struct gx_kept *r = g->first;
    const struct gx_pattern_ops *pat = gx_pattern_table[r->pattern];
    cJSON *m = cJSON_CreateObject(), *rows = cJSON_CreateArray();
    if (!m || !rows) {
        cJSON_Delete(m);
        cJSON_Delete(rows);
        return NULL;
    }
    cJSON_AddStringToObject(m, "path", gx_paths[r->path].name);
    cJSON_AddStringToObject(m, "pattern", pat->name);
    cJSON_AddNumberToObject(m, "size", (double)r->size);
    cJSON_AddStringToObject(m, "unit", pat->unit);
    gx_kept_add_mem(m, r);
    gx_kept_add_chunk(m, r);
    cJSON_AddNumberToObject(m, "ranks", n);
    for (int a = 0; a < n; a++) {
        cJSON *row = cJSON_CreateArray();
        for (int b = 0; b < n; b++) {
            double v = g->v[a * n + b];
            cJSON_AddItemToArray(row, isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v));
        }
        cJSON_AddItemToArray(rows, row);
    }
    cJSON_AddItemToObject(m, "values", rows);
    return m;
}

/* The group of r's key among the ng so far in g, or a new one (ng grows); NULL when out of
 * memory. */
static struct group *group_of(struct group *g, int *ng, const struct gx_kept *r, int n)
{
    int i = 0;
    while (i < *ng && !same_key(g[i].first, r))
        i++;
    if (i < *ng)
        return &g[i];
    g[i].first = r;
    g[i].v = malloc((size_t)n * (size_t)n * sizeof *g[i].v);
    if (!g[i].v)
        return NULL;
    for (int k = 0; k < n * n; k++)
        g[i].v[k] = NAN;
    ++*ng;
    return &g[i];
}

/* The complete groups as matrices: NULL when none is (or out of memory: *oom set). */
static cJSON *complete_matrices(const struct group *g, int ng, int n, const char **oom)
{
    cJSON *out = NULL;
    for (int i = 0; i < ng; i++) {
        if (g[i].filled != n * (n - 1))
            continue; /* only a complete map is a matrix; partial pair lists stay results */
        cJSON *m = NULL;
        if ((!out && !(out = cJSON_CreateArray())) || !(m = matrix_json(&g[i], n))) {
            *oom = "out of host memory for the pair matrices";
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToArray(out, m);
    }
    return out;
}

cJSON *gx_matrices(const struct gx_kept *res, size_t nres, int n, const char **oom)
{
    *oom = NULL;
    int ng = 0;
    if (n < 2 || nres == 0)
        return NULL;
    struct group *g = calloc(nres, sizeof *g);
    if (!g) {
        *oom = "out of host memory for the pair matrices";
        return NULL;
    }
    for (size_t k = 0; k < nres && !*oom; k++) {
        const struct gx_kept *r = &res[k];
        int a = r->a, b = r->b;
        if (r->state != GX_STATE_OK || a < 0 || b < 0 || a >= n || b >= n || a == b)
            continue;
        struct group *gr = group_of(g, &ng, r, n);
        if (!gr) {
            *oom = "out of host memory for the pair matrices";
            break;
        }
        gr->filled += isnan(gr->v[a * n + b]);
        gr->v[a * n + b] = r->median;
    }
    cJSON *out = *oom ? NULL : complete_matrices(g, ng, n, oom);
    for (int i = 0; i < ng; i++)
        free(g[i].v);
    free(g);
    return out;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int gx_matrix_median(const cJSON *rows, double *med)
{
    int n = 0, k = 0;
    const cJSON *row, *v;
    cJSON_ArrayForEach(row, rows)
        n += cJSON_GetArraySize(row);
    double *all = malloc((size_t)(n ? n : 1) * sizeof *all);
    if (!all)
        return -1;
    cJSON_ArrayForEach(row, rows)
        cJSON_ArrayForEach(v, row)
            if (cJSON_IsNumber(v))
                all[k++] = v->valuedouble;
    qsort(all, (size_t)k, sizeof *all, cmp_double);
    if (k)
        *med = k % 2 ? all[k / 2] : (all[k / 2 - 1] + all[k / 2]) / 2;
    free(all);
    return k;
}

void gx_matrix_describe_rank(char *buf, size_t len, const cJSON *context, int rank)
{
    const cJSON *ranks = cJSON_GetObjectItemCaseSensitive(context, "ranks");
    const cJSON *rc = cJSON_GetArrayItem(ranks, rank);
    const cJSON *gpu = cJSON_GetObjectItemCaseSensitive(rc, "gpu");
    char gbuf[160] = "";
    /* The topology's gpu object (topo_report.c): named only when this rank has one. */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gpu, "present"))) {
        const cJSON *idx = cJSON_GetObjectItemCaseSensitive(gpu, "visible_index");
        const char *bus = gx_json_str(gpu, "pci_bus_id");
        snprintf(gbuf, sizeof gbuf, ", GPU %d%s%.120s", cJSON_IsNumber(idx) ? idx->valueint : -1,
                 bus[0] ? " " : "", bus);
    }
    /* The NIC the rank's traffic leaves by (topo_nic.c), and where it sits from the GPU. */
    const cJSON *nic = cJSON_GetObjectItemCaseSensitive(rc, "nic");
    char nbuf[200] = "";
    if (gx_json_str(nic, "name")[0])
        snprintf(nbuf, sizeof nbuf, ", NIC %.60s%s%.60s%s", gx_json_str(nic, "name"),
                 gx_json_str(nic, "place")[0] ? " " : "", gx_json_str(nic, "place"),
                 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(nic, "flagged")) ? "!" : "");
    snprintf(buf, len, "rank %d (host %.100s%s%s)", rank, rc ? gx_json_str(rc, "hostname") : "?",
             gbuf, nbuf);
}

void gx_matrices_print(FILE *out, const cJSON *matrices, const cJSON *context, double slow)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, matrices) {
        int n = (int)gx_json_num(m, "ranks");
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(m, "values");
        const char *unit = gx_json_str(m, "unit");
        int lower_better = gx_unit_lower_is_better(unit);
        double med = 0;
        if (gx_matrix_median(rows, &med) < 0)
            return;
        fprintf(out, "\n# pair matrix: path %s, pattern %s, size %.0f, %s (row: initiator/sender, "
                     "column: peer/receiver)\n#      ", gx_json_str(m, "path"), gx_json_str(m, "pattern"),
                gx_json_num(m, "size"), unit);
        for (int b = 0; b < n; b++)
            fprintf(out, " %9d", b);
        fputc('\n', out);
        for (int a = 0; a < n; a++) {
            fprintf(out, "  %5d", a);
            for (int b = 0; b < n; b++) {
                const cJSON *v = cJSON_GetArrayItem(cJSON_GetArrayItem(rows, a), b);
                if (cJSON_IsNumber(v))
                    fprintf(out, " %9.3f", v->valuedouble);
                else
                    fprintf(out, " %9s", "-");
            }
            fputc('\n', out);
        }
        double limit = lower_better ? med / slow : med * slow;
        fprintf(out, "# slow pairs (%s %.3f %s = %s%.2f x the matrix median %.3f):", lower_better ?
                "above" : "below", limit, unit, lower_better ? "1/" : "", slow, med);
        int nslow = 0;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) {
                const cJSON *v = cJSON_GetArrayItem(cJSON_GetArrayItem(rows, a), b);
                if (!cJSON_IsNumber(v) ||
                    !(lower_better ? v->valuedouble > limit : v->valuedouble < limit))
                    continue;
                char ra[300], rb[300];
                gx_matrix_describe_rank(ra, sizeof ra, context, a);
                gx_matrix_describe_rank(rb, sizeof rb, context, b);
                fprintf(out, "\n#   SLOW %d->%d %.3f %s (%.2f x median): %s -> %s", a, b,
                        v->valuedouble, unit, med ? v->valuedouble / med : 0, ra, rb);
                nslow++;
            }
        fprintf(out, "%s\n", nslow ? "" : " none");
    }
    fflush(out);
}
