/* diagnostic: a bare ping-pong, one clock pair around n round trips, repeated */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    int rank, provided;
    MPI_Init_thread(&argc, &argv, argc > 1 ? MPI_THREAD_FUNNELED : MPI_THREAD_SINGLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    char *buf;
    posix_memalign((void **)&buf, 4096, 4096);
    int n = 24, samples = 4000;
    double *v = malloc(samples * sizeof *v);
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
        int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
        qsort(v, samples, sizeof *v, cmp);
        printf("bare ping-pong 8 B: median %.3f us, min %.3f\n", v[samples / 2], v[0]);
    }
    MPI_Finalize();
    return 0;
}
