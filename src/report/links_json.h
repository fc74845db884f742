/* The link facts, routes and health of src/topo/links.h in the report (links_json.c): a rank's
 * facts ("link_facts"), a pair's route and the health section. */
#ifndef GX_LINKS_JSON_H
#define GX_LINKS_JSON_H

#include "links.h"

#include <cjson/cJSON.h>

cJSON *gx_links_rank_json(const struct gx_link_facts *f);
cJSON *gx_route_json(const struct gx_route *r);
cJSON *gx_health_json(const struct gx_health *h, int n);
/* The GPUs' counters around the run, one entry per GPU (gpu_counters_json.c). */
struct gx_gpu_counters;
cJSON *gx_counters_json(const struct gx_gpu_counters *all, int n);

#endif
