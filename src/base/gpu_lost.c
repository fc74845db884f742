#include "gpu_lost.h"

#include <stdio.h>

static char lost_why[232];

void gx_gpu_lost_mark(const char *why)
{
    if (!lost_why[0])
        snprintf(lost_why, sizeof lost_why, "%s", why && why[0] ? why : "sticky CUDA error");
}

const char *gx_gpu_lost_why(void)
{
    return lost_why;
}
