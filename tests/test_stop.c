/* The stop rule's verdict (gx_stop_verdict), in-process: the floor, the fewest before the
 * precision, the share's time after the floor, exact --iters. */
#include "config.h"
#include "measure.h"
#include "stop.h"
#include "tap.h"

int main(void)
{
    /* A result's step as the default plan makes it: at most 1000, its fewest 5, 1%. */
    struct gx_mstep r = {.iters = 1000, .min_iters = 5, .floor_iters = 5, .precision = 0.01};
    ok(gx_stop_verdict(&r, 1, 0.0, 10.0, 0.001) == GX_ENDED_ITERATIONS &&
           gx_stop_verdict(&r, 4, 0.0, 10.0, 0.001) == GX_ENDED_ITERATIONS &&
           gx_stop_verdict(&r, -2, -1, 10.0, 0.001) == GX_ENDED_ITERATIONS,
       "before its %d fewest nothing ends a result's step: not its spent share (10 s of 1 ms), "
       "not a precision reached, not within the warm-up", GX_MIN_ITERS);
    ok(gx_stop_verdict(&r, 5, 0.005, 0.0, 1.0) == GX_ENDED_PRECISION &&
           gx_stop_verdict(&r, 5, 0.02, 2.0, 1.0) == GX_ENDED_TIME &&
           gx_stop_verdict(&r, 5, 0.02, 0.5, 1.0) == GX_ENDED_ITERATIONS &&
           gx_stop_verdict(&r, 5, 0.02, 100.0, 0) == GX_ENDED_ITERATIONS,
       "at its fewest: the precision reached ends it, else a spent share, else it goes on (no "
       "budget: never the time)");
    /* A probe: the precision not before a fifth of its most, the time after GX_PROBE_MIN_ITERS. */
    struct gx_mstep p = {.iters = 500, .min_iters = 100, .floor_iters = 24, .precision = 0.01};
    ok(gx_stop_verdict(&p, 23, -1, 10.0, 1.0) == GX_ENDED_ITERATIONS &&
           gx_stop_verdict(&p, 24, -1, 10.0, 1.0) == GX_ENDED_TIME &&
           gx_stop_verdict(&p, 50, 0.0, 0.1, 1.0) == GX_ENDED_ITERATIONS &&
           gx_stop_verdict(&p, 100, 0.0, 0.1, 1.0) == GX_ENDED_PRECISION,
       "a probe: the time ends it from its floor (24), the precision only from its fewest (100)");
    /* --iters 3: exactly 3, never asked (gx_mstep_first_ask); were it asked, nothing ends it
     * before them either. */
    struct gx_mstep x = {.iters = 3, .min_iters = 3, .floor_iters = 3};
    ok(gx_stop_verdict(&x, 2, -1, 10.0, 0.001) == GX_ENDED_ITERATIONS,
       "--iters 3: not ended before its 3");
    return tap_done();
}
