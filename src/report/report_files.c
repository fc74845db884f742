/* The report's files: claimed (out_path.h), written whole and atomically by the main thread or
 * the watchdog, one at a time, discarded or closed at the end. */
#include "config.h"
#include "report.h"

#include "context.h"
#include "fault.h"
#include "out_path.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
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
        int len = snprintf(aside, sizeof aside, "%.4000s.%ld-%d.json", rep->path,
                           (long)getpid(), n);
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
    if (gx_json_repair(d, "", d) < 0)
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
    return gx_report_write_abort(rep, status, exit_code, NULL, NULL, err);
}

/* The first report written stands, with its exit code: the watchdog's, or the main thread's. */
int gx_report_write_abort(struct gx_report *rep, const char *status, int exit_code,
                          const char *message, cJSON *failure, struct gx_err *err)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    if (!message) {
        gx_report_lock(rep);
    } else if (rep->lock_ready && pthread_mutex_timedlock(&rep->lock, &until) != 0) {
        cJSON_Delete(failure);
        return gx_fail(err, GX_ERUNTIME, "the report is busy; not written");
    }
    int rc = GX_OK;
    if (!rep->final_written && rep->doc) {
        if (message) { /* results still to have their last visit, as they stand */
            gx_report_add_held_locked(rep);
            gx_json_replace(rep->doc, "error", cJSON_CreateString(message));
        }
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
