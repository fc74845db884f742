/* Each rank's GPU before and after the run, compared where read: one fixed record per rank. */
#include "config.h"
#include "gpu_counters.h"
#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct gx_cnt_info gx_cnt_info[GX_CNTS] = {
    [GX_CNT_NVL_CRC_FLIT] = {"nvlink_crc_flit", GX_CNT_CRC, "nvlink-errors",
                             "NVLink CRC flit errors"},
    [GX_CNT_NVL_CRC_DATA] = {"nvlink_crc_data", GX_CNT_CRC, "nvlink-errors",
                             "NVLink CRC data errors"},
    [GX_CNT_NVL_REPLAY] = {"nvlink_replay", GX_CNT_DELTA, "nvlink-errors", "NVLink replays"},
    [GX_CNT_NVL_RECOVERY] = {"nvlink_recovery", GX_CNT_DELTA, "nvlink-errors",
                             "NVLink recoveries"},
    [GX_CNT_PCIE_REPLAY] = {"pcie_replay", GX_CNT_DELTA, "pcie-replays", "PCIe replays"},
    [GX_CNT_ECC_CORRECTED] = {"ecc_corrected_volatile", GX_CNT_DELTA, "ecc-errors",
                              "corrected ECC errors"},
    [GX_CNT_ECC_UNCORRECTED] = {"ecc_uncorrected_volatile", GX_CNT_DELTA, "ecc-errors",
                                "uncorrected ECC errors"},
    [GX_CNT_XID] = {"xid", GX_CNT_EVENTS, "xid-events", "XID events"},
    [GX_CNT_RETIRED_PENDING] = {"retired_pages_pending", GX_CNT_PENDING, "retirement-pending",
                                "page retirement pending"},
    [GX_CNT_REMAP_PENDING] = {"remapped_rows_pending", GX_CNT_PENDING, "retirement-pending",
                              "row remapping pending"},
    [GX_CNT_REMAP_FAILURE] = {"row_remap_failure", GX_CNT_PENDING, "row-remap-failed",
                              "a row remapping has failed"},
    [GX_CNT_CLOCK_EVENTS] = {"clock_event_reasons", GX_CNT_THROTTLE, "clock-throttled",
                             "clocks held down"},
    [GX_CNT_SM_MHZ] = {"sm_clock_mhz", GX_CNT_STATE, NULL, "SM clock"},
    [GX_CNT_MEM_MHZ] = {"memory_clock_mhz", GX_CNT_STATE, NULL, "memory clock"},
    [GX_CNT_POWER_LIMIT] = {"power_limit_mw", GX_CNT_STATE, NULL, "enforced power limit"},
    [GX_CNT_PERSISTENCE] = {"persistence_mode", GX_CNT_STATE, NULL, "persistence mode"},
    [GX_CNT_MIG] = {"mig_mode", GX_CNT_STATE, NULL, "MIG mode"},
    [GX_CNT_MPS] = {"mps", GX_CNT_STATE, NULL, "MPS"},
    [GX_CNT_ECC_MODE] = {"ecc_mode", GX_CNT_STATE, NULL, "ECC mode"},
    [GX_CNT_ECC_PENDING] = {"ecc_mode_pending", GX_CNT_STATE, NULL, "ECC mode after a reset"},
};

int gx_clock_reasons(uint64_t bits, const char **names, int max)
{
    static const char *const bit_names[] = {"gpu-idle", "applications-clocks", "sw-power-cap",
                                            "hw-slowdown", "sync-boost", "sw-thermal",
                                            "hw-thermal", "hw-power-brake", "display-clocks"};
    const int known = (int)(sizeof bit_names / sizeof *bit_names);
    int n = 0;
    for (int b = 0; b < known && n < max; b++)
        if (bits >> b & 1)
            names[n++] = bit_names[b];
    if (bits >> known && n < max) /* bits of a later driver, named once */
        names[n++] = "other";
    return n;
}

struct gx_counters_watch {
    int read;
    char none[GX_CNT_REASON], busid[32];
    void *events;
    char events_why[GX_CNT_REASON];
    struct gx_cnt_reading before;
    double t0; /* of the before reading */
};

struct gx_counters_watch *gx_counters_begin(const struct gx_job *job)
{
    struct gx_counters_watch *w = calloc(1, sizeof *w);
    const struct gx_topo_rank *t = job->topo;
    if (!w)
        return NULL;
    if (t && t->has_gpu)
        snprintf(w->busid, sizeof w->busid, "%s", t->busid);
    if (!t || !t->has_gpu)
        snprintf(w->none, sizeof w->none, "no GPU");
    else if (!gx_links_nvml_allowed(t))
        snprintf(w->none, sizeof w->none, "NVML not consulted for %s",
                 t->fake ? "--fake-gpus" : "a topology from XML");
    else {
        w->events = gx_cnt_events_open(t->busid, w->events_why, sizeof w->events_why);
        w->read = gx_cnt_read(t->busid, &w->before, w->none, sizeof w->none) == 0;
        w->t0 = gx_mono_s();
    }
    return w;
}

/* The place of a reason among the record's few, each text once; the last says there were more. */
static int8_t reason(struct gx_gpu_counters *rec, const char *why)
{
    int i = 0;
    for (; i < GX_CNT_REASONS && rec->reasons[i][0]; i++)
        if (strcmp(rec->reasons[i], why) == 0)
            return (int8_t)i;
    if (i == GX_CNT_REASONS) {
        snprintf(rec->reasons[--i], GX_CNT_REASON, "NVML failed for one of several reasons");
        return (int8_t)i;
    }
    snprintf(rec->reasons[i], GX_CNT_REASON, "%s", why);
    return (int8_t)i;
}

static void nvlink_sums(const struct gx_cnt_reading *b, const struct gx_cnt_reading *a, int c,
                        struct gx_gpu_counters *rec)
{
    int n = b->nlinks < a->nlinks ? b->nlinks : a->nlinks;
    for (int l = 0; l < n; l++) {
        if (!b->link_ok[l][c] || !a->link_ok[l][c])
            continue;
        rec->links_read[c]++;
        rec->before[c] += b->link[l][c];
        rec->after[c] += a->link[l][c];
        if (a->link[l][c] != b->link[l][c] && l < 64)
            rec->links_moved[c] |= 1ULL << l;
    }
}

static void compare(const struct gx_cnt_reading *b, const struct gx_cnt_reading *a,
                    struct gx_gpu_counters *rec)
{
    for (int c = 0; c < GX_CNTS; c++) {
        const char *why = b->why[c][0] ? b->why[c] : a->why[c];
        if (why[0]) {
            rec->why[c] = reason(rec, why);
            continue;
        }
        rec->why[c] = -1;
        if (c < GX_CNT_NVLINKS)
            nvlink_sums(b, a, c, rec);
        else
            rec->before[c] = b->v[c], rec->after[c] = a->v[c];
    }
    memcpy(rec->xids, a->xids, sizeof rec->xids);
}

static int record_begin(const struct gx_job *job, const struct gx_counters_watch *w,
                        struct gx_gpu_counters *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->rank = job->rank;
    rec->node = job->node;
    rec->has_gpu = job->topo && job->topo->has_gpu;
    memset(rec->why, -1, sizeof rec->why);
    if (!w) {
        snprintf(rec->none, sizeof rec->none, "out of host memory for the reading");
        return 0;
    }
    snprintf(rec->busid, sizeof rec->busid, "%s", w->busid);
    return 1;
}

void gx_counters_start(const struct gx_job *job, const struct gx_counters_watch *w,
                       struct gx_gpu_counters *rec)
{
    if (!record_begin(job, w, rec))
        return;
    if (!w->read) {
        snprintf(rec->none, sizeof rec->none, "%s", w->none);
        return;
    }
    rec->read = 1;
    compare(&w->before, &w->before, rec); /* its before as compare makes it, after the same */
}

void gx_counters_drop(struct gx_counters_watch *w)
{
    if (w)
        gx_cnt_events_close(w->events, NULL);
    free(w);
}

static void make_record(const struct gx_job *job, struct gx_counters_watch *w,
                        struct gx_gpu_counters *rec)
{
    if (!record_begin(job, w, rec))
        return;
    struct gx_cnt_reading *after = w->read ? malloc(sizeof *after) : NULL;
    if (w->read && after &&
        gx_cnt_read(w->busid, after, rec->none, sizeof rec->none) == 0) {
        if (w->events)
            gx_cnt_events_close(w->events, after);
        else
            snprintf(after->why[GX_CNT_XID], GX_CNT_REASON, "%s", w->events_why);
        w->events = NULL;
        rec->read = 1;
        rec->seconds = gx_mono_s() - w->t0;
        compare(&w->before, after, rec);
    } else if (w->read && !after)
        snprintf(rec->none, sizeof rec->none, "out of host memory for the reading");
    else if (!w->read)
        snprintf(rec->none, sizeof rec->none, "%s", w->none);
    gx_cnt_events_close(w->events, NULL); /* not drained: the set goes all the same */
    free(after);
}

int gx_counters_end(const struct gx_job *job, struct gx_counters_watch *w,
                    struct gx_gpu_counters **all, struct gx_err *err)
{
    struct gx_gpu_counters mine;
    make_record(job, w, &mine);
    free(w);
    *all = NULL;
    struct gx_gpu_counters *recs = NULL;
    int room = job->rank != 0 || (recs = calloc((size_t)job->size, sizeof *recs)) != NULL;
    int mrc = MPI_Bcast(&room, 1, MPI_INT, 0, job->comm); /* no room: nobody sends, nobody waits */
    if (mrc == MPI_SUCCESS && room)
        mrc = MPI_Gather(&mine, (int)sizeof mine, MPI_BYTE, recs, (int)sizeof mine, MPI_BYTE, 0,
                         job->comm);
    if (mrc != MPI_SUCCESS) {
        free(recs);
        return gx_fail_mpi(err, mrc, "gathering the GPUs' counters", __FILE__, __LINE__);
    }
    if (job->rank != 0)
        return GX_OK;
    if (!room)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the GPUs' counters");
    *all = recs;
    return GX_OK;
}

int gx_counters_first_of_gpu(const struct gx_gpu_counters *all, int i)
{
    for (int j = 0; j < i; j++)
        if (all[j].busid[0] && all[j].node == all[i].node &&
            strcmp(all[j].busid, all[i].busid) == 0)
            return 0;
    return 1;
}

/* The counters' findings, each with its evidence; a counter not read is no finding. */
static void links_text(uint64_t moved, char *buf, size_t len)
{
    char list[120] = "";
    size_t at = 0;
    int n = 0;
    for (int l = 0; l < 64 && at < sizeof list; l++)
        if (moved >> l & 1)
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%d", n++ ? ", " : "", l);
    buf[0] = '\0';
    if (n > 0)
        snprintf(buf, len, " (link%s %s)", n == 1 ? "" : "s", list);
}

static void reasons_text(uint64_t bits, char *buf, size_t len)
{
    const char *names[64];
    int n = gx_clock_reasons(bits, names, 64);
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "", names[i]);
    if (n == 0)
        snprintf(buf, len, "none");
}

static int judge(const struct gx_gpu_counters *g, int c, struct gx_health *h, int n, int max)
{
    const struct gx_cnt_info *ci = &gx_cnt_info[c];
    unsigned long long b = g->before[c], a = g->after[c];
    struct gx_health *x;
    char ev[GX_HEALTH_LINE], more[150];
    switch (ci->kind) {
    case GX_CNT_DELTA:
    case GX_CNT_CRC:
        if (a == b || !(x = gx_health_add(h, &n, max, ci->check, g->rank)))
            return n;
        links_text(c < GX_CNT_NVLINKS ? g->links_moved[c] : 0, more, sizeof more);
        snprintf(x->line, sizeof x->line, "GPU %s (rank %d): %s during the run: %llu before, "
                 "%llu after%s", g->busid, g->rank, ci->what, b, a, more);
        if (ci->kind == GX_CNT_CRC) {
            /* Judged over a second at least: a short run would scale a few errors past it. */
            double span = g->seconds > 1 ? g->seconds : 1;
            double rate = g->seconds > 0 ? (double)(a - b) / span : 0;
            x->warning = g->seconds > 0 && rate < GX_CNT_CRC_PER_S;
            size_t at = strlen(x->line);
            snprintf(x->line + at, sizeof x->line - at, ", %.3g a second (%s %.0f, %s)",
                     rate, x->warning ? "below" : "at or above", GX_CNT_CRC_PER_S,
                     x->warning ? "a warning" : "where they matter");
        }
        if (c < GX_CNT_NVLINKS)
            snprintf(ev, sizeof ev, "nvml %s: before %llu, after %llu, summed over %d links, "
                     "%.3f s apart", ci->name, b, a, g->links_read[c], g->seconds);
        else
            snprintf(ev, sizeof ev, "nvml %s: before %llu, after %llu", ci->name, b, a);
        break;
    case GX_CNT_EVENTS:
        if (a == 0 || !(x = gx_health_add(h, &n, max, ci->check, g->rank)))
            return n;
        more[0] = '\0';
        for (int x = 0, at = 0; x < (int)a && x < GX_CNT_XIDS && at < (int)sizeof more; x++)
            at += snprintf(more + at, sizeof more - (size_t)at, "%s%u", x ? ", " : "", g->xids[x]);
        snprintf(x->line, sizeof x->line, "GPU %s (rank %d): %llu XID event%s during the run "
                 "(XID %s%s)", g->busid, g->rank, a, a == 1 ? "" : "s", more,
                 a > GX_CNT_XIDS ? ", ..." : "");
        snprintf(ev, sizeof ev, "nvml xid: critical error events delivered between the "
                 "readings: before 0, after %llu (XID %s)", a, more);
        break;
    case GX_CNT_PENDING:
        if (a == 0 || !(x = gx_health_add(h, &n, max, ci->check, g->rank)))
            return n;
        snprintf(x->line, sizeof x->line, "GPU %s (rank %d): %s (the GPU needs a reset)",
                 g->busid, g->rank, ci->what);
        snprintf(ev, sizeof ev, "nvml %s: before %llu, after %llu", ci->name, b, a);
        break;
    case GX_CNT_THROTTLE:
        if (!(a & GX_CLK_THROTTLING) || !(x = gx_health_add(h, &n, max, ci->check, g->rank)))
            return n;
        reasons_text(a & GX_CLK_THROTTLING, more, sizeof more);
        snprintf(x->line, sizeof x->line, "GPU %s (rank %d): %s at the end of the run: %s",
                 g->busid, g->rank, ci->what, more);
        char before_text[150];
        reasons_text(b, before_text, sizeof before_text);
        reasons_text(a, more, sizeof more);
        snprintf(ev, sizeof ev, "nvml %s: before 0x%llx (%s), after 0x%llx (%s)", ci->name, b,
                 before_text, a, more);
        break;
    default:
        return n;
    }
    snprintf(x->evidence, sizeof x->evidence, "%s", ev);
    return n;
}

int gx_counters_health(const struct gx_gpu_counters *all, int n, struct gx_health *h, int nh,
                       int max)
{
    for (int i = 0; all && i < n; i++) {
        if (!all[i].read || !gx_counters_first_of_gpu(all, i))
            continue;
        for (int c = 0; c < GX_CNTS; c++)
            if (all[i].why[c] < 0)
                nh = judge(&all[i], c, h, nh, max);
    }
    return nh;
}
