/* What the MPI library loaded into this process: the shared objects that carry its traffic
 * (Open MPI's components, UCX), and UCX's settings as UCX itself reads them. After MPI_Init an
 * Open MPI component that was not selected is closed and unloaded, so the components still
 * loaded are the ones in use. */
#define _GNU_SOURCE 1 /* dl_iterate_phdr, RTLD_NOLOAD */
#include "config.h"
#include "mpilib.h"

#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scan {
    const char *prefix; /* "mca_pml_": names of the objects whose file name starts so */
    cJSON *names;
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
    if (s->names) {
        size_t len = strcspn(base + n, ".");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), base + n);
        cJSON_AddItemToArray(s->names, cJSON_CreateString(name));
    }
    return 0;
}

cJSON *gx_mpilib_loaded(const char *prefix, char *path, size_t len)
{
    struct scan s = {.prefix = prefix, .names = cJSON_CreateArray()};
    dl_iterate_phdr(visit, &s);
    if (path)
        snprintf(path, len, "%s", s.path);
    return s.names;
}

/* The value of one setting in ucp_config_print's text ("UCX_TLS=all\n"). */
static void setting(const char *text, const char *name, cJSON *out)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s=", name);
    const char *at = strstr(text, key);
    if (at) {
        at += strlen(key);
        char *v = strndup(at, strcspn(at, "\n"));
        if (v)
            cJSON_AddStringToObject(out, name, v);
        free(v);
    }
}

/* UCX's version and the settings that decide which transports carry device buffers, read by
 * the UCX library in this process (environment and defaults together); NULL when no UCX is
 * loaded. Resolved at run time: gpuxfer does not link UCX. */
cJSON *gx_mpilib_ucx_json(void)
{
    char path[512];
    cJSON_Delete(gx_mpilib_loaded("libucp.so", path, sizeof path));
    void *ucp = path[0] ? dlopen(path, RTLD_LAZY | RTLD_NOLOAD) : NULL;
    if (!ucp)
        return NULL;
    const char *(*version)(void) = (const char *(*)(void))dlsym(ucp, "ucp_get_version_string");
    int (*read)(const char *, const char *, void **) =
        (int (*)(const char *, const char *, void **))dlsym(ucp, "ucp_config_read");
    void (*print)(const void *, FILE *, const char *, int) =
        (void (*)(const void *, FILE *, const char *, int))dlsym(ucp, "ucp_config_print");
    void (*release)(void *) = (void (*)(void *))dlsym(ucp, "ucp_config_release");
    cJSON *u = cJSON_CreateObject();
    if (u && version)
        cJSON_AddStringToObject(u, "version", version());
    void *cfg = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *f = NULL;
    /* 0: UCS_OK; 1: UCS_CONFIG_PRINT_CONFIG */
    if (u && read && print && release && read(NULL, NULL, &cfg) == 0 &&
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
    cJSON_AddItemToObject(u, "transport_modules", gx_mpilib_loaded("libuct_", NULL, 0));
    dlclose(ucp);
    return u;
}
