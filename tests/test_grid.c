/* The one text and one JSON renderer of the views' grids (grid.h), on a constructed grid: the
 * header from the columns' heads, text cut and aligned to their widths, a mark in a cell's last
 * column and its legend only where a cell carries it, an absent cell's note and member, a
 * column of one kind only, nested members, the facts beside the rows; no rows, nothing. */
#include "grid.h"
#include "gx.h"
#include "json_stream.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct gx_grid_col cols[] = {
    {"name", "name", "  ", -6, GX_FORM_FIXED, 0, NULL, NULL, 0, 0, 0},
    {"gbs.value", "GB/s", " ", 8, GX_FORM_MEASURE, 0, NULL, "its bandwidth", 0, 0, 0},
    {"gbs.fast", NULL, NULL, 0, GX_FORM_FIXED, 0, NULL, NULL, 0, 0, 0},
    {NULL, "note", " ", 5, GX_FORM_FIXED, 2, "?", NULL, 0, 0, 0},
    {"on", "on", " ", 4, GX_FORM_FIXED, 0, NULL, NULL, 0, 0, 0},
};

static char *drawn(const struct gx_grid *g)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    gx_grid_print(f, g);
    fclose(f);
    return text;
}

int main(void)
{
    struct gx_grid g;
    struct gx_err err = {0};
    ok(gx_grid_init(&g, cols, 5, 2, &err) == GX_OK, "a grid of 2 rows, 5 columns");
    g.rows_key = "links";
    g.title = "\n# the title\n";
    gx_grid_fact(&g, "unit", "GB/s", 0);
    gx_grid_fact(&g, "size", NULL, 64);
    gx_grid_legend(&g, '<', "# <: slow\n");
    gx_grid_legend(&g, '~', "# ~: disturbed\n");
    g.labels[0] = "row a";
    g.labels[1] = gx_grid_text(&g, "row %c", 'b');
    *gx_grid_at(&g, 0, 0) = (struct gx_cell){.type = GX_CELL_TEXT, .s = "alphabet"};
    *gx_grid_at(&g, 0, 1) = (struct gx_cell){.type = GX_CELL_REAL, .v = 12.5, .mark = '<'};
    *gx_grid_at(&g, 0, 2) = (struct gx_cell){.type = GX_CELL_BOOL, .v = 1};
    *gx_grid_at(&g, 0, 3) = (struct gx_cell){.type = GX_CELL_REAL, .v = 1.0 / 3};
    *gx_grid_at(&g, 0, 4) = (struct gx_cell){.type = GX_CELL_BOOL, .v = 0};
    *gx_grid_at(&g, 1, 0) = (struct gx_cell){.type = GX_CELL_TEXT, .s = "b"};
    *gx_grid_at(&g, 1, 1) = (struct gx_cell){.type = GX_CELL_ABSENT, .s = "no GPU"};
    *gx_grid_at(&g, 1, 4) = (struct gx_cell){.type = GX_CELL_INT, .v = 7};

    char *text = drawn(&g);
    ok(text && !strncmp(text, "\n# the title\n# name       GB/s  note   on\n", 42),
       "the title, then a header of the text's columns at their widths");
    ok(text && strstr(text, "\n  alphab  12.500<  0.33   no\n"),
       "text cut to a left column's width, a mark in the last column, decimals, a boolean");
    ok(text && strstr(text, "\n  b             -     ?    7\n"
                            "#   row b its bandwidth: absent: no GPU\n"),
       "an absent measure '-', a NONE cell the column's text, the absent cell's note below");
    ok(text && strstr(text, "# <: slow\n") && !strstr(text, "# ~:"),
       "the legend of a mark a cell carries, not of one none does");
    free(text);

    cJSON *j = gx_grid_json(&g);
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    ok(s && !strcmp(s, "{\"links\":[{\"name\":\"alphabet\",\"gbs\":{\"value\":12.5,\"fast\":true},"
                       "\"on\":false},{\"name\":\"b\",\"gbs\":{\"absent\":\"no GPU\"},\"on\":7}],"
                       "\"unit\":\"GB/s\",\"size\":64}"),
       "the report's member: rows whole, nested members, the absent one's reason, no text-only "
       "column, the facts after the rows (%s)", s ? s : "none");
    free(s);
    cJSON_Delete(j);
    gx_grid_free(&g);

    /* A table wider than the page: slices of its columns, each with the label columns; lists
     * in the report, an empty one where no cell is there, a null where a value is. */
    enum { WIDE = 12 };
    ok(gx_grid_init(&g, NULL, 2 + 2 * WIDE, 1, &err) == GX_OK, "a grid of its own columns");
    g.own_cols[0] = (struct gx_grid_col){.key = "node", .head = "node", .lead = "  ", .width = 6,
                                         .label = 1};
    g.own_cols[1] = (struct gx_grid_col){.key = "ids[]"};
    *gx_grid_at(&g, 0, 0) = (struct gx_cell){.type = GX_CELL_INT, .v = 3};
    for (int c = 0; c < WIDE; c++) {
        g.own_cols[2 + c] = (struct gx_grid_col){.key = "values[]", .head = "wide-head",
                                                 .lead = " ", .width = 9,
                                                 .form = GX_FORM_MEASURE};
        g.own_cols[2 + WIDE + c] = (struct gx_grid_col){.key = "slow[]"};
        *gx_grid_at(&g, 0, 2 + c) = c == 1 ? (struct gx_cell){.type = GX_CELL_NULL}
                                           : (struct gx_cell){.type = GX_CELL_REAL, .v = c};
    }
    g.rows_key = "rows";
    gx_grid_fact(&g, "list[]", "a", 0);
    gx_grid_fact(&g, "list[]", "b", 0);
    g.rows_at = 2;
    g.footer = "# a footer\n";
    text = drawn(&g);
    int headers = 0, longest = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") {
        int len = (int)strcspn(p, "\n");
        longest = len > longest ? len : longest;
        headers += !strncmp(p, "#   node wide-head", 18);
    }
    ok(headers == 2 && longest <= 100 && text && strstr(text, "\n       3     0.000         -") &&
           strstr(text, "    10.000    11.000\n# a footer\n"),
       "two slices within 100 columns, the label in each, the footer last (%d headers)",
       headers);
    free(text);
    j = gx_grid_json(&g);
    s = j ? cJSON_PrintUnformatted(j) : NULL;
    ok(s && !strncmp(s, "{\"list\":[\"a\",\"b\"],\"rows\":[{\"node\":3,\"ids\":[],"
                        "\"values\":[0,null,2,", 54) && strstr(s, ",11],\"slow\":[]}]}"),
       "the facts before the rows, lists of cells, an empty list, a null (%s)", s ? s : "none");
    free(s);
    cJSON_Delete(j);
    gx_grid_free(&g);

    ok(gx_grid_init(&g, cols, 5, 0, &err) == GX_OK && !gx_grid_json(&g) &&
           (text = drawn(&g)) && !text[0],
       "no rows: no member and no lines");
    free(text);
    gx_grid_free(&g);

    ok(gx_grid_init(&g, NULL, 0, 0, &err) == GX_OK, "a grid of facts alone");
    gx_grid_fact(&g, "measured", NULL, 4);
    gx_grid_fact(&g, "load[]", NULL, 1.5);
    gx_grid_fact(&g, "load[]", NULL, 2);
    g.footer = "\n# a note\n";
    j = gx_grid_json(&g);
    s = j ? cJSON_PrintUnformatted(j) : NULL;
    text = drawn(&g);
    ok(s && !strcmp(s, "{\"measured\":4,\"load\":[1.5,2]}") && text &&
           !strcmp(text, "\n# a note\n"),
       "no columns: the facts' object, even without rows, and the notes (%s)", s ? s : "none");
    free(s);
    free(text);
    cJSON_Delete(j);
    gx_grid_free(&g);
    return tap_done();
}
