#define _GNU_SOURCE 1 /* accept4 */
#include "config.h"
#include "rollcall.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    MAX_ADDRS = 8,     /* IPv4 addresses kept per rank (loopback last) */
    ANSWER_LEN = 160,  /* where a rank is */
    QUESTION_LEN = 12, /* token, then the rank asked for (or, told to rank 0, the teller) */
    TELL_LEN = 16,     /* the question's head, then the signal; the head comes back as the ack */
    BATCH = 256,       /* sockets rank 0 has open at once */
    READ_WAIT_MS = 200 /* a rank waits this long for a question's bytes */
};

/* Every rank's listening port and its IPv4 addresses (network order): rank 0 tries them all at
 * once, since it cannot know which of another node's interfaces it can reach. */
struct gx_rollcall_addr {
    uint32_t ip[MAX_ADDRS];
    uint16_t port; /* network order; 0: the rank does not listen */
    uint16_t n;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    v = htonl(v);
    memcpy(p, &v, 4);
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return ntohl(v);
}

/* The question and the head of an answer: the job's token and the rank asked for. */
static void put_head(unsigned char *p, uint64_t token, int rank)
{
    memcpy(p, &token, 8);
    put_u32(p + 8, (uint32_t)rank);
}

static int head_is(const unsigned char *p, uint64_t token, int rank)
{
    return memcmp(p, &token, 8) == 0 && get_u32(p + 8) == (uint32_t)rank;
}

/* This rank's IPv4 addresses: the interfaces that are up, loopback last. */
static void local_addrs(struct gx_rollcall_addr *a)
{
    struct ifaddrs *ifs = NULL;
    a->n = 0;
    if (getifaddrs(&ifs) != 0)
        return;
    for (int loop = 0; loop < 2; loop++)
        for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP) ||
                !(i->ifa_flags & IFF_LOOPBACK) != !loop || a->n >= MAX_ADDRS - !loop)
                continue;
            a->ip[a->n++] = ((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr.s_addr;
        }
    freeifaddrs(ifs);
}

/* A listening socket on every interface, on a port the kernel picks; -1 if there is none. */
static int listen_any(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
    socklen_t len = sizeof sa;
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = sa.sin_port;
    return fd;
}

static uint64_t fresh_token(void)
{
    uint64_t t = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t got = read(fd, &t, sizeof t);
        (void)got;
        close(fd);
    }
    t ^= (uint64_t)getpid() ^ ((uint64_t)time(NULL) << 20);
    return t ? t : 1; /* 0 says "no roll call" */
}

int gx_rollcall_open(struct gx_rollcall *rc, MPI_Comm comm, struct gx_err *err)
{
    GX_MPI_TRY(err, MPI_Comm_rank(comm, &rc->rank));
    GX_MPI_TRY(err, MPI_Comm_size(comm, &rc->size));
    struct gx_rollcall_addr mine = {.port = 0};
    rc->listen_fd = listen_any(&mine.port);
    if (rc->listen_fd >= 0)
        local_addrs(&mine);
    else if (rc->rank != 0)
        fprintf(stderr, "gpuxfer: rank %d: no socket for the watchdog's roll call (%s): "
                "a timeout will name this rank as silent\n", rc->rank, strerror(errno));
    else
        fprintf(stderr, "gpuxfer: rank 0: no socket for word of a signal (%s): a signal sent "
                "to another rank alone may be reported as the launcher's\n", strerror(errno));
    if (rc->rank == 0) {
        rc->token = fresh_token();
        rc->addrs = calloc((size_t)rc->size, sizeof *rc->addrs);
    } else {
        rc->addrs = calloc(1, sizeof *rc->addrs);
    }
    /* Token 0: rank 0 has no room for the addresses, so there is no roll call in this job (a
     * timeout then names the ranks of the measurement); every rank skips the gather. */
    uint64_t token = rc->rank == 0 && !rc->addrs ? 0 : rc->token;
    GX_MPI_TRY(err, MPI_Bcast(&token, (int)sizeof token, MPI_BYTE, 0, comm));
    rc->token = token;
    if (token == 0) {
        gx_rollcall_close(rc);
        return GX_OK;
    }
    GX_MPI_TRY(err, MPI_Gather(&mine, (int)sizeof mine, MPI_BYTE, rc->addrs, (int)sizeof mine,
                               MPI_BYTE, 0, comm));
    struct gx_rollcall_addr root = mine; /* rank 0's, once broadcast */
    GX_MPI_TRY(err, MPI_Bcast(&root, (int)sizeof root, MPI_BYTE, 0, comm));
    if (rc->rank != 0 && rc->addrs)
        *rc->addrs = root;
    return GX_OK;
}

void gx_rollcall_close(struct gx_rollcall *rc)
{
    if (rc->listen_fd >= 0)
        close(rc->listen_fd);
    rc->listen_fd = -1;
    free(rc->addrs);
    rc->addrs = NULL;
}

int gx_rollcall_fd(const struct gx_rollcall *rc)
{
    return rc->listen_fd;
}

/* Up to len bytes from a connection just accepted, within a moment; returns how many. */
static size_t read_soon(int fd, unsigned char *buf, size_t len)
{
    size_t got = 0;
    double until = now_s() + READ_WAIT_MS / 1e3;
    while (got < len && now_s() < until) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, READ_WAIT_MS) <= 0)
            continue;
        ssize_t r = read(fd, buf + got, len - got);
        if (r <= 0 && !(r < 0 && (errno == EAGAIN || errno == EINTR)))
            break;
        got += r > 0 ? (size_t)r : 0;
    }
    return got;
}

/* One question on a connection just accepted: answered if it is this job's and this rank's. */
static void answer_one(const struct gx_rollcall *rc, int fd, const char *where)
{
    unsigned char q[QUESTION_LEN];
    if (read_soon(fd, q, sizeof q) < sizeof q || !head_is(q, rc->token, rc->rank))
        return;
    unsigned char a[QUESTION_LEN + ANSWER_LEN] = {0};
    put_head(a, rc->token, rc->rank);
    snprintf((char *)a + QUESTION_LEN, ANSWER_LEN, "%s", where);
    /* Small enough for an empty socket buffer: one write. */
    ssize_t w = write(fd, a, sizeof a);
    (void)w;
}

void gx_rollcall_answer(struct gx_rollcall *rc, const char *where)
{
    if (rc->listen_fd < 0 || rc->rank == 0)
        return;
    int fd;
    while ((fd = accept4(rc->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        answer_one(rc, fd, where);
        close(fd);
    }
}

/* One connection to one address of one rank: rank 0 asking it, or a rank telling rank 0. */
struct attempt {
    int rank, fd, sent; /* rank: the one asked, or the teller */
    size_t got, out_len, in_len;
    unsigned char out[TELL_LEN];
    unsigned char buf[QUESTION_LEN + ANSWER_LEN];
};

/* The question to rank, or (sig > 0) word of sig from rank. */
static void start_attempt(const struct gx_rollcall *rc, struct attempt *t, int rank, int sig,
                          uint32_t ip, uint16_t port)
{
    t->rank = rank;
    t->sent = 0;
    t->got = 0;
    put_head(t->out, rc->token, rank);
    put_u32(t->out + QUESTION_LEN, (uint32_t)sig);
    t->out_len = sig > 0 ? TELL_LEN : QUESTION_LEN;
    t->in_len = sig > 0 ? QUESTION_LEN : QUESTION_LEN + ANSWER_LEN;
    t->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = port, .sin_addr.s_addr = ip};
    if (t->fd >= 0 && connect(t->fd, (struct sockaddr *)&sa, sizeof sa) != 0 &&
        errno != EINPROGRESS) {
        close(t->fd);
        t->fd = -1;
    }
}

static void end_attempt(struct attempt *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

/* Advances one attempt on a poll event; returns 1 when it holds the answer (or the ack). */
static int step_attempt(const struct gx_rollcall *rc, struct attempt *t, short revents)
{
    if (!t->sent && (revents & (POLLOUT | POLLERR | POLLHUP))) {
        int e = 0;
        socklen_t el = sizeof e;
        if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e != 0 ||
            write(t->fd, t->out, t->out_len) != (ssize_t)t->out_len) {
            end_attempt(t);
            return 0;
        }
        t->sent = 1;
        return 0;
    }
    if (!t->sent || !(revents & (POLLIN | POLLHUP | POLLERR)))
        return 0;
    ssize_t r = read(t->fd, t->buf + t->got, t->in_len - t->got);
    if (r > 0)
        t->got += (size_t)r;
    if (t->got == t->in_len)
        return head_is(t->buf, rc->token, t->rank);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
        end_attempt(t); /* closed early: another process on that address, or a refusal */
    return 0;
}

static void note_answer(const struct attempt *t, char *answers, size_t len)
{
    char text[ANSWER_LEN];
    memcpy(text, t->buf + QUESTION_LEN, ANSWER_LEN);
    text[ANSWER_LEN - 1] = '\0';
    size_t used = strlen(answers);
    if (used + 1 < len)
        snprintf(answers + used, len - used, "; rank %d is %s", t->rank, text);
}

/* Every attempt at once until each has its answer or until; heard[r] set for the ranks that
 * answered, their answers noted unless answers is NULL (an ack carries none). */
static void ask_batch(const struct gx_rollcall *rc, struct attempt *at, int nat, double until,
                      char *heard, char *answers, size_t len)
{
    struct pollfd p[BATCH];
    for (;;) {
        int np = 0;
        for (int i = 0; i < nat; i++) {
            if (at[i].fd >= 0 && heard[at[i].rank])
                end_attempt(&at[i]);
            p[i] = (struct pollfd){.fd = at[i].fd, .events = at[i].sent ? POLLIN : POLLOUT};
            np += at[i].fd >= 0;
        }
        double left = until - now_s();
        if (np == 0 || left <= 0)
            break;
        if (poll(p, (nfds_t)nat, (int)(left * 1e3) + 1) <= 0)
            continue;
        for (int i = 0; i < nat; i++)
            if (at[i].fd >= 0 && p[i].revents && step_attempt(rc, &at[i], p[i].revents) &&
                !heard[at[i].rank]) {
                heard[at[i].rank] = 1;
                if (answers)
                    note_answer(&at[i], answers, len);
            }
    }
    for (int i = 0; i < nat; i++)
        end_attempt(&at[i]);
}

int gx_rollcall_ask(struct gx_rollcall *rc, double wait_s, int *silent, int max, char *answers,
                    size_t len)
{
    answers[0] = '\0';
    char *heard = rc->addrs ? calloc((size_t)rc->size, 1) : NULL;
    struct attempt *at = heard ? calloc(BATCH, sizeof *at) : NULL;
    if (!at) {
        free(heard);
        return -1;
    }
    /* Batches each get the whole wait: a stopped rank's connection is accepted by its kernel
     * and then only the time limit ends it. */
    int r = 1, a = 0;
    while (r < rc->size) {
        int nat = 0;
        double until = now_s() + wait_s;
        for (; r < rc->size && nat < BATCH; a = 0, r++) {
            const struct gx_rollcall_addr *ad = &rc->addrs[r];
            for (; ad->port && a < ad->n && nat < BATCH; a++)
                start_attempt(rc, &at[nat++], r, 0, ad->ip[a], ad->port);
            if (a < ad->n && ad->port)
                break; /* the rest of this rank's addresses go in the next batch */
        }
        ask_batch(rc, at, nat, until, heard, answers, len);
    }
    int n = 0;
    for (int q = 1; q < rc->size && n < max; q++)
        if (!heard[q])
            silent[n++] = q;
    free(at);
    free(heard);
    return n;
}

int gx_rollcall_tell(struct gx_rollcall *rc, int sig, double wait_s)
{
    const struct gx_rollcall_addr *root = rc->rank > 0 ? rc->addrs : NULL;
    char *heard = root && root->port ? calloc((size_t)rc->size, 1) : NULL;
    if (!heard)
        return 0;
    struct attempt at[MAX_ADDRS];
    int nat = 0;
    for (; nat < root->n; nat++)
        start_attempt(rc, &at[nat], rc->rank, sig, root->ip[nat], root->port);
    ask_batch(rc, at, nat, now_s() + wait_s, heard, NULL, 0);
    int told = heard[rc->rank];
    free(heard);
    return told;
}

int gx_rollcall_heard(struct gx_rollcall *rc, int *rank, int *sig)
{
    int fd, heard = 0;
    if (rc->listen_fd < 0 || rc->rank != 0)
        return 0;
    while ((fd = accept4(rc->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        unsigned char m[TELL_LEN];
        uint32_t from = 0;
        if (read_soon(fd, m, sizeof m) == sizeof m && memcmp(m, &rc->token, 8) == 0 &&
            (from = get_u32(m + 8)) > 0 && from < (uint32_t)rc->size && !heard) {
            /* Acknowledged, so that the teller knows it reached this job's rank 0. */
            ssize_t w = write(fd, m, QUESTION_LEN);
            heard = w == QUESTION_LEN;
            *rank = (int)from;
            *sig = (int)get_u32(m + QUESTION_LEN);
        }
        close(fd);
    }
    return heard;
}
