/* --vary OPTION=V1,V2[,...]: each value read by its option's own setter, so that a value means
 * what it means given to the option alone. */
#include "config.h"
#include "option_table.h"

#include "input.h"

#include <stdlib.h>
#include <string.h>

const char *const gx_vary_names[GX_VARY_COUNT] = {
    [GX_VARY_NONE] = "",         [GX_VARY_CHUNK] = "chunk", [GX_VARY_DEPTH] = "depth",
    [GX_VARY_WINDOW] = "window", [GX_VARY_PATH] = "path",   [GX_VARY_MEM] = "mem",
    [GX_VARY_NCCL_COMM] = "nccl-comm",
};

#define GX_VARY_EXPECTED "chunk, depth, window, path, mem or nccl-comm"

/* What the value set, in o's first run (or o itself, for nccl-comm). */
static void keep(int option, const struct gx_options *o, struct gx_vary_value *v)
{
    const struct gx_run_opts *r = &o->runs[0];
    switch (option) {
    case GX_VARY_CHUNK:
        v->chunk_mode = r->chunk_mode;
        v->chunk = r->nchunks ? r->chunks[0] : 0;
        break;
    case GX_VARY_DEPTH: v->depth = r->depths[0]; break;
    case GX_VARY_WINDOW: v->window = r->window; break;
    case GX_VARY_PATH: v->path = r->paths[0]; break;
    case GX_VARY_MEM:
        v->mem_src = r->mem_src;
        v->mem_dst = r->mem_dst;
        break;
    default: v->nccl_comm = o->g.nccl_comm; break;
    }
}

static int same_setting(const struct gx_vary_value *a, const struct gx_vary_value *b)
{
    return a->chunk_mode == b->chunk_mode && a->chunk == b->chunk && a->depth == b->depth &&
           a->window == b->window && a->path == b->path && a->mem_src == b->mem_src &&
           a->mem_dst == b->mem_dst && a->nccl_comm == b->nccl_comm;
}

/* One value through its option's setter; a list of its own is not a value. */
static int read_value(int option, const char *text, struct gx_options *scratch,
                      struct gx_vary_value *v, struct gx_err *err)
{
    const struct gx_option *op = gx_option_find(gx_vary_names[option]);
    char given[GX_ITEM_MAX + 1];
    snprintf(given, sizeof given, "%s", text);
    if (option == GX_VARY_MEM) { /* SRC:DST, since a comma parts the values */
        char *colon = strchr(given, ':');
        if (colon)
            *colon = ',';
    }
    memset(scratch, 0, sizeof *scratch);
    gx_run_defaults(&scratch->runs[0]);
    if (gx_option_set(op, scratch, &scratch->runs[0], given, err) != GX_OK)
        return gx_wrap(err, "%s value '%s'", op->name, text);
    memset(v, 0, sizeof *v);
    snprintf(v->text, sizeof v->text, "%s", text);
    keep(option, scratch, v);
    return GX_OK;
}

int gx_set_vary(struct gx_options *o, struct gx_run_opts *r, const char *value,
                struct gx_err *err)
{
    (void)r;
    struct gx_vary *vary = &o->g.vary;
    const char *eq = strchr(value, '=');
    if (!eq)
        return gx_fail(err, GX_EINPUT, "'%s' is not OPTION=V1,V2 (expected e.g. chunk=1M,4M)",
                       value);
    int option = GX_VARY_NONE;
    for (int k = 1; k < GX_VARY_COUNT; k++)
        if (strlen(gx_vary_names[k]) == (size_t)(eq - value) &&
            strncmp(value, gx_vary_names[k], (size_t)(eq - value)) == 0)
            option = k;
    if (option == GX_VARY_NONE)
        return gx_fail(err, GX_EINPUT, "unknown option '%.*s' (expected " GX_VARY_EXPECTED ")",
                       (int)(eq - value), value);
    char items[GX_MAX_VARY][GX_ITEM_MAX + 1];
    int n;
    GX_TRY(gx_split_list(eq + 1, items, GX_MAX_VARY, &n, err));
    if (n < 2)
        return gx_fail(err, GX_EINPUT, "%s has one value (expected two or more: %s=V1,V2)",
                       value, gx_vary_names[option]);
    struct gx_options *scratch = malloc(sizeof *scratch);
    if (!scratch)
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    int rc = GX_OK;
    for (int i = 0; i < n && rc == GX_OK; i++) {
        rc = read_value(option, items[i], scratch, &vary->v[i], err);
        for (int j = 0; j < i && rc == GX_OK; j++)
            if (same_setting(&vary->v[j], &vary->v[i]))
                rc = gx_fail(err, GX_EINPUT, "%s values '%s' and '%s' are the same setting "
                             "(expected distinct values)", gx_vary_names[option],
                             vary->v[j].text, items[i]);
    }
    free(scratch);
    vary->option = rc == GX_OK ? option : GX_VARY_NONE;
    vary->n = rc == GX_OK ? n : 0;
    return rc;
}

void gx_vary_runs(struct gx_options *o)
{
    const struct gx_vary *vary = &o->g.vary;
    for (int r = 0; vary->option == GX_VARY_PATH && r < o->nruns; r++) {
        o->runs[r].npaths = vary->n;
        for (int k = 0; k < vary->n; k++)
            o->runs[r].paths[k] = vary->v[k].path;
    }
}
