#ifndef GX_VERSIONS_H
#define GX_VERSIONS_H

#include <stddef.h>
#include <stdio.h>

/* context.build, one key and value at a time: version, source revision and build features. */
void gx_build_each(void (*put)(void *ctx, const char *key, const char *value), void *ctx);
void gx_software_each(void (*put)(void *ctx, const char *key, const char *value), void *ctx);
int gx_mpi_library(char *buf, size_t len);
void gx_version_print(FILE *out);

#endif
