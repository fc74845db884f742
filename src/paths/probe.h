/* Ceiling probes: the lower layers the paths are made of, measured like any path, their best
 * iteration the ceiling. Each side runs its own stage at once, sharing what the path's sides
 * share, with less work and no dependency: a healthy result lies at or below it. */
#ifndef GX_PROBE_H
#define GX_PROBE_H

#include "path.h"

/* No data reaches the peer: nothing to validate. */
#define GX_PATH_PROBE 0x4u

struct gx_probe {
    const char *name;
    const struct gx_path_ops *ops; /* NULL when left out of this build */
    const char *absent_why;
    enum gx_ceil_kind kind[GX_FAMILY_COUNT];
    /* The initiator's GPU alone, the peer waiting: no other GPU shares the host bridge. */
    int per_gpu;
};
extern const struct gx_probe gx_probes[];
extern const int gx_probe_count;

int gx_probe_find(const char *name);
/* -1 when none. */
int gx_probe_of_kind(enum gx_ceil_kind kind, int *family);

#endif
