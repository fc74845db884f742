/* Pair matrices: per (path, pattern, size, ...) the median of every ordered pair of ranks, when
 * the results cover them all (--pairs all, all-concurrent); rank 0 only. */
#ifndef GX_MATRIX_H
#define GX_MATRIX_H

#include "kept.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* The report's "matrices" array from the kept results, or NULL when no result set covers every
 * ordered pair of the nranks (or when out of memory: *oom says so). */
cJSON *gx_matrices(const struct gx_kept *res, size_t nres, int nranks, const char **oom);
/* Prints each matrix and the pairs slower than `slow` x its median (for latency: above
 * median / slow), naming ranks and their hosts (and GPUs, where the context has them). */
void gx_matrices_print(FILE *out, const cJSON *matrices, const cJSON *context, double slow);

/* "rank 3 (host node-b, GPU 1 0000:3b:00.0, NIC mlx5_1 pcie-switch)": the GPU and the NIC only
 * where the context records them. */
/* The median of every number in a matrix's rows into *med (left as it is when there are none);
 * the count of numbers, -1 when out of memory. */
int gx_matrix_median(const cJSON *rows, double *med);
void gx_matrix_describe_rank(char *buf, size_t len, const cJSON *context, int rank);

#endif
