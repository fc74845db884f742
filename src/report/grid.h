/* A view's answer as data: rows of cells under columns, marks and their legends, the facts of the
 * whole. A view builds its grid and draws nothing; one text renderer (grid_text.c) and one JSON
 * renderer (grid_json.c) draw every grid. No cJSON here. */
#ifndef GX_GRID_H
#define GX_GRID_H

#include <stddef.h>

enum gx_cell_type {
    GX_CELL_NONE,    /* text: the column's `none`; JSON: left out */
    GX_CELL_INT,
    GX_CELL_REAL,
    GX_CELL_TEXT,
    GX_CELL_BOOL,
    GX_CELL_ABSENT,  /* not measured, s says why: JSON "a.absent" for key "a.b"; text a note */
    GX_CELL_NULL,    /* JSON null; text the column's `none` */
};

/* How the text renderer writes a column's REAL cells. */
enum gx_col_form {
    GX_FORM_FIXED,   /* prec decimals */
    GX_FORM_MEASURE, /* as the matrices write a cell: GB/s, small ones in MB/s, the mark last */
    GX_FORM_GBS,     /* as the table writes a bandwidth (small ones in MB/s), the mark after it */
    GX_FORM_PERCENT, /* 100 v without decimals and '%' */
    GX_FORM_SIZE,    /* an INT as a size: 64K, 1G */
};

struct gx_grid_col {
    const char *key;   /* the row's JSON member: "a.b" inside object a, "x[]" appended to array x
                        * (there even where every cell is NONE), "x[].m" member m of x's last
                        * element, or of a new one where that has m; NULL: text only */
    const char *head;  /* the text's header (no header line where every head is ""); NULL: JSON
                        * only */
    const char *lead;  /* text before the cell */
    int width;         /* text columns; < 0: left aligned, cut to -width (but where whole) */
    enum gx_col_form form;
    int prec;
    const char *none;  /* a NONE cell's text; NULL: "-" */
    const char *words; /* an absent cell's note below its row: "<label> <words>: absent: <why>" */
    int label;         /* the row's name: in every slice of a table wider than the page */
    int whole;         /* text: a longer cell whole, the row's next columns after it */
    int second;        /* text: on the row's second line, said where one of its cells is not NONE
                        * and starting under column second - 1 */
};

struct gx_cell {
    enum gx_cell_type type;
    char mark;       /* text: in the cell's last column (alone where no value), a legend below */
    double v;        /* INT, REAL, BOOL */
    const char *s;   /* TEXT, or ABSENT's reason: the grid's own or the view's state's */
};

/* A member of the view's JSON beside its rows: a string where s, else the number v; its key as a
 * column's. */
struct gx_grid_fact {
    const char *key, *s;
    double v;
};

#define GX_GRID_FACTS 48
#define GX_GRID_LEGENDS 4

struct gx_grid {
    const struct gx_grid_col *cols;
    struct gx_grid_col *own_cols; /* where the view's columns are made at run time */
    int ncols, nrows;
    struct gx_cell *cells;  /* row by row */
    const char **labels;    /* a row's name in its notes ("rank 3") */
    unsigned char *report_only; /* a row the text leaves out */
    const char *title;      /* text: a note above the header, wrapped */
    const char *rows_key;   /* JSON: the rows' member of the view's object; NULL: the rows alone,
                             * a view's grids' rows one array */
    struct gx_grid_fact facts[GX_GRID_FACTS];
    int nfacts, rows_at;    /* JSON: the facts before the rows */
    struct {
        char mark;
        const char *text;   /* said as it is, once, where a cell has its mark */
    } legends[GX_GRID_LEGENDS];
    int nlegends;
    const char *footer;     /* text: a note below the legends */
    char **kept;            /* the strings the grid owns */
    size_t nkept;
};

/* A grid of nrows rows, every cell NONE; its columns cols, or where NULL its own (own_cols,
 * zeroed, for the view to fill); GX_ERUNTIME where out of memory. */
struct gx_err;
int gx_grid_init(struct gx_grid *g, const struct gx_grid_col *cols, int ncols, int nrows,
                 struct gx_err *err);
struct gx_cell *gx_grid_at(struct gx_grid *g, int row, int col);
/* The cell at row, col: of type, the number v or the text s (the grid's own or the view's). */
void gx_grid_put(struct gx_grid *g, int row, int col, enum gx_cell_type type, double v,
                 const char *s);
/* A string the grid owns until gx_grid_free; NULL where out of memory. */
const char *gx_grid_text(struct gx_grid *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gx_grid_fact(struct gx_grid *g, const char *key, const char *s, double v);
void gx_grid_legend(struct gx_grid *g, char mark, const char *text);
void gx_grid_free(struct gx_grid *g);

/* The renderers: the text table (nothing where no rows; a table wider than the page in slices
 * of its columns, each with the label columns), the JSON (NULL where no rows). A grid of no
 * columns is its facts: their object, and its title and footer as notes. */
#include <stdio.h>
void gx_grid_print(FILE *out, const struct gx_grid *g);
/* A measure in `width` columns as the matrices write one ("-" for NAN), a mark other than ' ' in
 * place of its last gap; 1 where it wrote GB/s (gbs) in MB/s. */
int gx_grid_measure(char *cell, size_t len, int width, double v, char mark, int gbs);
struct cJSON;
struct cJSON *gx_grid_json(const struct gx_grid *g);

#endif
