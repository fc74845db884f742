/* Latency (ping-pong), unidirectional and bidirectional bandwidth, on any path; the table of
 * every pattern (the collectives in pattern_coll.c). */
#include "pattern.h"
#include "tags.h"

#include <string.h>


/* Several round trips per sample: the clock's reads would be a visible part of one. */
static int latency_iterate(struct gx_ep *ep, size_t bytes, int window, double *seconds,
                           struct gx_err *err)
{
    if (ep->ops->roundtrip) {
        double sum = 0;
        int rc = GX_OK;
        for (int t = 0; t < window && rc == GX_OK; t++) {
            double one = 0;
            rc = ep->ops->roundtrip(ep, bytes, &one, err);
            sum += one;
        }
        ep->gpu_timed = rc == GX_OK;
        *seconds = sum;
        if (rc != GX_ESKIP)
            return rc;
    }
    const struct gx_path_ops *ops = ep->ops;
    enum gx_dir first = ep->initiator ? GX_DIR_SEND : GX_DIR_RECV;
    enum gx_dir second = ep->initiator ? GX_DIR_RECV : GX_DIR_SEND;
    double t0 = MPI_Wtime();
    for (int t = 0; t < window; t++) {
        GX_TRY(ops->xfer(ep, first, 1, bytes, err));
        GX_TRY(ops->xfer(ep, second, 1, bytes, err));
    }
    *seconds = MPI_Wtime() - t0;
    return GX_OK;
}

static double latency_value(size_t bytes, int window, double seconds, int nranks)
{
    (void)nranks;
    (void)bytes;
    return seconds / window / 2 * 1e6; /* one way, microseconds */
}

/* As osu_bw: the initiator's clock stops only when the receiver has everything. */
static int bw_iterate(struct gx_ep *ep, size_t bytes, int window, double *seconds,
                      struct gx_err *err)
{
    int ack = 0;
    double t0 = MPI_Wtime();
    if (ep->initiator) {
        GX_TRY(ep->ops->xfer(ep, GX_DIR_SEND, window, bytes, err));
        GX_MPI_TRY(err, MPI_Recv(&ack, 1, MPI_INT, ep->peer, GX_TAG_ACK, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    } else {
        GX_TRY(ep->ops->xfer(ep, GX_DIR_RECV, window, bytes, err));
        GX_MPI_TRY(err, MPI_Send(&ack, 1, MPI_INT, ep->peer, GX_TAG_ACK, ep->job->comm));
    }
    *seconds = MPI_Wtime() - t0;
    return GX_OK;
}

static double bw_value(size_t bytes, int window, double seconds, int nranks)
{
    (void)nranks;
    return (double)bytes * window / seconds / 1e9;
}

static int bibw_iterate(struct gx_ep *ep, size_t bytes, int window, double *seconds,
                        struct gx_err *err)
{
    double t0 = MPI_Wtime();
    GX_TRY(ep->ops->xfer(ep, GX_DIR_BOTH, window, bytes, err));
    *seconds = MPI_Wtime() - t0;
    return GX_OK;
}

static double bibw_value(size_t bytes, int window, double seconds, int nranks)
{
    (void)nranks;
    return 2.0 * (double)bytes * window / seconds / 1e9;
}

static const struct gx_pattern_ops gx_pattern_latency = {
    .name = "latency",
    .unit = "us",
    .what = "ping-pong; one way = round trip / 2",
    .uses_window = GX_WINDOW_ROUND_TRIPS,
    .lower_is_better = 1,
    .both_ways = 1,
    .family = GX_FAMILY_LATENCY,
    .iterate = latency_iterate,
    .value = latency_value,
};
static const struct gx_pattern_ops gx_pattern_bw = {
    .name = "bw",
    .unit = "GB/s",
    .what = "a window of messages one way, then an acknowledgement",
    .uses_window = GX_WINDOW_MESSAGES,
    .family = GX_FAMILY_ONE_WAY,
    .iterate = bw_iterate,
    .value = bw_value,
};
static const struct gx_pattern_ops gx_pattern_bibw = {
    .name = "bibw",
    .unit = "GB/s",
    .what = "a window of messages both ways at once (GB/s counts both directions)",
    .uses_window = GX_WINDOW_MESSAGES,
    .both_ways = 1,
    .family = GX_FAMILY_BOTH_WAYS,
    .iterate = bibw_iterate,
    .value = bibw_value,
};

/* pattern_coll.c's: each collective out of place, then each in place. */
extern const struct gx_pattern_ops gx_pattern_colls[2][GX_COLL_COUNT];
#define GX_COLL_OUT_OF_PLACE(ID, ...) &gx_pattern_colls[0][GX_COLL_##ID],
#define GX_COLL_IN_PLACE(ID, ...) &gx_pattern_colls[1][GX_COLL_##ID],

/* A test build adds a pattern (tests/toy_pattern.c): the rest takes it from this table alone. */
#ifdef GX_EXTRA_PATTERN
extern const struct gx_pattern_ops GX_EXTRA_PATTERN;
#endif

const struct gx_pattern_ops *const gx_pattern_table[] = {
    [GX_PAT_LATENCY] = &gx_pattern_latency,
    [GX_PAT_BW] = &gx_pattern_bw,
    [GX_PAT_BIBW] = &gx_pattern_bibw,
    GX_COLLECTIVES(GX_COLL_OUT_OF_PLACE)
    GX_COLLECTIVES(GX_COLL_IN_PLACE)
#ifdef GX_EXTRA_PATTERN
    &GX_EXTRA_PATTERN,
#endif
};

const int gx_pattern_count = (int)(sizeof gx_pattern_table / sizeof *gx_pattern_table);
_Static_assert(sizeof gx_pattern_table / sizeof *gx_pattern_table <= GX_MAX_PATTERNS,
               "more patterns than GX_MAX_PATTERNS (gx.h) lets a run name");

int gx_pattern_lookup(const char *name)
{
    for (int k = 0; k < gx_pattern_count; k++)
        if (strcmp(gx_pattern_table[k]->name, name) == 0)
            return k;
    return -1;
}

const char *gx_pattern_names(char *buf, size_t len, const char *sep, int collective,
                             int with_in_place)
{
    buf[0] = '\0';
    for (int k = 0; k < gx_pattern_count; k++)
        if ((gx_pattern_table[k]->coll != GX_COLL_NONE) == (collective != 0) &&
            (with_in_place || !gx_pattern_table[k]->in_place))
            gx_list_add(buf, len, sep, gx_pattern_table[k]->name);
    return buf;
}
