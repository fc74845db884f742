/* MPI libraries allocate host memory inside a call: Open MPI 4.1's collectives on device
 * buffers copy through two malloc'd buffers of the message's size, freed before the call
 * returns. glibc serves a size at or above its mmap threshold with a fresh mapping whose pages
 * fault in on every call, and the threshold moves up to the largest mapping freed so far: the
 * library's cost then depends on what the process freed before (a step after other sizes, or
 * in a fresh process, pays the faults; the same step alone may not). Fixed thresholds make it
 * the same in every run and every order of steps: up to 32 MiB (glibc's largest threshold) from
 * a heap that is never trimmed, beyond it a mapping each time, as every process gets. The
 * user's GLIBC_TUNABLES for either threshold stand. */
#include "heap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define GX_HEAP_MMAP_THRESHOLD (32 << 20)

static char said[96] = "not set (gx_heap_steady not called)";

void gx_heap_steady(void)
{
#ifdef __GLIBC__
    const char *t = getenv("GLIBC_TUNABLES");
    if (t && (strstr(t, "glibc.malloc.mmap_threshold") ||
              strstr(t, "glibc.malloc.trim_threshold"))) {
        snprintf(said, sizeof said, "GLIBC_TUNABLES");
        return;
    }
    /* mallopt returns 1 where it took the value (0 under an allocator that ignores it). */
    if (mallopt(M_MMAP_THRESHOLD, GX_HEAP_MMAP_THRESHOLD) == 1 &&
        mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1)
        snprintf(said, sizeof said, "mmap_threshold %d, trim_threshold %d",
                 GX_HEAP_MMAP_THRESHOLD, INT_MAX);
    else
        snprintf(said, sizeof said, "as the C library's (mallopt refused the thresholds)");
#else
    snprintf(said, sizeof said, "as the C library's (not glibc)");
#endif
}

const char *gx_heap_said(void) { return said; }
