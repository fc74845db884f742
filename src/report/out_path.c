/* Where the outputs go: the default name, the checks of every named file before the run, and
 * stdout redirected to --table. */
#include "config.h"
#include "report.h"

#include "out_path.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

void gx_utc_now(char *buf, size_t len, int compact)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    if (compact)
        strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
    else {
        char s[32];
        strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf, len, "%s.%03dZ", s, (int)(tv.tv_usec / 1000));
    }
}

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket"
         : S_ISCHR(m) || S_ISBLK(m) ? "a device" : "not a regular file";
}

/* The report, or one beside it named path+suffix. lstat: a link is judged as a link, never by
 * what it points to. */
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

/* Whether the folder dir takes what the run makes there: a file (or a folder) made and taken
 * away at once, since access() says yes to root where nothing can be made (permissions, a
 * read-only or full file system, /proc). */
static int probe_dir(const char *opt, const char *given, const char *dir, int folder,
                     struct gx_err *err)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return gx_fail(err, GX_EINPUT, "%s: cannot write '%s': '%s' is not a directory",
                       opt, given, dir);
    char probe[4300];
    snprintf(probe, sizeof probe, "%s/.gpuxfer-probe.%ld", dir, (long)getpid());
    int fd = -1;
    if (folder ? mkdir(probe, 0700) != 0
               : (fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        return gx_fail(err, GX_EINPUT, "%s: cannot write '%s': no new %s in '%s': %s", opt,
                       given, folder ? "folder" : "file", dir, strerror(errno));
    if (folder)
        rmdir(probe);
    else {
        close(fd);
        unlink(probe);
    }
    return GX_OK;
}

static int make_dirs(const char *opt, const char *given, struct gx_err *err)
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
                return gx_fail(err, GX_EINPUT, "%s: cannot create the directory '%s' of "
                               "'%s': %s", opt, dir, given, strerror(errno));
            *p = c;
            if (c == '\0')
                break;
        }
    }
    return probe_dir(opt, given, dir, 0, err);
}

/* --dry-run: the nearest existing folder must take what the run would make there. */
static int check_dirs(const char *opt, const char *given, struct gx_err *err)
{
    char dir[4200];
    struct stat st;
    int folders = 0; /* that the run would make on the way */
    snprintf(dir, sizeof dir, "%s", given);
    for (;; folders++) {
        char *slash = strrchr(dir, '/');
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else
            slash[slash == dir] = '\0'; /* "/x" leaves "/" */
        if (stat(dir, &st) == 0)
            break;
        if (errno != ENOENT || strcmp(dir, ".") == 0 || strcmp(dir, "/") == 0)
            return gx_fail(err, GX_EINPUT, "%s: cannot look at '%s' of '%s': %s", opt,
                           dir, given, strerror(errno));
    }
    return probe_dir(opt, given, dir, folders > 0, err);
}

/* Refuses what cannot be a report or must not be replaced (without --force: an existing file,
 * a symbolic link, an earlier run's results beside it), then makes the missing folders; with
 * dry_run only checks that the nearest existing folder would take them. */
static int out_path_check(const char *path, int force, int dry_run, struct gx_err *err)
{
    size_t len = strlen(path);
    if (len == 0 || path[len - 1] == '/')
        return gx_fail(err, GX_EINPUT, "--output: '%s' ends in '/': a directory (expected a "
                       "report file name, e.g. '%sreport.json')", path, path);
    static const char *const suffixes[] = {"", ".jsonl", ".samples.jsonl"};
    for (size_t i = 0; i < GX_ARRAY_LEN(suffixes); i++)
        GX_TRY(check_one(path, suffixes[i], force, err));
    return dry_run ? check_dirs("--output", path, err) : make_dirs("--output", path, err);
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
    /* The names are ours now: what the checks find was not made by a run still going. */
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

/* --table FILE as it is now. A character device is written to as it is (*device set); a FIFO
 * is refused: rank 0 would wait in open until a reader came. */
static int check_table(const char *path, int force, int dry_run, int *device, struct gx_err *err)
{
    struct stat st;
    size_t len = strlen(path);
    *device = 0;
    if (len == 0 || path[len - 1] == '/')
        return gx_fail(err, GX_EINPUT, "--table: '%s' ends in '/': a directory (expected a file "
                       "name)", path);
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            return gx_fail(err, GX_EINPUT, "--table: cannot look at '%s': %s", path,
                           strerror(errno));
        return dry_run ? check_dirs("--table", path, err) : GX_OK;
    }
    if (S_ISCHR(st.st_mode)) {
        *device = 1;
        return GX_OK;
    }
    if (S_ISFIFO(st.st_mode))
        return gx_fail(err, GX_EINPUT, "--table: '%s' is a FIFO, not a regular file (expected a "
                       "file name; to pipe the table, leave out --table: it is stdout)", path);
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
        return gx_fail(err, GX_EINPUT, "--table: '%s' is %s, not a regular file (expected a "
                       "file name, or a character device such as /dev/null)", path,
                       kind_of(st.st_mode));
    if (!force)
        return gx_fail(err, GX_EINPUT, "--table: '%s' exists%s (--force %s it)", path,
                       S_ISLNK(st.st_mode) ? " as a symbolic link" : "",
                       S_ISLNK(st.st_mode) ? "replaces the link, never its target, with" :
                       "overwrites");
    return GX_OK;
}

static char stdout_name[PATH_MAX + 16] = "stdout";

const char *gx_out_stdout_name(void)
{
    return stdout_name;
}

void gx_out_stdout_abandon(void)
{
    struct stat st;
    if (fstat(STDOUT_FILENO, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    __fpurge(stdout);
    int e = gx_cut_partial_line(STDOUT_FILENO);
    if (e)
        fprintf(stderr, "gpuxfer: cannot cut a partial line off %s: %s\n", stdout_name,
                strerror(e));
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDOUT_FILENO);
        close(null);
    }
}

int gx_out_stdout_to(const char *path, int force, struct gx_err *err)
{
    int device, fd = -1, e;
    GX_TRY(check_table(path, force, 0, &device, err));
    if (device) {
        if ((fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0)
            return gx_fail(err, GX_EINPUT, "--table: cannot open '%s': %s", path,
                           strerror(errno));
    } else {
        if ((e = make_dirs("--table", path, err)) != GX_OK)
            return e;
        e = gx_claim_file(path, force, &fd);
        if (e == EBUSY)
            return gx_fail(err, GX_EINPUT, "--table: '%s' is being written by another run", path);
        if (e == EEXIST)
            return gx_fail(err, GX_EINPUT, "--table: '%s' exists (--force overwrites it)", path);
        if (e)
            return gx_fail(err, GX_EINPUT, "--table: cannot create '%s': %s", path, strerror(e));
    }
    fflush(stdout);
    e = dup2(fd, STDOUT_FILENO) < 0 ? errno : 0; /* the lock stays with the open file */
    close(fd);
    if (!e)
        snprintf(stdout_name, sizeof stdout_name, "--table '%s'", path);
    return e ? gx_fail(err, GX_ERUNTIME, "--table: dup2: %s", strerror(e)) : GX_OK;
}

/* Where a name will be: the real path of its nearest existing folder, then the rest as
 * written. Two names of one file compare equal even before either exists. */
static void where_named(const char *given, char *out, size_t len)
{
    char dir[PATH_MAX], probe[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(given, '/');
    const char *base = slash ? slash + 1 : given;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash == given ? 1 : slash - given) : 0,
             given);
    size_t cut = strlen(dir);
    for (;;) { /* the folder, or the nearest of its parents that exists */
        if (cut == 0)
            snprintf(probe, sizeof probe, "%s", dir[0] == '/' ? "/" : ".");
        else
            snprintf(probe, sizeof probe, "%.*s", (int)cut, dir);
        if (realpath(probe, real))
            break;
        if (cut == 0) { /* the current folder is gone: the name as given */
            snprintf(out, len, "%s", given);
            return;
        }
        while (cut > 0 && dir[cut - 1] != '/')
            cut--;
        while (cut > 0 && dir[cut - 1] == '/')
            cut--;
    }
    snprintf(out, len, "%s", real);
    for (char *c = strtok(dir + cut, "/"); c; c = strtok(NULL, "/")) {
        if (strcmp(c, ".") == 0)
            continue;
        if (strcmp(c, "..") == 0) { /* a folder still to be made: no link to follow back */
            char *up = strrchr(out, '/');
            if (up)
                up[up == out] = '\0';
            continue;
        }
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%s%s", out[used - 1] == '/' ? "" : "/", c);
    }
    size_t used = strlen(out);
    snprintf(out + used, len - used, "%s%s", out[used - 1] == '/' ? "" : "/", base);
}

struct named_file {
    const char *what;   /* "--output's report", "--table", "the --scenario file" */
    char name[PATH_MAX + 32];
    int written;        /* 0: a file the run reads */
    int from_output;    /* one of the names --output makes */
};

static int one_file(const struct named_file *a, const struct named_file *b)
{
    char wa[PATH_MAX + 64], wb[PATH_MAX + 64];
    struct stat sa, sb;
    if (stat(a->name, &sa) == 0 && stat(b->name, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    where_named(a->name, wa, sizeof wa);
    where_named(b->name, wb, sizeof wb);
    return strcmp(wa, wb) == 0;
}

/* Compared by where the names lead and, where they exist, by device and inode. */
static int check_distinct(const struct gx_global_opts *g, const char *output,
                          struct gx_err *err)
{
    static const char *const derived[][2] = {
        {"", "--output's report"},
        {".jsonl", "--output's results file (.jsonl)"},
        {".samples.jsonl", "--output's samples file (.samples.jsonl)"},
    };
    struct named_file f[GX_ARRAY_LEN(derived) + 3];
    size_t n = 0;
    for (size_t i = 0; output && output[0] && i < GX_ARRAY_LEN(derived); i++) {
        f[n] = (struct named_file){derived[i][1], "", 1, 1};
        snprintf(f[n++].name, sizeof f[0].name, "%s%s", output, derived[i][0]);
    }
    if (g->table[0]) {
        f[n] = (struct named_file){"--table", "", 1, 0};
        snprintf(f[n++].name, sizeof f[0].name, "%s", g->table);
    }
    struct stat st; /* a scenario by NAME, or a file that is not there, is nothing to compare */
    if (g->scenario[0] && stat(g->scenario, &st) == 0) {
        f[n] = (struct named_file){"the --scenario file", "", 0, 0};
        snprintf(f[n++].name, sizeof f[0].name, "%s", g->scenario);
    }
    if (g->topology_xml[0] && stat(g->topology_xml, &st) == 0) {
        f[n] = (struct named_file){"the --topology-xml file", "", 0, 0};
        snprintf(f[n++].name, sizeof f[0].name, "%s", g->topology_xml);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) {
            const struct named_file *a = &f[j], *b = &f[i];
            if ((!a->written && !b->written) || (a->from_output && b->from_output) ||
                !one_file(a, b))
                continue;
            const struct named_file *w = b->written ? b : a, *o = w == b ? a : b;
            return gx_fail(err, GX_EINPUT, "%s: '%s' is also %s ('%s'): %s (expected another "
                           "name)", w->from_output ? "--output" : "--table", w->name, o->what,
                           o->name, o->written ? "each output needs a file of its own"
                                               : "the run would write over what it reads");
        }
    return GX_OK;
}

int gx_outputs_check(const struct gx_global_opts *g, const char *output, int dry_run,
                     struct gx_err *err)
{
    int device;
    if (output && output[0])
        GX_TRY(out_path_check(output, g->force, dry_run, err));
    if (g->table[0])
        GX_TRY(check_table(g->table, g->force, dry_run, &device, err));
    return check_distinct(g, output, err);
}

void gx_out_path_default(char *buf, size_t len)
{
    char now[32], job[GX_ENV_NAME_MAX + 1], step[GX_ENV_NAME_MAX + 1];
    gx_utc_now(now, sizeof now, 1);
    /* The pid: two job steps started in the same second differ. */
    if (gx_env_name("SLURM_JOB_ID", job, sizeof job) &&
        gx_env_name("SLURM_STEP_ID", step, sizeof step))
        snprintf(buf, len, GX_OUTPUT_DIR "/gpuxfer-%s-%s.%s-%ld.json", now, job, step,
                 (long)getpid());
    else if (job[0])
        snprintf(buf, len, GX_OUTPUT_DIR "/gpuxfer-%s-%s-%ld.json", now, job, (long)getpid());
    else
        snprintf(buf, len, GX_OUTPUT_DIR "/gpuxfer-%s-%ld.json", now, (long)getpid());
}
