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
/* A regular file that a failed write (a full disk) left with a partial last line: cut back to
 * the end of its last whole line, so that a reader never takes half a row for a row. Returns 0
 * (also for no regular file, or one that ends with a newline) or the errno of the failure. */
int gx_cut_partial_line(int fd);
/* A file written in pieces, then put in place whole: gx_durable_open, gx_durable_write...,
 * gx_durable_commit (flushes it to the disk, renames it over path and flushes the directory), or
 * gx_durable_abandon. path is the old file or the complete new one, even after a power cut; the
 * data lies in an unnamed file while it is written (O_TMPFILE), so a process killed meanwhile
 * leaves no temporary behind, or where the file system cannot, in a locked PATH.tmp.<pid>.<n>
 * created with O_EXCL and O_NOFOLLOW (never a file or link placed there), removed on every
 * failure and, after a kill, by gx_remove_stale_temps. Each returns 0 or the errno of the
 * failure. */
struct gx_durable {
    int fd;
    int named; /* the data has the name tmp */
    char tmp[4300];
};
/* Which file a name stands for (lstat: a link is itself), or exists 0. */
struct gx_file_id {
    int exists;
    dev_t dev;
    ino_t ino;
};
int gx_file_id(const char *path, struct gx_file_id *id);
int gx_durable_open(struct gx_durable *d, const char *path);
int gx_durable_write(struct gx_durable *d, const char *buf, size_t len);
/* Replaces only the file `was` names (the one found at the start, which --force let the run
 * replace); any other file at path, or one that appeared where there was none, stays: EEXIST.
 * Also on failure the temporary is gone. */
int gx_durable_commit(struct gx_durable *d, const char *path, const struct gx_file_id *was);
void gx_durable_abandon(struct gx_durable *d);

/* The one way a run takes a name for a file it keeps writing (the .jsonl): created new and
 * locked (flock) before it is visible at path, so two runs never share it. A file already there
 * is refused with EBUSY while another process holds its lock; with EEXIST when it has data (or
 * is not a regular file) and replace is 0; otherwise (an empty file a run that ended in its
 * start-up left, or replace) it is replaced in one rename. Where the file system has no locks,
 * an existing file is replaced only with replace. Returns 0 with *fd (read-write, locked until
 * closed), or an errno. */
int gx_claim_file(const char *path, int replace, int *fd);
/* Removes path if it is still the file fd claimed (a run that never started leaves nothing
 * behind, and never removes another's), and closes fd. Returns 0 or the errno of unlink. */
int gx_claim_release(const char *path, int fd);
/* Removes PATH.tmp.* that no process holds locked: what a process killed while writing left. */
void gx_remove_stale_temps(const char *path);

/* The one way a value from the environment (SLURM_JOB_ID, SLURM_STEP_ID) becomes part of a file
 * name: at most GX_ENV_NAME_MAX characters of it (and len - 1), each letter, digit, '_' and '-'
 * kept, a '.' kept unless first or after another, anything else ('/', newlines, bytes beyond
 * ASCII) as '_'. Returns 0 (buf empty) when the variable is unset or empty: no name part. */
#define GX_ENV_NAME_MAX 64
int gx_env_name(const char *var, char *buf, size_t len);

/* Opens path for reading only if it is a regular file: a FIFO or a device given as an input
 * would block the job (or never end). Returns the descriptor, or -1 with errno set (EINVAL: not
 * a regular file). */
int gx_open_regular(const char *path);

#endif
