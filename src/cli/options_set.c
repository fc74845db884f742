/* The option table's setters: each parses and checks one option's value (o is NULL where a
 * run's defaults are parsed). */
#include "config.h"
#include "option_table.h"

#include "mem.h"
#include "pattern.h"
#include "topo.h"

#include <string.h>

#define GX_MAX_WINDOW 4096
#define GX_MAX_DEPTH 64

/* Setters of one shape; `unused` is the struct (o or r) the setter does not write. */
#define NUMBER_SETTER(fn, unused, dst, lo, hi)                                                \
    GX_OPTION_SETTER(fn)                                                                      \
    {                                                                                         \
        (void)unused;                                                                         \
        return gx_parse_long(v, lo, hi, &dst, err);                                           \
    }
#define RATIO_SETTER(fn, unused, dst, example)                                                \
    GX_OPTION_SETTER(fn)                                                                      \
    {                                                                                         \
        (void)unused;                                                                         \
        return gx_parse_ratio(v, example, &dst, err);                                         \
    }
#define TEXT_SETTER(fn, unused, dst, what)                                                    \
    GX_OPTION_SETTER(fn)                                                                      \
    {                                                                                         \
        (void)unused;                                                                         \
        return copy_text(dst, sizeof dst, v, what, err);                                      \
    }
#define WORD_SETTER(fn, unused, dst, what, words, values)                                     \
    GX_OPTION_SETTER(fn)                                                                      \
    {                                                                                         \
        (void)unused;                                                                         \
        return parse_word(v, what, words, values, (int)GX_ARRAY_LEN(values), &dst, err);      \
    }
/* A list of names, each found by lookup; the k-th of count is name_k. */
#define NAMES_SETTER(fn, what, max, list, n, lookup, count, name_k)                           \
    GX_OPTION_SETTER(fn)                                                                      \
    {                                                                                         \
        (void)o;                                                                              \
        char items[max][GX_ITEM_MAX + 1];                                                     \
        GX_TRY(gx_split_list(v, items, max, &n, err));                                        \
        for (int i = 0; i < n; i++) {                                                         \
            list[i] = lookup(items[i]);                                                       \
            if (list[i] < 0) {                                                                \
                char names[256] = "";                                                         \
                for (int k = 0; k < count; k++)                                               \
                    gx_list_add(names, sizeof names, ", ", name_k);                           \
                return gx_fail(err, GX_EINPUT, "unknown " what " '%s' (expected one of: %s)", \
                               items[i], names);                                              \
            }                                                                                 \
        }                                                                                     \
        return GX_OK;                                                                         \
    }
#define FILE_NAME_SETTER(fn, field)                                                           \
    GX_OPTION_SETTER(fn)                                                                      \
    {                                                                                         \
        (void)r;                                                                              \
        return set_path_string(o->field, sizeof o->field, v, err);                            \
    }
static int copy_text(char *dst, size_t len, const char *v, const char *what, struct gx_err *err)
{
    if (strlen(v) >= len)
        return gx_too_long(err, what, strlen(v), len - 1);
    strcpy(dst, v);
    return GX_OK;
}

static int set_path_string(char *dst, size_t len, const char *v, struct gx_err *err)
{
    if (v[0] == '\0')
        return gx_fail(err, GX_EINPUT, "empty file name");
    return copy_text(dst, len, v, "the file name", err);
}

/* v as one of n words, each standing for values[i]: "unknown WHAT 'v' (expected a, b or c)". */
static int parse_word(const char *v, const char *what, const char *const words[],
                      const int values[], int n, int *out, struct gx_err *err)
{
    char expected[128] = "";
    for (int i = 0; i < n; i++) {
        if (strcmp(v, words[i]) == 0) {
            *out = values[i];
            return GX_OK;
        }
        size_t used = strlen(expected);
        snprintf(expected + used, sizeof expected - used, "%s%s",
                 i == 0 ? "" : i == n - 1 ? " or " : ", ", words[i]);
    }
    return gx_fail(err, GX_EINPUT, "unknown %s '%s' (expected %s)", what, v, expected);
}

NAMES_SETTER(gx_set_path, "path", GX_MAX_LIST, r->paths, r->npaths, gx_path_lookup,
             gx_path_count, gx_paths[k].name)

GX_OPTION_SETTER(gx_set_mem)
{
    (void)o;
    char items[GX_MAX_LIST][GX_ITEM_MAX + 1];
    int n;
    GX_TRY(gx_split_positional(v, items, GX_MAX_LIST, &n, err)); /* device,device is a pair */
    if (n > 2)
        return gx_fail(err, GX_EINPUT, "'%s' has %d kinds (expected SRC or SRC,DST)", v, n);
    int k[2] = {0, 0};
    for (int i = 0; i < n; i++) {
        k[i] = gx_mem_lookup(items[i]);
        if (k[i] < 0)
            return gx_fail(err, GX_EINPUT,
                           "unknown memory kind '%s' (expected pageable, pinned, device, managed "
                           "or mapped)",
                           items[i]);
    }
    r->mem_src = k[0];
    r->mem_dst = n == 2 ? k[1] : k[0];
    return GX_OK;
}

NAMES_SETTER(gx_set_pattern, "pattern", GX_MAX_PATTERNS, r->patterns, r->npatterns,
             gx_pattern_lookup, gx_pattern_count, gx_pattern_table[k]->name)

GX_OPTION_SETTER(gx_set_sizes)
{
    (void)o;
    return gx_parse_sizes(v, &r->sizes, err);
}

/* The list is checked against the job layout in gx_options_check_job. */
TEXT_SETTER(gx_set_pairs, o, r->pairs, "the pair list")

NUMBER_SETTER(gx_set_iters, o, r->iters, 1, 100000000)
NUMBER_SETTER(gx_set_warmup, o, r->warmup, 0, 100000000)
NUMBER_SETTER(gx_set_window, o, r->window, 1, GX_MAX_WINDOW)
NUMBER_SETTER(gx_set_timeout, r, o->g.timeout, 1, 100000000)
NUMBER_SETTER(gx_set_budget, r, o->g.budget, 1, 100000000)
NUMBER_SETTER(gx_set_soak, r, o->g.soak, 0, 100000000)
NUMBER_SETTER(gx_set_visits, r, o->g.visits, 1, GX_MAX_VISITS)
NUMBER_SETTER(gx_set_assume_nodes, r, o->assume_nodes, 1, 100000)
NUMBER_SETTER(gx_set_assume_per_node, r, o->assume_per_node, 1, 1024)

RATIO_SETTER(gx_set_precision, o, r->precision, "0.01: the interval within +-1% of the median")
RATIO_SETTER(gx_set_slow_pair, r, o->g.slow_pair, "0.8: below 0.8 x the median")

GX_OPTION_SETTER(gx_set_validate)
{
    (void)o;
    static const char *const words[] = {"once", "all"};
    static const int values[] = {GX_VALIDATE_ONCE, GX_VALIDATE_ALL};
    int mode;
    GX_TRY(parse_word(v, "validation", words, values, 2, &mode, err));
    r->validate = mode;
    return GX_OK;
}

GX_OPTION_SETTER(gx_set_chunk)
{
    (void)o;
    char items[GX_MAX_LIST][GX_ITEM_MAX + 1];
    r->nchunks = 0;
    if (strcmp(v, "auto") == 0) { /* the candidates depend on each message size: mplan_round.c */
        r->chunk_mode = GX_CHUNK_AUTO;
        return GX_OK;
    }
    r->chunk_mode = GX_CHUNK_GIVEN;
    GX_TRY(gx_split_list(v, items, GX_MAX_LIST, &r->nchunks, err));
    for (int i = 0; i < r->nchunks; i++) {
        if (strcmp(items[i], "auto") == 0)
            return gx_fail(err, GX_EINPUT, "chunk 'auto' cannot be mixed with chunk sizes "
                           "(expected --chunk auto or a list of sizes)");
        GX_TRY(gx_parse_size(items[i], &r->chunks[i], err));
    }
    return GX_OK;
}

GX_OPTION_SETTER(gx_set_depth)
{
    (void)o;
    char items[GX_MAX_LIST][GX_ITEM_MAX + 1];
    if (r->chunk_mode == GX_CHUNK_BEST)
        r->chunk_mode = GX_CHUNK_GIVEN;
    GX_TRY(gx_split_list(v, items, GX_MAX_LIST, &r->ndepths, err));
    for (int i = 0; i < r->ndepths; i++) {
        long d;
        GX_TRY(gx_parse_long(items[i], 1, GX_MAX_DEPTH, &d, err));
        r->depths[i] = (int)d;
    }
    return GX_OK;
}

static const char *const ceilings_words[] = {"on", "off", "full"};
static const int ceilings_values[] = {GX_CEILINGS_ON, GX_CEILINGS_OFF, GX_CEILINGS_FULL};
WORD_SETTER(gx_set_ceilings, o, r->ceilings, "value", ceilings_words, ceilings_values)
TEXT_SETTER(gx_set_name, o, r->name, "the name")

FILE_NAME_SETTER(gx_set_output, g.output)
FILE_NAME_SETTER(gx_set_table, g.table)
FILE_NAME_SETTER(gx_set_scenario, g.scenario)
FILE_NAME_SETTER(gx_set_topology_xml, g.topology_xml)
FILE_NAME_SETTER(gx_set_expect, g.expect)

GX_OPTION_SETTER(gx_set_gpu_map)
{
    (void)r;
    char items[GX_MAX_GPU_MAP][GX_ITEM_MAX + 1];
    /* Entries are node-local ranks' places: 0,0 puts two ranks on one GPU. */
    GX_TRY(gx_split_positional(v, items, GX_MAX_GPU_MAP, &o->g.ngpu_map, err));
    for (int i = 0; i < o->g.ngpu_map; i++) {
        long d;
        GX_TRY(gx_parse_long(items[i], 0, GX_MAX_GPU_MAP - 1, &d, err));
        o->g.gpu_map[i] = (int)d;
    }
    return GX_OK;
}

static const char *const format_words[] = {"table", "csv"};
static const int format_values[] = {GX_FORMAT_TABLE, GX_FORMAT_CSV};
WORD_SETTER(gx_set_format, r, o->g.format, "format", format_words, format_values)

static const int bind_values[] = {GX_BIND_AUTO, GX_BIND_NUMA, GX_BIND_CORE, GX_BIND_NONE};
WORD_SETTER(gx_set_bind, r, o->g.bind, "binding", gx_bind_policy_names, bind_values)

const char *const gx_nccl_comm_names[] = {"pair", "job"};
static const int nccl_comm_values[] = {GX_NCCL_COMM_PAIR, GX_NCCL_COMM_JOB};
WORD_SETTER(gx_set_nccl_comm, r, o->g.nccl_comm, "NCCL communicator", gx_nccl_comm_names,
            nccl_comm_values)

static const char *const map_words[] = {"on", "off"};
static const int map_values[] = {0, 1};
WORD_SETTER(gx_set_map, r, o->map_off, "value", map_words, map_values)

GX_OPTION_SETTER(gx_set_fake_gpus)
{
    (void)r;
    char items[GX_MAX_GPU_MAP][GX_ITEM_MAX + 1];
    int n;
    GX_TRY(gx_split_list(v, items, GX_MAX_GPU_MAP, &n, err));
    for (int i = 0; i < n; i++) {
        char norm[32];
        if (gx_busid_normalize(items[i], norm, sizeof norm) != 0)
            return gx_fail(err, GX_EINPUT, "bad PCI bus id '%s' (expected DOMAIN:BUS:DEV.FN "
                           "like 0000:3b:00.0)", items[i]);
    }
    return copy_text(o->g.fake_gpus, sizeof o->g.fake_gpus, v, "the list", err);
}

/* The node check: its verdict is --fail-on-health's, so it sets that too. */
GX_OPTION_SETTER(gx_set_check)
{
    (void)r, (void)v, (void)err;
    o->check = 1;
    o->g.fail_on_health = 1;
    return GX_OK;
}

GX_OPTION_SETTER(gx_set_help)
{
    (void)r, (void)v, (void)err;
    if (!o->help)
        o->help = 1;
    return GX_OK;
}

/* --help-all wins over --help, in either order. */
GX_OPTION_SETTER(gx_set_help_all)
{
    (void)r, (void)v, (void)err;
    o->help = 2;
    return GX_OK;
}

/* The name is checked where it is answered: gx_options_list. */
TEXT_SETTER(gx_set_list, r, o->list, "the list's name")
