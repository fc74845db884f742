/* Experiment behind results/issue15/h200x4-um-pagestate-window.txt (part 1); not part of
 * gpuxfer. MPI bandwidth between managed buffers of 2 ranks (rank r on GPU r), the sender's
 * 64 MiB sent in chunks all at once (Isend/Irecv, Waitall), after the pages were put in one of
 * several states, untimed: where the CPU touched them, just moved by the driver (prefetched to
 * the host, or discarded to it), and those followed by a CPU touch. Median of 8 transfers.
 *   mpicc -O2 um-pagestate.c -o um-pagestate -lcudart      (the CUDA-aware Open MPI's mpicc)
 *   mpirun -np 2 [--mca opal_cuda_support 0] ./um-pagestate MIB CHUNK_MIB ADVISE */
#include <cuda_runtime.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { fprintf(stderr, "%s: %s\n", #x, cudaGetErrorString(e_)); MPI_Abort(MPI_COMM_WORLD, 1); } } while (0)

static int rank, gpu;
static cudaStream_t s;

static void pf(void *p, size_t n, int to_gpu)
{
    struct cudaMemLocation loc = {.type = to_gpu ? cudaMemLocationTypeDevice : cudaMemLocationTypeHost, .id = to_gpu ? gpu : 0};
    CK(cudaMemPrefetchAsync(p, n, loc, 0, s));
    CK(cudaStreamSynchronize(s));
}

static void discard(void *p, size_t n)
{
    void *ptrs[1] = {p};
    size_t sizes[1] = {n}, first[1] = {0};
    struct cudaMemLocation host = {.type = cudaMemLocationTypeHost, .id = 0};
    CK(cudaMemDiscardAndPrefetchBatchAsync(ptrs, sizes, 1, &host, first, 1, 0, s));
    CK(cudaStreamSynchronize(s));
}

static volatile unsigned long sink;
static void touch_read(char *p, size_t n)
{
    unsigned long a = 0;
    for (size_t i = 0; i < n; i += 4096)
        a += (unsigned char)p[i];
    sink = a;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* variants: what is done before each timed transfer */
enum { V_RESIDENT, V_SRC_MIG, V_SRC_MIG_TOUCH, V_DST_DISCARD, V_DST_MIG, V_DST_DISCARD_TOUCH, V_BOTH, V_BOTH_TOUCH, NV };
static const char *vname[NV] = {"resident (CPU touched)", "src GPU->host prefetch", "src migrated + CPU read",
                                "dst discarded to host", "dst GPU->host prefetch", "dst discarded + CPU write",
                                "src mig + dst discard (path)", "path + CPU touch both"};

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    gpu = rank;
    CK(cudaSetDevice(gpu));
    CK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    size_t total = argc > 1 ? strtoull(argv[1], 0, 0) << 20 : 64ul << 20;
    size_t chunk = argc > 2 ? strtoull(argv[2], 0, 0) << 20 : 4ul << 20;
    int advise = argc > 3 ? atoi(argv[3]) : 1;
    int reps = 8;
    char *src, *dst;
    CK(cudaMallocManaged((void **)&src, total, cudaMemAttachGlobal));
    CK(cudaMallocManaged((void **)&dst, total, cudaMemAttachGlobal));
    if (advise) {
        struct cudaMemLocation cpu = {.type = cudaMemLocationTypeHost, .id = 0};
        CK(cudaMemAdvise(src, total, cudaMemAdviseSetAccessedBy, cpu));
        CK(cudaMemAdvise(dst, total, cudaMemAdviseSetAccessedBy, cpu));
    }
    memset(src, 1, total);
    memset(dst, 0, total);
    int nch = (int)((total + chunk - 1) / chunk);
    MPI_Request *req = malloc(sizeof *req * nch);
    for (int v = 0; v < NV; v++) {
        double g[32], setup_ms = 0;
        for (int r = 0; r < reps + 1; r++) {
            double ts = MPI_Wtime();
            int sender = rank == 0;
            if (sender && (v == V_SRC_MIG || v == V_SRC_MIG_TOUCH || v == V_BOTH || v == V_BOTH_TOUCH)) {
                pf(src, total, 1);
                pf(src, total, 0);
                if (v == V_SRC_MIG_TOUCH || v == V_BOTH_TOUCH)
                    touch_read(src, total);
            }
            if (!sender && (v == V_DST_DISCARD || v == V_DST_DISCARD_TOUCH || v == V_BOTH || v == V_BOTH_TOUCH)) {
                pf(dst, total, 1);
                discard(dst, total);
                if (v == V_DST_DISCARD_TOUCH || v == V_BOTH_TOUCH)
                    for (size_t i = 0; i < total; i += 4096)
                        dst[i] = 0;
            }
            if (!sender && v == V_DST_MIG) {
                pf(dst, total, 1);
                pf(dst, total, 0);
            }
            setup_ms += (MPI_Wtime() - ts) * 1e3;
            MPI_Barrier(MPI_COMM_WORLD);
            double t = MPI_Wtime();
            for (int c = 0; c < nch; c++) {
                size_t off = (size_t)c * chunk, len = total - off < chunk ? total - off : chunk;
                if (sender)
                    MPI_Isend(src + off, (int)len, MPI_BYTE, 1, 7, MPI_COMM_WORLD, &req[c]);
                else
                    MPI_Irecv(dst + off, (int)len, MPI_BYTE, 0, 7, MPI_COMM_WORLD, &req[c]);
            }
            MPI_Waitall(nch, req, MPI_STATUSES_IGNORE);
            MPI_Barrier(MPI_COMM_WORLD);
            double dt = MPI_Wtime() - t;
            if (r > 0)
                g[r - 1] = total / dt / 1e9;
        }
        qsort(g, reps, sizeof *g, cmpd);
        if (rank == 0)
            printf("umexp %4zuM chunk %2zuM advise %d  %-30s median %6.2f GB/s  min %6.2f max %6.2f  (setup %.1f ms/rep)\n",
                   total >> 20, chunk >> 20, advise, vname[v], (g[reps / 2 - 1] + g[reps / 2]) / 2, g[0], g[reps - 1], setup_ms / (reps + 1));
        fflush(stdout);
    }
    MPI_Finalize();
    return 0;
}
