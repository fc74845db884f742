/* Fault injection for the reliability tests:
 * GPUXFER_FAULT=kind:rank=R:size=S[:iter=I][:offset=O][:ms=MS|:us=US][:per=iteration|transfer] or
 * kind:rank=R:at=MOMENT[:size=S].
 * Off unless the variable is set; parsed once at start. */
#ifndef GX_FAULT_H
#define GX_FAULT_H

#include "gx.h"

enum gx_fault_kind {
    GX_FAULT_NONE,
    GX_FAULT_HANG,    /* rank R stops making progress (its other threads still run) */
    GX_FAULT_DIE,     /* rank R is killed with SIGKILL */
    GX_FAULT_CORRUPT, /* one byte of what rank R received is flipped before it is checked */
    GX_FAULT_SIGNAL,  /* rank R raises SIGTERM */
    GX_FAULT_CUDA_OOM,    /* every allocation of rank R's buffers for size S fails, as
                             cudaMalloc's out of memory would (any memory kind) */
    GX_FAULT_CUDA_STICKY, /* rank R's kernel makes an illegal memory access (needs a GPU) */
    GX_FAULT_STOP,    /* rank R stops with SIGSTOP: every thread, as a frozen node would */
    GX_FAULT_SLOW,    /* rank R's transfer in every timed iteration of size S takes longer by
                         a sleep inside the clock, US x 1, 2 or 3 in turn: a slowed path for
                         gpuxfer-report compare to find, whose median never settles (the stop rule's
                         time test) */
};

/* Where a hang, die, signal or stop fault fires: before a timed iteration (the default), or at
 * one of the moments of the job's life that the reliability tests reach (:at=NAME). */
enum gx_fault_at {
    GX_AT_ITER,      /* before timed iteration I of size S */
    GX_AT_INIT,      /* just after MPI_Init */
    GX_AT_OPENED,    /* rank 0's .jsonl was just created (other ranks: the same moment) */
    GX_AT_COLLECTED, /* the results of size S were gathered (every rank, in a pair or not) */
    GX_AT_WRITTEN,   /* the final report is written */
    GX_AT_FINALIZE,  /* just before MPI_Finalize */
    GX_AT_WRITING,   /* rank 0 has written half of its report (the first one it writes) */
    GX_AT_ENDED,     /* after MPI_Finalize, the watchdog stopped: main is about to return */
};

struct gx_fault {
    enum gx_fault_kind kind;
    int rank;
    size_t size;
    long iter;        /* hang/die/signal: timed iteration index; corrupt: validation iteration */
    long long offset; /* corrupt: byte to flip; -1: the middle of the message */
    long us;          /* slow: microseconds of the shortest sleep (:ms=MS or :us=US) */
    int per_transfer; /* slow, :per=transfer: every transfer of the size sleeps US, warm-up
                         included, as every message of a busy machine waits for a time slice */
    enum gx_fault_at at;
    char spec[256];   /* as given, for messages */
};

/* Parses a spec; NULL or "" is no fault. Errors are GX_EINPUT with a one-line message. */
int gx_fault_parse(const char *spec, struct gx_fault *f, struct gx_err *err);
/* What cannot happen in this job is refused: a rank it does not have, a size it does not
 * measure (sizes: every size of the plan, in any order), an offset beyond the message. */
int gx_fault_check_job(const struct gx_fault *f, int nranks, const size_t *sizes, size_t nsizes,
                       struct gx_err *err);
/* One measurement the fault might fire in: its size, timed iterations, and whether every
 * iteration's data is checked (--validate all). */
struct gx_fault_step {
    size_t size;
    long iters;
    int validate_all;
};
/* A fault that can never fire in these measurements is refused (a test that would pass for
 * want of its fault): a timed iteration I no measurement of its size reaches; a corrupt at
 * validation pass I > 0 where no measurement of its size checks every iteration, or has fewer
 * than I. */
int gx_fault_check_steps(const struct gx_fault *f, const struct gx_fault_step *steps, size_t n,
                         struct gx_err *err);
/* Reads GPUXFER_FAULT into the process-wide fault. */
int gx_fault_init(struct gx_err *err);
/* The process-wide fault (kind GX_FAULT_NONE when off). */
const struct gx_fault *gx_fault_get(void);

/* Called by the harness before timed iteration `iter` of a measurement of `size` bytes. */
void gx_fault_point(int rank, size_t size, long iter);
/* Whether a slow fault slows this rank's measurements of `size` bytes. */
int gx_fault_slows(int rank, size_t size);
/* A slow fault: the delay gx_fault_point set for the iteration under way, once (:per=transfer:
 * the fault's, at every call); called by the slowed path inside its transfer, so that the clock
 * sees it. */
void gx_fault_slow_delay(void);
/* Whether gx_fault_point can fire (or slow) for this rank in a measurement of `size` bytes: when not,
 * the harness leaves the call out of its timed loop. */
int gx_fault_point_due(int rank, size_t size);
/* Called at a moment of the job's life (size: the measurement's, for GX_AT_COLLECTED). */
void gx_fault_moment(int rank, enum gx_fault_at at, size_t size);
/* Called on a receiver after the transfer and before its check; buf must be CPU-addressable. */
void gx_fault_corrupt(int rank, size_t size, long iter, void *buf, size_t bytes);

/* Whether a cuda-oom or cuda-sticky fault concerns measurements of `size` bytes: then every rank
 * calls the hook below at that point and the pair agrees on its answer, so that a fault on one
 * side never leaves the other waiting. */
int gx_fault_gpu_due(size_t size);
/* cuda-oom on rank R: GX_ESKIP with the text of cudaMalloc's out of memory, every time.
 * cuda-sticky on rank R: calls sticky once and returns the sticky error it leaves (GX_ERUNTIME).
 * Anything else: GX_OK. sticky is the caller's (the engine's), as launching the illegal-access
 * kernel needs the CUDA helpers and kernels of layers above this one. */
int gx_fault_gpu(int rank, size_t size, int (*sticky)(struct gx_err *err), struct gx_err *err);

#endif
