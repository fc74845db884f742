/* Which protocol UCX chose for each result: UCX_PROTO_INFO's selection tables, printed in a
 * step's warm-up and captured from UCX's log (ucx_log.h); rank 0's tables reach the report. */
#ifndef GX_UCX_PROTO_H
#define GX_UCX_PROTO_H

#include <stddef.h>

/* Messages of lo..hi bytes (hi SIZE_MAX: "inf") of `op` from `mem` memory on an endpoint of
 * kind `ep` go by `protocol` over `transports`. */
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

/* At the end, every rank: the tables this process's UCX wrote (none: empty); its other lines
 * go to stderr. p NULL: the tables are not wanted. */
void gx_ucx_proto_end(struct gx_ucx_proto *p);
/* 1.22's framed tables and 1.13's ep_cfg headings alike. */
void gx_ucx_proto_parse(struct gx_ucx_proto *p, const char *text);
void gx_ucx_proto_free(struct gx_ucx_proto *p);
/* The rows that carry a tagged send of `size` bytes (ep NULL: any), each distinct protocol and
 * transport once, into out[]: how many. */
size_t gx_ucx_proto_find(const struct gx_ucx_proto *p, const char *ep, const char *mem,
                         size_t size, const struct gx_ucx_proto_row **out, size_t max);

#endif
