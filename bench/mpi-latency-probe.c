/* Not part of gpuxfer: a ping-pong of device buffers between 2 ranks that isolates what could
 * make gpuxfer's MPI latency differ from osu_latency's on the same MPI and GPUs.
 *   mpi-latency-probe LEVEL CALLS TIMING SIZE [ITERS]
 * LEVEL  single|funneled|multiple  (MPI_Init_thread's request)
 * CALLS  send    MPI_Send / MPI_Recv (as osu_latency)
 *        isend   MPI_Isend or MPI_Irecv, then MPI_Waitall (as gpuxfer's mpi path)
 * TIMING loop    one clock around all iterations, mean (as osu_latency)
 *        each    a clock around every round trip, median (as gpuxfer)
 * With PROBE_THREAD=1 a second thread calls MPI_Iprobe every 100 ms (gpuxfer's old roll call). */
#include <cuda_runtime.h>
#include <mpi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int stop;
static void *prober(void *arg)
{
    MPI_Comm c = *(MPI_Comm *)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
        int flag;
        MPI_Iprobe(0, 1, c, &flag, MPI_STATUS_IGNORE);
        usleep(100000);
    }
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void xfer(int isend, int send, void *buf, size_t n, int peer)
{
    if (!isend) {
        if (send)
            MPI_Send(buf, (int)n, MPI_BYTE, peer, 7, MPI_COMM_WORLD);
        else
            MPI_Recv(buf, (int)n, MPI_BYTE, peer, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        return;
    }
    MPI_Request r;
    if (send)
        MPI_Isend(buf, (int)n, MPI_BYTE, peer, 7, MPI_COMM_WORLD, &r);
    else
        MPI_Irecv(buf, (int)n, MPI_BYTE, peer, 7, MPI_COMM_WORLD, &r);
    MPI_Waitall(1, &r, MPI_STATUSES_IGNORE);
}

int main(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    int want = !strcmp(argv[1], "multiple") ? MPI_THREAD_MULTIPLE
               : !strcmp(argv[1], "funneled") ? MPI_THREAD_FUNNELED : MPI_THREAD_SINGLE;
    int isend = !strcmp(argv[2], "isend"), each = !strcmp(argv[3], "each");
    size_t n = strtoull(argv[4], NULL, 0);
    int iters = argc > 5 ? atoi(argv[5]) : 10000, warm = 1000;
    char *lr = getenv("OMPI_COMM_WORLD_LOCAL_RANK");
    if (cudaSetDevice(lr ? atoi(lr) : 0) != cudaSuccess)
        return 3;
    int got;
    MPI_Init_thread(&argc, &argv, want, &got);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    void *buf;
    if (cudaMalloc(&buf, n ? n : 1) != cudaSuccess || cudaMemset(buf, rank + 1, n) != cudaSuccess)
        return 4;
    MPI_Comm pc;
    MPI_Comm_dup(MPI_COMM_WORLD, &pc);
    pthread_t th;
    int probe = getenv("PROBE_THREAD") && got == MPI_THREAD_MULTIPLE;
    if (probe)
        pthread_create(&th, NULL, prober, &pc);
    double *t = malloc(sizeof *t * (size_t)iters), t0 = 0;
    int peer = 1 - rank;
    MPI_Barrier(MPI_COMM_WORLD);
    for (int i = -warm; i < iters; i++) {
        if (i == 0)
            t0 = MPI_Wtime();
        double a = MPI_Wtime();
        xfer(isend, rank == 0, buf, n, peer);
        xfer(isend, rank != 0, buf, n, peer);
        if (i >= 0)
            t[i] = MPI_Wtime() - a;
    }
    double total = MPI_Wtime() - t0;
    if (probe) {
        __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
        pthread_join(th, NULL);
    }
    if (rank == 0) {
        qsort(t, (size_t)iters, sizeof *t, cmp);
        printf("probe level=%s(got %d) calls=%s size=%zu thread=%d  loop-mean %.3f us  "
               "each-median %.3f us  each-p5 %.3f us\n", argv[1], got, argv[2], n, probe,
               total / iters / 2 * 1e6, t[iters / 2] / 2 * 1e6, t[iters / 20] / 2 * 1e6);
    }
    (void)each;
    MPI_Finalize();
    return 0;
}
