/* SHA-256 of a buffer, as lowercase hex: the report names a file it read by it. */
#ifndef GX_SHA256_H
#define GX_SHA256_H

#include <stddef.h>

#define GX_SHA256_HEX 65 /* 64 digits and the NUL */
void gx_sha256_hex(const void *data, size_t len, char out[GX_SHA256_HEX]);

#endif
