/* The node's map of host links (the map-host run): per GPU, its host link measured alone both
 * ways by the ceilings' probes, against the link's line rate, a GPU well below its siblings
 * marked as the pair matrices mark a pair. Rank 0. */
#ifndef GX_HOST_MAP_H
#define GX_HOST_MAP_H

#include "context.h"
#include "links_store.h"

enum gx_host_dir { GX_HOST_H2D, GX_HOST_D2H, GX_HOST_DIRS };

struct gx_host_row {
    int rank;
    char busid[32];                          /* "" unknown */
    double gbs[GX_HOST_DIRS];                /* the median; 0 when absent */
    unsigned noise[GX_HOST_DIRS];
    gx_sid absent[GX_HOST_DIRS];             /* why not measured, in the map's texts */
    double line_gbs;                         /* 0 unknown */
    int line_kind;                           /* -1 unknown */
    char line_what[96];                      /* "gen5 x16" */
};

struct gx_host_map {
    size_t size; /* the largest point */
    int n;
    struct gx_host_row *rows; /* by rank */
    struct gx_strpool texts;  /* the rows' reasons, each distinct one once */
};

void gx_host_map_free(void *map);
/* Whether row i's direction d is well below its siblings (line_health.h's rule); their median
 * and count into *med and *count. */
int gx_host_map_below(const struct gx_host_map *m, int i, int d, double *med, int *count);
struct gx_view_ops;
extern const struct gx_view_ops gx_view_host_map;

#endif
