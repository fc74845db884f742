#include "config.h"
#include "report.h"

#include "file_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int gx_json_append_line(int fd, off_t *end, cJSON *o)
{
    char *line = gx_json_repair(o) < 0 ? NULL : cJSON_PrintUnformatted(o);
    if (!line)
        return ENOMEM;
    size_t len = strlen(line);
    line[len] = '\n'; /* over the terminator: the line is written by length */
    int e = gx_append_whole(fd, end, line, len + 1);
    cJSON_free(line);
    return e;
}

int gx_samples_stream(struct gx_report *rep, const struct gx_result *res, struct gx_err *err)
{
    if (!rep->samples_open) {
        rep->samples_fd = open(rep->samples_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                               0666);
        if (rep->samples_fd < 0)
            return gx_fail(err, GX_ERUNTIME, "--samples: cannot write '%s': %s",
                           rep->samples_path, strerror(errno));
        rep->samples_open = 1;
    }
    int ab[2] = {res->a, res->b};
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddNumberToObject(o, "jsonl_line", (double)(rep->streamed + 1));
        cJSON_AddStringToObject(o, "path", res->path);
        cJSON_AddStringToObject(o, "pattern", res->pattern);
        cJSON_AddNumberToObject(o, "size", (double)res->size);
        cJSON_AddItemToObject(o, "ranks", cJSON_CreateIntArray(ab, 2));
        cJSON_AddItemToObject(o, "samples",
                              cJSON_CreateDoubleArray(res->samples, (int)res->nsamples));
    }
    int e = o ? gx_json_append_line(rep->samples_fd, &rep->samples_end, o) : ENOMEM;
    cJSON_Delete(o);
    if (!e && fsync(rep->samples_fd) != 0 && errno != EINVAL)
        e = errno;
    if (e)
        return gx_fail(err, GX_ERUNTIME, "writing '%s': %s", rep->samples_path, strerror(e));
    rep->samples_lines++;
    return GX_OK;
}

void gx_samples_ref(cJSON *o, const struct gx_report *rep, long line, size_t n)
{
    const char *base = strrchr(rep->samples_path, '/');
    cJSON *ref = cJSON_AddObjectToObject(o, "samples_file");
    cJSON_AddStringToObject(ref, "file", base ? base + 1 : rep->samples_path);
    cJSON_AddNumberToObject(ref, "line", (double)line);
    cJSON_AddNumberToObject(ref, "n", (double)n);
}
