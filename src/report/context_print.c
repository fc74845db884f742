/* The table's header from the context's rows: the ranks' places and links, the pairs' routes,
 * the warnings. */
#include "config.h"
#include "context.h"

#include "gpu_counters.h"
#include "output.h"

#include <stdlib.h>

/* "#   route: line rate 425.0 GB/s: NVLink 4, 17 links 425.0", the narrowest first. */
static void print_route(FILE *out, const struct gx_route *r)
{
    char hops[400] = "";
    for (int i = 0; i < r->nhops; i++) {
        const struct gx_hop *h = &r->hops[i];
        size_t l = strlen(hops);
        if (h->gbs > 0)
            snprintf(hops + l, sizeof hops - l, "%s%s %.1f", l ? ", " : "", h->what, h->gbs);
        else
            snprintf(hops + l, sizeof hops - l, "%s%s ?", l ? ", " : "", h->what);
    }
    if (r->line_gbs > 0)
        gx_print_note(out, "#   route: line rate %.1f GB/s%s: %s\n", r->line_gbs,
                      r->partial ? " (of the known links)" : "", hops);
    else
        gx_print_note(out, "#   route: line rate unknown (%s)%s%s\n", r->why[0] ? r->why : "?",
                      hops[0] ? ": " : "", hops);
}

/* A rank's links, each with rate and source; 0 where it has none. */
static int print_links(FILE *out, int rank, const struct gx_link_facts *f)
{
    char pcie[160] = "-", nvl[120] = "-", nic[120] = "-", c2c[80] = "", what[96];
    if (f->has_gpu) {
        const struct gx_pcie_facts *p = &f->pcie;
        double line = gx_pcie_line_gbs(p, what, sizeof what);
        const char *why = p->why[0] && (!p->cur_gen || !p->max_gen) ? p->why : NULL;
        char c[48] = "?", m[48] = "?";
        if (p->cur_gen > 0)
            snprintf(c, sizeof c, "gen%d x%d %s %s", p->cur_gen, p->cur_width,
                     gx_src_names[p->cur_src], p->under_load ? "under load" : "at idle");
        if (p->max_gen > 0)
            snprintf(m, sizeof m, "gen%d x%d %s", p->max_gen, p->max_width,
                     gx_src_names[p->max_src]);
        char whole[GX_LINK_WHY + 64];
        if (line > 0 && p->cur_gen > 0)
            snprintf(whole, sizeof whole, "%.1f GB/s (now %s, max %s)", line, c, m);
        else if (line > 0) /* hwloc's speed: no generation or width */
            snprintf(whole, sizeof whole, "%.1f GB/s (hwloc's link speed; %s)", line,
                     why ? why : "gen and width unknown");
        else
            snprintf(whole, sizeof whole, "? (%s)", why ? why : "unknown");
        /* Cut to the column's bytes: a long why ends where it always did. */
        size_t n = strnlen(whole, sizeof pcie - 1);
        memcpy(pcie, whole, n);
        pcie[n] = '\0';
        const struct gx_nvlink_facts *v = &f->nvlink;
        double per = 0;
        int gen = gx_nvlink_generation(v->nvml_version, &per);
        if (v->links > 0 && gen > 0)
            snprintf(nvl, sizeof nvl, "%d, %d of %d active, %.1f GB/s", gen, v->active, v->links,
                     per * (v->active > 0 ? v->active : 0));
        else if (v->links > 0)
            snprintf(nvl, sizeof nvl, "%d of %d active, rate ?", v->active, v->links);
        if (f->c2c.links > 0)
            snprintf(c2c, sizeof c2c, "; C2C %d of %d active, %.1f GB/s", f->c2c.active,
                     f->c2c.links, gx_c2c_line_gbs(&f->c2c));
    }
    if (f->nic.name[0] && f->nic.gbits > 0)
        snprintf(nic, sizeof nic, "%s %.0f Gb/s %s", f->nic.name, f->nic.gbits,
                 gx_src_names[f->nic.src]);
    else if (f->nic.name[0])
        snprintf(nic, sizeof nic, "%s rate ?", f->nic.name);
    /* A line of dashes a rank would bury the header of a host-only job. */
    if (!f->has_gpu && !c2c[0] && !strcmp(nic, "-"))
        return 0;
    gx_print_note(out, "# links %d: PCIe %s; NVLink %s%s; NIC %s\n", rank, pcie, nvl, c2c, nic);
    return 1;
}

/* A rank's GPU states by counter: why each is unavailable (NULL: read). */
struct gpu_states {
    int read;
    const char *none;
    uint32_t v[GX_CNTS];
    const char *why[GX_CNTS];
    int has[GX_CNTS];
};

static void gpu_states_of(const struct gx_context *c, const struct gx_ctx_rank *r,
                          struct gpu_states *st)
{
    memset(st, 0, sizeof *st);
    size_t len = 0;
    const char *bytes = gx_strpool_get(&c->pool, r->gpu_state.at, &len);
    st->none = "not in the rank's context";
    struct gx_ctx_gpu_state s;
    for (int i = 0; bytes && i < (int)r->gpu_state.n && (size_t)(i + 1) * sizeof s <= len; i++) {
        memcpy(&s, bytes + (size_t)i * sizeof s, sizeof s);
        if (s.cnt < 0) {
            const char *why = gx_ctx_str(c, s.why);
            st->none = why && why[0] ? why : "not read";
            return;
        }
        if (s.cnt >= GX_CNTS)
            continue;
        st->read = 1;
        st->has[s.cnt] = 1;
        st->v[s.cnt] = s.value;
        st->why[s.cnt] = gx_ctx_str(c, s.why);
    }
}

static void state_text(char *buf, size_t len, const struct gpu_states *st, enum gx_cnt c)
{
    uint32_t v = st->v[c];
    if (!st->has[c])
        snprintf(buf, len, "unknown");
    else if (st->why[c])
        snprintf(buf, len, "unavailable (%s)", st->why[c]);
    else if (c == GX_CNT_SM_MHZ || c == GX_CNT_MEM_MHZ)
        snprintf(buf, len, "%u MHz", (unsigned)v);
    else if (c == GX_CNT_POWER_LIMIT) /* NVML gives mW; a board's limit is whole watts */
        snprintf(buf, len, "%.0f W", (double)v / 1000.0);
    else if (c == GX_CNT_PERSISTENCE || c == GX_CNT_MIG || c == GX_CNT_MPS ||
             c == GX_CNT_ECC_MODE || c == GX_CNT_ECC_PENDING)
        snprintf(buf, len, "%s", v ? "on" : "off");
    else
        snprintf(buf, len, "%u", (unsigned)v);
}

/* "# gpu 0: SM/mem 1755/2619 MHz, power limit 400 W, ..., ECC on, errors 0": as the counters'
 * first reading found it, once per GPU. */
static void print_gpu_state(FILE *out, const struct gx_context *c, const struct gx_ctx_rank *r)
{
    struct gpu_states st;
    gpu_states_of(c, r, &st);
    if (!st.read) {
        gx_print_note(out, "# gpu %d: state unavailable (%s)\n", r->rank, st.none);
        return;
    }
    static const struct {
        enum gx_cnt c;
        const char *name;
    } shown[] = {{GX_CNT_SM_MHZ, "SM"},
                 {GX_CNT_MEM_MHZ, "mem"},
                 {GX_CNT_POWER_LIMIT, "power limit"},
                 {GX_CNT_PERSISTENCE, "persistence"},
                 {GX_CNT_MIG, "MIG"},
                 {GX_CNT_MPS, "MPS"}};
    char line[2048] = "", t[GX_CNT_REASON + 32];
    size_t from = 0;
    if (st.has[GX_CNT_SM_MHZ] && !st.why[GX_CNT_SM_MHZ] && st.has[GX_CNT_MEM_MHZ] &&
        !st.why[GX_CNT_MEM_MHZ]) { /* both clocks in one item */
        snprintf(line, sizeof line, "SM/mem %u/%u MHz", (unsigned)st.v[GX_CNT_SM_MHZ],
                 (unsigned)st.v[GX_CNT_MEM_MHZ]);
        from = 2;
    }
    for (size_t i = from; i < sizeof shown / sizeof *shown; i++) {
        state_text(t, sizeof t, &st, shown[i].c);
        size_t l = strlen(line);
        snprintf(line + l, sizeof line - l, "%s%s %s", l ? ", " : "", shown[i].name, t);
    }
    /* ECC's mode (and the one a reset will bring), then its counts since the driver loaded. */
    char ce[GX_CNT_REASON + 32], ue[GX_CNT_REASON + 32];
    enum gx_cnt cc = GX_CNT_ECC_CORRECTED, uc = GX_CNT_ECC_UNCORRECTED;
    state_text(ce, sizeof ce, &st, GX_CNT_ECC_MODE);
    size_t l = strlen(line);
    snprintf(line + l, sizeof line - l, ", ECC %s", ce);
    if (st.has[GX_CNT_ECC_MODE] && !st.why[GX_CNT_ECC_MODE] && st.has[GX_CNT_ECC_PENDING] &&
        !st.why[GX_CNT_ECC_PENDING] && st.v[GX_CNT_ECC_PENDING] != st.v[GX_CNT_ECC_MODE]) {
        l = strlen(line);
        snprintf(line + l, sizeof line - l, " (%s after a reset)",
                 st.v[GX_CNT_ECC_PENDING] ? "on" : "off");
    }
    state_text(ce, sizeof ce, &st, cc);
    state_text(ue, sizeof ue, &st, uc);
    l = strlen(line);
    int both = st.has[cc] && st.has[uc] && !st.why[cc] && !st.why[uc];
    if (both && !st.v[cc] && !st.v[uc])
        snprintf(line + l, sizeof line - l, ", errors 0"); /* the usual case on one line */
    else if (both)
        snprintf(line + l, sizeof line - l, ", errors %s corrected, %s uncorrected", ce, ue);
    else if (!strcmp(ce, ue))
        snprintf(line + l, sizeof line - l, ", errors %s", ce);
    else
        snprintf(line + l, sizeof line - l, ", errors corrected %s, uncorrected %s", ce, ue);
    gx_print_note(out, "# gpu %d: %s\n", r->rank, line);
}

static int gpu_seen_before(const struct gx_context *c, const struct gx_ctx_rank *r)
{
    const char *bus = gx_ctx_str(c, r->busid);
    for (int i = 0; bus && i < r->rank; i++) {
        const struct gx_ctx_rank *o = gx_ctx_rank(c, i);
        const char *ob = o && o->has_gpu ? gx_ctx_str(c, o->busid) : NULL;
        if (ob && o->node == r->node && strcmp(ob, bus) == 0)
            return 1;
    }
    return 0;
}

/* After LABEL ("pair 0:1", "12 pairs (0:1, 1:2, ...)"). */
static void print_pair(FILE *out, const struct gx_context *c, const struct gx_ctx_pair *p,
                       const char *label)
{
    struct gx_ctx_pair_view v;
    gx_ctx_pair_view(c, p->a, p->b, &v);
    if (v.same_node)
        gx_print_note(out, "# %s same node, link %s (%s), peer access %s\n", label,
                      v.link ? v.link : "-", v.link_source ? v.link_source : "",
                      v.p2p < 0 ? "unknown" : v.p2p ? "yes" : "no");
    else
        gx_print_note(out, "# %s across nodes, NICs %s -> %s\n", label,
                      v.nics[0] ? v.nics[0] : "none", v.nics[1] ? v.nics[1] : "none");
    if (v.has_route)
        print_route(out, &v.route);
}

/* A pair's lines without its label (NULL: out of memory). */
static char *pair_text(const struct gx_context *c, const struct gx_ctx_pair *p)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return NULL;
    print_pair(m, c, p, "");
    if (fclose(m) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

#define ROUTE_PAIRS_NAMED 6
/* Up to this many pairs of one route get their lines each; more, one line. */
#define ROUTE_LINES_PER_ROUTE 2

static int text_cmp(int x, int y, void *text)
{
    return strcmp(((char **)text)[x], ((char **)text)[y]);
}

/* Each distinct link and route once, with its pairs counted: every pair of one node says the
 * same. Grouped by text, so that many pairs group quickly. */
static void print_pairs(FILE *out, const struct gx_context *c)
{
    size_t n = c->npairs > 0 ? (size_t)c->npairs : 1;
    char **text = calloc(n, sizeof *text);
    int *items = malloc(n * sizeof *items), ok = text && items;
    for (int i = 0; ok && i < c->npairs; i++) {
        items[i] = i;
        ok = (text[i] = pair_text(c, &c->pairs[i])) != NULL;
    }
    struct gx_groups g = {0};
    ok = ok && gx_groups_make(&g, items, c->npairs, c->npairs, text_cmp, text) == 0;
    for (int i = 0; i < c->npairs; i++) {
        const struct gx_ctx_pair *p = &c->pairs[i];
        char label[160];
        if (!ok || g.size[i] <= ROUTE_LINES_PER_ROUTE) {
            snprintf(label, sizeof label, "pair %d:%d", p->a, p->b);
            print_pair(out, c, p, label);
            continue;
        }
        if (g.sorted[g.at[i]] != i)
            continue; /* said at its first pair */
        char named[120] = "";
        for (int k = g.at[i]; k < g.at[i] + g.size[i] && k < g.at[i] + ROUTE_PAIRS_NAMED; k++) {
            const struct gx_ctx_pair *q = &c->pairs[g.sorted[k]];
            snprintf(named + strlen(named), sizeof named - strlen(named), "%s%d:%d",
                     named[0] ? ", " : "", q->a, q->b);
        }
        snprintf(label, sizeof label, "%d pairs (%s%s)", g.size[i], named,
                 g.size[i] > ROUTE_PAIRS_NAMED ? ", ..." : "");
        print_pair(out, c, p, label);
    }
    for (int i = 0; text && i < c->npairs; i++)
        free(text[i]);
    free(text);
    free(items);
    gx_groups_free(&g);
}

/* The ranks' table's columns made of several facts. */
static void gpu_column(const struct gx_context *c, const struct gx_ctx_rank *r, char *buf,
                       size_t len)
{
    (void)c;
    if (!gx_ctx_has(r, GX_CTX_W_GPU))
        return;
    if (r->physical >= 0)
        snprintf(buf, len, "%d (phys %d)", r->visible, r->physical);
    else
        snprintf(buf, len, "%d (phys ?0)", r->visible);
}

/* A plan for a foreign topology is marked as such. */
static void cpuset_column(const struct gx_context *c, const struct gx_ctx_rank *r, char *buf,
                          size_t len)
{
    const char *planned = r ? gx_ctx_str(c, r->planned) : NULL;
    const char *cpuset = r ? gx_ctx_str(c, r->cpuset) : NULL;
    if ((r && r->applied) || !planned)
        snprintf(buf, len, "%s", cpuset ? cpuset : "?");
    else
        snprintf(buf, len, "%s(plan)", planned);
}

/* The NIC in use ("!": on the other socket), else the GPU's nearest. */
static void nic_column(const struct gx_context *c, const struct gx_ctx_rank *r, char *buf,
                       size_t len)
{
    len = len < 80 ? len : 80;
    if (gx_ctx_has(r, GX_CTX_W_NIC)) {
        const char *link = gx_ctx_str(c, r->nic_link), *place = gx_ctx_str(c, r->nic_place);
        snprintf(buf, len, "%s(%s%s%s)%s", gx_ctx_str(c, r->nic_name), link ? link : "",
                 link && link[0] ? " " : "", place ? place : "?", r->nic_flagged ? "!" : "");
    } else if (gx_ctx_has(r, GX_CTX_W_NEAR_NIC)) {
        const char *link = gx_ctx_str(c, r->nearest_nic_link);
        snprintf(buf, len, "%s(%s)", gx_ctx_str(c, r->nearest_nic), link ? link : "?");
    }
}

static void topology_line(FILE *out, const struct gx_context *c)
{
    const struct gx_ctx_rank *r0 = gx_ctx_rank(c, 0);
    const char *topology = r0 ? gx_ctx_str(c, r0->topology) : NULL;
    fprintf(out, "# topology (%s)\n", topology ? topology : "unknown");
}

static void link_lines(FILE *out, const struct gx_context *c)
{
    int with_facts = 0, printed = 0;
    for (int i = 0; i < c->nranks; i++) {
        const struct gx_ctx_rank *r = gx_ctx_rank(c, i);
        struct gx_link_facts f;
        if (!r || !r->facts.n || gx_link_facts_of(c->facts, r->rank, &f) != 0)
            continue;
        with_facts++;
        printed += print_links(out, r->rank, &f);
    }
    if (with_facts && !printed)
        fprintf(out, "# links: none on any rank (no GPU, no NIC)\n");
}

static void gpu_state_lines(FILE *out, const struct gx_context *c)
{
    for (int i = 0; i < c->nranks; i++) {
        const struct gx_ctx_rank *r = gx_ctx_rank(c, i);
        if (gx_ctx_has(r, GX_CTX_W_GPU) && !gpu_seen_before(c, r))
            print_gpu_state(out, c, r);
    }
}

static void warning_lines(FILE *out, const struct gx_context *c)
{
    for (int i = 0; i < c->nranks; i++) {
        const struct gx_ctx_rank *r = gx_ctx_rank(c, i);
        if (r && r->nic_flagged && r->nic_name != GX_SID_NONE) {
            const char *source = gx_ctx_str(c, r->nic_source), *link = gx_ctx_str(c, r->nic_link);
            fprintf(out, "# warning: rank %d: NIC %s (%s) is on the other socket from its GPU "
                    "(%s): every message crosses the socket link\n", r->rank,
                    gx_ctx_str(c, r->nic_name), source ? source : "?", link ? link : "SYS");
        }
        const gx_sid *w = r ? gx_strpool_get(&c->pool, r->warnings.at, NULL) : NULL;
        for (uint32_t k = 0; w && k < r->warnings.n; k++) {
            const char *s = gx_ctx_str(c, w[k]);
            fprintf(out, "# warning: rank %d: %s\n", r->rank, s ? s : "");
        }
    }
}

/* The MPI library's start-up notice, once for the ranks that share it. */
static void note_lines(FILE *out, const struct gx_context *c)
{
    const char *said = NULL;
    for (int i = 0; i < c->nranks; i++) {
        const struct gx_ctx_rank *r = gx_ctx_rank(c, i);
        const char *n = r ? gx_ctx_str(c, r->mpi_notice) : NULL;
        if (n && (!said || strcmp(said, n) != 0))
            gx_print_note(out, "# note: %s\n", said = n);
    }
}

#define COL(place, format, blank, title, column) {place, format, blank, title, column, NULL}
#define LINES(place, lines) {place, NULL, NULL, NULL, NULL, lines}
#define HIDDEN {0, NULL, NULL, NULL, NULL, NULL}
const struct gx_ctx_shown gx_ctx_shown[GX_CTX_NFACTS] = {
#define GX_CTX_SHOWN(name, type, when, json, from, how) how,
    GX_CONTEXT_FACTS(GX_CTX_SHOWN)
#undef GX_CTX_SHOWN
};
static const struct gx_ctx_shown *const shown = gx_ctx_shown;
/* Places from 1 (0: not shown); the pairs' lines (not a rank's fact) at PAIRS_PLACE. */
enum { PAIRS_PLACE = 12, LAST_PLACE = 32 };

/* A rank's text of fact i in its column: its own, or its column's (r NULL: the rank's context
 * did not come). */
static void column_text(const struct gx_context *c, const struct gx_ctx_rank *r, int i,
                        char *buf, size_t len)
{
    const struct gx_ctx_fact *f = &gx_ctx_facts[i];
    snprintf(buf, len, "%s", shown[i].blank);
    if (shown[i].column || !gx_ctx_has(r, f->when)) {
        if (shown[i].column)
            shown[i].column(c, r, buf, len);
        return;
    }
    const void *m = GX_CTX_MEMBER_OF(r, f);
    const char *s = f->type >= GX_CTX_T_STR ? gx_ctx_str(c, *(const gx_sid *)m) : NULL;
    int nodes[32], n = f->type == GX_CTX_T_INT_LIST ? gx_ctx_int_list(s, nodes, 32) : 0;
    if (f->type < GX_CTX_T_STR)
        snprintf(buf, len, "%d", *(const int32_t *)m);
    else if (f->type == GX_CTX_T_STR && s)
        snprintf(buf, len, "%s", s);
    else if (f->type == GX_CTX_T_INT_LIST)
        buf[0] = '\0';
    for (int k = 0; k < n && len >= 32; k++) /* a NUMA column of at most 31 */
        snprintf(buf + strlen(buf), 32 - strlen(buf), "%s%d", buf[0] ? "," : "", nodes[k]);
}

/* The ranks' table: a column for each fact that has one, in their places' order; the titles
 * first. */
static void print_ranks(FILE *out, const struct gx_context *c)
{
    int cols[GX_CTX_NFACTS], ncols = 0;
    for (int place = 1; place <= LAST_PLACE; place++)
        for (int i = 0; i < GX_CTX_NFACTS; i++)
            if (shown[i].place == place && shown[i].format)
                cols[ncols++] = i;
    for (int rank = -1; rank < c->nranks; rank++) {
        fputs("#", out);
        for (int k = 0; k < ncols; k++) {
            char text[160];
            if (rank < 0)
                snprintf(text, sizeof text, "%s", shown[cols[k]].title);
            else
                column_text(c, gx_ctx_rank(c, rank), cols[k], text, sizeof text);
            fputs(" ", out);
            fprintf(out, shown[cols[k]].format, text);
        }
        fputs("\n", out);
    }
}

void gx_context_print_header(FILE *out, const struct gx_context *c)
{
    int table = 0;
    for (int place = 1; place <= LAST_PLACE; place++) {
        if (place == PAIRS_PLACE)
            print_pairs(out, c);
        for (int i = 0; i < GX_CTX_NFACTS; i++)
            if (shown[i].place == place && shown[i].lines)
                shown[i].lines(out, c);
            else if (shown[i].place == place && !table++)
                print_ranks(out, c);
    }
    fflush(out);
}
