/* How much the machine interfered with the run. */
#include "config.h"
#include "sink.h"
#include "view.h"

#include <stdio.h>

static cJSON *view_json(const void *state, const struct gx_run *run)
{
    (void)state;
    const struct gx_tally *t = run->tally;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "results_measured", t->ok);
    cJSON_AddNumberToObject(o, "results_noisy", t->noisy);
    cJSON_AddNumberToObject(o, "results_few", t->few);
    cJSON_AddNumberToObject(o, "results_drift", t->drift);
    cJSON_AddNumberToObject(o, "ceilings_unsound", t->unsound);
    cJSON_AddNumberToObject(o, "ceilings_exceeded", t->exceeded);
    cJSON_AddNumberToObject(o, "ceilings_within", t->within);
    if (t->cpu_wait_max >= 0)
        cJSON_AddNumberToObject(o, "cpu_wait_max", t->cpu_wait_max);
    if (t->load_start >= 0 && t->load_end >= 0) {
        cJSON *l = cJSON_AddArrayToObject(o, "load_average");
        cJSON_AddItemToArray(l, cJSON_CreateNumber(t->load_start));
        cJSON_AddItemToArray(l, cJSON_CreateNumber(t->load_end));
    }
    if (t->cpus > 0)
        cJSON_AddNumberToObject(o, "cpus_online", (double)t->cpus);
    return o;
}

static void view_print(FILE *table, const void *state, const struct gx_run *run)
{
    (void)state;
    const struct gx_tally *t = run->tally;
    if (t->few)
        gx_print_note(table, "\n# too few to judge: %d of %d results rest on fewer than %d timed "
                      "iterations, marked ~ (the step was cut by --timeout or a stop signal, or "
                      "--iters asked for so few): their noise cannot be told\n", t->few, t->ok,
                      GX_NOISE_MIN_SAMPLES);
    if (t->worst)
        gx_print_note(table, "\n# * after a cv%%: %d of %d results had an iteration %.0fx "
                      "slower than the median or more while their slowest 5%% were not: the "
                      "cv%% (mean-based) is that iteration's, the median stands (noise.worst)\n",
                      t->worst, t->ok, GX_NOISE_TAIL_RATIO);
    if (!t->noisy && !t->unsound)
        return;
    char load[96] = "", wait[96] = "";
    if (t->cpu_wait_max >= GX_NOISE_WAIT)
        snprintf(wait, sizeof wait, "; a rank waited for a CPU up to %.0f%% of a step",
                 100 * t->cpu_wait_max);
    if (t->load_end >= 0 && t->cpus > 0)
        snprintf(load, sizeof load, "; load average %.1f on %ld CPUs", t->load_end, t->cpus);
    char unsound[128] = "";
    if (t->unsound)
        snprintf(unsound, sizeof unsound, "; %d efficienc%s ? (the probe's point was no bound: "
                 "ceiling_absent says why)", t->unsound, t->unsound == 1 ? "y" : "ies");
    char drift[128] = "";
    if (t->drift)
        snprintf(drift, sizeof drift, "; %d of them drifted: their visits disagree, the "
                 "machine's speed changed during the run", t->drift);
    gx_print_note(table, "\n# the machine interfered: %d of %d results marked ~ (their medians "
                  "are unreliable: the report's noise says why%s)%s%s%s\n", t->noisy, t->ok,
                  drift, wait, load, unsound);
}

const struct gx_view_ops gx_view_interference = {
    .name = "interference", .json = view_json, .print = view_print,
};
