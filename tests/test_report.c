#include "kept.h"
#include "options.h"
#include "report.h"
#include "tap.h"

#include <dirent.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cJSON's live bytes: what the report holds, counted through cJSON's allocation hooks (a size
 * word before each block). Installed before any cJSON allocation; nothing here hands cJSON a
 * block of plain malloc (no text needs UTF-8 repair). */
static size_t cjson_live;

static void *counting_malloc(size_t n)
{
    size_t *p = malloc(n + sizeof(max_align_t));
    if (!p)
        return NULL;
    *p = n;
    cjson_live += n;
    return (char *)p + sizeof(max_align_t);
}

static void counting_free(void *q)
{
    if (!q)
        return;
    size_t *p = (size_t *)(void *)((char *)q - sizeof(max_align_t));
    cjson_live -= *p;
    free(p);
}

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItem(o, k)->valuedouble;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    long len = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    char *text = len >= 0 ? calloc(1, (size_t)len + 1) : NULL;
    if (text && (fseek(f, 0, SEEK_SET) != 0 || fread(text, 1, (size_t)len, f) != (size_t)len)) {
        free(text);
        text = NULL;
    }
    if (f)
        fclose(f);
    return text;
}

static cJSON *parse_file(const char *path)
{
    char *text = slurp(path);
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    free(text);
    return doc;
}

static int temporaries_in(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

/* --samples: the report holds GX_SAMPLES_INLINE samples at most; the others are lines of the
 * samples file, which the results name. A report the watchdog wrote first stands. */
static void test_samples(const char *dir, struct gx_result r)
{
    static double s[30000];
    char path[256], side[300];
    struct gx_report rep;
    struct gx_err err = {0};
    char *argv[] = {"gpuxfer"};
    for (int i = 0; i < 30000; i++)
        s[i] = 1 + i % 7;
    snprintf(path, sizeof path, "%s/s.json", dir);
    snprintf(side, sizeof side, "%s.samples.jsonl", path);
    ok(gx_report_open(&rep, path, 1, 1, argv, &err) == GX_OK, "samples report opens (%s)", err.msg);
    r.samples = s;
    size_t counts[] = {30000, 30000, 10000};
    for (int i = 0; i < 3; i++) {
        r.nsamples = counts[i];
        r.size = 8 << i;
        ok(gx_report_add(&rep, &r, &err) == GX_OK, "result with %zu samples added (%s)", counts[i],
           err.msg);
    }
    ok(gx_report_write_abort(&rep, "interrupted", 5, "interrupted by SIGTERM", NULL, &err) == GX_OK &&
           gx_report_write(&rep, "complete", 0, &err) == GX_OK && rep.exit_code == 5,
       "the watchdog's report stands: the final write keeps it and its exit code");
    gx_report_close(&rep);
    cJSON *doc = parse_file(path), *res = cJSON_GetObjectItem(doc, "results");
    cJSON *ref = cJSON_GetObjectItem(cJSON_GetArrayItem(res, 1), "samples_file");
    ok(doc && !strcmp(str(doc, "status"), "interrupted") && num(doc, "exit_code") == 5,
       "the file says interrupted, exit_code 5");
    ok(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 0), "samples")) == 30000 &&
           !cJSON_GetObjectItem(cJSON_GetArrayItem(res, 1), "samples") &&
           !strcmp(str(ref, "file"), "s.json.samples.jsonl") && num(ref, "line") == 1 &&
           num(ref, "n") == 30000 &&
           cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 2), "samples")) == 10000,
       "30000 samples in the report, the next 30000 in line 1 of the samples file, 10000 fit");
    cJSON *line = parse_file(side);
    ok(line && cJSON_GetArraySize(cJSON_GetObjectItem(line, "samples")) == 30000 &&
           num(line, "jsonl_line") == 2 && num(line, "size") == 16 &&
           cJSON_GetArrayItem(cJSON_GetObjectItem(line, "samples"), 3)->valuedouble == 4,
       "the samples file's line: the result's line in the .jsonl, its size, its samples in order");
    ok(temporaries_in(dir) == 0, "no temporary left beside the report");
    cJSON_Delete(line);
    cJSON_Delete(doc);
    unlink(side);
    unlink(path);
    snprintf(path, sizeof path, "%s/s.json.jsonl", dir);
    unlink(path);
}

/* What rank 0 keeps of a result: the report holds none of it (the .jsonl does), so a kept
 * record and the report's share stay within 4 KiB a result (at most 4 KiB kept). */
static void test_kept_bound(const char *dir, struct gx_result r)
{
    static const char *const stages[] = {"MPI", "kernel", NULL};
    static const struct gx_auto_cand cands[] = {{1 << 20, 2, 0, {10, 9, 11}},
                                                 {1 << 21, 4, 0, {11, 10, 12}}};
    char path[256];
    struct gx_report rep;
    struct gx_err err = {0};
    char *argv[] = {"gpuxfer"};
    snprintf(path, sizeof path, "%s/k.json", dir);
    ok(gx_report_open(&rep, path, 1, 1, argv, &err) == GX_OK, "bound: report opens (%s)", err.msg);
    r.stage_names = stages;
    r.cands = cands;
    r.ncands = 2;
    r.chunk = 1 << 20;
    r.chunk_choice = GX_CHUNK_AUTO;
    r.ceiling = 20;
    r.ceiling_what = "peer copy";
    r.efficiency = 0.5;
    enum { N = 2000 };
    size_t before = cjson_live;
    int added = 0;
    for (int i = 0; i < N; i++) {
        r.a = i % 64;
        r.b = (i + 1) % 64;
        added += gx_report_add(&rep, &r, &err) == GX_OK;
    }
    double per = ((double)(cjson_live - before) + N * (double)sizeof(struct gx_kept)) / N;
    ok(added == N && per <= 4096, "rank 0 keeps %.0f bytes a result (kept record %zu): at most "
       "4 KiB", per, sizeof(struct gx_kept));
    ok(gx_report_write(&rep, "complete", 0, &err) == GX_OK, "bound: report written (%s)", err.msg);
    gx_report_close(&rep);
    cJSON *doc = parse_file(path);
    ok(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "results")) == N,
       "bound: the report has every result, read back from the .jsonl");
    const cJSON *c0 = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "results"), 0),
                            "auto_candidates"),
        0);
    const cJSON *ci = cJSON_GetObjectItem(c0, "median_ci95");
    ok(cJSON_GetArraySize(ci) == 2 && cJSON_GetArrayItem(ci, 0)->valuedouble == 9 &&
           cJSON_GetArrayItem(ci, 1)->valuedouble == 11,
       "a search candidate carries its median's interval (median_ci95 [9, 11])");
    cJSON_Delete(doc);
    unlink(path);
    snprintf(path, sizeof path, "%s/k.json.jsonl", dir);
    unlink(path);
}

/* The .jsonl's name removed (or moved) during the run: the results are read back through the
 * descriptor they were written with, so the report still has them. */
static void test_lines_gone(const char *dir, struct gx_result r)
{
    char path[256], lines[300];
    struct gx_report rep;
    struct gx_err err = {0};
    char *argv[] = {"gpuxfer"};
    snprintf(path, sizeof path, "%s/gone.json", dir);
    snprintf(lines, sizeof lines, "%s.jsonl", path);
    int opened = gx_report_open(&rep, path, 1, 1, argv, &err) == GX_OK;
    int added = opened && gx_report_add(&rep, &r, &err) == GX_OK;
    unlink(lines);
    int rc = opened ? gx_report_write(&rep, "complete", 0, &err) : GX_ERUNTIME;
    if (opened)
        gx_report_close(&rep);
    cJSON *doc = rc == GX_OK ? parse_file(path) : NULL;
    cJSON *res = cJSON_GetObjectItemCaseSensitive(doc, "results");
    ok(added && rc == GX_OK && cJSON_GetArraySize(res) == 1 && temporaries_in(dir) == 0,
       "the .jsonl's name removed before the report: its result is read back through the "
       "descriptor (%s), no temporary", err.msg);
    cJSON_Delete(doc);
    unlink(path);
}

/* A streamed member: objects each holding a slot of its own, filled row by row. */
static int fill_rows(struct gx_jstream *w, int slot, void *ctx)
{
    (void)slot;
    const int *n = ctx;
    int e = 0;
    for (int i = 0; i < *n && !e; i++) {
        double v[3] = {i, i + 0.5, 1e300};
        cJSON *row = cJSON_CreateDoubleArray(v, 3);
        e = row ? gx_stream_item(w, row, NULL, NULL) : -1;
        cJSON_Delete(row);
    }
    return e;
}

static int fill_tables(struct gx_jstream *w, int slot, void *ctx)
{
    (void)slot;
    static int rows[] = {0, 1, 3};
    (void)ctx;
    int e = 0;
    for (int t = 0; t < 3 && !e; t++) {
        cJSON *o = cJSON_CreateObject(), *nested = cJSON_CreateObject();
        cJSON_AddStringToObject(nested, "name", "a \"quoted\"\n\ttext");
        cJSON_AddItemToObject(o, "nested", nested);
        cJSON_AddItemToObject(o, "values", gx_stream_slot(0));
        cJSON_AddNumberToObject(o, "after", t);
        e = gx_stream_item(w, o, fill_rows, &rows[t]);
        cJSON_Delete(o);
    }
    return e;
}

/* The report written by streaming is, byte for byte, what printing the whole document with cJSON
 * gave before; its results are the .jsonl's lines. */
static void test_streamed_equals_whole(const char *path)
{
    char *text = slurp(path), lines_path[300];
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    char *whole = doc ? cJSON_Print(doc) : NULL;
    size_t n = whole ? strlen(whole) : 0;
    ok(whole && strlen(text) == n + 1 && !strncmp(text, whole, n) && text[n] == '\n',
       "the streamed report equals the whole document printed by cJSON, byte for byte");
    snprintf(lines_path, sizeof lines_path, "%s.jsonl", path);
    FILE *f = fopen(lines_path, "r");
    char line[8192];
    int same = f != NULL, k = 0;
    cJSON *res = cJSON_GetObjectItem(doc, "results");
    while (f && fgets(line, sizeof line, f)) {
        cJSON *l = cJSON_Parse(line);
        same = same && l && cJSON_Compare(l, cJSON_GetArrayItem(res, k++), 1);
        cJSON_Delete(l);
    }
    if (f)
        fclose(f);
    ok(same && k == cJSON_GetArraySize(res) && k > 0,
       "its %d results are the .jsonl's lines, in order", k);
    cJSON_Delete(doc);
    cJSON_free(whole);
    free(text);
}

int main(void)
{
    cJSON_InitHooks(&(cJSON_Hooks){counting_malloc, counting_free});
    struct gx_result r = {
        .path = "host", .src_mem = "pageable", .dst_mem = "pinned", .pattern = "bw",
        .unit = "GB/s", .a = 0, .b = 1, .same_node = 1, .size = 65536, .iters = 10, .warmup = 2,
        .window = 64, .state = GX_STATE_OK, .validated = 2, .valid = 1, .bad_offset = -1,
    };
    double s[] = {1, 2, 3};
    gx_stats_compute(s, 3, &r.stats);
    cJSON *o = gx_result_json(&r);
    ok(o && !strcmp(str(o, "path"), "host") && !strcmp(str(o, "size_class"), "small") &&
           num(o, "size") == 65536 && !strcmp(str(cJSON_GetObjectItem(o, "mem"), "dst"), "pinned"),
       "result: path, size, class, memory kinds");
    ok(num(cJSON_GetObjectItem(o, "stats"), "median") == 2 &&
           cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "stats"), "median_ci95")) == 2,
       "result: statistics with a CI");
    ok(!strcmp(str(cJSON_GetObjectItem(o, "validation"), "status"), "passed") &&
           !cJSON_GetObjectItem(o, "chunk"), "result: validation passed; no chunk for an unchunked path");
    ok(!cJSON_GetObjectItem(o, "via"), "result: no via where the path does not say");
    cJSON_Delete(o);

    r.valid = 0;
    r.bad_offset = 4093;
    r.bad_iter = 0;
    r.chunk = 1 << 20;
    r.depth = 2;
    o = gx_result_json(&r);
    ok(!strcmp(str(cJSON_GetObjectItem(o, "validation"), "status"), "failed") &&
           num(cJSON_GetObjectItem(o, "validation"), "first_bad_offset") == 4093 &&
           num(o, "chunk") == 1 << 20 && num(o, "depth") == 2,
       "result: failed validation names the offset; chunk and depth present");
    cJSON_Delete(o);
    r.via = "shared-memory slots";
    o = gx_result_json(&r);
    ok(!strcmp(str(o, "via"), "shared-memory slots"), "result: via as the path set it");
    cJSON_Delete(o);
    r.via = NULL;

    char dir[] = "/tmp/gx-report-XXXXXX";
    ok(mkdtemp(dir) != NULL, "temporary directory");
    char path[256];
    snprintf(path, sizeof path, "%s/r.json", dir);
    char *argv[] = {"gpuxfer", "--sizes", "8"};
    struct gx_report rep;
    struct gx_err err = {0};
    ok(gx_report_open(&rep, path, 1, 3, argv, &err) == GX_OK, "report opens (%s)", err.msg);
    r.valid = 1;
    r.chunk = 0;
    ok(gx_report_add(&rep, &r, &err) == GX_OK, "result added");
    r.size = 8;
    r.stats.median = 4;
    ok(gx_report_add(&rep, &r, &err) == GX_OK, "second result added");
    r.size = 16;
    r.stats.median = 6;
    gx_report_add(&rep, &r, &err);
    /* Same path, pattern and size class: another memory kind, then two runs of the first. */
    r.src_mem = r.dst_mem = "device";
    r.stats.median = 100;
    gx_report_add(&rep, &r, &err);
    r.src_mem = "pageable";
    r.dst_mem = "pinned";
    r.run_name = "first";
    r.stats.median = 7;
    gx_report_add(&rep, &r, &err);
    r.run_name = "second";
    r.stats.median = 9;
    gx_report_add(&rep, &r, &err);
    /* Objects nested in a result's arrays, escapes in its strings: indentation as cJSON's. */
    static const char *const stages[] = {"MPI", "kernel", NULL};
    r.run_name = "second \"run\"\n\tof two";
    r.stage_names = stages;
    r.stage_us[0][1] = 3.25;
    gx_report_add(&rep, &r, &err);
    r.run_name = "second";
    r.stage_names = NULL;
    static int three = 3;
    ok(gx_report_set_streamed(&rep, "tables", fill_tables, &three, &err) == GX_OK,
       "a streamed member set");
    /* The same skip twice (two groups of sizes): once in the report. */
    ok(gx_report_skip(&rep, NULL, "nccl", NULL, 0, "built without NCCL", &err) == GX_OK &&
           gx_report_skip(&rep, NULL, "nccl", NULL, 0, "built without NCCL", &err) == GX_OK,
       "a skip recorded twice");
    ok(access(path, F_OK) != 0, "nothing at the report path before it is written");
    ok(gx_report_write(&rep, "complete", 0, &err) == GX_OK, "report written (%s)", err.msg);
    gx_report_close(&rep);

    FILE *f = fopen(path, "r");
    char *text = calloc(1, 1 << 16);
    size_t n = f ? fread(text, 1, (1 << 16) - 1, f) : 0;
    if (f)
        fclose(f);
    cJSON *doc = cJSON_Parse(text);
    ok(n > 0 && doc, "the report is valid JSON");
    ok(!strcmp(str(doc, "schema_version"), GX_SCHEMA_VERSION) && !strcmp(str(doc, "status"), "complete") &&
           cJSON_GetArraySize(cJSON_GetObjectItem(doc, "results")) == 7 &&
           cJSON_GetArraySize(cJSON_GetObjectItem(doc, "skipped")) == 1,
       "schema version, status, 7 results, 1 skipped (the repeated skip once)");
    cJSON *tables = cJSON_GetObjectItem(doc, "tables");
    ok(cJSON_GetArraySize(tables) == 3 &&
           cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(tables, 2), "values")) == 3 &&
           cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(tables, 0), "values")) == 0 &&
           num(cJSON_GetArrayItem(tables, 1), "after") == 1,
       "the streamed member: 3 objects, their nested slots filled row by row");
    cJSON *sum = cJSON_GetObjectItem(doc, "summary");
    cJSON *row = cJSON_GetArrayItem(sum, 0), *row2 = cJSON_GetArrayItem(sum, 1);
    ok(cJSON_GetArraySize(sum) == 6 && !strcmp(str(row, "size_class"), "small") &&
           num(row, "results") == 1 && !strcmp(str(row2, "size_class"), "tiny") &&
           num(row2, "results") == 2 && num(row2, "median_min") == 4 && num(row2, "median_max") == 6 &&
           num(row2, "median_mean") == 5,
       "summary per size class: counts and spread of medians");
    ok(!strcmp(str(row2, "path"), "host") && !strcmp(str(row2, "src_mem"), "pageable") &&
           !strcmp(str(row2, "dst_mem"), "pinned") && !strcmp(str(row2, "pattern"), "bw") &&
           !strcmp(str(row2, "unit"), "GB/s") && !cJSON_GetObjectItem(row2, "run"),
       "summary row: path, memory kinds, pattern, unit; no run name for results without one");
    cJSON *dev = cJSON_GetArrayItem(sum, 2), *run1 = cJSON_GetArrayItem(sum, 3),
          *run2 = cJSON_GetArrayItem(sum, 4);
    ok(!strcmp(str(dev, "src_mem"), "device") && !strcmp(str(dev, "dst_mem"), "device") &&
           num(dev, "results") == 1 && num(dev, "median_min") == 100 && num(dev, "median_max") == 100,
       "another memory kind of the same path, pattern and class is a row of its own");
    ok(!strcmp(str(run1, "run"), "first") && num(run1, "results") == 1 && num(run1, "median_mean") == 7 &&
           !strcmp(str(run2, "run"), "second") && num(run2, "results") == 1 &&
           num(run2, "median_mean") == 9 && !strcmp(str(run2, "src_mem"), "pageable"),
       "each run name is a row of its own, never merged with another run or the unnamed results");
    cJSON_Delete(doc);

    snprintf(path, sizeof path, "%s/r.json.jsonl", dir);
    f = fopen(path, "r");
    int lines = 0;
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        cJSON *l = cJSON_Parse(line);
        lines += l != NULL && line[strlen(line) - 1] == '\n';
        cJSON_Delete(l);
    }
    if (f)
        fclose(f);
    ok(lines == 7, "the lines file holds 7 complete JSON lines");
    snprintf(path, sizeof path, "%s/r.json", dir);
    test_streamed_equals_whole(path);
    snprintf(path, sizeof path, "%s/r.json.jsonl", dir);
    unlink(path);
    test_kept_bound(dir, r);
    test_lines_gone(dir, r);
    test_samples(dir, r);
    snprintf(path, sizeof path, "%s/r.json", dir);
    unlink(path);
    rmdir(dir);
    free(text);
    return tap_done();
}
