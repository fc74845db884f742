/* The roll call's messages, over the sockets rollcall.c sets up. */
#define _GNU_SOURCE 1 /* accept4, struct ucred */
#include "config.h"
#include "rollcall.h"
#include "rollcall_net.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int is_stop_signal(uint32_t sig)
{
#define GX_SIG_IS(s) if (sig == (uint32_t)(s)) return 1;
    GX_STOP_SIGNALS(GX_SIG_IS)
#undef GX_SIG_IS
    return 0;
}

/* The same user on this node, or an address the other side listens at. */
static int from_the_job(const struct gx_rollcall *rc, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_UNIX) {
        struct ucred cred;
        socklen_t cl = sizeof cred;
        return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 &&
               cred.uid == geteuid();
    }
    struct sockaddr_in peer;
    len = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || peer.sin_family != AF_INET)
        return 0;
    const struct gx_rollcall_net *net = rc->net;
    const uint32_t *set = rc->rank == 0 ? net->rank_ips : net->peers;
    return set && bsearch(&peer.sin_addr.s_addr, set, (size_t)net->npeers, sizeof *set,
                          cmp_u32) != NULL;
}

static void drop(struct waiting *w)
{
    close(w->fd);
    w->fd = -1;
}

/* A newer connection closes the oldest when all places are taken. */
static void take_connections(struct gx_rollcall *rc, double now)
{
    struct gx_rollcall_net *net = rc->net;
    for (int i = 0; i < WAITING; i++)
        if (net->w[i].fd >= 0 && now > net->w[i].until)
            drop(&net->w[i]);
    for (int l = 0; l < net->nlisten; l++) {
        int fd;
        while ((fd = accept4(net->listen_fd[l], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
               0) {
            if (!from_the_job(rc, fd)) {
                close(fd);
                continue;
            }
            struct waiting *w = &net->w[0];
            for (int i = 1; i < WAITING && w->fd >= 0; i++)
                if (net->w[i].fd < 0 || net->w[i].until < w->until)
                    w = &net->w[i];
            if (w->fd >= 0)
                drop(w);
            *w = (struct waiting){.fd = fd, .until = now + READ_WAIT_MS / 1e3};
        }
    }
}

/* 1 once buf has need bytes, -1 when fd closed or failed first. */
static int read_piece(int fd, unsigned char *buf, size_t *got, size_t need)
{
    ssize_t r = read(fd, buf + *got, need - *got);
    if (r > 0)
        *got += (size_t)r;
    if (*got == need)
        return 1;
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR) ? -1 : 0;
}

void gx_rollcall_answer(struct gx_rollcall *rc, uint64_t position, const char *where)
{
    struct gx_rollcall_net *net = rc->net;
    if (!net || rc->rank == 0)
        return;
    take_connections(rc, gx_mono_s());
    for (int i = 0; i < WAITING; i++) {
        struct waiting *w = &net->w[i];
        int got = w->fd >= 0 ? read_piece(w->fd, w->buf, &w->got, QUESTION_LEN) : 0;
        if (got > 0 && head_is(w->buf, rc->token, rc->rank)) {
            unsigned char a[QUESTION_LEN + ANSWER_LEN] = {0};
            put_head(a, rc->token, rc->rank);
            put_u32(a + QUESTION_LEN, (uint32_t)(position >> 32));
            put_u32(a + QUESTION_LEN + 4, (uint32_t)position);
            snprintf((char *)a + QUESTION_LEN + 8, ANSWER_LEN - 8, "%s", where);
            /* Small enough for an empty socket buffer: one write. */
            ssize_t wr = send(w->fd, a, sizeof a, MSG_NOSIGNAL);
            (void)wr;
        }
        if (got)
            drop(w);
    }
}

int gx_rollcall_heard(struct gx_rollcall *rc, int *rank, int *sig)
{
    struct gx_rollcall_net *net = rc->net;
    int heard = 0;
    if (!net || rc->rank != 0)
        return 0;
    take_connections(rc, gx_mono_s());
    for (int i = 0; i < WAITING; i++) {
        struct waiting *w = &net->w[i];
        int got = w->fd >= 0 ? read_piece(w->fd, w->buf, &w->got, TELL_LEN) : 0;
        uint32_t from = got > 0 ? get_u32(w->buf + 8) : 0, s = get_u32(w->buf + QUESTION_LEN);
        if (got > 0 && !heard && memcmp(w->buf, &rc->token, 8) == 0 && from > 0 &&
            from < (uint32_t)rc->size && is_stop_signal(s)) {
            /* Acknowledged, so that the teller knows it reached this job's rank 0. */
            heard = send(w->fd, w->buf, QUESTION_LEN, MSG_NOSIGNAL) == QUESTION_LEN;
            *rank = (int)from;
            *sig = (int)s;
        }
        if (got)
            drop(w);
    }
    return heard;
}

struct attempt {
    int rank, fd, sent; /* rank: the one asked, or the teller */
    size_t got, out_len, in_len;
    unsigned char out[TELL_LEN];
    unsigned char buf[QUESTION_LEN + ANSWER_LEN];
};

/* sig > 0: word of sig from rank to rank 0. */
static void start_attempt(const struct gx_rollcall *rc, struct attempt *t, int rank, int sig,
                          const struct gx_rollcall_addr *a, int at)
{
    t->rank = rank;
    t->sent = 0;
    t->got = 0;
    t->fd = -1;
    put_head(t->out, rc->token, rank);
    put_u32(t->out + QUESTION_LEN, (uint32_t)sig);
    t->out_len = sig > 0 ? TELL_LEN : QUESTION_LEN;
    t->in_len = sig > 0 ? QUESTION_LEN : QUESTION_LEN + ANSWER_LEN;
    struct sockaddr_un su;
    struct sockaddr_in si = {.sin_family = AF_INET, .sin_port = a->port, .sin_addr.s_addr = a->ip};
    const struct sockaddr *sa = (const struct sockaddr *)&si;
    socklen_t len = sizeof si;
    if (a->via == VIA_UNIX) {
        if (unix_addr(&su, &len, rc->net->root.prefix, at) != 0)
            return;
        sa = (const struct sockaddr *)&su;
    } else if (a->via != VIA_TCP) {
        return;
    }
    t->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (t->fd >= 0 && connect(t->fd, sa, len) != 0 && errno != EINPROGRESS) {
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

static int step_attempt(const struct gx_rollcall *rc, struct attempt *t, short revents)
{
    if (!t->sent && (revents & (POLLOUT | POLLERR | POLLHUP))) {
        int e = 0;
        socklen_t el = sizeof e;
        /* The other end checked too: a name in the abstract namespace has no owner to trust. */
        if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e != 0 ||
            !from_the_job(rc, t->fd) ||
            send(t->fd, t->out, t->out_len, MSG_NOSIGNAL) != (ssize_t)t->out_len) {
            end_attempt(t);
            return 0;
        }
        t->sent = 1;
        return 0;
    }
    if (!t->sent || !(revents & (POLLIN | POLLHUP | POLLERR)))
        return 0;
    int got = read_piece(t->fd, t->buf, &t->got, t->in_len);
    if (got > 0)
        return head_is(t->buf, rc->token, t->rank);
    if (got < 0)
        end_attempt(t); /* closed early: a refusal */
    return 0;
}

static void note_answer(const struct attempt *t, uint64_t *position, char *answers, size_t len)
{
    const unsigned char *a = t->buf + QUESTION_LEN;
    if (position)
        position[t->rank] = (uint64_t)get_u32(a) << 32 | get_u32(a + 4);
    char text[ANSWER_LEN - 8];
    memcpy(text, a + 8, sizeof text);
    text[sizeof text - 1] = '\0';
    size_t used = strlen(answers);
    if (used + 1 < len)
        snprintf(answers + used, len - used, "; rank %d is %s", t->rank, text);
}

/* answers NULL: an ack carries none. */
static void ask_batch(const struct gx_rollcall *rc, struct attempt *at, int nat, double until,
                      char *heard, uint64_t *position, char *answers, size_t len)
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
        double left = until - gx_mono_s();
        if (np == 0 || left <= 0)
            break;
        if (poll(p, (nfds_t)nat, (int)(left * 1e3) + 1) <= 0)
            continue;
        for (int i = 0; i < nat; i++)
            if (at[i].fd >= 0 && p[i].revents && step_attempt(rc, &at[i], p[i].revents) &&
                !heard[at[i].rank]) {
                heard[at[i].rank] = 1;
                if (answers)
                    note_answer(&at[i], position, answers, len);
            }
    }
    for (int i = 0; i < nat; i++)
        end_attempt(&at[i]);
}

int gx_rollcall_ask(struct gx_rollcall *rc, double wait_s, int *silent, int max,
                    uint64_t *position, char *answers, size_t len)
{
    answers[0] = '\0';
    for (int r = 0; position && r < rc->size; r++)
        position[r] = GX_ROLLCALL_SILENT;
    char *heard = rc->net ? calloc((size_t)rc->size, 1) : NULL;
    struct attempt *at = heard ? calloc(BATCH, sizeof *at) : NULL;
    if (!at) {
        free(heard);
        return -1;
    }
    /* Each batch gets the whole wait: a stopped rank's kernel accepts, and only time ends it. */
    for (int r = 1; r < rc->size;) {
        int nat = 0;
        double until = gx_mono_s() + wait_s;
        for (; r < rc->size && nat < BATCH; r++)
            start_attempt(rc, &at[nat++], r, 0, &rc->net->addrs[r], r);
        ask_batch(rc, at, nat, until, heard, position, answers, len);
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
    char *heard = rc->rank > 0 && rc->net ? calloc((size_t)rc->size, 1) : NULL;
    if (!heard)
        return 0;
    struct attempt at;
    start_attempt(rc, &at, rc->rank, sig, &rc->net->addrs[0], 0);
    ask_batch(rc, &at, 1, gx_mono_s() + wait_s, heard, NULL, NULL, 0);
    int told = heard[rc->rank];
    free(heard);
    return told;
}
