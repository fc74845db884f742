/* File writes that survive a full disk, a crash and a power cut without leaving half a line or
 * half a report behind. */
#ifndef GX_FILE_UTIL_H
#define GX_FILE_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Appends len bytes at *end of fd, all or nothing: on a short or failed write the file is cut
 * back to *end, so a reader never sees a partial line. On success *end grows by len. Returns 0
 * or the errno of the failure. */
int gx_append_whole(int fd, off_t *end, const char *buf, size_t len);
/* A file written in pieces, then put in place whole: gx_durable_open, gx_durable_write...,
 * gx_durable_commit (flushes it to the disk, renames it over path and flushes the directory), or
 * gx_durable_abandon. path is the old file or the complete new one, even after a power cut; the
 * data lies in an unnamed file while it is written (O_TMPFILE), so a process killed meanwhile
 * leaves no temporary behind, or where the file system cannot, in PATH.tmp.<pid>, removed on
 * every failure. Each returns 0 or the errno of the failure. */
struct gx_durable {
    int fd;
    int named; /* the data has the name tmp */
    char tmp[4200];
};
int gx_durable_open(struct gx_durable *d, const char *path);
int gx_durable_write(struct gx_durable *d, const char *buf, size_t len);
/* Also on failure the temporary is gone. */
int gx_durable_commit(struct gx_durable *d, const char *path);
void gx_durable_abandon(struct gx_durable *d);

/* Opens path for reading only if it is a regular file: a FIFO or a device given as an input
 * would block the job (or never end). Returns the descriptor, or -1 with errno set (EINVAL: not
 * a regular file). */
int gx_open_regular(const char *path);

#endif
