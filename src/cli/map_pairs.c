/* One pair per kind of link: bibw of every pair would double the map, telling nothing new. */
#include "config.h"
#include "option_table.h"

#include "job.h"
#include "topo.h"

#include <stdlib.h>
#include <string.h>

#define KIND_LEN 16 /* struct gx_topo_link.link */
/* NV# counts apart, PIX .. SYS: a node has a few. */
#define GX_MAP_KINDS 16

int gx_map_bibw_pairs(const struct gx_job *job, char *out, size_t len, struct gx_err *err)
{
    int n = job->size;
    out[0] = '\0';
    /* "" where none: no GPU, another node. */
    char(*row)[KIND_LEN] = calloc((size_t)n, KIND_LEN);
    char(*all)[KIND_LEN] = job->rank == 0 ? calloc((size_t)n * (size_t)n, KIND_LEN) : NULL;
    int rc = row && (job->rank != 0 || all) ? GX_OK
                                             : gx_fail(err, GX_ERUNTIME, "out of host memory");
    const struct gx_topo_rank *t = job->topo;
    for (int i = 0; rc == GX_OK && t && i < t->nlinks; i++)
        if (t->links[i].rank >= 0 && t->links[i].rank < n)
            snprintf(row[t->links[i].rank], KIND_LEN, "%s", t->links[i].link);
    rc = gx_agree(job->comm, rc, err);
    int mrc = MPI_SUCCESS;
    if (rc == GX_OK && (mrc = MPI_Gather(row, n * KIND_LEN, MPI_CHAR, all, n * KIND_LEN, MPI_CHAR,
                                         0, job->comm)) != MPI_SUCCESS)
        rc = gx_fail_mpi(err, mrc, "MPI_Gather(the map's links)", __FILE__, __LINE__);
    /* The same GPU (X) and an unknown link (?) are no kind of link between GPUs. */
    char kinds[GX_MAP_KINDS][KIND_LEN];
    int nkinds = 0;
    for (int a = 0; rc == GX_OK && job->rank == 0 && a < n; a++)
        for (int b = a + 1; b < n && nkinds < GX_MAP_KINDS; b++) {
            const char *kind = all[(size_t)a * (size_t)n + (size_t)b];
            int seen = !kind[0] || !strcmp(kind, "X") || !strcmp(kind, "?");
            for (int k = 0; k < nkinds && !seen; k++)
                seen = !strcmp(kinds[k], kind);
            size_t used = strlen(out);
            if (seen || used + 24 >= len)
                continue;
            snprintf(kinds[nkinds++], KIND_LEN, "%s", kind);
            snprintf(out + used, len - used, "%s%d:%d", used ? "," : "", a, b);
        }
    free(row);
    free(all);
    if (rc == GX_OK && (mrc = MPI_Bcast(out, (int)len, MPI_CHAR, 0, job->comm)) != MPI_SUCCESS)
        rc = gx_fail_mpi(err, mrc, "MPI_Bcast(the map's pairs)", __FILE__, __LINE__);
    return rc;
}
