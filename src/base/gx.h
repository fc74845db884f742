/* gpuxfer: types shared by every part of the program. */
#ifndef GX_H
#define GX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, also used as status codes inside the program. */
enum gx_rc {
    GX_OK = 0,
    GX_EVALIDATE = 1, /* data arrived corrupted */
    GX_EINPUT = 2,    /* bad command line, scenario or topology input */
    GX_ERUNTIME = 3,  /* an MPI/CUDA/NCCL/hwloc/system call failed */
    GX_ETIMEOUT = 4,  /* a measurement did not complete within --timeout */
    GX_EINTERRUPTED = 5, /* one of GX_STOP_SIGNALS */
    GX_EINCOMPLETE = 6,  /* a rank died or stopped answering while rank 0 went on */
    GX_ENOTHING = 7,     /* every measurement asked for was skipped (--allow-skip: 0) */
    GX_EHEALTH = 8,      /* --fail-on-health: the run found degraded hardware */
    GX_ESKIP = 100,   /* internal: not possible here, reported as skipped */
};

/* A status with context, returned up the stack to main. */
struct gx_err {
    int rc;
    /* Room for a line that names several folders in full (an unknown --scenario lists every
     * folder looked in and the scenarios there are) without cutting it. */
    char msg[1024];
};

int gx_fail(struct gx_err *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix context to an error already set ("while X: <old message>"). */
int gx_wrap(struct gx_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The signal table: the signals that stop a run, with the report written from what was
 * measured, status interrupted, failure.signal naming it, exit 5. SIGHUP (the terminal or the
 * session went), SIGUSR1/SIGUSR2 (Slurm's --signal warning before the time limit), SIGXCPU (a
 * CPU time limit) end the process without a word by default; here they stop it like SIGTERM.
 * The watchdog installs one handler for each; --help and the documentation list them from here. */
#define GX_STOP_SIGNALS(X) X(SIGINT) X(SIGTERM) X(SIGHUP) X(SIGUSR1) X(SIGUSR2) X(SIGXCPU)
#define GX_SIGNAL_WORD(sig) " " #sig
#define GX_STOP_SIGNALS_SAYS GX_STOP_SIGNALS(GX_SIGNAL_WORD) /* " SIGINT SIGTERM ..." */
#define GX_SIGNAL_ONE(sig) +1
#define GX_NSTOP_SIGNALS (0 GX_STOP_SIGNALS(GX_SIGNAL_ONE))
extern const int gx_stop_signals[];
extern const size_t gx_nstop_signals;
/* "SIGHUP" for one of the table, else "a signal": how a stop by signal is named in messages and
 * reports. */
const char *gx_signal_name(int sig);

/* MPI calls return an error string through this; MPI_ERRORS_RETURN is set on every comm. */
int gx_fail_mpi(struct gx_err *err, int mpirc, const char *call, const char *file, int line);
#define GX_MPI_TRY(err, call)                                                                 \
    do {                                                                                      \
        int gx_mpirc_ = (call);                                                               \
        if (gx_mpirc_ != 0)                                                                   \
            return gx_fail_mpi((err), gx_mpirc_, #call, __FILE__, __LINE__);                 \
    } while (0)

#define GX_TRY(expr)                                                                          \
    do {                                                                                      \
        int gx_rc_ = (expr);                                                                  \
        if (gx_rc_ != GX_OK)                                                                  \
            return gx_rc_;                                                                    \
    } while (0)

#define GX_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A growing array with room for one more of its n elements: v itself while n < *cap, else v
 * reallocated to twice the capacity (`first` elements at the start) and *cap updated; NULL when
 * memory ran out, v and *cap left as they were. */
void *gx_grow(void *v, size_t *cap, size_t n, size_t first, size_t elem);

/* Memory kinds: index into gx_mem_table (mem.c). */
enum gx_mem_kind {
    GX_MEM_PAGEABLE,
    GX_MEM_PINNED,
    GX_MEM_DEVICE,
    GX_MEM_MANAGED,
    GX_MEM_MAPPED,
    GX_MEM_COUNT,
    GX_MEM_DEFAULT = -1, /* "whatever the path prefers" */
};

/* Communication patterns: index into gx_pattern_table (pattern.c), which holds these and may
 * hold more (gx_pattern_count; a test build adds one). */
enum gx_pattern_kind { GX_PAT_LATENCY, GX_PAT_BW, GX_PAT_BIBW };
#define GX_MAX_PATTERNS 8

/* Validation of the received data. */
enum gx_validate { GX_VALIDATE_ONCE, GX_VALIDATE_ALL };

/* Size classes of the report. */
enum gx_size_class {
    GX_CLASS_TINY,   /* <= 4 KiB */
    GX_CLASS_SMALL,  /* <= 64 KiB */
    GX_CLASS_MEDIUM, /* <= 1 MiB */
    GX_CLASS_LARGE,  /* <= 16 MiB */
    GX_CLASS_XLARGE, /* <= 128 MiB */
    GX_CLASS_HUGE,   /* > 128 MiB */
    GX_CLASS_COUNT
};

#define GX_KIB ((size_t)1 << 10)
#define GX_MIB ((size_t)1 << 20)
#define GX_GIB ((size_t)1 << 30)

#endif
