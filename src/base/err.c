#include "gx.h"

#include <mpi.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GX_CUT_MARK " [...] " /* a message too long keeps its head and its end (its reason) */
static void fit(char *msg, size_t cap, const char *whole, size_t n)
{
    if (n < cap) {
        memcpy(msg, whole, n + 1);
        return;
    }
    size_t mark = sizeof GX_CUT_MARK - 1, head = (cap - 1 - mark) / 2,
           tail = cap - 1 - mark - head;
    while (head > 0 && ((unsigned char)whole[head] & 0xC0) == 0x80)
        head--; /* not inside a UTF-8 character */
    size_t from = n - tail;
    while (from < n && ((unsigned char)whole[from] & 0xC0) == 0x80)
        from++;
    memcpy(msg, whole, head);
    memcpy(msg + head, GX_CUT_MARK, mark);
    memcpy(msg + head + mark, whole + from, n - from + 1);
}

static int utf8_len(const unsigned char *p)
{
    int n = p[0] < 0x80 ? 1 : p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
        : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* The length of the control character (as gx_text_shown escapes it) at p, else 0. */
static int control_len(const unsigned char *p)
{
    if (p[0] == '\t') /* moves no line and sets nothing: a name may hold it (input.h) */
        return 0;
    if (p[0] < 0x20 || p[0] == 0x7F)
        return 1;
    if (p[0] < 0x80)
        return 0;
    int n = utf8_len(p);
    if (!n) /* a lone byte 0x80-0x9F: an 8-bit terminal reads 0x9B as CSI */
        return p[0] <= 0x9F;
    if (p[0] == 0xC2 && p[1] <= 0x9F) /* C1 */
        return 2;
    if (p[0] == 0xD8 && p[1] == 0x9C) /* U+061C */
        return 2;
    if (p[0] == 0xE2 && p[1] == 0x80 && ((p[2] >= 0x8E && p[2] <= 0x8F) ||
                                         (p[2] >= 0xAA && p[2] <= 0xAE)))
        return 3;
    if (p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)
        return 3;
    return 0;
}

int gx_text_char(const char *text, enum gx_text_kind *kind)
{
    const unsigned char *p = (const unsigned char *)text;
    int ctl = control_len(p), n = ctl ? ctl : utf8_len(p);
    *kind = ctl ? GX_TEXT_CONTROL : n ? GX_TEXT_PLAIN : GX_TEXT_STRAY;
    return n ? n : 1;
}

size_t gx_text_shown(char *dst, size_t cap, const char *src)
{
    const unsigned char *p = (const unsigned char *)src;
    size_t k = 0, full = 0; /* bytes written, the whole text's length */
    while (*p) {
        enum gx_text_kind kind;
        int n = gx_text_char((const char *)p, &kind), ctl = kind != GX_TEXT_PLAIN;
        char piece[16];
        size_t len = 0;
        for (int i = 0; i < n; i++)
            len += ctl ? (size_t)snprintf(piece + len, sizeof piece - len, "\\x%02x", p[i])
                       : (piece[len] = (char)p[i], 1);
        /* A piece whole or not at all: no cut escape, no cut character. */
        if (cap && k == full && k + len < cap) {
            memcpy(dst + k, piece, len);
            k += len;
        }
        full += len;
        p += n;
    }
    if (cap)
        dst[k] = '\0';
    return full;
}

static void vfit(char *msg, size_t cap, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(msg, cap, fmt, ap);
    char *whole = n >= 0 ? malloc((size_t)n + 1) : NULL, *shown = NULL;
    if (whole && vsnprintf(whole, (size_t)n + 1, fmt, again) == n) {
        size_t m = gx_text_shown(NULL, 0, whole);
        if ((shown = malloc(m + 1))) {
            gx_text_shown(shown, m + 1, whole);
            fit(msg, cap, shown, m);
        }
    }
    if (!shown) /* out of memory: the head as vsnprintf cut it, its controls made '?' */
        for (unsigned char *c = (unsigned char *)msg; *c; c++)
            if (control_len(c) || (*c >= 0x80 && !utf8_len(c)))
                *c = '?';
    free(shown);
    free(whole);
    va_end(again);
}

int gx_fail(struct gx_err *err, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfit(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->rc = rc;
    return rc;
}

int gx_wrap(struct gx_err *err, const char *fmt, ...)
{
    char prefix[sizeof err->msg], both[2 * sizeof err->msg + 2];
    va_list ap;
    va_start(ap, fmt);
    vfit(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    int n = snprintf(both, sizeof both, "%s: %s", prefix, err->msg);
    fit(err->msg, sizeof err->msg, both, n > 0 ? (size_t)n : 0);
    return err->rc;
}

int gx_fail_mpi(struct gx_err *err, int mpirc, const char *call, const char *file, int line)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(mpirc, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "MPI error %d", mpirc);
    return gx_fail(err, GX_ERUNTIME, "%s failed at %s:%d: %s", call, file, line, text);
}

void *gx_grow(void *v, size_t *cap, size_t n, size_t first, size_t elem)
{
    return gx_reserve(v, cap, n + 1, first, elem);
}

void *gx_reserve(void *v, size_t *cap, size_t n, size_t first, size_t elem)
{
    if (n <= *cap)
        return v;
    size_t want = *cap ? 2 * *cap : first;
    while (want < n)
        want *= 2;
    void *grown = realloc(v, want * elem);
    if (grown)
        *cap = want;
    return grown;
}

void *gx_shrink(void *v, size_t *cap, size_t n, size_t elem)
{
    void *cut = n && n < *cap ? realloc(v, n * elem) : NULL;
    if (!cut)
        return v;
    *cap = n;
    return cut;
}

void gx_list_add(char *buf, size_t len, const char *sep, const char *item)
{
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%s%s", used ? sep : "", item);
}

double gx_mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define GX_SIGNAL_NUMBER(sig) sig,
const int gx_stop_signals[] = {GX_STOP_SIGNALS(GX_SIGNAL_NUMBER)};

const char *gx_signal_name(int sig)
{
#define GX_SIGNAL_CASE(s) if (sig == s) return #s;
    GX_STOP_SIGNALS(GX_SIGNAL_CASE)
#undef GX_SIGNAL_CASE
    return "a signal";
}

struct rc_row {
    int code;
    const char *status, *says;
};
#define GX_RC_ROW(name, code, status, says) {code, status, says},
static const struct rc_row rc_rows[] = {GX_EXIT_CODES(GX_RC_ROW)};
#undef GX_RC_ROW

static const struct rc_row *rc_row(int rc)
{
    for (size_t i = 0; i < GX_ARRAY_LEN(rc_rows); i++)
        if (rc_rows[i].code == rc)
            return &rc_rows[i];
    return NULL;
}

const char *gx_rc_status(int rc)
{
    const struct rc_row *r = rc_row(rc);
    return r && r->status ? r->status : "error";
}

const char *gx_rc_says(int rc)
{
    const struct rc_row *r = rc_row(rc);
    return r ? r->says : "error";
}

/* ", 0 success, 1 ..." after "Exit status:", the first comma skipped at its use. */
#define GX_RC_SAYS(name, code, status, says) ", " GX_STR(code) " " says
static const char exit_status_text[] = "Exit status:" GX_EXIT_CODES(GX_RC_SAYS) ".";
#undef GX_RC_SAYS

const char *gx_exit_report_text(void)
{
    static char text[512];
    if (text[0])
        return text;
    int codes[32], n = 0;
    const char *said[32];
    int nsaid = 0;
    for (size_t i = 0; i < GX_ARRAY_LEN(rc_rows); i++) {
        const char *status = rc_rows[i].status;
        /* Any status but none (bad input) and error: the report holds what was measured. */
        if (rc_rows[i].code == GX_OK || !status || strcmp(status, "error") == 0)
            continue;
        codes[n++] = rc_rows[i].code;
        int known = 0;
        for (int j = 0; j < nsaid; j++)
            known |= strcmp(said[j], status) == 0;
        if (!known)
            said[nsaid++] = status;
    }
    size_t len = 0;
    len += (size_t)snprintf(text, sizeof text, "On");
    for (int i = 0; i < n;) { /* runs of consecutive codes as "4-8", the last after "and" */
        int j = i;
        while (j + 1 < n && codes[j + 1] == codes[j] + 1)
            j++;
        len += (size_t)snprintf(text + len, sizeof text - len, "%s %d", i == 0 ? ""
                                : j == n - 1 ? " and" : ",", codes[i]);
        if (j > i)
            len += (size_t)snprintf(text + len, sizeof text - len, "-%d", codes[j]);
        i = j + 1;
    }
    len += (size_t)snprintf(text + len, sizeof text - len,
                            " the report holds what was measured (status");
    for (int i = 0; i < nsaid; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s %s",
                                i == 0 ? "" : i == nsaid - 1 ? ", or" : ",", said[i]);
    snprintf(text + len, sizeof text - len, "); each finished measurement is also in the "
             "report's .jsonl.");
    return text;
}

/* A report of exit 0 cannot be carried by a process that ends without MPI_Finalize (mpirun
 * turns it into 1, "corrupted data"): then 4. */
int gx_standing_code(int report_code)
{
    return report_code ? report_code : GX_ETIMEOUT;
}

int gx_say_standing(int report_code)
{
    int code = gx_standing_code(report_code);
    fprintf(stderr, "gpuxfer: the report written before stands (its exit_code %d); exit %d: the "
            "job did not end in time\n", report_code, code);
    fflush(stderr);
    return code;
}

const char *gx_exit_launcher_text(void)
{
    return "The launcher (mpirun, srun) gives the exit status. gpuxfer bounds its own "
           "processes (--timeout, from start-up to MPI_Finalize), not the launcher, which may "
           "stay up after every rank ended (Open MPI 4.1's mpirun did, after a stop signal "
           "inside MPI_Init, ignoring SIGTERM and its own --timeout): bound it from outside "
           "with a SIGKILL to follow, timeout -k 10 SECONDS mpirun ... or Slurm's --time "
           "(docs/reliability.md).";
}

const char *gx_exit_status_text(void)
{
    static char text[sizeof exit_status_text];
    if (!text[0]) { /* "Exit status:, 0 ..." -> "Exit status: 0 ..." */
        const char *after = exit_status_text + strlen("Exit status:") + 1;
        snprintf(text, sizeof text, "Exit status:%s", after);
    }
    return text;
}
