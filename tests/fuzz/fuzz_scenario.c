/* libFuzzer: scenario files (gx_scenario_load), the whole JSON-to-options path. */
#include "fuzz_util.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gx_options o; /* large: not on the stack */
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    struct gx_err err = {0};
    memset(&o, 0, sizeof o);
    if (gx_scenario_load("fuzz.json", text, &o, &err) == GX_OK && (o.nruns < 1 || o.nruns > GX_MAX_RUNS))
        abort(); /* success must leave a usable run list */
    free(text);
    return 0;
}
