/* gpuxfer: types shared by every part of the program. */
#ifndef GX_H
#define GX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The exit codes, one table: X(name, code, the report's status, what --help says). The enum,
 * the report's status word (gx_rc_status), --help's and the man page's exit status
 * (gx_exit_status_text, gx_exit_report_text) derive from it, and tests/docs.sh checks the
 * table of docs/reliability.md and the lists of docs/options.md and the README against it. A
 * status of NULL: no report is written (bad input is found before the first measurement). Exit
 * codes are also the status codes inside the program. */
/* Each code's number, which the table and the texts that name a code (--help's "exit 4") read;
 * GX_STR makes such a macro text. */
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
/* The report's status for an exit code ("error" for one the table does not have). */
const char *gx_rc_status(int rc);
/* What the table says of an exit code ("run-time failure"; "error" for one it does not have). */
const char *gx_rc_says(int rc);
/* "Exit status: 0 success, 1 corrupted data seen, ..." for --help and the man page. */
const char *gx_exit_status_text(void);
/* "On 1 and 4-8 the report holds what was measured (status failed, ...)": the codes whose
 * report has a status other than error, for --help-all and the man page. */
const char *gx_exit_report_text(void);
/* What bounds the launcher, which gpuxfer's limits cannot (docs/reliability.md, "A launcher
 * that outlives its ranks"), for --help-all and the man page: the exit status is the
 * launcher's, and a user who waits on one that hangs needs to know it is theirs to bound. */
const char *gx_exit_launcher_text(void);
/* Rank 0's exit when a report already written stands and the job then did not end in time: the
 * report's code; but a report of exit 0 cannot be carried by a process that ends without
 * MPI_Finalize (Open MPI's mpirun turns that into 1, which is "corrupted data"; a peer that gave
 * up waiting has already ended with 4): then 4. Here, below both the report (which may commit
 * as the watchdog ends the process) and the watchdog (which may end it after the report is
 * closed), since either may be the one to say it. */
int gx_standing_code(int report_code);
/* The same, and stderr says both codes. Returns that code. */
int gx_say_standing(int report_code);

/* A status with context, returned up the stack to main. */
struct gx_err {
    int rc;
    /* Room for a line that names several folders in full (an unknown --scenario lists every
     * folder looked in and the scenarios there are) without cutting it. */
    char msg[1024];
};

/* The one way user text (a name, a path, a key, a value, an environment variable) reaches a
 * terminal, a table or a message: src as it can be shown, every control character (C0 but
 * tab, DEL, C1 in UTF-8 or as a lone byte), bidirectional-text control (U+061C, U+200E-U+200F,
 * U+202A-U+202E, U+2066-U+2069) and byte of no UTF-8 character escaped as \xHH, byte by byte;
 * any other UTF-8 text as it is. Raw, these move the cursor, set a window title, clear the
 * screen, break a line in two or reorder what a table shows. Writes at most cap bytes with the
 * NUL, never a cut escape; returns the length of the whole text shown (as snprintf). */
size_t gx_text_shown(char *dst, size_t cap, const char *src);
/* The length in bytes of the character at p (a lone byte of no UTF-8 character: 1), and what it
 * is: GX_TEXT_PLAIN, GX_TEXT_CONTROL (a control, C1 or bidirectional-text one, or a lone byte
 * 0x80-0x9F, which an 8-bit terminal reads as C1) or GX_TEXT_STRAY (a lone byte 0xA0-0xFF: a
 * Latin-1 name's, harmless but no UTF-8). gx_text_shown escapes the last two. */
enum gx_text_kind { GX_TEXT_PLAIN, GX_TEXT_CONTROL, GX_TEXT_STRAY };
int gx_text_char(const char *p, enum gx_text_kind *kind);

/* gx_fail and gx_wrap keep their message as gx_text_shown shows it, so that whatever a message
 * quotes (an unknown option, a scenario's key, a file name) reaches stderr on one line and
 * inert, wherever it is printed. */
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
/* Array v of *cap elements cut to its n in use, once no more are to come (a table kept for the
 * run gives back its growth's room): the array, or v as it was where n is 0 or realloc fails
 * (then *cap is unchanged). */
void *gx_shrink(void *v, size_t *cap, size_t n, size_t elem);
/* Appends item to the list in buf (len bytes, '\0'-ended), after sep where the list already
 * holds something: a call per item makes "a, b, c" (cut at len). */
void gx_list_add(char *buf, size_t len, const char *sep, const char *item);

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
