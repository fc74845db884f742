/* The node's map of host links (the GPU default run's map-host run): per GPU, its host link
 * measured alone both ways (the probes host-to-device and device-to-host, whose points the
 * ceilings keep per GPU), against the link's line rate, a GPU well below its siblings marked as
 * the pair matrices mark a pair. Typed rows for the table, the report's "host_links" and the
 * health finding "host-link-below-siblings". Rank 0. */
#ifndef GX_HOST_MAP_H
#define GX_HOST_MAP_H

#include "context.h"
#include "links_store.h"

enum gx_host_dir { GX_HOST_H2D, GX_HOST_D2H, GX_HOST_DIRS };

struct gx_host_row {
    int rank;
    char busid[32];                          /* "" unknown */
    double gbs[GX_HOST_DIRS];                /* the step's median; 0 when absent */
    unsigned noise[GX_HOST_DIRS];            /* its noise marks: the machine disturbed it */
    gx_sid absent[GX_HOST_DIRS];             /* why not measured, an entry of the map's texts;
                                                GX_SID_NONE when measured */
    double line_gbs;                         /* the GPU's host link's line rate; 0 unknown */
    int line_kind;                           /* enum gx_link_kind; -1 unknown */
    char line_what[96];                      /* "gen5 x16" */
};

struct gx_host_map {
    size_t size; /* the measured size (the largest point) */
    int n;
    struct gx_host_row *rows; /* by rank */
    struct gx_strpool texts;  /* the rows' reasons, each distinct one once (every GPU of a job
                                 without one gives the same) */
};

void gx_host_map_free(void *map);
/* Whether row i's direction d is well below its siblings (line_health.h's rule over the other
 * GPUs' same direction on the same kind of link at the same line rate); their median and count
 * into *med and *count. A disturbed value is never below (it still counts as a sibling). */
int gx_host_map_below(const struct gx_host_map *m, int i, int d, double *med, int *count);
/* The map as a view (view.h): made at the end, its findings, "host_links" and the table's rows. */
struct gx_view_ops;
extern const struct gx_view_ops gx_view_host_map;

#endif
