/* The few NVML declarations gpuxfer uses, laid out as nvml.h lays them out: NVML is loaded at
 * run time (nvml.c), so nvml.h is not needed to build. tests/fake_nvml.c, the stand-in library
 * of the tests, includes this too, so that the two can never disagree on a layout or an id. */
#ifndef GX_NVML_ABI_H
#define GX_NVML_ABI_H

typedef struct {
    char busIdLegacy[16];
    unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;

/* nvmlDeviceGetFieldValues' record. */
typedef struct {
    unsigned int fieldId, scopeId;
    long long timestamp, latencyUsec;
    int valueType, nvmlReturn;
    union {
        double dVal;
        unsigned int uiVal;
        unsigned long ulVal;
        unsigned long long ullVal;
        long long sllVal;
    } value;
} nvmlFieldValue_t;

/* Return codes and the C2C fields' ids (NVML_FI_DEV_C2C_LINK_*). */
enum { NVML_SUCCESS = 0, NVML_FEATURE_ENABLED = 1 };
enum { GX_FI_C2C_LINK_COUNT = 170, GX_FI_C2C_LINK_STATUS = 171, GX_FI_C2C_LINK_MAX_BW = 172 };

#endif
