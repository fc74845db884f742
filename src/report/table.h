/* The results' table (rank 0): each result's row kept as it comes, the rows printed when measuring
 * ends as one table per block (run, path, memory kinds, pattern), sizes ascending; a collective's
 * block with its out-of-place and in-place forms side by side, as nccl-tests prints them. A
 * result whose step has visits still to come is a partial row, replaced by its next visit's. */
#ifndef GX_TABLE_H
#define GX_TABLE_H

#include "options.h"
#include "result.h"
#include "slots.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

struct gx_table_block;
struct gx_table_row;

struct gx_table {
    FILE *f;
    int wide;
    const struct gx_options *opts;
    pthread_mutex_t mu; /* the watchdog prints what the main thread has kept on a stop */
    int mu_ready;
    struct gx_table_block *blocks;
    size_t nblocks, blocks_cap;
    struct gx_table_row *rows;
    size_t nrows, rows_cap;
    struct gx_slots index; /* rows by step and pair */
    /* Said once: every pair's rows folded into the matrices, and the marks' legends. */
    int fold_said, fold_failed, partial_said;
};

void gx_table_init(struct gx_table *t, FILE *f, const struct gx_options *o);
/* A result's row, in place of the earlier visit's of its step and pair. Out of memory the row is
 * lost (the report has it) and the table says so. */
void gx_table_add(struct gx_table *t, const struct gx_result *r);
/* Prints the rows kept, sorted, and forgets them. */
void gx_table_print(struct gx_table *t);
/* Whether r's run measures every ordered pair: its rows fold into the pair matrices. */
int gx_table_folds(const struct gx_table *t, const struct gx_result *r);
void gx_table_free(struct gx_table *t);

/* table_row.c: a pair's columns' names, and its line (1 where a value in it is in MB/s). */
void gx_table_pair_head(FILE *f, int wide, int line);
int gx_table_pair_line(char *buf, size_t len, int wide, int line, const struct gx_result *r);
/* A collective's side (out-of-place or in-place): time, algbw, busbw and check, or why none;
 * the names of the columns of the sides that ran. */
void gx_table_coll_side(char *buf, size_t len, const struct gx_result *r);
void gx_table_coll_head(FILE *f, const int sides[2]);

#endif
