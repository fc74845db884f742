/* MPI libraries allocate host memory inside a call: Open MPI 4.1's collectives on device
 * buffers copy through two malloc'd buffers of the message's size, freed before the call
 * returns. glibc serves a size at or above its mmap threshold with a fresh mapping whose pages
 * fault in on every call, and the threshold moves up to the largest mapping freed so far: the
 * library's cost then depends on what the process freed before (a step after other sizes, or
 * in a fresh process, pays the faults; the same step alone may not). Fixed thresholds make it
 * the same in every run and every order of steps: up to 32 MiB (glibc's largest threshold) from
 * a heap that is never trimmed, beyond it a mapping each time, as every process gets. A
 * threshold the user set (GLIBC_TUNABLES, or the MALLOC_..._ variable glibc also reads) stands;
 * mallopt would override it. */
#include "heap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define GX_HEAP_MMAP_THRESHOLD (32 << 20)

static char said[200] = "not set (gx_heap_steady not called)";

int gx_heap_user_value(const char *tunables, const char *alias, const char *name, char *buf,
                       size_t len)
{
    static const char prefix[] = "glibc.malloc.";
    const char *found = NULL;
    size_t found_len = 0;
    /* name=value items, separated by colons; glibc reads a name only whole. */
    for (const char *item = tunables; item && *item;) {
        size_t n = strcspn(item, ":");
        const char *eq = memchr(item, '=', n);
        size_t plen = sizeof prefix - 1;
        if (eq && (size_t)(eq - item) == plen + strlen(name) &&
            strncmp(item, prefix, plen) == 0 && strncmp(item + plen, name, strlen(name)) == 0) {
            found = eq + 1; /* the last counts */
            found_len = n - (size_t)(eq + 1 - item);
        }
        item += n + (item[n] == ':');
    }
    int from = found ? GX_HEAP_TUNABLES : GX_HEAP_NONE;
    if (!found && alias && *alias) {
        found = alias;
        found_len = strlen(alias);
        from = GX_HEAP_ALIAS;
    }
    if (found) /* as given, cut short: what glibc made of it is glibc's */
        snprintf(buf, len, "%.*s", (int)(found_len < 24 ? found_len : 24), found);
    return from;
}

#ifdef __GLIBC__
/* One threshold: the user's where given, else gpuxfer's if mallopt takes it. */
static void threshold(const char *name, const char *alias_env, int param, int value,
                      char *out, size_t len)
{
    char given[32];
    int from = gx_heap_user_value(getenv("GLIBC_TUNABLES"), getenv(alias_env), name, given,
                                  sizeof given);
    if (from != GX_HEAP_NONE)
        snprintf(out, len, "%s %s (the user's %s)", name, given,
                 from == GX_HEAP_TUNABLES ? "GLIBC_TUNABLES" : alias_env);
    /* mallopt returns 1 where it took the value (0 under an allocator that ignores it). */
    else if (mallopt(param, value) == 1)
        snprintf(out, len, "%s %d", name, value);
    else
        snprintf(out, len, "%s as the C library's (mallopt refused it)", name);
}
#endif

void gx_heap_steady(void)
{
#ifdef __GLIBC__
    char mmap_said[96], trim_said[96];
    threshold("mmap_threshold", "MALLOC_MMAP_THRESHOLD_", M_MMAP_THRESHOLD,
              GX_HEAP_MMAP_THRESHOLD, mmap_said, sizeof mmap_said);
    threshold("trim_threshold", "MALLOC_TRIM_THRESHOLD_", M_TRIM_THRESHOLD, INT_MAX, trim_said,
              sizeof trim_said);
    snprintf(said, sizeof said, "%s, %s", mmap_said, trim_said);
#else
    snprintf(said, sizeof said, "as the C library's (not glibc)");
#endif
}

const char *gx_heap_said(void) { return said; }
