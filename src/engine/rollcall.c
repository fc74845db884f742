#define _GNU_SOURCE 1 /* accept4, struct ucred */
#include "config.h"
#include "rollcall.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum {
    MAX_ADDRS = 8,      /* rank 0's IPv4 addresses a rank of another node may reach */
    ANSWER_LEN = 160,   /* where a rank is */
    QUESTION_LEN = 12,  /* token, then the rank asked for (or, told to rank 0, the teller) */
    TELL_LEN = 16,      /* the question's head, then the signal; the head comes back as the ack */
    BATCH = 256,        /* connections rank 0 has open at once */
    READ_WAIT_MS = 200, /* a connection's time to say its piece */
    WAITING = 8,        /* connections heard at once; a newer one closes the oldest */
    LISTENERS = 1 + MAX_ADDRS, /* rank 0: its node's socket, one per address reached */
    /* The folder's name: with "/r" and a rank's 10 digits, a Unix socket's name (108 bytes
     * on Linux); where TMPDIR is longer, /tmp. */
    DIR_LEN = 96
};
_Static_assert(LISTENERS + WAITING <= GX_ROLLCALL_FDS, "the watchdog polls them all");

enum { VIA_NONE, VIA_UNIX, VIA_TCP };

/* Where a rank listens: its node's directory (VIA_UNIX, named by its rank), or an address. */
struct gx_rollcall_addr {
    uint32_t ip;   /* network order */
    uint16_t port; /* network order */
    uint8_t via;
    uint8_t to; /* VIA_TCP, a rank other than 0: the index of rank 0's address it reaches */
};

/* Rank 0's word to every rank: the token, its node's directory, its addresses and, once the
 * others chose, the ports it listens on at them. */
struct root_info {
    uint64_t token;
    char dir[DIR_LEN]; /* "": none */
    uint32_t ip[MAX_ADDRS];
    uint16_t port[MAX_ADDRS];
    uint16_t n;
};

struct waiting {
    int fd; /* -1: free */
    double until;
    size_t got;
    unsigned char buf[TELL_LEN];
};

struct gx_rollcall_net {
    int listen_fd[LISTENERS];
    int nlisten;
    struct waiting w[WAITING];
    struct root_info root;
    struct gx_rollcall_addr *addrs; /* rank 0: every rank's; the others: rank 0's */
    uint32_t peers[MAX_ADDRS];      /* a rank of another node: rank 0's addresses */
    uint32_t *rank_ips;             /* rank 0: the other nodes' ranks' addresses, sorted */
    int npeers;
};

/* The names this process made, in fixed storage: an exit that runs no cleanup removes them
 * without allocating. */
static char own_name[sizeof ((struct sockaddr_un *)0)->sun_path], own_dir[DIR_LEN];
_Static_assert(DIR_LEN + 12 <= sizeof ((struct sockaddr_un *)0)->sun_path,
               "a rank's socket in the folder has a name a Unix socket takes");
/* Rank 0: its node's ranks' names go with the directory it made, whoever is still there (a
 * rank killed with SIGKILL leaves its own). */
static const struct gx_rollcall_net *dir_maker;
static int dir_ranks;

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

static int is_stop_signal(uint32_t sig)
{
#define GX_SIG_IS(s) if (sig == (uint32_t)(s)) return 1;
    GX_STOP_SIGNALS(GX_SIG_IS)
#undef GX_SIG_IS
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* This node's IPv4 addresses on interfaces that are up, loopback left out. */
static uint16_t node_addrs(uint32_t *ip, int max)
{
    struct ifaddrs *ifs = NULL;
    uint16_t n = 0;
    if (getifaddrs(&ifs) != 0)
        return 0;
    for (struct ifaddrs *i = ifs; i && n < max; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && i->ifa_flags & IFF_UP &&
            !(i->ifa_flags & IFF_LOOPBACK))
            ip[n++] = ((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr.s_addr;
    freeifaddrs(ifs);
    return n;
}

/* The address this node's route to `to` leaves from (no packet is sent). */
static int route_from(uint32_t to, uint32_t *from)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = to};
    socklen_t len = sizeof sa;
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
             getsockname(fd, (struct sockaddr *)&sa, &len) == 0 &&
             sa.sin_addr.s_addr != htonl(INADDR_ANY);
    if (fd >= 0)
        close(fd);
    *from = sa.sin_addr.s_addr;
    return ok ? 0 : -1;
}

static int unix_addr(struct sockaddr_un *sa, const char *dir, int rank)
{
    *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
    int k = snprintf(sa->sun_path, sizeof sa->sun_path, "%s/r%d", dir, rank);
    return k > 0 && (size_t)k < sizeof sa->sun_path ? 0 : -1;
}

static int listen_unix(const char *dir, int rank)
{
    struct sockaddr_un sa;
    int fd = dir[0] && unix_addr(&sa, dir, rank) == 0 /* "": rank 0 made no folder */
                 ? socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)
                 : -1;
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0) {
        close(fd);
        return -1;
    }
    snprintf(own_name, sizeof own_name, "%s", sa.sun_path);
    snprintf(own_dir, sizeof own_dir, "%s", dir);
    return fd;
}

/* A listening socket at ip, on a port the kernel picks. */
static int listen_tcp(uint32_t ip, uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = ip};
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

/* Whether the ranks of comm on this node include rank 0. */
static int with_rank0(MPI_Comm comm, int rank, int *with, struct gx_err *err)
{
    MPI_Comm node;
    int lowest = rank;
    GX_MPI_TRY(err, MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node));
    int mrc = MPI_Allreduce(&rank, &lowest, 1, MPI_INT, MPI_MIN, node);
    MPI_Comm_free(&node);
    GX_MPI_TRY(err, mrc);
    *with = lowest == 0;
    return GX_OK;
}

/* Rank 0: the token and the directory of its node's sockets; none said once. */
static void root_prepare(struct root_info *root, int size)
{
    if (getrandom(&root->token, sizeof root->token, 0) != (ssize_t)sizeof root->token) {
        fprintf(stderr, "gpuxfer: rank 0: no roll call (getrandom: %s): a timeout names the "
                "ranks of the measurement, and a signal sent to another rank alone may be "
                "reported as the launcher's\n", strerror(errno));
        root->token = 0;
        return;
    }
    root->token |= 1; /* 0 says "no roll call" */
    root->n = node_addrs(root->ip, MAX_ADDRS);
    if (size < 2)
        return;
    const char *tmp = getenv("TMPDIR");
    char dir[DIR_LEN];
    if (!tmp || tmp[0] != '/' ||
        snprintf(dir, sizeof dir, "%s/gpuxfer-rc.XXXXXX", tmp) >= (int)sizeof dir)
        snprintf(dir, sizeof dir, "/tmp/gpuxfer-rc.XXXXXX");
    if (mkdtemp(dir))
        snprintf(root->dir, sizeof root->dir, "%s", dir);
    else
        fprintf(stderr, "gpuxfer: rank 0: no directory for the roll call's sockets (mkdtemp "
                "'%s': %s): a timeout will name this node's ranks as silent\n", dir,
                strerror(errno));
}

/* A rank other than 0: listens where rank 0 reaches it. */
static int listen_here(struct gx_rollcall_net *net, int rank, int with0,
                       struct gx_rollcall_addr *mine)
{
    const struct root_info *root = &net->root;
    if (with0) {
        mine->via = VIA_UNIX;
        return listen_unix(root->dir, rank);
    }
    for (int i = 0; i < root->n; i++) {
        uint32_t from;
        if (route_from(root->ip[i], &from) != 0)
            continue;
        int fd = listen_tcp(from, &mine->port);
        if (fd >= 0)
            *mine = (struct gx_rollcall_addr){.ip = from, .port = mine->port, .via = VIA_TCP,
                                              .to = (uint8_t)i};
        return fd;
    }
    errno = ENETUNREACH;
    return -1;
}

/* Rank 0, once every rank said where it listens: a socket at each of its addresses another
 * node's rank reaches, and the addresses allowed in there. */
static void root_listen_tcp(struct gx_rollcall_net *net, int size)
{
    struct root_info *root = &net->root;
    net->rank_ips = malloc((size_t)size * sizeof *net->rank_ips);
    for (int i = 0; i < root->n; i++) {
        int used = 0;
        for (int r = 1; r < size && !used; r++)
            used = net->addrs[r].via == VIA_TCP && net->addrs[r].to == i;
        int fd = used && net->rank_ips ? listen_tcp(root->ip[i], &root->port[i]) : -1;
        if (fd >= 0)
            net->listen_fd[net->nlisten++] = fd;
    }
    for (int r = 1; r < size && net->rank_ips; r++)
        if (net->addrs[r].via == VIA_TCP)
            net->rank_ips[net->npeers++] = net->addrs[r].ip;
    if (net->rank_ips)
        qsort(net->rank_ips, (size_t)net->npeers, sizeof *net->rank_ips, cmp_u32);
}

int gx_rollcall_open(struct gx_rollcall *rc, MPI_Comm comm, struct gx_err *err)
{
    GX_MPI_TRY(err, MPI_Comm_rank(comm, &rc->rank));
    GX_MPI_TRY(err, MPI_Comm_size(comm, &rc->size));
    int with0 = 0;
    GX_TRY(with_rank0(comm, rc->rank, &with0, err));
    struct gx_rollcall_net *net = calloc(1, sizeof *net);
    if (net) {
        for (int i = 0; i < WAITING; i++)
            net->w[i].fd = -1;
        net->addrs = calloc(rc->rank == 0 ? (size_t)rc->size : 1, sizeof *net->addrs);
    }
    struct root_info root = {0};
    if (rc->rank == 0 && net && net->addrs)
        root_prepare(&root, rc->size);
    GX_MPI_TRY(err, MPI_Bcast(&root, (int)sizeof root, MPI_BYTE, 0, comm));
    rc->token = root.token;
    rc->net = net;
    if (!root.token || rc->size < 2) { /* no roll call in this job: every rank skips the rest */
        gx_rollcall_close(rc);
        return GX_OK;
    }
    struct gx_rollcall_addr mine = {.via = VIA_NONE};
    int fd = -1;
    if (net && net->addrs) {
        net->root = root;
        if (rc->rank == 0) {
            mine.via = VIA_UNIX;
            fd = listen_unix(root.dir, 0);
        } else {
            fd = listen_here(net, rc->rank, with0, &mine);
        }
    }
    if (fd >= 0)
        net->listen_fd[net->nlisten++] = fd;
    else
        mine.via = VIA_NONE;
    if (fd < 0 && rc->rank != 0)
        fprintf(stderr, "gpuxfer: rank %d: no socket for the watchdog's roll call (%s): "
                "a timeout will name this rank as silent\n", rc->rank, strerror(errno));
    GX_MPI_TRY(err, MPI_Gather(&mine, (int)sizeof mine, MPI_BYTE, net ? net->addrs : NULL,
                               (int)sizeof mine, MPI_BYTE, 0, comm));
    if (rc->rank == 0) {
        dir_maker = net->root.dir[0] ? net : NULL;
        dir_ranks = rc->size;
        root_listen_tcp(net, rc->size);
        memcpy(root.port, net->root.port, sizeof root.port);
    }
    GX_MPI_TRY(err, MPI_Bcast(root.port, (int)sizeof root.port, MPI_BYTE, 0, comm));
    if (rc->rank != 0 && net && net->addrs) {
        memcpy(net->root.port, root.port, sizeof root.port);
        net->addrs[0] = with0 ? (struct gx_rollcall_addr){.via = root.dir[0] ? VIA_UNIX : 0}
                        : mine.via == VIA_TCP && root.port[mine.to]
                            ? (struct gx_rollcall_addr){.ip = root.ip[mine.to],
                                                        .port = root.port[mine.to],
                                                        .via = VIA_TCP}
                            : (struct gx_rollcall_addr){.via = VIA_NONE};
        memcpy(net->peers, root.ip, sizeof net->peers);
        net->npeers = root.n;
        qsort(net->peers, (size_t)net->npeers, sizeof *net->peers, cmp_u32);
    }
    return GX_OK;
}

void gx_rollcall_unlink_named(void)
{
    for (int r = 1; dir_maker && r < dir_ranks; r++) {
        struct sockaddr_un sa;
        if (dir_maker->addrs[r].via == VIA_UNIX && unix_addr(&sa, dir_maker->root.dir, r) == 0)
            unlink(sa.sun_path);
    }
    if (own_name[0])
        unlink(own_name);
    if (own_dir[0])
        rmdir(own_dir); /* the last rank of the node out removes it */
    else if (dir_maker)
        rmdir(dir_maker->root.dir); /* rank 0's own socket could not be made */
}

void gx_rollcall_close(struct gx_rollcall *rc)
{
    struct gx_rollcall_net *net = rc->net;
    if (net) {
        for (int i = 0; i < net->nlisten; i++)
            close(net->listen_fd[i]);
        for (int i = 0; i < WAITING; i++)
            if (net->w[i].fd >= 0)
                close(net->w[i].fd);
    }
    gx_rollcall_unlink_named();
    own_name[0] = own_dir[0] = '\0';
    dir_maker = NULL;
    if (net) {
        free(net->addrs);
        free(net->rank_ips);
        free(net);
    }
    rc->net = NULL;
}

int gx_rollcall_fds(const struct gx_rollcall *rc, struct pollfd *p, int max)
{
    const struct gx_rollcall_net *net = rc->net;
    int n = 0;
    for (int i = 0; net && i < net->nlisten && n < max; i++)
        p[n++] = (struct pollfd){.fd = net->listen_fd[i], .events = POLLIN};
    for (int i = 0; net && i < WAITING && n < max; i++)
        if (net->w[i].fd >= 0)
            p[n++] = (struct pollfd){.fd = net->w[i].fd, .events = POLLIN};
    return n;
}

/* Whether a connection comes from the job: the same user on this node, or one of the
 * addresses the other side listens at. */
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

/* Takes the connections waiting on the listening sockets (a newer one closes the oldest when
 * all places are taken) and closes those whose moment is over. */
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

/* Reads what a waiting connection has sent, up to need bytes; 1 once it has them, -1 when it
 * closed or failed first. */
static int read_piece(struct waiting *w, size_t need)
{
    ssize_t r = read(w->fd, w->buf + w->got, need - w->got);
    if (r > 0)
        w->got += (size_t)r;
    if (w->got == need)
        return 1;
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR) ? -1 : 0;
}

void gx_rollcall_answer(struct gx_rollcall *rc, const char *where)
{
    struct gx_rollcall_net *net = rc->net;
    if (!net || rc->rank == 0)
        return;
    take_connections(rc, now_s());
    for (int i = 0; i < WAITING; i++) {
        struct waiting *w = &net->w[i];
        int got = w->fd >= 0 ? read_piece(w, QUESTION_LEN) : 0;
        if (got > 0 && head_is(w->buf, rc->token, rc->rank)) {
            unsigned char a[QUESTION_LEN + ANSWER_LEN] = {0};
            put_head(a, rc->token, rc->rank);
            snprintf((char *)a + QUESTION_LEN, ANSWER_LEN, "%s", where);
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
    take_connections(rc, now_s());
    for (int i = 0; i < WAITING; i++) {
        struct waiting *w = &net->w[i];
        int got = w->fd >= 0 ? read_piece(w, TELL_LEN) : 0;
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

/* One connection to one rank: rank 0 asking it, or a rank telling rank 0. */
struct attempt {
    int rank, fd, sent; /* rank: the one asked, or the teller */
    size_t got, out_len, in_len;
    unsigned char out[TELL_LEN];
    unsigned char buf[QUESTION_LEN + ANSWER_LEN];
};

/* The question to rank (listening at a; its node's sockets named by `at`), or (sig > 0) word
 * of sig from rank to rank 0. */
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
        if (unix_addr(&su, rc->net->root.dir, at) != 0)
            return;
        sa = (const struct sockaddr *)&su;
        len = sizeof su;
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

/* Advances one attempt on a poll event; returns 1 when it holds the answer (or the ack). */
static int step_attempt(const struct gx_rollcall *rc, struct attempt *t, short revents)
{
    if (!t->sent && (revents & (POLLOUT | POLLERR | POLLHUP))) {
        int e = 0;
        socklen_t el = sizeof e;
        if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e != 0 ||
            send(t->fd, t->out, t->out_len, MSG_NOSIGNAL) != (ssize_t)t->out_len) {
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
        end_attempt(t); /* closed early: a refusal */
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
    char *heard = rc->net ? calloc((size_t)rc->size, 1) : NULL;
    struct attempt *at = heard ? calloc(BATCH, sizeof *at) : NULL;
    if (!at) {
        free(heard);
        return -1;
    }
    /* Batches each get the whole wait: a stopped rank's connection is accepted by its kernel
     * and then only the time limit ends it. */
    for (int r = 1; r < rc->size;) {
        int nat = 0;
        double until = now_s() + wait_s;
        for (; r < rc->size && nat < BATCH; r++)
            start_attempt(rc, &at[nat++], r, 0, &rc->net->addrs[r], r);
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
    char *heard = rc->rank > 0 && rc->net ? calloc((size_t)rc->size, 1) : NULL;
    if (!heard)
        return 0;
    struct attempt at;
    start_attempt(rc, &at, rc->rank, sig, &rc->net->addrs[0], 0);
    ask_batch(rc, &at, 1, now_s() + wait_s, heard, NULL, 0);
    int told = heard[rc->rank];
    free(heard);
    return told;
}
