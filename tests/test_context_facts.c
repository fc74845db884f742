/* The context's table of facts makes all of a fact: a rank given a value for every row (by the
 * row's type, whatever the row) carries each through the pool to rank 0, has each in its object
 * of context.ranks at the row's place, and the table's header shows each that the row says it
 * shows. So a new fact is its row: this test covers it without a change. */
#include "config.h"
#include "context.h"
#include "gpu_counters.h"
#include "output.h"
#include "report.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

/* The text a row's fact is given: its name, so that each is told apart. */
static void value_of(const struct gx_ctx_fact *f, char *buf, size_t len)
{
    snprintf(buf, len, "%s-x", f->name);
}

/* Every fact of a rank, each by its type; with_gpu 0: a rank without a GPU. Returns 0 where a
 * row's type is one this test cannot give a value to. */
static int fill(struct gx_ctx_packer *p, int rank, int with_gpu)
{
    memset(p, 0, sizeof *p);
    gx_ctx_rank_init(&p->rec);
    struct gx_ctx_rank *r = &p->rec;
    r->present = r->has_topo = 1;
    int known = 1;
    for (int i = 0; i < GX_CTX_NFACTS; i++) {
        const struct gx_ctx_fact *f = &gx_ctx_facts[i];
        void *m = (char *)r + f->offset;
        struct gx_ctx_block *b = m;
        char text[96];
        value_of(f, text, sizeof text);
        switch (f->type) {
        case GX_CTX_T_INT:
        case GX_CTX_T_INDEX:
            *(int32_t *)m = 10 + i;
            break;
        case GX_CTX_T_BOOL:
            *(int32_t *)m = 1;
            break;
        case GX_CTX_T_BYTES:
            *(double *)m = 1e9;
            break;
        case GX_CTX_T_STR:
            *(gx_sid *)m = gx_ctx_put_str(p, text);
            break;
        case GX_CTX_T_INT_LIST:
            *(gx_sid *)m = gx_ctx_put_str(p, "7,8");
            break;
        case GX_CTX_T_PAIRS: {
            struct gx_ctx_pairs l = {.p = p};
            gx_ctx_pair(&l, text, "v");
            *b = gx_ctx_pairs_put(&l);
            break;
        }
        case GX_CTX_T_INTS:
            *b = (struct gx_ctx_block){gx_ctx_put(p, &(int32_t){5}, sizeof(int32_t)), 1};
            break;
        case GX_CTX_T_STRS: {
            gx_sid s = gx_ctx_put_str(p, text);
            *b = (struct gx_ctx_block){gx_ctx_put(p, &s, sizeof s), 1};
            break;
        }
        case GX_CTX_T_LINKS: {
            struct gx_ctx_link l = {1 - rank, gx_ctx_put_str(p, text), gx_ctx_put_str(p, "nvml"),
                                    1};
            *b = (struct gx_ctx_block){gx_ctx_put(p, &l, sizeof l), 1};
            break;
        }
        case GX_CTX_T_GPU_STATE: {
            struct gx_ctx_gpu_state s = {GX_CNT_SM_MHZ, 1755, GX_SID_NONE};
            *b = (struct gx_ctx_block){gx_ctx_put(p, &s, sizeof s), 1};
            break;
        }
        case GX_CTX_T_LINK_FACTS: /* the facts themselves are the topology's store's */
            *b = (struct gx_ctx_block){gx_ctx_put(p, "facts", 6), 6};
            break;
        default:
            known = 0;
        }
    }
    r->rank = rank;
    r->has_gpu = with_gpu;
    return known && !p->oom;
}

static struct gx_context *two_ranks(struct gx_link_store *store)
{
    struct gx_context *c = calloc(1, sizeof *c);
    c->nranks = 2;
    c->ranks = calloc(2, sizeof *c->ranks);
    c->facts = store;
    for (int i = 0; i < 2; i++) {
        struct gx_ctx_packer p;
        ok(fill(&p, i, i == 0), "rank %d: every row's type given a value", i);
        ok(gx_ctx_unpack(&p.rec, p.pool.buf, p.pool.len, &c->pool, &c->ranks[i]) == GX_OK,
           "rank %d: every fact through the pool", i);
        gx_strpool_free(&p.pool);
        struct gx_link_facts f = {.rank = i, .has_gpu = 1};
        gx_link_store_add(store, &f);
    }
    return c;
}

/* The member at place ("gpu.nearest_nic.name"; "a.b.": a.b itself) of o, or NULL. */
static const cJSON *at_place(const cJSON *o, const char *place)
{
    char key[64];
    for (const char *dot; o && (dot = strchr(place, '.')); place = dot + 1) {
        snprintf(key, sizeof key, "%.*s", (int)(dot - place), place);
        o = cJSON_GetObjectItemCaseSensitive(o, key);
    }
    return o && place[0] ? cJSON_GetObjectItemCaseSensitive(o, place) : o;
}

static void check_json(const struct gx_context *c)
{
    cJSON *ranks[2] = {gx_context_rank_json(c, 0), gx_context_rank_json(c, 1)};
    int missing = 0;
    for (int i = 0; i < GX_CTX_NFACTS; i++) {
        const struct gx_ctx_fact *f = &gx_ctx_facts[i];
        if (!f->json)
            continue;
        const cJSON *in[2] = {at_place(ranks[0], f->json), at_place(ranks[1], f->json)};
        char text[96];
        value_of(f, text, sizeof text);
        const cJSON *v = in[0] ? in[0] : in[1];
        /* A string is the one given; a block has the string it was given somewhere within. */
        char *printed = v ? cJSON_PrintUnformatted(v) : NULL;
        int has = v && (f->type != GX_CTX_T_STR || (cJSON_IsString(v) &&
                                                     !strcmp(v->valuestring, text)));
        if (f->type == GX_CTX_T_PAIRS || f->type == GX_CTX_T_STRS || f->type == GX_CTX_T_LINKS)
            has = printed && strstr(printed, text);
        if (!has)
            diag("%s: not at %s", f->name, f->json);
        missing += !has;
        free(printed);
    }
    ok(missing == 0, "every fact with a place in the report is there, as given");
    ok(at_place(ranks[1], "gpu.reason") && !at_place(ranks[1], "gpu.name") &&
           !at_place(ranks[0], "gpu.reason"),
       "a rank without a GPU has the facts of one without, not those of one with");
    char order[256] = "";
    const cJSON *objects[] = {at_place(ranks[0], "mpi_transport"),
                              at_place(ranks[0], "mpi_transport.ucx")};
    for (int k = 0; k < 2; k++)
        for (const cJSON *m = objects[k] ? objects[k]->child : NULL; m; m = m->next)
            snprintf(order + strlen(order), sizeof order - strlen(order), "%s ", m->string);
    ok(!strcmp(order, "library pml btl device ucx version ucx_settings-x transport_modules "),
       "an object's members in the rows' order, a row's pairs among them: %s", order);
    cJSON_Delete(ranks[0]);
    cJSON_Delete(ranks[1]);
}

static char *printed(void (*print)(FILE *, const struct gx_context *), const struct gx_context *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    print(m, c);
    fclose(m);
    return text;
}

static void check_header(const struct gx_context *c)
{
    char *header = printed(gx_context_print_header, c);
    int missing = 0, columns = 0, lines = 0;
    for (int i = 0; i < GX_CTX_NFACTS; i++) {
        const struct gx_ctx_fact *f = &gx_ctx_facts[i];
        const struct gx_ctx_shown *s = &gx_ctx_shown[i];
        char text[96];
        value_of(f, text, sizeof text);
        if (f->type == GX_CTX_T_INT || f->type == GX_CTX_T_INDEX)
            snprintf(text, sizeof text, "%d", f->offset == offsetof(struct gx_ctx_rank, rank)
                                                  ? 0 : 10 + i);
        else if (f->type != GX_CTX_T_STR && f->type != GX_CTX_T_STRS)
            text[0] = '\0'; /* its lines are its own text: that they come is checked */
        int has = 1;
        if (s->title) {
            columns++;
            has = strstr(header, s->title) && strstr(header, text);
        } else if (s->lines) {
            char *own = printed(s->lines, c);
            lines++;
            has = own && own[0] && strstr(header, own) && strstr(own, text);
            free(own);
        }
        if (!has)
            diag("%s: not in the header as its row says", f->name);
        missing += !has;
    }
    ok(missing == 0 && columns > 0 && lines > 0,
       "every fact the header shows is there: %d columns, %d of lines", columns, lines);
    free(header);
}

/* The table itself: members apart, places apart. */
static void check_table(void)
{
    int same = 0;
    for (int i = 0; i < GX_CTX_NFACTS; i++)
        for (int j = 0; j < i; j++)
            same += gx_ctx_facts[i].offset == gx_ctx_facts[j].offset ||
                    (gx_ctx_facts[i].json && gx_ctx_facts[j].json &&
                     !strcmp(gx_ctx_facts[i].json, gx_ctx_facts[j].json)) ||
                    (gx_ctx_shown[i].place && gx_ctx_shown[i].place == gx_ctx_shown[j].place);
    ok(same == 0, "the %d facts: each its own member, place in the report and place in the header",
       GX_CTX_NFACTS);
}

int main(void)
{
    struct gx_link_store store = {0};
    struct gx_context *c = two_ranks(&store);
    check_table();
    check_json(c);
    check_header(c);
    c->facts = NULL;
    gx_context_free(c);
    gx_link_store_free(&store);
    return tap_done();
}
