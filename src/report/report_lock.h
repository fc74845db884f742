/* The report's lock, which the watchdog's write and the main thread's additions take in turn,
 * and the clock of assembly_s. */
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

/* o's `key` replaced by item (taken; NULL: removed), now its last member. */
static inline void replace(cJSON *o, const char *key, cJSON *item)
{
    cJSON_DeleteItemFromObject(o, key);
    if (item)
        cJSON_AddItemToObject(o, key, item);
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

/* gx_report_stream_slot under the lock (the same key again replaces its filler). */
cJSON *gx_report_stream_slot_locked(struct gx_report *rep, const char *key, gx_stream_fill fill,
                                    void *ctx, struct gx_err *err);

#endif
