/* The report's context (context.c): who ran where, bound how, with which libraries and settings. */
#ifndef GX_CONTEXT_H
#define GX_CONTEXT_H

#include "job.h"

/* Rank 0 gets every rank's context and the job's: {"job": {...}, "ranks": [...]}. Collective. */
int gx_context_gather(const struct gx_job *job, void **context_json, struct gx_err *err);

#endif
