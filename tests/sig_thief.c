/* LD_PRELOAD shim for tests/signal_table.sh: a library that takes a stop signal while it
 * starts. After the real MPI_Init_thread (or MPI_Init), SIGUSR1 is ignored and SIGUSR2 goes to
 * a handler of this shim that does nothing. gpuxfer must take both back before its steps, so
 * that each still stops the run. */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <signal.h>
#include <stddef.h>

static void swallow(int sig)
{
    (void)sig;
}

static void take_signals(void)
{
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, swallow);
}

int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
{
    int (*real)(int *, char ***, int, int *);
    *(void **)&real = dlsym(RTLD_NEXT, "MPI_Init_thread");
    int rc = real ? real(argc, argv, required, provided) : 1;
    take_signals();
    return rc;
}

int MPI_Init(int *argc, char ***argv)
{
    int (*real)(int *, char ***);
    *(void **)&real = dlsym(RTLD_NEXT, "MPI_Init");
    int rc = real ? real(argc, argv) : 1;
    take_signals();
    return rc;
}
