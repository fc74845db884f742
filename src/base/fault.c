#include "config.h"
#include "fault.h"

#include "input.h"
#include "sizes.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

static struct gx_fault the_fault;
static int fired; /* each fault fires once, even when its size comes back in a later run */
static long slow_due_us; /* slow: the delay the iteration under way has still to take */
static int slow_timed; /* slow:...:pct=P: the step under way reached its timed iterations */

#define FAULT_FORM                                                                            \
    "kind:rank=R:size=S[:iter=I][:offset=O][:ms=MS|:us=US][:per=iteration|transfer] or "      \
    "kind:rank=R:at=MOMENT[:size=S], slow:rank=R[:size=S]:pct=P or "                          \
    "twospeed:period=SECONDS:pct=P[:rank=R], "                                                \
    "kind "                                                                                   \
    "hang, die, corrupt, signal, stop, cuda-oom, cuda-sticky or slow, MOMENT init, "           \
    "opened, collected, writing, written, finalize or ended"

static const char *const moments[] = {"iter", "init", "opened", "collected", "written",
                                      "finalize", "writing", "ended"};

/* The kinds that stop or end a process: only they fire at a moment (at=MOMENT). */
static int stops(enum gx_fault_kind k)
{
    return k == GX_FAULT_HANG || k == GX_FAULT_DIE || k == GX_FAULT_SIGNAL || k == GX_FAULT_STOP;
}

static int parse_at(const char *spec, const char *v, struct gx_fault *f, struct gx_err *err)
{
    for (int i = 1; i < (int)GX_ARRAY_LEN(moments); i++)
        if (strcmp(v, moments[i]) == 0 && stops(f->kind)) {
            f->at = (enum gx_fault_at)i;
            return GX_OK;
        }
    return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': at: '%s' is not a moment of this kind "
                   "(expected %s)", spec, v, FAULT_FORM);
}

static int parse_num(const char *spec, const char *key, const char *v, long long max,
                     long long *out, struct gx_err *err)
{
    if (gx_parse_int(v, 0, max, out, err) != GX_OK)
        return gx_wrap(err, "GPUXFER_FAULT='%s': %s", spec, key);
    return GX_OK;
}

/* A twospeed platform's states last seconds: a decimal, as "0.5". */
static int parse_period(const char *spec, const char *v, double *out, struct gx_err *err)
{
    char *end;
    errno = 0;
    double s = strtod(v, &end);
    if (end == v || *end || errno || !(s >= GX_FAULT_PERIOD_MIN) || s > GX_FAULT_PERIOD_MAX)
        return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': period: '%s' is not a number of "
                       "seconds (expected %g..%g)", spec, v, GX_FAULT_PERIOD_MIN,
                       GX_FAULT_PERIOD_MAX);
    *out = s;
    return GX_OK;
}

/* slow with :pct and twospeed: what each needs, and nothing of the other forms. */
static int proportional(const char *spec, struct gx_fault *f, int have_rank, int have_size,
                        int have_delay, struct gx_err *err)
{
    const char *form = f->kind == GX_FAULT_SLOW ? "slow:rank=R[:size=S]:pct=P"
                                                : "twospeed:period=SECONDS:pct=P[:rank=R]";
    const char *bad = have_delay ? "ms, us and per are the sleeping slow fault's"
                      : f->iter || f->at ? "iter and at are not this fault's"
                      : f->kind == GX_FAULT_SLOW && !have_rank ? "rank is required"
                      : f->kind == GX_FAULT_TWOSPEED && have_size ? "a platform has no size"
                      : !f->pct ? "pct is required"
                      : f->kind == GX_FAULT_TWOSPEED && !(f->period_s > 0) ? "period is required"
                                                                          : NULL;
    if (bad)
        return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': %s (expected %s)", spec, bad, form);
    f->us = 0;
    f->any_size = !have_size;
    f->any_rank = !have_rank;
    return GX_OK;
}

int gx_fault_parse(const char *spec, struct gx_fault *f, struct gx_err *err)
{
    memset(f, 0, sizeof *f);
    f->offset = -1;
    f->us = 20000;
    if (!spec || !spec[0])
        return GX_OK;
    char buf[256];
    if (strlen(spec) >= sizeof buf)
        return gx_too_long(err, "GPUXFER_FAULT", strlen(spec), sizeof buf - 1);
    if (gx_input_printable(spec, err) != GX_OK)
        return gx_wrap(err, "GPUXFER_FAULT");
    strcpy(buf, spec);
    strcpy(f->spec, spec);
    static const char *const kinds[] = {"",       "hang",     "die",         "corrupt", "signal",
                                        "cuda-oom", "cuda-sticky", "stop",   "slow",
                                        "twospeed"};
    int have_rank = 0, have_size = 0, have_delay = 0;
    char *next = buf; /* ':' splits as ',' does a list: an empty field is an error */
    char *field = strsep(&next, ":");
    for (int k = 1; k < (int)GX_ARRAY_LEN(kinds); k++)
        if (strcmp(field, kinds[k]) == 0)
            f->kind = (enum gx_fault_kind)k;
    if (f->kind == GX_FAULT_NONE)
        return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': unknown kind '%s' (expected %s)", spec,
                       field, FAULT_FORM);
    while ((field = strsep(&next, ":"))) {
        if (!field[0])
            return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': empty field (expected %s)", spec,
                           FAULT_FORM);
        char *eq = strchr(field, '=');
        if (!eq)
            return gx_fail(err, GX_EINPUT,
                           "GPUXFER_FAULT='%s': '%s' is not key=value (expected %s)", spec, field,
                           FAULT_FORM);
        *eq = '\0';
        const char *v = eq + 1;
        long long n;
        if (strcmp(field, "rank") == 0) {
            GX_TRY(parse_num(spec, field, v, 1 << 30, &n, err));
            f->rank = (int)n;
            have_rank = 1;
        } else if (strcmp(field, "size") == 0) {
            if (gx_parse_size(v, &f->size, err) != GX_OK)
                return gx_wrap(err, "GPUXFER_FAULT='%s': size", spec);
            have_size = 1;
        } else if (strcmp(field, "iter") == 0) {
            GX_TRY(parse_num(spec, field, v, 1L << 30, &n, err));
            f->iter = (long)n;
        } else if (strcmp(field, "at") == 0) {
            GX_TRY(parse_at(spec, v, f, err));
        } else if (strcmp(field, "ms") == 0 && f->kind == GX_FAULT_SLOW) {
            GX_TRY(parse_num(spec, field, v, 60000, &n, err));
            f->us = (long)n * 1000;
            have_delay = 1;
        } else if (strcmp(field, "us") == 0 && f->kind == GX_FAULT_SLOW) {
            GX_TRY(parse_num(spec, field, v, 60000000, &n, err));
            f->us = (long)n;
            have_delay = 1;
        } else if (strcmp(field, "pct") == 0 &&
                   (f->kind == GX_FAULT_SLOW || f->kind == GX_FAULT_TWOSPEED)) {
            GX_TRY(parse_num(spec, field, v, GX_FAULT_PCT_MAX, &n, err));
            if (n < 1)
                return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': pct: 0 slows nothing "
                               "(expected 1..%d)", spec, GX_FAULT_PCT_MAX);
            f->pct = (int)n;
        } else if (strcmp(field, "period") == 0 && f->kind == GX_FAULT_TWOSPEED) {
            GX_TRY(parse_period(spec, v, &f->period_s, err));
        } else if (strcmp(field, "per") == 0 && f->kind == GX_FAULT_SLOW) {
            if (strcmp(v, "transfer") != 0 && strcmp(v, "iteration") != 0)
                return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': per: '%s' is neither "
                               "iteration nor transfer (expected %s)", spec, v, FAULT_FORM);
            f->per_transfer = strcmp(v, "transfer") == 0;
            have_delay = 1;
        } else if (strcmp(field, "offset") == 0 && f->kind == GX_FAULT_CORRUPT) {
            size_t off;
            if (gx_parse_bytes(v, 0, GX_BYTES_MAX, &off, err) != GX_OK)
                return gx_wrap(err, "GPUXFER_FAULT='%s': offset", spec);
            f->offset = (long long)off;
        } else {
            return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': unknown key '%s' (expected %s)",
                           spec, field, FAULT_FORM);
        }
    }
    if (f->kind == GX_FAULT_TWOSPEED || f->pct)
        return proportional(spec, f, have_rank, have_size, have_delay, err);
    /* Other moments come once per job: a size given would never be looked at. */
    int sized = f->at == GX_AT_ITER || f->at == GX_AT_COLLECTED;
    if (have_size && !sized)
        return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': size: the moment '%s' comes once "
                       "per job, whatever the size (expected %s)", spec, moments[f->at],
                       FAULT_FORM);
    have_size |= !sized;
    if (!have_rank || !have_size)
        return gx_fail(err, GX_EINPUT,
                       "GPUXFER_FAULT='%s': rank and size are required (expected %s)", spec,
                       FAULT_FORM);
    return GX_OK;
}

int gx_fault_check_job(const struct gx_fault *f, int nranks, const size_t *sizes, size_t nsizes,
                       struct gx_err *err)
{
    if (f->kind == GX_FAULT_NONE)
        return GX_OK;
    if (f->rank >= nranks && !f->any_rank)
        return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': rank %d is not in this job (expected "
                       "0..%d)", f->spec, f->rank, nranks - 1);
    int sized = (f->at == GX_AT_ITER || f->at == GX_AT_COLLECTED) && !f->any_size;
    size_t i = 0;
    while (sized && i < nsizes && sizes[i] != f->size)
        i++;
    if (sized && i == nsizes) {
        char list[160] = "";
        for (size_t k = 0; k < nsizes && strlen(list) < sizeof list - 24; k++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%zu", k ? ", " : "",
                     sizes[k]);
        return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': size %zu is not measured in this "
                       "job (measured: %s%s)", f->spec, f->size, list[0] ? list : "none",
                       strlen(list) >= sizeof list - 24 ? ", ..." : "");
    }
    if (f->kind == GX_FAULT_CORRUPT && f->offset >= 0 && (size_t)f->offset >= f->size)
        return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': offset %lld is beyond the message "
                       "of %zu bytes (expected 0..%zu)", f->spec, f->offset, f->size,
                       f->size - 1);
    return GX_OK;
}

int gx_fault_check_steps(const struct gx_fault *f, const struct gx_fault_step *steps, size_t n,
                         struct gx_err *err)
{
    int timed = f->at == GX_AT_ITER && stops(f->kind);
    int checked = f->kind == GX_FAULT_CORRUPT && f->iter > 0;
    if (!timed && !checked)
        return GX_OK;
    long most = -1; /* the most iterations a measurement of its size has, where it can fire */
    for (size_t i = 0; i < n; i++)
        if (steps[i].size == f->size && (timed || steps[i].validate_all) && steps[i].iters > most)
            most = steps[i].iters;
    if (timed && f->iter >= most)
        return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': iteration %ld is never reached (the "
                       "measurements of %zu bytes have %ld timed iterations, 0..%ld): the fault "
                       "could never fire", f->spec, f->iter, f->size, most, most - 1);
    if (checked && most < 0)
        return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': validation pass %ld needs --validate "
                       "all (only pass 0, the untimed check, runs otherwise): the fault could "
                       "never fire", f->spec, f->iter);
    if (checked && f->iter > most)
        return gx_fail(err, GX_EINPUT, "GPUXFER_FAULT='%s': validation pass %ld is never reached "
                       "(%ld timed iterations, passes 0..%ld): the fault could never fire",
                       f->spec, f->iter, most, most);
    return GX_OK;
}

int gx_fault_init(struct gx_err *err)
{
    fired = 0;
    return gx_fault_parse(getenv("GPUXFER_FAULT"), &the_fault, err);
}

const struct gx_fault *gx_fault_get(void)
{
    return &the_fault;
}

static int due(enum gx_fault_kind kind, int rank, size_t size, long iter)
{
    return the_fault.kind == kind && !fired && the_fault.rank == rank && the_fault.size == size &&
           the_fault.iter == iter;
}

static void fire(void)
{
    fired = 1;
    switch (the_fault.kind) {
    case GX_FAULT_HANG:
        for (;;) /* the main thread stops, the watchdog and handlers run: a stuck driver call */
            pause();
    case GX_FAULT_DIE:
        raise(SIGKILL); /* what the OOM killer does: no handler, no flush */
        _exit(137);
    case GX_FAULT_SIGNAL:
        raise(SIGTERM);
        break;
    case GX_FAULT_STOP:
        raise(SIGSTOP); /* every thread stops, the watchdog's too, until SIGCONT or SIGKILL */
        break;
    default:
        break;
    }
}

int gx_fault_slow_timed(int clear)
{
    int was = slow_timed;
    slow_timed = clear ? 0 : slow_timed;
    return was;
}

int gx_fault_slows(int rank, size_t size)
{
    if (the_fault.kind == GX_FAULT_TWOSPEED)
        return the_fault.any_rank || the_fault.rank == rank;
    return the_fault.kind == GX_FAULT_SLOW && the_fault.rank == rank &&
           (the_fault.any_size || the_fault.size == size);
}

int gx_fault_point_due(int rank, size_t size)
{
    return gx_fault_slows(rank, size) || (stops(the_fault.kind) && the_fault.at == GX_AT_ITER &&
                                 due(the_fault.kind, rank, size, the_fault.iter));
}

void gx_fault_point(int rank, size_t size, long iter)
{
    if (gx_fault_slows(rank, size)) {
        if (!the_fault.per_transfer && !the_fault.pct)
            slow_due_us = the_fault.us * (1 + iter % 3);
        if (the_fault.pct)
            slow_timed = 1;
        return;
    }
    if (gx_fault_point_due(rank, size) && the_fault.iter == iter)
        fire();
}

void gx_fault_slow_delay(void)
{
    long us = the_fault.per_transfer ? the_fault.us : slow_due_us;
    if (us <= 0)
        return;
    struct timespec nap = {us / 1000000, us % 1000000 * 1000L};
    slow_due_us = 0;
    /* Slept whole: a signal that cuts it short is handled by the watchdog, not here. */
    while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
        ;
}

void gx_fault_moment(int rank, enum gx_fault_at at, size_t size)
{
    int sized = at == GX_AT_COLLECTED;
    if (stops(the_fault.kind) && the_fault.at == at && !fired && the_fault.rank == rank &&
        (!sized || the_fault.size == size))
        fire();
}

void gx_fault_corrupt(int rank, size_t size, long iter, void *buf, size_t bytes)
{
    if (!due(GX_FAULT_CORRUPT, rank, size, iter) || bytes == 0)
        return;
    fired = 1;
    size_t at = the_fault.offset >= 0 ? (size_t)the_fault.offset : bytes / 2;
    if (at >= bytes)
        at = bytes - 1;
    ((unsigned char *)buf)[at] ^= 0x5a;
}

int gx_fault_gpu_due(size_t size)
{
    return (the_fault.kind == GX_FAULT_CUDA_OOM || the_fault.kind == GX_FAULT_CUDA_STICKY) &&
           the_fault.size == size;
}

int gx_fault_gpu(int rank, size_t size, int (*sticky)(struct gx_err *err), struct gx_err *err)
{
    if (!gx_fault_gpu_due(size) || the_fault.rank != rank)
        return GX_OK;
    if (the_fault.kind == GX_FAULT_CUDA_OOM) /* a size that does not fit stays so: every time */
        return gx_fail(err, GX_ESKIP, "injected: cudaMalloc of %zu bytes failed: out of memory "
                       "(cudaErrorMemoryAllocation)", size);
    if (fired)
        return GX_OK;
    fired = 1;
    return sticky(err);
}
