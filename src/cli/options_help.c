/* --help from the option and path tables; the man page (src/cli/mangen.c) uses the same texts. */
#include "config.h"
#include "option_table.h"

#include "path.h"

#include <stdio.h>

/* --help and the man page (src/cli/mangen.c) print these. */
const char gx_help_usage[] = "mpirun -np N gpuxfer [OPTION]...";
const char gx_help_summary[] =
    "Measures how fast data moves between the ranks' GPUs and hosts, over every path.";
const char gx_help_exit_status[] =
    "Exit status: 0 success, 1 corrupted data seen, 2 bad input, 3 run-time failure,\n"
    "4 a measurement timed out, 5 interrupted (SIGINT/SIGTERM), 6 a rank died or stopped "
    "answering,\n7 nothing measured: every measurement was skipped (0 with --allow-skip).\n"
    "On 1 and 4-7 the report holds what was measured (status failed, incomplete, interrupted "
    "or\nnothing_measured); every finished measurement is also in the report's .jsonl.\n";

void gx_options_help(FILE *out)
{
    fprintf(out, "Usage: %s\n%s\n\n", gx_help_usage, gx_help_summary);
    for (const struct gx_option *op = gx_option_table; op->name; op++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", op->name, op->arg ? " " : "", op->arg ? op->arg : "");
        fprintf(out, "  %-26s %s", left, op->help);
        if (op->dflt)
            fprintf(out, " [default: %s]", op->dflt);
        fputc('\n', out);
    }
    fprintf(out, "\nPaths:\n");
    for (int i = 0; i < gx_path_count; i++) {
        const struct gx_path_entry *p = &gx_paths[i];
        fprintf(out, "  %-18s %s\n", p->name, p->ops ? p->ops->what : p->absent_why);
    }
    fprintf(out, "\n%s", gx_help_exit_status);
}
