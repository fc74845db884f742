/* The JSON report (schema/gpuxfer-report.schema.json), built with cJSON on rank 0. */
#ifndef GX_REPORT_H
#define GX_REPORT_H

#include "ceiling.h"
#include "file_util.h"
#include "json_stream.h"
#include "result.h"
#include "sink_ops.h"
#include "skips.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <sys/types.h>

#define GX_SCHEMA_VERSION "2.20"
/* A row of the report's "summary" (summary.c): the names are the tables' (run: a copy). */
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
    /* Every rank's context, typed (context.h): its readers read it, and the document's
     * "context" is written from it; freed with the report. */
    struct gx_context *context;
    struct gx_skips skips; /* the document's "skipped", written out as it is written */
    struct gx_ceilings ceilings; /* its "ceilings"' curves, likewise (the latest copy) */
    struct gx_summary summary; /* grows with each result of the document */
    int lines_fd, lines_open; /* <output>.jsonl (gx_out_claim: locked while the run lasts), one
                         complete line per measurement, written whole with write(2) and read
                         back through this descriptor, whatever happens to its name */
    off_t lines_end;  /* bytes of complete lines in it */
    /* Its first doc_end bytes are the document's results (the first --soak pass): rank 0 holds
     * no result, the report reads them back as it is written. */
    off_t doc_end;
    struct gx_report_stream streams[GX_REPORT_STREAMS];
    int nstreams;
    int read_errno;   /* why reading the results back failed, while the report is written */
    char path[4096];
    char lines_path[4100];
    struct gx_file_id report_was; /* what was at path when the run began: all it may replace */
    /* The watchdog thread may write the report while the main thread adds to it. */
    pthread_mutex_t lock;
    int lock_ready, final_written;
    int exit_code;    /* the exit code in the report last written */
    /* The watchdog's end and the report's commit, one at a time (gx_report_end_taken). */
    pthread_mutex_t commit_mu;
    int commit_ready, committed, standing_said;
    int end_code; /* the code the watchdog ends this process with; -1 while none */
    /* The watchdog's (main hands it over): the code it is about to end this process with (its
     * deadline passed), -1 while none; asked before each commit, when its thread may not have
     * run yet. */
    int (*end_due)(void);
    double assembly_s; /* rank 0's time spent adding results and summarising */
    /* --soak: the pass results belong to (0 without --soak); from the second pass on they
     * go to the lines file only, so that the document does not grow with the soak. */
    long rotation;
    long streamed, failures; /* lines written; failed or corrupted results among them */
    /* --samples beyond GX_SAMPLES_INLINE: <output>.samples.jsonl (main thread only) */
    long inline_samples;     /* samples in the document so far */
    int samples_fd, samples_open; /* opened at the first line */
    off_t samples_end;
    long samples_lines;
    char samples_path[4200];
    /* --visits: the latest JSON of each result whose last visit is still to come (a step's, a
     * pair's), which a report the watchdog writes (a signal, a timeout) keeps among its
     * results; the result's last visit replaces it. */
    struct gx_report_held {
        size_t step;
        int a, b;
        cJSON *json;
    } *held;
    size_t nheld, held_cap;
};

/* The watchdog (rank 0) ends this process with `code`: a report committed, or about to be,
 * with another exit code stands, and stderr says so before it can be seen or, when it already
 * was, now: a launcher tearing the job down kills the process a moment later, and a line left
 * for after a slow write was lost. Returns the exit code the process is to end with. */
int gx_report_end_taken(struct gx_report *rep, int code);

/* A result's state as the report names it: ok, skipped, failed (idle: none yet). */
const char *gx_state_name(enum gx_state s);
/* The report's name of what ended a step (enum gx_ended): "iterations", "precision", "time". */
const char *gx_ended_name(int ended);
/* chunk_choice as the report names it: default, auto, given. */
const char *gx_chunk_choice_name(int choice);
/* Whether a chunking measurement's chunk and depth were picked among candidates (the default,
 * --chunk auto), not given: each pair may then have its own. */
int gx_chunk_picked(size_t chunk, int choice);
/* What names the chunking of a measurement several pairs made (a matrix, a round's sum):
 * "chunk_choice" where each pair picked its own, else "chunk" and "depth" where the path
 * chunks. */
void gx_chunk_key_json(cJSON *o, size_t chunk, int depth, int choice);
/* The result's validation as the report names it: not_checked, passed, failed. */
const char *gx_validation_name(const struct gx_result *r);
/* The status rule, applied once where a result enters the sink: a result whose received data
 * did not match what was sent is failed (its numbers measured something other than a correct
 * transfer), for the table, the CSV, the report, the .jsonl, the matrices and the transfer plan alike.
 * why (len bytes) holds its reason while r is used. */
void gx_result_settle(struct gx_result *r, char *why, size_t len);

/* Claims the run's files (gx_out_claim) and creates the document; nothing is written to `path`
 * yet. */
int gx_report_open(struct gx_report *rep, const char *path, int force, int argc, char **argv,
                   struct gx_err *err);
/* The scenario file the run read: its name as given, real path and SHA-256 ("scenario"). */
void gx_report_scenario(struct gx_report *rep, const char *name, const char *file,
                        const char *sha256);
/* A run that measured nothing: its .jsonl removed, if it is still the one it created. */
void gx_report_discard(struct gx_report *rep);
/* What names a measurement (run, path, memory kinds, pattern) into o: a result's JSON and a
 * round's sum begin alike. */
void gx_result_key_json(cJSON *o, const struct gx_result *res);
/* name: [x, y] (a pair of ranks, an interval), as results and skips have them. */
void gx_json_add_two(cJSON *o, const char *name, double x, double y);
/* Adds "noise": a step's marks, what they rest on and why (noise.h), as results and the
 * ceilings' points have it. */
void gx_noise_json(cJSON *o, const struct gx_noise *n);
cJSON *gx_result_json(const struct gx_result *res);
/* The rows of the result's fields (result_fields.h) as data, ending with a NULL key: each
 * one's key, the object it is in ("key" and "top": the result itself), its JSON type (NULL:
 * part of another field's) and when it is there ("1": always). */
struct gx_result_field {
    const char *key, *in, *json_type, *when;
};
extern const struct gx_result_field gx_result_fields[];
/* Adds a result and appends it, flushed, to the lines file; with samples that do not fit in
 * GX_SAMPLES_INLINE, first writes them to the samples file (without holding the report, so the
 * watchdog's report is not kept waiting) and the result names its line ("samples_file").
 * Records nothing once a report is written (the watchdog's: the job is ending). */
int gx_report_add(struct gx_report *rep, const struct gx_result *res, struct gx_err *err);
/* A result not from its last visit: kept apart (the step's earlier one replaced) for a report
 * the watchdog writes before that visit; gx_report_add of its last visit drops it. */
int gx_report_hold(struct gx_report *rep, const struct gx_result *res, struct gx_err *err);
/* The held results into the document's results (under the lock): the watchdog's report. */
void gx_report_add_held_locked(struct gx_report *rep);
/* The job's ceilings as the report's "ceilings" object: per GPU ("gpus") and per rank pair
 * ("rank_pairs"), each curve with its points or the reason it is absent. */
cJSON *gx_ceilings_json(const struct gx_ceilings *c);
/* The report's "ceilings" from now on: a copy of c, its curves written only as the report
 * is (ceilings_json.c). */
int gx_report_ceilings(struct gx_report *rep, const struct gx_ceilings *c,
                       struct gx_err *err);
/* A path that could not run for these pairs (none: for any), held once (skips.h). 0, or
 * GX_ERUNTIME when out of memory (the skip is not in the report). */
int gx_report_skip(struct gx_report *rep, const char *run, const char *path,
                   const struct gx_pair *pairs, int npairs, const char *reason, struct gx_err *err);
/* Counts a measured result in the summary's row of its (path, memory kinds, pattern, run name,
 * size class): how many results and their medians' spread. 0, or -1 when out of memory. */
int gx_summary_add(struct gx_summary *s, const struct gx_result *r);
/* The rows as the report's "summary"; NULL when out of memory. */
cJSON *gx_summary_json(const struct gx_summary *s);
void gx_summary_free(struct gx_summary *s);
/* An element the report will stream at `place` ("context.ranks[3]"), made now to learn what
 * in it is not valid UTF-8: its fields' places go to the document's list of repaired fields,
 * which is printed before the element is made again and repaired as it is written. Returns
 * the number repaired, or -1 when out of memory. */
int gx_report_note_repairs(struct gx_report *rep, cJSON *item, const char *place);
/* Replaces the document's `key` with item (taking it), under the report's lock. */
void gx_report_set(struct gx_report *rep, const char *key, cJSON *item);
/* Replaces the document's `key` with an array that fill makes as the report is written
 * (gx_stream_item, slot 0): what it reads must outlive the report's last write. */
int gx_report_set_streamed(struct gx_report *rep, const char *key, gx_stream_fill fill,
                           void *ctx, struct gx_err *err);
/* A slot (an array) that fill makes as the report is written, for the caller to place in a
 * member of the document, named `name` among the streamed members; NULL when out of memory or
 * out of room. */
cJSON *gx_report_stream_slot(struct gx_report *rep, const char *name, gx_stream_fill fill,
                             void *ctx, struct gx_err *err);
/* The context's rows into the document's "context" (context_json.c): the job and the build
 * now, the ranks and the pairs streamed from c, which the report holds from now on. */
int gx_context_report(struct gx_report *rep, struct gx_context *c, struct gx_err *err);
/* Finishes (end time, status, summary) and writes the document atomically (tmp + rename),
 * unless a report was already written by the watchdog: that one stands (rep->exit_code). */
int gx_report_write(struct gx_report *rep, const char *status, int exit_code,
                    struct gx_err *err);
/* From the watchdog: adds "error" and "failure" and writes the report unless the final one is
 * already written; gives up after 2 s if the main thread holds the report. */
int gx_report_write_abort(struct gx_report *rep, const char *status, int exit_code,
                          const char *message, cJSON *failure, struct gx_err *err);
/* The watchdog's end on rank 0 (a gx_sink_abort_fn; ctx: the report, as main hands it to the
 * watchdog): the report written with its "error" and "failure", stderr told where; a run that
 * measured nothing has it discarded instead. Returns the code to end with (an earlier report's,
 * where it stands). */
int gx_report_abort(void *ctx, const struct gx_sink_abort *a);
/* --soak: results from now on belong to pass `rotation` (>= 1); from 2 on they are streamed
 * to the lines file and not kept in the document. */
void gx_report_rotation(struct gx_report *rep, long rotation);
/* --soak: sets the document's "soak" object (seconds asked and run, complete passes, results
 * streamed and failures among them). */
void gx_report_soak(struct gx_report *rep, long seconds, double seconds_run, long rotations);
void gx_report_close(struct gx_report *rep);
/* The report's "failure": what stopped the run (kind: "signal", "timeout", "cuda-sticky"...),
 * during which measurement and on which ranks (what and ranks optional). NULL when out of
 * memory. */
cJSON *gx_failure_json(const char *kind, const char *what, const int *ranks, int n);

#endif
