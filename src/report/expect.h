/* --expect FILE: each measured point against what healthy nodes of its SKU measure, from an
 * expectations file of gpuxfer-report expect (schema/gpuxfer-expect.schema.json). Rank 0. */
#ifndef GX_EXPECT_H
#define GX_EXPECT_H

#include "gx.h"

#include <stddef.h>

struct gx_job;

/* Reads and checks the file; GX_EINPUT names the place that is wrong. */
int gx_expect_load(const char *path, struct gx_err *err);
/* Chooses the SKU whose facts are this node's (rank 0's GPU, the software it runs with);
 * GX_EINPUT where none is, naming the fact that differs. */
int gx_expect_choose(const struct gx_job *job, struct gx_err *err);
void gx_expect_free(void);

struct gx_view_ops;

#endif
