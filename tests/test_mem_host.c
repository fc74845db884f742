/* Pageable host buffers: page-aligned, filled and checked whole, never taken from the heap (a
 * --soak's heap grew by one buffer a step where the C library's small allocations split the holes
 * the buffers left), and a write just past a buffer of whole pages, or just before one, faults
 * instead of reaching the next thing in memory. */
#include "mem.h"
#include "tap.h"

#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#define HAVE_MALLINFO2 1
#endif

/* Whether a child that writes one byte at p is killed by the fault rather than going on. */
static int write_faults(volatile char *p)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* The kernel's own end for the fault: a sanitizer's handler would print a report that
         * the sanitizer suite counts as a finding of the program. */
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        *p = 1;
        _exit(0);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFSIGNALED(st) && (WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGBUS);
}

int main(void)
{
    const struct gx_mem_ops *ops = gx_mem_table[GX_MEM_PAGEABLE];
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    struct gx_err err = {0};
    void *buf = NULL;

    int rc = ops->alloc(8, &buf, &err);
    ok(rc == GX_OK && buf && (uintptr_t)buf % page == 0, "8 bytes: a page-aligned buffer (%s)",
       err.msg);
    if (buf) {
        int good = 0;
        size_t bad = 0;
        rc = ops->fill(buf, 8, 1, 2, &err) | ops->check(buf, 8, 1, 2, &good, &bad, &err);
        ok(rc == GX_OK && good, "8 bytes filled and checked");
        ops->release(buf);
    }

    size_t n = 3 * page;
    buf = NULL;
#ifdef HAVE_MALLINFO2
    struct mallinfo2 before = mallinfo2();
#endif
    rc = ops->alloc(n, &buf, &err);
#ifdef HAVE_MALLINFO2
    struct mallinfo2 after = mallinfo2();
    ok(after.uordblks == before.uordblks && after.arena == before.arena &&
           after.hblkhd == before.hblkhd,
       "a buffer of 3 pages takes nothing from the C library's heap (in use %zu -> %zu bytes)",
       before.uordblks, after.uordblks);
#else
    printf("ok %d - # SKIP no mallinfo2 in this C library\n", ++tap_count);
#endif
    ok(rc == GX_OK && buf, "3 pages: allocated (%s)", err.msg);
    if (buf) {
        memset(buf, 0x5a, n);
        int good = 0;
        size_t bad = 0;
        rc = ops->fill(buf, n, 3, 7, &err) | ops->check(buf, n, 3, 7, &good, &bad, &err);
        ok(rc == GX_OK && good, "every byte of the 3 pages written, filled and checked");
        ok(write_faults((char *)buf + n) == 1, "a write one byte past the buffer faults");
        ok(write_faults((char *)buf - 1) == 1, "a write one byte before the buffer faults");
        ok(write_faults((char *)buf + n - 1) == 0, "a write to the buffer's last byte does not");
        ops->release(buf);
    }
    ops->release(NULL);
    ok(1, "releasing no buffer is harmless");
    return tap_done();
}
