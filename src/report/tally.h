/* What the sink counted of the run's results (sink.c), which the end of the run reads. */
#ifndef GX_TALLY_H
#define GX_TALLY_H

struct gx_tally {
    int results;           /* result rows: measured, skipped or failed */
    int ok;                /* measured */
    int skipped, failed;   /* skipped: rows and whole paths */
    int validation_failed;
    /* What the machine did to the measured ones (noise.h); what the platform's own variation
     * did to the others (varied: marked ^; modes: of those not marked ~, at two speeds). */
    int noisy, few, unsound, exceeded, within;
    int varied, modes, worst;
    double cpu_wait_max;   /* share of a step; <0 unknown */
    double load_start, load_end; /* the 1-minute load average; <0 unknown */
    long cpus;
    char first_skip[256];  /* "PATH: REASON": a run that measured nothing says it */
};

#endif
