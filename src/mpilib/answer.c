#include "config.h"
#include "mpilib.h"

#include <stdarg.h>
#include <stdio.h>

void gx_mpilib_answer(struct gx_cuda_awareness *out, enum gx_aware aware, const char *fmt, ...)
{
    va_list ap;
    out->aware = aware;
    va_start(ap, fmt);
    vsnprintf(out->why, sizeof out->why, fmt, ap);
    va_end(ap);
}
