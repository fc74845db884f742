/* SHA-256 (FIPS 180-4) of a buffer, as lowercase hex: what a report names a file it read by,
 * so that two runs of "the same" scenario can be told apart (sha256sum prints the same). */
#ifndef GX_SHA256_H
#define GX_SHA256_H

#include <stddef.h>

#define GX_SHA256_HEX 65 /* 64 digits and the NUL */
void gx_sha256_hex(const void *data, size_t len, char out[GX_SHA256_HEX]);

#endif
