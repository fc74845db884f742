/* One reading through NVML, each call looked up when made: one older drivers lack says so. */
#include "config.h"
#include "gpu_counters.h"
#include "nvml_abi.h"
#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A symbol as the function type it is (through memcpy, as POSIX allows); NULL where lacking. */
#define SYM(fp, name)                                                                          \
    do {                                                                                       \
        void *s_ = gx_nvml_sym(name);                                                          \
        memcpy(&(fp), &s_, sizeof s_);                                                         \
    } while (0)

static int said(int rc, const char *fn, char *why)
{
    if (rc == NVML_SUCCESS)
        return 1;
    if (rc < 0)
        snprintf(why, GX_CNT_REASON, "NVML lacks %s", fn);
    else
        snprintf(why, GX_CNT_REASON, "%s: %s", fn, gx_nvml_error(rc));
    return 0;
}

static void read_uint(void *d, const char *fn, enum gx_cnt c, struct gx_cnt_reading *r)
{
    int (*f)(void *, unsigned int *) = NULL;
    SYM(f, fn);
    unsigned int v = 0;
    if (said(f ? f(d, &v) : -1, fn, r->why[c]))
        r->v[c] = v;
}

static void read_nvlink(void *d, struct gx_cnt_reading *r)
{
    static const int ids[GX_CNT_NVLINKS] = {GX_NVL_ERR_CRC_FLIT, GX_NVL_ERR_CRC_DATA,
                                            GX_NVL_ERR_REPLAY, GX_NVL_ERR_RECOVERY};
    static const char fn[] = "nvmlDeviceGetNvLinkErrorCounter";
    int (*state)(void *, unsigned int, int *) = NULL;
    int (*count)(void *, unsigned int, int, unsigned long long *) = NULL;
    SYM(state, "nvmlDeviceGetNvLinkState");
    SYM(count, fn);
    r->nlinks = 0;
    unsigned has = gx_nvml_link_count(d);
    unsigned slots = has > 0 && has < GX_CNT_LINKS ? has : GX_CNT_LINKS;
    for (unsigned l = 0; state && l < slots; l++) {
        int up = 0;
        if (state(d, l, &up) != NVML_SUCCESS)
            continue; /* no such link */
        r->nlinks = (int)l + 1;
        for (int c = 0; c < GX_CNT_NVLINKS; c++) {
            unsigned long long v = 0;
            int rc = count ? count(d, l, ids[c], &v) : -1;
            r->link_ok[l][c] = rc == NVML_SUCCESS;
            r->link[l][c] = v;
            if (!r->link_ok[l][c] && !r->why[c][0])
                said(rc, fn, r->why[c]); /* the first link's failure, where every link fails */
        }
    }
    for (int c = 0; c < GX_CNT_NVLINKS; c++) {
        int any = 0;
        for (int l = 0; l < r->nlinks; l++)
            if (r->link_ok[l][c]) {
                any = 1;
                r->v[c] += r->link[l][c];
            }
        if (any)
            r->why[c][0] = '\0';
        else if (!r->why[c][0])
            snprintf(r->why[c], GX_CNT_REASON, "%s", state ? "no NVLink on this GPU"
                                                           : "NVML lacks nvmlDeviceGetNvLinkState");
    }
}

static void read_ecc(void *d, struct gx_cnt_reading *r)
{
    static const char fn[] = "nvmlDeviceGetTotalEccErrors";
    int (*f)(void *, int, int, unsigned long long *) = NULL;
    SYM(f, fn);
    for (int t = GX_ECC_CORRECTED; t <= GX_ECC_UNCORRECTED; t++) {
        enum gx_cnt c = t == GX_ECC_CORRECTED ? GX_CNT_ECC_CORRECTED : GX_CNT_ECC_UNCORRECTED;
        unsigned long long v = 0;
        if (said(f ? f(d, t, GX_ECC_VOLATILE, &v) : -1, fn, r->why[c]))
            r->v[c] = v;
    }
}

static void read_retirement(void *d, struct gx_cnt_reading *r)
{
    static const char pages[] = "nvmlDeviceGetRetiredPagesPendingStatus";
    static const char rows[] = "nvmlDeviceGetRemappedRows";
    int (*p)(void *, int *) = NULL;
    int (*w)(void *, unsigned int *, unsigned int *, unsigned int *, unsigned int *) = NULL;
    SYM(p, pages);
    SYM(w, rows);
    int pending = 0;
    if (said(p ? p(d, &pending) : -1, pages, r->why[GX_CNT_RETIRED_PENDING]))
        r->v[GX_CNT_RETIRED_PENDING] = pending == NVML_FEATURE_ENABLED;
    unsigned int corr = 0, unc = 0, pend = 0, fail = 0;
    int rc = w ? w(d, &corr, &unc, &pend, &fail) : -1;
    if (said(rc, rows, r->why[GX_CNT_REMAP_PENDING])) {
        r->v[GX_CNT_REMAP_PENDING] = pend != 0;
        r->v[GX_CNT_REMAP_FAILURE] = fail != 0;
    } else
        memcpy(r->why[GX_CNT_REMAP_FAILURE], r->why[GX_CNT_REMAP_PENDING], GX_CNT_REASON);
}

static void read_clocks(void *d, struct gx_cnt_reading *r)
{
    static const char clock[] = "nvmlDeviceGetClockInfo";
    int (*ck)(void *, int, unsigned int *) = NULL;
    SYM(ck, clock);
    unsigned int mhz = 0;
    if (said(ck ? ck(d, GX_CLOCK_SM, &mhz) : -1, clock, r->why[GX_CNT_SM_MHZ]))
        r->v[GX_CNT_SM_MHZ] = mhz;
    if (said(ck ? ck(d, GX_CLOCK_MEM, &mhz) : -1, clock, r->why[GX_CNT_MEM_MHZ]))
        r->v[GX_CNT_MEM_MHZ] = mhz;
    /* The call's name before NVML 12.2 was ...ThrottleReasons; the same bits. */
    const char *fn = "nvmlDeviceGetCurrentClocksEventReasons";
    int (*ev)(void *, unsigned long long *) = NULL;
    SYM(ev, fn);
    if (!ev) {
        fn = "nvmlDeviceGetCurrentClocksThrottleReasons";
        SYM(ev, fn);
    }
    unsigned long long bits = 0;
    if (said(ev ? ev(d, &bits) : -1, fn, r->why[GX_CNT_CLOCK_EVENTS]))
        r->v[GX_CNT_CLOCK_EVENTS] = bits;
}

static void read_modes(void *d, struct gx_cnt_reading *r)
{
    static const char pers[] = "nvmlDeviceGetPersistenceMode", mig[] = "nvmlDeviceGetMigMode",
                      ecc[] = "nvmlDeviceGetEccMode";
    int (*p)(void *, int *) = NULL;
    int (*m)(void *, unsigned int *, unsigned int *) = NULL;
    int (*e)(void *, int *, int *) = NULL;
    SYM(p, pers);
    SYM(m, mig);
    SYM(e, ecc);
    int ecc_now = 0, ecc_next = 0; /* now and after the next reset (nvidia-smi -e) */
    if (said(e ? e(d, &ecc_now, &ecc_next) : -1, ecc, r->why[GX_CNT_ECC_MODE])) {
        r->v[GX_CNT_ECC_MODE] = ecc_now == NVML_FEATURE_ENABLED;
        r->v[GX_CNT_ECC_PENDING] = ecc_next == NVML_FEATURE_ENABLED;
    } else
        memcpy(r->why[GX_CNT_ECC_PENDING], r->why[GX_CNT_ECC_MODE], GX_CNT_REASON);
    int on = 0;
    if (said(p ? p(d, &on) : -1, pers, r->why[GX_CNT_PERSISTENCE]))
        r->v[GX_CNT_PERSISTENCE] = on == NVML_FEATURE_ENABLED;
    unsigned int cur = 0, pending = 0;
    if (said(m ? m(d, &cur, &pending) : -1, mig, r->why[GX_CNT_MIG]))
        r->v[GX_CNT_MIG] = cur;
}

/* MPS: a client connects through the control socket in CUDA_MPS_PIPE_DIRECTORY. */
static void read_mps(struct gx_cnt_reading *r)
{
    const char *dir = getenv("CUDA_MPS_PIPE_DIRECTORY");
    char path[512];
    snprintf(path, sizeof path, "%s/control", dir && dir[0] ? dir : "/tmp/nvidia-mps");
    struct stat st;
    if (stat(path, &st) == 0)
        r->v[GX_CNT_MPS] = S_ISSOCK(st.st_mode);
    else if (stat(dir && dir[0] ? dir : "/tmp/nvidia-mps", &st) == 0 && !S_ISDIR(st.st_mode))
        snprintf(r->why[GX_CNT_MPS], GX_CNT_REASON, "unknown: the MPS pipe directory is no "
                 "folder");
}

int gx_cnt_read(const char *busid, struct gx_cnt_reading *r, char *why, size_t len)
{
    void *d = NULL;
    memset(r, 0, sizeof *r);
    if (gx_nvml_device(busid, &d, why, len) != 0)
        return -1;
    read_nvlink(d, r);
    read_uint(d, "nvmlDeviceGetPcieReplayCounter", GX_CNT_PCIE_REPLAY, r);
    read_ecc(d, r);
    read_retirement(d, r);
    read_clocks(d, r);
    read_uint(d, "nvmlDeviceGetEnforcedPowerLimit", GX_CNT_POWER_LIMIT, r);
    read_modes(d, r);
    read_mps(r);
    return 0;
}

void *gx_cnt_events_open(const char *busid, char *why, size_t len)
{
    int (*create)(void **) = NULL;
    int (*reg)(void *, unsigned long long, void *) = NULL;
    int (*release)(void *) = NULL;
    void *d = NULL, *set = NULL;
    SYM(create, "nvmlEventSetCreate");
    SYM(reg, "nvmlDeviceRegisterEvents");
    SYM(release, "nvmlEventSetFree");
    if (gx_nvml_device(busid, &d, why, len) != 0)
        return NULL;
    if (!create || !reg || !release) {
        snprintf(why, len, "NVML lacks %s", !create ? "nvmlEventSetCreate"
                                           : !reg   ? "nvmlDeviceRegisterEvents"
                                                    : "nvmlEventSetFree");
        return NULL;
    }
    int rc = create(&set);
    if (rc != NVML_SUCCESS) {
        snprintf(why, len, "nvmlEventSetCreate: %s", gx_nvml_error(rc));
        return NULL;
    }
    if ((rc = reg(d, GX_EVENT_XID, set)) != NVML_SUCCESS) {
        snprintf(why, len, "nvmlDeviceRegisterEvents(XID): %s", gx_nvml_error(rc));
        release(set);
        return NULL;
    }
    return set;
}

void gx_cnt_events_close(void *set, struct gx_cnt_reading *r)
{
    int (*wait)(void *, nvmlEventData_t *, unsigned int) = NULL;
    int (*release)(void *) = NULL;
    SYM(wait, "nvmlEventSetWait_v2");
    SYM(release, "nvmlEventSetFree");
    if (!set)
        return;
    if (!r)
        wait = NULL;
    else if (!wait)
        snprintf(r->why[GX_CNT_XID], GX_CNT_REASON, "NVML lacks nvmlEventSetWait_v2");
    /* Bounded, in case a failing GPU delivers events as fast as they are taken. */
    for (int i = 0; wait && i < 4096; i++) {
        nvmlEventData_t e;
        memset(&e, 0, sizeof e);
        int rc = wait(set, &e, 0);
        if (rc == GX_NVML_ERROR_TIMEOUT)
            break;
        if (rc != NVML_SUCCESS) {
            snprintf(r->why[GX_CNT_XID], GX_CNT_REASON, "nvmlEventSetWait_v2: %s",
                     gx_nvml_error(rc));
            break;
        }
        if (!(e.eventType & GX_EVENT_XID))
            continue;
        if (r->v[GX_CNT_XID] < GX_CNT_XIDS)
            r->xids[r->v[GX_CNT_XID]] = (uint32_t)e.eventData;
        r->v[GX_CNT_XID]++;
    }
    if (release)
        release(set);
}
