/* The report's "context" from rank 0's typed rows: each rank and pair made only as the report is
 * written, so that rank 0 never holds the context as JSON. */
#include "config.h"
#include "context.h"

#include "gpu_counters.h"
#include "links.h"
#include "mpilib.h"
#include "output.h"
#include "report.h"
#include "versions.h"
#include "wrap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void add_str(cJSON *o, const char *key, const struct gx_context *c, gx_sid s)
{
    const char *v = gx_ctx_str(c, s);
    if (v)
        cJSON_AddStringToObject(o, key, v);
}

static cJSON *names_json(const struct gx_mpi_names *n)
{
    cJSON *a = cJSON_CreateArray();
    for (const char *name = NULL; a && (name = gx_mpi_names_next(n, name));)
        cJSON_AddItemToArray(a, cJSON_CreateString(name));
    return a;
}

static cJSON *transport_json(const struct gx_context *c, const struct gx_ctx_rank *r)
{
    size_t len;
    const void *bytes = gx_strpool_get(&c->pool, r->transport, &len);
    struct gx_mpi_transport *t = bytes && len == sizeof *t ? malloc(sizeof *t) : NULL;
    cJSON *o = t ? cJSON_CreateObject() : NULL;
    if (!o) {
        free(t);
        return NULL;
    }
    memcpy(t, bytes, sizeof *t);
    /* Another rank's bytes: every string ends within its array, whatever came. */
    const struct gx_ucx_facts *u = &t->ucx;
    t->library[sizeof t->library - 1] = t->pml[sizeof t->pml - 1] = '\0';
    t->device[sizeof t->device - 1] = t->ucx.version[sizeof u->version - 1] = '\0';
    t->btl.text[sizeof t->btl.text - 1] = t->ucx.modules.text[sizeof u->modules.text - 1] = '\0';
    for (int i = 0; i < GX_UCX_SETTINGS; i++) {
        t->ucx.settings[i].name[sizeof u->settings[i].name - 1] = '\0';
        t->ucx.settings[i].value[sizeof u->settings[i].value - 1] = '\0';
    }
    cJSON_AddStringToObject(o, "library", t->library);
    if (t->pml[0])
        cJSON_AddStringToObject(o, "pml", t->pml);
    if (t->has_btl)
        cJSON_AddItemToObject(o, "btl", names_json(&t->btl));
    if (t->device[0])
        cJSON_AddStringToObject(o, "device", t->device);
    cJSON *ux = u->loaded ? cJSON_AddObjectToObject(o, "ucx") : NULL;
    if (ux && u->has_version)
        cJSON_AddStringToObject(ux, "version", u->version);
    for (int i = 0; ux && i < u->nsettings && i < GX_UCX_SETTINGS; i++)
        cJSON_AddStringToObject(ux, u->settings[i].name, u->settings[i].value);
    if (ux)
        cJSON_AddItemToObject(ux, "transport_modules", names_json(&u->modules));
    free(t);
    return o;
}

/* "NAME\0value" each. */
static cJSON *env_json(const struct gx_context *c, const struct gx_ctx_rank *r)
{
    cJSON *o = cJSON_CreateObject();
    const gx_sid *list = gx_strpool_get(&c->pool, r->env, NULL);
    for (uint32_t i = 0; o && list && i < r->env_len; i++) {
        const char *name = gx_ctx_str(c, list[i]);
        if (name)
            cJSON_AddStringToObject(o, name, name + strlen(name) + 1);
    }
    return o;
}

static cJSON *software_json(const struct gx_context *c, const struct gx_ctx_rank *r)
{
    cJSON *o = cJSON_CreateObject();
    size_t len;
    const char *p = gx_strpool_get(&c->pool, r->software, &len), *end = p ? p + len : NULL;
    while (o && p && p < end) {
        const char *value = p + strlen(p) + 1;
        if (value >= end)
            break;
        cJSON_AddStringToObject(o, p, value);
        p = value + strlen(value) + 1;
    }
    return o;
}

static cJSON *gpu_json(const struct gx_context *c, const struct gx_ctx_rank *r)
{
    cJSON *gpu = cJSON_CreateObject();
    cJSON_AddBoolToObject(gpu, "present", r->has_gpu);
    cJSON_AddBoolToObject(gpu, "fake", r->fake);
    if (!r->has_gpu) {
        add_str(gpu, "reason", c, r->why_no_gpu);
        return gpu;
    }
    cJSON_AddNumberToObject(gpu, "visible_index", r->visible);
    cJSON_AddNumberToObject(gpu, "visible_count", r->nvisible);
    if (r->physical >= 0)
        cJSON_AddNumberToObject(gpu, "physical_index", r->physical);
    add_str(gpu, "name", c, r->gpu_name);
    add_str(gpu, "pci_bus_id", c, r->busid);
    add_str(gpu, "uuid", c, r->uuid);
    if (r->memory > 0)
        cJSON_AddNumberToObject(gpu, "memory_bytes", r->memory);
    if (r->l2 > 0)
        cJSON_AddNumberToObject(gpu, "l2_bytes", r->l2);
    int numa[32];
    int n = gx_ctx_int_list(gx_ctx_str(c, r->numa), numa, (int)GX_ARRAY_LEN(numa));
    cJSON_AddItemToObject(gpu, "numa_nodes", cJSON_CreateIntArray(numa, n));
    if (r->nearest_nic != GX_SID_NONE) {
        cJSON *nic = cJSON_AddObjectToObject(gpu, "nearest_nic");
        add_str(nic, "name", c, r->nearest_nic);
        const char *link = gx_ctx_str(c, r->nearest_nic_link);
        cJSON_AddStringToObject(nic, "link", link ? link : "?");
    }
    const int32_t *shared = gx_strpool_get(&c->pool, r->shared_with, NULL);
    cJSON *sh = cJSON_AddArrayToObject(gpu, "shared_with");
    for (int i = 0; shared && i < r->nshared; i++)
        cJSON_AddItemToArray(sh, cJSON_CreateNumber(shared[i]));
    return gpu;
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

static void add_topo(cJSON *o, const struct gx_context *c, const struct gx_ctx_rank *r)
{
    cJSON_AddItemToObject(o, "gpu", gpu_json(c, r));
    if (r->nic_name != GX_SID_NONE) {
        cJSON *nic = cJSON_AddObjectToObject(o, "nic");
        add_str(nic, "name", c, r->nic_name);
        add_str(nic, "source", c, r->nic_source);
        add_str(nic, "place", c, r->nic_place);
        add_str(nic, "link", c, r->nic_link);
        cJSON_AddBoolToObject(nic, "flagged", r->nic_flagged);
    }
    cJSON *b = cJSON_AddObjectToObject(o, "binding");
    add_str(b, "policy", c, r->policy);
    add_str(b, "decision", c, r->decision);
    add_str(b, "reason", c, r->reason);
    cJSON_AddBoolToObject(b, "applied", r->applied);
    add_str(b, "topology", c, r->topology);
    add_str(b, "planned_cpuset", c, r->planned);
    add_str(b, "memory", c, r->membind);
    cJSON *links = cJSON_AddArrayToObject(o, "gpu_links");
    const struct gx_ctx_link *l = gx_strpool_get(&c->pool, r->links, NULL);
    for (int i = 0; l && i < r->nlinks; i++) {
        cJSON *x = gx_json_append_object(links);
        cJSON_AddNumberToObject(x, "rank", l[i].rank);
        add_str(x, "link", c, l[i].link);
        add_str(x, "source", c, l[i].source);
        cJSON_AddItemToObject(x, "peer_access", l[i].p2p < 0 ? cJSON_CreateNull()
                                                             : cJSON_CreateBool(l[i].p2p));
    }
    struct gx_link_facts f;
    if (r->has_facts && gx_link_facts_of(c->facts, r->rank, &f) == 0)
        cJSON_AddItemToObject(o, "link_facts", links_rank_json(&f));
    cJSON *w = cJSON_AddArrayToObject(o, "warnings");
    const gx_sid *ws = gx_strpool_get(&c->pool, r->warnings, NULL);
    for (int i = 0; ws && i < r->nwarnings; i++)
        cJSON_AddItemToArray(w, cJSON_CreateString(gx_ctx_str(c, ws[i])));
}

/* null where its context did not come. */
static cJSON *rank_json(const struct gx_context *c, int rank)
{
    const struct gx_ctx_rank *r = gx_ctx_rank(c, rank);
    if (!r)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "rank", r->rank);
    add_str(o, "hostname", c, r->hostname);
    cJSON_AddNumberToObject(o, "pid", r->pid);
    cJSON_AddNumberToObject(o, "node", r->node);
    cJSON_AddNumberToObject(o, "local_rank", r->local_rank);
    cJSON_AddNumberToObject(o, "local_size", r->local_size);
    add_str(o, "mpi_library", c, r->mpi_library);
    add_str(o, "cpuset", c, r->cpuset);
    cJSON_AddBoolToObject(o, "cuda_aware_mpi", r->cuda_aware);
    add_str(o, "cuda_aware_mpi_reason", c, r->cuda_aware_why);
    add_str(o, "cuda_context", c, r->cuda_context);
    add_str(o, "mpi_startup_notice", c, r->mpi_notice);
    cJSON_AddItemToObject(o, "mpi_transport", transport_json(c, r));
    cJSON_AddItemToObject(o, "env", env_json(c, r));
    cJSON_AddItemToObject(o, "software", software_json(c, r));
    if (r->has_topo)
        add_topo(o, c, r);
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
        e = item ? gx_stream_repaired(w, item) : ENOMEM;
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
        int r = item ? gx_report_note_repairs(rep, item, place) : -1;
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
    return fill_with(w, c, c->nranks, rank_json);
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
    cJSON *ranks = gx_report_stream_slot(rep, "context.ranks", fill_ranks, c, err);
    cJSON *pairs = ranks ? gx_report_stream_slot(rep, "context.pairs", fill_pairs, c, err) : NULL;
    if (!pairs) {
        cJSON_Delete(ranks);
        cJSON_Delete(o);
        return GX_ERUNTIME;
    }
    cJSON_AddItemToObject(o, "ranks", ranks);
    cJSON_AddItemToObject(o, "pairs", pairs);
    gx_report_set(rep, "context", o);
    if (note_repairs(rep, c, c->nranks, rank_json, "ranks") < 0 ||
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

/* The table's header from the context's rows: the ranks' places and links, the pairs' routes,
 * the warnings. */
/* "#   route: line rate 425.0 GB/s: NVLink 4, 17 links 425.0", the narrowest first. */
static void print_route(FILE *out, const struct gx_route *r)
{
    char hops[400] = "";
    for (int i = 0; i < r->nhops; i++) {
        const struct gx_hop *h = &r->hops[i];
        size_t l = strlen(hops);
        if (h->gbs > 0)
            snprintf(hops + l, sizeof hops - l, "%s%s %.1f", l ? ", " : "", h->what, h->gbs);
        else
            snprintf(hops + l, sizeof hops - l, "%s%s ?", l ? ", " : "", h->what);
    }
    if (r->line_gbs > 0)
        gx_print_note(out, "#   route: line rate %.1f GB/s%s: %s\n", r->line_gbs,
                      r->partial ? " (of the known links)" : "", hops);
    else
        gx_print_note(out, "#   route: line rate unknown (%s)%s%s\n", r->why[0] ? r->why : "?",
                      hops[0] ? ": " : "", hops);
}

/* A rank's links, each with rate and source; 0 where it has none. */
static int print_links(FILE *out, int rank, const struct gx_link_facts *f)
{
    char pcie[160] = "-", nvl[120] = "-", nic[120] = "-", c2c[80] = "", what[96];
    if (f->has_gpu) {
        const struct gx_pcie_facts *p = &f->pcie;
        double line = gx_pcie_line_gbs(p, what, sizeof what);
        const char *why = p->why[0] && (!p->cur_gen || !p->max_gen) ? p->why : NULL;
        char c[48] = "?", m[48] = "?";
        if (p->cur_gen > 0)
            snprintf(c, sizeof c, "gen%d x%d %s %s", p->cur_gen, p->cur_width,
                     gx_src_names[p->cur_src], p->under_load ? "under load" : "at idle");
        if (p->max_gen > 0)
            snprintf(m, sizeof m, "gen%d x%d %s", p->max_gen, p->max_width,
                     gx_src_names[p->max_src]);
        char whole[GX_LINK_WHY + 64];
        if (line > 0 && p->cur_gen > 0)
            snprintf(whole, sizeof whole, "%.1f GB/s (now %s, max %s)", line, c, m);
        else if (line > 0) /* hwloc's speed: no generation or width */
            snprintf(whole, sizeof whole, "%.1f GB/s (hwloc's link speed; %s)", line,
                     why ? why : "gen and width unknown");
        else
            snprintf(whole, sizeof whole, "? (%s)", why ? why : "unknown");
        /* Cut to the column's bytes: a long why ends where it always did. */
        size_t n = strnlen(whole, sizeof pcie - 1);
        memcpy(pcie, whole, n);
        pcie[n] = '\0';
        const struct gx_nvlink_facts *v = &f->nvlink;
        double per = 0;
        int gen = gx_nvlink_generation(v->nvml_version, &per);
        if (v->links > 0 && gen > 0)
            snprintf(nvl, sizeof nvl, "%d, %d of %d active, %.1f GB/s", gen, v->active, v->links,
                     per * (v->active > 0 ? v->active : 0));
        else if (v->links > 0)
            snprintf(nvl, sizeof nvl, "%d of %d active, rate ?", v->active, v->links);
        if (f->c2c.links > 0)
            snprintf(c2c, sizeof c2c, "; C2C %d of %d active, %.1f GB/s", f->c2c.active,
                     f->c2c.links, gx_c2c_line_gbs(&f->c2c));
    }
    if (f->nic.name[0] && f->nic.gbits > 0)
        snprintf(nic, sizeof nic, "%s %.0f Gb/s %s", f->nic.name, f->nic.gbits,
                 gx_src_names[f->nic.src]);
    else if (f->nic.name[0])
        snprintf(nic, sizeof nic, "%s rate ?", f->nic.name);
    /* A line of dashes a rank would bury the header of a host-only job. */
    if (!f->has_gpu && !c2c[0] && !strcmp(nic, "-"))
        return 0;
    gx_print_note(out, "# links %d: PCIe %s; NVLink %s%s; NIC %s\n", rank, pcie, nvl, c2c, nic);
    return 1;
}

/* A rank's GPU states by counter: why each is unavailable (NULL: read). */
struct gpu_states {
    int read;
    const char *none;
    uint32_t v[GX_CNTS];
    const char *why[GX_CNTS];
    int has[GX_CNTS];
};

static void gpu_states_of(const struct gx_context *c, const struct gx_ctx_rank *r,
                          struct gpu_states *st)
{
    memset(st, 0, sizeof *st);
    size_t len = 0;
    const char *bytes = gx_strpool_get(&c->pool, r->gpu_state, &len);
    st->none = "not in the rank's context";
    struct gx_ctx_gpu_state s;
    for (int i = 0; bytes && i < r->ngpu_state && (size_t)(i + 1) * sizeof s <= len; i++) {
        memcpy(&s, bytes + (size_t)i * sizeof s, sizeof s);
        if (s.cnt < 0) {
            const char *why = gx_ctx_str(c, s.why);
            st->none = why && why[0] ? why : "not read";
            return;
        }
        if (s.cnt >= GX_CNTS)
            continue;
        st->read = 1;
        st->has[s.cnt] = 1;
        st->v[s.cnt] = s.value;
        st->why[s.cnt] = gx_ctx_str(c, s.why);
    }
}

static void state_text(char *buf, size_t len, const struct gpu_states *st, enum gx_cnt c)
{
    uint32_t v = st->v[c];
    if (!st->has[c])
        snprintf(buf, len, "unknown");
    else if (st->why[c])
        snprintf(buf, len, "unavailable (%s)", st->why[c]);
    else if (c == GX_CNT_SM_MHZ || c == GX_CNT_MEM_MHZ)
        snprintf(buf, len, "%u MHz", (unsigned)v);
    else if (c == GX_CNT_POWER_LIMIT) /* NVML gives mW; a board's limit is whole watts */
        snprintf(buf, len, "%.0f W", (double)v / 1000.0);
    else if (c == GX_CNT_PERSISTENCE || c == GX_CNT_MIG || c == GX_CNT_MPS ||
             c == GX_CNT_ECC_MODE || c == GX_CNT_ECC_PENDING)
        snprintf(buf, len, "%s", v ? "on" : "off");
    else
        snprintf(buf, len, "%u", (unsigned)v);
}

/* "# gpu 0: SM/mem 1755/2619 MHz, power limit 400 W, ..., ECC on, errors 0": as the counters'
 * first reading found it, once per GPU. */
static void print_gpu_state(FILE *out, const struct gx_context *c, const struct gx_ctx_rank *r)
{
    struct gpu_states st;
    gpu_states_of(c, r, &st);
    if (!st.read) {
        gx_print_note(out, "# gpu %d: state unavailable (%s)\n", r->rank, st.none);
        return;
    }
    static const struct {
        enum gx_cnt c;
        const char *name;
    } shown[] = {{GX_CNT_SM_MHZ, "SM"},
                 {GX_CNT_MEM_MHZ, "mem"},
                 {GX_CNT_POWER_LIMIT, "power limit"},
                 {GX_CNT_PERSISTENCE, "persistence"},
                 {GX_CNT_MIG, "MIG"},
                 {GX_CNT_MPS, "MPS"}};
    char line[2048] = "", t[GX_CNT_REASON + 32];
    size_t from = 0;
    if (st.has[GX_CNT_SM_MHZ] && !st.why[GX_CNT_SM_MHZ] && st.has[GX_CNT_MEM_MHZ] &&
        !st.why[GX_CNT_MEM_MHZ]) { /* both clocks in one item */
        snprintf(line, sizeof line, "SM/mem %u/%u MHz", (unsigned)st.v[GX_CNT_SM_MHZ],
                 (unsigned)st.v[GX_CNT_MEM_MHZ]);
        from = 2;
    }
    for (size_t i = from; i < sizeof shown / sizeof *shown; i++) {
        state_text(t, sizeof t, &st, shown[i].c);
        size_t l = strlen(line);
        snprintf(line + l, sizeof line - l, "%s%s %s", l ? ", " : "", shown[i].name, t);
    }
    /* ECC's mode (and the one a reset will bring), then its counts since the driver loaded. */
    char ce[GX_CNT_REASON + 32], ue[GX_CNT_REASON + 32];
    enum gx_cnt cc = GX_CNT_ECC_CORRECTED, uc = GX_CNT_ECC_UNCORRECTED;
    state_text(ce, sizeof ce, &st, GX_CNT_ECC_MODE);
    size_t l = strlen(line);
    snprintf(line + l, sizeof line - l, ", ECC %s", ce);
    if (st.has[GX_CNT_ECC_MODE] && !st.why[GX_CNT_ECC_MODE] && st.has[GX_CNT_ECC_PENDING] &&
        !st.why[GX_CNT_ECC_PENDING] && st.v[GX_CNT_ECC_PENDING] != st.v[GX_CNT_ECC_MODE]) {
        l = strlen(line);
        snprintf(line + l, sizeof line - l, " (%s after a reset)",
                 st.v[GX_CNT_ECC_PENDING] ? "on" : "off");
    }
    state_text(ce, sizeof ce, &st, cc);
    state_text(ue, sizeof ue, &st, uc);
    l = strlen(line);
    int both = st.has[cc] && st.has[uc] && !st.why[cc] && !st.why[uc];
    if (both && !st.v[cc] && !st.v[uc])
        snprintf(line + l, sizeof line - l, ", errors 0"); /* the usual case on one line */
    else if (both)
        snprintf(line + l, sizeof line - l, ", errors %s corrected, %s uncorrected", ce, ue);
    else if (!strcmp(ce, ue))
        snprintf(line + l, sizeof line - l, ", errors %s", ce);
    else
        snprintf(line + l, sizeof line - l, ", errors corrected %s, uncorrected %s", ce, ue);
    gx_print_note(out, "# gpu %d: %s\n", r->rank, line);
}

static int gpu_seen_before(const struct gx_context *c, const struct gx_ctx_rank *r)
{
    const char *bus = gx_ctx_str(c, r->busid);
    for (int i = 0; bus && i < r->rank; i++) {
        const struct gx_ctx_rank *o = gx_ctx_rank(c, i);
        const char *ob = o && o->has_gpu ? gx_ctx_str(c, o->busid) : NULL;
        if (ob && o->node == r->node && strcmp(ob, bus) == 0)
            return 1;
    }
    return 0;
}

static void print_rank(FILE *out, const struct gx_context *c, const struct gx_ctx_rank *r)
{
    char g[64] = "-", numa[32] = "-", cpus[160], nic[80] = "-";
    const char *planned = r ? gx_ctx_str(c, r->planned) : NULL;
    if (r && r->has_gpu) {
        if (r->physical >= 0)
            snprintf(g, sizeof g, "%d (phys %d)", r->visible, r->physical);
        else
            snprintf(g, sizeof g, "%d (phys ?0)", r->visible);
        int nodes[32], n = gx_ctx_int_list(gx_ctx_str(c, r->numa), nodes, 32);
        numa[0] = '\0';
        for (int i = 0; i < n; i++)
            snprintf(numa + strlen(numa), sizeof numa - strlen(numa), "%s%d", numa[0] ? "," : "",
                     nodes[i]);
        if (r->nearest_nic != GX_SID_NONE) {
            const char *link = gx_ctx_str(c, r->nearest_nic_link);
            snprintf(nic, sizeof nic, "%s(%s)", gx_ctx_str(c, r->nearest_nic), link ? link : "?");
        }
    }
    /* "!": on the other socket. */
    if (r && r->nic_name != GX_SID_NONE) {
        const char *link = gx_ctx_str(c, r->nic_link), *place = gx_ctx_str(c, r->nic_place);
        snprintf(nic, sizeof nic, "%s(%s%s%s)%s", gx_ctx_str(c, r->nic_name), link ? link : "",
                 link && link[0] ? " " : "", place ? place : "?", r->nic_flagged ? "!" : "");
    }
    /* A plan for a foreign topology is marked as such. */
    const char *cpuset = r ? gx_ctx_str(c, r->cpuset) : NULL;
    if ((r && r->applied) || !planned)
        snprintf(cpus, sizeof cpus, "%s", cpuset ? cpuset : "?");
    else
        snprintf(cpus, sizeof cpus, "%s(plan)", planned);
    const char *host = r ? gx_ctx_str(c, r->hostname) : NULL;
    const char *bus = r && r->has_gpu ? gx_ctx_str(c, r->busid) : NULL;
    const char *decision = r ? gx_ctx_str(c, r->decision) : NULL;
    fprintf(out, "# %4d %-12.12s %-12s %-12s %-4s %-14s %-20s %s\n", r ? r->rank : -1,
            host ? host : "?", g, bus ? bus : "-", numa, cpus, nic, decision ? decision : "?");
}

/* After LABEL ("pair 0:1", "12 pairs (0:1, 1:2, ...)"). */
static void print_pair(FILE *out, const struct gx_context *c, const struct gx_ctx_pair *p,
                       const char *label)
{
    struct gx_ctx_pair_view v;
    gx_ctx_pair_view(c, p->a, p->b, &v);
    if (v.same_node)
        gx_print_note(out, "# %s same node, link %s (%s), peer access %s\n", label,
                      v.link ? v.link : "-", v.link_source ? v.link_source : "",
                      v.p2p < 0 ? "unknown" : v.p2p ? "yes" : "no");
    else
        gx_print_note(out, "# %s across nodes, NICs %s -> %s\n", label,
                      v.nics[0] ? v.nics[0] : "none", v.nics[1] ? v.nics[1] : "none");
    if (v.has_route)
        print_route(out, &v.route);
}

/* A pair's lines without its label (NULL: out of memory). */
static char *pair_text(const struct gx_context *c, const struct gx_ctx_pair *p)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return NULL;
    print_pair(m, c, p, "");
    if (fclose(m) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

#define ROUTE_PAIRS_NAMED 6
/* Up to this many pairs of one route get their lines each; more, one line. */
#define ROUTE_LINES_PER_ROUTE 2

struct route_entry {
    const char *text;
    int pair;
};

static int route_cmp(const void *p, const void *q)
{
    const struct route_entry *x = p, *y = q;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->pair > y->pair) - (x->pair < y->pair);
}

/* Each distinct link and route once, with its pairs counted: every pair of one node says the
 * same. Sorted by text, so that many pairs group quickly. */
static void print_pairs(FILE *out, const struct gx_context *c)
{
    size_t n = c->npairs > 0 ? (size_t)c->npairs : 1;
    char **text = calloc(n, sizeof *text);
    struct route_entry *sorted = malloc(n * sizeof *sorted);
    int *at = malloc(n * sizeof *at), *same = malloc(n * sizeof *same), ok = text && sorted &&
        at && same;
    for (int i = 0; ok && i < c->npairs; i++)
        ok = (text[i] = pair_text(c, &c->pairs[i])) != NULL;
    for (int i = 0; ok && i < c->npairs; i++)
        sorted[i] = (struct route_entry){text[i], i};
    if (ok)
        qsort(sorted, (size_t)c->npairs, sizeof *sorted, route_cmp);
    for (int from = 0, to; ok && from < c->npairs; from = to) {
        for (to = from + 1; to < c->npairs && !strcmp(sorted[to].text, sorted[from].text); to++)
            ;
        for (int k = from; k < to; k++) {
            at[sorted[k].pair] = from;
            same[sorted[k].pair] = to - from;
        }
    }
    for (int i = 0; i < c->npairs; i++) {
        const struct gx_ctx_pair *p = &c->pairs[i];
        char label[160];
        if (!ok || same[i] <= ROUTE_LINES_PER_ROUTE) {
            snprintf(label, sizeof label, "pair %d:%d", p->a, p->b);
            print_pair(out, c, p, label);
            continue;
        }
        if (sorted[at[i]].pair != i)
            continue; /* said at its first pair */
        char named[120] = "";
        for (int k = at[i]; k < at[i] + same[i] && k < at[i] + ROUTE_PAIRS_NAMED; k++) {
            const struct gx_ctx_pair *q = &c->pairs[sorted[k].pair];
            snprintf(named + strlen(named), sizeof named - strlen(named), "%s%d:%d",
                     named[0] ? ", " : "", q->a, q->b);
        }
        snprintf(label, sizeof label, "%d pairs (%s%s)", same[i], named,
                 same[i] > ROUTE_PAIRS_NAMED ? ", ..." : "");
        print_pair(out, c, p, label);
    }
    for (int i = 0; text && i < c->npairs; i++)
        free(text[i]);
    free(text);
    free(sorted);
    free(at);
    free(same);
}

static void print_warnings(FILE *out, const struct gx_context *c, const struct gx_ctx_rank *r)
{
    if (r->nic_flagged && r->nic_name != GX_SID_NONE) {
        const char *source = gx_ctx_str(c, r->nic_source), *link = gx_ctx_str(c, r->nic_link);
        fprintf(out, "# warning: rank %d: NIC %s (%s) is on the other socket from its GPU (%s): "
                "every message crosses the socket link\n", r->rank, gx_ctx_str(c, r->nic_name),
                source ? source : "?", link ? link : "SYS");
    }
    const gx_sid *w = gx_strpool_get(&c->pool, r->warnings, NULL);
    for (int i = 0; w && i < r->nwarnings; i++) {
        const char *s = gx_ctx_str(c, w[i]);
        fprintf(out, "# warning: rank %d: %s\n", r->rank, s ? s : "");
    }
}

void gx_context_print_header(FILE *out, const struct gx_context *c)
{
    const struct gx_ctx_rank *r0 = gx_ctx_rank(c, 0);
    const char *topology = r0 ? gx_ctx_str(c, r0->topology) : NULL;
    fprintf(out, "# topology (%s)\n", topology ? topology : "unknown");
    fprintf(out, "# %4s %-12s %-12s %-12s %-4s %-14s %-20s %s\n", "rank", "host", "GPU", "bus id",
            "NUMA", "cpuset", "NIC", "binding");
    for (int i = 0; i < c->nranks; i++)
        print_rank(out, c, gx_ctx_rank(c, i));
    int with_facts = 0, printed = 0;
    for (int i = 0; i < c->nranks; i++) {
        const struct gx_ctx_rank *r = gx_ctx_rank(c, i);
        struct gx_link_facts f;
        if (!r || !r->has_facts || gx_link_facts_of(c->facts, r->rank, &f) != 0)
            continue;
        with_facts++;
        printed += print_links(out, r->rank, &f);
    }
    if (with_facts && !printed)
        fprintf(out, "# links: none on any rank (no GPU, no NIC)\n");
    for (int i = 0; i < c->nranks; i++) {
        const struct gx_ctx_rank *r = gx_ctx_rank(c, i);
        if (r && r->has_gpu && !gpu_seen_before(c, r))
            print_gpu_state(out, c, r);
    }
    print_pairs(out, c);
    for (int i = 0; i < c->nranks; i++)
        if (gx_ctx_rank(c, i))
            print_warnings(out, c, gx_ctx_rank(c, i));
    /* The MPI library's start-up notice, once for the ranks that share it. */
    const char *said = NULL;
    for (int i = 0; i < c->nranks; i++) {
        const struct gx_ctx_rank *r = gx_ctx_rank(c, i);
        const char *n = r ? gx_ctx_str(c, r->mpi_notice) : NULL;
        if (n && (!said || strcmp(said, n) != 0))
            gx_print_note(out, "# note: %s\n", said = n);
    }
    fflush(out);
}
