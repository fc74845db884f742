/* What the MPI library loaded: Open MPI unloads unselected components, so those left are in use. */
#define _GNU_SOURCE 1 /* dl_iterate_phdr, RTLD_NOLOAD */
#include "config.h"
#include "mpilib.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void setting(const char *text, const char *name, struct gx_ucx_facts *out)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s=", name);
    const char *at = strstr(text, key);
    if (at && out->nsettings < GX_UCX_SETTINGS) {
        at += strlen(key);
        int n = (int)strcspn(at, "\n");
        snprintf(out->settings[out->nsettings].name, sizeof out->settings[0].name, "%s", name);
        snprintf(out->settings[out->nsettings].value, sizeof out->settings[0].value, "%.*s", n,
                 at);
        out->nsettings++;
    }
}

void gx_mpilib_ucx(struct gx_ucx_facts *u)
{
    char path[512];
    memset(u, 0, sizeof *u);
    gx_mpilib_loaded("libucp.so", NULL, path, sizeof path);
    void *ucp = path[0] ? dlopen(path, RTLD_LAZY | RTLD_NOLOAD) : NULL;
    if (!ucp)
        return;
    u->loaded = 1;
    const char *(*version)(void) = (const char *(*)(void))dlsym(ucp, "ucp_get_version_string");
    int (*read)(const char *, const char *, void **) =
        (int (*)(const char *, const char *, void **))dlsym(ucp, "ucp_config_read");
    void (*print)(const void *, FILE *, const char *, int) =
        (void (*)(const void *, FILE *, const char *, int))dlsym(ucp, "ucp_config_print");
    void (*release)(void *) = (void (*)(void *))dlsym(ucp, "ucp_config_release");
    if (version) {
        u->has_version = 1;
        snprintf(u->version, sizeof u->version, "%s", version());
    }
    void *cfg = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *f = NULL;
    /* 0: UCS_OK; 1: UCS_CONFIG_PRINT_CONFIG */
    if (read && print && release && read(NULL, NULL, &cfg) == 0 &&
        (f = open_memstream(&text, &len))) {
        fputc('\n', f);
        print(cfg, f, NULL, 1);
        fclose(f);
        static const char *const names[] = {"UCX_TLS", "UCX_NET_DEVICES", "UCX_MEMTYPE_CACHE",
                                            "UCX_RNDV_THRESH", "UCX_PROTO_ENABLE",
                                            "UCX_RCACHE_ENABLE"};
        for (size_t i = 0; text && i < sizeof names / sizeof *names; i++)
            setting(text, names[i], u);
    }
    if (cfg && release)
        release(cfg);
    free(text);
    gx_mpilib_loaded("libuct_", &u->modules, NULL, 0);
    dlclose(ucp);
}
