#include "wrap.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A note's line ("# ...") goes on as a note, two columns in; a message's ("gpuxfer: ...") two
 * columns in. */
static void wrap_line(FILE *f, const char *line, size_t len)
{
    size_t hash = line[0] == '#', indent = hash;
    while (indent < len && line[indent] == ' ')
        indent++;
    size_t cont = indent + 2;
    size_t col = 0, start = 0;
    while (len - start + col > GX_TABLE_COLUMNS) {
        size_t room = GX_TABLE_COLUMNS - col, cut = 0;
        for (size_t i = start + 1; i <= start + room && i < len; i++)
            if (line[i] == ' ' && (col > 0 || i > indent))
                cut = i;
        if (!cut) /* a word longer than the line: up to the next space */
            for (size_t i = start + room; i < len && !cut; i++)
                if (line[i] == ' ')
                    cut = i;
        if (!cut)
            break;
        fprintf(f, "%.*s\n%s%*s", (int)(cut - start), line + start, hash ? "#" : "",
                (int)(cont - hash), "");
        col = cont;
        start = cut;
        while (start < len && line[start] == ' ')
            start++;
    }
    fprintf(f, "%.*s\n", (int)(len - start), line + start);
}

void gx_print_note(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[512], *text = small;
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof small) {
        text = malloc((size_t)n + 1);
        if (!text)
            return;
        va_start(ap, fmt);
        vsnprintf(text, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len == 0)
            fputc('\n', f);
        else
            wrap_line(f, p, len);
        p += len + (nl ? 1 : 0);
    }
    if (text != small)
        free(text);
}
