/* The report's context: who ran where, bound how, with which libraries and settings. */
#include "config.h"
#include "context.h"
#include "gpu.h"
#include "job.h"
#include "mpilib.h"
#include "topo.h"
#include "versions.h"

#include <cjson/cJSON.h>
#include <hwloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char *const env_prefixes[] = {"OMPI_", "PMIX_", "UCX_", "NCCL_", "SLURM_", "CUDA_",
                                           "MPICH_", "MV2_", "FI_"};

static cJSON *env_json(void)
{
    cJSON *env = cJSON_CreateObject();
    for (char **e = environ; env && *e; e++) {
        for (size_t i = 0; i < GX_ARRAY_LEN(env_prefixes); i++) {
            if (strncmp(*e, env_prefixes[i], strlen(env_prefixes[i])) != 0)
                continue;
            const char *eq = strchr(*e, '=');
            if (!eq)
                break;
            char name[256];
            size_t len = (size_t)(eq - *e) < sizeof name - 1 ? (size_t)(eq - *e) : sizeof name - 1;
            memcpy(name, *e, len);
            name[len] = '\0';
            cJSON_AddStringToObject(env, name, eq + 1);
            break;
        }
    }
    return env;
}

/* The CPUs this process is bound to, as hwloc reads them back ("0-3,8"). */
static int bound_cpuset(char **out, struct gx_err *err)
{
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0)
        return gx_fail(err, GX_ERUNTIME, "hwloc_topology_init failed");
    int rc = GX_OK;
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set || hwloc_topology_load(topo) != 0)
        rc = gx_fail(err, GX_ERUNTIME, "hwloc_topology_load failed");
    else if (hwloc_get_cpubind(topo, set, HWLOC_CPUBIND_PROCESS) != 0)
        rc = gx_fail(err, GX_ERUNTIME, "hwloc_get_cpubind failed");
    else if (hwloc_bitmap_list_asprintf(out, set) < 0)
        rc = gx_fail(err, GX_ERUNTIME, "out of host memory");
    hwloc_bitmap_free(set);
    hwloc_topology_destroy(topo);
    return rc;
}

static int rank_json(const struct gx_job *job, cJSON **out, struct gx_err *err)
{
    char host[256] = "", lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "unknown");
    GX_MPI_TRY(err, gx_mpi_library(lib, sizeof lib));
    char *cpus = NULL;
    GX_TRY(bound_cpuset(&cpus, err));
    cJSON *r = cJSON_CreateObject();
    if (!r) {
        free(cpus);
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    }
    cJSON_AddNumberToObject(r, "rank", job->rank);
    cJSON_AddStringToObject(r, "hostname", host);
    cJSON_AddNumberToObject(r, "pid", (double)getpid());
    cJSON_AddNumberToObject(r, "node", job->node);
    cJSON_AddNumberToObject(r, "local_rank", job->local_rank);
    cJSON_AddNumberToObject(r, "local_size", job->local_size);
    cJSON_AddStringToObject(r, "mpi_library", lib);
    cJSON_AddStringToObject(r, "cpuset", cpus);
    cJSON_AddBoolToObject(r, "cuda_aware_mpi", job->cuda_aware);
    cJSON_AddStringToObject(r, "cuda_aware_mpi_reason", job->cuda_aware_why);
    cJSON_AddStringToObject(r, "cuda_context", gx_gpu_early_why());
    if (job->mpi_notice && job->mpi_notice[0])
        cJSON_AddStringToObject(r, "mpi_startup_notice", job->mpi_notice);
    cJSON_AddItemToObject(r, "mpi_transport", gx_mpilib_transport_json(lib));
    cJSON_AddItemToObject(r, "env", env_json());
    cJSON_AddItemToObject(r, "software", gx_software_json());
    gx_topo_rank_json(job, r);
    free(cpus);
    *out = r;
    return GX_OK;
}

static const char *launcher(void)
{
    if (getenv("SLURM_STEP_ID") && !getenv("OMPI_COMM_WORLD_SIZE"))
        return "srun";
    if (getenv("OMPI_COMM_WORLD_SIZE"))
        return getenv("SLURM_JOB_ID") ? "mpirun (Open MPI) in a Slurm allocation"
                                      : "mpirun (Open MPI)";
    if (getenv("PMI_RANK") || getenv("PMI_SIZE"))
        return "mpiexec (PMI)";
    return "unknown";
}

int gx_context_gather(const struct gx_job *job, void **context_json, struct gx_err *err)
{
    cJSON *mine = NULL;
    *context_json = NULL;
    int rc = rank_json(job, &mine, err);
    /* Even a failed rank takes part, so that nobody waits in the gather. */
    char *text = mine ? cJSON_PrintUnformatted(mine) : NULL;
    cJSON_Delete(mine);
    int len = text ? (int)strlen(text) + 1 : 0;
    int *lens = NULL, *displs = NULL;
    char *all = NULL;
    if (job->rank == 0) {
        lens = calloc((size_t)job->size, sizeof *lens);
        displs = calloc((size_t)job->size, sizeof *displs);
        if (!lens || !displs)
            rc = gx_fail(err, GX_ERUNTIME, "out of host memory");
    }
    int mrc = MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, job->comm);
    long total = 0;
    if (job->rank == 0 && lens && displs)
        for (int i = 0; i < job->size; i++) {
            displs[i] = (int)total;
            total += lens[i];
        }
    if (job->rank == 0 && !(all = malloc((size_t)total + 1)))
        rc = gx_fail(err, GX_ERUNTIME, "out of host memory");
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Gatherv(text ? text : "", len, MPI_CHAR, all, lens, displs, MPI_CHAR, 0,
                          job->comm);
    free(text);
    if (mrc != MPI_SUCCESS && rc == GX_OK)
        rc = gx_fail_mpi(err, mrc, "MPI_Gather(context)", __FILE__, __LINE__);
    if (job->rank == 0 && rc == GX_OK) {
        cJSON *ctx = cJSON_CreateObject(), *jobj = cJSON_AddObjectToObject(ctx, "job");
        cJSON_AddNumberToObject(jobj, "ranks", job->size);
        cJSON_AddNumberToObject(jobj, "nodes", job->nnodes);
        cJSON_AddStringToObject(jobj, "launcher", launcher());
        cJSON_AddItemToObject(ctx, "build", gx_build_json());
        /* The allocation, so that reports of one sweep (job array) can be told apart. */
        static const char *const slurm[][2] = {
            {"slurm_job_id", "SLURM_JOB_ID"},
            {"slurm_array_job_id", "SLURM_ARRAY_JOB_ID"},
            {"slurm_array_task_id", "SLURM_ARRAY_TASK_ID"},
            {"slurm_partition", "SLURM_JOB_PARTITION"},
            {"slurm_nodelist", "SLURM_JOB_NODELIST"},
            {"slurm_tasks_per_node", "SLURM_TASKS_PER_NODE"},
            {"slurm_gpus_per_task", "SLURM_GPUS_PER_TASK"},
            {"slurm_gpus_per_node", "SLURM_GPUS_PER_NODE"},
            {"slurm_cpus_per_task", "SLURM_CPUS_PER_TASK"},
        };
        for (size_t i = 0; i < GX_ARRAY_LEN(slurm); i++) {
            const char *v = getenv(slurm[i][1]);
            if (v && *v)
                cJSON_AddStringToObject(jobj, slurm[i][0], v);
        }
        cJSON *ranks = cJSON_AddArrayToObject(ctx, "ranks");
        for (int i = 0; i < job->size; i++) {
            cJSON *r = lens[i] ? cJSON_Parse(all + displs[i]) : NULL;
            cJSON_AddItemToArray(ranks, r ? r : cJSON_CreateNull());
        }
        *context_json = ctx;
    }
    free(all);
    free(lens);
    free(displs);
    return rc;
}
