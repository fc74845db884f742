/* libFuzzer: size lists and ranges (gx_parse_sizes), single sizes, and GPUXFER_FAULT specs. */
#include "fault.h"
#include "fuzz_util.h"
#include "sizes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    struct gx_err err = {0};
    static struct gx_size_list l;
    if (gx_parse_sizes(text, &l, &err) == GX_OK) {
        if (l.n == 0 || l.n > GX_MAX_SIZES)
            abort();
        for (size_t i = 0; i < l.n; i++) {
            char buf[64];
            if (l.v[i] == 0)
                abort();
            gx_format_size(l.v[i], buf, sizeof buf);
            size_t back = 0;
            /* The table's spelling must parse back to the same size. */
            if (gx_parse_size(buf, &back, &err) != GX_OK || back != l.v[i])
                abort();
        }
    }
    size_t one;
    (void)gx_parse_size(text, &one, &err);
    struct gx_fault f;
    (void)gx_fault_parse(text, &f, &err);
    free(text);
    return 0;
}
