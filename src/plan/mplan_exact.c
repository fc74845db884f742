/* --dry-run: per run, so that a plan near its budget shows what takes it. */
#include "config.h"
#include "mplan.h"

#include "wrap.h"

#include <string.h>

static double exact_seconds(const struct gx_mplan *p, const struct gx_options *o, double *secs,
                            long *results)
{
    double all = 0;
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        if (gr->absent || gr->run < 0 || gr->run >= o->nruns || o->runs[gr->run].iters <= 0)
            continue;
        double t = gx_mgroup_setup_all(p, gr);
        for (size_t i = gr->first; i < gr->first + gr->n; i++)
            t += gx_mstep_paced_seconds(&p->steps[i]); /* no stop rule ends it sooner */
        secs[gr->run] += t;
        all += t;
        if (gr->probe < 0 || gr->own) /* a ceiling probe's steps are no results */
            results[gr->run] += (long)gr->n * p->pairs[gr->run].rounds[gr->round].npairs;
    }
    return all;
}

double gx_mplan_exact_seconds(const struct gx_mplan *p, const struct gx_options *o)
{
    double secs[GX_MAX_RUNS] = {0};
    long results[GX_MAX_RUNS] = {0};
    return exact_seconds(p, o, secs, results);
}

void gx_mplan_print_exact(FILE *f, const struct gx_mplan *p, const struct gx_options *o)
{
    double secs[GX_MAX_RUNS] = {0};
    long results[GX_MAX_RUNS] = {0};
    int exact = 0;
    for (int r = 0; r < o->nruns && r < GX_MAX_RUNS; r++)
        exact += o->runs[r].iters > 0;
    if (o->g.budget <= 0 || exact == 0 || exact == o->nruns)
        return;
    double all = exact_seconds(p, o, secs, results);
    char list[512] = "";
    for (int r = 0; r < o->nruns; r++) {
        size_t used = strlen(list);
        if (o->runs[r].iters > 0 && used + 80 < sizeof list)
            snprintf(list + used, sizeof list - used, "%s%s (%ld result%s) %.1f s",
                     used ? ", " : "", o->runs[r].name[0] ? o->runs[r].name : "unnamed",
                     results[r], results[r] == 1 ? "" : "s", secs[r]);
    }
    gx_print_note(f, "# of the estimate, %.1f s are runs of fixed iterations (--iters, the map's), "
                  "which the budget does not shorten: %s\n", all, list);
}
