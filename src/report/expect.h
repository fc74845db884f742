/* --expect FILE: each measured point against what healthy nodes of its SKU measure, from an
 * expectations file of gpuxfer-report expect (schema/gpuxfer-expect.schema.json). Rank 0. */
#ifndef GX_EXPECT_H
#define GX_EXPECT_H

#include "gx.h"
#include "links.h"

#include <stddef.h>

struct gx_job;

/* Reads and checks the file; GX_EINPUT names the place that is wrong. */
int gx_expect_load(const char *path, struct gx_err *err);
/* Chooses the SKU whose facts are this node's (rank 0's GPU, the software it runs with);
 * GX_EINPUT where none is, naming the fact that differs. */
int gx_expect_choose(const struct gx_job *job, struct gx_err *err);
void gx_expect_free(void);

/* A route's class as the node map names it: its links, narrowest first, joined by " + " (a NIC
 * by its rate: its name differs GPU by GPU); "no link" (one GPU's own memory, host memory of one
 * node); "unknown" where no rate is known. gpuxfer-report expect reads the same from a report. */
void gx_route_class(const struct gx_route *r, char *buf, size_t len);

struct gx_view_ops;
extern const struct gx_view_ops gx_view_expect;

#endif
