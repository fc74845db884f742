/* Scenario files: {"description": "...", "runs": [{"path": "host", "sizes": "1:4M", ...}]}.
 * A run's keys are the per-run command-line options, parsed by the same setters. */
#ifndef GX_SCENARIO_H
#define GX_SCENARIO_H

#include "options.h"

int gx_scenario_load(const char *file, const char *text, struct gx_options *o, struct gx_err *err);

#endif
