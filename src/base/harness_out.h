/* What the harness hands back when the plan is done (gx_harness_run): how the run stopped, the
 * --soak passes and the time measured; main reads it, the report writes it (run_report.h). */
#ifndef GX_HARNESS_OUT_H
#define GX_HARNESS_OUT_H

struct gx_harness_out {
    /* Every rank stopped at the same result (signal, sticky CUDA error): MPI can be finalized
     * as in any other run. */
    int stopped_together;
    int gpu_lost_rank;     /* the rank whose sticky CUDA error stopped the run, or -1 */
    int signal, signal_rank; /* the signal that stopped every rank, and the rank that got it */
    /* --soak */
    long rotations;        /* complete passes over the runs */
    double soak_s;         /* seconds from the first measurement to the end of the last pass */
    double measured_s;     /* seconds from the first step to the end of the last */
    double setup_s;        /* seconds this rank set groups' buffers up and down, outside steps */
    long past_share;       /* steps of this rank that took longer than their share of the
                              budget (their fewest iterations, or a batch, outlasted it) */
};

#endif
