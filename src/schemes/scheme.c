/* The table of pair schemes: adding one is a file and a line here. */
#include "scheme.h"

#include <string.h>

const struct gx_scheme *const gx_schemes[] = {
    &gx_scheme_disjoint, &gx_scheme_all, &gx_scheme_concurrent, &gx_scheme_rails,
    &gx_scheme_nodes, &gx_scheme_intra, &gx_scheme_ring,
    &gx_scheme_list, /* last: whatever is no keyword */
    NULL,
};

const struct gx_scheme *gx_scheme_of(const char *spec)
{
    for (int i = 0; gx_schemes[i]; i++)
        if (!gx_schemes[i]->name || strcmp(gx_schemes[i]->name, spec) == 0)
            return gx_schemes[i];
    return &gx_scheme_list;
}

const char *gx_scheme_keywords(void)
{
    static char words[256];
    if (!words[0])
        for (int i = 0; gx_schemes[i]; i++)
            if (gx_schemes[i]->name)
                gx_list_add(words, sizeof words, ", ", gx_schemes[i]->name);
    return words;
}
