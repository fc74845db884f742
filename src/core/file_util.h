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
/* Writes text to tmp, flushes it to the disk, renames it to path and flushes the directory:
 * path is the old file or the complete new one, even after a power cut. tmp is removed on
 * failure. Returns 0 or the errno of the failure. */
int gx_write_file_durable(const char *path, const char *tmp, const char *text, size_t len);

/* Opens path for reading only if it is a regular file: a FIFO or a device given as an input
 * would block the job (or never end). Returns the descriptor, or -1 with errno set (EINVAL: not
 * a regular file). */
int gx_open_regular(const char *path);

#endif
