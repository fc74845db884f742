/* A result's fields, one table: the report's JSON (src/report/result_json.c), the CSV's header
 * and rows (csv.c) and the table's columns (output.c) are made from it, and tests/test_report.c
 * checks it against the schema's result (schema/gpuxfer-report.schema.json). Only macros: the
 * value and when expressions read `r`, a const struct gx_result *, where a layer above expands
 * them (the names they call are that layer's).
 *
 * X(key, type, value, when, json, in, csv, tab), in the report's order:
 *   key    the name in the JSON (under its object `in`), and the CSV's unless csv names another
 *   type   what value is: STR (const char *), INT (long long), NUM (double), BOOL (int), MARKS
 *          (noise marks, the CSV's words), OBJ or ARR (no value: the JSON's object or array)
 *   when   whether the field is there: absent, the JSON leaves it out and the CSV leaves it empty
 *   json   VAL (key: value), FLAG (key: true, only where value), OBJ (an object of the rows in
 *          key), HOOK(name, json type) (result_json.c's hook_name writes it), NONE (part of
 *          another field's JSON: initiator and peer are the ranks array)
 *   in     key (what names the measurement: gx_result_key_json), top, or the key of the OBJ
 *          row holding it
 *   csv    CSV(column) or CSVAS(column, "name") from 0, or NOCSV
 *   tab    TAB(column, head, wide head, shown, width, width with line%, wide width, hook) or
 *          NOTAB: shown ALL, WIDE (--wide only) or LINE (only in a block with line rates);
 *          output.c's col_hook writes the cell. */
#ifndef GX_RESULT_FIELDS_H
#define GX_RESULT_FIELDS_H

/* The report's groups of fields: measured, against a ceiling (or why none), against the
 * route's line rate (or why none). */
#define GX_RF_OK (r->state == GX_STATE_OK)
#define GX_RF_CEIL (GX_RF_OK && r->ceiling > 0)
#define GX_RF_NOCEIL (GX_RF_OK && !(r->ceiling > 0) && r->ceiling_what && r->ceiling_what[0])
#define GX_RF_LINE (GX_RF_OK && r->line_gbs > 0)
#define GX_RF_NOLINE (GX_RF_OK && !(r->line_gbs > 0) && r->line_what[0])
#define GX_RF_BAD (r->validated && !r->valid)
#define GX_RF_COLL (r->coll_ranks > 0)

#define GX_RESULT_FIELDS(X)                                                                   \
    X(run, STR, r->run_name, r->run_name && r->run_name[0], VAL, key, CSV(0), NOTAB)          \
    X(path, STR, r->path, 1, VAL, key, CSV(1), NOTAB)                                         \
    X(mem, OBJ, 0, 1, OBJ, key, NOCSV, NOTAB)                                                 \
    X(src, STR, r->src_mem, 1, VAL, mem, CSVAS(2, "src_mem"), NOTAB)                          \
    X(dst, STR, r->dst_mem, 1, VAL, mem, CSVAS(3, "dst_mem"), NOTAB)                          \
    X(pattern, STR, r->pattern, 1, VAL, key, CSV(4), NOTAB)                                   \
    X(vary, OBJ, 0, r->vary_option, HOOK(vary, object), key, NOCSV, NOTAB)                    \
    X(ranks, ARR, 0, 1, HOOK(ranks, array), top, NOCSV,                                       \
      TAB(1, "pair", "pair", ALL, 6, 6, 7, pair))                                             \
    X(initiator, INT, r->a, 1, NONE, top, CSV(5), NOTAB)                                      \
    X(peer, INT, r->b, 1, NONE, top, CSV(6), NOTAB)                                           \
    X(same_node, BOOL, r->same_node, 1, VAL, top, CSV(7), NOTAB)                              \
    X(collective, OBJ, 0, r->coll_ranks > 0, OBJ, top, NOCSV, NOTAB)                          \
    X(op, STR, r->coll_op, GX_RF_COLL, VAL, collective, CSVAS(36, "collective"), NOTAB)       \
    X(in_place, BOOL, r->coll_in_place, GX_RF_COLL, VAL, collective, CSV(37), NOTAB)          \
    X(ranks, INT, r->coll_ranks, 1, VAL, collective, NOCSV, NOTAB)                            \
    X(bytes, INT, (long long)r->coll_bytes, GX_RF_COLL, VAL, collective, CSV(38), NOTAB)      \
    X(count, INT, (long long)gx_coll_count(gx_coll_of(r->coll_op), r->coll_ranks,             \
                                           r->coll_bytes),                                    \
      GX_RF_COLL, VAL, collective, CSV(39), NOTAB)                                            \
    X(type, STR, gx_coll_type(gx_coll_of(r->coll_op)), GX_RF_COLL, VAL, collective, CSV(40),  \
      NOTAB)                                                                                  \
    X(busbw_factor, NUM, r->coll_factor, 1, VAL, collective, NOCSV, NOTAB)                    \
    X(algbw_gbs, NUM, r->stats.median / r->coll_factor, GX_RF_OK && GX_RF_COLL, VAL,          \
      collective, CSV(42), NOTAB)                                                             \
    X(time_us, NUM, (double)r->coll_bytes * r->coll_factor / r->stats.median / 1e3,           \
      GX_RF_OK && GX_RF_COLL && r->stats.median > 0, VAL, collective, CSV(41), NOTAB)         \
    X(busbw_gbs, NUM, r->stats.median, GX_RF_OK && GX_RF_COLL, NONE, collective, CSV(43),     \
      NOTAB)                                                                                  \
    X(expected_busbw_gbs, NUM, r->coll_expected, GX_RF_OK && r->coll_expected > 0, VAL,       \
      collective, NOCSV, NOTAB)                                                               \
    X(expected_rule, STR, r->coll_rule, GX_RF_OK && r->coll_expected > 0, VAL, collective,    \
      NOCSV, NOTAB)                                                                           \
    X(size, INT, (long long)r->size, 1, VAL, top, CSV(8),                                     \
      TAB(0, "size", "size", ALL, 9, 8, 11, size))                                            \
    X(size_class, STR, gx_size_class_name(gx_size_class(r->size)), 1, VAL, top, CSV(9), NOTAB) \
    X(chunk, INT, (long long)r->chunk, r->chunk, VAL, top, CSV(10),                           \
      TAB(2, "chunk", "chunk", ALL, 6, 6, 8, chunk))                                          \
    X(depth, INT, r->depth, r->chunk, VAL, top, CSV(11),                                      \
      TAB(3, "depth", "depth", ALL, 5, 5, 5, depth))                                          \
    X(chunk_choice, STR, gx_chunk_choice_name(r->chunk_choice), r->chunk, VAL, top, CSV(12),  \
      NOTAB)                                                                                  \
    X(stages, ARR, 0, r->stage_names, HOOK(stages, array), top, NOCSV, NOTAB)                 \
    X(clock, STR, r->gpu_timed ? "gpu" : "host", 1, VAL, top, NOCSV, NOTAB)                   \
    X(via, STR, r->via, r->via, VAL, top, NOCSV, NOTAB)                                       \
    X(chunk_auto, BOOL, 1, gx_chunk_picked(r->chunk, r->chunk_choice), FLAG, top, NOCSV,      \
      NOTAB)                                                                                  \
    X(auto_candidates, ARR, 0, gx_chunk_picked(r->chunk, r->chunk_choice),                    \
      HOOK(candidates, array), top, NOCSV, NOTAB)                                             \
    X(iterations, INT, r->iters, 1, VAL, top, CSV(13),                                        \
      TAB(10, "iters", "iters", ALL, 5, 5, 6, iters))                                         \
    X(stop, OBJ, 0, GX_RF_OK, OBJ, top, NOCSV, NOTAB)                                         \
    X(by, STR, gx_ended_name(r->ended), 1, VAL, stop, NOCSV, NOTAB)                           \
    X(precision, NUM, gx_median_precision(r->stats.median, r->stats.ci_lo, r->stats.ci_hi),   \
      isfinite(gx_median_precision(r->stats.median, r->stats.ci_lo, r->stats.ci_hi)), VAL,    \
      stop, NOCSV, NOTAB)                                                                     \
    X(precision_asked, NUM, r->precision, r->precision > 0, VAL, stop, NOCSV, NOTAB)          \
    X(share_s, NUM, r->share_s, r->share_s > 0, VAL, stop, NOCSV, NOTAB)                      \
    X(elapsed_s, NUM, r->elapsed_s, r->elapsed_s > 0, VAL, stop, NOCSV, NOTAB)                \
    X(visits, INT, r->visits, r->visits_planned > 1, VAL, stop, NOCSV, NOTAB)                 \
    X(visits_planned, INT, r->visits_planned, r->visits_planned > 1, VAL, stop, NOCSV, NOTAB) \
    X(visit_medians, ARR, 0, r->visits_planned > 1, HOOK(visit_medians, array), stop, NOCSV,  \
      NOTAB)                                                                                  \
    X(warmup, INT, r->warmup, 1, VAL, top, CSV(14), NOTAB)                                    \
    X(window, INT, r->window, 1, VAL, top, CSV(15), NOTAB)                                    \
    X(unit, STR, r->unit, 1, VAL, top, CSV(16), NOTAB)                                        \
    X(status, STR, gx_state_name(r->state), 1, VAL, top, CSV(17), NOTAB)                      \
    X(reason, STR, r->reason, r->reason && r->reason[0], VAL, top, CSV(18), NOTAB)            \
    X(stats, OBJ, 0, GX_RF_OK, OBJ, top, NOCSV, NOTAB)                                        \
    X(n, INT, (long long)r->stats.n, 1, VAL, stats, NOCSV, NOTAB)                             \
    X(min, NUM, r->stats.min, GX_RF_OK, VAL, stats, CSV(20),                                  \
      TAB(5, "min", "min", WIDE, 0, 0, 11, value))                                            \
    X(max, NUM, r->stats.max, GX_RF_OK, VAL, stats, CSV(21),                                  \
      TAB(6, "max", "max", WIDE, 0, 0, 11, value))                                            \
    X(mean, NUM, r->stats.mean, GX_RF_OK, VAL, stats, CSV(22), NOTAB)                         \
    X(median, NUM, r->stats.median, GX_RF_OK, VAL, stats, CSV(19),                            \
      TAB(4, "median", "median", ALL, 10, 9, 11, median))                                     \
    X(p5, NUM, r->stats.p5, GX_RF_OK, VAL, stats, CSV(23),                                    \
      TAB(7, "p5", "p5", ALL, 9, 8, 11, value))                                               \
    X(p95, NUM, r->stats.p95, GX_RF_OK, VAL, stats, CSV(24),                                  \
      TAB(8, "p95", "p95", ALL, 9, 8, 11, value))                                             \
    X(p99, NUM, r->stats.p99, 1, VAL, stats, NOCSV, NOTAB)                                    \
    X(stddev, NUM, r->stats.stddev, 1, VAL, stats, NOCSV, NOTAB)                              \
    X(cv, NUM, r->stats.cv, GX_RF_OK, VAL, stats, CSV(25),                                    \
      TAB(9, "cv%", "cv%", ALL, 5, 5, 7, cv))                                                 \
    X(median_ci95, ARR, 0, 1, HOOK(median_ci95, array), stats, NOCSV, NOTAB)                  \
    X(validation, OBJ, 0, 1, OBJ, top, NOCSV, NOTAB)                                          \
    X(status, STR, gx_validation_name(r), 1, VAL, validation, CSVAS(29, "validation"),        \
      TAB(11, "valid", "validation", ALL, 5, 5, 10, valid))                                   \
    X(checks, INT, r->validated, 1, VAL, validation, NOCSV, NOTAB)                            \
    X(first_bad_offset, INT, r->bad_offset, GX_RF_BAD, VAL, validation, NOCSV, NOTAB)         \
    X(iteration, INT, r->bad_iter, GX_RF_BAD, VAL, validation, NOCSV, NOTAB)                  \
    X(ceiling, NUM, r->ceiling, GX_RF_CEIL, VAL, top, CSV(26),                                \
      TAB(12, "ceiling", "ceiling", ALL, 9, 9, 11, ceiling))                                  \
    X(ceiling_what, STR, r->ceiling_what ? r->ceiling_what : "", GX_RF_CEIL, VAL, top, NOCSV, \
      NOTAB)                                                                                  \
    X(efficiency, NUM, r->efficiency, GX_RF_CEIL, VAL, top, CSV(27),                          \
      TAB(13, "eff%", "eff%", ALL, 6, 6, 6, efficiency))                                      \
    X(ceiling_exceeded, BOOL, r->ceiling_exceeded, GX_RF_CEIL, HOOK(exceeded, object), top,   \
      CSV(28), NOTAB)                                                                         \
    X(ceiling_within, BOOL, r->ceiling_within, GX_RF_CEIL, HOOK(within, object), top,         \
      CSV(32), NOTAB)                                                                         \
    X(ceiling_absent, STR, r->ceiling_what, GX_RF_NOCEIL, VAL, top, NOCSV, NOTAB)             \
    X(ceiling_unsound, BOOL, r->ceiling_unsound, GX_RF_OK, FLAG, top, CSV(31), NOTAB)         \
    X(line_gbs, NUM, r->line_gbs, GX_RF_LINE, VAL, top, CSV(33), NOTAB)                       \
    X(line_share, NUM, r->line_share, GX_RF_LINE, VAL, top, CSV(34),                          \
      TAB(14, "line%", "line%", LINE, 0, 5, 6, line))                                         \
    X(line_route, STR, r->line_what, GX_RF_LINE, VAL, top, NOCSV, NOTAB)                      \
    X(line_exceeded, BOOL, r->line_exceeded, GX_RF_LINE, FLAG, top, CSV(35), NOTAB)           \
    X(line_absent, STR, r->line_what, GX_RF_NOLINE, VAL, top, NOCSV, NOTAB)                   \
    X(noise, MARKS, r->noise.marks, GX_RF_OK, HOOK(noise, object), top, CSV(30), NOTAB)       \
    X(samples, ARR, 0, r->samples, HOOK(samples, array), top, NOCSV, NOTAB)

#endif
