/* Minimal TAP producer for the C unit tests. */
#ifndef GX_TAP_H
#define GX_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

static void tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap_ok(int cond, const char *fmt, ...)
{
    va_list ap;
    printf("%s %d - ", cond ? "ok" : "not ok", ++tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    tap_failed += !cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)
/* A check this build cannot make, counted and said (TAP's SKIP directive). */
#define skip(why) printf("ok %d - # SKIP %s\n", ++tap_count, (why))
#define near(a, b) (fabs((a) - (b)) <= 1e-9 * (1 + fabs((double)(b))))

static int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

#endif
