/* The run's own members of the report: the context at the start, one pass over the views at
 * the end. */
#include "config.h"
#include "run_report.h"
#include "wrap.h"

#include "expect.h"
#include "gpu_counters.h"
#include "grid.h"
#include "harness_out.h"
#include "sink.h"
#include "ucx_proto.h"
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GX_VIEW_ROW(name) &gx_view_##name,
const struct gx_view_ops *const gx_views[GX_VIEWS + 1] = {GX_VIEW_LIST(GX_VIEW_ROW) NULL};

void gx_run_report_context(struct gx_report *rep, struct gx_run *run, int rc)
{
    if (rc != GX_OK) {
        gx_report_set(rep, "context", NULL); /* as a job that never gathered it */
        return;
    }
    run->context = rep->context;
    if (run->opts->g.vary.option != GX_VARY_NONE)
        gx_report_vary(rep, &run->opts->g.vary);
    gx_context_print_header(run->table, rep->context);
    run->health.n = gx_health_from_store(rep->context ? rep->context->facts : NULL,
                                         run->health.h, GX_HEALTH_MAX);
    for (int i = 0; i < run->health.n; i++)
        gx_print_note(run->table, "# health: %s\n", run->health.h[i].line);
}

/* Every view made, its findings added, into the report and the table. */
static void views_end(struct gx_run *run, struct gx_report *rep)
{
    void **state = run->state;
    struct gx_err err = {0};
    int made[GX_VIEWS];
    for (int v = 0; v < GX_VIEWS; v++) {
        const struct gx_view_ops *o = gx_views[v];
        state[v] = o->state_size ? calloc(1, o->state_size) : NULL;
        made[v] = !o->state_size || state[v];
        if (made[v] && o->make && o->make(state[v], run, &err) != GX_OK)
            made[v] = 0;
        else if (!made[v])
            gx_fail(&err, GX_ERUNTIME, "out of host memory for the %s", o->name);
        if (!made[v])
            fprintf(stderr, "gpuxfer: %s (the results are in the report)\n", err.msg);
    }
    /* Every finding before the first line: the health view's come first. */
    run->health_from = run->health.n;
    for (int v = 0; v < GX_VIEWS; v++)
        if (made[v] && gx_views[v]->findings)
            run->health.n = gx_views[v]->findings(state[v], run, run->health.h, run->health.n,
                                                  GX_HEALTH_MAX);
    /* A node check (a Slurm prolog) asks for an exit status. */
    if (run->exit_code == GX_OK && gx_health_failing(run->health.h, run->health.n) > 0 &&
        run->opts->g.fail_on_health)
        run->exit_code = GX_EHEALTH;
    /* The node check where not every rank saw a GPU: the host run stood in, which checks no
     * GPU, so nothing it asked was measured; a finding above says more and stays. The report's
     * status is the stand-in's own: its results were measured. */
    if (run->exit_code == GX_OK && run->opts->check_no_gpu) {
        run->status = gx_rc_status(run->exit_code);
        run->exit_code = GX_ENOTHING;
        run->error = run->opts->no_gpu_why;
        fprintf(stderr, "gpuxfer: --check: %s; the host run stood in (exit %d)\n",
                run->opts->no_gpu_why, GX_ENOTHING);
    }
    for (int v = 0; v < GX_VIEWS; v++) {
        const struct gx_view_ops *o = gx_views[v];
        cJSON *j = NULL;
        if (!made[v])
            continue;
        /* Before the lines: a streamed member's lines read what filling it found (matrices). */
        if (o->fill_report && o->fill_report(rep, state[v], run, &err) != GX_OK)
            fprintf(stderr, "gpuxfer: %s (the results are in the report)\n", err.msg);
        if (gx_view_draw(o, state[v], run, run->table, &j, &err) != GX_OK)
            fprintf(stderr, "gpuxfer: %s (the results are in the report)\n", err.msg);
        if (j)
            gx_report_set(rep, o->name, j);
    }
}

int gx_view_draw(const struct gx_view_ops *o, const void *state, const struct gx_run *run,
                 FILE *table, cJSON **json, struct gx_err *err)
{
    if (json)
        *json = NULL;
    if (!o->grid) {
        if (json && o->json)
            *json = o->json(state, run);
        if (table && o->print)
            o->print(table, state, run);
        return GX_OK;
    }
    int n = o->ngrids ? o->ngrids(state, run) : 1;
    cJSON *all = json && o->ngrids && n > 0 ? cJSON_CreateArray() : NULL;
    for (int i = 0; i < n; i++) {
        struct gx_grid g;
        if (o->grid(state, run, i, &g, err) != GX_OK) {
            cJSON_Delete(all);
            return err->rc;
        }
        cJSON *one = json ? gx_grid_json(&g) : NULL, *row;
        if (all && cJSON_IsArray(one)) { /* a grid of rows alone: the view's rows one array */
            while ((row = cJSON_DetachItemFromArray(one, 0)))
                cJSON_AddItemToArray(all, row);
            cJSON_Delete(one);
        } else if (one && !(all ? cJSON_AddItemToArray(all, one) : (*json = one, 1))) {
            cJSON_Delete(one);
        }
        if (table)
            gx_grid_print(table, &g);
        gx_grid_free(&g);
    }
    if (all)
        *json = all;
    return GX_OK;
}

void gx_run_free(struct gx_run *run)
{
    for (int v = 0; v < GX_VIEWS; v++) {
        if (run->state[v] && gx_views[v]->free)
            gx_views[v]->free(run->state[v]);
        free(run->state[v]);
        run->state[v] = NULL;
    }
    cJSON_Delete(run->rounds); /* where no view took them */
    run->rounds = NULL;
}

static int health_findings(const void *state, const struct gx_run *run, struct gx_health *h,
                           int nh, int max)
{
    (void)state;
    return gx_counters_health(run->counters, run->ncounters, h, nh, max);
}

static cJSON *health_json(const void *state, const struct gx_run *run)
{
    (void)state;
    cJSON *o = gx_health_json(run->health.h, run->health.n);
    if (run->counters)
        cJSON_AddItemToObject(o, "gpu_counters", gx_counters_json(run->counters,
                                                                  run->ncounters));
    else
        cJSON_AddStringToObject(o, "gpu_counters_absent", run->counters_why ? run->counters_why
                                                                            : "not read");
    return o;
}

/* The end's findings (the facts' were said at the start). */
static void health_print(FILE *table, const void *state, const struct gx_run *run)
{
    (void)state;
    for (int i = run->health_from; i < run->health.n; i++)
        gx_print_note(table, "%s# health%s: %s\n", i == run->health_from ? "\n" : "",
                      run->health.h[i].warning ? " (warning)" : "", run->health.h[i].line);
    int failing = gx_health_failing(run->health.h, run->health.n);
    if (run->exit_code == GX_EHEALTH)
        fprintf(stderr, "gpuxfer: %d health finding%s (the table's # health lines; "
                "--fail-on-health: exit %d)\n", failing, failing == 1 ? "" : "s", GX_EHEALTH);
}

const struct gx_view_ops gx_view_health = {
    .name = "health", .findings = health_findings, .json = health_json, .print = health_print,
};

static int status_fill(struct gx_report *rep, void *state, struct gx_run *run,
                       struct gx_err *err)
{
    (void)state, (void)err;
    const struct gx_harness_out *ho = run->ho;
    const struct gx_global_opts *g = &run->opts->g;
    int code = run->exit_code;
    if (code != GX_OK && code != GX_EVALIDATE && code != GX_EHEALTH)
        gx_report_set(rep, "error", cJSON_CreateString(run->error));
    if (ho->gpu_lost_rank >= 0)
        gx_report_set(rep, "failure", gx_failure_json("cuda-sticky", NULL, &ho->gpu_lost_rank, 1));
    cJSON *f = ho->signal ? gx_failure_json("signal", NULL, &ho->signal_rank, 1) : NULL;
    if (f) { /* as the watchdog's report names a signal rank 0 got */
        cJSON_AddStringToObject(f, "signal", gx_signal_name(ho->signal));
        gx_report_set(rep, "failure", f);
    }
    if (g->soak > 0)
        gx_report_soak(rep, g->soak, ho->soak_s, ho->rotations);
    if (g->budget <= 0)
        return GX_OK;
    cJSON *b = cJSON_CreateObject();
    cJSON_AddNumberToObject(b, "seconds", (double)g->budget);
    cJSON_AddNumberToObject(b, "seconds_measured", ho->measured_s);
    cJSON_AddNumberToObject(b, "setup_s", ho->setup_s);
    cJSON_AddNumberToObject(b, "steps_past_share", (double)ho->past_share);
    cJSON_AddNumberToObject(b, "least_s", run->least_s);
    cJSON_AddBoolToObject(b, "least_within", run->least_s <= (double)g->budget * GX_BUDGET_SLACK);
    gx_report_set(rep, "budget", b);
    /* A budget cannot make a busy machine's fewest iterations shorter: said, so that a run
     * over it is never taken for one that kept it. */
    if (code == GX_OK && g->soak <= 0 && ho->measured_s > (double)g->budget * GX_BUDGET_SLACK)
        fprintf(stderr, "gpuxfer: note: the plan took %.1f s of a budget of %ld s: %ld of its "
                "steps needed longer\n  than their share for their fewest iterations on this "
                "machine now (a larger --budget, fewer sizes\n  or a quieter machine)\n",
                ho->measured_s, g->budget, ho->past_share);
    return GX_OK;
}

const struct gx_view_ops gx_view_status = {.name = "status", .fill_report = status_fill};

int gx_run_report_finish(struct gx_run *run, struct gx_report *rep)
{
    FILE *table = run->table;
    const struct gx_tally *t = run->tally;
    const struct gx_global_opts *g = &run->opts->g;
    const struct gx_harness_out *ho = run->ho;
    views_end(run, rep);
    int exit_code = run->exit_code;
    struct gx_err werr = {0};
    int rc = gx_report_write(rep, run->status ? run->status : gx_rc_status(exit_code),
                             exit_code, &werr);
    if (rc != GX_OK) {
        fprintf(stderr, "gpuxfer: %s\n", werr.msg);
        return GX_ERUNTIME;
    }
    if (g->soak > 0)
        fprintf(table, "\n# soak: %ld complete pass%s in %.0f s of %ld s asked\n",
                ho->rotations, ho->rotations == 1 ? "" : "es", ho->soak_s, g->soak);
    if (run->opts->no_gpu_why[0])
        gx_print_note(table, "\n# no GPU path ran (%s): the host run stood in for the GPU default "
                      "run\n", run->opts->no_gpu_why);
    gx_print_note(table, "\n# report: %s (%d results, %d skipped, %d failed)%s\n", rep->path,
            t->results, t->skipped, t->failed,
            t->validation_failed ? "; DATA VALIDATION FAILED" : "");
    if (t->validation_failed)
        fprintf(stderr, "gpuxfer: received data did not match what was sent; see the "
                        "validation entries in %s\n", rep->path);
    if (exit_code == GX_ENOTHING && !run->opts->check_no_gpu) /* said above */
        fprintf(table, "\n# nothing measured: every step skipped, the report's \"skipped\" "
                       "says why (exit %d, --allow-skip: 0)\n", GX_ENOTHING);
    return exit_code;
}

/* --check's verdict line: the run's findings said as a Slurm drain reason; nothing judged here. */
/* Characters that need no escaping anywhere between gpuxfer and slurmctld's log. */
static int safe(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == ' ' || strchr(".,:/_+-", c) != NULL;
}

static void clean(char *out, size_t max, const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p && n < 4 * max; p++) {
        char c = safe(*p) ? *p : ' ';
        if (*p == '>' && n > 0 && out[n - 1] == '-')
            continue; /* a pair's "0->1" reads "0-1", not "0- 1" */
        if (c == ' ' && (n == 0 || out[n - 1] == ' '))
            continue;
        if ((c == ',' || c == ':') && n > 0 && out[n - 1] == ' ')
            n--; /* "(rank 1):" is "rank 1:", not "rank 1 :" */
        out[n++] = c;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    if (n <= max)
        return;
    /* Cut at the last clause within max ("..., 36 before" would read as a count), else at a
     * word (a word cut in half misleads). */
    size_t cut = max;
    while (cut > max / 2 && !(out[cut] == ' ' && (out[cut - 1] == ',' || out[cut - 1] == ':')))
        cut--;
    if (cut <= max / 2)
        for (cut = max; cut > max / 2 && out[cut] != ' ';)
            cut--;
    if (out[cut] != ' ')
        cut = max;
    while (cut > 0 && (out[cut - 1] == ' ' || out[cut - 1] == ',' || out[cut - 1] == ':'))
        cut--;
    out[cut] = '\0';
}

void gx_verdict_line(char *out, size_t len, int exit_code, const struct gx_health *h, int n,
                     const char *error)
{
    if (exit_code == GX_OK) {
        snprintf(out, len, "PASS");
        return;
    }
    char what[512], more[32] = "", reason[4 * GX_VERDICT_REASON_MAX + 1];
    const struct gx_health *first = NULL;
    int failing = 0;
    for (int i = 0; i < n; i++)
        if (!h[i].warning && failing++ == 0)
            first = &h[i];
    if (exit_code == GX_EHEALTH && first) {
        snprintf(what, sizeof what, "gpuxfer: %s", first->line);
        if (failing > 1)
            snprintf(more, sizeof more, " +%d more", failing - 1);
    } else if (exit_code == GX_EVALIDATE) {
        snprintf(what, sizeof what, "gpuxfer: received data did not match what was sent");
    } else {
        snprintf(what, sizeof what, "gpuxfer could not run: %s",
                 error && error[0] ? error : gx_rc_says(exit_code));
    }
    clean(reason, GX_VERDICT_REASON_MAX - strlen(more), what);
    snprintf(out, len, "FAIL reason=\"%s%s\"", reason, more);
}
