/* A collective that exists only in the test build tests/gpuxfer_coll (-DGX_EXTRA_COLLECTIVE): a
 * reduce to the group's first rank, one row of the collectives' table and nothing else.
 * tests/coll_table.sh shows that the patterns, the help, the paths' calls, the validation and
 * the report take it from the row alone. */
#define GX_EXTRA_COLLECTIVES(X)                                                               \
    X(REDUCE, "reduce", 1, GX_SHAPE_WHOLE, GX_ROOT_GETS, 1,                                   \
      "sum of every rank's floats to the first rank; busbw = algbw",                          \
      "reduce, the result over the first rank's input",                                       \
      GX_ACROSS_RING, 1, ncclReduce(in, out, count, type, ncclSum, 0, comm, stream),          \
      MPI_Reduce(rank == 0 ? send : in, out, count, type, MPI_SUM, 0, comm))
