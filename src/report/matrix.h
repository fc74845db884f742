/* Pair matrices: per (path, pattern, size, ...) the median of every ordered pair of ranks, when
 * the results cover them all (--pairs all, all-concurrent); rank 0 only. */
#ifndef GX_MATRIX_H
#define GX_MATRIX_H

#include "context.h"
#include "json_stream.h"
#include "kept.h"

#include <stdio.h>

/* The complete matrices of the kept results, as ranges of the results in an order that makes
 * each matrix's rows one after the other: made in O(n log n) of the results, and written into
 * the report row by row as it is printed (gx_matrices_fill), so that rank 0 holds no matrix,
 * only this order (one pointer a result), even at thousands of ranks. */
struct gx_matrix_range {
    size_t from, to;                /* in order[]: the matrix's results, by initiator, peer */
    const struct gx_kept *first;    /* its earliest result (the matrices' order) */
};
struct gx_matrix_set {
    const struct gx_kept **order;   /* ok results between two of the ranks, by measurement */
    const struct gx_kept *kept;     /* every kept result (the siblings of a cell), nkept */
    size_t nkept;
    struct gx_matrix_range *m;
    int nm, nranks;
};

/* The report's "matrices" elements (json_stream.h): ctx is the set. */
int gx_matrices_fill(struct gx_jstream *w, int slot, void *ctx);
/* The matrices as a view (view.h): made from the kept results, streamed into the report,
 * printed. A cell well below its siblings over the same kind of link (gx_kept_below_siblings
 * among every kept result) is marked GX_MATRIX_BELOW after its value in the table, and in the
 * report listed in the matrix's below_siblings. */
#define GX_MATRIX_BELOW '<'
/* A cell whose median the machine disturbed (its result's noise marks, the table's '~'): not
 * the link's number, so neither marked below its siblings nor a health finding; the report
 * lists such cells in the matrix's "disturbed". */
#define GX_MATRIX_DISTURBED '~'
#define GX_MATRIX_DISTURBED_LEGEND                                                           \
    "# ~: the machine disturbed this median (a rank waited for a CPU, a slow tail or a wide "  \
    "interval):\n#   not the link's number\n"
struct gx_view_ops;
extern const struct gx_view_ops gx_view_matrices;
void gx_matrices_free(void *set);

/* "rank 3 (host node-b, GPU 1 0000:3b:00.0, NIC mlx5_1 pcie-switch)": the GPU and the NIC only
 * where the context records them. */
void gx_matrix_describe_rank(char *buf, size_t len, const struct gx_context *context, int rank);

/* One printer for the pair matrices and the layout's (layout_matrix.c): a matrix as its cells
 * by row (NAN where not measured), their marks (GX_MATRIX_BELOW, GX_MATRIX_DISTURBED or ' ')
 * and what each cell's pair is: its ranks, and where the cell is in words ("2->3", "rail 1 node
 * 0->2"). */
struct gx_matrix_grid {
    int rows, cols;
    const double *val;
    const char *mark;
    void (*cell)(const void *ctx, int a, int b, int *ra, int *rb, char *where, size_t len);
    const void *cell_ctx;
    /* Where the marks' legends were said already in this table (NULL: say them each time): a
     * run of 46 matrices needs them once. */
    int *legends_said;
    /* The most SLOW lines, the slowest first (0: every one, in row order): a busy machine's 16
     * ranks flag a hundred pairs, each in the matrix printed above. */
    size_t most_slow;
    int gbs; /* the values are GB/s: those below GX_GBS_AS_MBS print in MB/s (sizes.h) */
};
/* A value in `width` columns (a matrix's 9), a mark in place of its last gap; "-" for NAN. In
 * GB/s (gbs) a value below GX_GBS_AS_MBS is in MB/s with an M after it: 1 where it was. */
int gx_matrix_print_cell(FILE *out, int width, double v, char mark, int gbs);
/* A line of column numbers, then a row a line; a matrix wider than the table's columns in
 * slices of columns, each with its line of numbers. */
void gx_matrix_print_rows(FILE *out, const struct gx_matrix_grid *g);
/* The legends of the marks the matrix has, then its cells beyond --slow-pair (`slow`) x its
 * median (latency: above median / slow): "# slow SLOW_WHAT (... x the MEDIAN_WHAT ...):", a
 * SLOW line each naming the ranks, their hosts, GPUs and NICs. */
void gx_matrix_print_tail(FILE *out, const struct gx_matrix_grid *g,
                          const struct gx_context *context, const char *unit, double slow,
                          const char *slow_what, const char *median_what);

#endif
