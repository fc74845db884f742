/* What the files of the measurement plan share among themselves and nothing else includes:
 * mplan.c expands the options into steps, mplan_defaults.c gives a step its defaults by size,
 * mplan_probes.c places the ceiling probes, mplan_budget.c estimates the steps and shares the
 * budget, mplan_print.c lists the plan for --dry-run. The public API is mplan.h's. */
#ifndef GX_MPLAN_IMPL_H
#define GX_MPLAN_IMPL_H

#include "mplan.h"

struct gx_path_ops;

/* mplan_defaults.c: a group's typical pace (its path's nominal latency and rate on its memory
 * kinds), and one message at that pace. */
struct gx_pace gx_mplan_pace_of(const struct gx_path_ops *ops, int src_kind, int dst_kind);
double gx_mplan_nominal_message_seconds(struct gx_pace pc, size_t bytes);
double gx_mplan_iteration_seconds(struct gx_pace pc, const struct gx_mstep *s);

/* mplan.c: a step's stop rule from its run, a step and a group added to the plan. */
void gx_mplan_set_stop_rule(const struct gx_run_opts *run, struct gx_mstep *s);
int gx_mplan_add_step(struct gx_mplan *p, const struct gx_mstep *s, struct gx_err *err);
int gx_mplan_add_group(struct gx_mplan *p, const struct gx_mgroup *g, struct gx_err *err);

/* mplan_probes.c: each result step's ceiling probes placed just before it. */
int gx_mplan_plan_probes(struct gx_mplan *p, const struct gx_options *o, struct gx_err *err);

/* mplan_budget.c: the estimates of the steps from `first` on, and the time --dry-run counts for
 * a step under the budget bg, *now the plan's clock. */
void gx_mplan_estimate_group(struct gx_mplan *p, struct gx_pace pc, size_t first);
double gx_mplan_step_planned(struct gx_budget *bg, const struct gx_mstep *s, double *now);
/* Step i of p, all its visits: at the least; and the time --dry-run counts for them under bg
 * (gx_mplan_step_planned each; a budget of 0 seconds caps nothing: where they settle). */
double gx_mplan_step_least(const struct gx_mplan *p, size_t i);
void gx_mplan_step_visits_planned(struct gx_budget *bg, const struct gx_mplan *p, size_t i,
                                  double *now);

#endif
