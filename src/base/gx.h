#ifndef GX_H
#define GX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The exit codes, one table: X(name, code, the report's status (NULL: none written), what --help
 * says); the texts of --help and the man page derive from it, and tests/docs.sh checks it. */
#define GX_CODE_OK 0
#define GX_CODE_EVALIDATE 1
#define GX_CODE_EINPUT 2
#define GX_CODE_ERUNTIME 3
#define GX_CODE_ETIMEOUT 4
#define GX_CODE_EINTERRUPTED 5
#define GX_CODE_EINCOMPLETE 6
#define GX_CODE_ENOTHING 7
#define GX_CODE_EHEALTH 8
#define GX_STR_(...) #__VA_ARGS__
#define GX_STR(x) GX_STR_(x) /* a number's macro as text (a list: "1,2,4") */
#define GX_EXIT_CODES(X)                                                                      \
    X(GX_OK, GX_CODE_OK, "complete", "success")                                               \
    X(GX_EVALIDATE, GX_CODE_EVALIDATE, "failed", "corrupted data seen")                       \
    X(GX_EINPUT, GX_CODE_EINPUT, NULL, "bad input")                                           \
    X(GX_ERUNTIME, GX_CODE_ERUNTIME, "error", "run-time failure")                             \
    X(GX_ETIMEOUT, GX_CODE_ETIMEOUT, "incomplete", "a measurement timed out")                 \
    X(GX_EINTERRUPTED, GX_CODE_EINTERRUPTED, "interrupted",                                   \
      "interrupted (by" GX_STOP_SIGNALS_SAYS ")")                                             \
    X(GX_EINCOMPLETE, GX_CODE_EINCOMPLETE, "incomplete", "a rank died or stopped answering")  \
    X(GX_ENOTHING, GX_CODE_ENOTHING, "nothing_measured",                                      \
      "nothing measured: every measurement was skipped (" GX_STR(GX_CODE_OK)                  \
      " with --allow-skip)")                                                                  \
    X(GX_EHEALTH, GX_CODE_EHEALTH, "complete", "degraded hardware found (with --fail-on-health)")
#define GX_RC_ENUM(name, code, status, says) name = code,
enum gx_rc {
    GX_EXIT_CODES(GX_RC_ENUM)
    GX_ESKIP = 100, /* internal: not possible here, reported as skipped */
};
#undef GX_RC_ENUM
const char *gx_rc_status(int rc);
const char *gx_rc_says(int rc);
const char *gx_exit_status_text(void);
const char *gx_exit_report_text(void);
/* What bounds the launcher, which gpuxfer's limits cannot (docs/reliability.md). */
const char *gx_exit_launcher_text(void);
/* Rank 0's exit when a report already written stands and the job then did not end in time. */
int gx_standing_code(int report_code);
int gx_say_standing(int report_code);

struct gx_err {
    int rc;
    char msg[1024]; /* room for a line listing every folder an unknown --scenario was sought in */
};

/* The one way user text reaches a terminal: controls and bytes of no UTF-8 character escaped as
 * \xHH (raw, they move the cursor or reorder a table). Never cuts an escape; as snprintf. */
size_t gx_text_shown(char *dst, size_t cap, const char *src);
/* The length of the character at p, and its kind (gx_text_shown escapes the last two). */
enum gx_text_kind { GX_TEXT_PLAIN, GX_TEXT_CONTROL, GX_TEXT_STRAY };
int gx_text_char(const char *p, enum gx_text_kind *kind);

/* The message is kept as gx_text_shown shows it: whatever it quotes reaches stderr inert. */
int gx_fail(struct gx_err *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int gx_wrap(struct gx_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The signals that stop a run (exit 5); SIGHUP, SIGUSR1/2 and SIGXCPU would end it silently. */
#define GX_STOP_SIGNALS(X) X(SIGINT) X(SIGTERM) X(SIGHUP) X(SIGUSR1) X(SIGUSR2) X(SIGXCPU)
#define GX_SIGNAL_WORD(sig) " " #sig
#define GX_STOP_SIGNALS_SAYS GX_STOP_SIGNALS(GX_SIGNAL_WORD) /* " SIGINT SIGTERM ..." */
#define GX_SIGNAL_ONE(sig) +1
#define GX_NSTOP_SIGNALS (0 GX_STOP_SIGNALS(GX_SIGNAL_ONE))
extern const int gx_stop_signals[];
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

/* Room for one more of n elements: v, or v doubled; NULL when out of memory (v as it was). */
void *gx_grow(void *v, size_t *cap, size_t n, size_t first, size_t elem);
/* Room for n elements: v, or v doubled until they fit (first, where it held none). */
void *gx_reserve(void *v, size_t *cap, size_t n, size_t first, size_t elem);
void *gx_shrink(void *v, size_t *cap, size_t n, size_t elem);
void gx_list_add(char *buf, size_t len, const char *sep, const char *item);
/* CLOCK_MONOTONIC in seconds: the real clock, whatever the engine's (gx_clock, which a test
 * swaps); it runs before MPI_Init too. */
double gx_mono_s(void);

enum gx_mem_kind {
    GX_MEM_PAGEABLE,
    GX_MEM_PINNED,
    GX_MEM_DEVICE,
    GX_MEM_MANAGED,
    GX_MEM_MAPPED,
    GX_MEM_COUNT,
    GX_MEM_DEFAULT = -1, /* "whatever the path prefers" */
};

/* Index into gx_pattern_table (pattern.c), which may hold more (a test build adds one). */
enum gx_pattern_kind { GX_PAT_LATENCY, GX_PAT_BW, GX_PAT_BIBW };
/* The table's patterns at most (pattern.c asserts it): room for collectives to come, two each. */
#define GX_MAX_PATTERNS 32

enum gx_validate { GX_VALIDATE_ONCE, GX_VALIDATE_ALL };

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
