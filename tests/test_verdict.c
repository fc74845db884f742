/* --check's verdict line (verdict.c): PASS, or FAIL with a reason Slurm's scontrol takes as it
 * is (short, no quotes, no character a shell or scontrol would read), made from the findings
 * the run already has. */
#include "verdict.h"
#include "gx.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

/* The reason of a FAIL line: between reason=" and the last ", NULL where the form is wrong. */
static const char *reason_of(const char *line, char *buf, size_t len)
{
    const char *p = "FAIL reason=\"";
    size_t n = strlen(line);
    if (strncmp(line, p, strlen(p)) != 0 || n < strlen(p) + 1 || line[n - 1] != '"')
        return NULL;
    snprintf(buf, len, "%.*s", (int)(n - strlen(p) - 1), line + strlen(p));
    return buf;
}

/* Whether a reason keeps every rule: at most 80 characters of the safe set, no doubled,
 * leading or trailing space. */
static int reason_safe(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > GX_VERDICT_REASON_MAX || r[0] == ' ' || r[n - 1] == ' ' || strstr(r, "  "))
        return 0;
    for (const char *c = r; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr(" .,:/_+-", *c)))
            return 0;
    return 1;
}

static struct gx_health finding(const char *check, const char *line, int warning)
{
    struct gx_health h = {.check = check, .rank = 0, .warning = warning};
    snprintf(h.line, sizeof h.line, "%s", line);
    return h;
}

int main(void)
{
    char line[256], r[256];
    gx_verdict_line(line, sizeof line, GX_OK, NULL, 0, NULL);
    ok(strcmp(line, "PASS") == 0, "exit 0: PASS (%s)", line);

    struct gx_health h[3] = {
        finding("nvlink-errors", "GPU 0000:00:06.0 (rank 0): NVLink CRC flit errors \"low\"", 1),
        finding("nvlink-down", "GPU 0000:00:07.0 (rank 1): 1 NVLink down, 11 of 12 active", 0),
        finding("pcie-replays", "GPU 0000:00:06.0 (rank 0): PCIe replays during the run: 7 before, 8 after", 0),
    };
    gx_verdict_line(line, sizeof line, GX_EHEALTH, h, 3, NULL);
    ok(reason_of(line, r, sizeof r) &&
           strcmp(r, "gpuxfer: GPU 0000:00:07.0 rank 1: 1 NVLink down, 11 of 12 active +1 more") == 0,
       "exit 8: the first finding that is no warning, its parentheses gone, +1 more (%s)", line);
    ok(reason_safe(r), "its reason keeps the rules");

    gx_verdict_line(line, sizeof line, GX_EHEALTH, h + 2, 1, NULL);
    ok(reason_of(line, r, sizeof r) && reason_safe(r) && strlen(r) <= GX_VERDICT_REASON_MAX &&
           strncmp(r, "gpuxfer: GPU 0000:00:06.0 rank 0: PCIe replays during the run:", 62) == 0 &&
           r[strlen(r) - 1] != ':' && r[strlen(r) - 1] != ',',
       "a long finding cut at a word within %d characters (%s)", GX_VERDICT_REASON_MAX, line);

    gx_verdict_line(line, sizeof line, GX_ERUNTIME, NULL, 0,
                    "MPI_Init: $(rm -rf /); `x` \"quoted\"\nnext line & more | and; that");
    ok(reason_of(line, r, sizeof r) && reason_safe(r) &&
           strncmp(r, "gpuxfer could not run: MPI_Init: rm -rf /", 41) == 0,
       "could not run: the error's text without $ ( ) ` \" ; & | or a newline (%s)", line);
    ok(!strchr(r, '"') && !strchr(r, '\n'), "no quote or newline inside the reason");

    gx_verdict_line(line, sizeof line, GX_ETIMEOUT, NULL, 0, "");
    ok(reason_of(line, r, sizeof r) && strcmp(r, "gpuxfer could not run: a measurement timed out") == 0,
       "no error text: the exit code's meaning (%s)", line);
    gx_verdict_line(line, sizeof line, GX_EVALIDATE, NULL, 0, "ignored");
    ok(reason_of(line, r, sizeof r) &&
           strcmp(r, "gpuxfer: received data did not match what was sent") == 0,
       "exit 1: the data that did not match (%s)", line);
    gx_verdict_line(line, sizeof line, GX_EHEALTH, h, 1, NULL);
    ok(reason_of(line, r, sizeof r) && reason_safe(r) && strncmp(r, "gpuxfer could not run", 21) == 0,
       "exit 8 with warnings alone (never so): a reason still (%s)", line);

    struct gx_health below = finding("below-expected", "p2p pair 2->0 bw 64M: 120.3 GB/s, "
                                     "expected 382.1 GB/s, at least 343.9 GB/s, device>device "
                                     "over NVLink 4, 18 links", 0);
    gx_verdict_line(line, sizeof line, GX_EHEALTH, &below, 1, NULL);
    ok(reason_of(line, r, sizeof r) && reason_safe(r) &&
           strcmp(r, "gpuxfer: p2p pair 2-0 bw 64M: 120.3 GB/s, expected 382.1 GB/s") == 0,
       "a point below its expectation: path, pair (2->0 as 2-0), measured and expected (%s)",
       line);
    return tap_done();
}
