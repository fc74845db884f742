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
 * board; the links beyond ACTIVE are down. */
#include "nvml_abi.h" /* the layouts and ids gpuxfer reads, shared with src/topo/nvml.c */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OK = NVML_SUCCESS, UNINITIALIZED = 1, INVALID_ARGUMENT = 2, NOT_SUPPORTED = 3, NOT_FOUND = 6 };
enum { MAX_GPUS = 16, UNSUPPORTED = -1 };


struct gpu {
    unsigned dom, bus, dev;
    int version, links, active, cur_gen, cur_width, max_gen, max_width;
    int c2c_links, c2c_up, c2c_mbs;
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
