/* The one number rule and the scenario's strictness, walked over every member of each class:
 * every numeric option of the option table (on the command line and, where it may appear, in a
 * scenario file), every scenario key, every number of GPUXFER_FAULT, the launcher's local-rank
 * variables and the pair list. A new option or key is covered by being in its table. */
#include "fault.h"
#include "input.h"
#include "option_table.h"
#include "pairs.h"
#include "tap.h"
#include "topo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *scenario_text;

static int read_mem(const char *path, char **text, struct gx_err *err, void *ctx)
{
    (void)ctx, (void)path;
    *text = strdup(scenario_text);
    return *text ? GX_OK : gx_fail(err, GX_ERUNTIME, "out of memory");
}

static struct gx_options o;

/* gpuxfer --NAME VALUE (VALUE NULL: a flag), or --scenario with text. */
static int parse_cli(const char *name, const char *value, struct gx_err *err)
{
    char opt[80];
    snprintf(opt, sizeof opt, "--%s", name);
    char *argv[] = {"gpuxfer", opt, (char *)value, NULL};
    memset(err, 0, sizeof *err);
    return gx_options_parse(value ? 3 : 2, argv, &o, read_mem, NULL, err);
}

static int parse_scenario(const char *text, struct gx_err *err)
{
    scenario_text = text;
    return parse_cli("scenario", "s.json", err);
}

/* A malformed number and the words the message must hold, for each kind of number. */
struct bad_form {
    const char *text, *want;
    unsigned kinds; /* 1 << enum gx_num_kind */
};
#define ALL ((1u << GX_NUM_INT) | (1u << GX_NUM_BYTES) | (1u << GX_NUM_RATIO))
static const struct bad_form bad_forms[] = {
    {"", "empty", ALL},
    {" 8", "white space", ALL},
    {"8 ", "white space", ALL},
    {"8\t", "white space", ALL},
    {"+8", "a '+' sign", ALL},
    {"-1", "out of range", ALL},
    {"99999999999999999999999", "out of range", ALL},
    {"0x10", "'x' is not a digit", ALL},
    {"1e3", "'e' is not a digit", ALL},
    {"8K", "a unit (K, M and G are for sizes)", ALL & ~(1u << GX_NUM_BYTES)},
    {"1.5", "'.' is not a digit", ALL & ~(1u << GX_NUM_RATIO)},
    {"8X", "bad size '8X': 'X' is not a digit", 1u << GX_NUM_BYTES},
    {"4KB", "bad size '4KB': characters after the unit", 1u << GX_NUM_BYTES},
    {"4K+", "no digits at the end", 1u << GX_NUM_BYTES},
    {"2000000G", "out of range", 1u << GX_NUM_BYTES},
    {"0", "out of range", (1u << GX_NUM_BYTES) | (1u << GX_NUM_RATIO)},
};

static const char *good_value(const struct gx_option *op)
{
    return op->num == GX_NUM_RATIO ? "1" : "8";
}

static int in_scenario(const struct gx_option *op)
{
    return op->per_run || gx_option_scenario_top(op);
}

/* {"runs": [{KEY: VALUE}]} or, for a top-level key, {KEY: VALUE, "runs": [{}]}. */
static void scenario_of(const struct gx_option *op, const char *json_value, char *buf,
                        size_t len)
{
    if (op->per_run)
        snprintf(buf, len, "{\"runs\": [{\"%s\": %s}]}", op->name, json_value);
    else
        snprintf(buf, len, "{\"%s\": %s, \"runs\": [{}]}", op->name, json_value);
}

static void expect(int rc, const struct gx_err *err, const char *where, const char *want,
                   const char *what)
{
    ok(rc == GX_EINPUT && strstr(err->msg, where) && strstr(err->msg, want),
       "%s -> '%s%s' (rc %d: %s)", what, where, want, rc, err->msg);
}

static void walk_numeric_option(const struct gx_option *op)
{
    struct gx_err err;
    char where[96], what[160], json[4200];
    snprintf(where, sizeof where, "--%s: ", op->name);
    ok(parse_cli(op->name, good_value(op), &err) == GX_OK, "--%s %s is taken (%s)", op->name,
       good_value(op), err.msg);
    for (size_t i = 0; i < GX_ARRAY_LEN(bad_forms); i++) {
        const struct bad_form *b = &bad_forms[i];
        if (!(b->kinds & (1u << op->num)))
            continue;
        snprintf(what, sizeof what, "--%s '%s'", op->name, b->text);
        expect(parse_cli(op->name, b->text, &err), &err, where, b->want, what);
        /* The same text as a scenario string, where the key takes strings. */
        if (!in_scenario(op) || op->type == GX_T_INT)
            continue;
        char quoted[128];
        snprintf(quoted, sizeof quoted, "\"%s\"", strcmp(b->text, "8\t") == 0 ? "8\\t" : b->text);
        scenario_of(op, quoted, json, sizeof json);
        snprintf(where, sizeof where, "s.json: %s%s: ", op->per_run ? "runs[0]." : "", op->name);
        expect(parse_scenario(json, &err), &err, where, b->want, json);
        snprintf(where, sizeof where, "--%s: ", op->name);
    }
    if (op->type == GX_T_LIST) {
        static const char *const lists[][2] = {
            {"8,,8", "empty item in list '8,,8' (item 2)"},
            {"8,", "empty item in list '8,' (item 2)"},
            {",8", "empty item in list ',8' (item 1)"},
        };
        for (size_t i = 0; i < GX_ARRAY_LEN(lists); i++) {
            snprintf(what, sizeof what, "--%s '%s'", op->name, lists[i][0]);
            expect(parse_cli(op->name, lists[i][0], &err), &err, where, lists[i][1], what);
        }
        char many[4096] = "", item[80];
        for (int i = 0; i < 300; i++)
            strcat(many, i ? ",8" : "8");
        snprintf(what, sizeof what, "--%s with 300 items", op->name);
        expect(parse_cli(op->name, many, &err), &err, where, "(the limit is", what);
        snprintf(item, sizeof item, "8%070d", 0);
        snprintf(what, sizeof what, "--%s with a 71-character item", op->name);
        expect(parse_cli(op->name, item, &err), &err, where,
               "is 71 characters long (the limit is 63) in list", what);
    }
    if (!in_scenario(op))
        return;
    /* JSON numbers: out of range by the same rule, a fraction is no integer. */
    static const char *const numbers[][2] = {
        {"1e30", "out of range"}, {"-1", "out of range"}, {"1.5", "expected an integer"},
    };
    snprintf(where, sizeof where, "s.json: %s%s: ", op->per_run ? "runs[0]." : "", op->name);
    for (size_t i = 0; i < GX_ARRAY_LEN(numbers); i++) {
        if (op->num == GX_NUM_RATIO)
            continue;
        const char *want = numbers[i][1];
        if (strcmp(numbers[i][0], "1.5") == 0 && op->type == GX_T_LIST)
            want = "expected a string or an array";
        scenario_of(op, numbers[i][0], json, sizeof json);
        expect(parse_scenario(json, &err), &err, where, want, json);
    }
    if (op->type == GX_T_INT) {
        scenario_of(op, "\"8\"", json, sizeof json);
        expect(parse_scenario(json, &err), &err, where, "expected an integer", json);
    }
}

/* Every scenario key: given twice is an error naming file, run and key; a value too long is
 * reported as a limit, never as the wrong type. */
static void walk_scenario_key(const struct gx_option *op)
{
    struct gx_err err;
    char json[40000], want[128];
    if (op->per_run)
        snprintf(json, sizeof json, "{\"runs\": [{\"name\": \"a\"}, {\"%s\": true, \"%s\": 1}]}",
                 op->name, op->name);
    else
        snprintf(json, sizeof json, "{\"%s\": true, \"runs\": [{}], \"%s\": 2}", op->name,
                 op->name);
    snprintf(want, sizeof want, "%skey '%s' is given twice", op->per_run ? "runs[1]: " : "",
             op->name);
    expect(parse_scenario(json, &err), &err, "s.json: ", want, json);
    if (op->type == GX_T_INT || op->type == GX_T_FLAG)
        return;
    static const size_t lens[] = {300, 20000}; /* past the option's limit; past the file's */
    for (size_t i = 0; i < GX_ARRAY_LEN(lens); i++) {
        char *value = malloc(lens[i] + 1);
        memset(value, '8', lens[i]);
        value[lens[i]] = '\0';
        scenario_of(op, "\"@\"", json, sizeof json);
        char *at = strchr(json, '@'), tail[64];
        snprintf(tail, sizeof tail, "%s", at + 1);
        snprintf(at, sizeof json - (size_t)(at - json), "%s%s", value, tail);
        int rc = parse_scenario(json, &err);
        ok(rc == GX_EINPUT && !strstr(err.msg, "expected a") &&
               (i == 0 || strstr(err.msg, "is 20000 characters long (the limit is 16383)")),
           "%s: a %zu-character value is refused, never as the wrong type (%s)", op->name,
           lens[i], err.msg);
        free(value);
    }
}

static void scenario_limits(void)
{
    struct gx_err err;
    static char json[80000];
    strcpy(json, "{\"runs\": [{\"sizes\": [");
    for (int i = 0; i < 300; i++)
        strcat(json, i ? ",8" : "8");
    strcat(json, "]}]}");
    expect(parse_scenario(json, &err), &err, "s.json: runs[0].sizes: ",
           "an array of 300 items (the limit is 256)", "an array of 300 sizes");
    strcpy(json, "{\"runs\": [");
    for (int i = 0; i < 65; i++)
        strcat(json, i ? ",{}" : "{}");
    strcat(json, "]}");
    expect(parse_scenario(json, &err), &err, "s.json: runs: ", "65 runs (the limit is 64)",
           "65 runs");
    strcpy(json, "{\"runs\": [{\"sizes\": ");
    for (int i = 0; i < 20; i++)
        strcat(json, "[");
    expect(parse_scenario(json, &err), &err, "s.json: line 1: ",
           "nested deeper than 16 levels (the limit is 16)", "20 levels of arrays");
    snprintf(json, sizeof json, "{\"runs\": [{\"sizes\": [\"8%070d\"]}]}", 0);
    expect(parse_scenario(json, &err), &err, "s.json: runs[0].sizes: ",
           "item 0 is 71 characters long (the limit is 63)", "a 71-character size in an array");
    expect(parse_scenario("{\"runs\": [{}], \"description\": \"a\", \"description\": \"b\"}", &err),
           &err, "s.json: ", "key 'description' is given twice", "description twice");
    expect(parse_scenario("{\"runs\": [{}], \"runs\": [{}]}", &err), &err, "s.json: ",
           "key 'runs' is given twice", "runs twice");
    ok(parse_scenario("{\"runs\": [{\"name\": \"x\"}, {\"name\": \"x\"}]}", &err) == GX_OK,
       "one key in two runs is no repeat (%s)", err.msg);
}

/* GPUXFER_FAULT: each of its numbers by the same rule (rank, iter: integers; size, offset:
 * byte counts). */
static void walk_fault_numbers(void)
{
    static const struct {
        const char *key;
        enum gx_num_kind kind;
    } keys[] = {{"rank", GX_NUM_INT}, {"iter", GX_NUM_INT}, {"size", GX_NUM_BYTES},
                {"offset", GX_NUM_BYTES}};
    for (size_t k = 0; k < GX_ARRAY_LEN(keys); k++)
        for (size_t i = 0; i < GX_ARRAY_LEN(bad_forms); i++) {
            const struct bad_form *b = &bad_forms[i];
            /* An offset may be 0: the first byte. */
            if (!(b->kinds & (1u << keys[k].kind)) ||
                (strcmp(keys[k].key, "offset") == 0 && strcmp(b->text, "0") == 0))
                continue;
            char spec[200], where[240];
            snprintf(spec, sizeof spec, "corrupt:rank=1:size=8:%s=%s", keys[k].key, b->text);
            if (strcmp(keys[k].key, "rank") == 0 || strcmp(keys[k].key, "size") == 0)
                snprintf(spec, sizeof spec, "corrupt:%s=%s:%s=8", keys[k].key, b->text,
                         strcmp(keys[k].key, "rank") == 0 ? "size" : "rank");
            snprintf(where, sizeof where, "GPUXFER_FAULT='%s': %s: ", spec, keys[k].key);
            struct gx_fault f;
            struct gx_err err = {0};
            expect(gx_fault_parse(spec, &f, &err), &err, where, b->want, spec);
        }
    struct gx_fault f;
    struct gx_err err = {0};
    ok(gx_fault_parse("corrupt:rank=1:size=4K:offset=1K", &f, &err) == GX_OK && f.offset == 1024,
       "GPUXFER_FAULT: an offset takes units like a size (%s)", err.msg);
    expect(gx_fault_parse("die::rank=1:size=8", &f, &err), &err, "GPUXFER_FAULT='die::rank=1:",
           "empty field", "an empty field of GPUXFER_FAULT");
}

/* Every kind of fault refuses what cannot happen in a job of 4 ranks measuring 8 and 4K. */
static void walk_fault_job(void)
{
    static const char *const kinds[] = {"hang", "die", "corrupt", "signal", "stop", "cuda-oom",
                                        "cuda-sticky"};
    static const size_t sizes[] = {8, 4096};
    for (size_t k = 0; k < GX_ARRAY_LEN(kinds); k++) {
        static const char *const forms[][2] = {
            {"%s:rank=4:size=8", "rank 4 is not in this job (expected 0..3)"},
            {"%s:rank=1:size=16", "size 16 is not measured in this job (measured: 8, 4096)"},
            {"%s:rank=3:size=4K", NULL},
        };
        for (size_t i = 0; i < GX_ARRAY_LEN(forms); i++) {
            char spec[64];
            snprintf(spec, sizeof spec, forms[i][0], kinds[k]);
            struct gx_fault f;
            struct gx_err err = {0};
            int rc = gx_fault_parse(spec, &f, &err);
            if (rc == GX_OK)
                rc = gx_fault_check_job(&f, 4, sizes, 2, &err);
            if (forms[i][1])
                expect(rc, &err, spec, forms[i][1], spec);
            else
                ok(rc == GX_OK, "%s is taken (%s)", spec, err.msg);
        }
    }
    struct gx_fault f;
    struct gx_err err = {0};
    ok(gx_fault_parse("corrupt:rank=1:size=4K:offset=4K", &f, &err) == GX_OK &&
           gx_fault_check_job(&f, 4, sizes, 2, &err) == GX_EINPUT &&
           strstr(err.msg, "offset 4096 is beyond the message of 4096 bytes (expected 0..4095)"),
       "an offset beyond the message is refused (%s)", err.msg);
    ok(gx_fault_parse("corrupt:rank=1:size=4K:offset=4095", &f, &err) == GX_OK &&
           gx_fault_check_job(&f, 4, sizes, 2, &err) == GX_OK,
       "the last byte is taken (%s)", err.msg);
    ok(gx_fault_parse("signal:rank=3:at=finalize", &f, &err) == GX_OK &&
           gx_fault_check_job(&f, 4, sizes, 2, &err) == GX_OK &&
           gx_fault_parse("signal:rank=4:at=finalize", &f, &err) == GX_OK &&
           gx_fault_check_job(&f, 4, sizes, 2, &err) == GX_EINPUT,
       "a moment once per job needs no size, but its rank must exist (%s)", err.msg);
    expect(gx_fault_parse("stop:rank=1:at=init:size=8", &f, &err), &err,
           "GPUXFER_FAULT='stop:rank=1:at=init:size=8': size: ", "comes once per job",
           "a size given to a moment without one");
}

/* The faults that slow by a fraction: slow's size is optional with pct, twospeed has no size
 * and alternates its states from its epoch, the first period normal. */
static void walk_fault_pace(void)
{
    static const size_t sizes[] = {8, 4096};
    struct gx_fault f;
    struct gx_err err = {0};
    ok(gx_fault_parse("slow:rank=1:pct=5", &f, &err) == GX_OK && f.pct == 5 && f.any_size &&
           !f.any_rank && f.us == 0 && gx_fault_check_job(&f, 4, sizes, 2, &err) == GX_OK,
       "slow:rank=1:pct=5: every size, no sleep of its own (%s)", err.msg);
    ok(gx_fault_parse("slow:rank=1:size=4K:pct=5", &f, &err) == GX_OK && !f.any_size &&
           gx_fault_parse("slow:rank=1:size=4K:ms=3", &f, &err) == GX_OK && f.pct == 0 &&
           f.us == 3000,
       "slow with a size and pct, and the sleeping form, still parse (%s)", err.msg);
    ok(gx_fault_parse("twospeed:period=0.5:pct=20", &f, &err) == GX_OK && f.any_rank &&
           f.any_size && f.period_s == 0.5 && gx_fault_check_job(&f, 4, sizes, 2, &err) == GX_OK,
       "twospeed:period=0.5:pct=20: every rank, every size (%s)", err.msg);
    ok(!gx_fault_twospeed_slow(&f, 0) && !gx_fault_twospeed_slow(&f, 0.49) &&
           gx_fault_twospeed_slow(&f, 0.5) && gx_fault_twospeed_slow(&f, 0.99) &&
           !gx_fault_twospeed_slow(&f, 1.0) && gx_fault_twospeed_slow(&f, 7.6) &&
           !gx_fault_twospeed_slow(&f, -1),
       "twospeed: normal, then slow, every half second from the epoch; normal before it");
    expect(gx_fault_parse("twospeed:period=x:pct=20", &f, &err), &err,
           "GPUXFER_FAULT='twospeed:period=x:pct=20': period: ", "is not a number of seconds",
           "a period that is no number");
    expect(gx_fault_parse("slow:rank=0:pct=5:per=transfer", &f, &err), &err,
           "GPUXFER_FAULT='slow:rank=0:pct=5:per=transfer': ",
           "ms, us and per are the sleeping slow fault's", "pct with per");
    /* In a collective: late by P% of the warm-up's median, whatever the timed calls take. */
    setenv("GPUXFER_FAULT", "slow:rank=0:size=8:pct=1900", 1);
    err = (struct gx_err){0};
    int rc = gx_fault_init(&err);
    double warm = gx_fault_coll_late();
    gx_fault_coll_took(0.001);
    gx_fault_coll_took(0.004);
    gx_fault_coll_took(0.002);
    double still_warm = gx_fault_coll_late();
    gx_fault_point(0, 8, 0);
    double late = gx_fault_coll_late();
    gx_fault_coll_took(0.0001); /* a late member's own call: the transfer alone, not the pace */
    double again = gx_fault_coll_late();
    gx_fault_slow_forget();
    ok(rc == GX_OK && warm == 0 && still_warm == 0 && fabs(late - 0.038) < 1e-12 &&
           again == late && gx_fault_coll_late() == 0,
       "slow:...:pct=1900 in a collective: late by 19 x the warm-up's median 2 ms once timed "
       "(%g s), not by its own calls' time, nothing after the step (%s)", late, err.msg);
    unsetenv("GPUXFER_FAULT");
    gx_fault_init(&err);
}

/* A launcher's local rank: a number by the same rule, or the variable is not taken. */
static void launcher_variables(void)
{
    const char *var;
    setenv("OMPI_COMM_WORLD_LOCAL_RANK", " 3", 1);
    setenv("MPI_LOCALRANKID", "2", 1);
    int r = gx_launcher_local_rank(&var);
    ok(r == 2 && strcmp(var, "MPI_LOCALRANKID") == 0,
       "a local rank with white space is not taken; the next launcher's is (%d)", r);
    setenv("OMPI_COMM_WORLD_LOCAL_RANK", "+1", 1);
    r = gx_launcher_local_rank(&var);
    ok(r == 2, "nor one with a '+' sign (%d)", r);
    setenv("OMPI_COMM_WORLD_LOCAL_RANK", "1", 1);
    r = gx_launcher_local_rank(&var);
    ok(r == 1 && strcmp(var, "OMPI_COMM_WORLD_LOCAL_RANK") == 0, "a plain one is (%d)", r);
    unsetenv("OMPI_COMM_WORLD_LOCAL_RANK");
    unsetenv("MPI_LOCALRANKID");
}

static void pair_numbers(void)
{
    static const char *const bad[][2] = {
        {"0: 1", "white space"}, {"+0:1", "a '+' sign"}, {"0:1K", "a unit"},
        {"0:99999999999999999999", "out of range (expected 0..3)"}, {"0:", "empty"},
        {"0:1,,2:3", "empty"},
    };
    struct gx_layout four;
    struct gx_err lerr = {0};
    if (gx_layout_make(4, NULL, &four, &lerr) != GX_OK) {
        ok(0, "a layout of 4 ranks: %s", lerr.msg);
        return;
    }
    for (size_t i = 0; i < GX_ARRAY_LEN(bad); i++) {
        struct gx_pairs p;
        struct gx_err err = {0};
        char where[64];
        snprintf(where, sizeof where, "in '%s'", bad[i][0]);
        expect(gx_pairs_resolve(bad[i][0], &four, &p, &err), &err, where, bad[i][1], bad[i][0]);
    }
    gx_layout_free(&four);
}

/* Whether s is well-formed UTF-8 (the cut of a long message must not split a character). */
static int utf8_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int more = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2
                 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (more < 0)
            return 0;
        for (p++; more > 0; more--, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

/* An error longer than a message holds keeps its head and its reason at the end, cut in the
 * middle: a long path quoted in it (twice, as --output's errors do) never pushes the reason out. */
static void long_messages(void)
{
    static char path[3001];
    for (int i = 0; i < 1500; i++)
        memcpy(path + 2 * i, "\xc3\xa9", 2); /* é: two bytes a character */
    struct gx_err err = {0};
    gx_fail(&err, GX_EINPUT, "--output: cannot create the directory '%s' of '%s': %s", path,
            path, "No space left on device");
    size_t n = strlen(err.msg);
    ok(n < sizeof err.msg && !strncmp(err.msg, "--output: cannot create the directory '", 39) &&
           strstr(err.msg, " [...] ") && n > 26 &&
           !strcmp(err.msg + n - 26, "': No space left on device") && utf8_ok(err.msg),
       "a 6 KB error: its head, ' [...] ' and its reason in %zu bytes, whole characters", n);
    gx_wrap(&err, "rank 0: %s", path);
    n = strlen(err.msg);
    ok(n < sizeof err.msg && !strncmp(err.msg, "rank 0: ", 8) &&
           strstr(err.msg, "No space left on device") && utf8_ok(err.msg),
       "a long prefix before it: the head and the reason kept (%zu bytes)", n);
    gx_fail(&err, GX_EINPUT, "short: %s", "as it is");
    ok(!strcmp(err.msg, "short: as it is"), "a short message as it is");
}

/* gx_text_shown, the one sanitizer of user text: each kind of control escaped byte by byte,
 * other UTF-8 text kept, never a cut escape; and a message quoting one (gx_fail) shows it so. */
static void text_shown(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"plain name", "plain name"},
        {"a\033]0;title\007b", "a\\x1b]0;title\\x07b"},
        {"x\ny\rz\tw", "x\\x0ay\\x0dz\tw"},
        {"del\177", "del\\x7f"},
        {"c1\302\233m", "c1\\xc2\\x9bm"},
        {"lone\233m", "lone\\x9bm"},
        {"rlo\342\200\256x", "rlo\\xe2\\x80\\xaex"},
        {"lri\342\201\246x", "lri\\xe2\\x81\\xa6x"},
        {"alm\330\234x", "alm\\xd8\\x9cx"},
        {"caf\303\251 \346\227\245", "caf\303\251 \346\227\245"},
        {"cut\303", "cut\\xc3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[128];
        size_t n = gx_text_shown(out, sizeof out, cases[i].in);
        ok(!strcmp(out, cases[i].want) && n == strlen(cases[i].want), "shown: '%s'",
           cases[i].want);
    }
    char small[5];
    size_t n = gx_text_shown(small, sizeof small, "ab\033cd");
    ok(!strcmp(small, "ab") && n == 8, "an escape that does not fit is left out whole ('%s')",
       small);
    struct gx_err err;
    gx_fail(&err, GX_EINPUT, "unknown option '%s'", "--x\033[2J\n");
    ok(!strcmp(err.msg, "unknown option '--x\\x1b[2J\\x0a'"), "a message shows it: %s",
       err.msg);
    gx_wrap(&err, "f\033.json");
    ok(!strcmp(err.msg, "f\\x1b.json: unknown option '--x\\x1b[2J\\x0a'"),
       "its context too, nothing escaped twice: %s", err.msg);
    ok(gx_input_printable("caf\303\251", &err) == GX_OK, "UTF-8 text is printable");
    ok(gx_input_printable("a\233b", &err) == GX_EINPUT && strstr(err.msg, "'a\\x9bb'") &&
           strstr(err.msg, "at byte 2"), "a lone C1 byte is not: %s", err.msg);
}

int main(void)
{
    int numeric = 0;
    text_shown();
    long_messages();
    for (const struct gx_option *op = gx_option_table; op->name; op++)
        if (op->num != GX_NUM_NONE) {
            walk_numeric_option(op);
            numeric++;
        }
    ok(numeric >= 10, "%d numeric options walked", numeric);
    for (const struct gx_option *op = gx_option_table; op->name; op++)
        if (in_scenario(op))
            walk_scenario_key(op);
    scenario_limits();
    walk_fault_numbers();
    walk_fault_job();
    walk_fault_pace();
    launcher_variables();
    pair_numbers();
    return tap_done();
}
