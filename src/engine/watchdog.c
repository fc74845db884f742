#include "config.h"
#include "watchdog.h"
#include "rollcall.h"
#include "shm_segment.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Rank 0 acts this long after the other ranks' deadlines, so that their own lines (where each
 * rank stopped) reach stderr before the job is torn down. */
#define RANK0_GRACE_S 1.0
/* A rank other than 0 waits this long for rank 0 to end the job, then ends it itself (rank 0 may
 * be dead or unable to act). */
#define PEER_WAIT_S 15.0
/* On a signal, ranks other than 0 leave rank 0 this long to write the report first: under
 * Slurm or mpirun every rank gets the signal at once. */
#define SIGNAL_WAIT_S 2.0
/* Outside measurements (start-up, set-up between them, shutdown) a step may take this long
 * unless --timeout says otherwise: no moment of the job is without a limit. */
#define PHASE_TIMEOUT_S 60.0
/* --progress to a log: a line at least this often, within a long measurement too. */
#define PROGRESS_S 10.0
#define MAX_RANKS 1024

static struct {
    int started, rank;
    int pipefd[2];
    pthread_t thread;
    gx_sink_abort_fn abort_fn; /* rank 0: writes the report (main's, set with its ctx) */
    void *abort_ctx;
    void (*unlink_named)(void);
    struct sigaction old[GX_NSTOP_SIGNALS]; /* the actions before ours, gx_stop_signals' order */
    pthread_mutex_t mu; /* guards the measurement fields below */
    int armed, measuring; /* measuring: a measurement, not a phase between them */
    int began;            /* a measurement (or calibration) began: the report is worth writing */
    int shutting_down;    /* the answer is given: signals no longer change it */
    int answer;           /* then: the exit code given */
    int final;            /* rank 0 began its final report: its answer is the report's */
    int ending;           /* the watchdog took the end of the job: the main thread waits */
    char what[512], last[512]; /* last: the measurement before, whose results are in */
    char label[64];            /* the phase, short */
    int ranks[MAX_RANKS], nranks;
    double timeout_s, deadline, phase_s;
    atomic_long done, total;
    atomic_int measured, stop, taken;
    struct gx_rollcall rc; /* rank 0 asks who still answers (rollcall.c) */
    FILE *progress_log;    /* rank 0, --progress to a log: where a long measurement's lines go */
} wd = {.pipefd = {-1, -1}, .mu = PTHREAD_MUTEX_INITIALIZER, .rank = -1,
        .phase_s = PHASE_TIMEOUT_S, .rc = GX_ROLLCALL_INIT};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    int saved = errno;
    if (!got_signal)
        got_signal = sig;
    if (wd.pipefd[1] >= 0) {
        ssize_t w = write(wd.pipefd[1], "s", 1); /* wakes the watchdog; a full pipe is fine */
        (void)w;
    }
    errno = saved;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The default limit follows the work: every message of every iteration gets the time a slow
 * but healthy machine takes for it, so a long latency run (many iterations of a few bytes) has
 * as much room as a large transfer. A message: 5 ms of fixed cost (a scheduling slice on an
 * oversubscribed machine that yields, with sanitizers: a thousand times a healthy round trip)
 * plus its bytes at 100 MB/s (pageable memory over TCP loopback under ASan). Twice that, for a
 * round trip (latency) or the two directions (bibw), and 60 s for the set-up and data check. */
#define MESSAGE_FIXED_S 5e-3
#define MESSAGE_SLOW_BPS 1e8

double gx_default_timeout(size_t bytes, long iters, long warmup, long window)
{
    double message_s = MESSAGE_FIXED_S + (double)bytes / MESSAGE_SLOW_BPS;
    return 60.0 + 2.0 * (double)(iters + warmup + 2) * (double)window * message_s;
}

/* The main thread, at its next step, while the watchdog writes the report and ends the process:
 * it must neither close the report nor finalize MPI under the watchdog (MPI_Abort racing
 * MPI_Finalize can leave the job hanging). */
static _Noreturn void wait_for_the_end(void)
{
    for (;;)
        pause();
}

/* The watchdog takes the end of the job; from now on the main thread waits at its next step.
 * Refused (0) for a signal once the answer is being given: rank 0's final report is begun (the
 * answer is the report's, written within a moment) or the shutdown. */
static int take_end(int by_signal)
{
    pthread_mutex_lock(&wd.mu);
    int refused = by_signal && (wd.final || wd.shutting_down);
    if (!refused)
        wd.ending = 1;
    pthread_mutex_unlock(&wd.mu);
    return !refused;
}

/* The thread makes no MPI call (rollcall.h says why), MPI_Abort included: the process ends and
 * the launcher (mpirun, mpiexec, srun) tears the job down, since it ended without MPI_Finalize;
 * where a launcher keeps the job up, every other rank's watchdog ends its own process. */
static _Noreturn void end_job(int code)
{
    take_end(0);
    /* _exit runs no cleanup: a segment name made for a pair that never finished its exchange
     * would stay in /dev/shm, the shared folder, after the job. */
    gx_shm_segment_unlink_named();
    gx_rollcall_unlink_named();
    if (wd.unlink_named)
        wd.unlink_named();
    fflush(stdout);
    fflush(stderr);
    _exit(code);
}

static void ranks_text(const int *ranks, int n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used + 16 < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "", ranks[i]);
    if (n > 0 && used + 16 >= len)
        snprintf(buf + used, len - used, ",...");
}

static void where_text(char *buf, size_t len)
{
    long done = atomic_load_explicit(&wd.done, memory_order_relaxed);
    long total = atomic_load_explicit(&wd.total, memory_order_relaxed);
    if (atomic_load_explicit(&wd.measured, memory_order_relaxed))
        snprintf(buf, len, "its part done, waiting for the results to be gathered");
    else if (total > 0)
        snprintf(buf, len, "at iteration %ld of %ld", done, total);
    else
        snprintf(buf, len, "setting up or checking data");
}

/* Rank 0: the report with what it has, then the end of the job. Called once the end is taken
 * (take_end): the main thread then waits, so the report stays open until the process ends. */
static _Noreturn void rank0_end(struct gx_sink_abort *a)
{
    fprintf(stderr, "gpuxfer: %s\n", a->message);
    pthread_mutex_lock(&wd.mu);
    gx_sink_abort_fn fn = wd.abort_fn;
    void *ctx = wd.abort_ctx;
    pthread_mutex_unlock(&wd.mu);
    a->began = wd.began;
    end_job(fn ? fn(ctx, a) : a->code);
}

/* sig reached rank `by` (this rank, or on rank 0 one that told it). Returns only when the
 * answer is already being given (take_end refused). */
static void on_interrupt(int sig, int by)
{
    if (!take_end(1))
        return;
    const char *name = gx_signal_name(sig);
    char what[512] = "", msg[1024];
    pthread_mutex_lock(&wd.mu);
    if (wd.armed)
        snprintf(what, sizeof what, "%s", wd.what);
    int measuring = wd.armed && wd.measuring;
    pthread_mutex_unlock(&wd.mu);
    if (wd.rank != 0) {
        fprintf(stderr, "gpuxfer: rank %d: interrupted by %s%s%s\n", wd.rank, name,
                what[0] ? " during " : "", what);
        end_job(GX_EINTERRUPTED);
    }
    char on[32] = "";
    if (by != 0)
        snprintf(on, sizeof on, " on rank %d", by);
    snprintf(msg, sizeof msg, "interrupted by %s%s%s%s", name, on, what[0] ? " during " : "",
             what);
    struct gx_sink_abort a = {.status = "interrupted", .code = GX_EINTERRUPTED, .message = msg,
                              .kind = "signal", .measurement = measuring ? what : NULL,
                              .ranks = &by, .nranks = 1, .signal = name};
    rank0_end(&a);
}

/* Rank 0: the ranks that do not answer the roll call are the ones that stopped (every thread
 * frozen or dead), whatever measurement rank 0 itself waits on. Appends them and what the
 * others said to msg; returns how many, with their ranks in silent. */
static int ask_ranks(char *msg, size_t len, int *silent)
{
    char answers[600], list[256];
    int n = gx_rollcall_ask(&wd.rc, RANK0_GRACE_S, silent, MAX_RANKS, answers, sizeof answers);
    size_t used = strlen(msg);
    if (n > 0) {
        ranks_text(silent, n, list, sizeof list);
        used += (size_t)snprintf(msg + used, len - used,
                                 "; rank%s %s did not answer (stopped or dead)%s%s",
                                 n == 1 ? "" : "s", list, wd.last[0] ? "; the last results "
                                 "gathered from every rank: " : "", wd.last);
    }
    if (used < len)
        snprintf(msg + used, len - used, "%s", answers);
    return n > 0 ? n : 0;
}

/* Returns only on ranks other than 0, which report once and wait for rank 0. */
static void on_timeout(int *reported)
{
    char what[512], ranks[256], where[128], msg[2400];
    static int r[MAX_RANKS], silent[MAX_RANKS];
    int n;
    double t;
    pthread_mutex_lock(&wd.mu);
    snprintf(what, sizeof what, "%s", wd.what);
    n = wd.nranks;
    memcpy(r, wd.ranks, (size_t)n * sizeof *r);
    t = wd.timeout_s;
    int measuring = wd.measuring;
    pthread_mutex_unlock(&wd.mu);
    ranks_text(r, n, ranks, sizeof ranks);
    where_text(where, sizeof where);
    if (wd.rank != 0) {
        if (!*reported)
            fprintf(stderr, "gpuxfer: rank %d: timeout: %s not done after %.0f s (%s)\n", wd.rank,
                    what, t, measuring ? where : "outside a measurement");
        *reported = 1;
        return;
    }
    if (measuring)
        snprintf(msg, sizeof msg, "timeout: measurement %s did not complete within %.0f s "
                 "(--timeout); ranks %s take part; rank 0 is %s", what, t, ranks, where);
    else
        snprintf(msg, sizeof msg, "timeout: %s did not end within %.0f s (--timeout)", what, t);
    int ns = ask_ranks(msg, sizeof msg, silent);
    int code = wd.shutting_down ? gx_say_standing(wd.answer) : GX_ETIMEOUT;
    take_end(0);
    struct gx_sink_abort a = {.status = "incomplete", .code = code, .message = msg,
                              .kind = "timeout", .measurement = measuring ? what : NULL,
                              .ranks = ns ? silent : r, .nranks = ns ? ns : n, .timeout_s = t,
                              .phase = measuring ? NULL : what};
    rank0_end(&a);
}

/* A signal: rank 0 writes the report at once. Another rank first leaves its main thread a
 * moment to pass the signal on with its next result (then every rank stops cleanly), and rank 0
 * time to act when it got the signal too, as under Slurm or mpirun; then it tells rank 0
 * (rollcall.h says why it does not end first) and ends the job itself only when rank 0 cannot
 * be told or does not act. Once the answer is being given (rank 0's final report begun, or the
 * shutdown) a signal changes nothing: the job is about to end with it. */
static void on_signal_seen(double *signal_at, int *told)
{
    pthread_mutex_lock(&wd.mu);
    int given = wd.shutting_down || wd.final;
    pthread_mutex_unlock(&wd.mu);
    /* Quietly: the launcher also sends SIGTERM when a peer exits first with the same answer
     * (exit 2), and the answer is one line. */
    if (given)
        return;
    if (wd.rank <= 0) { /* rank 0, or before MPI_Init: no one to pass it to */
        on_interrupt(got_signal, 0);
        return;
    }
    if (atomic_load(&wd.taken))
        return;
    if (!*signal_at)
        *signal_at = now_s();
    double waited = now_s() - *signal_at;
    if (waited <= SIGNAL_WAIT_S)
        return;
    if (!*told)
        *told = gx_rollcall_tell(&wd.rc, got_signal, RANK0_GRACE_S) ? 1 : -1;
    if (*told < 0 || waited > SIGNAL_WAIT_S + PEER_WAIT_S)
        on_interrupt(got_signal, wd.rank);
}

/* Rank 0: another rank told of a signal it got (on_interrupt does nothing once the answer is
 * being given). */
static void on_word_of_signal(void)
{
    int by, sig;
    if (gx_rollcall_heard(&wd.rc, &by, &sig))
        on_interrupt(sig, by);
}

/* A rank other than 0 says where it is: rank 0 asked (its socket is readable). */
static void answer_roll_call(void)
{
    char where[160];
    pthread_mutex_lock(&wd.mu);
    int measuring = wd.measuring;
    /* A phase by its short name: rank 0 knows the measurement before it. */
    snprintf(where, sizeof where, "in %s", wd.label);
    pthread_mutex_unlock(&wd.mu);
    if (measuring)
        where_text(where, sizeof where);
    gx_rollcall_answer(&wd.rc, where);
}

/* Under wd.mu. --progress to a log promises a line every 10 s: the main thread writes one as
 * each step begins, and this thread one every PROGRESS_S of a measurement longer than that,
 * when the main thread is inside it and says nothing. */
static void progress_line(double *said_at)
{
    double now = now_s(), since = wd.deadline - wd.timeout_s;
    if (!wd.progress_log || !wd.armed || !wd.measuring || now - since < PROGRESS_S ||
        now - *said_at < PROGRESS_S)
        return;
    char where[160];
    where_text(where, sizeof where);
    fprintf(wd.progress_log, "gpuxfer: %s: %s (%.0f s so far)\n", wd.what, where, now - since);
    fflush(wd.progress_log);
    *said_at = now;
}

static void *watch(void *arg)
{
    (void)arg;
    int reported = 0, told = 0;
    double signal_at = 0, said_at = 0;
    for (;;) {
        struct pollfd p[1 + GX_ROLLCALL_FDS] = {{.fd = wd.pipefd[0], .events = POLLIN}};
        pthread_mutex_lock(&wd.mu);
        int np = 1 + gx_rollcall_fds(&wd.rc, p + 1, GX_ROLLCALL_FDS);
        pthread_mutex_unlock(&wd.mu);
        int asked = np > 1; /* also to close connections whose moment is over */
        if (poll(p, (nfds_t)np, 100) > 0 && p[0].revents & POLLIN) {
            char buf[64];
            ssize_t r = read(wd.pipefd[0], buf, sizeof buf);
            (void)r;
        }
        if (got_signal)
            on_signal_seen(&signal_at, &told);
        if (atomic_load(&wd.stop))
            return NULL;
        if (asked && wd.rank == 0)
            on_word_of_signal();
        else if (asked)
            answer_roll_call();
        pthread_mutex_lock(&wd.mu);
        int armed = wd.armed;
        double deadline = wd.deadline;
        progress_line(&said_at);
        pthread_mutex_unlock(&wd.mu);
        if (!armed) {
            reported = 0;
            continue;
        }
        double late = now_s() - deadline;
        if (wd.rank == 0 ? late > RANK0_GRACE_S : late > 0)
            on_timeout(&reported);
        if (wd.rank != 0 && late > PEER_WAIT_S) {
            fprintf(stderr, "gpuxfer: rank %d: rank 0 did not end the job; ending it\n", wd.rank);
            end_job(GX_ETIMEOUT);
        }
    }
}

static void set_phase_locked(const char *label, const char *what, double timeout_s)
{
    snprintf(wd.label, sizeof wd.label, "%s", label);
    snprintf(wd.what, sizeof wd.what, "%s", what);
    wd.nranks = 0;
    wd.measuring = 0;
    wd.timeout_s = timeout_s;
    wd.deadline = now_s() + timeout_s;
    wd.armed = 1;
}

static void restore_signals(void)
{
    for (size_t i = 0; i < GX_ARRAY_LEN(wd.old); i++)
        sigaction(gx_stop_signals[i], &wd.old[i], NULL);
}

static int install(struct gx_err *err)
{
    if (pipe(wd.pipefd) != 0)
        return gx_fail(err, GX_ERUNTIME, "watchdog: pipe: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
        int fl = fcntl(wd.pipefd[i], F_GETFL);
        if (fl < 0 || fcntl(wd.pipefd[i], F_SETFL, fl | O_NONBLOCK) != 0 ||
            fcntl(wd.pipefd[i], F_SETFD, FD_CLOEXEC) != 0)
            return gx_fail(err, GX_ERUNTIME, "watchdog: fcntl: %s", strerror(errno));
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* MPI and CUDA calls in the main thread must not see EINTR */
    for (size_t i = 0; i < GX_ARRAY_LEN(wd.old); i++)
        if (sigaction(gx_stop_signals[i], &sa, &wd.old[i]) != 0)
            return gx_fail(err, GX_ERUNTIME, "watchdog: sigaction(%s): %s",
                           gx_signal_name(gx_stop_signals[i]), strerror(errno));
    return GX_OK;
}

int gx_watchdog_start(struct gx_err *err)
{
    if (wd.started)
        return GX_OK;
    wd.rank = -1; /* not known before MPI_Init */
    wd.abort_fn = NULL;
    wd.abort_ctx = NULL;
    wd.shutting_down = 0;
    wd.final = wd.ending = 0;
    wd.last[0] = '\0';
    atomic_store(&wd.stop, 0);
    atomic_store(&wd.taken, 0);
    got_signal = 0;
    pthread_mutex_lock(&wd.mu);
    set_phase_locked("start-up", "start-up (MPI_Init)", wd.phase_s);
    pthread_mutex_unlock(&wd.mu);
    GX_TRY(install(err));
    int rc = pthread_create(&wd.thread, NULL, watch, NULL);
    if (rc != 0) {
        restore_signals();
        return gx_fail(err, GX_ERUNTIME, "watchdog: pthread_create: %s", strerror(rc));
    }
    wd.started = 1;
    return GX_OK;
}

int gx_watchdog_mpi_ready(struct gx_err *err)
{
    int rank;
    GX_MPI_TRY(err, MPI_Comm_rank(MPI_COMM_WORLD, &rank));
    wd.rank = rank;
    gx_watchdog_phase("start-up");
    /* Collective, so outside the lock: the thread must still see a deadline pass while a peer
     * never arrives. It takes the sockets under the lock. */
    struct gx_rollcall rc = GX_ROLLCALL_INIT;
    GX_TRY(gx_rollcall_open(&rc, MPI_COMM_WORLD, err));
    pthread_mutex_lock(&wd.mu);
    wd.rc = rc;
    pthread_mutex_unlock(&wd.mu);
    return GX_OK;
}

int gx_watchdog_end_due(void)
{
    pthread_mutex_lock(&wd.mu);
    int due = wd.rank == 0 && wd.armed && now_s() - wd.deadline > RANK0_GRACE_S;
    pthread_mutex_unlock(&wd.mu);
    return due ? GX_ETIMEOUT : -1;
}

void gx_watchdog_set_abort(gx_sink_abort_fn fn, void *ctx)
{
    pthread_mutex_lock(&wd.mu);
    wd.abort_fn = fn;
    wd.abort_ctx = ctx;
    pthread_mutex_unlock(&wd.mu);
}

void gx_watchdog_set_unlink(void (*unlink_named)(void))
{
    wd.unlink_named = unlink_named;
}

void gx_watchdog_set_timeout(double timeout_s)
{
    pthread_mutex_lock(&wd.mu);
    wd.phase_s = timeout_s > 0 ? timeout_s : PHASE_TIMEOUT_S;
    if (wd.armed && !wd.measuring) /* the phase now running gets the new limit */
        wd.deadline = wd.deadline - wd.timeout_s + wd.phase_s;
    wd.timeout_s = wd.armed && !wd.measuring ? wd.phase_s : wd.timeout_s;
    pthread_mutex_unlock(&wd.mu);
}

void gx_watchdog_phase(const char *what)
{
    pthread_mutex_lock(&wd.mu);
    set_phase_locked(what, what, wd.phase_s);
    pthread_mutex_unlock(&wd.mu);
}

void gx_watchdog_final_report(void)
{
    pthread_mutex_lock(&wd.mu);
    int ending = wd.ending;
    wd.final = 1;
    pthread_mutex_unlock(&wd.mu);
    if (ending)
        wait_for_the_end();
}

void gx_watchdog_shutdown(int exit_code)
{
    pthread_mutex_lock(&wd.mu);
    if (wd.ending) {
        pthread_mutex_unlock(&wd.mu);
        wait_for_the_end();
    }
    wd.shutting_down = 1;
    wd.answer = exit_code;
    wd.abort_fn = NULL; /* the report is closed after this */
    wd.abort_ctx = NULL;
    set_phase_locked("shutdown", "shutdown (MPI_Finalize)", wd.phase_s);
    pthread_mutex_unlock(&wd.mu);
}

void gx_watchdog_stop(void)
{
    if (!wd.started)
        return;
    atomic_store(&wd.stop, 1);
    ssize_t w = write(wd.pipefd[1], "q", 1);
    (void)w;
    pthread_join(wd.thread, NULL);
    gx_rollcall_close(&wd.rc);
    restore_signals();
    close(wd.pipefd[0]);
    close(wd.pipefd[1]);
    wd.pipefd[0] = wd.pipefd[1] = -1;
    wd.started = 0;
    wd.abort_fn = NULL;
    wd.abort_ctx = NULL;
    wd.progress_log = NULL;
}

void gx_watchdog_arm(const char *what, const int *ranks, int nranks, double timeout_s)
{
    pthread_mutex_lock(&wd.mu);
    snprintf(wd.what, sizeof wd.what, "%s", what);
    wd.nranks = nranks < MAX_RANKS ? nranks : MAX_RANKS;
    memcpy(wd.ranks, ranks, (size_t)wd.nranks * sizeof *ranks);
    wd.timeout_s = timeout_s;
    wd.deadline = now_s() + timeout_s;
    atomic_store_explicit(&wd.done, 0, memory_order_relaxed);
    atomic_store_explicit(&wd.total, 0, memory_order_relaxed);
    atomic_store_explicit(&wd.measured, 0, memory_order_relaxed);
    wd.armed = 1;
    wd.measuring = 1;
    /* A signal that came before the first measurement began stops a run that measured
     * nothing, however soon this thread got here after it. */
    if (!got_signal)
        wd.began = 1;
    pthread_mutex_unlock(&wd.mu);
}

void gx_watchdog_progress_log(FILE *to)
{
    pthread_mutex_lock(&wd.mu);
    wd.progress_log = to;
    pthread_mutex_unlock(&wd.mu);
}

void gx_watchdog_progress(long done, long total)
{
    atomic_store_explicit(&wd.done, done, memory_order_relaxed);
    atomic_store_explicit(&wd.total, total, memory_order_relaxed);
}

int gx_watchdog_take_signal(void)
{
    int sig = got_signal;
    if (sig)
        atomic_store(&wd.taken, 1);
    return sig;
}

void gx_watchdog_measured(void)
{
    atomic_store_explicit(&wd.measured, 1, memory_order_relaxed);
}

/* The measurement is over; until the next one starts, the time between them is bounded too. */
void gx_watchdog_disarm(void)
{
    char phase[600];
    pthread_mutex_lock(&wd.mu);
    if (wd.measuring) {
        snprintf(wd.last, sizeof wd.last, "%s", wd.what);
        snprintf(phase, sizeof phase, "the step after measurement %s", wd.what);
        set_phase_locked("the step between measurements", phase, wd.phase_s);
    }
    pthread_mutex_unlock(&wd.mu);
}
