/* What the plan's files share and nothing else includes; the public API is mplan.h's. */
#ifndef GX_MPLAN_IMPL_H
#define GX_MPLAN_IMPL_H

#include "mplan.h"

struct gx_path_ops;

/* mplan_defaults.c */
struct gx_pace gx_mplan_pace_of(const struct gx_path_ops *ops, int src_kind, int dst_kind);
double gx_mplan_nominal_message_seconds(struct gx_pace pc, size_t bytes);
double gx_mplan_iteration_seconds(struct gx_pace pc, const struct gx_mstep *s);

/* mplan_steps.c */
void gx_mplan_set_stop_rule(const struct gx_run_opts *run, struct gx_mstep *s);
int gx_mplan_add_step(struct gx_mplan *p, const struct gx_mstep *s, struct gx_err *err);
int gx_mplan_add_group(struct gx_mplan *p, const struct gx_mgroup *g, struct gx_err *err);

int gx_mplan_plan_probes(struct gx_mplan *p, const struct gx_options *o, struct gx_err *err);

/* mplan_round.c: a group of one round, its steps (and each value's of a step's --vary) planned. */
int gx_mplan_add_round(struct gx_mplan *p, const struct gx_run_opts *run,
                       const struct gx_path_ops *ops, struct gx_mgroup *g, struct gx_err *err);
/* Why a path's groups cannot run in the run's rounds, or NULL. */
const char *gx_mplan_absent(const struct gx_mplan *p, const struct gx_path_ops *ops,
                            const char *absent, const struct gx_mgroup *g);
/* run with value k of --vary applied (a step's option or a group's). */
void gx_mplan_vary_apply(const struct gx_vary *vary, int k, struct gx_run_opts *run);
/* mplan_vary.c */
/* A run whose --vary is a group's: its groups round by round, the values side by side. */
int gx_mplan_vary_groups(struct gx_mplan *p, const struct gx_options *o, int r,
                         struct gx_err *err);

/* mplan_budget.c; *now is the plan's clock. */
void gx_mplan_estimate_group(struct gx_mplan *p, struct gx_pace pc, size_t first);
/* Step i, all its visits; a budget of 0 seconds caps nothing. */
double gx_mplan_step_least(const struct gx_mplan *p, size_t i);
void gx_mplan_step_visits_planned(struct gx_budget *bg, const struct gx_mplan *p, size_t i,
                                  double *now);

#endif
