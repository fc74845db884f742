/* The report's "ceilings" as a run writes them, for the ceiling and host map tests: the
 * ceilings given to a report of their own, which is written to a temporary directory and read
 * back. */
#ifndef GX_TEST_CEILINGS_BACK_H
#define GX_TEST_CEILINGS_BACK_H

#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The written report's "ceilings" (the caller's), or NULL where a step failed. */
static inline cJSON *gx_test_ceilings_back(const struct gx_ceilings *c)
{
    char dir[] = "/tmp/gx-ceilings-XXXXXX", path[64], lines[80], *argv[] = {"gpuxfer"};
    static char text[1 << 20];
    struct gx_report rep;
    struct gx_err err = {0};
    cJSON *doc = NULL;
    if (!mkdtemp(dir))
        return NULL;
    snprintf(path, sizeof path, "%s/r.json", dir);
    snprintf(lines, sizeof lines, "%s.jsonl", path);
    if (gx_report_open(&rep, path, 1, 1, argv, &err) == GX_OK &&
        gx_report_ceilings(&rep, c, &err) == GX_OK &&
        gx_report_write(&rep, "complete", 0, &err) == GX_OK) {
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
        if (f)
            fclose(f);
        text[n] = '\0';
        doc = cJSON_Parse(text);
    }
    gx_report_close(&rep);
    cJSON *cal = cJSON_DetachItemFromObject(doc, "ceilings");
    cJSON_Delete(doc);
    unlink(path);
    unlink(lines);
    rmdir(dir);
    return cal;
}

#endif
