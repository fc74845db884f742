#ifndef GX_HARNESS_OUT_H
#define GX_HARNESS_OUT_H

struct gx_harness_out {
    int stopped_together;  /* at the same result (a signal, a sticky CUDA error): finalize */
    int gpu_lost_rank;     /* the rank whose sticky CUDA error stopped the run, or -1 */
    int signal, signal_rank; /* the signal that stopped every rank, and the rank that got it */
    long rotations;        /* complete passes over the runs */
    double soak_s;         /* seconds from the first measurement to the end of the last pass */
    double measured_s;     /* seconds from the first step to the end of the last */
    double setup_s;        /* seconds this rank set groups' buffers up and down, outside steps */
    long past_share;       /* steps of this rank that took longer than their budget share */
};

#endif
