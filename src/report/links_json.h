/* The link facts, routes and health of src/topo/links.h in the report. */
#ifndef GX_LINKS_JSON_H
#define GX_LINKS_JSON_H

#include "links.h"

#include <cjson/cJSON.h>

cJSON *gx_links_rank_json(const struct gx_link_facts *f);
cJSON *gx_route_json(const struct gx_route *r);
cJSON *gx_health_json(const struct gx_health *h, int n);
struct gx_gpu_counters;
cJSON *gx_counters_json(const struct gx_gpu_counters *all, int n);

#endif
