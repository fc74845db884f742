#include "option_table.h"
#include "pairs.h"
#include "path.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *scenario_text;

static int read_mem(const char *path, char **text, struct gx_err *err, void *ctx)
{
    (void)ctx;
    if (!scenario_text)
        return gx_fail(err, GX_EINPUT, "--scenario: cannot read '%s'", path);
    *text = strdup(scenario_text);
    return GX_OK;
}

static struct gx_options o;

static int parse(const char *line, struct gx_err *err)
{
    char buf[1024], *argv[64];
    int argc = 0;
    snprintf(buf, sizeof buf, "gpuxfer %s", line);
    for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    memset(err, 0, sizeof *err);
    return gx_options_parse(argc, argv, &o, read_mem, NULL, err);
}

static void bad(const char *line, const char *needle)
{
    struct gx_err err;
    int rc = parse(line, &err);
    ok(rc == GX_EINPUT && strstr(err.msg, needle), "'%s' -> exit 2 with '%s' (rc %d: %s)", line,
       needle, rc, err.msg);
}

static void bad_scenario(const char *text, const char *needle)
{
    struct gx_err err;
    scenario_text = text;
    int rc = parse("--scenario s.json", &err);
    ok(rc == GX_EINPUT && strstr(err.msg, needle), "scenario %s -> '%s' (rc %d: %s)", text, needle,
       rc, err.msg);
}

/* The job-dependent checks for nranks ranks on one node. */
static int check_job(const struct gx_options *opts, int nranks, int node_ranks,
                     struct gx_err *err)
{
    struct gx_layout l;
    int rc = gx_layout_make(nranks, NULL, &l, err);
    if (rc == GX_OK)
        rc = gx_options_check_job(opts, &l, node_ranks, err);
    gx_layout_free(&l);
    return rc;
}

/* The notes, their wrapped lines (two columns in) joined again; how many notes. */
static int unwrap(char *text)
{
    int notes = 0;
    char *w = text;
    for (const char *c = text; *c; c++) {
        if (*c == '\n' && c[1] == ' ') {
            *w++ = ' ';
            while (c[1] == ' ')
                c++;
            continue;
        }
        notes += *c == '\n';
        *w++ = *c;
    }
    *w = '\0';
    return notes;
}

int main(void)
{
    struct gx_err err;
    ok(parse("", &err) == GX_OK && o.nruns == 1, "no options: one run");
    struct gx_run_opts *r = &o.runs[0];
    ok(r->npaths == 1 && strcmp(gx_paths[r->paths[0]].name, "host") == 0, "default path host");
    ok(r->npatterns == 2 && r->patterns[0] == GX_PAT_LATENCY && r->patterns[1] == GX_PAT_BW,
       "default patterns latency,bw");
    ok(r->sizes.n == 23 && r->sizes.v[22] == 4u << 20, "default sizes 1:4M");
    ok(strcmp(r->pairs, "0:1") == 0 && r->iters == 0 && r->warmup == -1 && r->window == 0,
       "default pairs 0:1, iterations by size");
    ok(r->chunk_mode == GX_CHUNK_BEST && r->nchunks == 0 && r->ndepths == 0,
       "default: chunk and depth the best per size, neither an axis");

    ok(parse("--pattern bibw,latency --sizes 8,4K --iters 5 --warmup 0 --window 3 --validate all "
             "--path host --mem pageable --chunk 256K,1M --depth 1,4 --quiet --samples",
             &err) == GX_OK,
       "every option parses (%s)", err.msg);
    ok(r->patterns[0] == GX_PAT_BIBW && r->sizes.n == 2 && r->iters == 5 && r->warmup == 0 &&
           r->window == 3 && r->validate == GX_VALIDATE_ALL && r->nchunks == 2 &&
           r->depths[1] == 4 && o.g.quiet && o.g.samples,
       "values land in the options");
    ok(r->chunk_mode == GX_CHUNK_GIVEN, "--chunk LIST --depth LIST: given axes");
    ok(parse("--chunk auto", &err) == GX_OK && r->chunk_mode == GX_CHUNK_AUTO && r->nchunks == 0,
       "--chunk auto: chosen per size (%s)", err.msg);
    ok(parse("--depth 1,2", &err) == GX_OK && r->chunk_mode == GX_CHUNK_GIVEN && r->nchunks == 0 &&
           r->ndepths == 2,
       "--depth alone: depth an axis, chunk left to the default of the given mode (%s)", err.msg);
    ok(parse("--depth 4 --chunk auto", &err) == GX_OK && r->chunk_mode == GX_CHUNK_AUTO &&
           r->ndepths == 1,
       "--chunk auto --depth 4: auto's candidates at depth 4 (%s)", err.msg);
    ok(parse("--progress --allow-skip --dry-run", &err) == GX_OK && o.g.progress &&
           o.g.allow_skip && o.dry_run,
       "--progress, --allow-skip, --dry-run (%s)", err.msg);
    ok(parse("--sizes 8", &err) == GX_OK && o.g.format == GX_FORMAT_TABLE &&
           parse("--format csv", &err) == GX_OK && o.g.format == GX_FORMAT_CSV &&
           parse("--format table", &err) == GX_OK && o.g.format == GX_FORMAT_TABLE,
       "--format: table by default, csv, table (%s)", err.msg);

    bad("--sizes 1X", "--sizes: bad size '1X'");
    bad("--sizes 0", "--sizes: size '0' is out of range");
    bad("--sizes -5", "--sizes: size '-5' is out of range");
    bad("--pattern foo", "--pattern: unknown pattern 'foo'");
    bad("--path warp", "--path: unknown path 'warp'");
    bad("--mem host", "--mem: unknown memory kind 'host'");
    bad("--iters 0", "--iters: 0 is out of range");
    bad("--iters ten", "--iters: 'ten' is not an integer");
    bad("--window 5000", "--window: 5000 is out of range");
    bad("--chunk 0", "--chunk: size '0' is out of range");
    bad("--depth 0", "--depth: 0 is out of range");
    bad("--chunk 1M,auto", "--chunk: chunk 'auto' cannot be mixed with chunk sizes");
    bad("--validate sometimes", "--validate: unknown validation");
    bad("--format bogus", "--format: unknown format 'bogus' (expected table or csv)");
    bad("--bogus", "unknown option '--bogus'");
    bad("-d cuda", "unknown option '-d': osu's -d cuda|managed (buffers on the GPU) is --mem "
                   "device or --mem managed here");
    bad("-W 64", "osu's -W (messages in flight) is --window N here");
    bad("-b 8 -e 1G", "nccl-tests' -b (smallest size) is --sizes MIN:MAX here");
    bad("-n 20", "nccl-tests' -n (iterations) is --iters N here");
    bad("--sizes", "option '--sizes' needs a value");
    bad("stray", "unexpected argument 'stray'");
    /* A prefix is an option's name only when it names one option ('--t 10' wrote
     * the table to ./10); the exact name always counts, though it is a prefix of others. */
    bad("--t 10", "option '--t' is ambiguous: --table, --timeout, --topology-xml");
    bad("--t=10", "option '--t' is ambiguous: --table, --timeout, --topology-xml");
    bad("--assume 3", "option '--assume' is ambiguous: --assume-nodes, --assume-gpus-per-node, "
        "--assume-cuda-aware");
    bad("--he", "option '--he' is ambiguous: --help, --help-all");
    ok(parse("--iter 5 --tab t.txt", &err) == GX_OK && o.runs[0].iters == 5 &&
           strcmp(o.g.table, "t.txt") == 0,
       "a unique prefix is the option it names (%s)", err.msg);
    ok(parse("--help", &err) == GX_OK && o.help == 1, "--help is --help, not --help-all's prefix");

    /* Every list option: an item given twice is refused by the one list rule, naming the
     * option and the item (--pattern bw,bw measured one step twice); a list option
     * without a case here fails, so a new one is tested too. Lists of places may repeat. */
    {
        static const struct {
            const char *name, *item, *other; /* other: NULL for a list of places */
        } lists[] = {
            {"path", "host", "mpi"},    {"pattern", "bw", "latency"},  {"sizes", "8", "1K"},
            {"chunk", "64K", "1M"},     {"depth", "2", "4"},
            {"fake-gpus", "0000:00:06.0", "0000:00:07.0"},
            {"mem", "pageable", NULL},  {"gpu-map", "0", NULL},
        };
        for (const struct gx_option *op = gx_option_table; op->name; op++) {
            if (op->type != GX_T_LIST)
                continue;
            size_t k = 0;
            while (k < sizeof lists / sizeof *lists && strcmp(lists[k].name, op->name) != 0)
                k++;
            if (k == sizeof lists / sizeof *lists) {
                ok(0, "--%s: a list option with no duplicate case in this test", op->name);
                continue;
            }
            char line[256], want[256];
            const char *item = lists[k].item, *other = lists[k].other;
            if (!other) {
                snprintf(line, sizeof line, "--%s %s,%s", op->name, item, item);
                ok(parse(line, &err) == GX_OK, "'%s': a list of places may repeat (%s)", line,
                   err.msg);
                continue;
            }
            snprintf(line, sizeof line, "--%s %s,%s,%s", op->name, item, other, item);
            snprintf(want, sizeof want, "--%s: '%s' is given twice in '%s,%s,%s' (items 1 and 3",
                     op->name, item, item, other, item);
            bad(line, want);
        }
    }
    bad("--path host,mpi,host", "--path: 'host' is given twice in 'host,mpi,host' (items 1 and 3");
    bad("--pattern bw,latency,bw", "--pattern: 'bw' is given twice");
    bad("--chunk 64K,65536", "--chunk: '65536' is given twice in '64K,65536' (items 1 '64K' and "
        "2 '65536' are both 65536");
    bad("--depth 2,02", "--depth: '02' is given twice");
    bad_scenario("{\"runs\": [{\"pattern\": [\"bw\", \"bw\"]}]}",
                 "s.json: runs[0].pattern: 'bw' is given twice in 'bw,bw'");
    ok(parse("--mem pageable,pageable --gpu-map 0,0", &err) == GX_OK && o.g.ngpu_map == 2,
       "--mem SRC,DST and --gpu-map are places: a kind or a GPU may repeat (%s)", err.msg);

    /* An option given where no path of the run can use it is said, by the path table's flags
     * (--chunk with the host path was ignored without a word). */
    {
        static const struct {
            const char *line, *want; /* want NULL: nothing said */
        } notes[] = {
            {"--path host --chunk 64K", "gpuxfer: --chunk has no effect on path host (it does "
                                        "not chunk); "},
            {"--path host,mpi --depth 2", "gpuxfer: --depth has no effect on paths host, mpi "
                                          "(they do not chunk)"},
            {"--path host --chunk auto", "--chunk has no effect on path host"},
            {"--path host", NULL},
            {"--chunk 64K", "--chunk has no effect on path host"}, /* the default path */
        };
        for (size_t i = 0; i < sizeof notes / sizeof *notes; i++) {
            char *text = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&text, &len);
            int rc = parse(notes[i].line, &err);
            if (rc == GX_OK)
                gx_no_effect_notes(f, &o);
            fclose(f);
            int lines = unwrap(text);
            ok(rc == GX_OK && (notes[i].want ? lines == 1 && strstr(text, notes[i].want)
                                             : lines == 0),
               "'%s': %s (said: %.*s)", notes[i].line, notes[i].want ? notes[i].want : "nothing",
               (int)strcspn(text, "\n"), text);
            if (notes[i].want) { /* the paths it applies to: those whose flags say so */
                int named = 1, chunked = 0;
                for (int p = 0; p < gx_path_count; p++)
                    if (gx_paths[p].ops && (gx_paths[p].ops->flags & GX_PATH_CHUNKED)) {
                        named &= strstr(text, gx_paths[p].name) != NULL;
                        chunked++;
                    }
                /* A build without CUDA has no path that chunks, and says so. */
                ok(named && (!strstr(notes[i].want, "--chunk") ||
                             strstr(text, chunked ? "it applies to " : "no path of this build "
                                                                       "chunks")),
                   "'%s': names every path that chunks (%d in this build), or that none does",
                   notes[i].line, chunked);
            }
            free(text);
        }
        for (const struct gx_option *op = gx_option_table; op->name; op++)
            if (op->path_needs && strcmp(op->name, "chunk") != 0 && strcmp(op->name, "depth") != 0)
                ok(0, "--%s needs a path flag: add a case above", op->name);
        int count = 0;
        for (const struct gx_option *op = gx_option_table; op->name; op++)
            count++;
        ok(count < 63, "%d options: each has a bit in gx_run_opts.given", count);
    }

    scenario_text = "{\"description\": \"x\", \"runs\": [{\"sizes\": \"1:4K\", \"pattern\": "
                    "[\"latency\"]}, {\"name\": \"big\", \"sizes\": [\"1M\", 4096], \"iters\": 7}]}";
    ok(parse("--scenario s.json --iters 3", &err) == GX_OK && o.nruns == 2, "scenario with two runs");
    ok(o.runs[0].sizes.n == 13 && o.runs[0].npatterns == 1 && o.runs[0].iters == 3,
       "run 0 from the file, --iters overrides");
    ok(o.runs[1].sizes.n == 2 && o.runs[1].sizes.v[1] == 4096 && o.runs[1].iters == 3 &&
           strcmp(o.runs[1].name, "big") == 0, "run 1: array of sizes, name; CLI wins over the file");

    bad_scenario("{\"runs\": [{\"szies\": \"8\"}]}", "s.json: runs[0]: unknown key 'szies'");
    bad_scenario("{\"runs\": [{\"iters\": \"8\"}]}", "s.json: runs[0].iters: expected an integer");
    bad_scenario("{\"runs\": [{\"iters\": 1.5}]}", "s.json: runs[0].iters: expected an integer");
    bad_scenario("{\"runs\": [{\"iters\": -1}]}", "s.json: runs[0].iters: -1 is out of range");
    bad_scenario("{\"runs\": [{\"path\": \"nope\"}]}", "s.json: runs[0].path: unknown path 'nope'");
    bad_scenario("{\"runs\": [{\"pattern\": [\"bw\", \"x\"]}]}",
                 "s.json: runs[0].pattern: unknown pattern 'x'");
    bad_scenario("{\"runs\": [{\"sizes\": \"1X\"}]}", "s.json: runs[0].sizes: bad size '1X'");
    bad_scenario("{\"runs\": [{\"sizes\": \"0\"}]}", "s.json: runs[0].sizes: size '0' is out of range");
    bad_scenario("{\"runs\": []}", "s.json: runs: expected a non-empty array");
    bad_scenario("{\"runs\": [{}], \"extra\": 1}", "s.json: unknown key 'extra'");
    bad_scenario("[1, 2]", "s.json: expected a JSON object");
    bad_scenario("{\"runs\": [\n{\"sizes\": \"8\"},\n]}", "s.json: line 3: not valid JSON");
    bad_scenario("{\"runs\": [3]}", "s.json: runs[0]: expected an object");
    /* --soak: a job-wide option, also a top-level scenario key; the command line wins. */
    ok(parse("--soak 30", &err) == GX_OK && o.g.soak == 30, "--soak 30");
    ok(parse("", &err) == GX_OK && o.g.soak == 0, "no --soak: off");
    bad("--soak -1", "--soak: -1 is out of range");
    bad("--soak soon", "--soak: 'soon' is not an integer");
    scenario_text = "{\"soak\": 45, \"runs\": [{\"sizes\": \"8\"}]}";
    ok(parse("--scenario s.json", &err) == GX_OK && o.g.soak == 45, "scenario key soak (%s)",
       err.msg);
    ok(parse("--soak 5 --scenario s.json", &err) == GX_OK && o.g.soak == 5,
       "--soak on the command line overrides the scenario's");
    bad_scenario("{\"soak\": \"long\", \"runs\": [{}]}", "s.json: soak: expected an integer");
    bad_scenario("{\"soak\": -3, \"runs\": [{}]}", "s.json: soak: -3 is out of range");
    bad_scenario("{\"timeout\": 3, \"runs\": [{}]}", "s.json: unknown key 'timeout'");
    bad_scenario("{\"runs\": [{\"soak\": 3}]}", "s.json: runs[0]: unknown key 'soak'");
    scenario_text = NULL;
    bad("--scenario missing.json", "cannot read 'missing.json'");

    /* Job-dependent checks. */
    ok(parse("", &err) == GX_OK && check_job(&o, 1, 1, &err) == GX_EINPUT &&
           strstr(err.msg, "needs 2 ranks") && !strstr(err.msg, "--pairs"),
       "one-rank job: needs 2 ranks, not a word of --pairs (%s)", err.msg);
    ok(parse("--pairs 0:5", &err) == GX_OK && check_job(&o, 4, 4, &err) == GX_EINPUT &&
           strstr(err.msg, "--pairs: rank '5' in '0:5' (the job has 4 ranks"), "pair rank out of range");
    ok(parse("--pairs 1:1", &err) == GX_OK && check_job(&o, 4, 4, &err) == GX_EINPUT &&
           strstr(err.msg, "names one rank twice"), "pair with one rank twice");
    ok(parse("--pairs 0-1", &err) == GX_OK && check_job(&o, 4, 4, &err) == GX_EINPUT &&
           strstr(err.msg, "rank '0-1' in '0-1'"), "malformed pair list");
    ok(parse("--pairs 0:1,2:3,0:1", &err) == GX_OK && check_job(&o, 4, 4, &err) == GX_EINPUT &&
           strstr(err.msg, "--pairs: '0:1' is given twice in '0:1,2:3,0:1' (items 1 and 3"),
       "a pair given twice (%s)", err.msg);
    ok(parse("--pairs 0:1,1:0", &err) == GX_OK && check_job(&o, 4, 4, &err) == GX_EINPUT &&
           strstr(err.msg, "--pairs: pair 1:0 in '0:1,1:0' is pair 0:1 again"),
       "a pair given twice, in the other order (%s)", err.msg);
    ok(parse("--pairs 0:1,2:3,1:2", &err) == GX_OK && check_job(&o, 4, 4, &err) == GX_OK,
       "pairs that share a rank are different pairs (%s)", err.msg);
    ok(parse("--sizes 4096G", &err) == GX_OK && check_job(&o, 2, 2, &err) == GX_EINPUT &&
           strstr(err.msg, "--sizes: 4096G needs 16384.0 GiB (2 buffers of that size for each "
                  "of the 2 ranks on this node)"), "size larger than memory (%s)", err.msg);
    {
        /* Every rank on the node holds its buffers at once: 3/8 of the memory fits one rank's
         * two buffers, not two ranks' (8G x 2 x 2 ranks passed on a 23.5 GiB node). */
        double mem = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
        char arg[64];
        snprintf(arg, sizeof arg, "--sizes %.0f", mem * 3 / 8);
        ok(parse(arg, &err) == GX_OK && check_job(&o, 2, 1, &err) == GX_OK,
           "3/8 of the node's memory fits one rank there (%s)", err.msg);
        ok(parse(arg, &err) == GX_OK && check_job(&o, 2, 2, &err) == GX_EINPUT &&
               strstr(err.msg, "for each of the 2 ranks on this node"),
           "but not two ranks on the node (%s)", err.msg);
        /* Device buffers count against the GPU, shared by the ranks that use it. */
        ok(parse("--path mpi --mem device --sizes 30G", &err) == GX_OK &&
               check_job(&o, 2, 2, &err) == GX_OK &&
               gx_options_check_gpu_memory(&o, 1, 80e9, &err) == GX_OK &&
               gx_options_check_gpu_memory(&o, 2, 80e9, &err) == GX_EINPUT &&
               strstr(err.msg, "--sizes: 30G needs 120.0 GiB (2 buffers of that size for each of "
                      "the 2 ranks on this GPU), more than its 74.5 GiB"),
           "device buffers: two ranks on one 80 GB GPU (%s)", err.msg);
    }

    struct gx_pairs p;
    struct gx_layout five, four;
    gx_layout_make(5, NULL, &five, &err);
    gx_layout_make(4, NULL, &four, &err);
    ok(gx_pairs_resolve("all-disjoint", &five, &p, &err) == GX_OK && p.nrounds == 1 &&
           p.rounds[0].npairs == 2 && p.rounds[0].pairs[1].a == 2 && p.rounds[0].pairs[1].b == 3,
       "all-disjoint on 5 ranks: 0:1 and 2:3 at once");
    ok(gx_round_find(&p.rounds[0], 4) == NULL && gx_round_find(&p.rounds[0], 3)->a == 2,
       "rank 4 sits out; rank 3 pairs with 2");
    gx_pairs_free(&p);
    ok(gx_pairs_resolve("3:1,0:2", &four, &p, &err) == GX_OK && p.nrounds == 2 &&
           p.rounds[0].pairs[0].a == 1 && p.rounds[0].pairs[0].b == 3,
       "explicit pairs run one after another, lower rank initiates");
    gx_pairs_free(&p);
    gx_layout_free(&five);
    gx_layout_free(&four);
    return tap_done();
}
