/* The ceilings' texts in their pool (rank 0 holds a point per result): a reason every
 * point of every pair repeats is held once, a point and a curve stay small, a reason longer
 * than a ceiling keeps is cut where it always was, and a copy (the report's) reads its texts
 * after its source is gone. */
#include "ceiling.h"
#include "tap.h"

#include <string.h>

#define PAIRS 1000
#define NO_GPU "no GPU on rank 3: cudaGetDeviceCount says 0 (CUDA_VISIBLE_DEVICES empty)"

int main(void)
{
    struct gx_ceilings c = {0}, copy = {0};
    struct gx_err err = {0};
    int rc = GX_OK;
    for (int a = 0; a < PAIRS && rc == GX_OK; a++)
        for (size_t size = 4096; size <= 64 << 20 && rc == GX_OK; size *= 16) {
            struct gx_ceil_point pt = {.size = size};
            rc = gx_ceilings_put(&c, GX_CEIL_PEER, a, a + 1, "the peer copy", &pt, NO_GPU, &err);
        }
    printf("# a point %zu bytes, a curve %zu; %d curves of %d points: pool %zu bytes\n",
           sizeof(struct gx_ceil_point), sizeof(struct gx_ceil_curve), c.n, c.n ? c.curves[0].n : 0,
           gx_strpool_bytes(&c.texts));
    ok(sizeof(struct gx_ceil_point) <= 112 && sizeof(struct gx_ceil_curve) <= 48,
       "a point at most 112 bytes, a curve at most 48");
    ok(rc == GX_OK && c.n == PAIRS && c.texts.n == 2 && gx_strpool_bytes(&c.texts) < 4096,
       "%d pairs' points with one reason: the pool holds it and the probe's what once (%zu "
       "entries, %zu bytes)", PAIRS, c.texts.n, gx_strpool_bytes(&c.texts));
    const struct gx_ceil_curve *k = gx_ceil_find(&c, GX_CEIL_PEER, 7, 8);
    ok(k && !strcmp(gx_ceil_curve_what(&c, k), "the peer copy") &&
           !strcmp(gx_ceil_curve_absent(&c, k), "") &&
           !strcmp(gx_ceil_point_absent(&c, &k->pts[2]), NO_GPU),
       "the texts read back through the accessors, \"\" for none");

    char longer[400];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    struct gx_ceil_point pt = {.size = 8};
    rc = gx_ceilings_put(&c, GX_CEIL_SHM_LAT, 0, 1, "the flag", &pt, longer, &err);
    k = gx_ceil_find(&c, GX_CEIL_SHM_LAT, 0, 1);
    char why[512];
    ok(rc == GX_OK && k && strlen(gx_ceil_point_absent(&c, &k->pts[0])) == GX_CEIL_TEXT - 1 &&
           gx_ceil_value(&c, GX_CEIL_SHM_LAT, 0, 1, 8, why, sizeof why) == 0 &&
           strstr(why, "absent at 8 bytes: xxx"),
       "a reason longer than a ceiling keeps: cut at %d bytes, as before", GX_CEIL_TEXT - 1);

    rc = gx_ceilings_copy(&copy, &c, &err);
    gx_ceilings_free(&c);
    k = gx_ceil_find(&copy, GX_CEIL_PEER, PAIRS - 1, PAIRS);
    ok(rc == GX_OK && copy.n == PAIRS + 1 && k &&
           !strcmp(gx_ceil_curve_what(&copy, k), "the peer copy") &&
           !strcmp(gx_ceil_point_absent(&copy, &k->pts[0]), NO_GPU),
       "a copy reads its texts once its source is freed");
    pt = (struct gx_ceil_point){.size = 16, .best = 1, .iters = 5};
    rc = gx_ceilings_put(&copy, GX_CEIL_SHM_LAT, 0, 1, "the flag", &pt, NULL, &err);
    ok(rc == GX_OK && copy.texts.n == 4, "a copy's pool takes on from its source's entries");
    gx_ceilings_free(&copy);
    return tap_done();
}
