/* MPI libraries: one ops table (mpilib.c); each library lives in its own file (openmpi.c,
 * mpich.c, cray_mpich.c, mvapich2.c). What the libraries differ in is asked of this table, not
 * decided by #if on MPI headers across the program. Adding a library: one file and one line of
 * the table. */
#ifndef GX_MPILIB_H
#define GX_MPILIB_H

#include <stddef.h>

enum gx_aware { GX_AWARE_UNKNOWN = -1, GX_AWARE_NO = 0, GX_AWARE_YES = 1 };

/* What a library's rule may look at. gx_mpilib_probe_fill fills it for the library this process
 * runs on; the unit tests fill it by hand, so that every rule is tested without its library. */
struct gx_mpilib_probe {
    const char *version;                  /* MPI_Get_library_version, every line */
    const char *(*env)(const char *name); /* getenv */
    /* The libraries' query calls, resolved at run time (dlsym); NULL where the library has none.
     * Open MPI (mpi-ext.h): */
    int (*query_cuda_support)(void);
    /* MPICH >= 4.0: MPIX_GPU_query_support(MPIX_GPU_SUPPORT_CUDA, &is_supported). */
    int (*gpu_query_support)(int gpu_type, int *is_supported);
    /* MPIX_CUDA_AWARE_SUPPORT in the mpi-ext.h gpuxfer was built with: 1, 0, or -1 where it was
     * not defined (gx_mpilib_mpi_ext_cuda_aware). */
    int mpi_ext_cuda_aware;
    /* Whether UCX carries this process's point-to-point traffic (the library's over_ucx), and
     * whether UCX's CUDA memory hooks (libucm_cuda) are loaded: gx_mpilib_cuda_aware's UCX rule. */
    int over_ucx;
    int ucm_cuda_loaded;
};

/* A rule's answer: yes, no or unknown, and a line that names the rule ("MPICH_GPU_SUPPORT_ENABLED=1
 * (Cray MPICH)"). */
struct gx_cuda_awareness {
    enum gx_aware aware;
    char why[320];
};

/* Shared objects loaded in this process, by the part of their file names after a prefix
 * (gx_mpilib_loaded): Open MPI's components, UCX's transport modules. */
#define GX_MPI_NAMES_TEXT 512
struct gx_mpi_names {
    int n, used;                   /* names kept; bytes of text they fill */
    char text[GX_MPI_NAMES_TEXT]; /* each name (at most 63 bytes) ended by '\0', those that fit */
};
/* The name after prev (NULL: the first); NULL after the last. */
const char *gx_mpi_names_next(const struct gx_mpi_names *n, const char *prev);

/* UCX as loaded in this process: its version and the settings that decide which transports
 * carry device buffers, as UCX itself reads them (environment and defaults together). Plain
 * bytes, zeroed before it is filled: ranks that run alike hand over identical ones. */
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

/* What carries this process's MPI traffic (the report's "mpi_transport"): the library's table
 * entry, what its transport() read, and UCX where it is loaded. Plain bytes, as gx_ucx_facts. */
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
    /* Whether MPI_Get_library_version's string is this library's. */
    int (*matches)(const char *library_version);
    /* Whether the library moves device (CUDA) buffers, by its own rule; NULL where the rule is
     * gpu_switch set to 1 (yes), unset or any other value no (Cray MPICH, MVAPICH2). */
    void (*cuda_aware)(const struct gx_mpilib_probe *p, struct gx_cuda_awareness *out);
    const char *gpu_switch;
    /* Optional: what carries this process's MPI traffic, after MPI_Init (Open MPI: its PML and
     * BTLs; MPICH: its device), into out; the report's "mpi_transport". */
    void (*transport)(const char *library_version, struct gx_mpi_transport *out);
    /* Optional: whether UCX carries point-to-point messages (Open MPI's pml ucx, MPICH's
     * ch4:ucx), after MPI_Init. */
    int (*over_ucx)(const char *library_version);
    /* Optional: what carries device buffers handed to MPI in this process, after MPI_Init, as
     * one line into buf; returns 1 where that is a slow generic route through host memory
     * (Open MPI's ob1 without smcuda), 0 otherwise. */
    int (*device_route)(const char *library_version, char *buf, size_t len);
    /* Optional: what the library prints by itself at start-up in this process's setting, and
     * why, as one line into buf (empty: nothing known); after MPI_Init. */
    void (*startup_notice)(const struct gx_mpilib_probe *p, char *buf, size_t len);
};

extern const struct gx_mpilib_ops gx_mpilib_openmpi, gx_mpilib_mpich, gx_mpilib_cray_mpich,
    gx_mpilib_mvapich2;

/* In the order they are tried: a library derived from another (Cray MPICH, MVAPICH2) before the
 * one it comes from. */
extern const struct gx_mpilib_ops *const gx_mpilib_table[];
extern const int gx_mpilib_count;

/* The first entry of the table whose matches() takes the string; NULL for none. */
const struct gx_mpilib_ops *gx_mpilib_find(const char *library_version);

/* A UCX boolean setting as UCX reads it: 1 (y, yes, on, 1, true), 0 (n, no, off, 0, false; any
 * case), -1 for anything else (unset, "try", "used"). */
int gx_ucx_bool(const char *value);
/* The library's rule for p (found from p->version); unknown for a library not in the table.
 * Over UCX without its CUDA hooks loaded, a yes becomes no where its memory-type cache
 * (UCX_MEMTYPE_CACHE) or its registration cache (UCX_RCACHE_ENABLE) is not n/no/off/0: UCX
 * would take device buffers for host memory, or a freed buffer's registration for a new one. */
void gx_mpilib_cuda_aware(const struct gx_mpilib_probe *p, struct gx_cuda_awareness *out);

/* What gpuxfer does with an answer: aware only on yes, or with --assume-cuda-aware (assume)
 * where the answer is not yes. Returns 1 or 0 and writes the report's reason into why. */
int gx_mpilib_decide(const struct gx_cuda_awareness *a, int assume, char *why, size_t len);

/* For the libraries' rules: sets out, the reason from fmt. */
void gx_mpilib_answer(struct gx_cuda_awareness *out, enum gx_aware aware, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills p for the MPI library this process runs on; the version string goes into buf (len:
 * MPI_MAX_LIBRARY_VERSION_STRING). */
void gx_mpilib_probe_fill(struct gx_mpilib_probe *p, char *buf, size_t len);

/* MPIX_CUDA_AWARE_SUPPORT of the mpi-ext.h gpuxfer was built with: 1, 0, -1 not defined (no
 * mpi-ext.h, or one without it). For the probe and --version's build configuration. */
int gx_mpilib_mpi_ext_cuda_aware(void);

/* The shared objects loaded in this process whose file names start with prefix, as the rest
 * of the name up to its first '.' ("mca_pml_" -> ["ob1"]) into names (NULL: only counted; the
 * first that fit kept); path gets the first one's path. Returns how many there are. */
int gx_mpilib_loaded(const char *prefix, struct gx_mpi_names *names, char *path, size_t len);
/* The library's device_route for this process; -1 (buf empty) where the library has none. */
int gx_mpilib_device_route(const char *library_version, char *buf, size_t len);
/* Whether the file system holding path keeps its files in memory (tmpfs, ramfs, hugetlbfs),
 * where a file mapping can be pinned for the GPU: 1 yes, 0 no (fs names it: "ext4", "xfs",
 * "nfs", "overlayfs"), -1 unknown (statfs failed, or a kind not in its list). */
int gx_fs_pinnable(const char *path, char *fs, size_t len);
/* The library's startup_notice for this process (buf empty where it has none or knows none). */
void gx_mpilib_startup_notice(const struct gx_mpilib_probe *p, char *buf, size_t len);
/* UCX as loaded in this process into out (zeroed first; loaded 0 without UCX). */
void gx_mpilib_ucx(struct gx_ucx_facts *out);
/* What carries MPI traffic in this process, for the library this process runs on, into out
 * (zeroed first): "library" names the table entry, the rest is its transport() and UCX. */
void gx_mpilib_transport(const char *library_version, struct gx_mpi_transport *out);

#endif
