#include "gpu_state.h"

#include <stdio.h>

static char absent_why[256] = "no GPU chosen yet";
static char lost_why[232];

const char *gx_gpu_absent_why(void)
{
    return absent_why;
}

void gx_gpu_absent_mark(const char *why)
{
    snprintf(absent_why, sizeof absent_why, "%s", why);
}

void gx_gpu_lost_mark(const char *why)
{
    if (!lost_why[0])
        snprintf(lost_why, sizeof lost_why, "%s", why && why[0] ? why : "sticky CUDA error");
}

const char *gx_gpu_lost_why(void)
{
    return lost_why;
}
