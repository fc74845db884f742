/* gpuxfer: every rank runs main; only rank 0 prints the table and writes the report. */
#include "config.h"

#include "context.h"
#include "dry_run.h"
#include "expect.h"
#include "heap.h"
#include "fault.h"
#include "gpu.h"
#include "gpu_counters.h"
#include "harness.h"
#include "mplan.h"
#include "sink.h"
#include "job.h"
#include "option_table.h"
#include "out_path.h"
#include "pairs.h"
#include "report.h"
#include "run_report.h"
#include "scenario_find.h"
#include "sha256.h"
#include "topo.h"
#include "ucx_log.h"
#include "ucx_proto.h"
#include "verdict.h"
#include "versions.h"
#include "watchdog.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* The file --scenario read, as rank 0 found it: the report names it. */
static char scenario_file[PATH_MAX], scenario_sha256[GX_SHA256_HEX];

/* Rank 0 reads, every rank parses the same text. Collective. */
static int read_file_bcast(const char *path, char **text, struct gx_err *err, void *ctx)
{
    const struct gx_job *job = ctx;
    long len = -1;
    char *buf = NULL;
    struct gx_err local = {0};
    if (job->rank == 0) {
        FILE *f = gx_scenario_open(path, scenario_file, sizeof scenario_file, &local);
        if (f) {
            if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && len < (64L << 20) &&
                fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len + 1)) &&
                fread(buf, 1, (size_t)len, f) == (size_t)len &&
                !memchr(buf, '\0', (size_t)len)) { /* a NUL byte would cut the text short */
                buf[len] = '\0';
                gx_sha256_hex(buf, (size_t)len, scenario_sha256);
            } else {
                gx_fail(&local, GX_EINPUT, "--scenario: cannot read '%s' (not a regular file of "
                        "at most 64 MiB without NUL bytes)", path);
                len = -1;
            }
            fclose(f);
        }
    }
    GX_MPI_TRY(err, MPI_Bcast(&len, 1, MPI_LONG, 0, job->comm));
    if (len < 0) {
        free(buf);
        if (gx_agree(job->comm, job->rank == 0 ? GX_EINPUT : GX_OK, &local) != GX_OK)
            *err = local;
        return GX_EINPUT;
    }
    if (job->rank != 0 && !(buf = malloc((size_t)len + 1)))
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the scenario");
    GX_MPI_TRY(err, MPI_Bcast(buf, (int)len, MPI_CHAR, 0, job->comm));
    buf[len] = '\0';
    *text = buf;
    return GX_OK;
}

/* From here signals change nothing and a stopped peer ends the job with rc. */
static int finish(struct gx_job *job, struct gx_mplan *plan, struct gx_layout *layout, int rc)
{
    gx_mplan_free(plan);
    gx_layout_free(layout);
    gx_ucx_proto_end(NULL); /* a run that ended before its report: the log still goes */
    gx_watchdog_shutdown(rc);
    gx_fault_moment(job->rank, GX_AT_FINALIZE, 0);
    gx_gpu_fini(job);
    gx_job_fini(job);
    gx_expect_free();
    if (MPI_Finalize() != MPI_SUCCESS)
        fprintf(stderr, "gpuxfer: rank %d: MPI_Finalize failed\n", job->rank);
    gx_watchdog_stop();
    gx_fault_moment(job->rank, GX_AT_ENDED, 0);
    return rc;
}

/* A test hook that could never fire is an input error, not a test passing wrongly. */
static int check_fault(const struct gx_job *job, const struct gx_options *opts,
                       const struct gx_mplan *plan, struct gx_err *err)
{
    size_t *sizes = malloc((plan->nsteps ? plan->nsteps : 1) * sizeof *sizes);
    struct gx_fault_step *steps = malloc((plan->nsteps ? plan->nsteps : 1) * sizeof *steps);
    if (!sizes || !steps) {
        free(sizes);
        free(steps);
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    }
    for (size_t i = 0; i < plan->nsteps; i++)
        sizes[i] = plan->steps[i].size;
    size_t n = 0; /* a fault fires in results' measurements, never in a ceiling probe's */
    for (size_t g = 0; g < plan->ngroups; g++)
        for (size_t i = 0; plan->groups[g].probe < 0 && i < plan->groups[g].n; i++) {
            const struct gx_mstep *st = &plan->steps[plan->groups[g].first + i];
            steps[n++] = (struct gx_fault_step){
                st->size, st->iters,
                opts->runs[plan->groups[g].run].validate == GX_VALIDATE_ALL};
        }
    int rc = gx_fault_check_job(gx_fault_get(), job->size, sizes, plan->nsteps, err);
    if (rc == GX_OK)
        rc = gx_fault_check_steps(gx_fault_get(), steps, n, err);
    free(sizes);
    free(steps);
    return rc;
}

/* --check's verdict, last on stdout: a prolog must not take silence for PASS. */
static int check_verdict(const struct gx_options *opts, int rc, const struct gx_health *h, int n,
                         const char *error)
{
    if (!opts->check || opts->dry_run || gx_options_answer_only(opts) || rc == GX_EINPUT)
        return rc;
    char line[256];
    struct gx_err err = {0};
    gx_verdict_line(line, sizeof line, rc, h, n, error);
    printf("%s\n", line);
    if (gx_stream_check(stdout, "the --check verdict", &err) != GX_OK) {
        gx_out_stdout_abandon();
        fprintf(stderr, "gpuxfer: %s\n", err.msg);
        return rc == GX_OK ? GX_ERUNTIME : rc;
    }
    return rc;
}

static void report_path(const struct gx_options *opts, char *out, size_t len)
{
    if (opts->g.output[0])
        snprintf(out, len, "%s", opts->g.output);
    else
        gx_out_path_default(out, len);
}

static int prepare(struct gx_job *job, struct gx_options *opts, struct gx_layout *layout,
                   struct gx_mplan *plan, int argc, char **argv, struct gx_err *err)
{
    memset(job, 0, sizeof *job);
    int rc = gx_watchdog_mpi_ready(err);
    if (rc == GX_OK)
        rc = gx_job_init(job, err);
    if (rc == GX_OK)
        rc = gx_agree_input(job, argc, argv, err);
    if (rc == GX_OK)
        rc = gx_options_parse(argc, argv, opts, read_file_bcast, job, err);
    if (rc == GX_OK && opts->g.expect[0]) /* rank 0 judges; every rank learns it could read */
        rc = gx_agree(job->comm, job->rank ? GX_OK : gx_expect_load(opts->g.expect, err), err);
    snprintf(opts->g.scenario_file, sizeof opts->g.scenario_file, "%s", scenario_file);
    snprintf(opts->g.scenario_sha256, sizeof opts->g.scenario_sha256, "%s", scenario_sha256);
    if (rc == GX_OK)
        rc = gx_fault_init(err);
    if (rc == GX_OK)
        gx_fault_moment(job->rank, GX_AT_INIT, 0);
    gx_watchdog_set_timeout((double)opts->g.timeout);
    job->g = &opts->g;
    int measures = !gx_options_answer_only(opts);
    if (rc == GX_OK && opts->default_paths && measures)
        rc = gx_options_default_run(job, opts, err);
    if (rc == GX_OK && measures)
        rc = gx_options_collective_defaults(opts, err);
    if (rc == GX_OK && measures)
        rc = gx_options_layout(job, opts, layout, err);
    /* The map's both-ways pairs depend on the links: each rank chooses its GPU now. */
    char bibw[sizeof opts->runs[0].pairs] = "";
    if (rc == GX_OK && measures && gx_options_gpu_map_kind(opts, layout) == GX_MAP_NODE) {
        rc = gx_gpu_init(job, &opts->g, err);
        if (rc == GX_OK)
            rc = gx_map_bibw_pairs(job, bibw, sizeof bibw, err);
    }
    if (rc == GX_OK && measures)
        rc = gx_options_gpu_map(opts, layout, bibw, err);
    if (rc == GX_OK && measures)
        rc = gx_options_check_job(opts, layout, job->local_size, err);
    if (rc == GX_OK && measures)
        rc = gx_mplan_make(opts, layout, plan, err);
    /* The node's map of fixed iterations comes on top of the default budget. */
    if (rc == GX_OK && measures && opts->g.budget_default)
        opts->g.budget += (long)ceil(gx_mplan_exact_seconds(plan, opts));
    if (rc == GX_OK && measures)
        rc = check_fault(job, opts, plan, err);
    if (rc == GX_OK && measures && opts->dry_run)
        rc = gx_dry_run_view(job, opts, plan, err);
    /* A --dry-run says what the run would refuse, by the run's own check, creating nothing. */
    if (rc == GX_OK && measures && opts->dry_run && job->rank == 0) {
        char out[4096];
        report_path(opts, out, sizeof out);
        rc = gx_outputs_check(&opts->g, out, 1, err);
        if (rc == GX_OK)
            rc = gx_topo_check_inputs(opts->g.topology_xml, opts->g.fake_gpus, err);
    }
    if (rc == GX_OK && measures && job->rank == 0) {
        gx_idle_ranks_note(stderr, opts, plan);
        gx_no_effect_notes(stderr, opts);
        if (plan->collapsed[0])
            fprintf(stderr, "gpuxfer: note: %s\n", plan->collapsed);
    }
    if (rc == GX_OK && job->rank == 0 && opts->note[0])
        fprintf(stderr, "gpuxfer: note: %s\n", opts->note);
    return gx_agree(job->comm ? job->comm : MPI_COMM_WORLD, rc, err);
}

/* An answer that did not reach stdout is an error, never a silent exit 0. */
static int answer(const struct gx_job *job, const struct gx_options *opts,
                  const struct gx_mplan *plan)
{
    if (job->rank != 0)
        return GX_OK;
    struct gx_err err = {0};
    if (opts->help)
        gx_options_help(stdout, opts->help == 2);
    else if (opts->version)
        gx_version_print(stdout);
    else if (opts->list[0] && gx_options_list(stdout, opts->list, &err) != GX_OK) {
        fprintf(stderr, "gpuxfer: %s\n", err.msg);
        return err.rc;
    } else if (!opts->list[0])
        gx_mplan_print(stdout, plan, opts);
    errno = 0;
    int rc = gx_stream_check(stdout, opts->help ? "--help" : opts->version ? "--version"
                                     : opts->list[0] ? "--list" : "the --dry-run plan", &err);
    /* A reader that took what it wanted (gpuxfer --help | head) is no error, as for cat. */
    if (rc != GX_OK && errno == EPIPE)
        return GX_OK;
    if (rc != GX_OK)
        fprintf(stderr, "gpuxfer: %s\n", err.msg);
    return rc;
}

static int open_report(const struct gx_options *opts, struct gx_report *rep, int argc,
                       char **argv, struct gx_err *err)
{
    char out[4096];
    report_path(opts, out, sizeof out);
    GX_TRY(gx_outputs_check(&opts->g, out, 0, err));
    GX_TRY(gx_report_open(rep, out, opts->g.force, argc, argv, err));
    /* A stop signal from now on removes the .jsonl of a run that measured nothing. */
    rep->end_due = gx_watchdog_end_due;
    gx_watchdog_set_abort(gx_report_abort, rep);
    if (opts->g.scenario_file[0])
        gx_report_scenario(rep, opts->g.scenario, opts->g.scenario_file, opts->g.scenario_sha256);
    return opts->g.table[0] ? gx_out_stdout_to(opts->g.table, opts->g.force, err) : GX_OK;
}

/* The GPU is chosen before any transfer can make the MPI library touch CUDA. Collective. */
static int start(struct gx_job *job, const struct gx_options *opts, struct gx_report *rep,
                 int argc, char **argv, struct gx_err *err)
{
    int rc = job->topo ? GX_OK : gx_gpu_init(job, &opts->g, err);
    if (rc == GX_OK && job->topo && job->topo->has_gpu) /* ranks sharing a GPU share its memory */
        rc = gx_options_check_gpu_memory(opts, job->topo->nshared + 1, job->topo->memory, err);
    if (rc == GX_OK && job->rank == 0) /* a file for another SKU: refused before any step */
        rc = gx_expect_choose(job, err);
    rc = gx_agree(job->comm, rc, err);
    memset(rep, 0, sizeof *rep);
    if (rc == GX_OK)
        rc = gx_agree(job->comm,
                      job->rank == 0 ? open_report(opts, rep, argc, argv, err) : GX_OK, err);
    if (rc != GX_OK && job->rank == 0) {
        fprintf(stderr, "gpuxfer: %s\n", err->msg);
        gx_watchdog_set_abort(NULL, NULL);
        gx_report_discard(rep); /* a run that never started leaves nothing behind */
        gx_report_close(rep);
    }
    return rc;
}

/* Rank 0: a failed measurement fails the run; corrupted data takes precedence. */
static int conclude(const struct gx_options *opts, const struct gx_tally *t, int rc,
                    struct gx_err *err)
{
    if (rc != GX_OK || t->validation_failed)
        return rc != GX_OK ? rc : GX_EVALIDATE;
    if (t->failed > 0) {
        rc = gx_fail(err, GX_ERUNTIME, "%d measurement%s failed (their results say why)",
                     t->failed, t->failed == 1 ? "" : "s");
        fprintf(stderr, "gpuxfer: %s\n", err->msg);
        return rc;
    }
    if (t->ok == 0 && !opts->g.allow_skip) {
        rc = gx_fail(err, GX_ENOTHING, "nothing was measured: every measurement was skipped "
                     "(the first: %s; the report's skipped list has each; --allow-skip accepts "
                     "that)", t->first_skip[0] ? t->first_skip : "no reason given");
        fprintf(stderr, "gpuxfer: %s\n", err->msg);
    }
    return rc;
}

/* Before MPI_Init loads hwloc: unneeded driver plugins (OpenCL's may bring LLVM's signal
 * handlers) would cost a host run latency that osu's never pays. */
static void quiet_hwloc_plugins(int no_gpu)
{
    const char *given = getenv("HWLOC_COMPONENTS");
    if (given && given[0])
        return;
    if (setenv("HWLOC_COMPONENTS", no_gpu ? "-opencl,-gl,-rsmi,-levelzero,-cuda,-nvml"
                                          : "-opencl,-gl,-rsmi,-levelzero", 1) != 0)
        fprintf(stderr, "gpuxfer: note: HWLOC_COMPONENTS could not be set (%s): hwloc loads "
                "every discovery plugin it has\n", strerror(errno));
}

/* Up to MPI_Init: what must come before the MPI library's first allocation or thread. */
static int begin(int *argc, char ***argv)
{
    struct gx_err err = {0};
    /* Before any allocation of the MPI library's (heap.c). */
    gx_heap_steady();
    /* Before any thread: it may start the program again. */
    gx_ucx_log_begin(*argv);
    gx_watchdog_set_timeout((double)gx_options_early_timeout(*argc, *argv));
    /* No moment without a watchdog: a peer that never arrives in MPI_Init ends the job too. */
    if (gx_watchdog_start(&err) != GX_OK) {
        fprintf(stderr, "gpuxfer: %s\n", err.msg);
        return GX_ERUNTIME;
    }
    /* gpuxfer | head: a write error reported, not a signal ending rank 0 without a word. */
    signal(SIGPIPE, SIG_IGN);
    const char *no_gpu = gx_options_early_no_gpu(*argc, *argv);
    quiet_hwloc_plugins(no_gpu != NULL);
    gx_gpu_early_context(*argc, *argv, no_gpu);
    /* Above osu's level Open MPI locks every call, visible in latency (docs/mpi-libraries.md). */
    int provided = MPI_THREAD_SINGLE;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SINGLE, &provided) != MPI_SUCCESS) {
        gx_ucx_proto_end(NULL);
        fprintf(stderr, "gpuxfer: MPI_Init failed\n");
        return GX_ERUNTIME;
    }
    return GX_OK;
}

/* The GPUs' counters are read before the context, which carries their state to the table's
 * header; rank 0 prints the header and the plan's notes. Collective. */
static int gather_context(struct gx_job *job, const struct gx_options *opts,
                          const struct gx_mplan *plan, struct gx_report *rep, struct gx_run *run,
                          struct gx_counters_watch **watch, struct gx_err *err)
{
    *watch = gx_counters_begin(job);
    struct gx_gpu_counters *start = malloc(sizeof *start);
    if (start) {
        gx_counters_start(job, *watch, start);
        job->gpu_start = start;
    }
    struct gx_context *context = NULL;
    int rc = gx_context_gather(job, plan->pairs, plan->nruns, &context, err);
    if (rc == GX_OK && context) /* the report holds it from here */
        rc = gx_context_report(rep, context, err);
    else
        gx_context_free(context);
    job->gpu_start = NULL;
    free(start);
    rc = gx_agree(job->comm, rc, err);
    if (job->rank == 0)
        gx_run_report_context(rep, run, rc);
    if (rc == GX_OK && job->rank == 0) {
        gx_pairs_implied_note(run->table, opts);
        gx_budget_print(run->table, plan, opts);
    }
    return rc;
}

/* Rank 0: the exit status, then the views, the report and --check's verdict. */
static int report_end(const struct gx_options *opts, struct gx_run *run, struct gx_sink *sink,
                      struct gx_report *rep, int rc, struct gx_err *err)
{
    gx_watchdog_final_report();
    int exit_code = conclude(opts, &sink->tally, rc, err);
    /* A table or CSV that did not reach stdout: the report and exit code say so. */
    if (exit_code == GX_OK &&
        gx_stream_check(stdout, opts->g.format == GX_FORMAT_CSV ? "the CSV" : "the table",
                        err) != GX_OK) {
        gx_out_stdout_abandon(); /* a full disk under --table: no half line at its end */
        exit_code = GX_ERUNTIME;
        fprintf(stderr, "gpuxfer: %s\n", err->msg);
    }
    run->exit_code = exit_code;
    gx_sink_finished(sink, run);
    exit_code = gx_run_report_finish(run, rep);
    exit_code = check_verdict(opts, exit_code, run->health.h, run->health.n, run->error);
    gx_fault_moment(0, GX_AT_WRITTEN, 0);
    gx_watchdog_shutdown(exit_code); /* it may use the report until here */
    gx_report_close(rep);
    gx_run_free(run);
    gx_sink_free(sink);
    return exit_code;
}

/* The run itself: every rank measures, rank 0 streams the results into the report. */
static int measure(struct gx_job *job, struct gx_options *opts, struct gx_mplan *plan,
                   struct gx_layout *layout, int argc, char **argv)
{
    struct gx_err err = {0}, cerr = {0};
    struct gx_report rep;
    /* CUDA's context and an MPI library's CUDA support would cost a host run's latency. */
    if (!job->topo && !job->no_gpu && !gx_mplan_uses_gpu(plan))
        job->no_gpu = "no path of this run uses a GPU";
    int rc = start(job, opts, &rep, argc, argv, &err);
    if (rc != GX_OK)
        return finish(job, plan, layout,
                      job->rank == 0 ? check_verdict(opts, rc, NULL, 0, err.msg) : rc);
    gx_fault_moment(job->rank, GX_AT_OPENED, 0);
    struct gx_ucx_proto proto;
    struct gx_harness_out ho = {.gpu_lost_rank = -1};
    /* Rank 0's; the results' counters and exit status are added at the end. */
    static struct gx_run run;
    run = (struct gx_run){.opts = opts, .table = gx_table_stream(&opts->g), .layout = layout,
                          .layout_views = gx_mplan_views(plan), .proto = &proto, .ho = &ho,
                          .least_s = gx_budget_least(plan), /* the plan is gone by the report */
                          .ncounters = job->size, .counters_why = cerr.msg, .error = err.msg};
    struct gx_counters_watch *watch;
    rc = gather_context(job, opts, plan, &rep, &run, &watch, &err);
    struct gx_sink sink;
    gx_sink_init(&sink, job, opts, plan, &rep);
    if (job->rank == 0 && rc == GX_OK) /* a stop prints the table of what was measured */
        gx_watchdog_set_abort(gx_sink_abort, &sink);
    if (sink.out.progress && !sink.out.progress_tty && sink.out.log_from <= sink.out.t0)
        gx_watchdog_progress_log(sink.out.progress);
    int measured = rc == GX_OK;
    if (rc == GX_OK) {
        struct gx_ceilings ceilings = {0};
        struct gx_sink_door door = gx_sink_door(&sink);
        rc = gx_harness_run(job, opts, plan, &door, &ceilings, &ho, &err);
        gx_ceilings_free(&ceilings);
    }
    gx_mplan_free(plan);
    /* Every rank stopped at the same result (a signal, a sticky CUDA error): finalize. */
    int together = rc == GX_EINTERRUPTED || ho.stopped_together;
    if (rc != GX_OK && (job->rank == 0 || !together))
        fprintf(stderr, "gpuxfer: rank %d: %s\n", job->rank, err.msg);
    if (rc != GX_OK && job->rank != 0 && !together) {
        /* Rank 0 may be waiting on this rank; measurements so far are in the .jsonl. */
        MPI_Abort(MPI_COMM_WORLD, rc);
        return rc;
    }
    struct gx_gpu_counters *counters = NULL;
    if (measured && (rc == GX_OK || together)) {
        if (gx_counters_end(job, watch, &counters, &cerr) != GX_OK && job->rank == 0)
            fprintf(stderr, "gpuxfer: %s (the report says the counters are absent)\n", cerr.msg);
    } else {
        gx_counters_drop(watch);
        snprintf(cerr.msg, sizeof cerr.msg, "the run ended in an error before the GPUs were read "
                 "again");
    }
    int exit_code = rc;
    gx_ucx_proto_end(&proto);
    if (job->rank == 0) {
        run.counters = counters;
        exit_code = report_end(opts, &run, &sink, &rep, rc, &err);
        free(counters);
        if (rc != GX_OK && !together) { /* otherwise every rank stopped at the same point */
            MPI_Abort(MPI_COMM_WORLD, rc);
            return rc;
        }
    }
    gx_ucx_proto_free(&proto);
    return finish(job, plan, layout, exit_code);
}

int main(int argc, char **argv)
{
    struct gx_job job;
    struct gx_err err = {0};
    static struct gx_options opts;
    struct gx_mplan plan = {0};
    static struct gx_layout layout; /* outlives the plan: the matrices read it */

    int rc = begin(&argc, &argv);
    if (rc != GX_OK)
        return rc;
    rc = prepare(&job, &opts, &layout, &plan, argc, argv, &err);
    if (rc == GX_OK && !gx_options_answer_only(&opts) && !opts.dry_run)
        return measure(&job, &opts, &plan, &layout, argc, argv);
    if (rc != GX_OK && job.rank == 0) {
        fprintf(stderr, "gpuxfer: %s\n", err.msg);
        rc = check_verdict(&opts, rc, NULL, 0, err.msg);
    } else if (rc == GX_OK)
        rc = answer(&job, &opts, &plan);
    return finish(&job, &plan, &layout, rc);
}
