/* --scenario NAME: a file, or one shipped with gpuxfer wherever it is installed. */
#ifndef GX_SCENARIO_FIND_H
#define GX_SCENARIO_FIND_H

#include "gx.h"

#include <stdio.h>

/* Also NAME[.json] in gx_scenario_dirs(); another user's file is refused. */
FILE *gx_scenario_open(const char *name, char *found, size_t len, struct gx_err *err);

/* Sorted, once each: for messages and shell completion. */
#define GX_SCENARIO_NAMES_MAX 256
#define GX_SCENARIO_NAME_LEN 64
size_t gx_scenario_names(char names[][GX_SCENARIO_NAME_LEN], size_t max);
/* Them joined by ", " into buf, or none where there are none. */
void gx_scenario_names_joined(char *buf, size_t len, const char *none);

/* In order: $GPUXFER_SCENARIO_PATH (the user's override what gpuxfer ships); the build tree's
 * and srcdir's scenarios/, or pkgdatadir relative to the program (a moved install); then
 * pkgdatadir as configured. Unknown or relative members are left out. */
#define GX_SCENARIO_DIRS_MAX 24
struct gx_scenario_where {
    const char *env_path, *exe, *bindir, *pkgdatadir, *srcdir;
};
struct gx_scenario_dirs {
    size_t n;
    char dir[GX_SCENARIO_DIRS_MAX][1024];
};
void gx_scenario_dirs(const struct gx_scenario_where *w, struct gx_scenario_dirs *d);

/* /proc/self/exe, else argv[0] resolved; -1 when unknown. */
int gx_program_path(char *out, size_t len);
int gx_resolve_argv0(const char *argv0, const char *path, char *out, size_t len);
/* Lexically, both absolute: /usr/local/bin to /usr/local/share/gpuxfer is ../share/gpuxfer. */
int gx_relative_path(const char *from, const char *to, char *out, size_t len);

#endif
