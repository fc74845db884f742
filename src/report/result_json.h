/* A result in the report's words (result_json.c): its names, its object, its fields. */
#ifndef GX_RESULT_JSON_H
#define GX_RESULT_JSON_H

#include "chunk.h"
#include "result.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* A result's state as the report names it: ok, skipped, failed (idle: none yet). */
const char *gx_state_name(enum gx_state s);
const char *gx_ended_name(int ended);
/* "chunk_choice" where each pair picked its own, else "chunk" and "depth" where the path
 * chunks. */
void gx_chunk_key_json(cJSON *o, size_t chunk, int depth, int choice);
/* name: [x, y] (a pair of ranks, an interval). */
void gx_json_add_two(cJSON *o, const char *name, double x, double y);
const char *gx_validation_name(const struct gx_result *r);
/* The status rule, applied once where a result enters the sink: a result whose data did not
 * match what was sent is failed, for every output alike. why (len bytes) holds its reason while
 * r is used. */
void gx_result_settle(struct gx_result *r, char *why, size_t len);

/* What names a measurement (run, path, memory kinds, pattern): a result and a round's sum
 * begin alike. */
void gx_result_key_json(cJSON *o, const struct gx_result *res);
void gx_noise_json(cJSON *o, const struct gx_noise *n);
cJSON *gx_result_json(const struct gx_result *res);
/* The result's fields (result_fields.h) as data, ending with a NULL key, for the schema test. */
struct gx_result_field {
    const char *key, *in, *json_type, *when;
};
extern const struct gx_result_field gx_result_fields[];

#endif
