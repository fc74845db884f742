/* A stand-in NVML (libnvidia-ml.so.1) for tests on machines without GPUs: gpuxfer loads NVML at
 * run time, so a test puts this one first on LD_LIBRARY_PATH (and GPUXFER_FAKE_NVML=1 tells
 * gpuxfer that it describes the --fake-gpus). It answers the calls gpuxfer makes from a file
 * named by GX_FAKE_NVML_CONFIG, one GPU a line:
 *
 *   BUSID NVML_VERSION LINKS ACTIVE CUR_GEN CUR_WIDTH MAX_GEN MAX_WIDTH
 *
 * '-' for a value NVML does not support on that GPU (NVML_ERROR_NOT_SUPPORTED). Every active
 * NVLink leads to an NVSwitch (a PCI device NVML has no handle for), as on an HGX board; the
 * links beyond ACTIVE are down. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OK = 0, UNINITIALIZED = 1, INVALID_ARGUMENT = 2, NOT_SUPPORTED = 3, NOT_FOUND = 6 };
enum { MAX_GPUS = 16, UNSUPPORTED = -1 };

typedef struct {
    char busIdLegacy[16];
    unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;

struct gpu {
    unsigned dom, bus, dev;
    int version, links, active, cur_gen, cur_width, max_gen, max_width;
};
typedef struct gpu *nvmlDevice_t;

static struct gpu gpus[MAX_GPUS];
static int ngpus, initialised;

static int field(const char *s)
{
    return strcmp(s, "-") == 0 ? UNSUPPORTED : atoi(s);
}

int nvmlInit_v2(void)
{
    const char *path = getenv("GX_FAKE_NVML_CONFIG");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return NOT_FOUND;
    char line[256];
    ngpus = 0;
    while (fgets(line, sizeof line, f) && ngpus < MAX_GPUS) {
        char bus[64], v[8][16];
        if (line[0] == '#' || sscanf(line, "%63s %15s %15s %15s %15s %15s %15s %15s", bus, v[0],
                                     v[1], v[2], v[3], v[4], v[5], v[6]) != 8)
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
    return (int)link < d->links ? OK : INVALID_ARGUMENT;
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
