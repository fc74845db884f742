/* What the report's files share (report.c, report_files.c, ceilings_json.c): its lock, which the
 * watchdog's write and the main thread's additions take in turn, and the clock that counts rank
 * 0's time under it (assembly_s). */
#ifndef GX_REPORT_LOCK_H
#define GX_REPORT_LOCK_H

#include "report.h"

#include <pthread.h>
#include <time.h>

static inline double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void lock(struct gx_report *rep)
{
    if (rep->lock_ready)
        pthread_mutex_lock(&rep->lock);
}

static inline void unlock(struct gx_report *rep)
{
    if (rep->lock_ready)
        pthread_mutex_unlock(&rep->lock);
}

/* Under the lock: a slot whose elements fill makes as the report is written, to be placed in
 * the document; key names it among the report's streams (a second call with the same key
 * replaces its filler). NULL with err set when out of room or memory. */
cJSON *gx_report_stream_slot_locked(struct gx_report *rep, const char *key, gx_stream_fill fill,
                                    void *ctx, struct gx_err *err);

#endif
