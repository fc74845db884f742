#define _GNU_SOURCE 1 /* dladdr */
/* The watchdog's thread; its state and what the main thread tells it are in watchdog_limits.c. */
#include "config.h"
#include "watchdog.h"
#include "watchdog_state.h"
#include "rollcall.h"
#include "shm_segment.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* Then a rank other than 0 ends the job itself: rank 0 may be dead. */
#define PEER_WAIT_S 15.0
/* Under Slurm or mpirun every rank gets the signal: rank 0 writes the report first. */
#define SIGNAL_WAIT_S 2.0
#define PROGRESS_S 10.0

static volatile sig_atomic_t signal_pid;

/* Before MPI_Init, its pid and host, as the launcher's own lines name it. */
static const char *self_name(void)
{
    static char name[300];
    if (gx_wd.rank >= 0) {
        snprintf(name, sizeof name, "rank %d", gx_wd.rank);
    } else {
        char host[256] = "?";
        if (gethostname(host, sizeof host - 1) != 0)
            strcpy(host, "?");
        snprintf(name, sizeof name, "pid %ld on %s, before MPI_Init", (long)getpid(), host);
    }
    return name;
}

static void on_signal(int sig, siginfo_t *si, void *context)
{
    (void)context;
    int saved = errno;
    if (!gx_wd_got_signal) {
        signal_pid = si && si->si_code <= 0 ? si->si_pid : 0; /* sent by a process */
        gx_wd_got_signal = sig;
    }
    if (gx_wd.pipefd[1] >= 0) {
        ssize_t w = write(gx_wd.pipefd[1], "s", 1); /* wakes the watchdog; a full pipe is fine */
        (void)w;
    }
    errno = saved;
}

/* Refused (0) for a signal once the answer is being given. */
static int take_end(int by_signal)
{
    pthread_mutex_lock(&gx_wd.mu);
    int refused = by_signal && (gx_wd.final || gx_wd.shutting_down);
    if (!refused)
        gx_wd.ending = 1;
    pthread_mutex_unlock(&gx_wd.mu);
    return !refused;
}

/* No MPI_Abort (rollcall.h): the launcher tears down a job that skipped MPI_Finalize. */
static _Noreturn void end_job(int code)
{
    take_end(0);
    /* _exit runs no cleanup: the name would stay in /dev/shm. */
    gx_shm_segment_unlink_named();
    fflush(stdout);
    fflush(stderr);
    _exit(code);
}

static void where_text(char *buf, size_t len)
{
    long done = atomic_load_explicit(&gx_wd.done, memory_order_relaxed);
    long total = atomic_load_explicit(&gx_wd.total, memory_order_relaxed);
    if (atomic_load_explicit(&gx_wd.measured, memory_order_relaxed))
        snprintf(buf, len, "its part done, waiting for the results to be gathered");
    else if (total > 0)
        snprintf(buf, len, "at iteration %ld of %ld", done, total);
    else
        snprintf(buf, len, "setting up or checking data");
}

/* Once the end is taken: the main thread waits, so that the report stays open. */
static _Noreturn void rank0_end(struct gx_sink_abort *a)
{
    fprintf(stderr, "gpuxfer: %s\n", a->message);
    pthread_mutex_lock(&gx_wd.mu);
    gx_sink_abort_fn fn = gx_wd.abort_fn;
    void *ctx = gx_wd.abort_ctx;
    pthread_mutex_unlock(&gx_wd.mu);
    a->began = gx_wd.began;
    end_job(fn ? fn(ctx, a) : a->code);
}

/* Launchers forward Ctrl-C, scancel and time limits as SIGTERM, which would read as a kill. */
static void sender_words(int sig, char *buf, size_t len)
{
    static const char *const launchers[] = {"mpirun", "mpiexec", "orterun", "orted", "prterun",
                                            "prted", "hydra_pmi_proxy", "srun", "slurmstepd"};
    buf[0] = '\0';
    long pid = signal_pid;
    if (pid <= 0)
        return;
    char path[64], comm[64] = "?";
    snprintf(path, sizeof path, "/proc/%ld/comm", pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(comm, sizeof comm, f))
            strcpy(comm, "?");
        fclose(f);
        comm[strcspn(comm, "\n")] = '\0';
        for (char *c = comm; *c; c++) /* a name is the process's to choose: printable only */
            if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                *c = '?';
    }
    int launcher = 0;
    for (size_t i = 0; i < GX_ARRAY_LEN(launchers); i++)
        launcher |= strcmp(comm, launchers[i]) == 0;
    snprintf(buf, len, " (sent by %s, pid %ld%s)", comm, pid,
             !launcher        ? ""
             : sig == SIGTERM ? ": a launcher; mpirun sends it on Ctrl-C, Slurm on scancel and "
                                "time limits"
                              : ": a launcher");
}

/* Returns only when the answer is already being given. */
static void on_interrupt(int sig, int by)
{
    if (!take_end(1))
        return;
    const char *name = gx_signal_name(sig);
    char what[512] = "", msg[1024], sender[200] = "";
    if (by == gx_wd.rank || by == 0)
        sender_words(sig, sender, sizeof sender);
    pthread_mutex_lock(&gx_wd.mu);
    if (gx_wd.armed)
        snprintf(what, sizeof what, "%s", gx_wd.what);
    int measuring = gx_wd.armed && gx_wd.measuring;
    pthread_mutex_unlock(&gx_wd.mu);
    if (gx_wd.rank != 0) {
        fprintf(stderr, "gpuxfer: %s: interrupted by %s%s%s%s\n", self_name(), name, sender,
                what[0] ? " during " : "", what);
        end_job(GX_EINTERRUPTED);
    }
    char on[32] = "";
    if (by != 0)
        snprintf(on, sizeof on, " on rank %d", by);
    snprintf(msg, sizeof msg, "interrupted by %s%s%s%s%s", name, on, by != 0 ? "" : sender,
             what[0] ? " during " : "", what);
    struct gx_sink_abort a = {.status = "interrupted", .code = GX_EINTERRUPTED, .message = msg,
                              .kind = "signal", .measurement = measuring ? what : NULL,
                              .ranks = &by, .nranks = 1, .signal = name};
    rank0_end(&a);
}

/* Returns only on ranks other than 0, which report once and wait for rank 0. */
static void on_timeout(int *reported)
{
    char what[512], ranks[256], where[128], msg[2400];
    static int r[MAX_RANKS], unit[MAX_RANKS];
    int n;
    double t;
    pthread_mutex_lock(&gx_wd.mu);
    snprintf(what, sizeof what, "%s", gx_wd.what);
    n = gx_wd.nranks;
    memcpy(r, gx_wd.ranks, (size_t)n * sizeof *r);
    memcpy(unit, gx_wd.units, (size_t)n * sizeof *unit);
    t = gx_wd.timeout_s;
    int measuring = gx_wd.measuring;
    pthread_mutex_unlock(&gx_wd.mu);
    gx_wd_ranks_text(r, n, ranks, sizeof ranks);
    where_text(where, sizeof where);
    if (gx_wd.rank != 0) {
        if (!*reported)
            fprintf(stderr, "gpuxfer: %s: timeout: %s not done after %.0f s (%s)\n",
                    self_name(), what, t, measuring ? where : "outside a measurement");
        *reported = 1;
        return;
    }
    if (measuring)
        snprintf(msg, sizeof msg, "timeout: measurement %s did not complete within %.0f s "
                 "(--timeout); ranks %s take part; rank 0 is %s", what, t, ranks, where);
    else
        snprintf(msg, sizeof msg, "timeout: %s did not end within %.0f s (--timeout)", what, t);
    const int *named = gx_wd_named_ranks(msg, sizeof msg, r, unit, &n, measuring);
    int code = gx_wd.shutting_down ? gx_say_standing(gx_wd.answer) : GX_ETIMEOUT;
    take_end(0);
    struct gx_sink_abort a = {.status = "incomplete", .code = code, .message = msg,
                              .kind = "timeout", .measurement = measuring ? what : NULL,
                              .ranks = named, .nranks = n, .timeout_s = t,
                              .phase = measuring ? NULL : what};
    rank0_end(&a);
}

/* Another rank first lets its main thread pass the signal on (every rank then stops cleanly),
 * then tells rank 0, ending the job itself only where rank 0 cannot be told or does not act. */
static void on_signal_seen(double *signal_at, int *told)
{
    /* Now: the launcher's SIGKILL may cut the end short. */
    gx_shm_segment_unlink_named();
    pthread_mutex_lock(&gx_wd.mu);
    int given = gx_wd.shutting_down || gx_wd.final;
    pthread_mutex_unlock(&gx_wd.mu);
    /* Quietly: the launcher also sends SIGTERM when a peer exits first with the same answer. */
    if (given)
        return;
    if (gx_wd.rank <= 0) { /* rank 0, or before MPI_Init: no one to pass it to */
        on_interrupt(gx_wd_got_signal, 0);
        return;
    }
    if (atomic_load(&gx_wd.taken))
        return;
    if (!*signal_at)
        *signal_at = now_s();
    double waited = now_s() - *signal_at;
    if (waited <= SIGNAL_WAIT_S)
        return;
    if (!*told)
        *told = gx_rollcall_tell(&gx_wd.rc, gx_wd_got_signal, RANK0_GRACE_S) ? 1 : -1;
    if (*told < 0 || waited > SIGNAL_WAIT_S + PEER_WAIT_S)
        on_interrupt(gx_wd_got_signal, gx_wd.rank);
}

static void on_word_of_signal(void)
{
    int by, sig;
    if (gx_rollcall_heard(&gx_wd.rc, &by, &sig))
        on_interrupt(sig, by);
}

static void answer_roll_call(void)
{
    char where[160];
    pthread_mutex_lock(&gx_wd.mu);
    int measuring = gx_wd.measuring;
    /* A phase by its short name: rank 0 knows the measurement before it. */
    snprintf(where, sizeof where, "in %s", gx_wd.label);
    pthread_mutex_unlock(&gx_wd.mu);
    if (measuring)
        where_text(where, sizeof where);
    pthread_mutex_lock(&gx_wd.mu);
    uint64_t position = gx_wd_position_locked();
    pthread_mutex_unlock(&gx_wd.mu);
    gx_rollcall_answer(&gx_wd.rc, position, where);
}

/* Under gx_wd.mu: within a long measurement too, where the main thread says nothing. */
static void progress_line(double *said_at)
{
    double now = now_s(), since = gx_wd.deadline - gx_wd.timeout_s;
    if (!gx_wd.progress_log || !gx_wd.armed || !gx_wd.measuring || now - since < PROGRESS_S ||
        now - *said_at < PROGRESS_S)
        return;
    char where[160];
    where_text(where, sizeof where);
    fprintf(gx_wd.progress_log, "gpuxfer: %s: %s (%.0f s so far)\n", gx_wd.what, where,
            now - since);
    fflush(gx_wd.progress_log);
    *said_at = now;
}

static void *watch(void *arg)
{
    (void)arg;
    int reported = 0, told = 0;
    double signal_at = 0, said_at = 0;
    for (;;) {
        struct pollfd p[1 + GX_ROLLCALL_FDS] = {{.fd = gx_wd.pipefd[0], .events = POLLIN}};
        pthread_mutex_lock(&gx_wd.mu);
        int np = 1 + gx_rollcall_fds(&gx_wd.rc, p + 1, GX_ROLLCALL_FDS);
        pthread_mutex_unlock(&gx_wd.mu);
        int asked = np > 1; /* also to close connections whose moment is over */
        if (poll(p, (nfds_t)np, 100) > 0 && p[0].revents & POLLIN) {
            char buf[64];
            ssize_t r = read(gx_wd.pipefd[0], buf, sizeof buf);
            (void)r;
        }
        if (gx_wd_got_signal)
            on_signal_seen(&signal_at, &told);
        if (atomic_load(&gx_wd.stop))
            return NULL;
        if (asked && gx_wd.rank == 0)
            on_word_of_signal();
        else if (asked)
            answer_roll_call();
        pthread_mutex_lock(&gx_wd.mu);
        int armed = gx_wd.armed;
        double deadline = gx_wd.deadline;
        progress_line(&said_at);
        pthread_mutex_unlock(&gx_wd.mu);
        if (!armed) {
            reported = 0;
            continue;
        }
        double late = now_s() - deadline;
        if (gx_wd.rank == 0 ? late > RANK0_GRACE_S : late > 0)
            on_timeout(&reported);
        /* Before MPI_Init no rank is known to be rank 0: each process ends itself. */
        if (gx_wd.rank < 0 && late > 0)
            end_job(GX_ETIMEOUT);
        if (gx_wd.rank > 0 && late > PEER_WAIT_S) {
            fprintf(stderr, "gpuxfer: rank %d: rank 0 did not end the job; ending it\n",
                    gx_wd.rank);
            end_job(GX_ETIMEOUT);
        }
    }
}

static void action_owner(const struct sigaction *sa, char *buf, size_t len)
{
    void (*h)(int) = sa->sa_handler;
    if (h == SIG_IGN || h == SIG_DFL) {
        snprintf(buf, len, "%s", h == SIG_IGN ? "ignored (SIG_IGN)" : "the default (SIG_DFL)");
        return;
    }
    Dl_info info;
    void *fn = (sa->sa_flags & SA_SIGINFO) ? (void *)(uintptr_t)sa->sa_sigaction
                                           : (void *)(uintptr_t)h;
    if (dladdr(fn, &info) && info.dli_fname)
        snprintf(buf, len, "a handler in %s (%s)", info.dli_fname,
                 info.dli_sname ? info.dli_sname : "?");
    else
        snprintf(buf, len, "a handler at %p", fn);
}

/* SA_RESTART: MPI and CUDA calls in the main thread must not see EINTR. */
static void our_action(struct sigaction *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sa_sigaction = on_signal;
    sigemptyset(&sa->sa_mask);
    sa->sa_flags = SA_RESTART | SA_SIGINFO;
}

void gx_watchdog_reclaim_signals(char *who, size_t len)
{
    static int said;
    char names[128] = "", owner[300] = "";
    int n = 0;
    who[0] = '\0';
    if (!gx_wd.started)
        return;
    for (size_t i = 0; i < GX_ARRAY_LEN(gx_wd.old); i++) {
        struct sigaction cur, ours;
        if (sigaction(gx_stop_signals[i], NULL, &cur) != 0 ||
            ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_signal))
            continue;
        if (n++ == 0)
            action_owner(&cur, owner, sizeof owner);
        our_action(&ours);
        if (sigaction(gx_stop_signals[i], &ours, NULL) != 0)
            continue;
        gx_list_add(names, sizeof names, ", ", gx_signal_name(gx_stop_signals[i]));
    }
    if (!said && names[0])
        snprintf(who, len, "the action of %s had become %s%s after start-up (a library's); "
                 "gpuxfer took %s back, so that a stop signal stops the run", names, owner,
                 n > 1 ? " (the first's)" : "", n > 1 ? "them" : "it");
    said |= who[0] != '\0';
}

static void restore_signals(void)
{
    for (size_t i = 0; i < GX_ARRAY_LEN(gx_wd.old); i++)
        sigaction(gx_stop_signals[i], &gx_wd.old[i], NULL);
}

/* Not the defaults: mpirun would say 143 beside a report of exit 0. */
static void ignore_signals(void)
{
    struct sigaction ign = {.sa_handler = SIG_IGN};
    sigemptyset(&ign.sa_mask);
    for (size_t i = 0; i < GX_ARRAY_LEN(gx_wd.old); i++)
        if (sigaction(gx_stop_signals[i], &ign, NULL) != 0)
            fprintf(stderr, "gpuxfer: rank %d: %s still ends this process after MPI_Finalize "
                    "(sigaction: %s)\n", gx_wd.rank, gx_signal_name(gx_stop_signals[i]),
                    strerror(errno));
}

static int install(struct gx_err *err)
{
    if (pipe(gx_wd.pipefd) != 0)
        return gx_fail(err, GX_ERUNTIME, "watchdog: pipe: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
        int fl = fcntl(gx_wd.pipefd[i], F_GETFL);
        if (fl < 0 || fcntl(gx_wd.pipefd[i], F_SETFL, fl | O_NONBLOCK) != 0 ||
            fcntl(gx_wd.pipefd[i], F_SETFD, FD_CLOEXEC) != 0)
            return gx_fail(err, GX_ERUNTIME, "watchdog: fcntl: %s", strerror(errno));
    }
    struct sigaction sa;
    our_action(&sa);
    for (size_t i = 0; i < GX_ARRAY_LEN(gx_wd.old); i++)
        if (sigaction(gx_stop_signals[i], &sa, &gx_wd.old[i]) != 0)
            return gx_fail(err, GX_ERUNTIME, "watchdog: sigaction(%s): %s",
                           gx_signal_name(gx_stop_signals[i]), strerror(errno));
    return GX_OK;
}

int gx_watchdog_start(struct gx_err *err)
{
    if (gx_wd.started)
        return GX_OK;
    gx_wd.rank = -1; /* not known before MPI_Init */
    gx_wd.abort_fn = NULL;
    gx_wd.abort_ctx = NULL;
    gx_wd.shutting_down = 0;
    gx_wd.final = gx_wd.ending = 0;
    gx_wd.last[0] = '\0';
    atomic_store(&gx_wd.stop, 0);
    atomic_store(&gx_wd.taken, 0);
    gx_wd_got_signal = 0;
    signal_pid = 0;
    pthread_mutex_lock(&gx_wd.mu);
    gx_wd_set_phase_locked("start-up", "start-up (MPI_Init)", gx_wd.phase_s);
    pthread_mutex_unlock(&gx_wd.mu);
    GX_TRY(install(err));
    int rc = pthread_create(&gx_wd.thread, NULL, watch, NULL);
    if (rc != 0) {
        restore_signals();
        return gx_fail(err, GX_ERUNTIME, "watchdog: pthread_create: %s", strerror(rc));
    }
    gx_wd.started = 1;
    return GX_OK;
}

int gx_watchdog_mpi_ready(struct gx_err *err)
{
    int rank;
    GX_MPI_TRY(err, MPI_Comm_rank(MPI_COMM_WORLD, &rank));
    gx_wd.rank = rank;
    pthread_mutex_lock(&gx_wd.mu);
    gx_wd_set_phase_locked("start-up", "start-up", gx_wd.phase_s);
    pthread_mutex_unlock(&gx_wd.mu);
    /* Outside the lock: the thread must see a deadline pass while a peer never arrives. */
    struct gx_rollcall rc = GX_ROLLCALL_INIT;
    GX_TRY(gx_rollcall_open(&rc, MPI_COMM_WORLD, err));
    pthread_mutex_lock(&gx_wd.mu);
    gx_wd.rc = rc;
    pthread_mutex_unlock(&gx_wd.mu);
    return GX_OK;
}

void gx_watchdog_stop(void)
{
    if (!gx_wd.started)
        return;
    atomic_store(&gx_wd.stop, 1);
    ssize_t w = write(gx_wd.pipefd[1], "q", 1);
    (void)w;
    pthread_join(gx_wd.thread, NULL);
    gx_rollcall_close(&gx_wd.rc);
    ignore_signals();
    close(gx_wd.pipefd[0]);
    close(gx_wd.pipefd[1]);
    gx_wd.pipefd[0] = gx_wd.pipefd[1] = -1;
    gx_wd.started = 0;
    gx_wd.abort_fn = NULL;
    gx_wd.abort_ctx = NULL;
    gx_wd.progress_log = NULL;
}
