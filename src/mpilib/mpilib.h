/* MPI libraries: one ops table, each library in its own file, not #if on MPI headers. */
#ifndef GX_MPILIB_H
#define GX_MPILIB_H

#include <stddef.h>

enum gx_aware { GX_AWARE_UNKNOWN = -1, GX_AWARE_NO = 0, GX_AWARE_YES = 1 };

/* What a library's rule may look at; the unit tests fill it by hand. */
struct gx_mpilib_facts {
    const char *version;                  /* MPI_Get_library_version, every line */
    const char *(*env)(const char *name); /* getenv */
    /* The libraries' query calls, resolved at run time; NULL where the library has none. */
    int (*query_cuda_support)(void);                            /* Open MPI (mpi-ext.h) */
    int (*gpu_query_support)(int gpu_type, int *is_supported);  /* MPICH >= 4.0 */
    int mpi_ext_cuda_aware; /* gx_mpilib_mpi_ext_cuda_aware() */
    int over_ucx;           /* UCX carries this process's point-to-point traffic */
    int ucm_cuda_loaded;    /* UCX's CUDA memory hooks (libucm_cuda) are loaded */
};

/* A rule's answer, and a line that names the rule ("MPICH_GPU_SUPPORT_ENABLED=1 (Cray MPICH)"). */
struct gx_cuda_awareness {
    enum gx_aware aware;
    char why[320];
};

#define GX_MPI_NAMES_TEXT 512
struct gx_mpi_names {
    int n, used;                   /* names kept; bytes of text they fill */
    char text[GX_MPI_NAMES_TEXT]; /* each name (at most 63 bytes) ended by '\0', those that fit */
};
const char *gx_mpi_names_next(const struct gx_mpi_names *n, const char *prev);

/* UCX as loaded: its version and the settings that choose its transports. Zeroed first. */
#define GX_UCX_SETTINGS 6
struct gx_ucx_facts {
    int loaded;       /* libucp is in this process: the rest is known */
    int has_version;
    char version[64];
    int nsettings;
    struct {
        char name[24];
        char value[256];
    } settings[GX_UCX_SETTINGS];
    struct gx_mpi_names modules; /* libuct_* */
};

struct gx_mpi_transport {
    char library[32]; /* the table's name, or "unknown" */
    char pml[64];     /* Open MPI's selected PML; "" for other libraries */
    int has_btl;      /* Open MPI: btl lists the BTLs loaded (possibly none) */
    struct gx_mpi_names btl;
    char device[64];  /* MPICH's device ("ch4:ucx"); "" where it names none */
    struct gx_ucx_facts ucx;
};

struct gx_mpilib_ops {
    const char *name; /* as reasons name it: "Open MPI", "MPICH", ... */
    /* Its MPI_Get_library_version starts with `starts`, else holds one of `within`. */
    const char *starts, *within[2];
    /* NULL where the rule is gpu_switch set to 1 (yes), else no (Cray MPICH, MVAPICH2). */
    void (*cuda_aware)(const struct gx_mpilib_facts *p, struct gx_cuda_awareness *out);
    const char *gpu_switch;
    /* Optional, all after MPI_Init: the report's "mpi_transport" (Open MPI's PML and BTLs). */
    void (*transport)(const char *library_version, struct gx_mpi_transport *out);
    int (*over_ucx)(const char *library_version);
    /* What carries device buffers handed to MPI; 1 for a slow route through host memory. */
    int (*device_route)(const char *library_version, char *buf, size_t len);
    /* What the library prints by itself at start-up in this setting, and why, as one line. */
    void (*startup_notice)(const struct gx_mpilib_facts *p, char *buf, size_t len);
    /* 1 where the library gets the collective (its pattern's name) wrong on device buffers,
     * with why in buf: measured, it would fail validation or crash the job. */
    int (*device_coll_defect)(const char *library_version, const char *collective, int in_place,
                              char *buf, size_t len);
};

extern const struct gx_mpilib_ops gx_mpilib_openmpi, gx_mpilib_mpich, gx_mpilib_cray_mpich,
    gx_mpilib_mvapich2;

/* A library derived from another (Cray MPICH, MVAPICH2) before the one it comes from. */
extern const struct gx_mpilib_ops *const gx_mpilib_table[];
extern const int gx_mpilib_count;

const struct gx_mpilib_ops *gx_mpilib_find(const char *library_version);

/* The library's rule for p, with UCX's hookless caches turning a yes into no (mpilib.c). */
void gx_mpilib_cuda_aware(const struct gx_mpilib_facts *p, struct gx_cuda_awareness *out);

int gx_mpilib_decide(const struct gx_cuda_awareness *a, int assume, char *why, size_t len);

void gx_mpilib_answer(struct gx_cuda_awareness *out, enum gx_aware aware, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void gx_mpilib_facts_fill(struct gx_mpilib_facts *p, char *buf, size_t len);

int gx_mpilib_mpi_ext_cuda_aware(void);

/* The loaded shared objects named prefix...; each name's rest ("mca_pml_" -> "ob1"), how many. */
int gx_mpilib_loaded(const char *prefix, struct gx_mpi_names *names, char *path, size_t len);
int gx_mpilib_device_route(const char *library_version, char *buf, size_t len);
int gx_mpilib_device_coll_defect(const char *library_version, const char *collective,
                                 int in_place, char *buf, size_t len);
/* Whether the file system of path keeps its files in memory, where a mapping can be pinned. */
int gx_fs_pinnable(const char *path, char *fs, size_t len);
void gx_mpilib_startup_notice(const struct gx_mpilib_facts *p, char *buf, size_t len);
void gx_mpilib_transport(const char *library_version, struct gx_mpi_transport *out);

#endif
