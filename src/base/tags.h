/* Every MPI tag gpuxfer uses: two exchanges in flight at once on one tag take each other's. */
#ifndef GX_TAGS_H
#define GX_TAGS_H

enum gx_tag {
    GX_TAG_MPI_DATA = 101,    /* paths mpi, host: the messages */
    GX_TAG_ACK = 102,         /* pattern bw: the receiver's acknowledgement of a window */
    GX_TAG_PAIR_AGREE = 103,  /* both sides of a pair take the same branch */
    GX_TAG_AUTO_CHOICE = 104, /* --chunk auto: the initiator's choice to its peer */
    GX_TAG_STOP = 108,        /* a step's stop rule: the initiator's verdict to its peer */
    GX_TAG_PROBE_GO = 105,    /* ceiling probes: both sides' stages start together */
    GX_TAG_PROBE_DONE = 106,  /* ceiling probes, both ways: both sides' stages are over */
    GX_TAG_PROBE_SETUP = 107, /* ceiling probes: what the sides exchange when opened */
    GX_TAG_PROBE_HANDLE = 109, /* ceiling probes: the peer copy's CUDA IPC handles */
    GX_TAG_STAGED = 110,      /* path staged: the chunks through MPI */
    GX_TAG_P2P_READY = 120,   /* path p2p */
    GX_TAG_P2P_DONE = 121,
    GX_TAG_P2P_HANDLE = 122,
    GX_TAG_P2P_BUSID = 123,
    GX_TAG_P2P_LL = 124,
    GX_TAG_P2P_RESET = 125,
    GX_TAG_ZC_DATA = 133,     /* path zerocopy across nodes */
    GX_TAG_UM = 140,          /* unified paths */
    GX_TAG_NCCL_ID = 150,     /* path nccl: the pair communicator's unique id */
    GX_TAG_SHM_SEGMENT = 160, /* shared-memory segments: names and pair syncs */
    GX_TAG_SHM_NEED = 161,    /* shared-memory channels */
    GX_TAG_CTX_GO = 170,      /* the report's context: rank 0 asks a rank for its pool */
    GX_TAG_CTX_POOL = 171,    /* and the rank sends it */
    GX_TAG_GROUP = 180,       /* a collective's group: MPI_Comm_create_group */
};

#endif
