/* --scenario NAME: a file, or a scenario installed with gpuxfer, found by name. */
#include "config.h"
#include "scenario_find.h"

#include "file_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A regular file only: a FIFO or a device given as a scenario would block every rank. */
static FILE *open_regular(const char *path)
{
    int fd = gx_open_regular(path);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f && fd >= 0)
        close(fd);
    return f;
}

/* Tries DIR/NAME and DIR/NAME.json; appends DIR to `looked` for the error message. */
static FILE *open_in(const char *dir, size_t dirlen, const char *name, char *looked,
                     size_t looklen)
{
    static const char *const suffixes[] = {"", ".json"};
    for (size_t i = 0; i < GX_ARRAY_LEN(suffixes); i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%.*s/%s%s", (int)dirlen, dir, name, suffixes[i]) >=
            (int)sizeof path)
            continue;
        FILE *f = open_regular(path);
        if (f)
            return f;
    }
    size_t used = strlen(looked);
    snprintf(looked + used, looklen - used, "%s%.*s", used ? ", " : "", (int)dirlen, dir);
    return NULL;
}

FILE *gx_scenario_open(const char *name, struct gx_err *err)
{
    FILE *f = open_regular(name);
    if (f)
        return f;
    if (strchr(name, '/') || errno != ENOENT) {
        gx_fail(err, GX_EINPUT, "--scenario: cannot read '%s': %s", name,
                errno == EINVAL ? "not a regular file" : strerror(errno));
        return NULL;
    }
    char looked[8192] = "";
    const char *dirs = getenv("GPUXFER_SCENARIO_PATH");
    for (const char *d = dirs; d && *d;) {
        size_t len = strcspn(d, ":");
        if (len > 0 && (f = open_in(d, len, name, looked, sizeof looked)))
            return f;
        d += len + (d[len] == ':');
    }
    const char *installed = GX_PKGDATADIR "/scenarios";
    if ((f = open_in(installed, strlen(installed), name, looked, sizeof looked)))
        return f;
    gx_fail(err, GX_EINPUT, "--scenario: '%s' is no file here, and no scenario %s or %s.json "
            "in %s (GPUXFER_SCENARIO_PATH adds folders)", name, name, name, looked);
    return NULL;
}
