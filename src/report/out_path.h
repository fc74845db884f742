/* --output: what the named path may be, before anything is measured. */
#ifndef GX_OUT_PATH_H
#define GX_OUT_PATH_H

#include "gx.h"

/* Refuses, naming the path as given, what cannot be a report or must not be replaced: a name
 * ending in '/', a directory, a FIFO or any other file that is not regular (even with --force);
 * without --force an existing report, a symbolic link (dangling or not: the link is replaced,
 * never written through) or the results (.jsonl, .samples.jsonl) of an earlier run beside it.
 * Then creates the missing folders and checks that the folder takes a new file. */
int gx_out_path_check(const char *path, int force, struct gx_err *err);

#endif
