/* How much the machine interfered with the run: the sink's counts as facts, and the notes that
 * say what a mark in the table means for this run's numbers. */
#include "config.h"
#include "grid.h"
#include "tally.h"
#include "view.h"

#include "noise.h"

#include <stdarg.h>
#include <stdio.h>

struct notes {
    char text[2048];
    size_t at;
};

static void note(struct notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct notes *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (n->at < sizeof n->text) {
        int k = vsnprintf(n->text + n->at, sizeof n->text - n->at, fmt, ap);
        n->at += k > 0 ? (size_t)k : 0;
    }
    va_end(ap);
}

static void interfered(struct notes *n, const struct gx_tally *t)
{
    char load[96] = "", wait[96] = "", unsound[128] = "";
    if (t->cpu_wait_max >= GX_NOISE_WAIT)
        snprintf(wait, sizeof wait, "; a rank waited for a CPU up to %.0f%% of a step",
                 100 * t->cpu_wait_max);
    if (t->load_end >= 0 && t->cpus > 0)
        snprintf(load, sizeof load, "; load average %.1f on %ld CPUs", t->load_end, t->cpus);
    if (t->unsound)
        snprintf(unsound, sizeof unsound, "; %d efficienc%s ? (the probe's point was no bound: "
                 "ceiling_absent says why)", t->unsound, t->unsound == 1 ? "y" : "ies");
    if (t->noisy)
        note(n, "\n# the machine interfered: %d of %d results marked ~ (another process took a "
             "rank's CPU, or something ran between iterations: the report's noise.why says "
             "which; rerun on a quieter node)%s%s%s\n", t->noisy, t->ok, wait, load, unsound);
    else if (t->unsound)
        note(n, "\n# the ceilings were disturbed%s%s\n", load, unsound);
}

static int view_grid(const void *state, const struct gx_run *run, int i, struct gx_grid *g,
                     struct gx_err *err)
{
    (void)state, (void)i;
    const struct gx_tally *t = run->tally;
    if (gx_grid_init(g, NULL, 0, 0, err) != GX_OK)
        return err->rc;
    const struct {
        const char *key;
        double v;
    } counts[] = {
        {"results_measured", t->ok}, {"results_noisy", t->noisy}, {"results_few", t->few},
        {"results_drift", t->varied}, {"results_two_speeds", t->modes},
        {"ceilings_unsound", t->unsound}, {"ceilings_exceeded", t->exceeded},
        {"ceilings_within", t->within},
    };
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
        gx_grid_fact(g, counts[k].key, NULL, counts[k].v);
    if (t->cpu_wait_max >= 0)
        gx_grid_fact(g, "cpu_wait_max", NULL, t->cpu_wait_max);
    if (t->load_start >= 0 && t->load_end >= 0) {
        gx_grid_fact(g, "load_average[]", NULL, t->load_start);
        gx_grid_fact(g, "load_average[]", NULL, t->load_end);
    }
    if (t->cpus > 0)
        gx_grid_fact(g, "cpus_online", NULL, (double)t->cpus);
    struct notes n = {.at = 0};
    if (t->few)
        note(&n, "\n# too few to judge: %d of %d results rest on fewer than %d timed iterations, "
             "marked ~ (the step was cut by --timeout or a stop signal, or --iters asked for so "
             "few): their noise cannot be told\n", t->few, t->ok, GX_NOISE_MIN_SAMPLES);
    if (t->worst)
        note(&n, "\n# * after a cv%%: %d of %d results had an iteration %.0fx slower than the "
             "median or more while their slowest 5%% were not: the cv%% (mean-based) is that "
             "iteration's, the median stands (noise.worst)\n", t->worst, t->ok,
             GX_NOISE_TAIL_RATIO);
    if (t->varied)
        note(&n, "\n# the platform's own speed varied: %d of %d results marked ^ (no other "
             "process took the CPUs: their medians are those of every visit, known to the +-%% "
             "the report's noise.why says; %d of them ran at two speeds, noise.why names both); "
             "more visits (--visits) narrow them, a quieter node does not\n", t->varied, t->ok,
             t->modes);
    interfered(&n, t);
    g->footer = n.at ? gx_grid_text(g, "%s", n.text) : NULL;
    return GX_OK;
}

const struct gx_view_ops gx_view_interference = {.name = "interference", .grid = view_grid};
