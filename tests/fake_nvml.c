/* A stand-in NVML (libnvidia-ml.so.1) for tests on machines without GPUs: gpuxfer loads NVML at
 * run time, so a test puts this one first on LD_LIBRARY_PATH (and GPUXFER_FAKE_NVML=1 tells
 * gpuxfer that it describes the --fake-gpus). It answers the calls gpuxfer makes from a file
 * named by GX_FAKE_NVML_CONFIG, one GPU a line:
 *
 *   BUSID NVML_VERSION LINKS ACTIVE CUR_GEN CUR_WIDTH MAX_GEN MAX_WIDTH [C2C_LINKS C2C_UP C2C_MBS]
 *
 * '-' for a value NVML does not support on that GPU (NVML_ERROR_NOT_SUPPORTED); without the C2C
 * columns the GPU has no C2C link (a count of 0), with them C2C_UP of C2C_LINKS are up at
 * C2C_MBS MB/s each (the field values NVML_FI_DEV_C2C_LINK_COUNT, _GET_STATUS, _GET_MAX_BW).
 * Every active NVLink leads to an NVSwitch (a PCI device NVML has no handle for), as on an HGX
 * board; the links beyond ACTIVE are down.
 *
 * The counters and state gpuxfer reads around its run come from lines after the GPU's own:
 *
 *   set BUSID KEY VALUE
 *
 * VALUE is a number (0x.. too), BEFORE>AFTER (BEFORE on the first call, AFTER from the second
 * on: gpuxfer reads each counter once before its measurements and once after), '-' for
 * NVML_ERROR_NOT_SUPPORTED or !CODE for any other return code. KEYs: nvlink_crc_flit,
 * nvlink_crc_data, nvlink_replay, nvlink_recovery (every link, or link L alone with KEY:L),
 * pcie_replay, ecc_corrected, ecc_uncorrected (volatile), retired_pending, remap_pending,
 * remap_failure, clock_sm, clock_mem (MHz), clock_events (the reasons' bits), power_limit (mW),
 * persistence, mig, ecc_mode (ecc_mode_change 1: the other mode after a reset); link_slots, the
 * links whose state NVML answers where the GPU has fewer (LINKS, which
 * NVML_FI_DEV_NVLINK_LINK_COUNT answers); xid, the XIDs (1,2,...) the event set
 * delivers once drained, or '-' where the GPU delivers no events. A key not given reads 0; a key
 * given again, the later line.
 * Built with GX_FAKE_OLD, the library is an older driver's: it lacks the event calls, the
 * clock event reasons under their new name and the remapped rows. */
#include "nvml_abi.h" /* the layouts and ids gpuxfer reads, shared with src/topo/nvml.c */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OK = NVML_SUCCESS, UNINITIALIZED = 1, INVALID_ARGUMENT = 2, NOT_SUPPORTED = 3, NOT_FOUND = 6,
       TIMEOUT = GX_NVML_ERROR_TIMEOUT };
enum { MAX_GPUS = 16, UNSUPPORTED = -1, MAX_SETS = 48, MAX_LINKS = 64, MAX_XIDS = 8 };

/* A counter's value: `before` on the first call (per link for NVLink's), `after` from then on. */
struct setting {
    char key[40];
    int link; /* -1: every link */
    unsigned long long before, after;
    int rc;
    int calls[MAX_LINKS];
};

struct gpu {
    unsigned dom, bus, dev;
    int version, links, active, cur_gen, cur_width, max_gen, max_width;
    int c2c_links, c2c_up, c2c_mbs;
    int slots; /* link states answered: links, unless link_slots says more */
    struct setting sets[MAX_SETS];
    int nsets;
    unsigned xids[MAX_XIDS];
    int nxids, xid_rc;
};

typedef struct gpu *nvmlDevice_t;

static struct gpu gpus[MAX_GPUS];
static int ngpus, initialised;

static int field(const char *s)
{
    return strcmp(s, "-") == 0 ? UNSUPPORTED : atoi(s);
}

static struct gpu *gpu_of(const char *busid)
{
    unsigned dom, bus, dev, fn;
    if (sscanf(busid, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
        return NULL;
    for (int i = 0; i < ngpus; i++)
        if (gpus[i].dom == dom && gpus[i].bus == bus && gpus[i].dev == dev)
            return &gpus[i];
    return NULL;
}

/* "set BUSID KEY VALUE" onto its GPU; a line of any other shape is left alone. */
static void add_setting(const char *line)
{
    char bus[64], key[40], value[64];
    struct gpu *g;
    if (sscanf(line, "set %63s %39s %63s", bus, key, value) != 3 || !(g = gpu_of(bus)))
        return;
    if (strcmp(key, "xid") == 0) {
        g->xid_rc = strcmp(value, "-") == 0 ? NOT_SUPPORTED : OK;
        for (char *p = value; g->xid_rc == OK && *p && g->nxids < MAX_XIDS;) {
            char *end;
            g->xids[g->nxids++] = (unsigned)strtoul(p, &end, 0);
            p = *end == ',' ? end + 1 : end + (*end != '\0');
        }
        return;
    }
    if (strcmp(key, "link_slots") == 0) {
        g->slots = atoi(value);
        return;
    }
    if (g->nsets == MAX_SETS)
        return;
    struct setting *s = &g->sets[g->nsets++];
    memset(s, 0, sizeof *s);
    char *colon = strchr(key, ':');
    s->link = colon ? atoi(colon + 1) : -1;
    if (colon)
        *colon = '\0';
    snprintf(s->key, sizeof s->key, "%s", key);
    if (value[0] == '-')
        s->rc = NOT_SUPPORTED;
    else if (value[0] == '!')
        s->rc = atoi(value + 1);
    else {
        char *end;
        s->before = s->after = strtoull(value, &end, 0);
        if (*end == '>')
            s->after = strtoull(end + 1, NULL, 0);
    }
}

/* A counter's next value for a link (0: one for the whole GPU); a key not set reads 0. */
static int counter(struct gpu *g, const char *key, unsigned link, unsigned long long *v)
{
    struct setting *any = NULL, *s = NULL;
    for (int i = 0; i < g->nsets; i++)
        if (strcmp(g->sets[i].key, key) == 0) {
            if (g->sets[i].link == (int)link)
                s = &g->sets[i];
            else if (g->sets[i].link < 0)
                any = &g->sets[i];
        }
    s = s ? s : any;
    if (!s) {
        *v = 0;
        return OK;
    }
    if (s->rc != OK)
        return s->rc;
    int l = link < MAX_LINKS ? (int)link : 0;
    *v = s->calls[l]++ == 0 ? s->before : s->after;
    return OK;
}

int nvmlInit_v2(void)
{
    const char *path = getenv("GX_FAKE_NVML_CONFIG");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return NOT_FOUND;
    char line[256];
    ngpus = 0;
    memset(gpus, 0, sizeof gpus);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "set ", 4) == 0) {
            add_setting(line);
            continue;
        }
        if (ngpus == MAX_GPUS)
            continue;
        char bus[64], v[10][16];
        int got = line[0] == '#' ? 0
                                 : sscanf(line, "%63s %15s %15s %15s %15s %15s %15s %15s %15s %15s "
                                          "%15s", bus, v[0], v[1], v[2], v[3], v[4], v[5], v[6],
                                          v[7], v[8], v[9]);
        if (got != 8 && got != 11)
            continue;
        struct gpu *g = &gpus[ngpus];
        unsigned fn;
        if (sscanf(bus, "%x:%x:%x.%x", &g->dom, &g->bus, &g->dev, &fn) != 4)
            continue;
        g->version = field(v[0]);
        g->links = field(v[1]);
        g->active = field(v[2]);
        g->cur_gen = field(v[3]);
        g->cur_width = field(v[4]);
        g->max_gen = field(v[5]);
        g->max_width = field(v[6]);
        g->c2c_links = got == 11 ? field(v[7]) : 0;
        g->c2c_up = got == 11 ? field(v[8]) : 0;
        g->c2c_mbs = got == 11 ? field(v[9]) : 0;
        g->slots = g->links;
        ngpus++;
    }
    fclose(f);
    initialised = 1;
    return OK;
}

int nvmlShutdown(void)
{
    initialised = 0;
    return OK;
}

int nvmlDeviceGetHandleByPciBusId_v2(const char *busid, nvmlDevice_t *d)
{
    unsigned dom, bus, dev, fn;
    if (!initialised)
        return UNINITIALIZED;
    if (!busid || sscanf(busid, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
        return INVALID_ARGUMENT;
    for (int i = 0; i < ngpus; i++)
        if (gpus[i].dom == dom && gpus[i].bus == bus && gpus[i].dev == dev) {
            *d = &gpus[i];
            return OK;
        }
    return NOT_FOUND;
}

static int link_ok(nvmlDevice_t d, unsigned link)
{
    if (!initialised)
        return UNINITIALIZED;
    if (!d || d->links == UNSUPPORTED)
        return NOT_SUPPORTED;
    return (int)link < d->slots ? OK : INVALID_ARGUMENT;
}

int nvmlDeviceGetNvLinkState(nvmlDevice_t d, unsigned link, int *active)
{
    int rc = link_ok(d, link);
    if (rc == OK)
        *active = (int)link < d->active; /* NVML_FEATURE_ENABLED is 1 */
    return rc;
}

int nvmlDeviceGetNvLinkVersion(nvmlDevice_t d, unsigned link, unsigned *version)
{
    int rc = link_ok(d, link);
    if (rc == OK && d->version == UNSUPPORTED)
        rc = NOT_SUPPORTED;
    if (rc == OK)
        *version = (unsigned)d->version;
    return rc;
}

/* Every link's far end: the NVSwitch at ff:00.0 of the GPU's domain. */
int nvmlDeviceGetNvLinkRemotePciInfo_v2(nvmlDevice_t d, unsigned link, nvmlPciInfo_t *pci)
{
    int rc = link_ok(d, link);
    if (rc != OK)
        return rc;
    memset(pci, 0, sizeof *pci);
    pci->domain = d->dom;
    pci->bus = 0xff;
    snprintf(pci->busId, sizeof pci->busId, "%08x:ff:00.0", d->dom);
    return OK;
}

static int pcie(nvmlDevice_t d, int v, unsigned *out)
{
    if (!initialised)
        return UNINITIALIZED;
    if (!d)
        return INVALID_ARGUMENT;
    if (v == UNSUPPORTED)
        return NOT_SUPPORTED;
    *out = (unsigned)v;
    return OK;
}

int nvmlDeviceGetCurrPcieLinkGeneration(nvmlDevice_t d, unsigned *v)
{
    return pcie(d, d ? d->cur_gen : 0, v);
}

int nvmlDeviceGetCurrPcieLinkWidth(nvmlDevice_t d, unsigned *v)
{
    return pcie(d, d ? d->cur_width : 0, v);
}

int nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t d, unsigned *v)
{
    return pcie(d, d ? d->max_gen : 0, v);
}

int nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t d, unsigned *v)
{
    return pcie(d, d ? d->max_width : 0, v);
}

/* The C2C fields; any other field is not supported. */
int nvmlDeviceGetFieldValues(nvmlDevice_t d, int count, nvmlFieldValue_t *values)
{
    if (!initialised)
        return UNINITIALIZED;
    if (!d || count < 0 || (count > 0 && !values))
        return INVALID_ARGUMENT;
    for (int i = 0; i < count; i++) {
        nvmlFieldValue_t *f = &values[i];
        int link_ok = (int)f->scopeId < d->c2c_links;
        f->valueType = 1; /* NVML_VALUE_TYPE_UNSIGNED_INT */
        f->nvmlReturn = OK;
        if (f->fieldId == GX_FI_C2C_LINK_COUNT)
            f->value.uiVal = (unsigned)d->c2c_links;
        else if (f->fieldId == GX_FI_NVLINK_LINK_COUNT && d->links != UNSUPPORTED)
            f->value.uiVal = (unsigned)d->links;
        else if (f->fieldId == GX_FI_C2C_LINK_STATUS && link_ok)
            f->value.uiVal = (int)f->scopeId < d->c2c_up;
        else if (f->fieldId == GX_FI_C2C_LINK_MAX_BW && link_ok)
            f->value.uiVal = (int)f->scopeId < d->c2c_up ? (unsigned)d->c2c_mbs : 0;
        else
            f->nvmlReturn = f->fieldId == GX_FI_C2C_LINK_STATUS ||
                                    f->fieldId == GX_FI_C2C_LINK_MAX_BW
                                ? INVALID_ARGUMENT
                                : NOT_SUPPORTED;
    }
    return OK;
}

/* The counters and state around the run ("set" lines). */
static int gpu_counter(nvmlDevice_t d, const char *key, unsigned long long *v)
{
    if (!initialised)
        return UNINITIALIZED;
    if (!d || !v)
        return INVALID_ARGUMENT;
    return counter(d, key, 0, v);
}

static int gpu_uint(nvmlDevice_t d, const char *key, unsigned *v)
{
    unsigned long long x = 0;
    int rc = v ? gpu_counter(d, key, &x) : INVALID_ARGUMENT;
    if (rc == OK)
        *v = (unsigned)x;
    return rc;
}

const char *nvmlErrorString(int rc)
{
    switch (rc) {
    case OK: return "Success";
    case UNINITIALIZED: return "Uninitialized";
    case INVALID_ARGUMENT: return "Invalid Argument";
    case NOT_SUPPORTED: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case NOT_FOUND: return "Not Found";
    case TIMEOUT: return "Timeout";
    case 15: return "GPU is lost";
    default: return "Unknown Error";
    }
}

int nvmlDeviceGetNvLinkErrorCounter(nvmlDevice_t d, unsigned link, int which,
                                    unsigned long long *v)
{
    static const char *const keys[] = {"nvlink_replay", "nvlink_recovery", "nvlink_crc_flit",
                                       "nvlink_crc_data"};
    int rc = link_ok(d, link);
    if (rc != OK)
        return rc;
    if (which < 0 || which > GX_NVL_ERR_CRC_DATA || !v)
        return INVALID_ARGUMENT;
    return counter(d, keys[which], link, v);
}

int nvmlDeviceGetPcieReplayCounter(nvmlDevice_t d, unsigned *v)
{
    return gpu_uint(d, "pcie_replay", v);
}

int nvmlDeviceGetTotalEccErrors(nvmlDevice_t d, int type, int counter_type,
                                unsigned long long *v)
{
    if (counter_type != GX_ECC_VOLATILE)
        return NOT_SUPPORTED; /* gpuxfer reads the volatile counts alone */
    return gpu_counter(d, type == GX_ECC_CORRECTED ? "ecc_corrected" : "ecc_uncorrected", v);
}

int nvmlDeviceGetRetiredPagesPendingStatus(nvmlDevice_t d, int *pending)
{
    return gpu_uint(d, "retired_pending", (unsigned *)pending);
}

int nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned *mhz)
{
    return gpu_uint(d, type == GX_CLOCK_SM ? "clock_sm" : "clock_mem", mhz);
}

int nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long *bits)
{
    return gpu_counter(d, "clock_events", bits);
}

int nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned *mw)
{
    return gpu_uint(d, "power_limit", mw);
}

int nvmlDeviceGetPersistenceMode(nvmlDevice_t d, int *on)
{
    return gpu_uint(d, "persistence", (unsigned *)on);
}

/* ecc_mode: the mode now; ecc_mode_change 1: a reset will bring the other one. */
int nvmlDeviceGetEccMode(nvmlDevice_t d, int *current, int *pending)
{
    unsigned now = 0, change = 0;
    int rc = current && pending ? gpu_uint(d, "ecc_mode", &now) : INVALID_ARGUMENT;
    if (rc == OK)
        rc = gpu_uint(d, "ecc_mode_change", &change);
    if (rc == OK) {
        *current = now != 0;
        *pending = change ? now == 0 : now != 0;
    }
    return rc;
}

int nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned *current, unsigned *pending)
{
    int rc = gpu_uint(d, "mig", current);
    if (rc == OK && pending)
        *pending = *current;
    return rc;
}

#ifndef GX_FAKE_OLD
int nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t d, unsigned long long *bits)
{
    return gpu_counter(d, "clock_events", bits);
}

int nvmlDeviceGetRemappedRows(nvmlDevice_t d, unsigned *corr, unsigned *unc, unsigned *pending,
                              unsigned *failure)
{
    int rc = gpu_uint(d, "remap_pending", pending);
    if (rc == OK)
        rc = gpu_uint(d, "remap_failure", failure);
    if (rc == OK && corr && unc)
        *corr = *unc = 0;
    return rc;
}

/* One event set: the GPU registered with it delivers its XIDs, once each, when drained. */
static struct event_set {
    struct gpu *gpu;
    int next;
} event_sets[MAX_GPUS];
static int nevent_sets;

int nvmlEventSetCreate(struct event_set **set)
{
    if (!initialised)
        return UNINITIALIZED;
    if (!set || nevent_sets == MAX_GPUS)
        return INVALID_ARGUMENT;
    *set = &event_sets[nevent_sets++];
    memset(*set, 0, sizeof **set);
    return OK;
}

int nvmlDeviceRegisterEvents(nvmlDevice_t d, unsigned long long types, struct event_set *set)
{
    if (!initialised)
        return UNINITIALIZED;
    if (!d || !set)
        return INVALID_ARGUMENT;
    if (d->xid_rc != OK || !(types & GX_EVENT_XID))
        return NOT_SUPPORTED;
    set->gpu = d;
    return OK;
}

int nvmlEventSetWait_v2(struct event_set *set, nvmlEventData_t *data, unsigned timeout_ms)
{
    (void)timeout_ms;
    if (!initialised)
        return UNINITIALIZED;
    if (!set || !data)
        return INVALID_ARGUMENT;
    if (!set->gpu || set->next >= set->gpu->nxids)
        return TIMEOUT;
    memset(data, 0, sizeof *data);
    data->device = set->gpu;
    data->eventType = GX_EVENT_XID;
    data->eventData = set->gpu->xids[set->next++];
    data->gpuInstanceId = data->computeInstanceId = 0xFFFFFFFFu;
    return OK;
}

int nvmlEventSetFree(struct event_set *set)
{
    return set ? OK : INVALID_ARGUMENT;
}
#endif
