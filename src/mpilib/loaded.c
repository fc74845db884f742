/* What every library's rules share: a rule's answer, and the objects the library loaded. */
#define _GNU_SOURCE 1 /* dl_iterate_phdr */
#include "config.h"
#include "mpilib.h"

#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void gx_mpilib_answer(struct gx_cuda_awareness *out, enum gx_aware aware, const char *fmt, ...)
{
    va_list ap;
    out->aware = aware;
    va_start(ap, fmt);
    vsnprintf(out->why, sizeof out->why, fmt, ap);
    va_end(ap);
}

/* What the MPI library loaded: Open MPI unloads unselected components, so those left are in use. */
struct scan {
    const char *prefix; /* "mca_pml_": names of the objects whose file name starts so */
    struct gx_mpi_names *names; /* NULL: counted only */
    int count;
    char path[512]; /* the first object whose name starts with prefix, for dlopen */
};

static int visit(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct scan *s = arg;
    const char *base = strrchr(info->dlpi_name, '/');
    base = base ? base + 1 : info->dlpi_name;
    size_t n = strlen(s->prefix);
    if (strncmp(base, s->prefix, n) != 0)
        return 0;
    if (!s->path[0])
        snprintf(s->path, sizeof s->path, "%s", info->dlpi_name);
    size_t len = strcspn(base + n, ".");
    len = len < 63 ? len : 63;
    struct gx_mpi_names *to = s->names;
    if (to && (size_t)to->used + len + 1 <= sizeof to->text) {
        memcpy(to->text + to->used, base + n, len);
        to->text[to->used + len] = '\0';
        to->used += (int)len + 1;
        to->n++;
    }
    s->count++;
    return 0;
}

int gx_mpilib_loaded(const char *prefix, struct gx_mpi_names *names, char *path, size_t len)
{
    struct scan s = {.prefix = prefix, .names = names};
    if (names)
        memset(names, 0, sizeof *names);
    dl_iterate_phdr(visit, &s);
    if (path)
        snprintf(path, len, "%s", s.path);
    return s.count;
}

const char *gx_mpi_names_next(const struct gx_mpi_names *n, const char *prev)
{
    const char *next = prev ? prev + strlen(prev) + 1 : n->text;
    return next < n->text + n->used && n->used <= (int)sizeof n->text ? next : NULL;
}
