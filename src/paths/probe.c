#include "config.h"
#include "probe.h"

#include "tags.h"

#include <string.h>

extern const struct gx_path_ops gx_probe_shm_copy;
#ifdef HAVE_CUDA
extern const struct gx_path_ops gx_probe_peer_copy, gx_probe_copy_engines, gx_probe_mapped,
    gx_probe_prefetch, gx_probe_faults, gx_probe_sender_d2h, gx_probe_h2d, gx_probe_d2h;
#define CUDA_PROBE(p) &p, NULL
#else
#define CUDA_PROBE(p) NULL, "built without CUDA"
#endif

/* One line a probe: the ceilings it gives per family (one way, both ways, latency). */
const struct gx_probe gx_probes[] = {
    {"shm-copy", &gx_probe_shm_copy, NULL,
     {GX_CEIL_SHM_COPY, GX_CEIL_SHM_COPY_BIDIR, GX_CEIL_SHM_LAT}, 0},
    {"peer-copy", CUDA_PROBE(gx_probe_peer_copy),
     {GX_CEIL_PEER, GX_CEIL_PEER_BIDIR, GX_CEIL_NONE}, 0},
    {"copy-engines", CUDA_PROBE(gx_probe_copy_engines),
     {GX_CEIL_COPY, GX_CEIL_COPY_BIDIR, GX_CEIL_NONE}, 0},
    {"mapped", CUDA_PROBE(gx_probe_mapped),
     {GX_CEIL_MAPPED, GX_CEIL_MAPPED_BIDIR, GX_CEIL_NONE}, 0},
    {"prefetch", CUDA_PROBE(gx_probe_prefetch),
     {GX_CEIL_PREFETCH, GX_CEIL_PREFETCH_BIDIR, GX_CEIL_NONE}, 0},
    {"faults", CUDA_PROBE(gx_probe_faults),
     {GX_CEIL_FAULTS, GX_CEIL_FAULTS_BIDIR, GX_CEIL_NONE}, 0},
    {"sender-d2h", CUDA_PROBE(gx_probe_sender_d2h),
     {GX_CEIL_SENDER_D2H, GX_CEIL_NONE, GX_CEIL_NONE}, 0},
    {"host-to-device", CUDA_PROBE(gx_probe_h2d), {GX_CEIL_H2D, GX_CEIL_NONE, GX_CEIL_NONE}, 1},
    {"device-to-host", CUDA_PROBE(gx_probe_d2h), {GX_CEIL_D2H, GX_CEIL_NONE, GX_CEIL_NONE}, 1},
};
const int gx_probe_count = (int)GX_ARRAY_LEN(gx_probes);

int gx_probe_find(const char *name)
{
    for (int i = 0; i < gx_probe_count; i++)
        if (strcmp(gx_probes[i].name, name) == 0)
            return i;
    return -1;
}

int gx_probe_of_kind(enum gx_ceil_kind kind, int *family)
{
    for (int i = 0; i < gx_probe_count; i++)
        for (int f = 0; f < GX_FAMILY_COUNT; f++)
            if (gx_probes[i].kind[f] == kind) {
                *family = f;
                return i;
            }
    return -1;
}

