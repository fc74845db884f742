/* The transfer plan from constructed results: who wins per pair type and size class. */
#include "json_util.h"
#include "plan.h"
#include "tap.h"

#include <string.h>

static const char *doc_text =
    "{\"pairs\": [{\"ranks\": [0, 1], \"link\": \"NV18\"}, {\"ranks\": [2, 3], \"link\": \"NV18\"},"
    "             {\"ranks\": [4, 5], \"link\": \"PXB\"}],"
    " \"results\": ["
    /* same node NVLink, huge class: p2p best (mean of two pairs), staged 4M/2 beats staged 1M/2 */
    "{\"path\": \"p2p\", \"mem\": {\"src\": \"device\", \"dst\": \"device\"}, \"pattern\": \"bw\","
    " \"ranks\": [0, 1], \"same_node\": true, \"size\": 1073741824, \"chunk\": 1073741824,"
    " \"depth\": 1, \"status\": \"ok\", \"stats\": {\"median\": 380}, \"efficiency\": 0.96},"
    "{\"path\": \"p2p\", \"mem\": {\"src\": \"device\", \"dst\": \"device\"}, \"pattern\": \"bw\","
    " \"ranks\": [2, 3], \"same_node\": true, \"size\": 1073741824, \"chunk\": 1073741824,"
    " \"depth\": 1, \"status\": \"ok\", \"stats\": {\"median\": 360}, \"efficiency\": 0.92},"
    "{\"path\": \"staged\", \"mem\": {\"src\": \"device\", \"dst\": \"device\"}, \"pattern\": \"bw\","
    " \"ranks\": [0, 1], \"same_node\": true, \"size\": 1073741824, \"chunk\": 1048576,"
    " \"depth\": 2, \"status\": \"ok\", \"stats\": {\"median\": 8}},"
    "{\"path\": \"staged\", \"mem\": {\"src\": \"device\", \"dst\": \"device\"}, \"pattern\": \"bw\","
    " \"ranks\": [0, 1], \"same_node\": true, \"size\": 1073741824, \"chunk\": 4194304,"
    " \"depth\": 2, \"status\": \"ok\", \"stats\": {\"median\": 9}},"
    /* host memory at both ends, faster than any GPU path: a row of its own, not the GPU row's best */
    "{\"path\": \"mpi\", \"mem\": {\"src\": \"pinned\", \"dst\": \"pinned\"}, \"pattern\": \"bw\","
    " \"ranks\": [0, 1], \"same_node\": true, \"size\": 1073741824, \"status\": \"ok\","
    " \"stats\": {\"median\": 1000}},"
    /* a smaller size of the same class does not compete with the largest */
    "{\"path\": \"mpi\", \"mem\": {\"src\": \"device\", \"dst\": \"device\"}, \"pattern\": \"bw\","
    " \"ranks\": [0, 1], \"same_node\": true, \"size\": 268435456, \"status\": \"ok\","
    " \"stats\": {\"median\": 900}},"
    /* latency and failed results are not bandwidth */
    "{\"path\": \"nccl\", \"mem\": {\"src\": \"device\", \"dst\": \"device\"}, \"pattern\": \"latency\","
    " \"ranks\": [0, 1], \"same_node\": true, \"size\": 1073741824, \"status\": \"ok\","
    " \"stats\": {\"median\": 1}},"
    "{\"path\": \"nccl\", \"mem\": {\"src\": \"device\", \"dst\": \"device\"}, \"pattern\": \"bw\","
    " \"ranks\": [0, 1], \"same_node\": true, \"size\": 1073741824, \"status\": \"failed\"},"
    /* PCIe pair, tiny class: one path only */
    "{\"path\": \"mpi\", \"mem\": {\"src\": \"device\", \"dst\": \"device\"}, \"pattern\": \"bw\","
    " \"ranks\": [4, 5], \"same_node\": true, \"size\": 8, \"status\": \"ok\", \"stats\": {\"median\": 0.5}},"
    /* other node */
    "{\"path\": \"mpi\", \"mem\": {\"src\": \"device\", \"dst\": \"device\"}, \"pattern\": \"bw\","
    " \"ranks\": [0, 6], \"same_node\": false, \"size\": 65536, \"status\": \"ok\", \"stats\": {\"median\": 3}}"
    "]}";

static const cJSON *row_for(const cJSON *plan, const char *type, const char *data,
                           const char *cls)
{
    const cJSON *row;
    cJSON_ArrayForEach(row, plan)
    {
        if (strcmp(gx_json_str(row, "pair_type"), type) == 0 &&
            strcmp(gx_json_str(row, "data"), data) == 0 &&
            strcmp(gx_json_str(row, "size_class"), cls) == 0)
            return row;
    }
    return NULL;
}

int main(void)
{
    cJSON *doc = cJSON_Parse(doc_text);
    ok(doc != NULL, "constructed results parse");
    cJSON *plan = gx_plan(cJSON_GetObjectItemCaseSensitive(doc, "results"),
                          cJSON_GetObjectItemCaseSensitive(doc, "pairs"));
    ok(plan && cJSON_GetArraySize(plan) == 4,
       "four rows: NVLink huge (GPU memory, host memory), PCIe tiny, other node small");
    const cJSON *r = row_for(plan, "same node, NVLink", "gpu", "huge");
    const cJSON *best = cJSON_GetObjectItemCaseSensitive(r, "best");
    const cJSON *second = cJSON_GetObjectItemCaseSensitive(r, "runner_up");
    ok(r && gx_json_num(r, "size") == 1073741824.0, "NVLink huge row compares at 1G, not 256M");
    ok(strcmp(gx_json_str(best, "path"), "p2p") == 0 && gx_json_num(best, "gbps") == 370 &&
           gx_json_num(best, "pairs") == 2 && gx_json_num(best, "efficiency") > 0.939 &&
           gx_json_num(best, "efficiency") < 0.941,
       "best: p2p, averaged over its two pairs (370 GB/s, 94%%)");
    ok(strcmp(gx_json_str(second, "path"), "staged") == 0 && gx_json_num(second, "chunk") == 4194304 &&
           gx_json_num(second, "depth") == 2 &&
           cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(second, "efficiency")),
       "runner-up: another path, its best chunk (4M/2), efficiency unknown");
    r = row_for(plan, "same node, NVLink", "host", "huge");
    ok(r && strcmp(gx_json_str(cJSON_GetObjectItemCaseSensitive(r, "best"), "path"), "mpi") == 0 &&
           cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "runner_up")),
       "host memory at both ends: its own row, never the GPU row's best");
    r = row_for(plan, "same node, PCIe", "gpu", "tiny");
    ok(r && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "runner_up")),
       "a PCIe pair with one path: no runner-up");
    r = row_for(plan, "other node", "gpu", "small");
    ok(r && strcmp(gx_json_str(cJSON_GetObjectItemCaseSensitive(r, "best"), "path"), "mpi") == 0,
       "ranks on different nodes form their own pair type");
    cJSON *empty = cJSON_CreateArray();
    cJSON *none = gx_plan(empty, NULL);
    ok(none && cJSON_GetArraySize(none) == 0, "no results: an empty plan");
    cJSON_Delete(none);
    cJSON_Delete(empty);
    cJSON_Delete(plan);
    cJSON_Delete(doc);
    return tap_done();
}
