/* The option table's setters (o is NULL where a run's defaults are parsed). */
#ifndef GX_OPTIONS_SET_H
#define GX_OPTIONS_SET_H

#include "options.h"

#define GX_OPTION_SETTER(fn)                                                                  \
    int fn(struct gx_options *o, struct gx_run_opts *r, const char *v, struct gx_err *err)

GX_OPTION_SETTER(gx_set_path);
GX_OPTION_SETTER(gx_set_mem);
GX_OPTION_SETTER(gx_set_pattern);
GX_OPTION_SETTER(gx_set_sizes);
GX_OPTION_SETTER(gx_set_pairs);
GX_OPTION_SETTER(gx_set_iters);
GX_OPTION_SETTER(gx_set_warmup);
GX_OPTION_SETTER(gx_set_window);
GX_OPTION_SETTER(gx_set_validate);
GX_OPTION_SETTER(gx_set_chunk);
GX_OPTION_SETTER(gx_set_depth);
GX_OPTION_SETTER(gx_set_ceilings);
GX_OPTION_SETTER(gx_set_name);
GX_OPTION_SETTER(gx_set_output);
GX_OPTION_SETTER(gx_set_table);
GX_OPTION_SETTER(gx_set_scenario);
GX_OPTION_SETTER(gx_set_gpu_map);
GX_OPTION_SETTER(gx_set_format);
GX_OPTION_SETTER(gx_set_bind);
GX_OPTION_SETTER(gx_set_nccl_comm);
GX_OPTION_SETTER(gx_set_topology_xml);
GX_OPTION_SETTER(gx_set_fake_gpus);
GX_OPTION_SETTER(gx_set_timeout);
GX_OPTION_SETTER(gx_set_budget);
GX_OPTION_SETTER(gx_set_precision);
GX_OPTION_SETTER(gx_set_soak);
GX_OPTION_SETTER(gx_set_visits);
GX_OPTION_SETTER(gx_set_map);
GX_OPTION_SETTER(gx_set_help);
GX_OPTION_SETTER(gx_set_slow_pair);
GX_OPTION_SETTER(gx_set_assume_nodes);
GX_OPTION_SETTER(gx_set_assume_per_node);
GX_OPTION_SETTER(gx_set_help_all);
GX_OPTION_SETTER(gx_set_list);
GX_OPTION_SETTER(gx_set_force);
GX_OPTION_SETTER(gx_set_quiet);
GX_OPTION_SETTER(gx_set_wide);
GX_OPTION_SETTER(gx_set_progress);
GX_OPTION_SETTER(gx_set_allow_skip);
GX_OPTION_SETTER(gx_set_fail_on_health);
GX_OPTION_SETTER(gx_set_check);
GX_OPTION_SETTER(gx_set_dry_run);
GX_OPTION_SETTER(gx_set_samples);
GX_OPTION_SETTER(gx_set_assume_cuda_aware);
GX_OPTION_SETTER(gx_set_version);

#endif
