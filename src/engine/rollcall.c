#define _GNU_SOURCE 1 /* accept4, struct ucred */
#include "config.h"
#include "rollcall.h"
#include "rollcall_net.h"

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
#include <unistd.h>

_Static_assert(LISTENERS + WAITING <= GX_ROLLCALL_FDS, "the watchdog polls them all");

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

/* No packet is sent. */
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

static int listen_unix(const char *prefix, int rank)
{
    struct sockaddr_un sa;
    socklen_t len = 0;
    int fd = prefix[0] && unix_addr(&sa, &len, prefix, rank) == 0 /* "": no Unix sockets */
                 ? socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)
                 : -1;
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&sa, len) != 0 || listen(fd, 16) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

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

/* Rank 0: the token, and its node's socket names' prefix from it; none said once. */
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
    if (size >= 2)
        snprintf(root->prefix, sizeof root->prefix, "gpuxfer-rc-%016llx",
                 (unsigned long long)root->token);
}

static int listen_here(struct gx_rollcall_net *net, int rank, int with0,
                       struct gx_rollcall_addr *mine)
{
    const struct root_info *root = &net->root;
    if (with0) {
        mine->via = VIA_UNIX;
        return listen_unix(root->prefix, rank);
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

/* Rank 0: a socket at each of its addresses another node's rank reaches. */
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
            fd = listen_unix(root.prefix, 0);
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
        root_listen_tcp(net, rc->size);
        memcpy(root.port, net->root.port, sizeof root.port);
    }
    GX_MPI_TRY(err, MPI_Bcast(root.port, (int)sizeof root.port, MPI_BYTE, 0, comm));
    if (rc->rank != 0 && net && net->addrs) {
        memcpy(net->root.port, root.port, sizeof root.port);
        net->addrs[0] = with0 ? (struct gx_rollcall_addr){.via = root.prefix[0] ? VIA_UNIX : 0}
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

void gx_rollcall_close(struct gx_rollcall *rc)
{
    struct gx_rollcall_net *net = rc->net;
    if (net) {
        for (int i = 0; i < net->nlisten; i++)
            close(net->listen_fd[i]);
        for (int i = 0; i < WAITING; i++)
            if (net->w[i].fd >= 0)
                close(net->w[i].fd);
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
