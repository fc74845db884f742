/* The command line and a scenario into options, in order: the command line overrides. */
#include "config.h"
#include "option_table.h"

#include "scenario.h"
#include "mem.h"
#include "path.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct pending {
    const struct gx_option *op;
    const char *value;
    const char *as; /* the name given (the option's, or its old one): errors say what was typed */
};

/* A val per option: getopt_long takes the first of agreeing ones a prefix matches. */
#define OPT_VAL(i) (256 + (i))

/* osu's and nccl-tests' one-letter options gpuxfer does not take, and how it says them. */
static const struct peer_flag {
    char letter;
    const char *there, *here;
} peer_flags[] = {
    {'d', "osu's -d cuda|managed (buffers on the GPU)", "--mem device or --mem managed"},
    {'W', "osu's -W (messages in flight)", "--window N"},
    {'c', "osu's -c (check the data)", "always done: the valid column"},
    {'b', "nccl-tests' -b (smallest size)", "--sizes MIN:MAX"},
    {'e', "nccl-tests' -e (largest size)", "--sizes MIN:MAX"},
    {'f', "nccl-tests' -f (size factor)", "--sizes MIN:MAX (powers of 2) or a list"},
    {'n', "nccl-tests' -n (iterations)", "--iters N"},
    {'w', "nccl-tests' -w (warm-up iterations)", "--warmup N"},
    {'g', "nccl-tests' -g (GPUs per rank)", "a GPU per rank: mpirun -np N"},
};

/* An ambiguous prefix names its options; a peer's one-letter option its equivalent. */
static int refused(const char *word, int letter, int missing_value, struct gx_err *err)
{
    if (missing_value)
        return gx_fail(err, GX_EINPUT, "option '%s' needs a value (see --help)", word);
    for (size_t i = 0; word[0] == '-' && word[1] != '-' && i < GX_ARRAY_LEN(peer_flags); i++)
        if (peer_flags[i].letter == letter)
            return gx_fail(err, GX_EINPUT, "unknown option '%s': %s is %s here (see --help)",
                           word, peer_flags[i].there, peer_flags[i].here);
    if (strncmp(word, "--", 2) == 0 && word[2]) {
        const char *name = word + 2;
        size_t len = strcspn(name, "=");
        char names[512] = "";
        int n = 0;
        for (const struct gx_option *op = gx_option_table; op->name; op++)
            if (strncmp(op->name, name, len) == 0 ||
                (op->alias && strncmp(op->alias, name, len) == 0)) {
                size_t used = strlen(names);
                snprintf(names + used, sizeof names - used, "%s--%s", n++ ? ", " : "", op->name);
            }
        if (n > 1)
            return gx_fail(err, GX_EINPUT, "option '--%.*s' is ambiguous: %s (expected one of "
                           "them, or more of its name)", (int)len, name, names);
    }
    return gx_fail(err, GX_EINPUT, "unknown option '%s' (see --help)", word);
}

static const struct gx_option *short_option(int c)
{
    for (const struct gx_option *op = gx_option_table; op->name; op++)
        if (op->short_name && op->short_name == c)
            return op;
    return NULL;
}

/* osu's -m MAX alone is the range 1:MAX. buf holds what it makes. */
static const char *short_value(const struct gx_option *op, const char *v, char *buf, size_t len)
{
    if (op->short_name != 'm' || strchr(v, ':') || strchr(v, ','))
        return v;
    snprintf(buf, len, "1:%s", v);
    return buf;
}

/* A node check means the same everywhere and within its time: what changes its plan (every
 * per-run option, which its map runs set or would lengthen) is refused, not dropped, and so is a
 * limit past its own. */
static int check_alone(const struct gx_options *o, const struct pending *cli, int ncli,
                       struct gx_err *err)
{
    static const char *const changes[] = {"scenario", "map", "soak", "visits", "vary"};
    for (int i = 0; i < ncli; i++) {
        int changing = cli[i].op->per_run;
        for (size_t k = 0; k < GX_ARRAY_LEN(changes); k++)
            changing |= strcmp(cli[i].op->name, changes[k]) == 0;
        if (changing)
            return gx_fail(err, GX_EINPUT, "--%s: not with --check, whose plan is fixed "
                           "(the node's map, its host links and health, within %d s); leave out "
                           "one of them", cli[i].as, GX_CHECK_BUDGET);
    }
    const struct { const char *name; long value; } limits[] = {{"budget", o->g.budget},
                                                               {"timeout", o->g.timeout}};
    for (size_t k = 0; k < GX_ARRAY_LEN(limits); k++)
        if (limits[k].value > GX_CHECK_BUDGET)
            return gx_fail(err, GX_EINPUT, "--%s %ld: past --check's limit of %d s (give at most "
                           "%d, or leave it out)", limits[k].name, limits[k].value,
                           GX_CHECK_BUDGET, GX_CHECK_BUDGET);
    return GX_OK;
}

/* --vary measures each of its values: the option it names given as well has no place. */
static int vary_alone(const struct gx_options *o, const struct pending *cli, int ncli,
                      struct gx_err *err)
{
    const char *name = gx_vary_names[o->g.vary.option];
    for (int i = 0; o->g.vary.option != GX_VARY_NONE && i < ncli; i++)
        if (strcmp(cli[i].op->name, name) == 0)
            return gx_fail(err, GX_EINPUT, "--vary %s=...: --%s is given too (expected one of "
                           "them: --vary measures each of its values)", name, cli[i].as);
    return GX_OK;
}

int gx_options_parse(int argc, char **argv, struct gx_options *o, gx_read_file_fn read_file,
                     void *ctx, struct gx_err *err)
{
    enum { MAXOPT = 64 };
    struct option longopts[2 * MAXOPT]; /* each option, and its old name where it has one */
    int nopt = 0, nlong = 0;
    /* MAXOPT: also the bits of gx_run_opts.given. An alias has its option's val. */
    for (const struct gx_option *op = gx_option_table; op->name && nopt < MAXOPT - 1;
         op++, nopt++) {
        int has_arg = op->arg ? required_argument : no_argument;
        longopts[nlong++] = (struct option){op->name, has_arg, NULL, OPT_VAL(nopt)};
        if (op->alias)
            longopts[nlong++] = (struct option){op->alias, has_arg, NULL, OPT_VAL(nopt)};
    }
    longopts[nlong] = (struct option){NULL, 0, NULL, 0};

    memset(o, 0, sizeof *o);
    o->g.slow_pair = 0.8;
    struct pending *cli = calloc((size_t)argc + 1, sizeof *cli);
    /* Kept while cli points at them. */
    char (*made)[64] = calloc((size_t)argc + 1, sizeof *made);
    if (!cli || !made) {
        free(cli);
        free(made);
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    }
    char shorts[2 * MAXOPT + 2] = ":";
    for (const struct gx_option *op = gx_option_table; op->name; op++)
        if (op->short_name) {
            size_t n = strlen(shorts);
            shorts[n] = op->short_name;
            shorts[n + 1] = op->arg ? ':' : '\0';
            shorts[n + 2] = '\0';
        }
    int ncli = 0, rc = GX_OK;
    char flag_seen[MAXOPT] = {0};
    opterr = 0;
    optind = 0; /* glibc: 0 also forgets a half-scanned "-abc" of an earlier call */
    for (;;) {
        int longindex = -1;
        int c = getopt_long(argc, argv, shorts, longopts, &longindex);
        if (c == -1)
            break;
        const struct gx_option *sop = c < 256 ? short_option(c) : NULL;
        if (sop && !sop->arg) {
            /* A flag once: "-hhh" is one word of argv but several options, and cli holds argc. */
            if (!flag_seen[sop - gx_option_table])
                cli[ncli++] = (struct pending){sop, NULL, sop->name};
            flag_seen[sop - gx_option_table] = 1;
            continue;
        }
        if (sop) {
            cli[ncli] = (struct pending){sop, short_value(sop, optarg, made[ncli], sizeof *made),
                                         sop->name};
            ncli++;
            continue;
        }
        if (c < OPT_VAL(0) || c >= OPT_VAL(nopt)) { /* '?' or ':' */
            rc = refused(argv[optind - 1], optopt, c == ':', err);
            goto out;
        }
        cli[ncli++] = (struct pending){&gx_option_table[c - OPT_VAL(0)], optarg,
                                       longopts[longindex].name};
    }
    if (optind < argc) {
        rc = gx_fail(err, GX_EINPUT, "unexpected argument '%s' (options start with --)",
                     argv[optind]);
        goto out;
    }
    /* The last counts, as scripts appending an override expect, but never quietly. */
    for (int i = 1; i < ncli && !o->note[0]; i++)
        for (int j = 0; j < i; j++)
            if (cli[j].op == cli[i].op && cli[i].value && cli[j].value &&
                strcmp(cli[i].value, cli[j].value) != 0) {
                snprintf(o->note, sizeof o->note, "--%s given twice ('%.100s', then '%.100s'): "
                         "the last counts", cli[i].op->name, cli[j].value, cli[i].value);
                break;
            }
    for (int i = 0; i < ncli; i++)
        if (!cli[i].op->per_run &&
            (rc = gx_option_set(cli[i].op, o, NULL, cli[i].value, err)) != GX_OK) {
            gx_wrap(err, "--%s", cli[i].as);
            goto out;
        }
    if (gx_options_answer_only(o))
        goto out;
    if (o->check && (rc = check_alone(o, cli, ncli, err)) != GX_OK)
        goto out;
    if ((rc = vary_alone(o, cli, ncli, err)) != GX_OK)
        goto out;
    if (o->g.scenario[0]) {
        char *text = NULL;
        if ((rc = read_file(o->g.scenario, &text, err, ctx)) != GX_OK)
            goto out;
        rc = gx_scenario_load(o->g.scenario, text, o, err);
        free(text);
        if (rc != GX_OK)
            goto out;
        /* The scenario's job-wide keys were set after the command line's: it wins again. */
        for (int i = 0; i < ncli; i++)
            if (gx_option_scenario_top(cli[i].op) &&
                (rc = gx_option_set(cli[i].op, o, NULL, cli[i].value, err)) != GX_OK) {
                gx_wrap(err, "--%s", cli[i].as);
                goto out;
            }
    } else {
        o->nruns = 1;
        gx_run_defaults(&o->runs[0]);
        o->default_paths = 1;
        for (int i = 0; i < ncli; i++) {
            const char *n = cli[i].op->name;
            if (strcmp(n, "path") == 0 || strcmp(n, "mem") == 0)
                o->default_paths = 0;
            if (o->g.vary.option == GX_VARY_PATH || o->g.vary.option == GX_VARY_MEM)
                o->default_paths = 0;
            if (strcmp(n, "pattern") == 0 || strcmp(n, "sizes") == 0)
                o->default_axes_given = 1;
        }
    }
    for (int r = 0; r < o->nruns; r++)
        for (int i = 0; i < ncli; i++) {
            if (!cli[i].op->per_run)
                continue;
            if ((rc = gx_option_set(cli[i].op, o, &o->runs[r], cli[i].value, err)) != GX_OK) {
                gx_wrap(err, "--%s", cli[i].as);
                goto out;
            }
            o->runs[r].given |= GX_OPTION_BIT(cli[i].op);
            o->runs[r].cli |= GX_OPTION_BIT(cli[i].op);
        }
    /* A scenario's run setting the option --vary names: its value would be lost. */
    const struct gx_option *varied = gx_option_find(gx_vary_names[o->g.vary.option]);
    for (int r = 0; r < o->nruns && o->g.vary.option != GX_VARY_NONE && varied; r++)
        if (o->runs[r].given & GX_OPTION_BIT(varied)) {
            rc = gx_fail(err, GX_EINPUT, "--vary %s=...: the scenario's runs[%d] ('%s') sets "
                         "%s too (expected one of them: --vary measures each of its values)",
                         varied->name, r, o->runs[r].name, varied->name);
            goto out;
        }
    gx_vary_runs(o);
out:
    free(cli);
    free(made);
    return rc;
}

/* The early parse reads no file: a scenario's keys count after MPI_Init. */
static int no_file(const char *path, char **text, struct gx_err *err, void *ctx)
{
    (void)path, (void)ctx;
    *text = NULL;
    return gx_fail(err, GX_EINPUT, "no file before MPI_Init");
}

/* One parse before any thread; a scenario's failure here leaves the command line's options. */
static const struct gx_options *early_options(int argc, char **argv, int *rc)
{
    static struct gx_options o; /* large */
    static int parsed, parse_rc;
    if (!parsed) {
        struct gx_err err = {0};
        parse_rc = gx_options_parse(argc, argv, &o, no_file, NULL, &err);
        parsed = 1;
    }
    *rc = parse_rc;
    return &o;
}

long gx_options_early_timeout(int argc, char **argv)
{
    int rc;
    const struct gx_options *o = early_options(argc, argv, &rc);
    return o->g.timeout > 0 ? o->g.timeout : 0;
}

static int cuda_memory(int kind)
{
    return kind != GX_MEM_DEFAULT && gx_mem_has(kind, GX_MEM_GPU_ACCESSIBLE);
}

const char *gx_options_early_no_gpu(int argc, char **argv)
{
    int rc;
    const struct gx_options *o = early_options(argc, argv, &rc);
    /* A command line in error says nothing of its paths (the run refuses it after MPI_Init). */
    if (rc != GX_OK || o->default_paths || o->nruns < 1 || o->g.scenario[0])
        return NULL;
    for (int r = 0; r < o->nruns; r++) {
        const struct gx_run_opts *run = &o->runs[r];
        if (cuda_memory(run->mem_src) || cuda_memory(run->mem_dst))
            return NULL;
        for (int k = 0; o->g.vary.option == GX_VARY_MEM && k < o->g.vary.n; k++)
            if (cuda_memory(o->g.vary.v[k].mem_src) || cuda_memory(o->g.vary.v[k].mem_dst))
                return NULL;
        for (int i = 0; i < run->npaths; i++) {
            if (run->paths[i] < 0 || run->paths[i] >= gx_path_count)
                return NULL;
            const struct gx_path_ops *ops = gx_paths[run->paths[i]].ops;
            if (!ops || ops->flags & GX_PATH_NEEDS_GPU ||
                (run->mem_src == GX_MEM_DEFAULT && cuda_memory(ops->default_src)) ||
                (run->mem_dst == GX_MEM_DEFAULT && cuda_memory(ops->default_dst)))
                return NULL;
        }
    }
    return "no CUDA context before MPI_Init: no path of this run uses a GPU";
}
