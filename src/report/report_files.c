/* The report's files: claimed (out_path.h), written whole and atomically by the main thread or
 * the watchdog, one at a time, discarded or closed at the end. */
#include "config.h"
#include "report.h"

#include "context.h"
#include "fault.h"
#include "options.h"
#include "out_path.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

void gx_report_scenario(struct gx_report *rep, const char *name, const char *file,
                        const char *sha256)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return; /* a report without it is still whole */
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "file", file);
    cJSON_AddStringToObject(o, "sha256", sha256);
    gx_report_set(rep, "scenario", o);
}

/* A temporary renamed over the report once whole: a crash never leaves a truncated report.
 * GPUXFER_FAULT=...:at=writing fires half-way through the first piece. */
struct report_out {
    struct gx_durable d;
    int pieces;
};

static int out_piece(void *ctx, const char *buf, size_t len)
{
    struct report_out *o = ctx;
    size_t half = o->pieces++ ? 0 : len / 2;
    int e = gx_durable_write(&o->d, buf, half);
    if (half)
        gx_fault_moment(0, GX_AT_WRITING, 0); /* only rank 0 writes a report */
    return e ? e : gx_durable_write(&o->d, buf + half, len - half);
}

/* The document's results, read through the descriptor they were written with (the name may
 * have been moved or replaced meanwhile). A failure to read them is rep->read_errno. */
static int fill_results(struct gx_jstream *w, struct gx_report *rep)
{
    int fd = dup(rep->lines_fd); /* its own FILE; the writes seek before each line anyway */
    FILE *f = fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        rep->read_errno = errno;
        if (fd >= 0)
            close(fd);
        return rep->read_errno;
    }
    char *line = NULL;
    size_t cap = 0;
    off_t at = 0;
    int e = 0;
    while (!e && at < rep->doc_end) {
        errno = 0;
        ssize_t n = getline(&line, &cap, f);
        cJSON *o = n > 0 ? cJSON_Parse(line) : NULL;
        if (!o)
            e = rep->read_errno = n < 0 ? (errno ? errno : EIO) : EILSEQ;
        else
            e = gx_stream_item(w, o, NULL, NULL);
        cJSON_Delete(o);
        at += n > 0 ? n : 0;
    }
    free(line);
    if (fclose(f) != 0 && !e)
        e = rep->read_errno = errno;
    return e;
}

static int fill_member(struct gx_jstream *w, int slot, void *ctx)
{
    struct gx_report *rep = ctx;
    if (slot == 0)
        return fill_results(w, rep);
    const struct gx_report_stream *st = &rep->streams[slot - 1];
    return st->fill(w, 0, st->ctx);
}

/* Under commit_mu: once the watchdog's end is taken with another code than the report's. A
 * process continued after its peers gave up commits before its watchdog looks, and the
 * launcher's SIGKILL may come before that. */
static void say_standing_locked(struct gx_report *rep)
{
    if (rep->end_code < 0 && rep->end_due)
        rep->end_code = rep->end_due();
    if (rep->end_code < 0 || rep->end_code == rep->exit_code || rep->standing_said)
        return;
    rep->standing_said = 1;
    gx_say_standing(rep->exit_code);
}

/* The watchdog ends this process with `code`: a report committed with another code stands, and
 * stderr says so at once, since the launcher's kill may come a moment later. Returns the code
 * to end with. */
static int end_taken(struct gx_report *rep, int code)
{
    if (rep->commit_ready)
        pthread_mutex_lock(&rep->commit_mu);
    rep->end_code = code;
    int committed = rep->committed;
    if (committed)
        say_standing_locked(rep);
    int exit_code = rep->exit_code;
    if (rep->commit_ready)
        pthread_mutex_unlock(&rep->commit_mu);
    return committed && exit_code != code ? gx_standing_code(exit_code) : code;
}

/* Rank 0's resident memory in its parts: the heap, and the MPI library's shared-memory
 * segments, which grow with the peers it hears from, not with gpuxfer's data. */
static void add_rss_parts(cJSON *res)
{
    static const char *const parts[][2] = {{"RssAnon:", "rank0_rss_anon_kib"},
                                           {"RssShmem:", "rank0_rss_shmem_kib"}};
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        for (size_t i = 0; i < GX_ARRAY_LEN(parts); i++) {
            size_t n = strlen(parts[i][0]);
            long kib;
            if (strncmp(line, parts[i][0], n) == 0 && sscanf(line + n, "%ld", &kib) == 1)
                cJSON_AddNumberToObject(res, parts[i][1], (double)kib);
        }
    if (f)
        fclose(f);
}

/* The document and a newline to `to`, replacing only what `was` names there. */
static int put_report(struct gx_report *rep, const cJSON *d, const char *to,
                      const struct gx_file_id *was)
{
    struct report_out o = {.pieces = 0};
    struct gx_jstream *w = malloc(sizeof *w);
    int e = w ? gx_durable_open(&o.d, to) : ENOMEM;
    if (e) {
        free(w);
        return e;
    }
    *w = (struct gx_jstream){.out = out_piece, .out_ctx = &o, .fill = fill_member, .fill_ctx = rep};
    e = gx_stream_doc(w, d);
    free(w);
    if (!e)
        e = gx_durable_write(&o.d, "\n", 1);
    if (e) {
        gx_durable_abandon(&o.d);
        return e;
    }
    if (rep->commit_ready)
        pthread_mutex_lock(&rep->commit_mu);
    say_standing_locked(rep);
    e = gx_durable_commit(&o.d, to, was);
    rep->committed |= e == 0;
    if (rep->commit_ready)
        pthread_mutex_unlock(&rep->commit_mu);
    return e;
}

/* Where something else took rep->path meanwhile, it stays: the report goes beside it. */
static int place_report(struct gx_report *rep, const cJSON *d)
{
    int e = put_report(rep, d, rep->path, &rep->report_was);
    if (e != EEXIST)
        return e;
    char aside[sizeof rep->path];
    const struct gx_file_id none = {0};
    for (int n = 1; e == EEXIST && n < 100; n++) {
        int len = snprintf(aside, sizeof aside, "%.4000s.%ld-%d.json", rep->path, (long)getpid(), n);
        e = len < (int)sizeof aside ? put_report(rep, d, aside, &none) : ENAMETOOLONG;
    }
    if (!e) {
        fprintf(stderr, "gpuxfer: '%s' was created by something else while this run went on and "
                "is left as it is: this run's report is '%s'\n", rep->path, aside);
        memcpy(rep->path, aside, sizeof aside);
    }
    return e;
}

static int write_locked(struct gx_report *rep, const char *status,
                        int exit_code, struct gx_err *err)
{
    char now[40];
    double t0 = gx_mono_s();
    gx_utc_now(now, sizeof now, 0);
    cJSON *d = rep->doc;
    gx_json_replace(d, "end_time", cJSON_CreateString(now));
    gx_json_replace(d, "status", cJSON_CreateString(status));
    gx_json_replace(d, "exit_code", cJSON_CreateNumber(exit_code));
    rep->exit_code = exit_code;
    /* Whenever written, a stop within a pass too. */
    cJSON *soak = cJSON_GetObjectItemCaseSensitive(d, "soak");
    if (soak) {
        gx_json_replace(soak, "results_streamed", cJSON_CreateNumber((double)rep->streamed));
        gx_json_replace(soak, "failures", cJSON_CreateNumber((double)rep->failures));
    }
    cJSON_DeleteItemFromObject(d, "summary");
    cJSON *summary = gx_summary_json(&rep->summary);
    if (!summary)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the report's summary");
    cJSON_AddItemToObject(d, "summary", summary);
    /* What rank 0 costs as the job grows; serialising the document is not counted. */
    struct rusage ru;
    cJSON_DeleteItemFromObject(d, "resources");
    cJSON *res = cJSON_AddObjectToObject(d, "resources");
    if (res && getrusage(RUSAGE_SELF, &ru) == 0)
        cJSON_AddNumberToObject(res, "rank0_max_rss_kib", (double)ru.ru_maxrss);
    if (res)
        add_rss_parts(res);
    if (res)
        cJSON_AddNumberToObject(res, "report_assembly_s", rep->assembly_s + gx_mono_s() - t0);
    if (gx_json_repair(d) < 0)
        return gx_fail(err, GX_ERUNTIME, "out of host memory printing the report");
    rep->read_errno = 0;
    int e = place_report(rep, d);
    if (e && rep->read_errno)
        return gx_fail(err, GX_ERUNTIME, "writing the report '%s': reading its results back "
                       "from '%s': %s", rep->path, rep->lines_path, rep->read_errno == EILSEQ ?
                       "a line is not JSON" : strerror(rep->read_errno));
    if (e == ENOMEM)
        return gx_fail(err, GX_ERUNTIME, "out of host memory printing the report");
    if (e)
        return gx_fail(err, GX_ERUNTIME, "writing the report '%s': %s", rep->path, strerror(e));
    return GX_OK;
}

int gx_report_write(struct gx_report *rep, const char *status, int exit_code,
                    struct gx_err *err)
{
    gx_report_lock(rep);
    int rc = GX_OK;
    if (!rep->final_written) { /* else the watchdog's report stands, with its exit code */
        rc = write_locked(rep, status, exit_code, err);
        rep->final_written = rc == GX_OK;
    }
    gx_report_unlock(rep);
    return rc;
}

int gx_report_write_abort(struct gx_report *rep, const char *status, int exit_code,
                          const char *message, cJSON *failure, struct gx_err *err)
{
    if (rep->lock_ready) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2;
        if (pthread_mutex_timedlock(&rep->lock, &until) != 0) {
            cJSON_Delete(failure);
            return gx_fail(err, GX_ERUNTIME, "the report is busy; not written");
        }
    }
    int rc = GX_OK;
    if (!rep->final_written && rep->doc) {
        gx_report_add_held_locked(rep); /* results still to have their last visit, as they stand */
        gx_json_replace(rep->doc, "error", cJSON_CreateString(message));
        if (failure) {
            gx_json_replace(rep->doc, "failure", failure);
            failure = NULL;
        }
        rc = write_locked(rep, status, exit_code, err);
        rep->final_written = rc == GX_OK;
    }
    cJSON_Delete(failure);
    gx_report_unlock(rep);
    return rc;
}

int gx_report_abort(void *ctx, const struct gx_sink_abort *a)
{
    struct gx_report *rep = ctx;
    int code = a->code;
    if (!a->began && rep->lines_end == 0) {
        /* Nothing measured: nothing left behind to block the next run's --output. */
        gx_report_discard(rep);
        return code;
    }
    cJSON *failure = gx_failure_json(a->kind, a->measurement, a->ranks, a->nranks);
    if (failure && a->signal)
        cJSON_AddStringToObject(failure, "signal", a->signal);
    if (failure && strcmp(a->kind, "timeout") == 0)
        cJSON_AddNumberToObject(failure, "timeout_s", a->timeout_s);
    if (failure && a->phase)
        cJSON_AddStringToObject(failure, "phase", a->phase);
    struct gx_err werr = {0};
    /* Before the write: a final report the main thread is committing says it stands. */
    end_taken(rep, code);
    if (gx_report_write_abort(rep, a->status, code, a->message, failure, &werr) != GX_OK)
        fprintf(stderr, "gpuxfer: %s (the results so far are in %s)\n", werr.msg,
                rep->lines_path);
    else if (rep->exit_code != code) /* an earlier report stands: its answer too */
        code = end_taken(rep, code);
    else
        fprintf(stderr, "gpuxfer: report (%s) written to %s\n", a->status, rep->path);
    return code;
}

void gx_report_discard(struct gx_report *rep)
{
    if (!rep->lines_open)
        return;
    int e = gx_claim_release(rep->lines_path, rep->lines_fd);
    rep->lines_open = 0;
    if (e)
        fprintf(stderr, "gpuxfer: cannot remove '%s': %s\n", rep->lines_path, strerror(e));
}

void gx_report_close(struct gx_report *rep)
{
    if (rep->lines_open)
        close(rep->lines_fd); /* the lock goes with it */
    if (rep->samples_open && close(rep->samples_fd) != 0)
        fprintf(stderr, "gpuxfer: closing '%s': %s\n", rep->samples_path, strerror(errno));
    cJSON_Delete(rep->doc);
    gx_summary_free(&rep->summary);
    gx_skips_free(&rep->skips);
    gx_ceilings_free(&rep->ceilings);
    gx_context_free(rep->context);
    for (size_t i = 0; i < rep->nheld; i++)
        cJSON_Delete(rep->held[i].json);
    free(rep->held);
    if (rep->lock_ready)
        pthread_mutex_destroy(&rep->lock);
    if (rep->commit_ready)
        pthread_mutex_destroy(&rep->commit_mu);
    memset(rep, 0, sizeof *rep);
}

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
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return gx_fail(err, GX_EINPUT, "%s: cannot write '%s': '%s' is not a directory",
                       opt, given, dir);
    /* A file created and removed: permissions, a read-only or full file system, /proc. */
    char probe[4300];
    snprintf(probe, sizeof probe, "%s/.gpuxfer-probe.%ld", dir, (long)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return gx_fail(err, GX_EINPUT, "%s: cannot write '%s': no new file in '%s': %s",
                       opt, given, dir, strerror(errno));
    close(fd);
    unlink(probe);
    return GX_OK;
}

/* --dry-run: the nearest existing folder must take what the run would make there. */
static int check_dirs(const char *opt, const char *given, struct gx_err *err)
{
    char dir[4200], probe[4300];
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
    if (!S_ISDIR(st.st_mode))
        return gx_fail(err, GX_EINPUT, "%s: cannot write '%s': '%s' is not a directory",
                       opt, given, dir);
    /* Made and taken away at once (access() says yes to root where nothing can be made): a
     * folder where the run makes folders, else a file. */
    snprintf(probe, sizeof probe, "%s/.gpuxfer-probe.%ld", dir, (long)getpid());
    int fd = -1;
    if (folders ? mkdir(probe, 0700) != 0
                : (fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        return gx_fail(err, GX_EINPUT, "%s: cannot write '%s': no new %s in '%s': %s", opt,
                       given, folders ? "folder" : "file", dir, strerror(errno));
    if (folders)
        rmdir(probe);
    else {
        close(fd);
        unlink(probe);
    }
    return GX_OK;
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

/* The one step in which a run takes its names (rank 0): the .jsonl created and locked, so that
 * a second run with this --output fails at once, even with --force; then, under that lock, the
 * checks again, where the report was (the only file its rename may replace) and stale
 * temporaries removed. *lines_fd is the .jsonl, read-write. */
static int gx_out_claim(const char *path, int force, int *lines_fd,
                        struct gx_file_id *report_was, struct gx_err *err)
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
    if (gx_env_name("SLURM_JOB_ID", job, sizeof job) && gx_env_name("SLURM_STEP_ID", step, sizeof step))
        snprintf(buf, len, GX_OUTPUT_DIR "/gpuxfer-%s-%s.%s-%ld.json", now, job, step, (long)getpid());
    else if (job[0])
        snprintf(buf, len, GX_OUTPUT_DIR "/gpuxfer-%s-%s-%ld.json", now, job, (long)getpid());
    else
        snprintf(buf, len, GX_OUTPUT_DIR "/gpuxfer-%s-%ld.json", now, (long)getpid());
}

/* A slot is a raw item printed as MARK slot MARK: cJSON escapes control characters in strings
 * and keys (\u0001), so this byte in its output can only be a slot. */
#define MARK '\001'

cJSON *gx_stream_slot(int slot)
{
    char raw[24];
    snprintf(raw, sizeof raw, "%c%d%c", MARK, slot, MARK);
    return cJSON_CreateRaw(raw);
}

static int flush(struct gx_jstream *w)
{
    int e = w->len ? w->out(w->out_ctx, w->buf, w->len) : 0;
    w->len = 0;
    return e;
}

static int put(struct gx_jstream *w, const char *s, size_t n)
{
    while (n) {
        if (w->len == sizeof w->buf) {
            int e = flush(w);
            if (e)
                return e;
        }
        size_t k = sizeof w->buf - w->len < n ? sizeof w->buf - w->len : n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
    return 0;
}

/* Moved `extra` tabs deeper: cJSON escapes line breaks within strings, so every one in its
 * output starts an indented line. */
static int put_indented(struct gx_jstream *w, const char *s, size_t n, int extra)
{
    const char *end = s + n;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t k = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        int e = put(w, s, k);
        for (int i = 0; nl && !e && i < extra; i++)
            e = put(w, "\t", 1);
        if (e)
            return e;
        s += k;
    }
    return 0;
}

static int print_at(struct gx_jstream *w, const cJSON *item, int extra);

/* cJSON counts an array as a level, though it breaks no line. */
static int fill_slot(struct gx_jstream *w, int slot, int depth)
{
    int e = put(w, "[", 1);
    int depth0 = w->depth, first0 = w->first;
    w->depth = depth;
    w->first = 1;
    if (!e)
        e = w->fill(w, slot, w->fill_ctx);
    w->depth = depth0;
    w->first = first0;
    return e ? e : put(w, "]", 1);
}

static int print_at(struct gx_jstream *w, const cJSON *item, int extra)
{
    char *text = cJSON_Print(item);
    if (!text)
        return ENOMEM;
    int e = 0;
    const char *s = text, *line = text;
    for (const char *m; !e && (m = strchr(s, MARK));) {
        for (const char *p = s; p < m; p++)
            if (*p == '\n')
                line = p + 1;
        int tabs = 0;
        while (line[tabs] == '\t')
            tabs++;
        char *close;
        long slot = strtol(m + 1, &close, 10);
        e = put_indented(w, s, (size_t)(m - s), extra);
        if (!e)
            e = fill_slot(w, (int)slot, tabs + extra + 1);
        s = close + 1;
    }
    if (!e)
        e = put_indented(w, s, strlen(s), extra);
    cJSON_free(text);
    return e;
}

int gx_stream_doc(struct gx_jstream *w, const cJSON *doc)
{
    w->len = 0;
    w->depth = 0;
    w->first = 1;
    int e = print_at(w, doc, 0);
    return e ? e : flush(w);
}

int gx_stream_item(struct gx_jstream *w, const cJSON *item, gx_stream_fill fill, void *ctx)
{
    int e = w->first ? 0 : put(w, ", ", 2);
    w->first = 0;
    gx_stream_fill fill0 = w->fill;
    void *ctx0 = w->fill_ctx;
    if (fill) {
        w->fill = fill;
        w->fill_ctx = ctx;
    }
    if (!e)
        e = print_at(w, item, w->depth);
    w->fill = fill0;
    w->fill_ctx = ctx0;
    return e;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 where none starts. */
static size_t seq_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    /* The second byte's valid ranges (RFC 3629). */
    unsigned lo = 0x80, hi = 0xbf;
    size_t n;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
        hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
    } else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

char *gx_utf8_repaired(const char *s, int *oom)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t bad = 0, len = 0;
    for (size_t k; p[len]; len += k ? k : 1)
        bad += (k = seq_len(p + len)) == 0;
    if (!bad)
        return NULL;
    char *out = malloc(len + 2 * bad + 1); /* each bad byte grows to the 3 bytes of U+FFFD */
    if (!out) {
        *oom = 1;
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0, k; i < len; i += k ? k : 1) {
        if ((k = seq_len(p + i)) == 0) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
        } else {
            memcpy(out + o, p + i, k);
            o += k;
        }
    }
    out[o] = '\0';
    return out;
}

/* 1 if it was repaired, -1 when out of memory. */
static int repair_string(char **s)
{
    int oom = 0;
    char *fixed = *s ? gx_utf8_repaired(*s, &oom) : NULL;
    if (!fixed)
        return oom ? -1 : 0;
    cJSON_free(*s);
    *s = fixed; /* cJSON frees it with cJSON_free, which is free() unless hooks are set */
    return 1;
}

static int note(cJSON *notes, const char *where)
{
    cJSON *s = cJSON_CreateString(where);
    return s && cJSON_AddItemToArray(notes, s) ? 0 : -1;
}

/* `where` holds item's place, `len` its length. */
static int walk(cJSON *item, char *where, size_t len, size_t cap, cJSON *notes)
{
    int n = 0, i = 0;
    cJSON *c;
    cJSON_ArrayForEach(c, item) {
        if (c == notes)
            continue;
        int k = 0, v = 0;
        if (cJSON_IsObject(item))
            k = repair_string(&c->string);
        size_t l = cJSON_IsObject(item)
                       ? (size_t)snprintf(where + len, cap - len, "%s%s", len ? "." : "", c->string)
                       : (size_t)snprintf(where + len, cap - len, "[%d]", i);
        l = len + (l < cap - len ? l : cap - len - 1);
        if (cJSON_IsString(c))
            v = repair_string(&c->valuestring);
        if (k < 0 || v < 0 || ((k || v) && note(notes, where) < 0))
            return -1;
        n += k || v;
        if (cJSON_IsArray(c) || cJSON_IsObject(c)) {
            int sub = walk(c, where, l, cap, notes);
            if (sub < 0)
                return -1;
            n += sub;
        }
        where[len] = '\0';
        i++;
    }
    return n;
}

int gx_json_repair_at(cJSON *item, const char *place, cJSON *notes)
{
    char where[512];
    size_t len = (size_t)snprintf(where, sizeof where, "%s", place);
    return walk(item, where, len < sizeof where ? len : sizeof where - 1, sizeof where, notes);
}

int gx_json_repair(cJSON *item)
{
    cJSON *notes = cJSON_GetObjectItemCaseSensitive(item, GX_JSON_REPAIRED_KEY);
    int made = !notes;
    if (made && !(notes = cJSON_CreateArray()))
        return -1;
    int n = gx_json_repair_at(item, "", notes);
    if (made && cJSON_GetArraySize(notes) > 0)
        cJSON_AddItemToObject(item, GX_JSON_REPAIRED_KEY, notes);
    else if (made)
        cJSON_Delete(notes);
    return n;
}

int gx_stream_repaired(struct gx_jstream *w, cJSON *item)
{
    cJSON *places = cJSON_CreateArray();
    int e = places && gx_json_repair_at(item, "", places) >= 0 ? gx_stream_item(w, item, NULL, NULL)
                                                               : ENOMEM;
    cJSON_Delete(places);
    return e;
}

int gx_report_open(struct gx_report *rep, const char *path, int force, int argc, char **argv,
                   struct gx_err *err)
{
    memset(rep, 0, sizeof *rep);
    rep->lock_ready = pthread_mutex_init(&rep->lock, NULL) == 0;
    rep->commit_ready = pthread_mutex_init(&rep->commit_mu, NULL) == 0;
    rep->end_code = -1;
    snprintf(rep->path, sizeof rep->path, "%s", path);
    snprintf(rep->lines_path, sizeof rep->lines_path, "%s.jsonl", path);
    snprintf(rep->samples_path, sizeof rep->samples_path, "%s.samples.jsonl", path);
    GX_TRY(gx_out_claim(path, force, &rep->lines_fd, &rep->report_was, err));
    rep->lines_open = 1;
    /* One left by an earlier run (--force) must not seem to be this run's. */
    if (unlink(rep->samples_path) != 0 && errno != ENOENT)
        return gx_fail(err, GX_EINPUT, "--output: cannot remove '%s': %s", rep->samples_path,
                       strerror(errno));
    char now[40];
    gx_utc_now(now, sizeof now, 0);
    cJSON *d = rep->doc = cJSON_CreateObject();
    cJSON *cmd = cJSON_CreateArray();
    if (!d || !cmd) {
        cJSON_Delete(cmd);
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the report");
    }
    cJSON_AddStringToObject(d, "schema_version", GX_SCHEMA_VERSION);
    cJSON *tool = cJSON_AddObjectToObject(d, "tool");
    cJSON_AddStringToObject(tool, "name", PACKAGE_NAME);
    cJSON_AddStringToObject(tool, "version", PACKAGE_VERSION);
    for (int i = 0; i < argc; i++)
        cJSON_AddItemToArray(cmd, cJSON_CreateString(argv[i]));
    cJSON_AddItemToObject(d, "command_line", cmd);
    cJSON_AddStringToObject(d, "start_time", now);
    cJSON *results = gx_stream_slot(0);
    if (results)
        cJSON_AddItemToObject(d, "results", results);
    /* The first streamed member: in its place in the document from the start. */
    cJSON *skipped = gx_stream_slot(1);
    if (skipped) {
        cJSON_AddItemToObject(d, "skipped", skipped);
        rep->streams[0] = (struct gx_report_stream){"skipped", gx_skips_fill, &rep->skips};
        rep->nstreams = 1;
    }
    if (!results || !skipped)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the report");
    return GX_OK;
}
