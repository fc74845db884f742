/* The C library's malloc fixed for the whole run, before MPI_Init (heap.c says why). */
#ifndef GX_HEAP_H
#define GX_HEAP_H

/* Called once, first thing in main, before any thread. */
void gx_heap_steady(void);
/* What was done, for the report's context.job.malloc: "mmap_threshold 33554432, trim_threshold
 * 2147483647", "GLIBC_TUNABLES" (the user's settings stand), or why nothing was. */
const char *gx_heap_said(void);

#endif
