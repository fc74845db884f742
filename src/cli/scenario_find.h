/* --scenario NAME: a scenario file, or the name of one shipped with gpuxfer, found wherever
 * gpuxfer is (its build tree, its installed prefix, a moved or DESTDIR-staged install). */
#ifndef GX_SCENARIO_FIND_H
#define GX_SCENARIO_FIND_H

#include "gx.h"

#include <stdio.h>

/* Opens `name` as a file (a path with a '/' is only ever that). A name without '/' that is no
 * file here is then looked up as NAME or NAME.json in each folder of gx_scenario_dirs() for this
 * process, in order; one that is a file here but another user's (not root's) is refused. NULL
 * and a GX_EINPUT error naming every folder it looked in, in that order, when none opens;
 * found (len bytes, may be NULL) gets the real path of the file opened. */
FILE *gx_scenario_open(const char *name, char *found, size_t len, struct gx_err *err);

/* The scenarios a NAME finds, from every folder below: each *.json's name without .json, once,
 * sorted; at most max. For messages and shell completion. */
#define GX_SCENARIO_NAMES_MAX 256
#define GX_SCENARIO_NAME_LEN 64
size_t gx_scenario_names(char names[][GX_SCENARIO_NAME_LEN], size_t max);

/* The folders a scenario NAME is looked up in, in this order (the same folder only once):
 *  1. each folder of env_path ($GPUXFER_SCENARIO_PATH, colon-separated; empty entries skipped):
 *     what the user names overrides what gpuxfer ships;
 *  2. when the program runs from its build tree (config.status in the folder above the
 *     program's, as for src/gpuxfer): that tree's scenarios/ (a build in the source tree), then
 *     srcdir/scenarios (the source tree configure was run for: a VPATH build);
 *     otherwise, as installed: pkgdatadir/scenarios relative to the program (bindir's path to
 *     pkgdatadir from the folder the program is in), which finds an install moved elsewhere or
 *     staged with DESTDIR;
 *  3. pkgdatadir/scenarios as configured.
 * exe: the program's real path (gx_program_path), NULL when unknown (then 2 is left out);
 * bindir, pkgdatadir, srcdir: as configured, absolute (NULL or relative: left out). */
#define GX_SCENARIO_DIRS_MAX 24
struct gx_scenario_where {
    const char *env_path, *exe, *bindir, *pkgdatadir, *srcdir;
};
struct gx_scenario_dirs {
    size_t n;
    char dir[GX_SCENARIO_DIRS_MAX][1024];
};
void gx_scenario_dirs(const struct gx_scenario_where *w, struct gx_scenario_dirs *d);

/* This process's program, as a real path: /proc/self/exe, else argv[0] resolved (a path with a
 * '/' as is, else the first executable of that name in $PATH's folders). 0, or -1 when unknown. */
int gx_program_path(char *out, size_t len);
/* The argv[0] half of it, for the tests: argv0 resolved against path (PATH's value). */
int gx_resolve_argv0(const char *argv0, const char *path, char *out, size_t len);
/* Lexically: `to` relative to `from` (both absolute; '.', '..' and repeated '/' folded), e.g.
 * /usr/local/bin to /usr/local/share/gpuxfer is ../share/gpuxfer ("." when equal). 0 or -1. */
int gx_relative_path(const char *from, const char *to, char *out, size_t len);

#endif
