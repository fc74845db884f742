/* The measurement plan: what the options expand to, once (groups, steps, candidates), and the
 * progress decision of the table's output. Paths left out of this build count as skipped groups
 * with no steps. */
#include "config.h"
#include "calib_plan.h"
#include "job.h"
#include "mplan.h"
#include "option_table.h"
#include "output.h"
#include "path.h"
#include "tap.h"

#include <string.h>

static struct gx_options o;
static struct gx_mplan plan;
static struct gx_layout layout;

/* Parses `line` and expands it for nranks ranks: GX_OK or the error. */
static int make(const char *line, int nranks)
{
    char buf[1024], *argv[64];
    int argc = 0;
    struct gx_err err = {0};
    snprintf(buf, sizeof buf, "gpuxfer %s", line);
    for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    gx_mplan_free(&plan);
    gx_layout_free(&layout);
    int rc = gx_options_parse(argc, argv, &o, NULL, NULL, &err);
    if (rc == GX_OK)
        rc = gx_layout_make(nranks, NULL, &layout, &err);
    if (rc == GX_OK)
        rc = gx_mplan_make(&o, &layout, &plan, &err);
    if (rc != GX_OK)
        printf("# %s: %s\n", line, err.msg);
    return rc;
}

static int built(const char *path)
{
    int i = gx_path_lookup(path);
    return i >= 0 && gx_paths[i].ops;
}

/* Steps of the groups of one path. */
static size_t steps_of(const char *path)
{
    size_t n = 0;
    for (size_t g = 0; g < plan.ngroups; g++)
        if (plan.groups[g].path == gx_path_lookup(path))
            n += plan.groups[g].n;
    return n;
}

/* The calibration plan of the last make() for 2 ranks, on one node or two. */
static struct gx_cal_plan cal;
static int cal_make(int same_node)
{
    int node_of[2] = {0, same_node ? 0 : 1};
    struct gx_job job = {.size = 2, .node_of = node_of};
    struct gx_err err = {0};
    gx_cal_plan_free(&cal);
    int rc = gx_cal_plan_make(&job, &o, &plan, &cal, &err);
    if (rc != GX_OK)
        printf("# %s\n", err.msg);
    return rc;
}

static int set_is(int set, size_t v)
{
    return cal.sets[set].n == 1 && cal.sets[set].v[0] == v;
}

static const struct gx_mstep *first_step(const char *path, size_t size)
{
    for (size_t g = 0; g < plan.ngroups; g++)
        for (size_t i = 0; plan.groups[g].path == gx_path_lookup(path) && i < plan.groups[g].n;
             i++)
            if (plan.steps[plan.groups[g].first + i].size == size)
                return &plan.steps[plan.groups[g].first + i];
    return NULL;
}

int main(void)
{
    ok(make("--path host --pattern latency,bw --sizes 8,1M", 2) == GX_OK && plan.ngroups == 1 &&
           plan.nsteps == 4 && plan.groups[0].largest == 1u << 20,
       "one path, one round: 2 patterns x 2 sizes = 4 steps");
    const struct gx_mstep *s = &plan.steps[0];
    ok(s->pattern == GX_PAT_LATENCY && s->size == 8 && s->iters == 1000 && s->warmup == 100 &&
           s->window == 1 && plan.steps[2].pattern == GX_PAT_BW && plan.steps[2].window == 256 &&
           plan.steps[3].window == 191,
       "steps in order (pattern, then size) with the size's iterations; latency has no window; "
       "bw at 1M: 191 messages, 20 ms at the host path's 10 GB/s (%ld)", plan.steps[3].window);
    ok(gx_default_window_at(8, 10) == 256 && gx_default_window_at(64u << 20, 1.5) == 4 &&
           gx_default_window_at(1u << 30, 1.5) == 1 && gx_default_window_at(256u << 20, 350) == 27 &&
           gx_default_window_at(1u << 30, 350) == 7 && gx_default_window_at(1u << 20, 50) == 256,
       "default window: at least 256 MiB per iteration (64 messages up to 4M), at least 20 ms at "
       "the path's rate, at most 256 messages");

    ok(make("--path host --pattern bw --sizes 8 --pairs all", 3) == GX_OK && plan.ngroups == 6 &&
           plan.nsteps == 6,
       "--pairs all on 3 ranks: 6 rounds, a group and a step each");

    ok(make("--path host,staged,p2p --pattern bw --sizes 1M,64M --chunk auto --depth 1,2,4", 2) ==
           GX_OK,
       "--chunk auto --depth 1,2,4 expands");
    ok(steps_of("host") == 2 && steps_of("staged") == (built("staged") ? 2u : 0u) &&
           steps_of("p2p") == (built("p2p") ? 2u : 0u),
       "--chunk auto: one step per size, not one per depth (the progress total was 3x too high)");
    s = first_step("staged", 64u << 20);
    if (built("staged"))
        ok(s && s->ncand == 18 && s->cand_chunk[17] == 64u << 20 && s->cand_depth[0] == 1 &&
               s->cand_depth[2] == 4 && s->cand_depth[17] == 4,
           "auto at 64M (a window of 4): 64K..16M and the whole message x depth 1,2,4 (%d)",
           s ? s->ncand : -1);
    else
        ok(1, "# SKIP staged is not built in");

    ok(make("--path staged,p2p,zerocopy --pattern bw --sizes 64M", 2) == GX_OK,
       "defaults on the chunked paths expand");
    if (built("p2p")) {
        s = first_step("p2p", 64u << 20);
        ok(s && s->ncand == 1 && s->chunk == 64u << 20 && s->depth == 1,
           "p2p by default: the whole message as one copy, nothing to search");
        s = first_step("staged", 64u << 20);
        ok(s && s->ncand == 10 && s->cand_depth[0] == 2 && s->cand_depth[1] == 4,
           "staged by default: a short search (%d candidates)", s ? s->ncand : -1);
    } else {
        ok(plan.nsteps == 0 && plan.ngroups == 3 && plan.groups[0].absent,
           "without CUDA: the GPU paths are skipped groups with no steps");
        ok(1, "# SKIP p2p is not built in");
    }

    ok(make("--path host,staged --pattern bw,bibw --sizes 1M --chunk 256K,1M --depth 1,4", 2) ==
           GX_OK && steps_of("host") == 2 && steps_of("staged") == (built("staged") ? 8u : 0u),
       "--chunk LIST --depth LIST: every combination on chunked paths, none on the others");
    s = first_step("staged", 1u << 20);
    ok(!built("staged") || (s && s->ncand == 0 && s->chunk == 256u << 10 && s->depth == 1),
       "given axes: fixed chunk and depth, no candidates");
    ok(make("--path host --pairs 0:5 --sizes 8", 2) == GX_EINPUT, "pairs the job cannot have: input error");

    /* The calibration plans each per-GPU ceiling at the GPU its rule's stage names. */
    struct gx_job job2 = {.size = 2};
    if (built("unified-demand")) {
        ok(make("--path unified-demand --pattern bw --sizes 64M", 2) == GX_OK &&
               cal_make(1) == GX_OK && cal.gpu_need[0] == 0 &&
               cal.gpu_need[1] == GX_CAL_MANAGED && set_is(SET_MANAGED, 64u << 20) &&
               set_is(SET_MPI_UM, 64u << 20) && cal.sets[SET_MPI].n == 0 &&
               cal.sets[SET_MPI_MIG].n == 0 &&
               cal.sets[SET_COPY].n == 0 && cal.sets[SET_MAPPED].n == 0 && cal.npairs == 1 &&
               cal.pairs[0].need == GX_CAL_MPI &&
               gx_cal_plan_tasks(&job2, &cal) == 2,
           "calibration of unified-demand bw: MPI on managed memory at the pair, managed memory "
           "at the receiver's GPU only");
        ok(make("--path unified-demand --pattern bibw --sizes 64M", 2) == GX_OK &&
               cal_make(1) == GX_OK && cal.gpu_need[0] == GX_CAL_MANAGED &&
               cal.gpu_need[1] == GX_CAL_MANAGED && set_is(SET_MPI_UM_BI, 64u << 20),
           "calibration of unified-demand bibw: managed memory at both GPUs, MPI on managed "
           "memory both ways");
        ok(make("--path unified-prefetch --pattern bw --sizes 64M", 2) == GX_OK &&
               cal_make(0) == GX_OK && cal.gpu_need[0] == GX_CAL_MANAGED &&
               cal.gpu_need[1] == GX_CAL_MANAGED && cal.sets[SET_MANAGED].n >= 1 &&
               cal.sets[SET_MPI_MIG].n == cal.sets[SET_MANAGED].n &&
               cal.sets[SET_MPI_UM].n == 0 && cal.sets[SET_MPI].n == 0,
           "calibration of unified-prefetch bw: managed memory at the sender and the receiver, "
           "MPI on just-moved managed pages at the same chunks");
    } else {
        ok(1, "# SKIP unified-demand is not built in");
        ok(1, "# SKIP unified-demand is not built in");
        ok(1, "# SKIP unified-prefetch is not built in");
    }
    if (built("zerocopy")) {
        ok(make("--path zerocopy --pattern bw --sizes 64M", 2) == GX_OK && cal_make(1) == GX_OK &&
               cal.gpu_need[0] == GX_CAL_MAPPED && cal.gpu_need[1] == GX_CAL_MAPPED &&
               cal.sets[SET_MAPPED].n >= 1 &&
               cal.sets[SET_MAPPED].v[cal.sets[SET_MAPPED].n - 1] <= 64u << 20 &&
               cal.npairs == 0 && cal.sets[SET_COPY].n == 0,
           "calibration of zerocopy on one node: mapped host memory at both GPUs at its chunks, "
           "no MPI, no copies");
        ok(cal_make(0) == GX_OK && cal.npairs == 1 && cal.pairs[0].need == GX_CAL_MPI &&
               cal.sets[SET_MPI_PIN].n == cal.sets[SET_MAPPED].n && cal.sets[SET_MPI].n == 0 &&
               !memcmp(cal.sets[SET_MPI_PIN].v, cal.sets[SET_MAPPED].v,
                       cal.sets[SET_MPI_PIN].n * sizeof(size_t)),
           "calibration of zerocopy across nodes: MPI host-to-host on pinned buffers joins at "
           "the same chunks");
    } else {
        ok(1, "# SKIP zerocopy is not built in");
        ok(1, "# SKIP zerocopy is not built in");
    }
    /* MPI on the host buffers the results use: pageable and pinned apart (issue 24). */
    ok(make("--path host --pattern bw,latency --sizes 1M", 2) == GX_OK && cal_make(1) == GX_OK &&
           set_is(SET_MPI, 1u << 20) && cal.sets[SET_LAT].n == 2 &&
           cal.sets[SET_LAT].v[1] == 1u << 20 && cal.sets[SET_MPI_PIN].n == 0 && cal.sets[SET_LAT_PIN].n == 0,
       "calibration of the host path on pageable memory: MPI on pageable buffers, not pinned");
#ifdef HAVE_CUDA
    ok(make("--path host --mem pinned --pattern bw,latency --sizes 1M", 2) == GX_OK &&
           cal_make(1) == GX_OK && set_is(SET_MPI_PIN, 1u << 20) && set_is(SET_LAT_PIN, 1u << 20) &&
           cal.sets[SET_MPI].n == 0,
       "calibration of the host path on pinned memory: MPI on pinned buffers, not pageable");
#else
    ok(1, "# SKIP pinned memory needs CUDA");
#endif
    gx_cal_plan_free(&cal);

    /* Where the progress line goes. */
    ok(gx_progress_decide(0, 0, 1, 1) == GX_PROGRESS_STDERR, "stderr a terminal: there");
    ok(gx_progress_decide(0, 0, 0, 1) == GX_PROGRESS_STDOUT,
       "only stdout a terminal (mpirun forwards stderr through a pipe): stdout");
    ok(gx_progress_decide(0, 0, 0, 0) == GX_PROGRESS_NONE, "a batch log: no progress");
    ok(gx_progress_decide(0, 1, 0, 0) == GX_PROGRESS_LOG, "a log with --progress: lines in it");
    ok(gx_progress_decide(1, 1, 1, 1) == GX_PROGRESS_NONE, "--quiet wins");
    gx_mplan_free(&plan);
    gx_layout_free(&layout);
    return tap_done();
}
