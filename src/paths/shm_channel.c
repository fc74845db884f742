#include "config.h"
#include "tags.h"

#include "shm_channel.h"
#include "cuda_util.h"

#include <string.h>

#define PAGE ((size_t)4096)
/* The control words, then the slots from a page boundary. */
#define CTL_BYTES ((sizeof(struct gx_shm_ring_ctl) + PAGE - 1) / PAGE * PAGE)

static size_t slot_stride(size_t bytes)
{
    return (bytes + PAGE - 1) / PAGE * PAGE;
}

/* Both sides decide alike; a failure of either fails both here, before any other exchange. */
static int grow(const struct gx_ep *ep, struct gx_shm_channel *ch, const char *what,
                size_t need, int ready, uint64_t geometry, struct gx_err *err)
{
    uint64_t mine[3] = {need, ready == GX_OK, geometry}, theirs[3] = {0, 0, 0};
    GX_MPI_TRY(err, MPI_Sendrecv(mine, 3, MPI_UINT64_T, ep->peer, GX_TAG_SHM_NEED, theirs, 3,
                                 MPI_UINT64_T, ep->peer, GX_TAG_SHM_NEED, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    if (ready != GX_OK)
        return ready;
    if (!theirs[1])
        return gx_fail(err, GX_ERUNTIME, "rank %d could not prepare its shared-memory slots",
                       ep->peer);
    if (theirs[2] != geometry) /* a bug, but one that would make both sides wait forever */
        return gx_fail(err, GX_ERUNTIME, "shared-memory rings: rank %d asks for other slots",
                       ep->peer);
    need = mine[0] > theirs[0] ? need : (size_t)theirs[0];
    if (need <= ch->area && ch->mine.host)
        return GX_OK;
    gx_shm_segment_release(&ch->theirs);
    gx_shm_segment_release(&ch->mine);
    ch->area = 0;
    GX_TRY(gx_shm_segment_exchange(ep, what, CTL_BYTES + need, 1, &ch->mine, &ch->theirs,
                                   &ch->peer_pid, err));
    ch->area = need;
    return GX_OK;
}

/* Once every copy of an earlier transfer is over: a failed one may have left one writing. */
static int events(struct gx_shm_channel *ch, int nslots, struct gx_err *err)
{
    for (int s = 0; s < GX_SHM_RING_MAX_SLOTS; s++) {
        if (ch->out_ev[s])
            GX_CUDA_TRY(err, cudaEventSynchronize(ch->out_ev[s]));
        if (ch->in_ev[s])
            GX_CUDA_TRY(err, cudaEventSynchronize(ch->in_ev[s]));
    }
    for (int s = 0; s < nslots; s++) {
        if (!ch->out_ev[s])
            GX_CUDA_TRY(err, cudaEventCreateWithFlags(&ch->out_ev[s], cudaEventDisableTiming));
        if (!ch->in_ev[s])
            GX_CUDA_TRY(err, cudaEventCreateWithFlags(&ch->in_ev[s], cudaEventDisableTiming));
    }
    return GX_OK;
}

int gx_shm_channel_prepare(const struct gx_ep *ep, struct gx_shm_channel *ch, const char *what,
                           int nslots, size_t slot_bytes, struct gx_err *err)
{
    size_t stride = slot_stride(slot_bytes);
    if (nslots > GX_SHM_RING_MAX_SLOTS)
        nslots = GX_SHM_RING_MAX_SLOTS;
    size_t need = (size_t)nslots * stride;
    /* Also the point where both sides are out of their transfers: the rings are idle. */
    GX_TRY(grow(ep, ch, what, need, events(ch, nslots, err),
                (uint64_t)stride * (GX_SHM_RING_MAX_SLOTS + 1) + (uint64_t)nslots, err));
    struct gx_shm_ring_ctl *mine = ch->mine.host, *theirs = ch->theirs.host;
    GX_TRY(gx_shm_ring_init(mine, nslots, err));
    gx_shm_ring_attach(&ch->out, mine, nslots, stride);
    gx_shm_ring_attach(&ch->in, theirs, nslots, stride);
    ch->filled = ch->published = ch->drained = ch->freed = 0;
    /* Neither side may use the peer's ring before the peer has reset it. */
    return gx_shm_pair_sync(ep, err);
}

/* put: into my ring from src, else out of the peer's into dst. *moved: anything happened. */
static int ring_step(struct gx_shm_channel *ch, const struct gx_ep *ep, int put,
                     const struct gx_chunking *pl, uint64_t base, uint64_t end,
                     gx_shm_copy_fn copy, cudaStream_t s, int *moved, struct gx_err *err)
{
    struct gx_shm_ring *r = put ? &ch->out : &ch->in;
    cudaEvent_t *ev = put ? ch->out_ev : ch->in_ev;
    uint64_t *copied = put ? &ch->filled : &ch->drained; /* copies started */
    uint64_t *passed = put ? &ch->published : &ch->freed; /* copies done, told to the ring */
    while (*passed < *copied) {
        int done;
        GX_TRY(gx_cuda_event_done(ev[*passed % (uint64_t)r->nslots], &done, err));
        if (!done)
            break; /* the later copies are behind it on the same stream */
        if (put)
            gx_shm_ring_mark_full(r, (*passed)++);
        else
            gx_shm_ring_mark_free(r, (*passed)++);
        *moved = 1;
    }
    const struct gx_shm_segment *seg = put ? &ch->mine : &ch->theirs;
    char *slots = (char *)(ch->kernel_addr ? seg->dev : seg->host) + CTL_BYTES;
    while (*copied < end &&
           (put ? gx_shm_ring_can_fill(r, *copied) : gx_shm_ring_can_drain(r, *copied))) {
        size_t c = (size_t)(*copied - base) % pl->nchunks;
        char *slot = slots + gx_shm_ring_offset(r, *copied);
        char *data = (char *)(put ? ep->src : ep->dst) + gx_chunk_offset(pl, c);
        GX_CUDA_TRY(err, copy(put ? slot : data, put ? data : slot, gx_chunk_length(pl, c), s));
        GX_CUDA_TRY(err, cudaEventRecord(ev[*copied % (uint64_t)r->nslots], s));
        ++*copied;
        *moved = 1;
    }
    return GX_OK;
}

static int run(struct gx_shm_channel *ch, const struct gx_ep *ep, enum gx_dir dir,
               const struct gx_chunking *pl, size_t total, gx_shm_copy_fn copy,
               cudaStream_t put, cudaStream_t get, struct gx_err *err)
{
    uint64_t out_base = ch->filled, in_base = ch->drained;
    uint64_t out_end = out_base + (dir & GX_DIR_SEND ? total : 0);
    uint64_t in_end = in_base + (dir & GX_DIR_RECV ? total : 0);
    struct gx_shm_poll w = {.ring = {&ch->out, &ch->in}, .nrings = 2,
                            .peer_pid = ch->peer_pid, .peer_rank = ep->peer};
    /* Both rings every pass: else two bibw sides would wait on each other for free slots. */
    while (ch->published < out_end || ch->freed < in_end) {
        int moved = 0;
        if (ch->freed < in_end)
            GX_TRY(ring_step(ch, ep, 0, pl, in_base, in_end, copy, get, &moved, err));
        if (ch->published < out_end)
            GX_TRY(ring_step(ch, ep, 1, pl, out_base, out_end, copy, put, &moved, err));
        GX_TRY(gx_shm_poll_step(&w, moved, err));
    }
    return GX_OK;
}

int gx_shm_channel_xfer(struct gx_shm_channel *ch, const struct gx_ep *ep, enum gx_dir dir,
                        const struct gx_chunking *pl, size_t total, gx_shm_copy_fn copy,
                        cudaStream_t put, cudaStream_t get, struct gx_err *err)
{
    if (!ch->mine.host || slot_stride(pl->chunk) > ch->out.slot_bytes)
        return gx_fail(err, GX_ERUNTIME, "shared-memory slots for %zu-byte chunks not prepared",
                       pl->chunk);
    int rc = run(ch, ep, dir, pl, total, copy, put, get, err);
    if (rc != GX_OK) {
        gx_shm_ring_raise(&ch->out, rc);
        gx_shm_ring_raise(&ch->in, rc);
    }
    return rc;
}

void gx_shm_channel_close(struct gx_shm_channel *ch)
{
    for (int s = 0; s < GX_SHM_RING_MAX_SLOTS; s++) {
        if (ch->out_ev[s])
            cudaEventDestroy(ch->out_ev[s]);
        if (ch->in_ev[s])
            cudaEventDestroy(ch->in_ev[s]);
    }
    gx_shm_segment_release(&ch->theirs);
    gx_shm_segment_release(&ch->mine);
    memset(ch, 0, sizeof *ch);
}
