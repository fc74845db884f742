#include "config.h"
#include "sink.h"

#include "context.h"
#include "mem.h"
#include "path.h"
#include "sizes.h"
#include "topo.h"
#include "wrap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Rank 0: where no rank has a GPU, the table says so once, with the ranks' reasons, rather than
 * at every path and ceiling they leave out. */
static void say_no_gpu(struct gx_sink *s)
{
    const struct gx_context *c = s->rep->context;
    struct gx_said why = {0};
    int all = c && c->nranks > 0;
    for (int i = 0; all && i < c->nranks; i++) {
        const struct gx_ctx_rank *r = gx_ctx_rank(c, i);
        const char *reason = r && r->has_topo && !r->has_gpu ? gx_ctx_str(c, r->why_no_gpu) : NULL;
        /* A rank with no topology (its placement failed) may have one. */
        all = reason != NULL;
        if (all)
            (void)gx_said_before(&why, reason);
    }
    /* A run that needs no GPU took none on purpose: nothing of it is skipped. */
    if (all && gx_mplan_uses_gpu(s->plan))
        gx_output_no_gpu(&s->out, &why);
    gx_said_free(&why);
}

static double load_average(void)
{
    double l[1];
    return getloadavg(l, 1) == 1 ? l[0] : -1;
}

void gx_sink_init(struct gx_sink *s, const struct gx_job *job, const struct gx_options *o,
                  const struct gx_mplan *plan, struct gx_report *rep)
{
    *s = (struct gx_sink){.rep = job->rank == 0 ? rep : NULL, .opts = o, .plan = plan,
                          .tally = {.cpu_wait_max = -1, .load_start = load_average()},
                          .soak = o->g.soak > 0, .rotation = 1};
    s->round = (struct gx_round_sum){.nrounds = 1, .npairs = 1};
    gx_output_init(&s->out, job, o, plan);
    gx_csv_init(&s->csv, job->rank == 0 && o->g.format == GX_FORMAT_CSV ? stdout : NULL,
                s->rep ? s->rep->context : NULL);
    if (s->rep && s->rep->doc)
        say_no_gpu(s);
}

static void round_sum_add(struct gx_round_sum *s, const struct gx_result *r)
{
    if (s->nok == 0 && s->first.path == NULL) {
        s->first = *r;
        s->first.samples = NULL; /* only its key fields are read */
        s->bandwidth = r->family != GX_FAMILY_LATENCY;
    }
    if (r->state != GX_STATE_OK || !(r->stats.median > 0) || r->size == 0)
        return;
    s->nok++;
    if (s->bandwidth) {
        /* GB/s is 1e9 bytes/s; bibw's figure counts both ways, so do its messages. */
        s->gbps += r->stats.median;
        s->msg_rate += r->stats.median * 1e9 / (double)r->size;
    } else {
        s->msg_rate += 1e6 / r->stats.median; /* one-way messages per second of a ping-pong */
    }
}

static cJSON *round_sum_json(const struct gx_round_sum *s)
{
    const struct gx_result *r = &s->first;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    gx_result_key_json(o, r);
    cJSON_AddNumberToObject(o, "size", (double)r->size);
    /* Chunks picked per pair differ within the round: the first pair's would misname it. */
    gx_chunk_key_json(o, r->chunk, r->depth, r->chunk_choice);
    cJSON_AddNumberToObject(o, "round", s->round);
    cJSON_AddNumberToObject(o, "rounds", s->nrounds);
    cJSON_AddNumberToObject(o, "pairs", s->npairs);
    cJSON_AddNumberToObject(o, "pairs_measured", s->nok);
    if (s->bandwidth)
        cJSON_AddNumberToObject(o, "aggregate_gbps", s->gbps);
    cJSON_AddNumberToObject(o, "message_rate", s->msg_rate);
    return o;
}

static struct gx_held *held_of(struct gx_sink *s, const struct gx_result *res)
{
    for (size_t i = 0; i < s->nheld; i++) {
        struct gx_held *h = &s->held[i];
        if (h->live && h->res.step == res->step && h->res.a == res->a && h->res.b == res->b)
            return h;
    }
    return NULL;
}

/* Or a free slot (NULL: out of memory). */
static struct gx_held *held_slot(struct gx_sink *s, const struct gx_result *res)
{
    struct gx_held *h = held_of(s, res);
    for (size_t i = 0; i < s->nheld && !h; i++)
        h = s->held[i].live ? NULL : &s->held[i];
    if (h)
        return h;
    h = gx_grow(s->held, &s->held_cap, s->nheld, 16, sizeof *h);
    if (!h)
        return NULL;
    s->held = h;
    memset(&s->held[s->nheld], 0, sizeof *s->held);
    return &s->held[s->nheld++];
}

static const char *copy_text(char *to, size_t len, const char *from)
{
    if (!from)
        return NULL;
    snprintf(to, len, "%s", from);
    return to;
}

/* A copy, in place of the step's earlier one. */
static int hold(struct gx_sink *s, const struct gx_result *res, struct gx_err *err)
{
    struct gx_held *h = held_slot(s, res);
    double *samples = NULL;
    if (h && res->samples && res->nsamples) {
        samples = realloc(h->samples, res->nsamples * sizeof *samples);
        if (samples)
            memcpy(samples, res->samples, res->nsamples * sizeof *samples);
        else
            return gx_fail(err, GX_ERUNTIME, "out of host memory for %zu samples held until "
                           "their last visit", res->nsamples);
    } else if (h) {
        free(h->samples); /* an earlier visit's, of a slot taken again */
    }
    if (!h)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for a result of %zu bytes held "
                       "until its last visit", res->size);
    h->res = *res;
    h->samples = samples;
    h->res.samples = samples;
    h->res.reason = copy_text(h->reason, sizeof h->reason, res->reason);
    h->res.ceiling_what = copy_text(h->ceiling_what, sizeof h->ceiling_what, res->ceiling_what);
    h->res.via = copy_text(h->via, sizeof h->via, res->via);
    int n = res->cands && res->ncands > 0 ? res->ncands : 0;
    n = n < GX_AUTO_MAX_CANDIDATES ? n : GX_AUTO_MAX_CANDIDATES;
    if (n)
        memcpy(h->cands, res->cands, (size_t)n * sizeof *h->cands);
    h->res.cands = n ? h->cands : NULL;
    h->res.ncands = n;
    h->live = 1;
    if (s->rotation <= 1) /* the table's partial row, which the next visit's replaces */
        gx_output_result(&s->out, &h->res);
    return gx_report_hold(s->rep, &h->res, err);
}

static int report_result(struct gx_sink *s, const struct gx_result *given, struct gx_err *err)
{
    struct gx_result settled = *given;
    char why[512];
    gx_result_settle(&settled, why, sizeof why);
    const struct gx_result *res = &settled;
    s->tally.results++;
    s->tally.ok += res->state == GX_STATE_OK;
    s->tally.skipped += res->state == GX_STATE_SKIPPED;
    s->tally.failed += res->state == GX_STATE_FAILED;
    if (res->state == GX_STATE_OK) {
        s->tally.noisy += (res->noise.marks & GX_NOISE_MACHINE) != 0;
        s->tally.few += (res->noise.marks & GX_NOISE_FEW) != 0;
        s->tally.worst += res->noise.worst > 0;
        int clean = !(res->noise.marks & GX_NOISE_DISTURBED);
        s->tally.varied += clean && (res->noise.marks & GX_NOISE_PLATFORM);
        s->tally.modes += clean && res->noise.mode_visits > 0;
        s->tally.unsound += res->ceiling_unsound;
        s->tally.exceeded += res->ceiling_exceeded;
        s->tally.within += res->ceiling_within;
        if (res->noise.cpu_wait > s->tally.cpu_wait_max)
            s->tally.cpu_wait_max = res->noise.cpu_wait;
    }
    if (res->validated && !res->valid) {
        s->tally.validation_failed = 1;
        fprintf(stderr, "gpuxfer: data validation failed: run '%s' path %s pattern %s size %zu "
                "%s %d%s%d: first bad byte at offset %lld (validation iteration %ld)\n",
                res->run_name && res->run_name[0] ? res->run_name : "-", res->path,
                res->pattern, res->size, res->coll_ranks ? "group" : "pair", res->a,
                res->coll_ranks ? ".." : "->", res->b, res->bad_offset, res->bad_iter);
    }
    /* Room first: a result is in both the report and the kept results, or in neither. */
    int keep = s->rep && s->rotation <= 1;
    if (keep) {
        struct gx_kept *k = gx_grow(s->kept, &s->kept_cap, s->nkept, 64, sizeof *k);
        if (!k)
            return gx_fail(err, GX_ERUNTIME, "out of host memory for the kept results");
        s->kept = k;
    }
    GX_TRY(gx_report_add(s->rep, res, err));
    if (keep)
        s->kept[s->nkept++] = gx_kept_of(res);
    round_sum_add(&s->round, res);
    gx_output_result(&s->out, res);
    /* The CSV has the report document's results: later --soak passes are in the .jsonl. */
    return s->rotation > 1 ? GX_OK : gx_csv_result(&s->csv, res, err);
}

static int on_result(void *ctx, const struct gx_result *given, struct gx_err *err)
{
    struct gx_sink *s = ctx;
    if (!given->last)
        return hold(s, given, err);
    struct gx_held *h = held_of(s, given); /* its earlier visits' result is this one now */
    if (h)
        h->live = 0;
    return report_result(s, given, err);
}

/* The run ended before the last visit of these. Their texts point into their slots, which the
 * array's growth may have moved since: pointed at again. */
static int report_held(struct gx_sink *s, struct gx_err *err)
{
    int rc = GX_OK;
    for (size_t i = 0; i < s->nheld && rc == GX_OK; i++) {
        struct gx_held *h = &s->held[i];
        if (!h->live)
            continue;
        h->live = 0;
        h->res.reason = h->res.reason ? h->reason : NULL;
        h->res.ceiling_what = h->res.ceiling_what ? h->ceiling_what : NULL;
        h->res.via = h->res.via ? h->via : NULL;
        h->res.cands = h->res.ncands > 0 ? h->cands : NULL;
        rc = report_result(s, &h->res, err);
    }
    return rc;
}

/* "mpi (run host, memory pinned -> pinned)"; run is found by its name's address. */
static void skip_label(const struct gx_sink *s, const char *run, const char *path, char *buf,
                       size_t len)
{
    int r = -1, p = gx_path_lookup(path);
    for (int i = 0; i < s->opts->nruns && r < 0; i++)
        if (run == s->opts->runs[i].name)
            r = i;
    const struct gx_mgroup *g = NULL;
    for (size_t i = 0; s->plan && i < s->plan->ngroups && !g && r >= 0; i++)
        if (s->plan->groups[i].run == r && s->plan->groups[i].path == p)
            g = &s->plan->groups[i];
    if (!g || s->opts->g.vary.option == GX_VARY_MEM) { /* the reason names the value's */
        snprintf(buf, len, "%s", path);
        return;
    }
    int n = snprintf(buf, len, "%s (", path);
    if (run[0] && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, "run %s, ", run);
    if (n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, "memory %s -> %s)", gx_mem_name(g->src_kind),
                 gx_mem_name(g->dst_kind));
}

/* A key that does not fit is taken as new: lines twice rather than lost. */
static int csv_said_before(struct gx_sink *s, const char *run, const char *path,
                           const struct gx_pair *pairs, int npairs, const char *reason)
{
    char key[4096];
    size_t n = (size_t)snprintf(key, sizeof key, "%s\n%s\n%s\n", run, path, reason);
    for (int i = 0; i < npairs && n < sizeof key; i++)
        n += (size_t)snprintf(key + n, sizeof key - n, "%d:%d,", pairs[i].a, pairs[i].b);
    return n < sizeof key && gx_said_before(&s->csv_skips, key);
}

/* Only the first --soak pass records a skip; the table and the CSV say each distinct one once
 * (a path is skipped once per group of sizes). */
static void on_skip(void *ctx, const char *run, const char *path, const struct gx_pair *pairs,
                    int npairs, const char *reason)
{
    struct gx_sink *s = ctx;
    if (s->rotation > 1)
        return;
    struct gx_err err = {0};
    if (gx_report_skip(s->rep, run, path, pairs, npairs, reason, &err) != GX_OK)
        fprintf(stderr, "gpuxfer: %s: it is not in the report\n", err.msg);
    char label[256];
    if (s->out.active) {
        skip_label(s, run, path, label, sizeof label);
        gx_output_skip(&s->out, label, reason);
    }
    if (s->csv.f && !csv_said_before(s, run, path, pairs, npairs, reason))
        gx_csv_skip(&s->csv, run, path, pairs, npairs, reason);
    if (!s->tally.skipped++) {
        skip_label(s, run, path, label, sizeof label);
        snprintf(s->tally.first_skip, sizeof s->tally.first_skip, "%.100s: %.150s", label, reason);
    }
}

static int on_ceilings_so_far(void *ctx, const struct gx_ceilings *c, struct gx_err *err)
{
    return gx_report_ceilings(((struct gx_sink *)ctx)->rep, c, err);
}

static int on_ceilings(void *ctx, const struct gx_ceilings *c, struct gx_err *err)
{
    struct gx_sink *s = ctx;
    GX_TRY(on_ceilings_so_far(s, c, err));
    gx_output_ceilings(&s->out, c);
    s->ceilings = &s->rep->ceilings;
    return GX_OK;
}

static void on_round_begin(void *ctx, int round, int nrounds, int npairs)
{
    ((struct gx_sink *)ctx)->round = (struct gx_round_sum){.round = round, .nrounds = nrounds,
                                                           .npairs = npairs};
}

/* The rounds' sums are summed up under the table, a line per measurement and size. */
static int on_round_end(void *ctx, struct gx_err *err)
{
    struct gx_sink *s = ctx;
    if (!s->rep || s->round.npairs < 2 || !s->round.first.path || s->rotation > 1)
        return GX_OK; /* later --soak passes: the .jsonl has their results */
    cJSON *o = round_sum_json(&s->round);
    if (!o || (!s->rounds && !(s->rounds = cJSON_CreateArray()))) {
        cJSON_Delete(o);
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the rounds' aggregates");
    }
    cJSON_AddItemToArray(s->rounds, o);
    return GX_OK;
}

/* "path src -> dst, pattern size". */
static void round_key(const cJSON *o, char *buf, size_t len)
{
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(o, "mem");
    const char *src = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mem, "src"));
    const char *dst = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mem, "dst"));
    const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "path"));
    const char *pattern = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "pattern"));
    char size[32];
    gx_format_size((size_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "size")),
                   size, sizeof size);
    snprintf(buf, len, "%s %s -> %s, %s %s", path ? path : "?", src ? src : "?",
             dst ? dst : "?", pattern ? pattern : "?", size);
}

/* A line per key, the range of the rounds' sums, said at its first round. */
static void print_rounds(struct gx_sink *s)
{
    static const char *const sums[2] = {"aggregate_gbps", "message_rate"};
    FILE *t = s->out.stream;
    const cJSON *o, *p;
    char key[256], other[256];
    int said = 0;
    cJSON_ArrayForEach(o, s->rounds) {
        round_key(o, key, sizeof key);
        double lo[2] = {0, 0}, hi[2] = {0, 0};
        int n[2] = {0, 0}, first = -1;
        cJSON_ArrayForEach(p, s->rounds) {
            round_key(p, other, sizeof other);
            if (strcmp(other, key) != 0)
                continue;
            if (first < 0) { /* said where its key first came */
                first = p == o;
                if (!first)
                    break;
            }
            for (int k = 0; k < 2; k++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, sums[k]);
                double x = cJSON_GetNumberValue(v);
                if (!cJSON_IsNumber(v))
                    continue;
                lo[k] = n[k] && lo[k] < x ? lo[k] : x;
                hi[k] = n[k] && hi[k] > x ? hi[k] : x;
                n[k]++;
            }
        }
        if (!first)
            continue;
        if (!said++)
            gx_print_note(t, "\n# rounds of pairs at once: the sums over each round's pairs, the "
                          "lowest and highest round (each round in the report's rounds)\n");
        char a[24], b[24], gbs[80] = "";
        gx_format_value(lo[0], a, sizeof a);
        gx_format_value(hi[0], b, sizeof b);
        if (n[0])
            snprintf(gbs, sizeof gbs, "%s .. %s GB/s, ", a, b);
        const cJSON *pairs = cJSON_GetObjectItemCaseSensitive(o, "pairs");
        /* The message rates as each round's line had them. */
        gx_print_note(t, "#   %s: %d rounds of %d pairs, %s%.4g .. %.4g messages/s\n", key, n[1],
                      (int)cJSON_GetNumberValue(pairs), gbs, lo[1], hi[1]);
    }
}

void gx_sink_finished(struct gx_sink *s, struct gx_run *run)
{
    if (s->out.active && s->rounds)
        print_rounds(s);
    s->tally.load_end = load_average();
    s->tally.cpus = sysconf(_SC_NPROCESSORS_ONLN);
    run->kept = s->kept;
    run->nkept = s->nkept;
    run->tally = &s->tally;
    run->ceilings = s->ceilings;
    run->rounds = s->rounds;
    s->rounds = NULL;
}

static void on_pass(void *ctx, long pass)
{
    struct gx_sink *s = ctx;
    s->rotation = pass;
    if (s->rep && s->soak)
        gx_report_rotation(s->rep, pass);
    if (s->rep && s->soak && pass == 1)
        gx_report_soak(s->rep, s->opts->g.soak, 0, 0);
    gx_output_rotation(&s->out, pass);
}

static void on_step(void *ctx, size_t size, const char *what, const char *pattern, int visit,
                    int visits, double budget_left)
{
    gx_output_progress(&((struct gx_sink *)ctx)->out, size, what, pattern, visit, visits,
                       budget_left);
}

static void on_precision(void *ctx, double reached, double budget_left)
{
    gx_output_precision(&((struct gx_sink *)ctx)->out, reached, budget_left);
}

static void on_steps_skipped(void *ctx, long n)
{
    ((struct gx_sink *)ctx)->out.done += n; /* steps that will not run count as done */
}

static void on_soak(void *ctx, long seconds, double seconds_run, long passes)
{
    gx_report_soak(((struct gx_sink *)ctx)->rep, seconds, seconds_run, passes);
}

static void on_end(void *ctx)
{
    struct gx_sink *s = ctx;
    struct gx_err err = {0};
    if (report_held(s, &err) != GX_OK)
        fprintf(stderr, "gpuxfer: %s\n", err.msg);
    gx_output_done(&s->out);
}

int gx_sink_abort(void *ctx, const struct gx_sink_abort *a)
{
    struct gx_sink *s = ctx; /* the report before the table, whose stream may be held */
    int rc = gx_report_abort(s->rep, a);
    gx_output_table(&s->out);
    return rc;
}

static const struct gx_sink_ops sink_ops = {
    .pass = on_pass,
    .step = on_step,
    .precision = on_precision,
    .steps_skipped = on_steps_skipped,
    .skip = on_skip,
    .round_begin = on_round_begin,
    .result = on_result,
    .round_end = on_round_end,
    .ceilings_so_far = on_ceilings_so_far,
    .ceilings = on_ceilings,
    .soak = on_soak,
    .end = on_end,
};

struct gx_sink_door gx_sink_door(struct gx_sink *s)
{
    return (struct gx_sink_door){.ops = &sink_ops, .ctx = s};
}

void gx_sink_free(struct gx_sink *s)
{
    gx_output_free(&s->out);
    gx_said_free(&s->csv_skips);
    for (size_t i = 0; i < s->nheld; i++)
        free(s->held[i].samples);
    free(s->held);
    free(s->kept);
    cJSON_Delete(s->rounds);
    *s = (struct gx_sink){0};
}
