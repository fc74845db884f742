/* The smallest CUDA-aware MPI program: rank 0 sends a device buffer to rank 1, which checks it.
 * What the MPI library prints around it (Open MPI 4.1's "The call to cuMemHostRegister(...)
 * failed" box on the one-GPU machines, say) it prints for any program that hands it device
 * buffers on this machine: tests/gpu_paths.sh runs this first and lists such a complaint as the
 * library's, once, instead of failing gpuxfer for it. Exit 0: the buffer arrived intact; 77
 * (automake's skip): no GPU here; 1: any call failed, or the bytes differ. */
#include <cuda_runtime_api.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BYTES (1u << 20)

static int cuda_ok(cudaError_t e, const char *call, int line)
{
    if (e == cudaSuccess)
        return 1;
    fprintf(stderr, "mpi_cuda_baseline: %s failed at line %d: %s\n", call, line,
            cudaGetErrorString(e));
    return 0;
}
#define CUDA_OK(call) cuda_ok((call), #call, __LINE__)

static int mpi_ok(int rc, const char *call, int line)
{
    if (rc == MPI_SUCCESS)
        return 1;
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS)
        snprintf(msg, sizeof msg, "error %d", rc);
    fprintf(stderr, "mpi_cuda_baseline: %s failed at line %d: %s\n", call, line, msg);
    return 0;
}
#define MPI_OK(call) mpi_ok((call), #call, __LINE__)

/* Rank 0 sends the pattern, rank 1 receives it into a device buffer and checks it on the host;
 * 0 when it arrived intact. */
static int exchange(int rank, unsigned char *dev, unsigned char *host)
{
    if (rank == 0) {
        for (unsigned i = 0; i < BYTES; i++)
            host[i] = (unsigned char)(i * 7 + 3);
        if (!CUDA_OK(cudaMemcpy(dev, host, BYTES, cudaMemcpyHostToDevice)) ||
            !MPI_OK(MPI_Send(dev, (int)BYTES, MPI_BYTE, 1, 0, MPI_COMM_WORLD)))
            return 1;
        return 0;
    }
    if (!CUDA_OK(cudaMemset(dev, 0, BYTES)) ||
        !MPI_OK(MPI_Recv(dev, (int)BYTES, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE)) ||
        !CUDA_OK(cudaMemcpy(host, dev, BYTES, cudaMemcpyDeviceToHost)))
        return 1;
    for (unsigned i = 0; i < BYTES; i++)
        if (host[i] != (unsigned char)(i * 7 + 3)) {
            fprintf(stderr, "mpi_cuda_baseline: byte %u arrived as %u\n", i, host[i]);
            return 1;
        }
    return 0;
}

int main(int argc, char **argv)
{
    int rank = 0, size = 0, ngpus = 0;
    if (!MPI_OK(MPI_Init(&argc, &argv)))
        return 1;
    int bad = !MPI_OK(MPI_Comm_rank(MPI_COMM_WORLD, &rank)) ||
              !MPI_OK(MPI_Comm_size(MPI_COMM_WORLD, &size));
    if (!bad && size != 2) {
        fprintf(stderr, "mpi_cuda_baseline: needs 2 ranks, got %d\n", size);
        bad = 1;
    }
    /* Every rank learns whether every rank has a GPU before anyone waits on another. */
    int has = cudaGetDeviceCount(&ngpus) == cudaSuccess && ngpus > 0, all = 0;
    if (!bad && !MPI_OK(MPI_Allreduce(&has, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD)))
        bad = 1;
    unsigned char *dev = NULL, *host = NULL;
    int rc = bad ? 1 : all ? 0 : 77;
    if (rc == 0) {
        host = malloc(BYTES);
        int ready = host && CUDA_OK(cudaSetDevice(rank % ngpus)) &&
                    CUDA_OK(cudaMalloc((void **)&dev, BYTES)), both = 0;
        rc = MPI_OK(MPI_Allreduce(&ready, &both, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD)) && both
                 ? exchange(rank, dev, host)
                 : 1;
    }
    if (dev)
        (void)CUDA_OK(cudaFree(dev));
    free(host);
    if (rc == 0 && rank == 1)
        printf("mpi_cuda_baseline: a device buffer of %u bytes arrived intact\n", BYTES);
    if (rc == 77 && rank == 0)
        printf("mpi_cuda_baseline: no GPU on every rank: nothing to hand the library\n");
    if (!MPI_OK(MPI_Finalize()))
        rc = 1;
    return rc;
}
