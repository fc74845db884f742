#include "config.h"
#include "ucx_proto.h"

#include "input.h"
#include "ucx_log.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void gx_ucx_proto_free(struct gx_ucx_proto *p)
{
    free(p->rows);
    memset(p, 0, sizeof *p);
}

static void trim_copy(char *dst, size_t len, const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    snprintf(dst, len, "%.*s", (int)(n < len ? n : len - 1), s);
}

/* "256K", "8248", "inf" (SIZE_MAX); -1 when not a size. */
static int parse_size(const char *s, size_t *out)
{
    struct gx_err ignored = {0};
    if (strcmp(s, "inf") == 0) {
        *out = SIZE_MAX;
        return 0;
    }
    return gx_parse_bytes(s, 0, SIZE_MAX, out, &ignored) == GX_OK ? 0 : -1;
}

/* "0..92", "256K..inf", "0"; -1 when the cell is none. */
static int parse_range(const char *cell, size_t *lo, size_t *hi)
{
    char a[32], b[32];
    const char *dots = strstr(cell, "..");
    if (!dots) {
        snprintf(a, sizeof a, "%.31s", cell);
        return parse_size(a, lo) == 0 ? (*hi = *lo, 0) : -1;
    }
    snprintf(a, sizeof a, "%.*s", (int)(dots - cell < 31 ? dots - cell : 31), cell);
    snprintf(b, sizeof b, "%.31s", dots + 2);
    return parse_size(a, lo) == 0 && parse_size(b, hi) == 0 && *lo <= *hi ? 0 : -1;
}

/* "tagged message by ucp_tag_send*(multi) from cuda/GPU0": the operation, and the memory type
 * alone. */
static void parse_heading(const char *cell, char *op, size_t oplen, char *mem, size_t memlen)
{
    const char *from = strstr(cell, " from ");
    if (!from) {
        trim_copy(op, oplen, cell, strlen(cell));
        mem[0] = 0;
        return;
    }
    trim_copy(op, oplen, cell, (size_t)(from - cell));
    const char *m = from + 6;
    trim_copy(mem, memlen, m, strcspn(m, "/ "));
}

/* The cells of a "| a | b | c |" body, trimmed; how many. */
static int split_cells(const char *body, char cells[][128], int max)
{
    int n = 0;
    const char *s = strchr(body, '|');
    while (s && n < max) {
        const char *e = strchr(s + 1, '|');
        if (!e)
            break;
        trim_copy(cells[n++], 128, s + 1, (size_t)(e - s - 1));
        s = e;
    }
    return n;
}

static int add_row(struct gx_ucx_proto *p, const struct gx_ucx_proto_row *r)
{
    struct gx_ucx_proto_row *rows = gx_grow(p->rows, &p->cap, p->n, 32, sizeof *rows);
    if (!rows)
        return -1;
    p->rows = rows;
    p->rows[p->n++] = *r;
    return 0;
}

static void keep_other(struct gx_ucx_proto *p, const char *line, size_t n)
{
    size_t used = strlen(p->other);
    if (used + n + 2 < sizeof p->other)
        snprintf(p->other + used, sizeof p->other - used, "%.*s\n", (int)n, line);
}

void gx_ucx_proto_parse(struct gx_ucx_proto *p, const char *text)
{
    /* One process's tables are never interleaved: the last heading is the rows' own. */
    struct gx_ucx_proto_row cur = {0};
    int have_op = 0;
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char buf[1024];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), line);
        line = nl ? nl + 1 : NULL;
        /* "[1795499160.344721] [vm:522  :0]   | ... |": two bracketed fields, then the body. */
        const char *body = buf;
        for (int i = 0; i < 2 && body && *body == '['; i++) {
            body = strchr(body, ']');
            body = body ? body + 1 + strspn(body + 1, " ") : NULL;
        }
        if (!body || body == buf) {
            if (len)
                keep_other(p, buf, strlen(buf));
            continue;
        }
        if (*body == '+')
            continue;
        if (*body != '|') {
            keep_other(p, buf, strlen(buf));
            continue;
        }
        char cells[5][128];
        int n = split_cells(body, cells, 5);
        if (n == 1) {
            char *cfg = strstr(cells[0], " cfg#");
            if (cfg) { /* 1.22: "ucp_context_0 intra-node cfg#2", then the operation */
                *cfg = 0;
                const char *kind = strrchr(cells[0], ' ');
                const char *name = kind ? kind + 1 : cells[0];
                snprintf(cur.ep, sizeof cur.ep, "%.*s", (int)sizeof cur.ep - 1, name);
                have_op = 0;
            } else {
                parse_heading(cells[0], cur.op, sizeof cur.op, cur.mem, sizeof cur.mem);
                have_op = 1;
            }
            continue;
        }
        if (n == 2 && strstr(cells[0], "ep_cfg[")) { /* 1.13: "0x55.. ep_cfg[1] | operation" */
            cur.ep[0] = 0;
            parse_heading(cells[1], cur.op, sizeof cur.op, cur.mem, sizeof cur.mem);
            have_op = 1;
            continue;
        }
        /* A row: range, protocol, transports; UCX_PROTO_INFO=used puts a count first. */
        int at = n >= 4 ? 1 : 0;
        if (!have_op || n - at < 2 || parse_range(cells[at], &cur.lo, &cur.hi) != 0)
            continue;
        snprintf(cur.protocol, sizeof cur.protocol, "%.*s", (int)sizeof cur.protocol - 1,
                 cells[at + 1]);
        snprintf(cur.transports, sizeof cur.transports, "%.*s", (int)sizeof cur.transports - 1,
                 n - at > 2 ? cells[at + 2] : "");
        if (add_row(p, &cur) != 0)
            return;
    }
}

size_t gx_ucx_proto_find(const struct gx_ucx_proto *p, const char *ep, const char *mem,
                         size_t size, const struct gx_ucx_proto_row **out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n && k < max; i++) {
        const struct gx_ucx_proto_row *r = &p->rows[i];
        /* Two ranks never talk over self (1.13's headings do not name the endpoint's kind). */
        if (strncmp(r->op, "tagged message by ucp_tag_send", 30) != 0 || strcmp(r->mem, mem) ||
            (ep && r->ep[0] && strcmp(r->ep, ep)) || !strncmp(r->transports, "self/", 5) ||
            size < r->lo || size > r->hi)
            continue;
        int seen = 0;
        for (size_t j = 0; j < k && !seen; j++)
            seen = !strcmp(out[j]->protocol, r->protocol) &&
                   !strcmp(out[j]->transports, r->transports);
        if (!seen)
            out[k++] = r;
    }
    return k;
}

void gx_ucx_proto_end(struct gx_ucx_proto *p)
{
    struct gx_ucx_proto discard;
    if (!p)
        p = &discard;
    memset(p, 0, sizeof *p);
    char *text = gx_ucx_log_end();
    if (text)
        gx_ucx_proto_parse(p, text);
    free(text);
    if (p->other[0])
        fprintf(stderr, "%s", p->other);
    if (p == &discard)
        gx_ucx_proto_free(p);
}
