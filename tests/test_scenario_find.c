/* --scenario NAME: where gpuxfer looks, in which order (src/cli/scenario_find.c). */
#include "scenario_find.h"
#include "sha256.h"
#include "tap.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[PATH_MAX];

static void rel(const char *from, const char *to, const char *want)
{
    char out[PATH_MAX] = "";
    int rc = gx_relative_path(from, to, out, sizeof out);
    ok(want ? rc == 0 && strcmp(out, want) == 0 : rc == -1,
       "relative path %s -> %s: %s (got %d '%s')", from, to, want ? want : "refused", rc, out);
}

static void touch(const char *path, int mode)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("{}\n", f);
        fclose(f);
    }
    chmod(path, (mode_t)mode);
}

static void mkdirs(const char *rel_path)
{
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s'", tmp, rel_path);
    if (system(cmd) != 0)
        fprintf(stderr, "%s failed\n", cmd);
}

/* The folders gx_scenario_dirs gives, joined by " | " and with the temporary folder as T. */
static const char *dirs(const struct gx_scenario_where *w)
{
    static char buf[8192];
    struct gx_scenario_dirs d;
    gx_scenario_dirs(w, &d);
    buf[0] = '\0';
    size_t tl = strlen(tmp);
    for (size_t i = 0; i < d.n; i++) {
        const char *s = d.dir[i];
        size_t used = strlen(buf);
        if (strncmp(s, tmp, tl) == 0)
            snprintf(buf + used, sizeof buf - used, "%sT%s", i ? " | " : "", s + tl);
        else
            snprintf(buf + used, sizeof buf - used, "%s%s", i ? " | " : "", s);
    }
    return buf;
}

static void order(const char *what, const struct gx_scenario_where *w, const char *want)
{
    const char *got = dirs(w);
    ok(strcmp(got, want) == 0, "%s: %s (got %s)", what, want, got);
}

int main(void)
{
    rel("/usr/local/bin", "/usr/local/share/gpuxfer", "../share/gpuxfer");
    rel("/usr/bin", "/usr/share/gpuxfer", "../share/gpuxfer");
    rel("/opt/gx/bin/", "/opt/gx/bin", ".");
    rel("/opt//gx/./bin", "/opt/gx/lib/../share/gpuxfer/", "../share/gpuxfer");
    rel("/a/b", "/", "../..");
    rel("/", "/share/gpuxfer", "share/gpuxfer");
    rel("/home/u/bin", "/sw/gpuxfer/share", "../../../sw/gpuxfer/share");
    rel("bin", "/usr/share", NULL);

    const char *base = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/gx-scenario-find.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmp)) {
        ok(0, "mkdtemp %s", tmp);
        return tap_done();
    }
    char real[PATH_MAX];
    if (realpath(tmp, real)) /* the test compares with real paths */
        memcpy(tmp, real, strlen(real) + 1);

    /* argv[0]: a path as is, else the first executable of that name on PATH. */
    mkdirs("p1");
    mkdirs("p2");
    char p1prog[PATH_MAX + 16], p2prog[PATH_MAX + 16], path[3 * PATH_MAX], out[PATH_MAX];
    snprintf(p1prog, sizeof p1prog, "%s/p1/gxprog", tmp);
    snprintf(p2prog, sizeof p2prog, "%s/p2/gxprog", tmp);
    touch(p1prog, 0644); /* not executable: passed over */
    touch(p2prog, 0755);
    snprintf(path, sizeof path, "/nonexistent::%s/p1:%s/p2", tmp, tmp);
    ok(gx_resolve_argv0("gxprog", path, out, sizeof out) == 0 && strcmp(out, p2prog) == 0,
       "argv[0] without '/': the first executable on PATH (%s)", out);
    ok(gx_resolve_argv0(p1prog, "", out, sizeof out) == 0 && strcmp(out, p1prog) == 0,
       "argv[0] with '/': that file");
    ok(gx_resolve_argv0("gxnone", path, out, sizeof out) == -1, "argv[0] nowhere on PATH: unknown");
    ok(gx_program_path(out, sizeof out) == 0 && strstr(out, "test_scenario_find") && out[0] == '/',
       "this program's own path: %s", out);

    /* The order: GPUXFER_SCENARIO_PATH, then beside the program, then the configured datadir. */
    struct gx_scenario_where w = {
        .env_path = "/e1::/e2/:",
        .bindir = "/usr/local/bin",
        .pkgdatadir = "/usr/local/share/gpuxfer",
        .srcdir = "/src/gpuxfer",
    };
    order("program unknown", &w, "/e1 | /e2 | /usr/local/share/gpuxfer/scenarios");
    w.exe = "/usr/local/bin/gpuxfer";
    order("installed where configured", &w, "/e1 | /e2 | /usr/local/share/gpuxfer/scenarios");
    w.env_path = NULL;
    char exe[PATH_MAX + 64];
    snprintf(exe, sizeof exe, "%s/moved/bin/gpuxfer", tmp);
    w.exe = exe;
    order("an install moved (or staged with DESTDIR)", &w,
          "T/moved/share/gpuxfer/scenarios | /usr/local/share/gpuxfer/scenarios");
    w.bindir = "/opt/gx/1.0/bin";
    w.pkgdatadir = "/opt/gx/data/gpuxfer";
    order("bindir and datadir apart (T/moved/bin/../../data folded)", &w,
          "T/data/gpuxfer/scenarios | /opt/gx/data/gpuxfer/scenarios");
    w.bindir = "/usr/local/bin";
    w.pkgdatadir = "/usr/local/share/gpuxfer";

    /* A build tree: config.status above the program's folder. */
    mkdirs("build/src");
    char cs[PATH_MAX + 32];
    snprintf(cs, sizeof cs, "%s/build/config.status", tmp);
    touch(cs, 0755);
    snprintf(exe, sizeof exe, "%s/build/src/gpuxfer", tmp);
    w.env_path = "/mine";
    order("VPATH build tree: the source tree's scenarios/", &w,
          "/mine | /src/gpuxfer/scenarios | /usr/local/share/gpuxfer/scenarios");
    w.srcdir = NULL;
    order("build tree, no source tree known: its own scenarios/", &w,
          "/mine | T/build/scenarios | /usr/local/share/gpuxfer/scenarios");
    char srcdir[PATH_MAX + 16];
    snprintf(srcdir, sizeof srcdir, "%s/build/", tmp);
    w.srcdir = srcdir;
    order("build in the source tree: its scenarios/ once", &w,
          "/mine | T/build/scenarios | /usr/local/share/gpuxfer/scenarios");
    /* The same folder by another name is listed once. */
    mkdirs("build/scenarios");
    char link[PATH_MAX + 16], target[PATH_MAX + 32];
    snprintf(link, sizeof link, "%s/alias", tmp);
    snprintf(target, sizeof target, "%s/build/scenarios", tmp);
    ok(symlink(target, link) == 0, "symlink");
    w.env_path = link;
    order("a folder reached twice (a link) is searched once", &w,
          "T/alias | /usr/local/share/gpuxfer/scenarios");

    /* gx_scenario_open: GPUXFER_SCENARIO_PATH first; the error names every folder, in order. */
    mkdirs("mine");
    char mine[PATH_MAX + 32];
    snprintf(mine, sizeof mine, "%s/mine/only-here.json", tmp);
    touch(mine, 0644);
    snprintf(path, sizeof path, "%s/none:%s/mine", tmp, tmp);
    setenv("GPUXFER_SCENARIO_PATH", path, 1);
    struct gx_err err = {0};
    char found[PATH_MAX];
    FILE *f = gx_scenario_open("only-here", found, sizeof found, &err);
    ok(f != NULL && !strcmp(found, mine),
       "a name found in GPUXFER_SCENARIO_PATH's second folder, named by its real path (%s%s)",
       err.msg, f ? found : "");
    if (f)
        fclose(f);
    /* This test runs from the build tree, so the source tree's scenarios are found (also for a
     * VPATH build: srcdir/scenarios). */
    unsetenv("GPUXFER_SCENARIO_PATH");
    err = (struct gx_err){0};
    f = gx_scenario_open("smoke", NULL, 0, &err);
    ok(f != NULL, "smoke found from the build tree (%s)", err.msg);
    if (f)
        fclose(f);
    setenv("GPUXFER_SCENARIO_PATH", path, 1);
    err = (struct gx_err){0};
    f = gx_scenario_open("nosuch", NULL, 0, &err);
    char want[3 * PATH_MAX];
    snprintf(want, sizeof want, "in %s/none, %s/mine, ", tmp, tmp);
    ok(!f && err.rc == GX_EINPUT && strstr(err.msg, "no scenario 'nosuch'") &&
           strstr(err.msg, "looked for nosuch and nosuch.json") && strstr(err.msg, want) &&
           strstr(err.msg, GX_PKGDATADIR "/scenarios, in that order"),
       "an unknown name: every folder in the error, GPUXFER_SCENARIO_PATH's first (%s)", err.msg);
    ok(!f && strstr(err.msg, "one of: ") && strstr(err.msg, "only-here, ") &&
           strstr(err.msg, "smoke"),
       "an unknown name: the error lists the scenarios there are, the user's and the shipped");
    if (f)
        fclose(f);
    /* A file whose name holds an escape sequence is no scenario --scenario could name: never
     * listed (--help and --list print the list to a terminal). */
    char evil[PATH_MAX + 32];
    snprintf(evil, sizeof evil, "%s/mine/ev\033]0;T\007il.json", tmp);
    touch(evil, 0644);
    static char names[GX_SCENARIO_NAMES_MAX][GX_SCENARIO_NAME_LEN];
    size_t nn = gx_scenario_names(names, GX_SCENARIO_NAMES_MAX);
    int listed = 0, raw = 0;
    for (size_t i = 0; i < nn; i++) {
        listed += !strcmp(names[i], "only-here");
        raw += strchr(names[i], '\033') != NULL;
    }
    ok(listed == 1 && raw == 0, "a scenario file named with an escape sequence is not listed (%zu "
       "names)", nn);
    unlink(evil);
    err = (struct gx_err){0};
    f = gx_scenario_open("./nosuch", NULL, 0, &err);
    ok(!f && strstr(err.msg, "cannot read './nosuch'"), "a path with '/' is used as is (%s)",
       err.msg);
    if (f)
        fclose(f);

    /* A bare name that is another user's file in the current folder is refused; as a path
     * (./NAME) it is read. */
    char here[PATH_MAX + 32], cwd[PATH_MAX];
    snprintf(here, sizeof here, "%s/mine/theirs", tmp);
    touch(here, 0644);
    if (getcwd(cwd, sizeof cwd) && chdir(tmp) == 0 && chdir("mine") == 0 &&
        chown("theirs", 65534, 65534) == 0) {
        err = (struct gx_err){0};
        f = gx_scenario_open("theirs", NULL, 0, &err);
        ok(!f && err.rc == GX_EINPUT && strstr(err.msg, "belongs to another user (uid 65534)") &&
               strstr(err.msg, "give ./theirs"),
           "another user's file of that name here: refused (%s)", err.msg);
        if (f)
            fclose(f);
        err = (struct gx_err){0};
        f = gx_scenario_open("./theirs", found, sizeof found, &err);
        ok(f && !strcmp(found, here), "./theirs: read, named %s (%s)", f ? found : "-", err.msg);
        if (f)
            fclose(f);
    } else {
        skip("another user's file: chown needs root");
        skip("another user's file as ./NAME: chown needs root");
    }
    if (cwd[0] && chdir(cwd) != 0)
        fprintf(stderr, "chdir %s failed\n", cwd);

    /* The SHA-256 a report names the file by (FIPS 180-4's examples; two blocks of padding). */
    char hex[GX_SHA256_HEX];
    gx_sha256_hex("abc", 3, hex);
    ok(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
       "sha256(abc) %s", hex);
    gx_sha256_hex("", 0, hex);
    ok(!strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
       "sha256 of nothing %s", hex);
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    gx_sha256_hex(two, strlen(two), hex);
    ok(!strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
       "sha256 of 56 bytes (the length in a second block) %s", hex);

    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "%s failed\n", cmd);
    return tap_done();
}
