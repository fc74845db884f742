/* A step's defaults by size (documented in --help), and a path's typical pace. */
#include "config.h"
#include "mplan.h"
#include "mplan_impl.h"

#include "mem.h"
#include "path.h"
#include "sizes.h"

#include <math.h>

long gx_default_iters(size_t bytes)
{
    static const long by_class[GX_CLASS_COUNT] = {GX_ITERS_TINY,  GX_ITERS_SMALL,
                                                  GX_ITERS_MEDIUM, GX_ITERS_LARGE,
                                                  GX_ITERS_XLARGE, GX_ITERS_HUGE};
    return by_class[gx_size_class(bytes)];
}

long gx_default_warmup(long iters)
{
    long w = iters * GX_WARMUP_PCT / 100;
    return w > GX_WARMUP_MIN ? w : GX_WARMUP_MIN;
}

long gx_default_warmup_settling(long iters, double settle_s, double iteration_s)
{
    long w = gx_default_warmup(iters);
    if (settle_s <= 0 || iteration_s <= 0)
        return w;
    double settle = ceil(settle_s / iteration_s);
    return settle > (double)w ? (long)settle : w;
}

static long default_window(size_t bytes)
{
    /* The per-iteration handshake then costs under 1% of a large message's time. */
    size_t w = GX_WINDOW_MIB * GX_MIB / bytes;
    return w > GX_WINDOW_MOST ? GX_WINDOW_MOST : w < 1 ? 1 : (long)w;
}

static double messages_in_window_time(size_t bytes, double gbps)
{
    return GX_WINDOW_SECONDS * gbps * 1e9 / (double)(bytes ? bytes : 1);
}

static long whole_window(double messages)
{
    return messages >= GX_WINDOW_MAX ? GX_WINDOW_MAX : (long)messages + 1;
}

long gx_default_window_at(size_t bytes, double gbps)
{
    /* Fixed costs (the acknowledgement, NCCL's start) show in a fast path with bytes alone. */
    long w = default_window(bytes);
    double by_time = messages_in_window_time(bytes, gbps);
    return by_time > (double)w ? whole_window(by_time) : w;
}

long gx_default_window_by_time(size_t bytes, double gbps)
{
    /* The unified paths' rate does not change with the window: no need for long ones. */
    double by_time = messages_in_window_time(bytes, gbps);
    return by_time < 1 ? 1 : whole_window(by_time);
}

/* Host memory moves slower than the nominal rate, that of device buffers. */
#define GX_HOST_COPY_GBPS 12
struct gx_pace gx_mplan_pace_of(const struct gx_path_ops *ops, int src_kind, int dst_kind)
{
    struct gx_pace pc = {ops->nominal_gbps > 0 ? ops->nominal_gbps : 10,
                         ops->nominal_us > 0 ? ops->nominal_us : 10};
    if (gx_mem_on_gpu(src_kind) == 0 && gx_mem_on_gpu(dst_kind) == 0 &&
        pc.gbps > GX_HOST_COPY_GBPS)
        pc.gbps = GX_HOST_COPY_GBPS;
    return pc;
}

double gx_mplan_nominal_message_seconds(struct gx_pace pc, size_t bytes)
{
    return pc.us * 1e-6 + (double)bytes / (pc.gbps * 1e9);
}

long gx_default_round_trips(size_t bytes, struct gx_pace pc)
{
    double n = GX_LATENCY_SAMPLE_SECONDS / (2 * gx_mplan_nominal_message_seconds(pc, bytes));
    return n >= GX_WINDOW_MAX ? GX_WINDOW_MAX : n <= 1 ? 1 : (long)n;
}

long gx_probe_iters(size_t bytes)
{
    long n = gx_default_iters(bytes) / 2;
    return n > GX_PROBE_MIN_ITERS ? n : GX_PROBE_MIN_ITERS;
}

long gx_min_iters(long iters)
{
    return iters < GX_MIN_ITERS ? iters : GX_MIN_ITERS;
}
