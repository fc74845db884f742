/* The JSON report (schema/gpuxfer-report.schema.json), built with cJSON on rank 0. */
#ifndef GX_REPORT_H
#define GX_REPORT_H

#include "ceiling.h"
#include "file_util.h"
#include "pairs.h"
#include "result.h"
#include "json_stream.h"
#include "result_json.h"
#include "sink_ops.h"
#include "skips.h"
#include "slots.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define GX_SCHEMA_VERSION "2.23"



/* A row of the report's "summary": the names are the tables' (run: a copy). */
struct gx_summary_row {
    const char *size_class, *path, *src, *dst, *pattern, *unit;
    char *run;
    long n;                /* results counted */
    double min, max, mean; /* of their medians */
};
struct gx_summary {
    struct gx_summary_row *rows;
    size_t n, cap;
};

/* A member of the document made only as the report is written, element by element. */
struct gx_report_stream {
    const char *key;
    gx_stream_fill fill;
    void *ctx;
};
#define GX_REPORT_STREAMS 8

struct gx_context;
struct gx_report {
    cJSON *doc;       /* all but the results' and the streamed members' elements */
    struct gx_context *context; /* every rank's; "context" is written from it */
    struct gx_skips skips;
    struct gx_ceilings ceilings; /* the latest copy, written out as the report is */
    struct gx_summary summary;
    /* <output>.jsonl, locked while the run lasts, read back through this descriptor whatever
     * happens to its name */
    int lines_fd, lines_open;
    off_t lines_end;  /* bytes of complete lines in it */
    off_t doc_end;    /* its first doc_end bytes are the document's results (first pass) */
    struct gx_report_stream streams[GX_REPORT_STREAMS];
    int nstreams;
    int read_errno;   /* why reading the results back failed */
    char path[4096];
    char lines_path[4100];
    struct gx_file_id report_was; /* what was at path when the run began: all it may replace */
    /* The watchdog thread may write the report while the main thread adds to it. */
    pthread_mutex_t lock;
    int lock_ready, final_written;
    int exit_code;    /* the exit code in the report last written */
    /* The watchdog's end and the report's commit, one at a time. */
    pthread_mutex_t commit_mu;
    int commit_ready, committed, standing_said;
    int end_code; /* the code the watchdog ends this process with; -1 while none */
    /* The code the watchdog is about to end with (-1: none), asked before each commit, when its
     * thread may not have run yet. */
    int (*end_due)(void);
    double assembly_s; /* rank 0's time spent adding results and summarising */
    /* --soak's pass (0 without); from the second on results go to the lines file only, so that
     * the document does not grow with the soak. */
    long rotation;
    long streamed, failures; /* lines written; failed or corrupted results among them */
    /* --samples beyond GX_SAMPLES_INLINE: <output>.samples.jsonl (main thread only) */
    long inline_samples;
    int samples_fd, samples_open;
    off_t samples_end;
    long samples_lines;
    char samples_path[4200];
    /* --visits: the latest JSON of each result whose last visit is still to come, for a report
     * the watchdog writes before it. */
    struct gx_report_held {
        size_t step;
        int a, b;
        cJSON *json;
    } *held;
    size_t nheld, held_cap;
};


/* Claims the run's files (gx_out_claim) and creates the document; nothing is written yet. */
int gx_report_open(struct gx_report *rep, const char *path, int force, int argc, char **argv,
                   struct gx_err *err);
void gx_report_scenario(struct gx_report *rep, const char *name, const char *file,
                        const char *sha256);
/* A run that measured nothing: its .jsonl removed. */
void gx_report_discard(struct gx_report *rep);
/* Adds a result and appends it to the lines file; samples beyond GX_SAMPLES_INLINE go to the
 * samples file first, without holding the report (the watchdog's is not kept waiting). Records
 * nothing once a report is written. */
int gx_report_add(struct gx_report *rep, const struct gx_result *res, struct gx_err *err);
/* A result before its last visit, for a report the watchdog writes before that visit. */
int gx_report_hold(struct gx_report *rep, const struct gx_result *res, struct gx_err *err);
void gx_report_add_held_locked(struct gx_report *rep);
/* The report's "ceilings" from now on: a copy of c, its curves written as the report is. */
int gx_report_ceilings(struct gx_report *rep, const struct gx_ceilings *c,
                       struct gx_err *err);
/* A path that could not run for these pairs (none: for any), held once. */
int gx_report_skip(struct gx_report *rep, const char *run, const char *path,
                   const struct gx_pair *pairs, int npairs, const char *reason, struct gx_err *err);
cJSON *gx_summary_json(const struct gx_summary *s);
void gx_summary_free(struct gx_summary *s);
/* Replaces the document's `key` with item (taking it). */
void gx_report_set(struct gx_report *rep, const char *key, cJSON *item);
/* context.run.vary: --vary's option and values. */
void gx_report_vary(struct gx_report *rep, const struct gx_vary *vary);
/* Replaces `key` with an array that fill makes as the report is written: what it reads must
 * outlive the report's last write. */
int gx_report_set_streamed(struct gx_report *rep, const char *key, gx_stream_fill fill,
                           void *ctx, struct gx_err *err);
/* The context into "context": the ranks and pairs streamed from c, which the report holds. */
int gx_context_report(struct gx_report *rep, struct gx_context *c, struct gx_err *err);
/* A rank's object of context.ranks, made from the facts' table (null: its context did not come). */
cJSON *gx_context_rank_json(const struct gx_context *c, int rank);
/* Finishes and writes the document atomically, unless the watchdog's report stands. */
int gx_report_write(struct gx_report *rep, const char *status, int exit_code,
                    struct gx_err *err);
/* From the watchdog (message: why the run stopped; NULL: the main thread's gx_report_write):
 * gives up after 2 s if the main thread holds the report. */
int gx_report_write_abort(struct gx_report *rep, const char *status, int exit_code,
                          const char *message, cJSON *failure, struct gx_err *err);
/* The watchdog's end on rank 0 (a gx_sink_abort_fn): the report written, or discarded where
 * nothing was measured. Returns the code to end with (an earlier report's, where it stands). */
int gx_report_abort(void *ctx, const struct gx_sink_abort *a);
void gx_report_rotation(struct gx_report *rep, long rotation);
void gx_report_soak(struct gx_report *rep, long seconds, double seconds_run, long rotations);
void gx_report_close(struct gx_report *rep);
/* The report's "failure": what stopped the run ("signal", "timeout"...), during which
 * measurement and on which ranks (both optional). */
cJSON *gx_failure_json(const char *kind, const char *what, const int *ranks, int n);

/* The findings and GPU counters of src/topo in the report (context_json.c). */
struct gx_health;
struct gx_gpu_counters;
cJSON *gx_health_json(const struct gx_health *h, int n);
cJSON *gx_counters_json(const struct gx_gpu_counters *all, int n);


/* The report's lock, which the watchdog's write and the main thread's additions take in turn. */
static inline void gx_report_lock(struct gx_report *rep)
{
    if (rep->lock_ready)
        pthread_mutex_lock(&rep->lock);
}

static inline void gx_report_unlock(struct gx_report *rep)
{
    if (rep->lock_ready)
        pthread_mutex_unlock(&rep->lock);
}

/* gx_report_set_streamed's member as a slot for the caller to place in the document, under the
 * lock (the same key again replaces its filler); NULL when out of memory or room. */
cJSON *gx_report_stream_slot_locked(struct gx_report *rep, const char *key, gx_stream_fill fill,
                                    void *ctx, struct gx_err *err);

#endif
