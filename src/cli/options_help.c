/* --help, --help-all, --list and docs/options.md's table from the tables: the man page is
 * --help-all's text, the bash completion --list's. */
#include "config.h"
#include "option_table.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "scenario_find.h"
#include "scheme.h"

#include <stdio.h>
#include <string.h>

#ifndef GX_PKGDATADIR /* a build of the parsers alone (tests/fuzz.sh) */
#define GX_PKGDATADIR "PREFIX/share/gpuxfer"
#endif

static const char help_usage[] = "mpirun -np N gpuxfer [OPTION]...";
static const char help_summary[] =
    "Measures how fast data moves between the ranks' GPUs and hosts, over every path.";
static const struct {
    const char *command, *what;
} help_examples[] = {
    {"mpirun -np 2 gpuxfer", "the default run"},
    {"mpirun -np 2 gpuxfer --dry-run", "the plan and its time, no run"},
    {"mpirun -np 2 gpuxfer --scenario plan", "a transfer plan, quickly"},
    {"mpirun -np 2 gpuxfer --path host --sizes 1:1M", "host memory, 1 B to 1 MiB"},
    {"mpirun -np 8 gpuxfer --pairs all --pattern bw", "every pair: a bw matrix"},
    {"mpirun -np 4 gpuxfer --pairs job --path nccl", "collectives, in busbw"},
    {NULL, NULL},
};

enum { HELP_WIDTH = 80, HELP_TEXT_COL = 28 };

/* Returns the column it ends at. */
static int wrap(FILE *out, const char *text, int col, int indent)
{
    for (const char *p = text; *p;) {
        while (*p == ' ' || *p == '\n')
            p++;
        size_t len = strcspn(p, " \n");
        if (!len)
            break;
        int at_start = col <= indent;
        if (!at_start && col + 1 + (int)len > HELP_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
            at_start = 1;
        }
        if (!at_start) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, len, out);
        col += (int)len;
        p += len;
    }
    return col;
}

static const char *default_text(const struct gx_option *op)
{
    return op->dflt_says ? op->dflt_says : op->dflt ? op->dflt : "";
}

static const char *alias_text(const struct gx_option *op, char *buf, size_t len)
{
    if (!op->alias)
        return "";
    snprintf(buf, len, "--%s, its old name, is accepted too", op->alias);
    return buf;
}

static void option_line(FILE *out, const struct gx_option *op, int all)
{
    char left[64], letter[8] = "";
    if (op->short_name)
        snprintf(letter, sizeof letter, "-%c, ", op->short_name);
    snprintf(left, sizeof left, "%s--%s%s%s", letter, op->name, op->arg ? " " : "",
             op->arg ? op->arg : "");
    int col = fprintf(out, "  %s", left);
    if (col + 2 > HELP_TEXT_COL) { /* too long for the column: the text on the next line */
        fputc('\n', out);
        col = 0;
    }
    fprintf(out, "%*s", HELP_TEXT_COL - col, "");
    col = wrap(out, op->help, HELP_TEXT_COL, HELP_TEXT_COL);
    const char *d = default_text(op);
    if (d[0]) {
        char said[256];
        snprintf(said, sizeof said, "(default: %s)", d);
        col = wrap(out, said, col, HELP_TEXT_COL);
    }
    char old[96], said_old[128];
    if (alias_text(op, old, sizeof old)[0]) {
        snprintf(said_old, sizeof said_old, "(%s)", old);
        col = wrap(out, said_old, col, HELP_TEXT_COL);
    }
    if (all && op->more) {
        fprintf(out, "\n%*s", HELP_TEXT_COL, "");
        wrap(out, op->more, HELP_TEXT_COL, HELP_TEXT_COL);
    }
    fputc('\n', out);
}

/* A name in the left column, its text wrapped in the right one. */
static void term(FILE *out, const char *name, const char *what)
{
    fprintf(out, "  %-*s", HELP_TEXT_COL - 2, name);
    wrap(out, what, HELP_TEXT_COL, HELP_TEXT_COL);
    fputc('\n', out);
}

static void name_list(FILE *out, const char *title, const char *names)
{
    wrap(out, names, fprintf(out, "%s:", title), 2);
    fputc('\n', out);
}

/* What a scenario's runs, and its top level, may hold: the options themselves. */
static void scenario_keys(FILE *out)
{
    char keys[1024] = "", top[256] = "";
    for (const struct gx_option *op = gx_option_table; op->name; op++) {
        if (op->per_run)
            gx_list_add(keys, sizeof keys, ", ", op->name);
        if (gx_option_scenario_top(op))
            gx_list_add(top, sizeof top, ", ", op->name);
    }
    name_list(out, "Scenario keys of a run (the command line overrides them)", keys);
    name_list(out, "Scenario keys of the top level", top);
}

static void environment_and_files(FILE *out)
{
    static const char *const env[][2] = {
        {"GPUXFER_SCENARIO_PATH", "colon-separated folders searched for --scenario NAME before "
         "any other"},
        {"GPUXFER_TOPOLOGY_XML", "as --topology-xml"},
        {"UCX_PROTO_INFO=y", "exported to the ranks where UCX carries MPI's messages: the "
         "report's library_protocols and a table section name the protocol and transports UCX "
         "chose for each mpi result of rank 0 (UCX's log goes to a file of each rank's own, "
         "UCX_LOG_FILE, unless set; UCX 1.13 needs UCX_PROTO_ENABLE=y too)"},
    };
    fprintf(out, "\nEnvironment:\n");
    for (size_t i = 0; i < sizeof env / sizeof env[0]; i++)
        term(out, env[i][0], env[i][1]);
    name_list(out, "Files, in " GX_PKGDATADIR, "scenarios/*.json, the report's schema "
              "gpuxfer-report.schema.json, the Slurm templates slurm/*.sbatch and their examples, "
              "and gxreport/, the package of gpuxfer-report");
}

void gx_options_help(FILE *out, int all)
{
    fprintf(out, "Usage: %s\n%s\n", help_usage, help_summary);
    for (int g = 0; g < GX_G_COUNT; g++) {
        if (g >= GX_G_FIRST_HIDDEN && !all)
            continue;
        fprintf(out, "\n%s:\n", gx_opt_group_title[g]);
        for (const struct gx_option *op = gx_option_table; op->name; op++)
            if ((int)op->group == g)
                option_line(out, op, all);
    }
    char names[1024] = "";
    fputc('\n', out);
    if (all) {
        fprintf(out, "Paths (--path):\n");
        for (int i = 0; i < gx_path_count; i++)
            term(out, gx_paths[i].name,
                 gx_paths[i].ops ? gx_paths[i].ops->what : gx_paths[i].absent_why);
        fprintf(out, "Patterns (--pattern):\n");
        for (int i = 0; i < gx_pattern_count; i++)
            term(out, gx_pattern_table[i]->name, gx_pattern_table[i]->what);
        fprintf(out, "Pairs (--pairs):\n");
        for (int i = 0; gx_schemes[i]; i++)
            term(out, gx_schemes[i]->name ? gx_schemes[i]->name : "A:B[,C:D...]",
                 gx_schemes[i]->what);
    } else {
        for (int i = 0; i < gx_path_count; i++)
            gx_list_add(names, sizeof names, ", ", gx_paths[i].name);
        name_list(out, "Paths (--path; --help-all says what each does)", names);
        name_list(out, "Pair keywords (--pairs)", gx_scheme_keywords());
        name_list(out, "Collectives (--pattern, with --pairs job or node; each also -inplace)",
                  gx_pattern_names(names, sizeof names, ", ", 1, 0));
    }
    gx_scenario_names_joined(names, sizeof names, "none found (--scenario FILE takes a file)");
    name_list(out, "Scenarios (--scenario NAME)", names);
    if (all)
        scenario_keys(out);
    fprintf(out, "\nExamples:\n");
    for (size_t i = 0; help_examples[i].command; i++)
        fprintf(out, "  %-46s # %s\n", help_examples[i].command, help_examples[i].what);
    fputc('\n', out);
    int col = wrap(out, gx_exit_status_text(), 0, 0);
    if (all) {
        wrap(out, gx_exit_report_text(), col, 0);
        fputs("\n\n", out);
        wrap(out, gx_exit_launcher_text(), 0, 0);
    }
    fputc('\n', out);
    if (all)
        environment_and_files(out);
    else
        fprintf(out, "\nEvery option's details: gpuxfer --help-all, or man gpuxfer.\n");
}

/* A table cell's text: a bare "|" would end the cell, a "<" outside code start HTML. */
static void md_cell(FILE *out, const char *text, const char *quote)
{
    fputs(quote, out);
    for (; *text; text++) {
        if (*text == '|' || (*text == '<' && !quote[0]))
            fputc('\\', out);
        fputc(*text, out);
    }
    fputs(quote, out);
}

void gx_options_markdown(FILE *out)
{
    fputs("| option | default | meaning |\n|---|---|---|\n", out);
    for (const struct gx_option *op = gx_option_table; op->name; op++) {
        char left[64], old[96];
        fputs("| ", out);
        if (op->short_name)
            fprintf(out, "`-%c`, ", op->short_name);
        snprintf(left, sizeof left, "--%s%s%s", op->name, op->arg ? " " : "",
                 op->arg ? op->arg : "");
        md_cell(out, left, "`");
        fputs(" | ", out);
        md_cell(out, default_text(op), op->dflt_says || !op->dflt ? "" : "`");
        fputs(" | ", out);
        md_cell(out, op->help, "");
        if (op->more) {
            fputs(". ", out);
            md_cell(out, op->more, "");
        }
        if (alias_text(op, old, sizeof old)[0]) {
            fputs(" (", out);
            md_cell(out, old, "");
            fputc(')', out);
        }
        fputs(" |\n", out);
    }
}

int gx_options_list(FILE *out, const char *what, struct gx_err *err)
{
    if (strcmp(what, "options") == 0) {
        for (const struct gx_option *op = gx_option_table; op->name; op++)
            if (op->short_name)
                fprintf(out, "-%c%s%s\n", op->short_name, op->arg ? " " : "",
                        op->arg ? op->arg : "");
        for (const struct gx_option *op = gx_option_table; op->name; op++)
            fprintf(out, "--%s%s%s\n", op->name, op->arg ? " " : "", op->arg ? op->arg : "");
    } else if (strcmp(what, "paths") == 0) {
        for (int i = 0; i < gx_path_count; i++)
            fprintf(out, "%s\n", gx_paths[i].name);
    } else if (strcmp(what, "patterns") == 0) {
        for (int i = 0; i < gx_pattern_count; i++)
            fprintf(out, "%s\n", gx_pattern_table[i]->name);
    } else if (strcmp(what, "pairs") == 0) {
        for (int i = 0; gx_schemes[i]; i++)
            fprintf(out, "%s\n", gx_schemes[i]->name ? gx_schemes[i]->name : "0:1");
    } else if (strcmp(what, "mem") == 0) {
        for (int k = 0; k < GX_MEM_COUNT; k++)
            fprintf(out, "%s\n", gx_mem_name(k));
    } else if (strcmp(what, "scenarios") == 0) {
        static char names[GX_SCENARIO_NAMES_MAX][GX_SCENARIO_NAME_LEN];
        size_t n = gx_scenario_names(names, GX_SCENARIO_NAMES_MAX);
        for (size_t i = 0; i < n; i++)
            fprintf(out, "%s\n", names[i]);
    } else {
        return gx_fail(err, GX_EINPUT, "--list: unknown list '%s' (expected options, paths, "
                       "patterns, pairs, mem or scenarios)", what);
    }
    return GX_OK;
}
