#include "report.h"
#include "tap.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    ok(gx_report_open(&rep, path, 1, argv, &err) == GX_OK, "samples report opens (%s)", err.msg);
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

int main(void)
{
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
    ok(gx_report_open(&rep, path, 3, argv, &err) == GX_OK, "report opens (%s)", err.msg);
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
    gx_report_skip(&rep, NULL, "nccl", -1, -1, "built without NCCL");
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
           cJSON_GetArraySize(cJSON_GetObjectItem(doc, "results")) == 6 &&
           cJSON_GetArraySize(cJSON_GetObjectItem(doc, "skipped")) == 1,
       "schema version, status, 6 results, 1 skipped");
    cJSON *sum = cJSON_GetObjectItem(doc, "summary");
    cJSON *row = cJSON_GetArrayItem(sum, 0), *row2 = cJSON_GetArrayItem(sum, 1);
    ok(cJSON_GetArraySize(sum) == 5 && !strcmp(str(row, "size_class"), "small") &&
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
    ok(lines == 6, "the lines file holds 6 complete JSON lines");
    unlink(path);
    test_samples(dir, r);
    snprintf(path, sizeof path, "%s/r.json", dir);
    unlink(path);
    rmdir(dir);
    free(text);
    return tap_done();
}
