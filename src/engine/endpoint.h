/* Inside the harness: an endpoint's life for one (run, path, round): opened for this rank's pair
 * or group, its buffers grown as the sizes need, every failure agreed within the pair. */
#ifndef GX_ENDPOINT_H
#define GX_ENDPOINT_H

#include "fault.h"
#include "measure.h"

/* All zero when this rank sits the round out; a group's members in `members`' room. */
void gx_open_endpoint(struct gx_bench *b, const struct gx_options *o, const struct gx_mplan *plan,
                      const struct gx_mgroup *g, const struct gx_round *round, int *members);
/* Whether this rank's endpoint can run its path (GX_ESKIP and why where it cannot). */
int gx_endpoint_filter(struct gx_bench *b, struct gx_err *why);
/* The members' communicator, made by the members alone (the other ranks run their own). */
int gx_open_group_comm(struct gx_ep *ep, const struct gx_round *round, int *members,
                       struct gx_err *err);
/* The path's state, the buffers and the members' communicator. */
void gx_close_group(struct gx_ep *ep);
/* Agreed within the pair. */
int gx_ensure_capacity(struct gx_ep *ep, size_t bytes, struct gx_err *err);
/* Returns rc, or the peer's failure: both sides take the same branch (every member of a
 * group: the lowest failing member's). */
int gx_pair_agree(struct gx_ep *ep, int rc, struct gx_err *err);
/* GPUXFER_FAULT's GPU faults of this kind, asked by both sides and agreed, so that the peer
 * learns of it instead of waiting. */
int gx_inject_gpu_fault(struct gx_ep *ep, size_t bytes, enum gx_fault_kind kind,
                        struct gx_err *err);

#endif
