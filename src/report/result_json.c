/* A result as the report's JSON (cJSON): its key, statistics, stop, ceiling, line rate and
 * noise; the failure that stopped a run. */
#include "config.h"
#include "report.h"

#include "options.h"
#include "sizes.h"

#include <math.h>
#include <stdio.h>

void gx_chunk_key_json(cJSON *o, size_t chunk, int depth, int choice)
{
    if (gx_chunk_picked(chunk, choice)) {
        cJSON_AddStringToObject(o, "chunk_choice", gx_chunk_choice_name(choice));
    } else if (chunk) {
        cJSON_AddNumberToObject(o, "chunk", (double)chunk);
        cJSON_AddNumberToObject(o, "depth", depth);
    }
}

/* name: [x, y] (a pair of ranks, an interval). */
void gx_json_add_two(cJSON *o, const char *name, double x, double y)
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
    gx_json_add_two(st, "median_ci95", s->ci_lo, s->ci_hi);
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
    gx_json_add_two(e, "median_interval", r->stats.ci_lo, r->stats.ci_hi);
}

/* A median beyond its ceiling, the best iteration of the layer below: by how much, the
 * probe's range, and why that can be. */
static void add_exceeded(cJSON *o, const struct gx_result *r)
{
    cJSON *e = cJSON_AddObjectToObject(o, "ceiling_exceeded");
    int latency = r->family == GX_FAMILY_LATENCY;
    cJSON_AddNumberToObject(e, "by", r->efficiency);
    gx_json_add_two(e, "ceiling_range", r->ceiling_range.lo, r->ceiling_range.hi);
    char why[320];
    snprintf(why, sizeof why, "the median (%.4g %s) is %s than the best of the %d iterations of "
             "the probe of the layer below (%.4g .. %.4g): the path reached something the probe "
             "does not measure, or the machine changed between them, so the ceiling does not "
             "bound the result here",
             r->stats.median, r->unit, latency ? "faster" : "higher", r->ceiling_range.iters,
             r->ceiling_range.lo, r->ceiling_range.hi);
    cJSON_AddStringToObject(e, "reason", why);
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
    gx_json_add_two(o, "ranks", r->a, r->b);
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
            gx_json_add_two(c, "median_ci95", r->cands[i].m.lo, r->cands[i].m.hi);
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
