/* The report's names of a result's states, and the status rule. */
#include "config.h"
#include "report.h"

#include "options.h"

#include <stdio.h>

const char *gx_state_name(enum gx_state s)
{
    switch (s) {
    case GX_STATE_OK: return "ok";
    case GX_STATE_SKIPPED: return "skipped";
    case GX_STATE_FAILED: return "failed";
    default: return "idle";
    }
}

const char *gx_chunk_choice_name(int choice)
{
    static const char *const names[] = {"default", "auto", "given"}; /* enum gx_chunk_mode */
    return choice >= 0 && choice < (int)GX_ARRAY_LEN(names) ? names[choice] : "unknown";
}

int gx_chunk_picked(size_t chunk, int choice)
{
    return chunk > 0 && choice != GX_CHUNK_GIVEN;
}

const char *gx_validation_name(const struct gx_result *r)
{
    return !r->validated ? "not_checked" : r->valid ? "passed" : "failed";
}

void gx_result_settle(struct gx_result *r, char *why, size_t len)
{
    if (!r->validated || r->valid || r->state == GX_STATE_SKIPPED)
        return;
    snprintf(why, len, "received data did not match what was sent: first bad byte at offset "
             "%lld (validation iteration %ld)%s%s", r->bad_offset, r->bad_iter,
             r->state == GX_STATE_FAILED && r->reason && r->reason[0] ? "; " : "",
             r->state == GX_STATE_FAILED && r->reason ? r->reason : "");
    r->state = GX_STATE_FAILED;
    r->reason = why;
}

const char *gx_ended_name(int ended)
{
    static const char *const names[] = {
        [GX_ENDED_ITERATIONS] = "iterations",
        [GX_ENDED_PRECISION] = "precision",
        [GX_ENDED_TIME] = "time",
    };
    return ended >= 0 && ended < (int)GX_ARRAY_LEN(names) ? names[ended] : names[0];
}
