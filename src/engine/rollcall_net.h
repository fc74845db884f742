/* What rollcall.c (the sockets) and rollcall_ask.c (the messages) share. */
#ifndef GX_ROLLCALL_NET_H
#define GX_ROLLCALL_NET_H

#include "gx.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

enum {
    MAX_ADDRS = 8,      /* rank 0's IPv4 addresses a rank of another node may reach */
    ANSWER_LEN = 160,   /* where a rank is: its position (8 bytes), then in words */
    QUESTION_LEN = 12,  /* token, then the rank asked for (or, told to rank 0, the teller) */
    TELL_LEN = 16,      /* the question's head, then the signal; the head comes back as the ack */
    BATCH = 256,        /* connections rank 0 has open at once */
    READ_WAIT_MS = 200, /* a connection's time to say its piece */
    WAITING = 8,        /* connections heard at once; a newer one closes the oldest */
    LISTENERS = 1 + MAX_ADDRS, /* rank 0: its node's socket, one per address reached */
    PREFIX_LEN = 32            /* "gpuxfer-rc-" and the token in hex */
};

enum { VIA_NONE, VIA_UNIX, VIA_TCP };

/* Where a rank listens: its node's Unix socket, named by its rank, or an address. */
struct gx_rollcall_addr {
    uint32_t ip;   /* network order */
    uint16_t port; /* network order */
    uint8_t via;
    uint8_t to; /* VIA_TCP: which of rank 0's addresses it reaches */
};

/* Rank 0's word to every rank; the ports once the others chose the addresses. */
struct root_info {
    uint64_t token;
    char prefix[PREFIX_LEN]; /* "": no Unix sockets */
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

static inline void put_u32(unsigned char *p, uint32_t v)
{
    v = htonl(v);
    memcpy(p, &v, 4);
}

static inline uint32_t get_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return ntohl(v);
}

static inline void put_head(unsigned char *p, uint64_t token, int rank)
{
    memcpy(p, &token, 8);
    put_u32(p + 8, (uint32_t)rank);
}

static inline int head_is(const unsigned char *p, uint64_t token, int rank)
{
    return memcmp(p, &token, 8) == 0 && get_u32(p + 8) == (uint32_t)rank;
}

static inline int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Abstract, so that not even SIGKILL leaves a file; the token keeps it from being guessed. */
static inline int unix_addr(struct sockaddr_un *sa, socklen_t *len, const char *prefix, int rank)
{
    *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
    int k = snprintf(sa->sun_path + 1, sizeof sa->sun_path - 1, "%s/r%d", prefix, rank);
    if (k <= 0 || (size_t)k >= sizeof sa->sun_path - 1)
        return -1;
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)k);
    return 0;
}

#endif
