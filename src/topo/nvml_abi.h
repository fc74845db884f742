/* The NVML declarations gpuxfer uses, as nvml.h lays them out; tests/fake_nvml.c shares them. */
#ifndef GX_NVML_ABI_H
#define GX_NVML_ABI_H

typedef struct {
    char busIdLegacy[16];
    unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;

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

enum { NVML_SUCCESS = 0, NVML_FEATURE_ENABLED = 1 };
enum { GX_NVML_ERROR_TIMEOUT = 10 };
enum { GX_FI_NVLINK_LINK_COUNT = 91 };
enum { GX_FI_C2C_LINK_COUNT = 170, GX_FI_C2C_LINK_STATUS = 171, GX_FI_C2C_LINK_MAX_BW = 172 };

/* The counters around a run: nvmlNvLinkErrorCounter_t, nvmlMemoryErrorType_t, nvmlClockType_t. */
enum { GX_NVL_ERR_REPLAY = 0, GX_NVL_ERR_RECOVERY = 1, GX_NVL_ERR_CRC_FLIT = 2,
       GX_NVL_ERR_CRC_DATA = 3 };
enum { GX_ECC_CORRECTED = 0, GX_ECC_UNCORRECTED = 1, GX_ECC_VOLATILE = 0 };
enum { GX_CLOCK_SM = 1, GX_CLOCK_MEM = 2 };

/* Events: nvmlEventTypeXidCriticalError, and what nvmlEventSetWait_v2 delivers. */
#define GX_EVENT_XID 0x8ULL
typedef struct {
    void *device;
    unsigned long long eventType, eventData;
    unsigned int gpuInstanceId, computeInstanceId;
} nvmlEventData_t;

#endif
