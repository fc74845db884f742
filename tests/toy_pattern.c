/* A pattern that exists only in the test build tests/gpuxfer_toy (-DGX_EXTRA_PATTERN): one
 * message one way per iteration, then an acknowledgement, counted as one millisecond however
 * long it took. tests/toy_pattern.sh shows that the plan, the harness, the ceiling probes and the
 * report take it from its ops entry alone; tests/stop_rule.sh that a steady path's step ends
 * on precision after its fewest iterations (a machine's own noise cannot). */
#include "pattern.h"

#define TOY_TAG_ACK 190

static int toy_iterate(struct gx_ep *ep, size_t bytes, int window, double *seconds,
                       struct gx_err *err)
{
    int ack = 0;
    (void)window;
    if (ep->initiator) {
        GX_TRY(ep->ops->xfer(ep, GX_DIR_SEND, 1, bytes, err));
        GX_MPI_TRY(err, MPI_Recv(&ack, 1, MPI_INT, ep->peer, TOY_TAG_ACK, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    } else {
        GX_TRY(ep->ops->xfer(ep, GX_DIR_RECV, 1, bytes, err));
        GX_MPI_TRY(err, MPI_Send(&ack, 1, MPI_INT, ep->peer, TOY_TAG_ACK, ep->job->comm));
    }
    *seconds = 1e-3; /* steady, whatever the machine's load */
    return GX_OK;
}

static double toy_value(size_t bytes, int window, double seconds, int nranks)
{
    (void)nranks;
    (void)window;
    return (double)bytes / seconds / 1e9;
}

const struct gx_pattern_ops gx_pattern_toy = {
    .name = "toy",
    .unit = "GB/s",
    .what = "one message one way, then an acknowledgement, counted as 1 ms (test build only)",
    .family = GX_FAMILY_ONE_WAY,
    .iterate = toy_iterate,
    .value = toy_value,
};
