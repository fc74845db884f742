/* The shared-memory ring's slot logic on host memory: state transitions and back-pressure in
 * one thread, then two processes moving chunks both ways through a MAP_SHARED mapping, and the
 * abort word and a dead peer seen by the one waiting. */
#include "shm_ring.h"
#include "tap.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLOT 4096
#define NSLOTS 5
#define CHUNKS 20000
/* A hang is no progress for this long, not a slow run: the ring re-arms the alarm at every chunk
 * moved, so a CPU-starved run (a build at nice 10 beside busy loops outlasted one alarm for the
 * whole test) passes, and a stuck one still fails. */
#define HANG_S 60

/* Two rings (one per direction), each its control words and NSLOTS slots. */
struct shared {
    struct gx_shm_ring_ctl ctl[2];
    unsigned char slots[2][NSLOTS][SLOT];
};

static unsigned char byte_of(int dir, uint64_t op, size_t i)
{
    return (unsigned char)(op * 131 + i * 7 + (size_t)dir * 29);
}

/* Chunk lengths vary so that a chunk mistaken for another shows. */
static size_t len_of(uint64_t op)
{
    return 1 + (size_t)(op * 2654435761u % SLOT);
}

static void single_threaded(void)
{
    static struct gx_shm_ring_ctl ctl;
    struct gx_shm_ring r;
    struct gx_err err = {0};
    ok(gx_shm_ring_init(&ctl, 0, &err) != GX_OK && gx_shm_ring_init(&ctl, 65, &err) != GX_OK,
       "0 or more than %d slots refused", GX_SHM_RING_MAX_SLOTS);
    ok(gx_shm_ring_init(&ctl, 4, &err) == GX_OK, "4 slots");
    gx_shm_ring_attach(&r, &ctl, 4, 100);
    ok(gx_shm_ring_offset(&r, 0) == 0 && gx_shm_ring_offset(&r, 3) == 300 &&
       gx_shm_ring_offset(&r, 4) == 0 && gx_shm_ring_offset(&r, 1000001) == 100,
       "op k goes to slot k %% 4");
    int fill = 1;
    for (uint64_t k = 0; k < 4; k++)
        fill &= gx_shm_ring_can_fill(&r, k) && !gx_shm_ring_can_drain(&r, k);
    ok(fill, "initially ops 0..3 may be filled, none drained");
    ok(!gx_shm_ring_can_fill(&r, 4) && !gx_shm_ring_can_fill(&r, 5),
       "back-pressure: op 4 and 5 refused while 0 and 1 hold their slots");
    gx_shm_ring_mark_full(&r, 0);
    ok(gx_shm_ring_can_drain(&r, 0) && !gx_shm_ring_can_drain(&r, 1) &&
       !gx_shm_ring_can_fill(&r, 0), "op 0 full: drainable, not fillable again; op 1 not yet");
    for (uint64_t k = 1; k < 4; k++)
        gx_shm_ring_mark_full(&r, k);
    ok(!gx_shm_ring_can_fill(&r, 4), "all 4 slots full: the producer is refused op 4");
    gx_shm_ring_mark_free(&r, 0);
    ok(gx_shm_ring_can_fill(&r, 4) && !gx_shm_ring_can_drain(&r, 0) &&
       !gx_shm_ring_can_drain(&r, 4) && !gx_shm_ring_can_fill(&r, 8),
       "op 0 drained: its slot is free for op 4 (not for op 0 nor op 8)");

    /* Millions of ops around the ring, the producer always as far ahead as it may go. */
    ok(gx_shm_ring_init(&ctl, 3, &err) == GX_OK, "re-initialized with 3 slots");
    gx_shm_ring_attach(&r, &ctl, 3, SLOT);
    uint64_t filled = 0, drained = 0, total = 3000000;
    int good = 1, max_ahead = 0;
    while (drained < total) {
        while (filled < total && gx_shm_ring_can_fill(&r, filled))
            gx_shm_ring_mark_full(&r, filled++);
        if (filled - drained > (uint64_t)max_ahead)
            max_ahead = (int)(filled - drained);
        good &= gx_shm_ring_can_drain(&r, drained) && !gx_shm_ring_can_drain(&r, drained + 3);
        gx_shm_ring_mark_free(&r, drained++);
    }
    ok(good && max_ahead == 3 && filled == total,
       "3M ops through 3 slots: in order, never more than 3 in flight (max %d)", max_ahead);
    gx_shm_ring_raise(&r, GX_ETIMEOUT);
    gx_shm_ring_raise(&r, GX_ERUNTIME);
    ok(gx_shm_ring_raised(&r) == GX_ETIMEOUT, "the first code raised stays");
    ok(gx_shm_ring_init(&ctl, 3, &err) == GX_OK && gx_shm_ring_raised(&r) == 0,
       "initialization lowers the abort word");
    ok(gx_shm_process_alive((long)getpid()), "this process is alive");
}

/* Produces on ring `out` and consumes on ring `in` until both moved CHUNKS, checking what
 * arrives; exit status 0 when everything came in order. */
static int both_ways(struct shared *sh, int out, long peer, int *bad_op)
{
    struct gx_shm_ring r[2];
    for (int i = 0; i < 2; i++)
        gx_shm_ring_attach(&r[i], &sh->ctl[i], NSLOTS, SLOT);
    struct gx_shm_ring *po = &r[out], *pi = &r[!out];
    struct gx_shm_poll w = {.ring = {po, pi}, .nrings = 2, .peer_pid = peer};
    struct gx_err err = {0};
    uint64_t sent = 0, got = 0;
    *bad_op = -1;
    while (sent < CHUNKS || got < CHUNKS) {
        int moved = 0;
        if (sent < CHUNKS && gx_shm_ring_can_fill(po, sent)) {
            unsigned char *s = sh->slots[out][0] + gx_shm_ring_offset(po, sent);
            unsigned char buf[SLOT];
            for (size_t i = 0; i < len_of(sent); i++)
                buf[i] = byte_of(out, sent, i);
            memcpy(s, buf, len_of(sent));
            gx_shm_ring_mark_full(po, sent++);
            moved = 1;
        }
        if (got < CHUNKS && gx_shm_ring_can_drain(pi, got)) {
            const unsigned char *s = sh->slots[!out][0] + gx_shm_ring_offset(pi, got);
            unsigned char buf[SLOT];
            memcpy(buf, s, len_of(got));
            for (size_t i = 0; i < len_of(got) && *bad_op < 0; i++)
                if (buf[i] != byte_of(!out, got, i))
                    *bad_op = (int)got;
            gx_shm_ring_mark_free(pi, got++);
            moved = 1;
        }
        if (moved)
            alarm(HANG_S);
        if (gx_shm_poll_step(&w, moved, &err) != GX_OK)
            return 2;
    }
    return *bad_op < 0 ? 0 : 1;
}

static struct shared *map_shared(void)
{
    void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void two_processes(void)
{
    struct shared *sh = map_shared();
    struct gx_err err = {0};
    if (!sh || gx_shm_ring_init(&sh->ctl[0], NSLOTS, &err) != GX_OK ||
        gx_shm_ring_init(&sh->ctl[1], NSLOTS, &err) != GX_OK) {
        ok(0, "shared mapping for two processes");
        return;
    }
    long parent = (long)getpid();
    pid_t child = fork();
    if (child == 0) {
        int bad;
        _exit(both_ways(sh, 1, parent, &bad));
    }
    int bad, rc = both_ways(sh, 0, (long)child, &bad), st = 0;
    waitpid(child, &st, 0);
    ok(rc == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
       "two processes, %d chunks each way through %d slots: content and order intact "
       "(parent %d, first bad op %d; child status %d)", CHUNKS, NSLOTS, rc, bad, st);
    munmap(sh, sizeof *sh);
}

/* The parent waits for an op that never comes; returns the poll's error text. */
static int wait_never(struct shared *sh, long peer, struct gx_err *err)
{
    struct gx_shm_ring r;
    gx_shm_ring_attach(&r, &sh->ctl[0], NSLOTS, SLOT);
    struct gx_shm_poll w = {.ring = {&r}, .nrings = 1, .peer_pid = peer, .peer_rank = 1};
    for (;;) {
        int moved = gx_shm_ring_can_drain(&r, 0);
        if (moved)
            return GX_OK;
        GX_TRY(gx_shm_poll_step(&w, 0, err));
    }
}

static void abort_and_death(void)
{
    struct shared *sh = map_shared();
    struct gx_err err = {0};
    if (!sh || gx_shm_ring_init(&sh->ctl[0], NSLOTS, &err) != GX_OK) {
        ok(0, "shared mapping for the abort test");
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        struct gx_shm_ring r;
        gx_shm_ring_attach(&r, &sh->ctl[0], NSLOTS, SLOT);
        usleep(100000);
        gx_shm_ring_raise(&r, GX_ERUNTIME);
        pause(); /* alive: only the abort word can end the parent's wait */
        _exit(0);
    }
    int rc = wait_never(sh, (long)child, &err);
    ok(rc == GX_ERUNTIME && strstr(err.msg, "gave up"),
       "a waiter sees the abort word the peer raised: %s", err.msg);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);

    /* A peer that dies without a word: the waiter learns it from the process table. The dead
     * producer's parent reaps it, as mpirun's daemon does a rank. */
    gx_shm_ring_init(&sh->ctl[0], NSLOTS, &err);
    int fds[2];
    if (pipe(fds) != 0) {
        ok(0, "pipe");
        return;
    }
    pid_t reaper = fork();
    if (reaper == 0) {
        pid_t producer = fork();
        if (producer == 0) {
            usleep(100000);
            _exit(0);
        }
        long p = (long)producer;
        ssize_t w = write(fds[1], &p, sizeof p);
        waitpid(producer, NULL, 0);
        _exit(w == (ssize_t)sizeof p ? 0 : 1);
    }
    long producer = 0;
    ssize_t n = read(fds[0], &producer, sizeof producer);
    rc = n == (ssize_t)sizeof producer ? wait_never(sh, producer, &err) : GX_OK;
    ok(rc == GX_ERUNTIME && strstr(err.msg, "is gone"),
       "a waiter learns that the peer process died: %s", err.msg);
    waitpid(reaper, NULL, 0);
    close(fds[0]);
    close(fds[1]);
    munmap(sh, sizeof *sh);
}

int main(void)
{
    alarm(HANG_S); /* a wait that never ends fails the test instead of hanging it */
    single_threaded();
    two_processes();
    abort_and_death();
    return tap_done();
}
