/* Ceiling probes: the lower layers the paths are made of, one table beside the path table. A
 * probe is a gx_path_ops entry that the harness measures like any path (same patterns, window,
 * iterations, clock and statistics) and whose best iteration becomes the ceiling of the results
 * it bounds. It moves nothing to its peer: each side runs its own stage of the layer at once
 * (the sender's D2H copies while the receiver's H2D copies run, say), as the path's two sides
 * do, sharing what they share (a GPU, a link, the memory bus). Less work than any path it bounds
 * and no dependency between the sides, so a healthy result lies at or below it. */
#ifndef GX_PROBE_H
#define GX_PROBE_H

#include "path.h"

/* A probe's ops also carry GX_PATH_PROBE: no data reaches the peer, nothing to validate. */
#define GX_PATH_PROBE 0x4u

struct gx_probe {
    const char *name;
    const struct gx_path_ops *ops; /* NULL when left out of this build */
    const char *absent_why;
    /* The ceiling each pattern family measures (GX_CEIL_NONE: the probe has none there). */
    enum gx_ceil_kind kind[GX_FAMILY_COUNT];
    /* 1: a layer of the initiator's GPU alone (its host link), its points that GPU's (b -1 in
     * the ceilings); the peer only waits, so that no other GPU shares the host bridge. */
    int per_gpu;
};
extern const struct gx_probe gx_probes[];
extern const int gx_probe_count;

/* The probe named `name` in the table; -1 when none. */
int gx_probe_find(const char *name);

/* The probe measuring `kind`, and the family it measures it in; -1 when none. */
int gx_probe_of_kind(enum gx_ceil_kind kind, int *family);

#endif
