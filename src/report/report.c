#include "config.h"
#include "report.h"

#include "options.h"
#include "fault.h"
#include "file_util.h"
#include "json_repair.h"
#include "out_path.h"
#include "samples_file.h"
#include "sizes.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

const char *gx_state_name(enum gx_state s)
{
    switch (s) {
    case GX_STATE_OK: return "ok";
    case GX_STATE_SKIPPED: return "skipped";
    case GX_STATE_FAILED: return "failed";
    default: return "idle";
    }
}

const char *gx_chunk_choice_name(int choice)
{
    static const char *const names[] = {"default", "auto", "given"}; /* enum gx_chunk_mode */
    return choice >= 0 && choice < (int)GX_ARRAY_LEN(names) ? names[choice] : "unknown";
}

int gx_chunk_picked(size_t chunk, int choice)
{
    return chunk > 0 && choice != GX_CHUNK_GIVEN;
}

void gx_chunk_key_json(cJSON *o, size_t chunk, int depth, int choice)
{
    if (gx_chunk_picked(chunk, choice)) {
        cJSON_AddStringToObject(o, "chunk_choice", gx_chunk_choice_name(choice));
    } else if (chunk) {
        cJSON_AddNumberToObject(o, "chunk", (double)chunk);
        cJSON_AddNumberToObject(o, "depth", depth);
    }
}

const char *gx_validation_name(const struct gx_result *r)
{
    return !r->validated ? "not_checked" : r->valid ? "passed" : "failed";
}

void gx_result_settle(struct gx_result *r, char *why, size_t len)
{
    if (!r->validated || r->valid || r->state == GX_STATE_SKIPPED)
        return;
    snprintf(why, len, "received data did not match what was sent: first bad byte at offset "
             "%lld (validation iteration %ld)%s%s", r->bad_offset, r->bad_iter,
             r->state == GX_STATE_FAILED && r->reason && r->reason[0] ? "; " : "",
             r->state == GX_STATE_FAILED && r->reason ? r->reason : "");
    r->state = GX_STATE_FAILED;
    r->reason = why;
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
    /* One left by an earlier run (--force): this run's report must not seem to refer to it. */
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
    rep->skipped = cJSON_AddArrayToObject(d, "skipped");
    rep->summary = cJSON_CreateArray();
    if (!results || !rep->skipped || !rep->summary)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the report");
    return GX_OK;
}

/* name: [x, y] (a pair of ranks, an interval). */
static void add_two(cJSON *o, const char *name, double x, double y)
{
    cJSON *a = cJSON_AddArrayToObject(o, name);
    cJSON_AddItemToArray(a, cJSON_CreateNumber(x));
    cJSON_AddItemToArray(a, cJSON_CreateNumber(y));
}

static void add_stats(cJSON *o, const struct gx_stats *s)
{
    cJSON *st = cJSON_AddObjectToObject(o, "stats");
    cJSON_AddNumberToObject(st, "n", (double)s->n);
    cJSON_AddNumberToObject(st, "min", s->min);
    cJSON_AddNumberToObject(st, "max", s->max);
    cJSON_AddNumberToObject(st, "mean", s->mean);
    cJSON_AddNumberToObject(st, "median", s->median);
    cJSON_AddNumberToObject(st, "p5", s->p5);
    cJSON_AddNumberToObject(st, "p95", s->p95);
    cJSON_AddNumberToObject(st, "p99", s->p99);
    cJSON_AddNumberToObject(st, "stddev", s->stddev);
    cJSON_AddNumberToObject(st, "cv", s->cv);
    add_two(st, "median_ci95", s->ci_lo, s->ci_hi);
}

/* Whether the machine disturbed the step: its marks (none: clean), what they rest on, and a
 * sentence a reader can act on. */
void gx_noise_json(cJSON *o, const struct gx_noise *n)
{
    cJSON *e = cJSON_AddObjectToObject(o, "noise");
    cJSON *marks = cJSON_AddArrayToObject(e, "marks");
    char word[32], why[256];
    for (unsigned bit = 1; bit <= GX_NOISE_WIDE; bit <<= 1)
        if (n->marks & bit)
            cJSON_AddItemToArray(marks, cJSON_CreateString(gx_noise_words(bit, word, sizeof word)));
    if (n->cpu_wait >= 0)
        cJSON_AddNumberToObject(e, "cpu_wait", n->cpu_wait);
    if (n->cpu_waits >= 0)
        cJSON_AddNumberToObject(e, "cpu_waits", (double)n->cpu_waits);
    if (n->tail > 0)
        cJSON_AddNumberToObject(e, "tail", n->tail);
    cJSON_AddNumberToObject(e, "median_ci", n->ci);
    if (n->marks) {
        gx_noise_why(n, why, sizeof why);
        cJSON_AddStringToObject(e, "why", why);
    }
}

/* A median above its ceiling whose 95% interval reaches it: at the ceiling. */
static void add_within(cJSON *o, const struct gx_result *r)
{
    cJSON *e = cJSON_AddObjectToObject(o, "ceiling_within");
    cJSON_AddNumberToObject(e, "by", r->efficiency);
    add_two(e, "median_interval", r->stats.ci_lo, r->stats.ci_hi);
}

/* A median beyond its ceiling, the best iteration of the layer below: by how much, the
 * probe's range, and why that can be. */
static void add_exceeded(cJSON *o, const struct gx_result *r)
{
    cJSON *e = cJSON_AddObjectToObject(o, "ceiling_exceeded");
    int latency = r->family == GX_FAMILY_LATENCY;
    cJSON_AddNumberToObject(e, "by", r->efficiency);
    add_two(e, "ceiling_range", r->ceiling_range.lo, r->ceiling_range.hi);
    char why[320];
    snprintf(why, sizeof why, "the median (%.4g %s) is %s than the best of the %d iterations of "
             "the probe of the layer below (%.4g .. %.4g): the path reached something the probe "
             "does not measure, or the machine changed between them, so the ceiling does not "
             "bound the result here",
             r->stats.median, r->unit, latency ? "faster" : "higher", r->ceiling_range.iters,
             r->ceiling_range.lo, r->ceiling_range.hi);
    cJSON_AddStringToObject(e, "reason", why);
}

const char *gx_ended_name(int ended)
{
    static const char *const names[] = {
        [GX_ENDED_ITERATIONS] = "iterations",
        [GX_ENDED_PRECISION] = "precision",
        [GX_ENDED_TIME] = "time",
    };
    return ended >= 0 && ended < (int)GX_ARRAY_LEN(names) ? names[ended] : names[0];
}

/* What ended the step and how precisely its median is known. */
static void add_stop(cJSON *o, const struct gx_result *r)
{
    cJSON *st = cJSON_AddObjectToObject(o, "stop");
    cJSON_AddStringToObject(st, "by", gx_ended_name(r->ended));
    double reached = gx_median_precision(r->stats.median, r->stats.ci_lo, r->stats.ci_hi);
    if (isfinite(reached))
        cJSON_AddNumberToObject(st, "precision", reached);
    if (r->precision > 0)
        cJSON_AddNumberToObject(st, "precision_asked", r->precision);
    if (r->share_s > 0)
        cJSON_AddNumberToObject(st, "share_s", r->share_s);
    if (r->elapsed_s > 0)
        cJSON_AddNumberToObject(st, "elapsed_s", r->elapsed_s);
}

void gx_result_key_json(cJSON *o, const struct gx_result *r)
{
    if (r->run_name && r->run_name[0])
        cJSON_AddStringToObject(o, "run", r->run_name);
    cJSON_AddStringToObject(o, "path", r->path);
    cJSON *mem = cJSON_AddObjectToObject(o, "mem");
    cJSON_AddStringToObject(mem, "src", r->src_mem);
    cJSON_AddStringToObject(mem, "dst", r->dst_mem);
    cJSON_AddStringToObject(o, "pattern", r->pattern);
}

cJSON *gx_result_json(const struct gx_result *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    gx_result_key_json(o, r);
    add_two(o, "ranks", r->a, r->b);
    cJSON_AddBoolToObject(o, "same_node", r->same_node);
    cJSON_AddNumberToObject(o, "size", (double)r->size);
    cJSON_AddStringToObject(o, "size_class", gx_size_class_name(gx_size_class(r->size)));
    if (r->chunk) {
        cJSON_AddNumberToObject(o, "chunk", (double)r->chunk);
        cJSON_AddNumberToObject(o, "depth", r->depth);
        cJSON_AddStringToObject(o, "chunk_choice", gx_chunk_choice_name(r->chunk_choice));
    }
    if (r->stage_names) {
        cJSON *st = cJSON_AddArrayToObject(o, "stages");
        for (int i = 0; i < GX_MAX_STAGES && r->stage_names[i]; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", r->stage_names[i]);
            cJSON_AddNumberToObject(e, "initiator_us", r->stage_us[0][i]);
            cJSON_AddNumberToObject(e, "peer_us", r->stage_us[1][i]);
            cJSON_AddItemToArray(st, e);
        }
    }
    cJSON_AddStringToObject(o, "clock", r->gpu_timed ? "gpu" : "host");
    if (r->via)
        cJSON_AddStringToObject(o, "via", r->via);
    if (gx_chunk_picked(r->chunk, r->chunk_choice)) {
        cJSON_AddBoolToObject(o, "chunk_auto", 1);
        cJSON *cands = cJSON_AddArrayToObject(o, "auto_candidates");
        for (int i = 0; i < r->ncands; i++) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddNumberToObject(c, "chunk", (double)r->cands[i].chunk);
            cJSON_AddNumberToObject(c, "depth", r->cands[i].depth);
            cJSON_AddNumberToObject(c, "median", r->cands[i].m.median);
            add_two(c, "median_ci95", r->cands[i].m.lo, r->cands[i].m.hi);
            cJSON_AddItemToArray(cands, c);
        }
    }
    cJSON_AddNumberToObject(o, "iterations", (double)r->iters);
    if (r->state == GX_STATE_OK)
        add_stop(o, r);
    cJSON_AddNumberToObject(o, "warmup", (double)r->warmup);
    cJSON_AddNumberToObject(o, "window", (double)r->window);
    cJSON_AddStringToObject(o, "unit", r->unit);
    cJSON_AddStringToObject(o, "status", gx_state_name(r->state));
    if (r->reason && r->reason[0])
        cJSON_AddStringToObject(o, "reason", r->reason);
    if (r->state == GX_STATE_OK)
        add_stats(o, &r->stats);
    cJSON *v = cJSON_AddObjectToObject(o, "validation");
    cJSON_AddStringToObject(v, "status", gx_validation_name(r));
    cJSON_AddNumberToObject(v, "checks", r->validated);
    if (r->validated && !r->valid) {
        cJSON_AddNumberToObject(v, "first_bad_offset", (double)r->bad_offset);
        cJSON_AddNumberToObject(v, "iteration", (double)r->bad_iter);
    }
    if (r->state == GX_STATE_OK && r->ceiling > 0) {
        cJSON_AddNumberToObject(o, "ceiling", r->ceiling);
        cJSON_AddStringToObject(o, "ceiling_what", r->ceiling_what ? r->ceiling_what : "");
        cJSON_AddNumberToObject(o, "efficiency", r->efficiency);
        if (r->ceiling_exceeded)
            add_exceeded(o, r);
        else if (r->ceiling_within)
            add_within(o, r);
    } else if (r->state == GX_STATE_OK && r->ceiling_what && r->ceiling_what[0]) {
        cJSON_AddStringToObject(o, "ceiling_absent", r->ceiling_what);
        if (r->ceiling_unsound)
            cJSON_AddBoolToObject(o, "ceiling_unsound", 1);
    }
    /* The third yardstick: the route's line rate (schema 2.7), or why there is none. */
    if (r->state == GX_STATE_OK && r->line_gbs > 0) {
        cJSON_AddNumberToObject(o, "line_gbs", r->line_gbs);
        cJSON_AddNumberToObject(o, "line_share", r->line_share);
        cJSON_AddStringToObject(o, "line_route", r->line_what);
        if (r->line_exceeded)
            cJSON_AddBoolToObject(o, "line_exceeded", 1);
    } else if (r->state == GX_STATE_OK && r->line_what[0]) {
        cJSON_AddStringToObject(o, "line_absent", r->line_what);
    }
    if (r->state == GX_STATE_OK)
        gx_noise_json(o, &r->noise);
    if (r->samples) {
        cJSON *s = cJSON_CreateDoubleArray(r->samples, (int)r->nsamples);
        cJSON_AddItemToObject(o, "samples", s);
    }
    return o;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void lock(struct gx_report *rep)
{
    if (rep->lock_ready)
        pthread_mutex_lock(&rep->lock);
}

static void unlock(struct gx_report *rep)
{
    if (rep->lock_ready)
        pthread_mutex_unlock(&rep->lock);
}

static int report_add_locked(struct gx_report *rep, const struct gx_result *res,
                             long samples_line, const char *samples_dropped, struct gx_err *err);

int gx_report_add(struct gx_report *rep, const struct gx_result *res, struct gx_err *err)
{
    struct gx_result r = *res;
    long samples_line = 0;
    lock(rep);
    int given = rep->final_written;
    unlock(rep);
    char dropped[1100] = "";
    if (r.samples && !given && rep->inline_samples + (long)r.nsamples > GX_SAMPLES_INLINE) {
        struct gx_err serr = {0};
        /* The samples are extra: a disk too full for them drops them, never the result. */
        if (gx_samples_stream(rep, res, &serr) == GX_OK) {
            samples_line = rep->samples_lines;
        } else {
            snprintf(dropped, sizeof dropped, "%s", serr.msg);
            fprintf(stderr, "gpuxfer: %s: this result's samples are dropped, the result "
                    "stands\n", serr.msg);
        }
        r.samples = NULL;
    } else if (r.samples) {
        rep->inline_samples += (long)r.nsamples;
    }
    lock(rep);
    double t0 = mono_s();
    /* Once a report is written (the watchdog's, ending the job) the answer is given: a result
     * measured after it goes neither to the report nor to the .jsonl, so that they agree. */
    int rc = rep->final_written ? GX_OK
                                : report_add_locked(rep, &r, samples_line, dropped, err);
    rep->assembly_s += mono_s() - t0;
    unlock(rep);
    return rc;
}

static int report_add_locked(struct gx_report *rep, const struct gx_result *res,
                             long samples_line, const char *samples_dropped, struct gx_err *err)
{
    cJSON *o = gx_result_json(res);
    if (!o)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for a result");
    if (samples_line > 0)
        gx_samples_ref(o, rep, samples_line, res->nsamples);
    if (samples_dropped[0])
        cJSON_AddStringToObject(o, "samples_dropped", samples_dropped);
    if (rep->rotation > 0)
        cJSON_AddNumberToObject(o, "rotation", (double)rep->rotation);
    rep->streamed++;
    rep->failures += res->state == GX_STATE_FAILED;
    int e = gx_json_append_line(rep->lines_fd, &rep->lines_end, o);
    /* The document's results are the lines' first ones: a result is in both or in neither.
     * Later --soak passes are in the lines file only. */
    if (!e && rep->rotation <= 1) {
        rep->doc_end = rep->lines_end;
        if (gx_summary_add(rep->summary, o) < 0)
            e = ENOMEM;
    }
    cJSON_Delete(o);
    if (e == ENOMEM)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for a result line");
    if (e)
        return gx_fail(err, GX_ERUNTIME, "writing '%s': %s", rep->lines_path, strerror(e));
    return GX_OK;
}

void gx_report_skip(struct gx_report *rep, const char *run, const char *path, int a, int b,
                    const char *reason)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return;
    lock(rep);
    if (run && run[0])
        cJSON_AddStringToObject(o, "run", run);
    cJSON_AddStringToObject(o, "path", path);
    if (a >= 0)
        add_two(o, "ranks", a, b);
    cJSON_AddStringToObject(o, "reason", reason);
    cJSON_AddItemToArray(rep->skipped, o);
    unlock(rep);
}

static int write_locked(struct gx_report *rep, const char *status,
                        int exit_code, struct gx_err *err);

int gx_report_set_streamed(struct gx_report *rep, const char *key, gx_stream_fill fill,
                           void *ctx, struct gx_err *err)
{
    lock(rep);
    int i = 0;
    while (i < rep->nstreams && strcmp(rep->streams[i].key, key) != 0)
        i++;
    if (i == GX_REPORT_STREAMS) { /* a new member beyond the table: GX_REPORT_STREAMS is short */
        unlock(rep);
        return gx_fail(err, GX_ERUNTIME, "no room for the report's member '%s'", key);
    }
    cJSON *slot = gx_stream_slot(i + 1);
    if (slot) {
        rep->streams[i] = (struct gx_report_stream){key, fill, ctx};
        rep->nstreams += i == rep->nstreams;
        cJSON_DeleteItemFromObject(rep->doc, key);
        cJSON_AddItemToObject(rep->doc, key, slot);
    }
    unlock(rep);
    return slot ? GX_OK : gx_fail(err, GX_ERUNTIME, "out of host memory for the report's %s", key);
}

void gx_report_set(struct gx_report *rep, const char *key, cJSON *item)
{
    lock(rep);
    cJSON_DeleteItemFromObject(rep->doc, key);
    if (item)
        cJSON_AddItemToObject(rep->doc, key, item);
    unlock(rep);
}

int gx_report_write(struct gx_report *rep, const char *status, int exit_code,
                    struct gx_err *err)
{
    lock(rep);
    int rc = GX_OK;
    if (!rep->final_written) { /* else the watchdog's report stands, with its exit code */
        rc = write_locked(rep, status, exit_code, err);
        rep->final_written = rc == GX_OK;
    }
    unlock(rep);
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
        cJSON_DeleteItemFromObject(rep->doc, "error");
        cJSON_AddStringToObject(rep->doc, "error", message);
        if (failure) {
            cJSON_DeleteItemFromObject(rep->doc, "failure");
            cJSON_AddItemToObject(rep->doc, "failure", failure);
            failure = NULL;
        }
        rc = write_locked(rep, status, exit_code, err);
        rep->final_written = rc == GX_OK;
    }
    cJSON_Delete(failure);
    unlock(rep);
    return rc;
}

int gx_report_abort(void *ctx, const struct gx_sink_abort *a)
{
    struct gx_report *rep = ctx;
    int code = a->code;
    if (!a->began && rep->lines_end == 0) {
        /* Nothing was measured: as after bad input, nothing is left behind to block the next
         * run with the same --output. */
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
    gx_report_end_taken(rep, code);
    if (gx_report_write_abort(rep, a->status, code, a->message, failure, &werr) != GX_OK)
        fprintf(stderr, "gpuxfer: %s (the results so far are in %s)\n", werr.msg,
                rep->lines_path);
    else if (rep->exit_code != code) /* an earlier report stands: its answer too */
        code = gx_report_end_taken(rep, code);
    else
        fprintf(stderr, "gpuxfer: report (%s) written to %s\n", a->status, rep->path);
    return code;
}

/* Where the report's text goes: a temporary, renamed over the report once whole
 * (gx_durable_open), so that a crash or a power cut never leaves a truncated report, a killed
 * process no temporary. GPUXFER_FAULT=...:at=writing fires half-way through the first piece. */
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

/* The document's results: the first doc_end bytes of the lines file, a line at a time. A
 * failure to read them is rep->read_errno. */
/* The document's results: the first doc_end bytes of the lines file, a line at a time, read
 * through the descriptor they were written with (the name may have been moved or replaced
 * meanwhile). A failure to read them is rep->read_errno. */
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

/* Under commit_mu: once the watchdog's end is taken with another code than the report's. */
static void say_standing_locked(struct gx_report *rep)
{
    /* A process continued after its peers gave up (stopped while it wrote) commits before
     * its watchdog looks: the launcher's SIGKILL may come before that. */
    if (rep->end_code < 0 && rep->end_due)
        rep->end_code = rep->end_due();
    if (rep->end_code < 0 || rep->end_code == rep->exit_code || rep->standing_said)
        return;
    rep->standing_said = 1;
    gx_say_standing(rep->exit_code);
}

int gx_report_end_taken(struct gx_report *rep, int code)
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

/* The document, its results and streamed members, and a newline to `to`, replacing only what
 * `was` names there. */
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

/* The report at rep->path; where something the run did not create took that name meanwhile, it
 * stays, and the report goes beside it under a name of its own (said on stderr). */
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
    double t0 = mono_s();
    gx_utc_now(now, sizeof now, 0);
    cJSON *d = rep->doc;
    cJSON_DeleteItemFromObject(d, "end_time");
    cJSON_AddStringToObject(d, "end_time", now);
    cJSON_DeleteItemFromObject(d, "status");
    cJSON_AddStringToObject(d, "status", status);
    cJSON_DeleteItemFromObject(d, "exit_code");
    cJSON_AddNumberToObject(d, "exit_code", exit_code);
    rep->exit_code = exit_code;
    cJSON_DeleteItemFromObject(d, "summary");
    cJSON *summary = cJSON_Duplicate(rep->summary, 1);
    if (!summary)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the report's summary");
    cJSON_AddItemToObject(d, "summary", summary);
    /* What rank 0 costs as the job grows; serialising the document itself is not counted. */
    struct rusage ru;
    cJSON_DeleteItemFromObject(d, "resources");
    cJSON *res = cJSON_AddObjectToObject(d, "resources");
    if (res && getrusage(RUSAGE_SELF, &ru) == 0)
        cJSON_AddNumberToObject(res, "rank0_max_rss_kib", (double)ru.ru_maxrss);
    if (res)
        cJSON_AddNumberToObject(res, "report_assembly_s", rep->assembly_s + mono_s() - t0);
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

void gx_report_rotation(struct gx_report *rep, long rotation)
{
    lock(rep);
    rep->rotation = rotation;
    unlock(rep);
}

void gx_report_soak(struct gx_report *rep, long seconds, double seconds_run, long rotations)
{
    lock(rep);
    cJSON_DeleteItemFromObject(rep->doc, "soak");
    cJSON *s = cJSON_AddObjectToObject(rep->doc, "soak");
    if (s) {
        cJSON_AddNumberToObject(s, "seconds", (double)seconds);
        cJSON_AddNumberToObject(s, "seconds_run", seconds_run);
        cJSON_AddNumberToObject(s, "rotations", (double)rotations);
        cJSON_AddNumberToObject(s, "results_streamed", (double)rep->streamed);
        cJSON_AddNumberToObject(s, "failures", (double)rep->failures);
    }
    unlock(rep);
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
    cJSON_Delete(rep->summary);
    if (rep->lock_ready)
        pthread_mutex_destroy(&rep->lock);
    if (rep->commit_ready)
        pthread_mutex_destroy(&rep->commit_mu);
    memset(rep, 0, sizeof *rep);
}

cJSON *gx_failure_json(const char *kind, const char *what, const int *ranks, int n)
{
    cJSON *f = cJSON_CreateObject();
    if (!f)
        return NULL;
    cJSON_AddStringToObject(f, "kind", kind);
    if (what && what[0])
        cJSON_AddStringToObject(f, "measurement", what);
    if (ranks && n > 0)
        cJSON_AddItemToObject(f, "ranks", cJSON_CreateIntArray(ranks, n));
    return f;
}
