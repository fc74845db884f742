/* Shared by the libFuzzer targets: the input as a NUL-terminated string. */
#ifndef GX_FUZZ_UTIL_H
#define GX_FUZZ_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *fuzz_text(const uint8_t *data, size_t size)
{
    char *t = malloc(size + 1);
    if (t) {
        memcpy(t, data, size);
        t[size] = '\0'; /* embedded NULs just cut the string, as in argv or a file read */
    }
    return t;
}

#endif
