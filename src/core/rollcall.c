#include "config.h"
#include "rollcall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TAG_ASK = 1, TAG_ANSWER = 2, ANSWER_LEN = 160 };

int gx_rollcall_open(struct gx_rollcall *rc, struct gx_err *err)
{
    MPI_Comm comm;
    GX_MPI_TRY(err, MPI_Comm_dup(MPI_COMM_WORLD, &comm));
    /* A dead peer must give the watchdog an error code, not abort the job under it. */
    GX_MPI_TRY(err, MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN));
    pthread_mutex_lock(&rc->mu);
    rc->comm = comm;
    rc->usable = MPI_Comm_size(comm, &rc->size) == MPI_SUCCESS;
    pthread_mutex_unlock(&rc->mu);
    return GX_OK;
}

void gx_rollcall_close(struct gx_rollcall *rc)
{
    pthread_mutex_lock(&rc->mu);
    rc->usable = 0; /* the communicator is left to MPI_Finalize: freeing it may wait on peers */
    pthread_mutex_unlock(&rc->mu);
}

int gx_rollcall_mpi_usable(struct gx_rollcall *rc)
{
    pthread_mutex_lock(&rc->mu);
    int u = rc->usable;
    pthread_mutex_unlock(&rc->mu);
    return u;
}

void gx_rollcall_answer(struct gx_rollcall *rc, const char *where)
{
    pthread_mutex_lock(&rc->mu);
    int asked = 0;
    MPI_Status st;
    if (rc->usable && MPI_Iprobe(0, TAG_ASK, rc->comm, &asked, &st) == MPI_SUCCESS && asked &&
        MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_ASK, rc->comm, MPI_STATUS_IGNORE) == MPI_SUCCESS) {
        char text[ANSWER_LEN];
        snprintf(text, sizeof text, "%s", where);
        /* Small enough to go eagerly: rank 0 receives it whenever it looks. */
        if (MPI_Send(text, ANSWER_LEN, MPI_CHAR, 0, TAG_ANSWER, rc->comm) != MPI_SUCCESS)
            fprintf(stderr, "gpuxfer: cannot answer the watchdog's roll call\n");
    }
    pthread_mutex_unlock(&rc->mu);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Receives the answers that came; returns how many. Called with rc->mu held. */
static int take_answers(struct gx_rollcall *rc, char *heard, char *answers, size_t len)
{
    int got = 0, flag = 1;
    MPI_Status st;
    while (MPI_Iprobe(MPI_ANY_SOURCE, TAG_ANSWER, rc->comm, &flag, &st) == MPI_SUCCESS && flag) {
        char text[ANSWER_LEN];
        if (MPI_Recv(text, ANSWER_LEN, MPI_CHAR, st.MPI_SOURCE, TAG_ANSWER, rc->comm,
                     MPI_STATUS_IGNORE) != MPI_SUCCESS)
            break;
        text[ANSWER_LEN - 1] = '\0';
        got += !heard[st.MPI_SOURCE];
        heard[st.MPI_SOURCE] = 1;
        size_t used = strlen(answers);
        if (used + 1 < len)
            snprintf(answers + used, len - used, "; rank %d is %s", st.MPI_SOURCE, text);
    }
    return got;
}

int gx_rollcall_ask(struct gx_rollcall *rc, double wait_s, int *silent, int max, char *answers,
                    size_t len)
{
    answers[0] = '\0';
    pthread_mutex_lock(&rc->mu);
    char *heard = rc->usable ? calloc((size_t)rc->size, 1) : NULL;
    MPI_Request *reqs = heard ? calloc((size_t)rc->size, sizeof *reqs) : NULL;
    if (!reqs) {
        free(heard);
        pthread_mutex_unlock(&rc->mu);
        return -1;
    }
    int waiting = rc->size - 1;
    for (int r = 1; r < rc->size; r++)
        if (MPI_Isend(NULL, 0, MPI_BYTE, r, TAG_ASK, rc->comm, &reqs[r]) != MPI_SUCCESS)
            reqs[r] = MPI_REQUEST_NULL;
    double until = now_s() + wait_s;
    while (waiting > 0 && now_s() < until) {
        waiting -= take_answers(rc, heard, answers, len);
        pthread_mutex_unlock(&rc->mu); /* lets the clock run without holding MPI */
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        pthread_mutex_lock(&rc->mu);
    }
    /* The questions to silent ranks stay posted: the job ends right after this. */
    int n = 0;
    for (int r = 1; r < rc->size && n < max; r++)
        if (!heard[r])
            silent[n++] = r;
    pthread_mutex_unlock(&rc->mu);
    free(reqs);
    free(heard);
    return n;
}
