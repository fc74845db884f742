/* Above the paths and ceiling.h, as it reads both. */
#ifndef GX_RATING_H
#define GX_RATING_H

#include "ceiling.h"
#include "job.h"
#include "path.h"
#include "result.h"

/* res->noise must be judged first; `what` is the buffer ceiling_what points to. */
void gx_ceiling_apply(const struct gx_ceilings *c, const struct gx_path_ops *ops,
                      struct gx_result *res, char *what, size_t len);

/* Rank 0, which holds every rank's link facts; bandwidth patterns only. */
void gx_line_apply(const struct gx_job *job, const struct gx_path_ops *ops,
                   struct gx_result *res);

#endif
