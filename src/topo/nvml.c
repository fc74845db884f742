/* NVLink counts, link facts and the counters around the run through NVML, loaded at run time: a
 * node without it still runs. */
#include "config.h"
#include "gpu_counters.h"
#include "links.h"
#include "nvml_abi.h"
#include "topo.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct nvml_device *nvmlDevice_t;
enum { GX_NVML_MAX_LINKS = 64 };

/* The calls every reading needs, looked up when the library is loaded; the others as they are
 * made (SYM), so that one an older library lacks leaves its facts unknown, saying so. */
static struct {
    int tried, ok;
    char why[200];
    void *lib;
    int (*init)(void);
    int (*shutdown)(void);
    int (*by_busid)(const char *, nvmlDevice_t *);
    int (*link_state)(nvmlDevice_t, unsigned int, int *);
    int (*remote_pci)(nvmlDevice_t, unsigned int, nvmlPciInfo_t *);
} nv;

/* A symbol as the function type it is (through memcpy, as POSIX allows); NULL where lacking. */
#define LOOKUP(fp, name)                                                                       \
    do {                                                                                       \
        void *s_ = dlsym(nv.lib, name);                                                        \
        memcpy(&(fp), &s_, sizeof s_);                                                         \
    } while (0)
#define SYM(fp, name)                                                                          \
    do {                                                                                       \
        (fp) = NULL;                                                                           \
        if (nvml_open())                                                                       \
            LOOKUP(fp, name);                                                                  \
    } while (0)

static int nvml_open(void)
{
    if (nv.tried)
        return nv.ok;
    nv.tried = 1;
    nv.lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!nv.lib) {
        const char *e = dlerror();
        snprintf(nv.why, sizeof nv.why, "NVML not available (%s)", e ? e : "dlopen failed");
        return 0;
    }
    LOOKUP(nv.init, "nvmlInit_v2");
    LOOKUP(nv.shutdown, "nvmlShutdown");
    LOOKUP(nv.by_busid, "nvmlDeviceGetHandleByPciBusId_v2");
    LOOKUP(nv.link_state, "nvmlDeviceGetNvLinkState");
    LOOKUP(nv.remote_pci, "nvmlDeviceGetNvLinkRemotePciInfo_v2");
    const char *lacks = !nv.init ? "nvmlInit_v2" : !nv.shutdown ? "nvmlShutdown"
                        : !nv.by_busid ? "nvmlDeviceGetHandleByPciBusId_v2"
                        : !nv.link_state ? "nvmlDeviceGetNvLinkState"
                        : !nv.remote_pci ? "nvmlDeviceGetNvLinkRemotePciInfo_v2" : NULL;
    int rc = lacks ? -1 : nv.init();
    if (lacks)
        snprintf(nv.why, sizeof nv.why, "NVML lacks %s", lacks);
    else if (rc != NVML_SUCCESS)
        snprintf(nv.why, sizeof nv.why, "nvmlInit_v2 failed (NVML error %d)", rc);
    if (rc != NVML_SUCCESS) {
        dlclose(nv.lib);
        nv.lib = NULL;
        return 0;
    }
    nv.ok = 1;
    return 1;
}

static const char *nvml_error(int rc)
{
    static char text[32]; /* the main thread is the one that reads NVML */
    const char *(*name)(int) = NULL;
    if (nv.ok)
        LOOKUP(name, "nvmlErrorString");
    const char *t = name ? name(rc) : NULL;
    if (t && t[0])
        return t;
    snprintf(text, sizeof text, "NVML error %d", rc);
    return text;
}

/* 1 where the call answered; else 0, why (where still empty) naming the call and its failure. */
static int said_to(int rc, const char *fn, char *why, size_t len)
{
    if (rc == NVML_SUCCESS)
        return 1;
    if (why[0])
        return 0;
    if (rc < 0)
        snprintf(why, len, "NVML lacks %s", fn);
    else
        snprintf(why, len, "%s: %s", fn, nvml_error(rc));
    return 0;
}

static int nvml_device(const char *busid, nvmlDevice_t *dev, char *why, size_t len)
{
    if (!nvml_open()) {
        snprintf(why, len, "%s", nv.why);
        return -1;
    }
    int rc = nv.by_busid(busid, dev);
    if (rc != NVML_SUCCESS) {
        snprintf(why, len, "NVML does not know GPU %s (%s)", busid, nvml_error(rc));
        return -1;
    }
    return 0;
}

/* Active links of a GPU: straight to the peer, and to an NVSwitch (which reaches every GPU). */
static int count_links(nvmlDevice_t d, unsigned dom, unsigned bus, unsigned dev, int *direct,
                       int *switched)
{
    *direct = *switched = 0;
    int any = 0;
    for (unsigned l = 0; l < GX_NVML_MAX_LINKS; l++) {
        int active = 0;
        if (nv.link_state(d, l, &active) != NVML_SUCCESS)
            continue; /* beyond the GPU's links, or NVLink not supported */
        any = 1;
        if (active != NVML_FEATURE_ENABLED)
            continue;
        nvmlPciInfo_t pi = {.domain = 0};
        if (nv.remote_pci(d, l, &pi) != NVML_SUCCESS)
            continue;
        if (pi.domain == dom && pi.bus == bus && pi.device == dev) {
            (*direct)++;
            continue;
        }
        char rb[40];
        nvmlDevice_t rd;
        snprintf(rb, sizeof rb, "%08x:%02x:%02x.0", pi.domain, pi.bus, pi.device);
        if (nv.by_busid(rb, &rd) != NVML_SUCCESS)
            (*switched)++;
    }
    return any;
}

int gx_nvml_nvlinks(const char *busid_a, const char *busid_b, char *why, size_t len)
{
    nvmlDevice_t da, db;
    unsigned adom, abus, adev, afn, bdom, bbus, bdev, bfn;
    if (nvml_device(busid_a, &da, why, len) != 0 || nvml_device(busid_b, &db, why, len) != 0)
        return -1;
    if (sscanf(busid_a, "%x:%x:%x.%x", &adom, &abus, &adev, &afn) != 4 ||
        sscanf(busid_b, "%x:%x:%x.%x", &bdom, &bbus, &bdev, &bfn) != 4) {
        snprintf(why, len, "NVML does not know GPU %s or %s", busid_a, busid_b);
        return -1;
    }
    int da_direct, da_sw, db_direct, db_sw;
    int any = count_links(da, bdom, bbus, bdev, &da_direct, &da_sw);
    count_links(db, adom, abus, adev, &db_direct, &db_sw);
    if (!any) {
        snprintf(why, len, "no NVLink on GPU %s", busid_a);
        return -1;
    }
    if (da_direct > 0)
        return da_direct;
    if (da_sw > 0 && db_sw > 0)
        return da_sw < db_sw ? da_sw : db_sw;
    snprintf(why, len, "no active NVLink between GPUs %s and %s", busid_a, busid_b);
    return -1;
}

/* A PCIe link's generation and width (the current's, or the most's): both read, or neither (0
 * and 0); 1 where both were. */
static int nvml_gen_width(nvmlDevice_t d, const char *now, int *gen, int *width, char *why,
                          size_t len)
{
    char gen_fn[64], width_fn[64];
    snprintf(gen_fn, sizeof gen_fn, "nvmlDeviceGet%sPcieLinkGeneration", now);
    snprintf(width_fn, sizeof width_fn, "nvmlDeviceGet%sPcieLinkWidth", now);
    int (*gf)(nvmlDevice_t, unsigned int *), (*wf)(nvmlDevice_t, unsigned int *);
    SYM(gf, gen_fn);
    SYM(wf, width_fn);
    unsigned int g = 0, w = 0;
    /* '&', not '&&': both calls run, so that why names the first that failed. */
    int ok = said_to(gf ? gf(d, &g) : -1, gen_fn, why, len) &
             said_to(wf ? wf(d, &w) : -1, width_fn, why, len);
    if (ok && (!g || !w) && !why[0])
        snprintf(why, len, "%s answered 0", g ? width_fn : gen_fn);
    *gen = ok && g && w ? (int)g : 0;
    *width = *gen ? (int)w : 0;
    return *gen > 0;
}

static int nvml_field(nvmlDevice_t d, unsigned int id, unsigned int scope, unsigned int *v)
{
    int (*values)(nvmlDevice_t, int, nvmlFieldValue_t *);
    SYM(values, "nvmlDeviceGetFieldValues");
    nvmlFieldValue_t f = {.fieldId = id, .scopeId = scope};
    if (!values || values(d, 1, &f) != NVML_SUCCESS || f.nvmlReturn != NVML_SUCCESS)
        return 0;
    *v = f.value.uiVal;
    return 1;
}

void gx_nvml_gpu_facts(const char *busid, struct gx_pcie_facts *p, struct gx_nvlink_facts *n)
{
    nvmlDevice_t d;
    p->why[0] = '\0';
    if (nvml_device(busid, &d, p->why, sizeof p->why) != 0) {
        snprintf(n->why, sizeof n->why, "%s", p->why);
        return;
    }
    if (nvml_gen_width(d, "Curr", &p->cur_gen, &p->cur_width, p->why, sizeof p->why))
        p->cur_src = GX_SRC_NVML;
    if (nvml_gen_width(d, "Max", &p->max_gen, &p->max_width, p->why, sizeof p->why))
        p->max_src = GX_SRC_NVML;
    int (*version)(nvmlDevice_t, unsigned int, unsigned int *);
    SYM(version, "nvmlDeviceGetNvLinkVersion");
    n->links = n->active = 0; /* every link whose state NVML answers exists */
    for (unsigned l = 0; l < GX_NVML_MAX_LINKS; l++) {
        int active = 0;
        if (nv.link_state(d, l, &active) != NVML_SUCCESS)
            continue;
        n->links++;
        if (active != NVML_FEATURE_ENABLED)
            continue;
        n->active++;
        unsigned int v = 0;
        if (!n->nvml_version && version && version(d, l, &v) == NVML_SUCCESS)
            n->nvml_version = (int)v;
    }
    unsigned int present = 0; /* NVML may answer for more link slots than the GPU has */
    if (nvml_field(d, GX_FI_NVLINK_LINK_COUNT, 0, &present) && present > 0 &&
        (int)present < n->links && (int)present >= n->active)
        n->links = (int)present;
    if (n->links == 0)
        snprintf(n->why, sizeof n->why, "NVML reports no NVLink on GPU %s", busid);
    else if (n->active > 0 && !n->nvml_version)
        snprintf(n->why, sizeof n->why, "%s", version ? "nvmlDeviceGetNvLinkVersion failed"
                                                      : "NVML lacks nvmlDeviceGetNvLinkVersion");
}

void gx_nvml_c2c_facts(const char *busid, struct gx_c2c_facts *c)
{
    nvmlDevice_t d;
    unsigned int n = 0;
    void *values = NULL;
    c->links = c->active = -1;
    SYM(values, "nvmlDeviceGetFieldValues");
    if (nvml_device(busid, &d, c->why, sizeof c->why) != 0)
        return;
    if (!values)
        snprintf(c->why, sizeof c->why, "NVML lacks nvmlDeviceGetFieldValues");
    else if (!nvml_field(d, GX_FI_C2C_LINK_COUNT, 0, &n))
        snprintf(c->why, sizeof c->why, "NVML answers no C2C link count for GPU %s", busid);
    else {
        c->links = (int)n;
        c->active = 0;
        c->gbs = 0;
        for (unsigned int l = 0; l < n && l < GX_NVML_MAX_LINKS; l++) {
            unsigned int up = 0, mbs = 0;
            if (nvml_field(d, GX_FI_C2C_LINK_STATUS, l, &up) && up == 1 &&
                nvml_field(d, GX_FI_C2C_LINK_MAX_BW, l, &mbs) && mbs > 0) {
                c->active++;
                c->gbs += mbs / 1000.0;
            }
        }
    }
}

int gx_nvml_pcie_current(const char *busid, int *gen, int *width)
{
    nvmlDevice_t d;
    char why[200] = "";
    if (nvml_device(busid, &d, why, sizeof why) != 0)
        return -1;
    return nvml_gen_width(d, "Curr", gen, width, why, sizeof why) ? 0 : -1;
}

void gx_nvml_fini(void)
{
    if (nv.ok) {
        nv.shutdown();
        dlclose(nv.lib);
    }
    memset(&nv, 0, sizeof nv);
}

/* The counters: one reading, each call looked up when made: one older drivers lack says so. */

static int said(int rc, const char *fn, char *why)
{
    return said_to(rc, fn, why, GX_CNT_REASON);
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
    int (*count)(void *, unsigned int, int, unsigned long long *) = NULL;
    SYM(count, fn);
    r->nlinks = 0;
    unsigned has = 0;
    nvml_field(d, GX_FI_NVLINK_LINK_COUNT, 0, &has);
    unsigned slots = has > 0 && has < GX_CNT_LINKS ? has : GX_CNT_LINKS;
    for (unsigned l = 0; l < slots; l++) {
        int up = 0;
        if (nv.link_state(d, l, &up) != NVML_SUCCESS)
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
            snprintf(r->why[c], GX_CNT_REASON, "no NVLink on this GPU");
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
    int (*p)(void *, int *), (*w)(void *, unsigned int *, unsigned int *, unsigned int *,
                                  unsigned int *);
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
    int (*ev)(void *, unsigned long long *);
    SYM(ev, fn);
    if (!ev)
        SYM(ev, fn = "nvmlDeviceGetCurrentClocksThrottleReasons");
    unsigned long long bits = 0;
    if (said(ev ? ev(d, &bits) : -1, fn, r->why[GX_CNT_CLOCK_EVENTS]))
        r->v[GX_CNT_CLOCK_EVENTS] = bits;
}

static void read_modes(void *d, struct gx_cnt_reading *r)
{
    static const char pers[] = "nvmlDeviceGetPersistenceMode", mig[] = "nvmlDeviceGetMigMode",
                      ecc[] = "nvmlDeviceGetEccMode";
    int (*p)(void *, int *), (*e)(void *, int *, int *);
    int (*m)(void *, unsigned int *, unsigned int *);
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
    dir = dir && dir[0] ? dir : "/tmp/nvidia-mps";
    snprintf(path, sizeof path, "%s/control", dir);
    struct stat st;
    if (stat(path, &st) == 0)
        r->v[GX_CNT_MPS] = S_ISSOCK(st.st_mode);
    else if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        snprintf(r->why[GX_CNT_MPS], GX_CNT_REASON, "unknown: the MPS pipe directory is no folder");
}

int gx_cnt_read(const char *busid, struct gx_cnt_reading *r, char *why, size_t len)
{
    nvmlDevice_t d = NULL;
    memset(r, 0, sizeof *r);
    if (nvml_device(busid, &d, why, len) != 0)
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
    int (*create)(void **), (*reg)(void *, unsigned long long, void *), (*release)(void *);
    nvmlDevice_t d = NULL;
    void *set = NULL;
    SYM(create, "nvmlEventSetCreate");
    SYM(reg, "nvmlDeviceRegisterEvents");
    SYM(release, "nvmlEventSetFree");
    why[0] = '\0';
    if (nvml_device(busid, &d, why, len) != 0 ||
        !said_to(create && reg && release ? 0 : -1, !create ? "nvmlEventSetCreate" : !reg ?
                 "nvmlDeviceRegisterEvents" : "nvmlEventSetFree", why, len) ||
        !said_to(create(&set), "nvmlEventSetCreate", why, len))
        return NULL;
    if (said_to(reg(d, GX_EVENT_XID, set), "nvmlDeviceRegisterEvents(XID)", why, len))
        return set;
    release(set);
    return NULL;
}

void gx_cnt_events_close(void *set, struct gx_cnt_reading *r)
{
    int (*wait)(void *, nvmlEventData_t *, unsigned int), (*release)(void *);
    SYM(wait, "nvmlEventSetWait_v2");
    SYM(release, "nvmlEventSetFree");
    if (!set)
        return;
    if (!r)
        wait = NULL;
    else if (!wait)
        said(-1, "nvmlEventSetWait_v2", r->why[GX_CNT_XID]);
    /* Bounded, in case a failing GPU delivers events as fast as they are taken. */
    for (int i = 0; wait && i < 4096; i++) {
        nvmlEventData_t e = {0};
        int rc = wait(set, &e, 0);
        if (rc == GX_NVML_ERROR_TIMEOUT || !said(rc, "nvmlEventSetWait_v2", r->why[GX_CNT_XID]))
            break;
        if (!(e.eventType & GX_EVENT_XID))
            continue;
        if (r->v[GX_CNT_XID] < GX_CNT_XIDS)
            r->xids[r->v[GX_CNT_XID]] = (uint32_t)e.eventData;
        r->v[GX_CNT_XID]++;
    }
    if (release)
        release(set);
}
