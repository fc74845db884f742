/* The MPI library table (src/mpilib): which library each MPI_Get_library_version string is, and
 * each library's CUDA-awareness rule, with fake version strings, environments and query calls,
 * so that every rule is tested without its library. Then what --assume-cuda-aware does with an
 * answer, and the facts of the library this test runs on. */
#include "mpilib.h"
#include "tap.h"

#include <string.h>

/* Version strings as the libraries print them: Open MPI 4.1.4 and MPICH 4.0.2 are Debian's
 * (run here); the others as MPI.jl's MPIPreferences tests and Spack's and sites' logs quote
 * them. */
#define V_OMPI4 "Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4, " \
                "May 26, 2022"
#define V_OMPI5 "Open MPI v5.0.0rc12, package: Open MPI root@builder Distribution, ident: " \
                "5.0.0rc12, repo rev: v5.0.0rc12, Unreleased developer copy\n"
#define V_SPECTRUM "Open MPI v3.1.0, package: IBM Spectrum MPI, ident: 10.03.01.00rtm0, repo " \
                   "rev: IBM_SPECTRUM_MPI_10.03.01.00_2019.04.02, Apr 02, 2019\n"
#define V_MPICH4 "MPICH Version:\t4.0.2\nMPICH Release date:\tThu Apr  7 12:34:45 CDT 2022\n" \
                 "MPICH ABI:\t14:2:2\nMPICH Device:\tch4:ucx\nMPICH configure:\t--prefix=/usr " \
                 "--with-device=ch4:ucx\n"
#define V_MPICH3 "MPICH Version:\t3.4.2\nMPICH Release date:\tWed May 26 15:51:40 CDT 2021\n" \
                 "MPICH Device:\tch3:nemesis\nMPICH configure:\t--prefix=/usr\n"
#define V_MPICH2 "MPICH2 Version:\t1.5\nMPICH2 Release date:\tUnreleased development copy\n"
#define V_CRAY7 "MPI VERSION    : CRAY MPICH version 7.7.14 (ANL base 3.2)\n" \
                "MPI BUILD INFO : Built Tue May 19 13:54:36 2020 (git hash e25eab9) MT-G\n"
#define V_CRAY8 "MPI VERSION    : CRAY MPICH version 8.1.25.17 (ANL base 3.4a2)\n" \
                "MPI BUILD INFO : Sun Feb 26 16:42 2023 (git hash aecd99f)\n"
#define V_MV2 "MVAPICH2 Version      :\t2.3.6\nMVAPICH2 Release date :\tMon March 29 22:00:00 " \
              "EST 2021\nMVAPICH2 Device       :\tch3:mrail\n"
/* A derived library that also quotes MPICH's own lines must still be itself. */
#define V_CRAY_QUOTING "MPI VERSION    : CRAY MPICH version 9.0.0.113 (ANL base 4.1.2)\n" \
                       "MPICH Version:\t4.1.2\n"
#define V_MV2_QUOTING "MVAPICH2 Version      :\t2.3.7\nMVAPICH2 configure    :\t" \
                      "--with-mpich-device=ch3 MPICH Version:\t3.2\n"
#define V_INTEL "Intel(R) MPI Library 2021.6 for Linux* OS\n"

static void recognition(void)
{
    static const struct {
        const char *version;
        const struct gx_mpilib_ops *lib;
        const char *what;
    } cases[] = {
        {V_OMPI4, &gx_mpilib_openmpi, "Open MPI 4.1.4"},
        {V_OMPI5, &gx_mpilib_openmpi, "Open MPI 5.0"},
        {V_SPECTRUM, &gx_mpilib_openmpi, "IBM Spectrum MPI (Open MPI)"},
        {V_MPICH4, &gx_mpilib_mpich, "MPICH 4.0.2"},
        {V_MPICH3, &gx_mpilib_mpich, "MPICH 3.4.2"},
        {V_MPICH2, &gx_mpilib_mpich, "MPICH2 1.5"},
        {V_CRAY7, &gx_mpilib_cray_mpich, "Cray MPICH 7.7"},
        {V_CRAY8, &gx_mpilib_cray_mpich, "Cray MPICH 8.1"},
        {V_CRAY_QUOTING, &gx_mpilib_cray_mpich, "Cray MPICH quoting MPICH's lines"},
        {V_MV2, &gx_mpilib_mvapich2, "MVAPICH2 2.3.6"},
        {V_MV2_QUOTING, &gx_mpilib_mvapich2, "MVAPICH2 quoting MPICH's lines"},
        {V_INTEL, NULL, "Intel MPI: not in the table"},
        {"Some Other MPI 1.0\n", NULL, "an unknown library"},
        {"", NULL, "an empty string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct gx_mpilib_ops *got = gx_mpilib_find(cases[i].version);
        ok(got == cases[i].lib, "recognised: %s -> %s", cases[i].what, got ? got->name : "none");
    }
    ok(gx_mpilib_find(NULL) == NULL, "no version string: no library");
    /* Every entry's name is unique and every entry has both ops (its rule a function or a
     * switch). */
    int complete = 1;
    for (int i = 0; i < gx_mpilib_count; i++) {
        complete &= gx_mpilib_table[i]->name &&
                    (gx_mpilib_table[i]->starts || gx_mpilib_table[i]->within[0]) &&
                    (gx_mpilib_table[i]->cuda_aware || gx_mpilib_table[i]->gpu_switch);
        for (int j = 0; j < i; j++)
            complete &= strcmp(gx_mpilib_table[i]->name, gx_mpilib_table[j]->name) != 0;
    }
    ok(complete && gx_mpilib_count == 4, "the table: 4 libraries, each named once, with its ops");
}

/* Fake environment: one variable set to a value (NULL: nothing set). */
static const char *fake_var, *fake_value, *fake_var2, *fake_value2;
static const char *fake_env(const char *name)
{
    if (fake_var2 && strcmp(name, fake_var2) == 0)
        return fake_value2;
    return fake_var && strcmp(name, fake_var) == 0 ? fake_value : NULL;
}

/* Fake query calls: what they answer, and whether and how they were called. */
static int cuda_support_answer, cuda_support_calls;
static int fake_query_cuda_support(void)
{
    cuda_support_calls++;
    return cuda_support_answer;
}
static int gpu_query_rc, gpu_query_supported, gpu_query_type = -1;
static int fake_gpu_query_support(int gpu_type, int *is_supported)
{
    gpu_query_type = gpu_type;
    if (gpu_query_rc == 0)
        *is_supported = gpu_query_supported;
    return gpu_query_rc;
}

/* The facts of a library: its version string and every query present; each test takes away what
 * its case lacks. */
static struct gx_mpilib_facts facts_of(const char *version)
{
    fake_var = fake_value = fake_var2 = fake_value2 = NULL;
    cuda_support_calls = 0;
    gpu_query_type = -1;
    return (struct gx_mpilib_facts){
        .version = version,
        .env = fake_env,
        .query_cuda_support = fake_query_cuda_support,
        .gpu_query_support = fake_gpu_query_support,
        .mpi_ext_cuda_aware = -1,
    };
}

static struct gx_cuda_awareness answer(const struct gx_mpilib_facts *p)
{
    struct gx_cuda_awareness a = {.aware = 42};
    gx_mpilib_cuda_aware(p, &a);
    return a;
}

static int says(const struct gx_cuda_awareness *a, enum gx_aware aware, const char *why)
{
    if (a->aware == aware && strcmp(a->why, why) == 0)
        return 1;
    printf("# got %d \"%s\", expected %d \"%s\"\n", a->aware, a->why, aware, why);
    return 0;
}

static void openmpi(void)
{
    struct gx_mpilib_facts p = facts_of(V_OMPI4);
    cuda_support_answer = 1;
    struct gx_cuda_awareness a = answer(&p);
    ok(says(&a, GX_AWARE_YES, "MPIX_Query_cuda_support() = 1 (Open MPI)") &&
           cuda_support_calls == 1,
       "Open MPI: MPIX_Query_cuda_support() = 1 -> aware");

    p = facts_of(V_OMPI4);
    p.mpi_ext_cuda_aware = 0;
    cuda_support_answer = 0;
    a = answer(&p);
    ok(says(&a, GX_AWARE_NO,
            "MPIX_Query_cuda_support() = 0: Open MPI built without CUDA "
            "(MPIX_CUDA_AWARE_SUPPORT = 0)"),
       "Open MPI built without CUDA (MPIX_CUDA_AWARE_SUPPORT = 0, query 0) -> not, says so");

    p = facts_of(V_OMPI5);
    p.mpi_ext_cuda_aware = 1;
    a = answer(&p);
    ok(says(&a, GX_AWARE_NO, "MPIX_Query_cuda_support() = 0 at run time (Open MPI)"),
       "Open MPI built with CUDA, query 0 at run time -> not");

    p = facts_of(V_OMPI4);
    p.query_cuda_support = NULL;
    a = answer(&p);
    ok(says(&a, GX_AWARE_UNKNOWN,
            "Open MPI without MPIX_Query_cuda_support (built without its cuda extension)"),
       "Open MPI without MPIX_Query_cuda_support -> unknown");

    /* Another library's means say nothing about Open MPI. */
    p = facts_of(V_OMPI4);
    p.query_cuda_support = NULL;
    fake_var = "MV2_USE_CUDA", fake_value = "1";
    gpu_query_supported = 1;
    a = answer(&p);
    ok(a.aware == GX_AWARE_UNKNOWN && gpu_query_type == -1,
       "Open MPI: MV2_USE_CUDA=1 and MPIX_GPU_query_support are not its rule");
}

static void mpich(void)
{
    struct gx_mpilib_facts p = facts_of(V_MPICH4);
    gpu_query_rc = 0, gpu_query_supported = 1;
    struct gx_cuda_awareness a = answer(&p);
    ok(says(&a, GX_AWARE_YES, "MPIX_GPU_query_support(CUDA) = 1 (MPICH)") && gpu_query_type == 0,
       "MPICH: MPIX_GPU_query_support(MPIX_GPU_SUPPORT_CUDA = 0) says 1 -> aware");

    p = facts_of(V_MPICH4);
    gpu_query_supported = 0;
    a = answer(&p);
    ok(says(&a, GX_AWARE_NO, "MPIX_GPU_query_support(CUDA) = 0 (MPICH)"),
       "MPICH: MPIX_GPU_query_support says 0 -> not");

    p = facts_of(V_MPICH4);
    gpu_query_rc = 15; /* any MPI error class */
    a = answer(&p);
    ok(says(&a, GX_AWARE_UNKNOWN, "MPIX_GPU_query_support(CUDA) failed (error 15, MPICH)"),
       "MPICH: MPIX_GPU_query_support fails -> unknown");
    gpu_query_rc = 0;

    p = facts_of(V_MPICH3);
    p.gpu_query_support = NULL;
    cuda_support_answer = 1;
    a = answer(&p);
    ok(says(&a, GX_AWARE_UNKNOWN,
            "MPICH without MPIX_GPU_query_support (before 4.0) cannot be asked") &&
           cuda_support_calls == 0,
       "MPICH 3.x without MPIX_GPU_query_support -> unknown (Open MPI's query not asked)");
}

static void env_rule(const char *version, const char *var, const char *lib)
{
    static const struct {
        const char *value;
        enum gx_aware aware;
        const char *why; /* %1$s: var, %2$s: lib */
    } cases[] = {
        {"1", GX_AWARE_YES, "%s=1 (%s)"},
        {"0", GX_AWARE_NO, "%s=0 (%s: GPU support only with %s=1)"},
        {"yes", GX_AWARE_NO, "%s=yes (%s: GPU support only with %s=1)"},
        {NULL, GX_AWARE_NO, "%s unset (%s: GPU support off)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct gx_mpilib_facts p = facts_of(version);
        fake_var = var, fake_value = cases[i].value;
        gpu_query_rc = 0, gpu_query_supported = 1, cuda_support_answer = 1;
        struct gx_cuda_awareness a = answer(&p);
        char why[192];
        snprintf(why, sizeof why, cases[i].why, var, lib, var);
        ok(says(&a, cases[i].aware, why) && gpu_query_type == -1 && cuda_support_calls == 0,
           "%s: %s%s%s -> %s, by the environment alone", lib, var, cases[i].value ? "=" : " ",
           cases[i].value ? cases[i].value : "unset",
           cases[i].aware == GX_AWARE_YES ? "aware" : "not");
    }
    /* Another library's variable is not this one's switch. */
    struct gx_mpilib_facts p = facts_of(version);
    fake_var = strcmp(var, "MV2_USE_CUDA") == 0 ? "MPICH_GPU_SUPPORT_ENABLED" : "MV2_USE_CUDA";
    fake_value = "1";
    struct gx_cuda_awareness a = answer(&p);
    ok(a.aware == GX_AWARE_NO, "%s: %s=1 is not its switch", lib, fake_var);
    p.env = NULL;
    a = answer(&p);
    ok(a.aware == GX_AWARE_NO, "%s: no environment at all -> not", lib);
}

static void unknown_library(void)
{
    struct gx_mpilib_facts p = facts_of(V_INTEL);
    struct gx_cuda_awareness a = answer(&p);
    ok(says(&a, GX_AWARE_UNKNOWN,
            "an MPI library gpuxfer has no rule for (\"Intel(R) MPI Library 2021.6 for Linux* "
            "OS\")") &&
           cuda_support_calls == 0 && gpu_query_type == -1,
       "a library not in the table -> unknown, its first line named, nothing called");
    p = facts_of(NULL);
    a = answer(&p);
    ok(says(&a, GX_AWARE_UNKNOWN, "an MPI library gpuxfer has no rule for (\"\")"),
       "no version string -> unknown");
}

static void decide(void)
{
    char why[320];
    struct gx_cuda_awareness yes = {GX_AWARE_YES, "MPICH_GPU_SUPPORT_ENABLED=1 (Cray MPICH)"};
    struct gx_cuda_awareness no = {GX_AWARE_NO, "MV2_USE_CUDA unset (MVAPICH2: GPU support off)"};
    struct gx_cuda_awareness unknown = {GX_AWARE_UNKNOWN, "MPICH without MPIX_GPU_query_support "
                                                          "(before 4.0) cannot be asked"};
    ok(gx_mpilib_decide(&yes, 0, why, sizeof why) == 1 && strcmp(why, yes.why) == 0,
       "decide: yes -> aware, the rule's reason");
    ok(gx_mpilib_decide(&yes, 1, why, sizeof why) == 1 && strcmp(why, yes.why) == 0,
       "decide: yes with --assume-cuda-aware -> aware, still the rule's reason");
    ok(gx_mpilib_decide(&no, 0, why, sizeof why) == 0 && strcmp(why, no.why) == 0,
       "decide: no -> not, the rule's reason");
    ok(gx_mpilib_decide(&unknown, 0, why, sizeof why) == 0 &&
           strcmp(why, "unknown: MPICH without MPIX_GPU_query_support (before 4.0) cannot be "
                       "asked") == 0,
       "decide: unknown -> not, the reason says unknown (%s)", why);
    ok(gx_mpilib_decide(&unknown, 1, why, sizeof why) == 1 &&
           strcmp(why, "--assume-cuda-aware (unknown: MPICH without MPIX_GPU_query_support "
                       "(before 4.0) cannot be asked)") == 0,
       "decide: unknown with --assume-cuda-aware -> aware (%s)", why);
    ok(gx_mpilib_decide(&no, 1, why, sizeof why) == 1 &&
           strcmp(why, "--assume-cuda-aware, over MV2_USE_CUDA unset (MVAPICH2: GPU support "
                       "off)") == 0,
       "decide: no with --assume-cuda-aware -> aware, as before the table (%s)", why);
}

/* The facts of the library this test is linked with: its string is in the table (CI builds
 * with Open MPI and MPICH) and the environment is the process's. The query calls are not
 * made: MPI is not initialised here. */
static void real_facts(void)
{
    char version[8192];
    struct gx_mpilib_facts p;
    gx_mpilib_facts_fill(&p, version, sizeof version);
    const struct gx_mpilib_ops *lib = gx_mpilib_find(p.version);
    printf("# linked with %s: MPIX_Query_cuda_support %s, MPIX_GPU_query_support %s, "
           "MPIX_CUDA_AWARE_SUPPORT %d\n",
           lib ? lib->name : "an unknown library", p.query_cuda_support ? "present" : "absent",
           p.gpu_query_support ? "present" : "absent", p.mpi_ext_cuda_aware);
    ok(p.version == version && lib != NULL, "the real facts: this MPI library is in the table");
    ok(p.env && p.env("PATH") != NULL, "the real facts read the process's environment");
    ok(p.mpi_ext_cuda_aware == gx_mpilib_mpi_ext_cuda_aware(),
       "the real facts carry mpi-ext.h's MPIX_CUDA_AWARE_SUPPORT");
}

/* Over UCX without its CUDA hooks, a yes becomes no unless UCX_MEMTYPE_CACHE and
 * UCX_RCACHE_ENABLE turn both caches off; with the hooks, or not over UCX, or where the library
 * already says no, nothing changes. Which libraries say they run over UCX: Open MPI by its PML
 * (not readable here: no), MPICH by the device in its version string. */
static void ucx_rule(void)
{
    const char *yes = "MPIX_Query_cuda_support() = 1 (Open MPI)";
    struct gx_mpilib_facts p = facts_of(V_OMPI5);
    cuda_support_answer = 1;
    p.over_ucx = 1;
    struct gx_cuda_awareness a = answer(&p);
    ok(a.aware == GX_AWARE_NO && strstr(a.why, yes) && strstr(a.why, "libucm_cuda not loaded") &&
           strstr(a.why, "UCX_MEMTYPE_CACHE unset (on), UCX_RCACHE_ENABLE unset (on)") &&
           strstr(a.why, "launch with UCX_MEMTYPE_CACHE=n UCX_RCACHE_ENABLE=n"),
       "over UCX, no CUDA hooks, caches unset: no, saying why and what to set (%s)", a.why);
    static const char *const off[] = {"n", "no", "off", "0", "N", "NO", "OFF", "false"};
    for (size_t i = 0; i < sizeof off / sizeof *off; i++) {
        p = facts_of(V_OMPI5);
        p.over_ucx = 1;
        fake_var = "UCX_MEMTYPE_CACHE", fake_value = off[i];
        fake_var2 = "UCX_RCACHE_ENABLE", fake_value2 = off[(i + 3) % 8];
        a = answer(&p);
        ok(says(&a, GX_AWARE_YES, yes), "UCX_MEMTYPE_CACHE=%s UCX_RCACHE_ENABLE=%s: both caches "
           "off, yes stays", off[i], off[(i + 3) % 8]);
    }
    p = facts_of(V_OMPI5);
    p.over_ucx = 1;
    fake_var = "UCX_MEMTYPE_CACHE", fake_value = "n";
    fake_var2 = NULL;
    a = answer(&p);
    ok(a.aware == GX_AWARE_NO && strstr(a.why, "with UCX_RCACHE_ENABLE unset (on):") &&
           !strstr(a.why, "UCX_MEMTYPE_CACHE on"),
       "UCX_MEMTYPE_CACHE=n alone: the registration cache still on, no (%s)", a.why);
    static const char *const on[] = {"y", "yes", "try", "1", ""};
    for (size_t i = 0; i < sizeof on / sizeof *on; i++) {
        p = facts_of(V_OMPI5);
        p.over_ucx = 1;
        fake_var = "UCX_MEMTYPE_CACHE", fake_value = on[i];
        fake_var2 = "UCX_RCACHE_ENABLE", fake_value2 = "n";
        a = answer(&p);
        ok(a.aware == GX_AWARE_NO && strstr(a.why, "with UCX_MEMTYPE_CACHE on:"),
           "UCX_MEMTYPE_CACHE='%s': the cache may be on, no", on[i]);
    }
    fake_var2 = fake_value2 = NULL;
    p = facts_of(V_OMPI5);
    p.over_ucx = p.ucm_cuda_loaded = 1;
    a = answer(&p);
    ok(says(&a, GX_AWARE_YES, yes), "over UCX with its CUDA hooks loaded: yes stays");
    p = facts_of(V_OMPI5);
    a = answer(&p);
    ok(says(&a, GX_AWARE_YES, yes), "not over UCX (pml ob1): yes stays");
    p = facts_of(V_OMPI5);
    p.over_ucx = 1;
    cuda_support_answer = 0;
    a = answer(&p);
    ok(a.aware == GX_AWARE_NO && !strstr(a.why, "UCX"), "a library that says no: its own reason");
    ok(gx_mpilib_mpich.over_ucx && gx_mpilib_mpich.over_ucx(V_MPICH4) &&
           !gx_mpilib_mpich.over_ucx(V_MPICH3) && !gx_mpilib_mpich.over_ucx(V_MPICH2),
       "MPICH: over UCX by its device (ch4:ucx yes, ch3:nemesis no, none named no)");
    ok(gx_mpilib_openmpi.over_ucx && !gx_mpilib_openmpi.over_ucx(V_OMPI5),
       "Open MPI: over UCX only where its selected PML reads ucx (none here)");
}

/* Open MPI's start-up notice: its CUDA support and a session directory on a file system that
 * keeps files on disk (here /proc, which is not in memory either); none on tmpfs, none without
 * CUDA support, none for a library without the rule. */
static void startup_notice(void)
{
    char buf[512], fs[32];
    struct gx_mpilib_facts p = facts_of(V_OMPI4);
    cuda_support_answer = 1;
    fake_var = "OMPI_MCA_orte_jobfam_session_dir";
    fake_value = "/proc";
    gx_mpilib_startup_notice(&p, buf, sizeof buf);
    /* Not in the notice's own words, which dev/mpi-complaints.ere finds ("The call to cu...
     * failed"): tests/gpu_paths.sh would count the line as gpuxfer's complaint. */
    ok(strstr(buf, "session directory /proc is on proc") && strstr(buf, "cuMemHostRegister") &&
           strstr(buf, "TMPDIR=/dev/shm") && !strstr(buf, "The call to"),
       "Open MPI with CUDA support, session directory on a disk-like file system: %s", buf);
    fake_var = "PMIX_SERVER_TMPDIR"; /* Open MPI 5 names it only there */
    p.version = V_OMPI5;
    gx_mpilib_startup_notice(&p, buf, sizeof buf);
    ok(strstr(buf, "session directory /proc is on proc") != NULL,
       "Open MPI 5: the session directory from PMIX_SERVER_TMPDIR: %s", buf);
    cuda_support_answer = 0;
    gx_mpilib_startup_notice(&p, buf, sizeof buf);
    ok(buf[0] == '\0', "no notice without CUDA support (%s)", buf);
    cuda_support_answer = 1;
    int shm = gx_fs_pinnable("/dev/shm", fs, sizeof fs);
    fake_value = "/dev/shm";
    gx_mpilib_startup_notice(&p, buf, sizeof buf);
    if (shm == 1)
        ok(buf[0] == '\0', "no notice with the session directory on tmpfs (%s)", buf);
    else
        ok(1, "# SKIP /dev/shm is not tmpfs here (%s)", shm < 0 ? "unknown" : fs);
    ok(gx_fs_pinnable("/proc", fs, sizeof fs) == 0 && strcmp(fs, "proc") == 0 &&
           gx_fs_pinnable("/no/such/dir", fs, sizeof fs) == -1,
       "file systems: /proc keeps no pinnable files, a missing path is unknown");
    fake_value = "/proc";
    p.version = V_MPICH4;
    gx_mpilib_startup_notice(&p, buf, sizeof buf);
    ok(buf[0] == '\0', "MPICH: no notice known (%s)", buf);
}

/* Open MPI's coll/cuda before 6.0: an in-place reduce-scatter on device buffers reads past its
 * staged copy; skipped with why. Not out of place, not another collective, not 6.0, not MPICH. */
static void device_coll_defect(void)
{
    char buf[320];
    ok(gx_mpilib_device_coll_defect(V_OMPI4, "reduce-scatter", 1, buf, sizeof buf) == 1 &&
           strstr(buf, "Open MPI v4.1") && strstr(buf, "in-place reduce-scatter") &&
           strstr(buf, "#13883"),
       "Open MPI 4.1, in-place reduce-scatter on device buffers: %s", buf);
    ok(gx_mpilib_device_coll_defect(V_OMPI5, "reduce-scatter", 1, buf, sizeof buf) == 1,
       "Open MPI 5.0: the same (%s)", buf);
    ok(!gx_mpilib_device_coll_defect(V_OMPI4, "reduce-scatter", 0, buf, sizeof buf) &&
           buf[0] == '\0' && !gx_mpilib_device_coll_defect(V_OMPI4, "allreduce", 1, buf,
                                                            sizeof buf),
       "Open MPI 4.1: out of place, and another collective in place, measured");
    ok(!gx_mpilib_device_coll_defect("Open MPI v6.0.0, package: Open MPI", "reduce-scatter", 1,
                                     buf, sizeof buf) &&
           !gx_mpilib_device_coll_defect(V_MPICH4, "reduce-scatter", 1, buf, sizeof buf),
       "Open MPI 6.0 and MPICH: measured");
}

int main(void)
{
    recognition();
    ucx_rule();
    openmpi();
    mpich();
    env_rule(V_CRAY8, "MPICH_GPU_SUPPORT_ENABLED", "Cray MPICH");
    env_rule(V_MV2, "MV2_USE_CUDA", "MVAPICH2");
    unknown_library();
    decide();
    real_facts();
    startup_notice();
    device_coll_defect();
    return tap_done();
}
