/* Which protocol UCX chose for each result: UCX_PROTO_INFO's selection tables, read from UCX's
 * log. With UCX_PROTO_INFO=y UCX prints a table when it first selects the protocols of an
 * endpoint configuration, operation and memory type (in a step's warm-up, never again in its
 * timed loop): for each range of message sizes, the protocol and its transports. The log is
 * captured by the MPI library's layer (ucx_log.h); rank 0's tables reach the report. */
#ifndef GX_UCX_PROTO_H
#define GX_UCX_PROTO_H

#include <stddef.h>

/* One row of a selection table: messages of lo..hi bytes (hi SIZE_MAX: "inf") of `op` from
 * `mem` memory on an endpoint of kind `ep` go by `protocol` over `transports`. */
struct gx_ucx_proto_row {
    char ep[24];          /* "intra-node", "inter-node", "self" (1.13's "ep_cfg[N]": "") */
    char op[96];          /* "tagged message by ucp_tag_send*(fast-completion)" */
    char mem[24];         /* "host", "cuda", "cuda-managed" (1.22's "cuda/GPU0": "cuda") */
    size_t lo, hi;
    char protocol[96];    /* "(?) rendezvous zero-copy read from remote" */
    char transports[64];  /* "cuda_ipc/cuda" */
};

struct gx_ucx_proto {
    struct gx_ucx_proto_row *rows;
    size_t n, cap;
    char other[2048]; /* the log's lines that are not tables (UCX's warnings), for stderr */
};

/* At the end, every rank: the tables this process's UCX wrote (ucx_log.h); its other lines go
 * to stderr.
 * An empty *p where nothing was redirected or UCX wrote no table (a library not over UCX);
 * p NULL: the tables are not wanted (a run that ends before its report). */
void gx_ucx_proto_end(struct gx_ucx_proto *p);
/* Parses UCX_PROTO_INFO's output (1.22's framed tables, 1.13's ep_cfg headings) into p. */
void gx_ucx_proto_parse(struct gx_ucx_proto *p, const char *text);
void gx_ucx_proto_free(struct gx_ucx_proto *p);
/* The rows that carry a tagged send of `size` bytes from `mem` memory on an endpoint of kind
 * `ep` (NULL: any), each distinct protocol and transport once, into out[]: how many. */
size_t gx_ucx_proto_find(const struct gx_ucx_proto *p, const char *ep, const char *mem,
                         size_t size, const struct gx_ucx_proto_row **out, size_t max);
/* The protocols as a view (view.h) of run->proto: the report's "library_protocols", per result
 * of the mpi path whose sender is rank 0, the protocols and transports of rank 0's tables (none
 * where it has no rows); the table's line per mpi result, flagged where the result reaches less
 * than half of its ceiling while another path measured at that size and data location was
 * faster. */
struct gx_view_ops;
extern const struct gx_view_ops gx_view_protocols;

#endif
