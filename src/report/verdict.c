/* --check's verdict line: the run's findings said as a Slurm drain reason; nothing judged here. */
#include "config.h"
#include "verdict.h"

#include "gx.h"

#include <stdio.h>
#include <string.h>

/* Characters that need no escaping anywhere between gpuxfer and slurmctld's log. */
static int safe(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == ' ' || strchr(".,:/_+-", c) != NULL;
}

static void clean(char *out, size_t max, const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p && n < 4 * max; p++) {
        char c = safe(*p) ? *p : ' ';
        if (c == ' ' && (n == 0 || out[n - 1] == ' '))
            continue;
        if ((c == ',' || c == ':') && n > 0 && out[n - 1] == ' ')
            n--; /* "(rank 1):" is "rank 1:", not "rank 1 :" */
        out[n++] = c;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    if (n <= max)
        return;
    /* Cut at the last clause within max ("..., 36 before" would read as a count), else at a
     * word (a word cut in half misleads). */
    size_t cut = max;
    while (cut > max / 2 && !(out[cut] == ' ' && (out[cut - 1] == ',' || out[cut - 1] == ':')))
        cut--;
    if (cut <= max / 2)
        for (cut = max; cut > max / 2 && out[cut] != ' ';)
            cut--;
    if (out[cut] != ' ')
        cut = max;
    while (cut > 0 && (out[cut - 1] == ' ' || out[cut - 1] == ',' || out[cut - 1] == ':'))
        cut--;
    out[cut] = '\0';
}

void gx_verdict_line(char *out, size_t len, int exit_code, const struct gx_health *h, int n,
                     const char *error)
{
    if (exit_code == GX_OK) {
        snprintf(out, len, "PASS");
        return;
    }
    char what[512], more[32] = "", reason[4 * GX_VERDICT_REASON_MAX + 1];
    const struct gx_health *first = NULL;
    int failing = 0;
    for (int i = 0; i < n; i++)
        if (!h[i].warning && failing++ == 0)
            first = &h[i];
    if (exit_code == GX_EHEALTH && first) {
        snprintf(what, sizeof what, "gpuxfer: %s", first->line);
        if (failing > 1)
            snprintf(more, sizeof more, " +%d more", failing - 1);
    } else if (exit_code == GX_EVALIDATE) {
        snprintf(what, sizeof what, "gpuxfer: received data did not match what was sent");
    } else {
        snprintf(what, sizeof what, "gpuxfer could not run: %s",
                 error && error[0] ? error : gx_rc_says(exit_code));
    }
    clean(reason, GX_VERDICT_REASON_MAX - strlen(more), what);
    snprintf(out, len, "FAIL reason=\"%s%s\"", reason, more);
}
