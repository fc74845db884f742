/* The GPUs' counters around the run, per GPU: each one's value before and after, or why it is
 * unavailable. */
#include "config.h"
#include "links_json.h"

#include "gpu_counters.h"

#include <cjson/cJSON.h>

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
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "rank", g->rank);
        cJSON_AddNumberToObject(o, "node", g->node);
        if (g->busid[0])
            cJSON_AddStringToObject(o, "pci_bus_id", g->busid);
        else
            cJSON_AddNullToObject(o, "pci_bus_id");
        if (!g->read) {
            cJSON_AddStringToObject(o, "unavailable", g->none);
        } else {
            cJSON_AddNumberToObject(o, "seconds", g->seconds);
            cJSON *c = cJSON_AddObjectToObject(o, "counters");
            for (int k = 0; k < GX_CNTS; k++)
                cJSON_AddItemToObject(c, gx_cnt_info[k].name, counter_json(g, k));
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}
