/* libFuzzer: the command line (gx_options_parse). Input: argv words separated by newlines; an
 * optional line "--" ends them and the rest is what --scenario FILE reads (a fake read_file). */
#include "fuzz_util.h"
#include "option_table.h"
#include "pairs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *scenario_text;

static int fake_read(const char *path, char **text, struct gx_err *err, void *ctx)
{
    (void)ctx;
    if (!scenario_text)
        return gx_fail(err, GX_EINPUT, "--scenario: cannot read '%s'", path);
    *text = strdup(scenario_text);
    return *text ? GX_OK : gx_fail(err, GX_ERUNTIME, "out of memory");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gx_options o;
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    char *argv[65];
    int argc = 0;
    argv[argc++] = "gpuxfer";
    scenario_text = NULL;
    char *sep = strstr(text, "\n--\n");
    if (sep) {
        *sep = '\0';
        scenario_text = sep + 4;
    }
    for (char *save = NULL, *w = strtok_r(text, "\n", &save); w && argc < 64;
         w = strtok_r(NULL, "\n", &save))
        argv[argc++] = w;
    argv[argc] = NULL;
    struct gx_err err = {0};
    /* --help, --version and --list answer without runs: the checks below are for a run. */
    if (gx_options_parse(argc, argv, &o, fake_read, NULL, &err) == GX_OK &&
        !gx_options_answer_only(&o)) {
        if (o.nruns < 1 || o.nruns > GX_MAX_RUNS)
            abort();
        struct gx_layout l;
        if (gx_layout_make(4, NULL, &l, &err) == GX_OK)
            (void)gx_options_check_job(&o, &l, 4, &err);
        gx_layout_free(&l);
    }
    free(text);
    return 0;
}
