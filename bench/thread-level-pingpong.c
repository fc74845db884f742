/* Not part of gpuxfer, a diagnostic (results/issue38/README.md): a bare ping-pong of 8 bytes,
 * one clock pair around 24 round trips a sample, its median over 4000 samples; any argument
 * asks MPI_Init_thread for MPI_THREAD_FUNNELED instead of MPI_THREAD_SINGLE.
 *   mpicc -O2 -o pp bench/thread-level-pingpong.c && mpirun -np 2 ./pp [f] */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int rank, provided;
    MPI_Init_thread(&argc, &argv, argc > 1 ? MPI_THREAD_FUNNELED : MPI_THREAD_SINGLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    char *buf = NULL;
    if (posix_memalign((void **)&buf, 4096, 4096) != 0)
        MPI_Abort(MPI_COMM_WORLD, 1);
    int n = 24, samples = 4000;
    double *v = malloc(samples * sizeof *v);
    if (!v)
        MPI_Abort(MPI_COMM_WORLD, 1);
    for (int s = -400; s < samples; s++) {
        double t0 = MPI_Wtime();
        for (int i = 0; i < n; i++) {
            if (rank == 0) {
                MPI_Send(buf, 8, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
                MPI_Recv(buf, 8, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else {
                MPI_Recv(buf, 8, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(buf, 8, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
            }
        }
        if (s >= 0) v[s] = (MPI_Wtime() - t0) / n / 2 * 1e6;
    }
    if (rank == 0) {
        qsort(v, samples, sizeof *v, cmp);
        printf("bare ping-pong 8 B: median %.3f us, min %.3f\n", v[samples / 2], v[0]);
    }
    MPI_Finalize();
    return 0;
}
