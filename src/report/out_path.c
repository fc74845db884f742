#include "config.h"
#include "out_path.h"
#include "file_util.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket"
         : S_ISCHR(m) || S_ISBLK(m) ? "a device" : "not a regular file";
}

/* One of the files the run writes (the report, or one beside it named path+suffix). lstat: a
 * link is judged as a link, never by what it points to (a dangling one would be written
 * through, to wherever it points). */
static int check_one(const char *given, const char *suffix, int force, struct gx_err *err)
{
    char name[4200];
    struct stat st;
    snprintf(name, sizeof name, "%s%s", given, suffix);
    if (lstat(name, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR ? GX_OK
             : gx_fail(err, GX_EINPUT, "--output: cannot look at '%s': %s", name,
                       strerror(errno));
    if (S_ISLNK(st.st_mode)) {
        if (force)
            return GX_OK;
        char to[4096];
        ssize_t n = readlink(name, to, sizeof to - 1);
        to[n > 0 ? n : 0] = '\0';
        return gx_fail(err, GX_EINPUT, "--output: '%s' is a symbolic link (to '%s'%s; --force "
                       "replaces the link, never its target)", name, to,
                       stat(name, &st) != 0 ? ", which does not exist" : "");
    }
    if (!S_ISREG(st.st_mode))
        return gx_fail(err, GX_EINPUT, "--output: '%s' exists and is %s (expected a report file "
                       "name)", name, kind_of(st.st_mode));
    /* An empty file beside the report is what a run that ended in its start-up leaves. */
    if (!force && (suffix[0] == '\0' || st.st_size > 0))
        return gx_fail(err, GX_EINPUT, "--output: '%s' exists (--force overwrites it)", name);
    return GX_OK;
}

static int make_dirs(const char *given, struct gx_err *err)
{
    char tmp[4200], dir[4200];
    snprintf(tmp, sizeof tmp, "%s", given);
    /* dirname() may return a static "." or "/", which must not be written to. */
    snprintf(dir, sizeof dir, "%s", dirname(tmp));
    for (char *p = dir + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(dir, 0777) != 0 && errno != EEXIST)
                return gx_fail(err, GX_EINPUT, "--output: cannot create the directory '%s' of "
                               "'%s': %s", dir, given, strerror(errno));
            *p = c;
            if (c == '\0')
                break;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return gx_fail(err, GX_EINPUT, "--output: cannot write '%s': '%s' is not a directory",
                       given, dir);
    /* A file created and removed: permissions, a read-only or full file system, /proc. */
    char probe[4300];
    snprintf(probe, sizeof probe, "%s/.gpuxfer-probe.%ld", dir, (long)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return gx_fail(err, GX_EINPUT, "--output: cannot write '%s': no new file in '%s': %s",
                       given, dir, strerror(errno));
    close(fd);
    unlink(probe);
    return GX_OK;
}

/* --dry-run: the folders the run would make, made by nobody; the nearest that exists must be a
 * folder this process may create files in. */
static int check_dirs(const char *given, struct gx_err *err)
{
    char dir[4200];
    struct stat st;
    snprintf(dir, sizeof dir, "%s", given);
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (!slash) {
            snprintf(dir, sizeof dir, ".");
        } else {
            slash[slash == dir] = '\0'; /* "/x" leaves "/" */
        }
        if (stat(dir, &st) == 0)
            break;
        if (errno != ENOENT || strcmp(dir, ".") == 0 || strcmp(dir, "/") == 0)
            return gx_fail(err, GX_EINPUT, "--output: cannot look at '%s' of '%s': %s", dir,
                           given, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return gx_fail(err, GX_EINPUT, "--output: cannot write '%s': '%s' is not a directory",
                       given, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return gx_fail(err, GX_EINPUT, "--output: cannot write '%s': no new file in '%s': %s",
                       given, dir, strerror(errno));
    return GX_OK;
}

int gx_out_path_check(const char *path, int force, int dry_run, struct gx_err *err)
{
    size_t len = strlen(path);
    if (len == 0 || path[len - 1] == '/')
        return gx_fail(err, GX_EINPUT, "--output: '%s' ends in '/': a directory (expected a "
                       "report file name, e.g. '%sreport.json')", path, path);
    static const char *const suffixes[] = {"", ".jsonl", ".samples.jsonl"};
    for (size_t i = 0; i < GX_ARRAY_LEN(suffixes); i++)
        GX_TRY(check_one(path, suffixes[i], force, err));
    return dry_run ? check_dirs(path, err) : make_dirs(path, err);
}

int gx_out_claim(const char *path, int force, int *lines_fd, struct gx_file_id *report_was,
                 struct gx_err *err)
{
    char lines[4200];
    snprintf(lines, sizeof lines, "%s.jsonl", path);
    int e = gx_claim_file(lines, force, lines_fd);
    if (e == EBUSY)
        return gx_fail(err, GX_EINPUT, "--output: '%s' is being written by another gpuxfer run "
                       "(its '%s' is locked; give this run another --output)", path, lines);
    if (e == EEXIST)
        return gx_fail(err, GX_EINPUT, "--output: '%s' exists (--force overwrites it)", lines);
    if (e)
        return gx_fail(err, GX_EINPUT, "--output: cannot create '%s' beside '%s': %s", lines,
                       path, strerror(e));
    /* The names are ours now: what the checks below find was not made by a run still going. */
    int rc = check_one(path, "", force, err);
    if (rc == GX_OK)
        rc = check_one(path, ".samples.jsonl", force, err);
    if (rc == GX_OK && (e = gx_file_id(path, report_was)) != 0)
        rc = gx_fail(err, GX_EINPUT, "--output: cannot look at '%s': %s", path, strerror(e));
    if (rc != GX_OK) {
        gx_claim_release(lines, *lines_fd);
        *lines_fd = -1;
        return rc;
    }
    gx_remove_stale_temps(path);
    gx_remove_stale_temps(lines);
    return GX_OK;
}
int gx_out_stdout_to(const char *path, int force, struct gx_err *err)
{
    size_t len = strlen(path);
    if (len == 0 || path[len - 1] == '/')
        return gx_fail(err, GX_EINPUT, "--table: '%s' ends in '/': a directory (expected a file "
                       "name)", path);
    int fd = -1, e = make_dirs(path, err);
    if (e != GX_OK)
        return e;
    e = gx_claim_file(path, force, &fd);
    if (e == EBUSY)
        return gx_fail(err, GX_EINPUT, "--table: '%s' is being written by another run", path);
    if (e == EEXIST)
        return gx_fail(err, GX_EINPUT, "--table: '%s' exists (--force overwrites it)", path);
    if (e)
        return gx_fail(err, GX_EINPUT, "--table: cannot create '%s': %s", path, strerror(e));
    fflush(stdout);
    e = dup2(fd, STDOUT_FILENO) < 0 ? errno : 0; /* the lock stays with the open file */
    close(fd);
    return e ? gx_fail(err, GX_ERUNTIME, "--table: dup2: %s", strerror(e)) : GX_OK;
}

void gx_out_path_default(char *buf, size_t len)
{
    char now[32], job[GX_ENV_NAME_MAX + 1], step[GX_ENV_NAME_MAX + 1];
    gx_utc_now(now, sizeof now, 1);
    /* The pid too: two job steps of one allocation started in the same second differ. */
    if (gx_env_name("SLURM_JOB_ID", job, sizeof job) && gx_env_name("SLURM_STEP_ID", step, sizeof step))
        snprintf(buf, len, GX_OUTPUT_DIR "/gpuxfer-%s-%s.%s-%ld.json", now, job, step, (long)getpid());
    else if (job[0])
        snprintf(buf, len, GX_OUTPUT_DIR "/gpuxfer-%s-%s-%ld.json", now, job, (long)getpid());
    else
        snprintf(buf, len, GX_OUTPUT_DIR "/gpuxfer-%s-%ld.json", now, (long)getpid());
}
