/* Each GPU's error counters around the run: a link error costs a replay, not the data. */
#ifndef GX_GPU_COUNTERS_H
#define GX_GPU_COUNTERS_H

#include "job.h"
#include "links.h"

#include <stdint.h>

enum gx_cnt {
    GX_CNT_NVL_CRC_FLIT, GX_CNT_NVL_CRC_DATA, GX_CNT_NVL_REPLAY, GX_CNT_NVL_RECOVERY,
    GX_CNT_PCIE_REPLAY, GX_CNT_ECC_CORRECTED, GX_CNT_ECC_UNCORRECTED, GX_CNT_XID,
    GX_CNT_RETIRED_PENDING, GX_CNT_REMAP_PENDING, GX_CNT_REMAP_FAILURE, GX_CNT_CLOCK_EVENTS,
    GX_CNT_SM_MHZ, GX_CNT_MEM_MHZ, GX_CNT_POWER_LIMIT, GX_CNT_PERSISTENCE, GX_CNT_MIG,
    GX_CNT_MPS, GX_CNT_ECC_MODE, GX_CNT_ECC_PENDING, GX_CNTS
};
#define GX_CNT_NVLINKS 4 /* the first four are NVLink's, per link, summed over the GPU's links */
enum gx_cnt_kind {
    GX_CNT_DELTA,    /* an error counter: a change between the readings is a finding */
    GX_CNT_CRC,      /* NVLink's CRC errors, which its retries correct: a change is a warning,
                        a finding at GX_CNT_CRC_PER_S or more over the GPU's links */
    GX_CNT_EVENTS,   /* events delivered between the readings (before: 0): any is a finding */
    GX_CNT_PENDING,  /* a flag: set after the run is a finding */
    GX_CNT_THROTTLE, /* clock event reasons: a throttling one after the run is a finding */
    GX_CNT_STATE     /* recorded beside the others, never a finding */
};
/* CRC errors a second from which they matter: DCGM's NVLink health watch fails there. */
#define GX_CNT_CRC_PER_S 100.0
struct gx_cnt_info {
    const char *name;  /* the report's key */
    enum gx_cnt_kind kind;
    const char *check; /* the health check a finding is under (NULL: none) */
    const char *what;  /* in a finding's line */
};
extern const struct gx_cnt_info gx_cnt_info[GX_CNTS];

/* The clock event reasons that hold the clocks down; idle, sync boost and the like are not. */
#define GX_CLK_THROTTLING 0xECULL
int gx_clock_reasons(uint64_t bits, const char **names, int max);

#define GX_CNT_REASONS 6  /* distinct reasons a GPU's counters were unavailable */
#define GX_CNT_REASON 160 /* room for the loader's error where NVML could not be opened */
#define GX_CNT_XIDS 8     /* the first XIDs kept of those delivered */

struct gx_gpu_counters {
    int32_t rank, node, has_gpu;
    int32_t read;                 /* 1: both readings were made; 0: none (none says why) */
    char busid[32];
    char none[GX_CNT_REASON];     /* why this GPU was not read at all */
    uint64_t before[GX_CNTS], after[GX_CNTS];
    int8_t why[GX_CNTS];          /* -1 read both times; else the place of its reason */
    int8_t links_read[GX_CNT_NVLINKS];  /* NVLink counters: the links summed */
    uint64_t links_moved[GX_CNT_NVLINKS]; /* bit l: link l's counter changed */
    double seconds;               /* between the two readings */
    uint32_t xids[GX_CNT_XIDS];   /* the first of the after[GX_CNT_XID] delivered */
    char reasons[GX_CNT_REASONS][GX_CNT_REASON];
};

/* Every rank: its GPU read before the first measurement, XID events asked for from here on. */
struct gx_counters_watch;
struct gx_counters_watch *gx_counters_begin(const struct gx_job *job);
/* This rank's GPU at the first reading, for the header: the record comes only at the end. */
void gx_counters_start(const struct gx_job *job, const struct gx_counters_watch *w,
                       struct gx_gpu_counters *rec);
void gx_counters_drop(struct gx_counters_watch *w);
/* Every rank: read again and compared; rank 0 gets every rank's record. Frees w. Collective. */
int gx_counters_end(const struct gx_job *job, struct gx_counters_watch *w,
                    struct gx_gpu_counters **all, struct gx_err *err);
/* Rank 0: the findings of n records, each GPU judged once, appended to h; the new count. */
int gx_counters_health(const struct gx_gpu_counters *all, int n, struct gx_health *h, int nh,
                       int max);
int gx_counters_first_of_gpu(const struct gx_gpu_counters *all, int i);

#define GX_CNT_LINKS 64
struct gx_cnt_reading {
    uint64_t v[GX_CNTS];
    char why[GX_CNTS][GX_CNT_REASON];
    int nlinks;                   /* link slots whose state NVML answers */
    uint64_t link[GX_CNT_LINKS][GX_CNT_NVLINKS];
    int link_ok[GX_CNT_LINKS][GX_CNT_NVLINKS];
    uint32_t xids[GX_CNT_XIDS];
};
int gx_cnt_read(const char *busid, struct gx_cnt_reading *r, char *why, size_t len);
void *gx_cnt_events_open(const char *busid, char *why, size_t len);
void gx_cnt_events_close(void *set, struct gx_cnt_reading *r);

#endif
