/* Fault injection for the reliability tests: GPUXFER_FAULT=kind:rank=R:size=S[:iter=I]
 * [:offset=O][:ms=MS|:us=US][:per=iteration|transfer], kind:rank=R:at=MOMENT[:size=S],
 * slow:rank=R[:size=S]:pct=P or twospeed:period=SECONDS:pct=P[:rank=R]. */
#ifndef GX_FAULT_H
#define GX_FAULT_H

#include "gx.h"

enum gx_fault_kind {
    GX_FAULT_NONE,
    GX_FAULT_HANG,    /* rank R stops making progress (its other threads still run) */
    GX_FAULT_DIE,     /* rank R is killed with SIGKILL */
    GX_FAULT_CORRUPT, /* one byte of what rank R received is flipped before it is checked */
    GX_FAULT_SIGNAL,  /* rank R raises SIGTERM */
    GX_FAULT_CUDA_OOM,    /* every allocation of rank R's buffers for size S fails */
    GX_FAULT_CUDA_STICKY, /* rank R's kernel makes an illegal memory access (needs a GPU) */
    GX_FAULT_STOP,    /* rank R stops with SIGSTOP: every thread, as a frozen node would */
    GX_FAULT_SLOW,    /* rank R's timed transfers of size S sleep US x 1, 2 or 3 in turn, or
                       * with :pct=P take P% longer */
    GX_FAULT_TWOSPEED, /* a platform P% slower every other PERIOD: rank R's or every rank's */
};

/* Where a hang, die, signal or stop fault fires: before a timed iteration, or at :at=NAME. */
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

#define GX_FAULT_PCT_MAX 10000
#define GX_FAULT_PERIOD_MIN 0.001
#define GX_FAULT_PERIOD_MAX 3600.0

struct gx_fault {
    enum gx_fault_kind kind;
    int rank;
    size_t size;
    long iter;        /* hang/die/signal: timed iteration index; corrupt: validation iteration */
    long long offset; /* corrupt: byte to flip; -1: the middle of the message */
    long us;          /* slow: microseconds of the shortest sleep (:ms=MS or :us=US) */
    int per_transfer; /* slow, :per=transfer: every transfer sleeps US, warm-up included */
    int pct;          /* slow (size optional) and twospeed: each transfer P% longer */
    int any_size;     /* slow with :pct and no size: every size */
    int any_rank;     /* twospeed without :rank: every rank */
    double period_s;  /* twospeed: seconds in each state */
    enum gx_fault_at at;
    char spec[256];   /* as given, for messages */
};

int gx_fault_parse(const char *spec, struct gx_fault *f, struct gx_err *err);
/* What cannot happen in this job is refused: a rank, a size or an offset it does not have. */
int gx_fault_check_job(const struct gx_fault *f, int nranks, const size_t *sizes, size_t nsizes,
                       struct gx_err *err);
struct gx_fault_step {
    size_t size;
    long iters;
    int validate_all;
};
/* A fault that can never fire in these measurements is refused (a test would pass without it). */
int gx_fault_check_steps(const struct gx_fault *f, const struct gx_fault_step *steps, size_t n,
                         struct gx_err *err);
int gx_fault_init(struct gx_err *err);
const struct gx_fault *gx_fault_get(void);

void gx_fault_point(int rank, size_t size, long iter);
int gx_fault_slows(int rank, size_t size);
/* A slow fault's delay, called inside the transfer so that the clock sees it. */
void gx_fault_slow_delay(void);
/* The twospeed fault's states count from here: called by every rank at once (fault_pace.c). */
void gx_fault_epoch(void);
/* Whether the twospeed platform is in its slow state `at` seconds after the epoch. */
int gx_fault_twospeed_slow(const struct gx_fault *f, double at);
/* The proportional slow and twospeed faults: after an operation that took `took` seconds,
 * waits the fraction of it that they add, so that the clock around it sees it. */
void gx_fault_slow_after(double took);
/* A send's share, owed: paid by the next gx_fault_slow_after or gx_fault_slow_settle (before
 * the next send), or dropped by gx_fault_slow_forget at a step's end. */
void gx_fault_slow_owe(double took);
void gx_fault_slow_settle(void);
void gx_fault_slow_forget(void);
/* A collective's lateness under slow:...:pct=P (fault_pace.c): gx_fault_coll_took after each
 * collective (twospeed: its share, as gx_fault_slow_after), gx_fault_coll_late the seconds to
 * wait before the next one, once the step reached its timed iterations (gx_fault_point). */
/* Whether the step under way reached them; clear: and forget it (at the step's end). */
int gx_fault_slow_timed(int clear);
void gx_fault_coll_took(double took);
double gx_fault_coll_late(void);
void gx_fault_coll_wait(double s);
/* Whether gx_fault_point can fire for this rank at `size`: if not, the harness leaves it out. */
int gx_fault_point_due(int rank, size_t size);
void gx_fault_moment(int rank, enum gx_fault_at at, size_t size);
/* On a receiver before its check; buf must be CPU-addressable. */
void gx_fault_corrupt(int rank, size_t size, long iter, void *buf, size_t bytes);

/* Whether a GPU fault concerns `size`: then both sides ask, so that neither waits for the other. */
int gx_fault_gpu_due(size_t size);
int gx_fault_gpu(int rank, size_t size, int (*sticky)(struct gx_err *err), struct gx_err *err);

#endif
