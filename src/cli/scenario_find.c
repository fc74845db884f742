/* --scenario NAME; the search order and why: docs/options.md ("Scenario files"). */
#define _GNU_SOURCE 1 /* program_invocation_name: argv[0] where /proc/self/exe cannot be read */
#include "config.h"
#include "scenario_find.h"

#include "file_util.h"
#include "input.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef GX_BINDIR
#define GX_BINDIR NULL
#endif
#ifndef GX_ABS_SRCDIR
#define GX_ABS_SRCDIR NULL
#endif
#ifndef GX_PKGDATADIR /* a build of the parsers alone (tests/fuzz.sh) */
#define GX_PKGDATADIR NULL
#endif

/* A regular file only: a FIFO or a device given as a scenario would block every rank. */
static FILE *open_regular(const char *path)
{
    int fd = gx_open_regular(path);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f && fd >= 0)
        close(fd);
    return f;
}

static const char *next_component(const char **p, size_t *clen)
{
    while (**p == '/')
        (*p)++;
    if (!**p)
        return NULL;
    const char *c = *p;
    *clen = strcspn(c, "/");
    *p += *clen;
    return c;
}

/* sep: a '/' first. -1 when out cannot hold it. */
static int append_part(char *out, size_t len, size_t *used, int sep, const char *c, size_t clen)
{
    if (*used + (sep ? 1 : 0) + clen + 1 > len)
        return -1;
    if (sep)
        out[(*used)++] = '/';
    memcpy(out + *used, c, clen);
    *used += clen;
    return 0;
}

static int normalize(const char *in, char *out, size_t len)
{
    if (!in || in[0] != '/' || len < 2)
        return -1;
    size_t used = 0;
    const char *p = in, *c;
    size_t clen;
    while ((c = next_component(&p, &clen))) {
        if (clen == 1 && c[0] == '.')
            continue;
        if (clen == 2 && c[0] == '.' && c[1] == '.') {
            while (used > 0 && out[used - 1] != '/')
                used--;
            if (used > 0)
                used--; /* the '/' before the component removed */
            continue;
        }
        if (append_part(out, len, &used, 1, c, clen))
            return -1;
    }
    if (used == 0)
        out[used++] = '/';
    out[used] = '\0';
    return 0;
}

int gx_relative_path(const char *from, const char *to, char *out, size_t len)
{
    char f[PATH_MAX], t[PATH_MAX];
    if (normalize(from, f, sizeof f) || normalize(to, t, sizeof t) || len < 2)
        return -1;
    const char *pf = f, *pt = t, *cf, *ct;
    size_t lf = 0, lt = 0;
    for (;;) {
        const char *sf = pf, *st = pt;
        cf = next_component(&pf, &lf);
        ct = next_component(&pt, &lt);
        if (!cf || !ct || lf != lt || memcmp(cf, ct, lf) != 0) {
            pf = sf;
            pt = st;
            break;
        }
    }
    size_t used = 0;
    out[0] = '\0';
    while ((cf = next_component(&pf, &lf)))
        if (append_part(out, len, &used, used > 0, "..", 2))
            return -1;
    while ((ct = next_component(&pt, &lt)))
        if (append_part(out, len, &used, used > 0, ct, lt))
            return -1;
    if (used == 0)
        out[used++] = '.';
    out[used] = '\0';
    return 0;
}

int gx_resolve_argv0(const char *argv0, const char *path, char *out, size_t len)
{
    char buf[PATH_MAX];
    if (!argv0 || !*argv0 || len < PATH_MAX)
        return -1;
    if (strchr(argv0, '/'))
        return realpath(argv0, out) ? 0 : -1;
    for (const char *d = path; d && *d;) {
        size_t dlen = strcspn(d, ":");
        /* An empty entry is the current folder, as for execvp. */
        int n = dlen ? snprintf(buf, sizeof buf, "%.*s/%s", (int)dlen, d, argv0)
                     : snprintf(buf, sizeof buf, "./%s", argv0);
        struct stat st;
        if (n > 0 && n < (int)sizeof buf && stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
            access(buf, X_OK) == 0 && realpath(buf, out))
            return 0;
        d += dlen + (d[dlen] == ':');
    }
    return -1;
}

int gx_program_path(char *out, size_t len)
{
    char buf[PATH_MAX];
    if (len < PATH_MAX)
        return -1;
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0 && buf[0] == '/') {
        buf[n] = '\0';
        /* The program file was replaced or removed while it runs: its folder is still right. */
        static const char deleted[] = " (deleted)";
        size_t dl = sizeof deleted - 1;
        if ((size_t)n > dl && strcmp(buf + n - dl, deleted) == 0)
            buf[n - dl] = '\0';
        memcpy(out, buf, strlen(buf) + 1);
        return 0;
    }
#ifdef __linux__
    return gx_resolve_argv0(program_invocation_name, getenv("PATH"), out, len);
#else
    return -1;
#endif
}

/* Unless listed already: the same text, or the same folder by device and inode. */
static void add_dir(struct gx_scenario_dirs *d, const char *dir, size_t dirlen)
{
    char raw[1024], norm[1024];
    if (d->n >= GX_SCENARIO_DIRS_MAX || dirlen == 0 || dirlen >= sizeof raw)
        return;
    memcpy(raw, dir, dirlen);
    raw[dirlen] = '\0';
    const char *use = raw[0] == '/' && normalize(raw, norm, sizeof norm) == 0 ? norm : raw;
    struct stat a, b;
    int have_a = stat(use, &a) == 0;
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->dir[i], use) == 0 ||
            (have_a && stat(d->dir[i], &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino))
            return;
    memcpy(d->dir[d->n++], use, strlen(use) + 1);
}

static void add_joined(struct gx_scenario_dirs *d, const char *a, const char *b, const char *c)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s/%s%s", a, b, c);
    if (n > 0 && n < (int)sizeof buf)
        add_dir(d, buf, (size_t)n);
}

void gx_scenario_dirs(const struct gx_scenario_where *w, struct gx_scenario_dirs *d)
{
    d->n = 0;
    for (const char *p = w->env_path; p && *p;) {
        size_t len = strcspn(p, ":");
        add_dir(d, p, len);
        p += len + (p[len] == ':');
    }
    char exedir[PATH_MAX], top[PATH_MAX], rel[PATH_MAX], probe[PATH_MAX + 32];
    const char *slash = w->exe && w->exe[0] == '/' ? strrchr(w->exe, '/') : NULL;
    if (slash && (size_t)(slash - w->exe) < sizeof exedir) {
        size_t l = (size_t)(slash - w->exe);
        memcpy(exedir, w->exe, l);
        exedir[l] = '\0';
        snprintf(probe, sizeof probe, "%s/..", l ? exedir : "");
        struct stat st;
        if (normalize(probe, top, sizeof top) == 0 &&
            snprintf(probe, sizeof probe, "%s/config.status", top) < (int)sizeof probe &&
            stat(probe, &st) == 0 && S_ISREG(st.st_mode)) {
            /* The build tree's own scenarios/, where it has one or no srcdir is known. */
            char own[PATH_MAX + 16];
            snprintf(own, sizeof own, "%s/scenarios", strcmp(top, "/") ? top : "");
            if ((stat(own, &st) == 0 && S_ISDIR(st.st_mode)) || !w->srcdir || w->srcdir[0] != '/')
                add_dir(d, own, strlen(own));
            /* Its real path: a ".." after a symbolic link is not folded away by its text. */
            char srcreal[PATH_MAX];
            if (w->srcdir && w->srcdir[0] == '/')
                add_joined(d, realpath(w->srcdir, srcreal) ? srcreal : w->srcdir, "scenarios", "");
        } else if (w->bindir && w->pkgdatadir &&
                   gx_relative_path(w->bindir, w->pkgdatadir, rel, sizeof rel) == 0) {
            add_joined(d, l ? exedir : "", rel, "/scenarios");
        }
    }
    if (w->pkgdatadir && w->pkgdatadir[0] == '/')
        add_joined(d, w->pkgdatadir, "scenarios", "");
}

static void found_at(const char *path, char *found, size_t len)
{
    char real[PATH_MAX];
    if (found && len)
        snprintf(found, len, "%s", realpath(path, real) ? real : path);
}

static FILE *open_in(const char *dir, const char *name, char *found, size_t len)
{
    static const char *const suffixes[] = {"", ".json"};
    for (size_t i = 0; i < GX_ARRAY_LEN(suffixes); i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s%s", dir, name, suffixes[i]) >= (int)sizeof path)
            continue;
        FILE *f = open_regular(path);
        if (f) {
            found_at(path, found, len);
            return f;
        }
    }
    return NULL;
}

/* Rank 0 alone asks: a static table keeps them off the stack. */
static const struct gx_scenario_dirs *this_process_dirs(void)
{
    static struct gx_scenario_dirs d;
    char exe[PATH_MAX];
    struct gx_scenario_where w = {
        .env_path = getenv("GPUXFER_SCENARIO_PATH"),
        .exe = gx_program_path(exe, sizeof exe) == 0 ? exe : NULL,
        .bindir = GX_BINDIR,
        .pkgdatadir = GX_PKGDATADIR,
        .srcdir = GX_ABS_SRCDIR,
    };
    gx_scenario_dirs(&w, &d);
    return &d;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

size_t gx_scenario_names(char names[][GX_SCENARIO_NAME_LEN], size_t max)
{
    const struct gx_scenario_dirs *d = this_process_dirs();
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++) {
        DIR *dir = opendir(d->dir[i]);
        struct dirent *e;
        while (dir && (e = readdir(dir))) {
            size_t len = strlen(e->d_name);
            if (len <= 5 || len - 5 >= GX_SCENARIO_NAME_LEN || e->d_name[0] == '.' ||
                strcmp(e->d_name + len - 5, ".json") != 0)
                continue;
            char name[GX_SCENARIO_NAME_LEN];
            memcpy(name, e->d_name, len - 5);
            name[len - 5] = '\0';
            /* --scenario takes printable text, and --list would print it raw to a terminal. */
            struct gx_err ignored;
            if (gx_input_printable(name, &ignored) != GX_OK)
                continue;
            int seen = 0;
            for (size_t k = 0; k < n && !seen; k++)
                seen = strcmp(names[k], name) == 0;
            if (!seen && n < max)
                memcpy(names[n++], name, len - 4);
        }
        if (dir)
            closedir(dir);
    }
    qsort(names, n, sizeof names[0], by_name);
    return n;
}

void gx_scenario_names_joined(char *buf, size_t len, const char *none)
{
    static char names[GX_SCENARIO_NAMES_MAX][GX_SCENARIO_NAME_LEN];
    size_t n = gx_scenario_names(names, GX_SCENARIO_NAMES_MAX);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        gx_list_add(buf, len, ", ", names[i]);
    if (!n)
        snprintf(buf, len, "%s", none);
}

FILE *gx_scenario_open(const char *name, char *found, size_t len, struct gx_err *err)
{
    FILE *f = open_regular(name);
    struct stat st;
    /* Another user's file in a shared /tmp must not stand in for a shipped one; ./NAME may. */
    if (f && !strchr(name, '/') && fstat(fileno(f), &st) == 0 && st.st_uid != geteuid() &&
        st.st_uid != 0) {
        fclose(f);
        gx_fail(err, GX_EINPUT, "--scenario: '%s' in the current folder belongs to another "
                "user (uid %u): give ./%s to read that file, or run where it is not to read "
                "gpuxfer's scenario of that name", name, (unsigned)st.st_uid, name);
        return NULL;
    }
    if (f) {
        found_at(name, found, len);
        return f;
    }
    int local = errno;
    /* A folder called smoke does not hide the shipped scenario; with a '/' it is a path. */
    if (strchr(name, '/') || (local != ENOENT && local != EINVAL)) {
        gx_fail(err, GX_EINPUT, "--scenario: cannot read '%s': %s", name,
                local == EINVAL ? "not a regular file" : strerror(local));
        return NULL;
    }
    const struct gx_scenario_dirs *d = this_process_dirs();
    char looked[8192] = "";
    for (size_t i = 0; i < d->n; i++) {
        if ((f = open_in(d->dir[i], name, found, len)))
            return f;
        gx_list_add(looked, sizeof looked, ", ", d->dir[i]);
    }
    if (local == EINVAL) {
        gx_fail(err, GX_EINPUT, "--scenario: cannot read '%s': not a regular file (and no "
                "scenario of that name in %s)", name, d->n ? looked : "no folder");
        return NULL;
    }
    char known[2048];
    gx_scenario_names_joined(known, sizeof known, "none found");
    gx_fail(err, GX_EINPUT, "--scenario: no scenario '%s' (expected a file, or one of: %s; "
            "looked for %s and %s.json in %s, in that order)", name, known,
            name, name, d->n ? looked : "no folder");
    return NULL;
}
