/* The run's own members of the report, which main hands over (main.c is the job's outline):
 * the context at the start; at the end the error or failure, the soak, the budget, the matrices
 * and the transfer plan, the protocols and the rounds, the report written and the table's closing
 * lines. */
#include "config.h"
#include "run_report.h"

#include "context.h"
#include "layout_matrix.h"
#include "matrix.h"
#include "output.h"
#include "topo.h"
#include "transfer_plan.h"

#include <stdio.h>
#include <stdlib.h>

/* Every rank's context to rank 0, into the report and the table's header; the hardware's health
 * from every rank's link facts. */
int gx_run_report_context(const struct gx_job *job, const struct gx_options *opts,
                          const struct gx_mplan *plan, struct gx_report *rep,
                          struct gx_health_set *health, struct gx_err *err)
{
    struct gx_context *context = NULL;
    int rc = gx_context_gather(job, &context, err);
    if (rc == GX_OK && context && gx_context_add_pairs(context, plan->pairs, plan->nruns) != GX_OK)
        rc = gx_fail(err, GX_ERUNTIME, "out of host memory for the context's pairs");
    /* The report holds the rows from here (its "context" is written from them). */
    if (rc == GX_OK && context)
        rc = gx_context_report(rep, context, err);
    else
        gx_context_free(context);
    rc = gx_agree(job->comm, rc, err);
    if (rc == GX_OK && job->rank == 0) {
        gx_context_print_header(gx_table_stream(&opts->g), rep->context);
        gx_health_start(health, job->topo, gx_table_stream(&opts->g));
    } else if (job->rank == 0) {
        gx_report_set(rep, "context", NULL); /* as a job that never gathered it */
    }
    return rc;
}

/* Rank 0: the pair matrices and the transfer plan from the kept results, into the report and
 * the table. */
static void add_matrices_and_xplan(const struct gx_layout *layout, unsigned views,
                                  const struct gx_options *opts, struct gx_report *rep,
                                  struct gx_sink *sink, FILE *table)
{
    const struct gx_context *context = rep->context;
    const char *oom = NULL;
    struct gx_err merr = {0};
    /* The sink holds the matrices' order until the report is closed: the report reads it. */
    if (gx_matrices_make(&sink->mats, sink->kept, sink->nkept, layout->nranks, &oom) < 0)
        fprintf(stderr, "gpuxfer: %s (the results are in the report)\n", oom);
    else if (sink->mats.nm > 0 &&
             gx_report_set_streamed(rep, "matrices", gx_matrices_fill, &sink->mats, &merr) != GX_OK)
        fprintf(stderr, "gpuxfer: %s (the results are in the report)\n", merr.msg);
    else if (sink->mats.nm > 0)
        gx_matrices_print(table, &sink->mats, context, opts->g.slow_pair);
    gx_host_map_report(&sink->hosts, rep, table, context); /* after its pair matrices */
    struct gx_layout_matrix_set lmats;
    if (gx_layout_matrices_make(&lmats, sink->kept, sink->nkept, layout, views, &oom) < 0) {
        fprintf(stderr, "gpuxfer: %s (the results are in the report)\n", oom);
    } else if (lmats.n > 0) {
        cJSON *j = gx_layout_matrices_json(&lmats);
        if (j)
            gx_report_set(rep, "layout_matrices", j);
        else
            fprintf(stderr, "gpuxfer: out of host memory for the layout matrices' report (the "
                    "results are in the report)\n");
        gx_layout_matrices_print(table, &lmats, context, opts->g.slow_pair);
    }
    gx_layout_matrices_free(&lmats);
    struct gx_pair_link *links = NULL;
    size_t nlinks = 0;
    struct gx_xplan xplan = {0};
    int prc = gx_pair_links(context, &links, &nlinks);
    if (prc == GX_OK)
        prc = gx_xplan_make(&xplan, sink->kept, sink->nkept, links, nlinks);
    free(links);
    cJSON *pj = prc == GX_OK ? gx_xplan_json(&xplan) : NULL;
    if (pj) {
        gx_xplan_print(table, &xplan);
        gx_report_set(rep, "plan", pj);
    }
    gx_xplan_free(&xplan);
}

/* Rank 0: matrices, transfer plan, status, and the report written; the closing lines of the table. */
int gx_run_report_finish(const struct gx_layout *layout, unsigned views,
                         const struct gx_options *opts, const struct gx_ucx_proto *proto,
                         struct gx_report *rep, struct gx_sink *sink,
                         const struct gx_harness_out *ho, double least_s, int exit_code,
                         const struct gx_err *err)
{
    FILE *table = gx_table_stream(&opts->g);
    const struct gx_tally *t = &sink->tally;
    /* Under the report's lock: the watchdog may write the report meanwhile (a timeout). */
    if (exit_code != GX_OK && exit_code != GX_EVALIDATE && exit_code != GX_EHEALTH)
        gx_report_set(rep, "error", cJSON_CreateString(err->msg));
    if (ho->gpu_lost_rank >= 0)
        gx_report_set(rep, "failure", gx_failure_json("cuda-sticky", NULL, &ho->gpu_lost_rank, 1));
    cJSON *f = ho->signal ? gx_failure_json("signal", NULL, &ho->signal_rank, 1) : NULL;
    if (f) { /* as the watchdog's report names a signal rank 0 got */
        cJSON_AddStringToObject(f, "signal", gx_signal_name(ho->signal));
        gx_report_set(rep, "failure", f);
    }
    if (opts->g.soak > 0)
        gx_report_soak(rep, opts->g.soak, ho->soak_s, ho->rotations);
    if (opts->g.budget > 0) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddNumberToObject(b, "seconds", (double)opts->g.budget);
        cJSON_AddNumberToObject(b, "seconds_measured", ho->measured_s);
        cJSON_AddNumberToObject(b, "steps_past_share", (double)ho->past_share);
        cJSON_AddNumberToObject(b, "least_s", least_s);
        cJSON_AddBoolToObject(b, "least_within", least_s <= (double)opts->g.budget * GX_BUDGET_SLACK);
        gx_report_set(rep, "budget", b);
        /* A budget divides the time; it cannot make a busy machine's fewest iterations shorter.
         * Said, so that a run over its budget is never taken for one that kept it. */
        if (exit_code == GX_OK && opts->g.soak <= 0 &&
            ho->measured_s > (double)opts->g.budget * GX_BUDGET_SLACK)
            fprintf(stderr, "gpuxfer: note: the plan took %.1f s of a budget of %ld s: %ld of its "
                    "steps needed longer than their share for their fewest iterations on this "
                    "machine now (a larger --budget, fewer sizes or a quieter machine)\n",
                    ho->measured_s, opts->g.budget, ho->past_share);
    }
    add_matrices_and_xplan(layout, views, opts, rep, sink, table);
    gx_sink_interference(sink, table);
    cJSON *protos = gx_ucx_proto_json(proto, sink->kept, sink->nkept);
    if (protos)
        gx_report_set(rep, "library_protocols", protos);
    gx_ucx_proto_print(table, proto, sink->kept, sink->nkept);
    cJSON *rounds = gx_sink_take_rounds(sink);
    if (rounds)
        gx_report_set(rep, "rounds", rounds);
    struct gx_err werr = {0};
    if (gx_report_write(rep, gx_rc_status(exit_code), exit_code, &werr) != GX_OK) {
        fprintf(stderr, "gpuxfer: %s\n", werr.msg);
        return GX_ERUNTIME;
    }
    if (opts->g.soak > 0)
        fprintf(table, "\n# soak: %ld complete pass%s in %.0f s of %ld s asked\n",
                ho->rotations, ho->rotations == 1 ? "" : "es", ho->soak_s, opts->g.soak);
    fprintf(table, "\n# report: %s (%d results, %d skipped, %d failed)%s\n", rep->path,
            t->results, t->skipped, t->failed,
            t->validation_failed ? "; DATA VALIDATION FAILED" : "");
    if (t->validation_failed)
        fprintf(stderr, "gpuxfer: received data did not match what was sent; see the "
                        "validation entries in %s\n", rep->path);
    if (exit_code == GX_ENOTHING)
        fprintf(table, "\n# nothing measured: every step skipped, the report's \"skipped\" says why "
                "(exit %d, --allow-skip: 0)\n", GX_ENOTHING);
    return exit_code;
}
