/* The topology in the report (per rank, per measured pair) and the human header. */
#include "config.h"
#include "wrap.h"
#include "job.h"
#include "links.h"
#include "pairs.h"
#include "topo.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static cJSON *int_list_json(const char *list)
{
    cJSON *a = cJSON_CreateArray();
    for (const char *p = list; a && *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        cJSON_AddItemToArray(a, cJSON_CreateNumber((double)v));
        p = *end == ',' ? end + 1 : end;
    }
    return a;
}

void gx_topo_rank_json(const struct gx_job *job, cJSON *r)
{
    const struct gx_topo_rank *t = job->topo;
    if (!t)
        return;
    cJSON *gpu = cJSON_AddObjectToObject(r, "gpu");
    cJSON_AddBoolToObject(gpu, "present", t->has_gpu);
    cJSON_AddBoolToObject(gpu, "fake", t->fake);
    if (!t->has_gpu) {
        cJSON_AddStringToObject(gpu, "reason", t->why_no_gpu);
    } else {
        cJSON_AddNumberToObject(gpu, "visible_index", t->visible);
        cJSON_AddNumberToObject(gpu, "visible_count", t->nvisible);
        if (t->physical >= 0)
            cJSON_AddNumberToObject(gpu, "physical_index", t->physical);
        cJSON_AddStringToObject(gpu, "name", t->name);
        cJSON_AddStringToObject(gpu, "pci_bus_id", t->busid);
        if (t->uuid[0])
            cJSON_AddStringToObject(gpu, "uuid", t->uuid);
        if (t->memory > 0)
            cJSON_AddNumberToObject(gpu, "memory_bytes", t->memory);
        if (t->l2 > 0)
            cJSON_AddNumberToObject(gpu, "l2_bytes", t->l2);
        cJSON_AddItemToObject(gpu, "numa_nodes", int_list_json(t->numa));
        if (t->nic[0]) {
            cJSON *nic = cJSON_AddObjectToObject(gpu, "nearest_nic");
            cJSON_AddStringToObject(nic, "name", t->nic);
            cJSON_AddStringToObject(nic, "link", t->nic_link ? t->nic_link : "?");
        }
        cJSON *sh = cJSON_AddArrayToObject(gpu, "shared_with");
        for (int i = 0; i < t->nshared; i++)
            cJSON_AddItemToArray(sh, cJSON_CreateNumber(t->shared_with[i]));
    }
    if (t->nic_use.name[0]) {
        cJSON *nic = cJSON_AddObjectToObject(r, "nic");
        cJSON_AddStringToObject(nic, "name", t->nic_use.name);
        cJSON_AddStringToObject(nic, "source", t->nic_use.source);
        cJSON_AddStringToObject(nic, "place", t->nic_use.place);
        if (t->nic_use.link)
            cJSON_AddStringToObject(nic, "link", t->nic_use.link);
        cJSON_AddBoolToObject(nic, "flagged", t->nic_use.flagged);
    }
    cJSON *b = cJSON_AddObjectToObject(r, "binding");
    cJSON_AddStringToObject(b, "policy", t->policy);
    cJSON_AddStringToObject(b, "decision", t->decision);
    cJSON_AddStringToObject(b, "reason", t->reason);
    cJSON_AddBoolToObject(b, "applied", t->applied);
    cJSON_AddStringToObject(b, "topology", t->topology);
    if (t->planned[0])
        cJSON_AddStringToObject(b, "planned_cpuset", t->planned);
    cJSON_AddStringToObject(b, "memory", t->membind);
    cJSON *links = cJSON_AddArrayToObject(r, "gpu_links");
    for (int i = 0; i < t->nlinks; i++) {
        const struct gx_topo_link *l = &t->links[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "rank", l->rank);
        cJSON_AddStringToObject(o, "link", l->link);
        cJSON_AddStringToObject(o, "source", l->source);
        if (l->p2p < 0)
            cJSON_AddNullToObject(o, "peer_access");
        else
            cJSON_AddBoolToObject(o, "peer_access", l->p2p);
        cJSON_AddItemToArray(links, o);
    }
    if (t->facts)
        cJSON_AddItemToObject(r, "link_facts", gx_links_rank_json(t->facts));
    cJSON *w = cJSON_AddArrayToObject(r, "warnings");
    for (int i = 0; i < t->nwarnings; i++)
        cJSON_AddItemToArray(w, cJSON_CreateString(t->warnings[i]));
}

static const cJSON *rank_obj(const cJSON *context, int rank)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(context, "ranks"), rank);
}

static const char *nic_of(const cJSON *r)
{
    const cJSON *used = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "nic"),
                                                         "name");
    if (cJSON_IsString(used))
        return used->valuestring; /* the NIC in use, where the rank knows it */
    const cJSON *nic = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(r, "gpu"), "nearest_nic");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(nic, "name");
    return cJSON_IsString(name) ? name->valuestring : NULL;
}

static const cJSON *link_to(const cJSON *r, int peer)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(r, "gpu_links"))
    {
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(l, "rank");
        if (cJSON_IsNumber(pr) && pr->valueint == peer)
            return l;
    }
    return NULL;
}

/* The route between the two ranks' GPU memories, where rank 0 has every rank's facts. */
static void add_route(cJSON *o, const struct gx_topo_rank *t, int a, int b)
{
    if (!t || !t->all_facts || a >= t->nall_facts || b >= t->nall_facts)
        return;
    struct gx_route route;
    gx_route_pair(&t->all_facts[a], &t->all_facts[b], 1, 1, 0, &route);
    cJSON_AddItemToObject(o, "route", gx_route_json(&route));
}

static void add_pair(cJSON *pairs, const cJSON *context, const struct gx_topo_rank *t, int a,
                     int b)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, pairs)
    {
        const cJSON *rk = cJSON_GetObjectItemCaseSensitive(p, "ranks");
        if (cJSON_GetArrayItem(rk, 0)->valueint == a && cJSON_GetArrayItem(rk, 1)->valueint == b)
            return;
    }
    const cJSON *ra = rank_obj(context, a), *rb = rank_obj(context, b);
    const cJSON *na = cJSON_GetObjectItemCaseSensitive(ra, "node");
    const cJSON *nb = cJSON_GetObjectItemCaseSensitive(rb, "node");
    int same = cJSON_IsNumber(na) && cJSON_IsNumber(nb) && na->valueint == nb->valueint;
    cJSON *o = cJSON_CreateObject();
    int ids[2] = {a, b};
    cJSON_AddItemToObject(o, "ranks", cJSON_CreateIntArray(ids, 2));
    cJSON_AddBoolToObject(o, "same_node", same);
    if (same) {
        const cJSON *l = link_to(ra, b);
        const cJSON *link = cJSON_GetObjectItemCaseSensitive(l, "link");
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(l, "source");
        const cJSON *p2p = cJSON_GetObjectItemCaseSensitive(l, "peer_access");
        if (cJSON_IsString(link)) {
            cJSON_AddStringToObject(o, "link", link->valuestring);
            cJSON_AddStringToObject(o, "link_source", cJSON_IsString(src) ? src->valuestring : "");
        } else {
            cJSON_AddNullToObject(o, "link");
            cJSON_AddStringToObject(o, "link_source", "a rank of the pair has no GPU");
        }
        if (cJSON_IsBool(p2p))
            cJSON_AddBoolToObject(o, "peer_access", cJSON_IsTrue(p2p));
        else
            cJSON_AddNullToObject(o, "peer_access");
    } else {
        cJSON *nics = cJSON_AddArrayToObject(o, "nics");
        const char *x = nic_of(ra), *y = nic_of(rb);
        cJSON_AddItemToArray(nics, x ? cJSON_CreateString(x) : cJSON_CreateNull());
        cJSON_AddItemToArray(nics, y ? cJSON_CreateString(y) : cJSON_CreateNull());
    }
    add_route(o, t, a, b);
    cJSON_AddItemToArray(pairs, o);
}

void gx_topo_pairs_json(cJSON *context, const struct gx_topo_rank *t,
                        const struct gx_pairs *runs, int nruns)
{
    if (!context)
        return;
    cJSON *pairs = cJSON_AddArrayToObject(context, "pairs");
    for (int r = 0; r < nruns; r++) {
        const struct gx_pairs *ps = &runs[r];
        for (int i = 0; i < ps->nrounds; i++)
            for (int j = 0; j < ps->rounds[i].npairs; j++)
                add_pair(pairs, context, t, ps->rounds[i].pairs[j].a, ps->rounds[i].pairs[j].b);
    }
}

static const char *str(const cJSON *obj, const char *key, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* "#   route: 425.0 GB/s: NVLink 4, 17 links 425.0 GB/s", the narrowest first. */
static void print_route(FILE *out, const cJSON *route)
{
    if (!route)
        return;
    const cJSON *line = cJSON_GetObjectItemCaseSensitive(route, "line_gbs");
    char hops[400] = "";
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(route, "hops"))
    {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(h, "gbs");
        size_t l = strlen(hops);
        if (cJSON_IsNumber(g))
            snprintf(hops + l, sizeof hops - l, "%s%s %.1f", l ? ", " : "", str(h, "what", "?"),
                     g->valuedouble);
        else
            snprintf(hops + l, sizeof hops - l, "%s%s ?", l ? ", " : "", str(h, "what", "?"));
    }
    if (cJSON_IsNumber(line))
        gx_print_note(out, "#   route: line rate %.1f GB/s%s: %s\n", line->valuedouble,
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(route, "partial"))
                    ? " (of the known links)" : "", hops);
    else
        gx_print_note(out, "#   route: line rate unknown (%s)%s%s\n", str(route, "why", "?"),
                hops[0] ? ": " : "", hops);
}

void gx_topo_print_header(FILE *out, const cJSON *context)
{
    const cJSON *r;
    const cJSON *ranks = cJSON_GetObjectItemCaseSensitive(context, "ranks");
    fprintf(out, "# topology (%s)\n", str(cJSON_GetObjectItemCaseSensitive(
                                               cJSON_GetArrayItem(ranks, 0), "binding"),
                                           "topology", "unknown"));
    fprintf(out, "# %4s %-12s %-12s %-12s %-4s %-14s %-20s %s\n", "rank", "host", "GPU", "bus id",
            "NUMA", "cpuset", "NIC", "binding");
    cJSON_ArrayForEach(r, ranks)
    {
        const cJSON *gpu = cJSON_GetObjectItemCaseSensitive(r, "gpu");
        const cJSON *bind = cJSON_GetObjectItemCaseSensitive(r, "binding");
        char g[64] = "-", numa[32] = "-", cpus[160], nic[80] = "-";
        const cJSON *rk = cJSON_GetObjectItemCaseSensitive(r, "rank");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gpu, "present"))) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(gpu, "visible_index");
            const cJSON *p = cJSON_GetObjectItemCaseSensitive(gpu, "physical_index");
            snprintf(g, sizeof g, "%d (phys %s%d)", cJSON_IsNumber(v) ? v->valueint : -1,
                     cJSON_IsNumber(p) ? "" : "?", cJSON_IsNumber(p) ? p->valueint : 0);
            const cJSON *n;
            numa[0] = '\0';
            cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(gpu, "numa_nodes"))
                snprintf(numa + strlen(numa), sizeof numa - strlen(numa), "%s%d",
                         numa[0] ? "," : "", n->valueint);
            const cJSON *nn = cJSON_GetObjectItemCaseSensitive(gpu, "nearest_nic");
            if (nn)
                snprintf(nic, sizeof nic, "%s(%s)", str(nn, "name", "?"), str(nn, "link", "?"));
        }
        /* The NIC in use and its place from the GPU; "!" on the other socket. */
        const cJSON *used = cJSON_GetObjectItemCaseSensitive(r, "nic");
        if (used)
            snprintf(nic, sizeof nic, "%s(%s%s%s)%s", str(used, "name", "?"), str(used, "link", ""),
                     str(used, "link", "")[0] ? " " : "", str(used, "place", "?"),
                     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(used, "flagged")) ? "!" : "");
        /* What the process runs on; a plan for a foreign topology is marked as such. */
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(bind, "applied")) ||
            !str(bind, "planned_cpuset", NULL))
            snprintf(cpus, sizeof cpus, "%s", str(r, "cpuset", "?"));
        else
            snprintf(cpus, sizeof cpus, "%s(plan)", str(bind, "planned_cpuset", "?"));
        fprintf(out, "# %4d %-12.12s %-12s %-12s %-4s %-14s %-20s %s\n",
                cJSON_IsNumber(rk) ? rk->valueint : -1, str(r, "hostname", "?"), g,
                str(gpu, "pci_bus_id", "-"), numa, cpus, nic, str(bind, "decision", "?"));
    }
    gx_links_print(out, ranks);
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(context, "pairs"))
    {
        const cJSON *rk = cJSON_GetObjectItemCaseSensitive(p, "ranks");
        int a = cJSON_GetArrayItem(rk, 0)->valueint, b = cJSON_GetArrayItem(rk, 1)->valueint;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "same_node"))) {
            const cJSON *pa = cJSON_GetObjectItemCaseSensitive(p, "peer_access");
            gx_print_note(out, "# pair %d:%d same node, link %s (%s), peer access %s\n", a, b,
                    str(p, "link", "-"), str(p, "link_source", ""),
                    cJSON_IsBool(pa) ? (cJSON_IsTrue(pa) ? "yes" : "no") : "unknown");
        } else {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(p, "nics");
            const cJSON *x = cJSON_GetArrayItem(n, 0), *y = cJSON_GetArrayItem(n, 1);
            gx_print_note(out, "# pair %d:%d across nodes, NICs %s -> %s\n", a, b,
                    cJSON_IsString(x) ? x->valuestring : "none",
                    cJSON_IsString(y) ? y->valuestring : "none");
        }
        print_route(out, cJSON_GetObjectItemCaseSensitive(p, "route"));
    }
    const cJSON *w;
    cJSON_ArrayForEach(r, ranks)
    {
        const cJSON *rk = cJSON_GetObjectItemCaseSensitive(r, "rank");
        const cJSON *used = cJSON_GetObjectItemCaseSensitive(r, "nic");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(used, "flagged")))
            fprintf(out, "# warning: rank %d: NIC %s (%s) is on the other socket from its GPU "
                    "(%s): every message crosses the socket link\n",
                    cJSON_IsNumber(rk) ? rk->valueint : -1, str(used, "name", "?"),
                    str(used, "source", "?"), str(used, "link", "SYS"));
        cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(r, "warnings"))
            fprintf(out, "# warning: rank %d: %s\n", cJSON_IsNumber(rk) ? rk->valueint : -1,
                    cJSON_IsString(w) ? w->valuestring : "");
    }
    /* The MPI library's own start-up notice, once for the ranks that share it (every rank of
     * a node prints it, and the launcher gathers them). */
    const char *said = NULL;
    cJSON_ArrayForEach(r, ranks)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(r, "mpi_startup_notice");
        if (cJSON_IsString(n) && (!said || strcmp(said, n->valuestring) != 0))
            gx_print_note(out, "# note: %s\n", said = n->valuestring);
    }
    fflush(out);
}

int gx_topo_shares_gpu(const struct gx_topo_rank *t, int peer)
{
    for (int i = 0; t && i < t->nshared; i++)
        if (t->shared_with[i] == peer)
            return 1;
    return 0;
}
