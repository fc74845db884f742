/* Which malloc thresholds the user set (GLIBC_TUNABLES, glibc's MALLOC_..._ variables), and what
 * the report's context.job.malloc then says gpuxfer did. */
#include "heap.h"
#include "tap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static int from(const char *tunables, const char *alias, const char *name, const char *want)
{
    char v[32] = "";
    int f = gx_heap_user_value(tunables, alias, name, v, sizeof v);
    return want ? f != GX_HEAP_NONE && strcmp(v, want) == 0 : f == GX_HEAP_NONE;
}

int main(void)
{
    ok(from("glibc.malloc.mmap_threshold=131072", NULL, "mmap_threshold", "131072"),
       "one item: its value");
    ok(from("glibc.malloc.check=0:glibc.malloc.trim_threshold=4096:glibc.malloc.arena_max=2",
            NULL, "trim_threshold", "4096"), "an item among others, colon-separated");
    ok(from("glibc.malloc.mmap_threshold=131072", NULL, "trim_threshold", NULL),
       "the other threshold is not set by it");
    ok(from("glibc.malloc.mmap_threshold_max=1:xglibc.malloc.mmap_threshold=2", NULL,
            "mmap_threshold", NULL), "a longer name, or one with a prefix, is another tunable");
    ok(from("glibc.malloc.mmap_threshold", NULL, "mmap_threshold", NULL),
       "a name without a value sets nothing");
    ok(from("glibc.malloc.mmap_threshold=1:glibc.malloc.mmap_threshold=2", NULL,
            "mmap_threshold", "2"), "given twice: the last counts");
    ok(from("", "65536", "mmap_threshold", "65536") &&
           gx_heap_user_value(NULL, "65536", "mmap_threshold", (char[32]){0}, 32) ==
               GX_HEAP_ALIAS,
       "the MALLOC_..._ variable where GLIBC_TUNABLES does not set it");
    ok(from("glibc.malloc.mmap_threshold=7", "65536", "mmap_threshold", "7"),
       "GLIBC_TUNABLES before the variable");

    /* The run's own: what it says it set is what it set, each threshold on its own. Under an
     * allocator that ignores mallopt (ASan's) gpuxfer's own become the C library's. */
#ifdef __GLIBC__
    int takes = mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
#else
    int takes = 0;
#endif
    const char *mmap_own = takes ? "mmap_threshold 33554432"
                                 : "mmap_threshold as the C library's (mallopt refused it)";
    const char *trim_own = takes ? "trim_threshold 2147483647"
                                 : "trim_threshold as the C library's (mallopt refused it)";
    char want[256];
    unsetenv("MALLOC_MMAP_THRESHOLD_");
    unsetenv("MALLOC_TRIM_THRESHOLD_");
    setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=131072", 1);
    gx_heap_steady();
    snprintf(want, sizeof want, "mmap_threshold 131072 (the user's GLIBC_TUNABLES), %s",
             trim_own);
    ok(strcmp(gx_heap_said(), want) == 0,
       "the user's mmap threshold stands, gpuxfer's trim threshold set: %s", gx_heap_said());
    setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold_x=1:glibc.malloc.trim", 1);
    gx_heap_steady();
    snprintf(want, sizeof want, "%s, %s", mmap_own, trim_own);
    ok(strcmp(gx_heap_said(), want) == 0, "names that are not the thresholds: both gpuxfer's: %s",
       gx_heap_said());
    unsetenv("GLIBC_TUNABLES");
    setenv("MALLOC_TRIM_THRESHOLD_", "8192", 1);
    gx_heap_steady();
    snprintf(want, sizeof want, "%s, trim_threshold 8192 (the user's MALLOC_TRIM_THRESHOLD_)",
             mmap_own);
    ok(strcmp(gx_heap_said(), want) == 0, "glibc's own variable stands too: %s", gx_heap_said());
    return tap_done();
}
