/* gx-help --help-all | --markdown: gpuxfer's --help-all, or docs/options.md's table, from the
 * option table without starting MPI: the build makes the man page of it (build-aux/gx-help2man)
 * where MPI_Init may not run. */
#include "config.h"
#include "option_table.h"

#include <string.h>

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help-all") == 0)
        gx_options_help(stdout, 1);
    else if (argc == 2 && strcmp(argv[1], "--markdown") == 0)
        gx_options_markdown(stdout);
    else {
        fputs("usage: gx-help --help-all | --markdown\n", stderr);
        return 2;
    }
    return ferror(stdout) || fflush(stdout) != 0;
}
