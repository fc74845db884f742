/* The report's "context" from rank 0's typed rows: each rank and pair made only as the report is
 * written, so that rank 0 never holds the context as JSON. */
#include "config.h"
#include "context.h"
#include "heap.h"

#include "gpu_counters.h"
#include "report.h"
#include "versions.h"

#include <errno.h>
#include <stdlib.h>

/* "name\0value" each. */
static cJSON *pairs_json(const struct gx_context *c, const struct gx_ctx_block *b)
{
    cJSON *o = cJSON_CreateObject();
    const gx_sid *list = gx_strpool_get(&c->pool, b->at, NULL);
    for (uint32_t i = 0; o && list && i < b->n; i++) {
        const char *name = gx_ctx_str(c, list[i]);
        if (name)
            cJSON_AddStringToObject(o, name, name + strlen(name) + 1);
    }
    return o;
}

static cJSON *links_json(const struct gx_context *c, const struct gx_ctx_block *b)
{
    cJSON *links = cJSON_CreateArray();
    const struct gx_ctx_link *l = gx_strpool_get(&c->pool, b->at, NULL);
    for (uint32_t i = 0; links && l && i < b->n; i++) {
        cJSON *x = gx_json_append_object(links);
        cJSON_AddNumberToObject(x, "rank", l[i].rank);
        const char *link = gx_ctx_str(c, l[i].link), *source = gx_ctx_str(c, l[i].source);
        if (link)
            cJSON_AddStringToObject(x, "link", link);
        if (source)
            cJSON_AddStringToObject(x, "source", source);
        cJSON_AddItemToObject(x, "peer_access", l[i].p2p < 0 ? cJSON_CreateNull()
                                                             : cJSON_CreateBool(l[i].p2p));
    }
    return links;
}

static cJSON *list_json(const struct gx_context *c, const struct gx_ctx_block *b, int strings)
{
    cJSON *a = cJSON_CreateArray();
    const void *l = gx_strpool_get(&c->pool, b->at, NULL);
    for (uint32_t i = 0; a && l && i < b->n; i++)
        cJSON_AddItemToArray(a, strings ? cJSON_CreateString(gx_ctx_str(c, ((const gx_sid *)l)[i]))
                                        : cJSON_CreateNumber(((const int32_t *)l)[i]));
    return a;
}

static void add_known(cJSON *o, const char *key, int known, double v)
{
    cJSON_AddItemToObject(o, key, known ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

static void add_gbs(cJSON *o, const char *key, double gbs)
{
    add_known(o, key, gbs > 0, gbs);
}

static cJSON *gen_width(int gen, int width, enum gx_src src)
{
    cJSON *o = cJSON_CreateObject();
    add_known(o, "generation", gen > 0, gen);
    add_known(o, "width", gen > 0, width);
    add_gbs(o, "gbs", gen > 0 ? gx_pcie_gbs(gen, width) : 0);
    cJSON_AddStringToObject(o, "source", gx_src_names[gen > 0 ? src : GX_SRC_NONE]);
    return o;
}

static cJSON *links_rank_json(const struct gx_link_facts *f)
{
    cJSON *o = cJSON_CreateObject();
    char what[96];
    if (f->has_gpu) {
        const struct gx_pcie_facts *p = &f->pcie;
        cJSON *pc = cJSON_AddObjectToObject(o, "pcie");
        cJSON_AddItemToObject(pc, "current", gen_width(p->cur_gen, p->cur_width, p->cur_src));
        cJSON_AddBoolToObject(pc, "under_load", p->under_load);
        cJSON_AddItemToObject(pc, "maximum", gen_width(p->max_gen, p->max_width, p->max_src));
        add_gbs(pc, "hwloc_gbs", p->hwloc_gbs);
        add_gbs(pc, "line_gbs", gx_pcie_line_gbs(p, what, sizeof what));
        cJSON_AddStringToObject(pc, "line", what);
        if (p->why[0] && (!p->cur_gen || !p->max_gen)) /* a later source may have filled it */
            cJSON_AddStringToObject(pc, "why_unknown", p->why);
        const struct gx_nvlink_facts *v = &f->nvlink;
        cJSON *nv = cJSON_AddObjectToObject(o, "nvlink");
        double per = 0;
        int gen = gx_nvlink_generation(v->nvml_version, &per);
        add_known(nv, "links", v->links >= 0, v->links);
        add_known(nv, "active", v->links >= 0, v->active);
        if (gen > 0) {
            cJSON_AddNumberToObject(nv, "generation", gen);
            cJSON_AddNumberToObject(nv, "nvml_version", v->nvml_version);
            cJSON_AddNumberToObject(nv, "link_gbs", per);
            add_gbs(nv, "line_gbs", per * (v->active > 0 ? v->active : 0));
        } else {
            cJSON_AddNullToObject(nv, "generation");
            cJSON_AddNullToObject(nv, "line_gbs");
        }
        cJSON_AddStringToObject(nv, "source", gx_src_names[v->links >= 0 ? GX_SRC_NVML
                                                                          : GX_SRC_NONE]);
        if (v->why[0] && (v->links <= 0 || gen == 0))
            cJSON_AddStringToObject(nv, "why_unknown", v->why);
    }
    cJSON *nic = cJSON_AddObjectToObject(o, "nic");
    cJSON_AddItemToObject(nic, "name", f->nic.name[0] ? cJSON_CreateString(f->nic.name)
                                                      : cJSON_CreateNull());
    add_gbs(nic, "gbits", f->nic.gbits);
    add_gbs(nic, "line_gbs", gx_nic_line_gbs(&f->nic));
    cJSON_AddStringToObject(nic, "source", gx_src_names[f->nic.src]);
    cJSON_AddStringToObject(nic, "where", f->nic.where);
    if (f->has_gpu) {
        const struct gx_c2c_facts *c = &f->c2c;
        cJSON *c2 = cJSON_AddObjectToObject(o, "c2c");
        add_known(c2, "links", c->links >= 0, c->links);
        add_known(c2, "active", c->links >= 0, c->active);
        add_gbs(c2, "line_gbs", gx_c2c_line_gbs(c));
        cJSON_AddStringToObject(c2, "source", gx_src_names[c->links >= 0 ? GX_SRC_NVML
                                                                         : GX_SRC_NONE]);
        if (c->links < 0 && c->why[0])
            cJSON_AddStringToObject(c2, "why_unknown", c->why);
    }
    return o;
}

static cJSON *route_json(const struct gx_route *r)
{
    cJSON *o = cJSON_CreateObject();
    add_gbs(o, "line_gbs", r->line_gbs);
    cJSON_AddBoolToObject(o, "partial", r->partial);
    if (r->why[0])
        cJSON_AddStringToObject(o, "why", r->why);
    cJSON *hops = cJSON_AddArrayToObject(o, "hops");
    for (int i = 0; i < r->nhops; i++) {
        const struct gx_hop *h = &r->hops[i];
        cJSON *x = gx_json_append_object(hops);
        cJSON_AddStringToObject(x, "kind", gx_link_kinds[h->kind].name);
        if (h->rank >= 0)
            cJSON_AddNumberToObject(x, "rank", h->rank);
        add_gbs(x, "gbs", h->gbs);
        cJSON_AddStringToObject(x, "source", gx_src_names[h->src]);
        cJSON_AddStringToObject(x, "what", h->what);
    }
    return o;
}

/* A fact as its type writes it; NULL: absent. */
static cJSON *fact_json(const struct gx_context *c, const struct gx_ctx_rank *r,
                        const struct gx_ctx_fact *f)
{
    const void *m = GX_CTX_MEMBER_OF(r, f);
    const int32_t *n = m;
    const double *bytes = m;
    const gx_sid *s = m;
    const struct gx_ctx_block *b = m;
    int list[32];
    struct gx_link_facts lf;
    switch (f->type) {
    case GX_CTX_T_INT:
        return cJSON_CreateNumber(*n);
    case GX_CTX_T_BOOL:
        return cJSON_CreateBool(*n);
    case GX_CTX_T_INDEX:
        return *n >= 0 ? cJSON_CreateNumber(*n) : NULL;
    case GX_CTX_T_BYTES:
        return *bytes > 0 ? cJSON_CreateNumber(*bytes) : NULL;
    case GX_CTX_T_STR:
        return gx_ctx_str(c, *s) ? cJSON_CreateString(gx_ctx_str(c, *s)) : NULL;
    case GX_CTX_T_INT_LIST:
        return cJSON_CreateIntArray(list, gx_ctx_int_list(gx_ctx_str(c, *s), list, 32));
    case GX_CTX_T_PAIRS:
        return pairs_json(c, b);
    case GX_CTX_T_INTS:
    case GX_CTX_T_STRS:
        return list_json(c, b, f->type == GX_CTX_T_STRS);
    case GX_CTX_T_LINKS:
        return links_json(c, b);
    case GX_CTX_T_LINK_FACTS:
        return b->n && gx_link_facts_of(c->facts, r->rank, &lf) == 0 ? links_rank_json(&lf)
                                                                     : NULL;
    case GX_CTX_T_GPU_STATE: /* the header's */
        break;
    }
    return NULL;
}

/* item at place ("gpu.nearest_nic.name") in o, the objects on the way made at their first;
 * "a.b.": item's members into a.b. */
static void add_at(cJSON *o, const char *place, cJSON *item)
{
    for (const char *dot; o && (dot = strchr(place, '.')); place = dot + 1) {
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(dot - place), place);
        cJSON *in = cJSON_GetObjectItemCaseSensitive(o, key);
        o = in ? in : cJSON_AddObjectToObject(o, key);
    }
    for (const cJSON *m = place[0] ? NULL : item->child; o && m; m = m->next)
        cJSON_AddItemToObject(o, m->string, cJSON_Duplicate(m, 1));
    if (!o || !place[0] || !cJSON_AddItemToObject(o, place, item))
        cJSON_Delete(item);
}

cJSON *gx_context_rank_json(const struct gx_context *c, int rank)
{
    const struct gx_ctx_rank *r = gx_ctx_rank(c, rank);
    if (!r)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; o && i < GX_CTX_NFACTS; i++) {
        const struct gx_ctx_fact *f = &gx_ctx_facts[i];
        cJSON *item = f->json && gx_ctx_has(r, f->when) ? fact_json(c, r, f) : NULL;
        if (item)
            add_at(o, f->json, item);
    }
    return o;
}

static cJSON *pair_json(const struct gx_context *c, int i)
{
    const struct gx_ctx_pair *p = &c->pairs[i];
    struct gx_ctx_pair_view v;
    gx_ctx_pair_view(c, p->a, p->b, &v);
    cJSON *o = cJSON_CreateObject();
    int ids[2] = {p->a, p->b};
    cJSON_AddItemToObject(o, "ranks", cJSON_CreateIntArray(ids, 2));
    cJSON_AddBoolToObject(o, "same_node", v.same_node);
    if (v.same_node) {
        cJSON_AddItemToObject(o, "link", v.link ? cJSON_CreateString(v.link) : cJSON_CreateNull());
        cJSON_AddStringToObject(o, "link_source", v.link_source ? v.link_source : "");
        cJSON_AddItemToObject(o, "peer_access", v.p2p < 0 ? cJSON_CreateNull()
                                                          : cJSON_CreateBool(v.p2p));
    } else {
        cJSON *nics = cJSON_AddArrayToObject(o, "nics");
        for (int i = 0; i < 2; i++)
            cJSON_AddItemToArray(nics, v.nics[i] ? cJSON_CreateString(v.nics[i])
                                                 : cJSON_CreateNull());
    }
    if (v.has_route)
        cJSON_AddItemToObject(o, "route", route_json(&v.route));
    return o;
}

/* A slot's elements one at a time, repaired, their places already listed (note_repairs). */
static int fill_with(struct gx_jstream *w, const struct gx_context *c, int n,
                     cJSON *(*make)(const struct gx_context *, int))
{
    int e = 0;
    for (int i = 0; i < n && !e; i++) {
        cJSON *item = make(c, i);
        e = item && gx_json_repair(item, "", NULL) >= 0 ? gx_stream_item(w, item, NULL, NULL)
                                                        : ENOMEM;
        cJSON_Delete(item);
    }
    return e;
}

/* Their places that are not valid UTF-8, listed before the document is first written. */
static int note_repairs(struct gx_report *rep, const struct gx_context *c, int n,
                        cJSON *(*make)(const struct gx_context *, int), const char *name)
{
    for (int i = 0; i < n; i++) {
        char place[64];
        snprintf(place, sizeof place, "context.%s[%d]", name, i);
        cJSON *item = make(c, i);
        gx_report_lock(rep); /* the notes go into the document, which the watchdog may write */
        int r = item ? gx_json_repair(item, place, rep->doc) : -1;
        gx_report_unlock(rep);
        cJSON_Delete(item);
        if (r < 0)
            return -1;
    }
    return 0;
}

static int fill_ranks(struct gx_jstream *w, int slot, void *ctx)
{
    (void)slot;
    const struct gx_context *c = ctx;
    return fill_with(w, c, c->nranks, gx_context_rank_json);
}

static int fill_pairs(struct gx_jstream *w, int slot, void *ctx)
{
    (void)slot;
    const struct gx_context *c = ctx;
    return fill_with(w, c, c->npairs, pair_json);
}

static const char *launcher(void)
{
    if (getenv("SLURM_STEP_ID") && !getenv("OMPI_COMM_WORLD_SIZE"))
        return "srun";
    if (getenv("OMPI_COMM_WORLD_SIZE"))
        return getenv("SLURM_JOB_ID") ? "mpirun (Open MPI) in a Slurm allocation"
                                      : "mpirun (Open MPI)";
    if (getenv("PMI_RANK") || getenv("PMI_SIZE"))
        return "mpiexec (PMI)";
    return "unknown";
}

static cJSON *job_json(const struct gx_context *c)
{
    cJSON *jobj = cJSON_CreateObject();
    cJSON_AddNumberToObject(jobj, "ranks", c->nranks);
    cJSON_AddNumberToObject(jobj, "nodes", c->nnodes);
    cJSON_AddStringToObject(jobj, "launcher", launcher());
    cJSON_AddStringToObject(jobj, "malloc", gx_heap_said());
    /* So that reports of one sweep (job array) can be told apart. */
    static const char *const slurm[][2] = {
        {"slurm_job_id", "SLURM_JOB_ID"},
        {"slurm_array_job_id", "SLURM_ARRAY_JOB_ID"},
        {"slurm_array_task_id", "SLURM_ARRAY_TASK_ID"},
        {"slurm_partition", "SLURM_JOB_PARTITION"},
        {"slurm_nodelist", "SLURM_JOB_NODELIST"},
        {"slurm_tasks_per_node", "SLURM_TASKS_PER_NODE"},
        {"slurm_gpus_per_task", "SLURM_GPUS_PER_TASK"},
        {"slurm_gpus_per_node", "SLURM_GPUS_PER_NODE"},
        {"slurm_cpus_per_task", "SLURM_CPUS_PER_TASK"},
    };
    for (size_t i = 0; i < GX_ARRAY_LEN(slurm); i++) {
        const char *v = getenv(slurm[i][1]);
        if (v && *v)
            cJSON_AddStringToObject(jobj, slurm[i][0], v);
    }
    return jobj;
}

static void add_string(void *obj, const char *key, const char *value)
{
    cJSON_AddStringToObject(obj, key, value);
}

int gx_context_report(struct gx_report *rep, struct gx_context *c, struct gx_err *err)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        gx_context_free(c);
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the report's context");
    }
    cJSON_AddItemToObject(o, "job", job_json(c));
    cJSON *build = cJSON_AddObjectToObject(o, "build");
    if (build)
        gx_build_each(add_string, build);
    rep->context = c;
    gx_report_lock(rep);
    cJSON *ranks = gx_report_stream_slot_locked(rep, "context.ranks", fill_ranks, c, err);
    cJSON *pairs = ranks ? gx_report_stream_slot_locked(rep, "context.pairs", fill_pairs, c, err)
                         : NULL;
    gx_report_unlock(rep);
    if (!pairs) {
        cJSON_Delete(ranks);
        cJSON_Delete(o);
        return GX_ERUNTIME;
    }
    cJSON_AddItemToObject(o, "ranks", ranks);
    cJSON_AddItemToObject(o, "pairs", pairs);
    gx_report_set(rep, "context", o);
    if (note_repairs(rep, c, c->nranks, gx_context_rank_json, "ranks") < 0 ||
        note_repairs(rep, c, c->npairs, pair_json, "pairs") < 0)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the report's context");
    return GX_OK;
}

cJSON *gx_health_json(const struct gx_health *h, int n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *checks = cJSON_AddArrayToObject(o, "checks");
    static const char *const ran[] = {"pcie-below-max", "nvlink-down", "nvlink-below-siblings",
                                      "c2c-down", "nic-below-siblings", "above-line-rate",
                                      "ceiling-below-usual-share", "below-siblings", "slow-node"};
    for (size_t i = 0; i < sizeof ran / sizeof ran[0]; i++)
        cJSON_AddItemToArray(checks, cJSON_CreateString(ran[i]));
    /* Each once: a check's counters are neighbours in their table. */
    const char *last = "";
    for (int c = 0; c < GX_CNTS; c++)
        if (gx_cnt_info[c].check && strcmp(gx_cnt_info[c].check, last) != 0)
            cJSON_AddItemToArray(checks, cJSON_CreateString(last = gx_cnt_info[c].check));
    cJSON *f = cJSON_AddArrayToObject(o, "findings");
    for (int i = 0; i < n; i++) {
        cJSON *x = gx_json_append_object(f);
        cJSON_AddStringToObject(x, "check", h[i].check);
        cJSON_AddStringToObject(x, "severity", h[i].warning ? "warning" : "finding");
        add_known(x, "rank", h[i].rank >= 0, h[i].rank);
        cJSON_AddStringToObject(x, "line", h[i].line);
        cJSON_AddStringToObject(x, "evidence", h[i].evidence);
    }
    return o;
}

/* The GPUs' counters around the run, per GPU: each one's value before and after, or why it is
 * unavailable. */
static cJSON *reasons_json(uint64_t bits)
{
    const char *names[64];
    int n = gx_clock_reasons(bits, names, 64);
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
    return a;
}

static cJSON *counter_json(const struct gx_gpu_counters *g, int c)
{
    cJSON *o = cJSON_CreateObject();
    if (g->why[c] >= 0) {
        cJSON_AddStringToObject(o, "unavailable", g->reasons[g->why[c]]);
        return o;
    }
    cJSON_AddNumberToObject(o, "before", (double)g->before[c]);
    cJSON_AddNumberToObject(o, "after", (double)g->after[c]);
    if (c < GX_CNT_NVLINKS) {
        cJSON_AddNumberToObject(o, "links", g->links_read[c]);
        cJSON *moved = cJSON_AddArrayToObject(o, "links_moved");
        for (int l = 0; l < 64; l++)
            if (g->links_moved[c] >> l & 1)
                cJSON_AddItemToArray(moved, cJSON_CreateNumber(l));
    } else if (c == GX_CNT_XID) {
        cJSON *x = cJSON_AddArrayToObject(o, "xids");
        for (uint64_t i = 0; i < g->after[c] && i < GX_CNT_XIDS; i++)
            cJSON_AddItemToArray(x, cJSON_CreateNumber(g->xids[i]));
    } else if (c == GX_CNT_CLOCK_EVENTS) {
        cJSON_AddItemToObject(o, "before_reasons", reasons_json(g->before[c]));
        cJSON_AddItemToObject(o, "after_reasons", reasons_json(g->after[c]));
    }
    return o;
}

cJSON *gx_counters_json(const struct gx_gpu_counters *all, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; all && i < n; i++) {
        const struct gx_gpu_counters *g = &all[i];
        if (!g->has_gpu || !gx_counters_first_of_gpu(all, i))
            continue;
        cJSON *o = gx_json_append_object(a);
        cJSON_AddNumberToObject(o, "rank", g->rank);
        cJSON_AddNumberToObject(o, "node", g->node);
        cJSON_AddItemToObject(o, "pci_bus_id", g->busid[0] ? cJSON_CreateString(g->busid)
                                                           : cJSON_CreateNull());
        if (!g->read) {
            cJSON_AddStringToObject(o, "unavailable", g->none);
        } else {
            cJSON_AddNumberToObject(o, "seconds", g->seconds);
            cJSON *c = cJSON_AddObjectToObject(o, "counters");
            for (int k = 0; k < GX_CNTS; k++)
                cJSON_AddItemToObject(c, gx_cnt_info[k].name, counter_json(g, k));
        }
    }
    return a;
}
