/* LD_PRELOAD shim for tests/small_shm.sh: someone who guessed the name of the first segment a
 * process creates. For every shm_open that creates a name beginning "/gpuxfer-": a line "PID
 * NAME" appended to GX_SHIM_LOG; the first time in the process, a symbolic link to
 * GX_SHIM_VICTIM is placed at that very name beforehand, so that the create finds it taken.
 * gpuxfer must neither follow the link nor remove it, and go on under a fresh name. */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

int shm_open(const char *name, int flags, mode_t mode)
{
    static int (*real)(const char *, int, mode_t);
    static int planted;
    const char *log = getenv("GX_SHIM_LOG"), *victim = getenv("GX_SHIM_VICTIM");
    if (!real)
        real = (int (*)(const char *, int, mode_t))dlsym(RTLD_NEXT, "shm_open");
    if ((flags & O_CREAT) && strncmp(name, "/gpuxfer-", 9) == 0) {
        FILE *f = log ? fopen(log, "a") : NULL;
        if (f) {
            fprintf(f, "%ld %s\n", (long)getpid(), name);
            fclose(f);
        }
        if (!planted && victim) {
            char at[300];
            snprintf(at, sizeof at, "/dev/shm%s", name);
            if (symlink(victim, at) != 0)
                perror("shm_taken shim: symlink");
            planted = 1;
        }
    }
    return real(name, flags, mode);
}
