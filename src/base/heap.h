/* The C library's malloc fixed for the whole run, before MPI_Init (heap.c says why). */
#ifndef GX_HEAP_H
#define GX_HEAP_H

/* Called once, first thing in main, before any thread. */
void gx_heap_steady(void);
/* What was done, for the report's context.job.malloc, each threshold: "mmap_threshold 33554432,
 * trim_threshold 2147483647" as gpuxfer set them; "mmap_threshold 131072 (the user's
 * GLIBC_TUNABLES)" where the user's stands; or why the C library's own. */
const char *gx_heap_said(void);

#include <stddef.h>
/* Where the user set glibc.malloc.NAME: in tunables (GLIBC_TUNABLES: name=value items separated
 * by colons, whole names only, the last counts), else alias (the MALLOC_<NAME>_ variable's
 * value, or NULL); its value, as given, in buf. */
enum { GX_HEAP_NONE, GX_HEAP_TUNABLES, GX_HEAP_ALIAS };
int gx_heap_user_value(const char *tunables, const char *alias, const char *name, char *buf,
                       size_t len);

#endif
