/* File writes that leave no half line or half report after a full disk, a crash or a power cut. */
#ifndef GX_FILE_UTIL_H
#define GX_FILE_UTIL_H

#include <stddef.h>
#include <sys/types.h>

int gx_append_whole(int fd, off_t *end, const char *buf, size_t len);
/* A regular file a full disk left with a partial last line: cut back to its last whole line. */
int gx_cut_partial_line(int fd);
/* A file written in pieces, then put in place whole: the old or the new, even after a power cut. */
struct gx_durable {
    int fd;
    int named; /* the data has the name tmp */
    char tmp[4300];
};
struct gx_file_id {
    int exists;
    dev_t dev;
    ino_t ino;
};
int gx_file_id(const char *path, struct gx_file_id *id);
int gx_durable_open(struct gx_durable *d, const char *path);
int gx_durable_write(struct gx_durable *d, const char *buf, size_t len);
/* Replaces only the file `was` names; any other file at path stays: EEXIST. */
int gx_durable_commit(struct gx_durable *d, const char *path, const struct gx_file_id *was);
void gx_durable_abandon(struct gx_durable *d);

/* The one way a run takes a name for a file it keeps writing: new, locked before it is seen. */
int gx_claim_file(const char *path, int replace, int *fd);
int gx_claim_release(const char *path, int fd);
void gx_remove_stale_temps(const char *path);

/* The one way an environment value (SLURM_JOB_ID) becomes part of a file name; 0 when unset. */
#define GX_ENV_NAME_MAX 64
int gx_env_name(const char *var, char *buf, size_t len);

/* Opens path for reading only if it is a regular file (a FIFO would block): EINVAL otherwise. */
int gx_open_regular(const char *path);

#endif
