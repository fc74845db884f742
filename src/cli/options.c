/* The option table (its setters: options_set.c), its lookups and a run's defaults. */
#include "config.h"
#include "option_table.h"

#include "out_path.h"
#include "output.h"
#include "pattern.h"
#include "watchdog.h"

#include <string.h>

const char *const gx_opt_group_title[GX_G_COUNT] = {
    [GX_G_MEASURE] = "What to measure",
    [GX_G_OUTPUT] = "Where to write",
    [GX_G_TIME] = "How long",
    [GX_G_TUNING] = "Tuning",
    [GX_G_RELIABILITY] = "Reliability",
    [GX_G_INFO] = "Information",
    [GX_G_TESTING] = "Testing and shell completion",
};

/* A row names the fields it sets (struct gx_option): the rest are 0 or NULL. */
const struct gx_option gx_option_table[] = {
    /* What to measure */
    {.name = "path", .arg = "LIST", .per_run = 1, .type = GX_T_LIST, .group = GX_G_MEASURE,
     .set = gx_set_path, .dflt = "host",
     .dflt_says = "every GPU path where every rank sees a GPU, else host",
     .help = "transfer paths (listed below)",
     .more = "The default on GPUs: every path that moves GPU data, in a run of latency at "
         GX_DEFAULT_LATENCY_SIZES " B and one of bw at " GX_DEFAULT_BW_SIZES " (one size per "
         "class), within its --budget, ending with the transfer plan, after the node's map on "
         "more than 2 GPUs or several nodes (--map); --pattern or --sizes make it one run of "
         "those."},
    {.name = "mem", .arg = "SRC[,DST]", .per_run = 1, .type = GX_T_LIST, .group = GX_G_MEASURE,
     .set = gx_set_mem, .dflt_says = "the path's own",
     .help = "memory kinds of the source and destination buffers: pageable, pinned, device, "
         "managed, mapped"},
    {.name = "pattern", .arg = "LIST", .per_run = 1, .type = GX_T_LIST, .group = GX_G_MEASURE,
     .set = gx_set_pattern, .dflt = "latency,bw",
     .dflt_says = "latency,bw; the collectives with --pairs job or node",
     .help = "latency (ping-pong), bw (sends, then an ack) or bibw (both ways); with --pairs "
         "job or node the collectives (listed below)",
     .more = "latency: one way = round trip / 2; bw: a window of sends, then an ack; bibw: bw "
         "both ways at once. A collective's value is nccl-tests' busbw."},
    {.name = "sizes", .arg = "SIZES", .per_run = 1, .type = GX_T_LIST, .group = GX_G_MEASURE,
     .set = gx_set_sizes, .num = GX_NUM_BYTES, .short_name = 'm', .dflt = "1:4M",
     .help = "message sizes: a range MIN:MAX of powers of two or a list, e.g. 8,4K,1M,3M+5 (-m "
         "MAX alone, as osu's: 1:MAX)",
     .more = "K, M, G = 2^10, 2^20, 2^30; a range 1:1G holds every power of two from 1 to 1G "
         "(MAX is MIN times a power of two); each size once. -m, -i and -x are OSU "
         "Micro-Benchmarks' letters for --sizes, --iters and --warmup; osu's -m MAX alone is the "
         "range 1:MAX."},
    {.name = "pairs", .arg = "PAIRS", .per_run = 1, .type = GX_T_STRING, .group = GX_G_MEASURE,
     .set = gx_set_pairs, .dflt = "0:1",
     .help = "who talks: A:B[,C:D...] one pair after another, or a keyword (listed below)",
     .more = "all and all-concurrent report rank matrices (the table prints a matrix per path, "
         "memory kinds, pattern and size, and leaves each pair's rows to the report and the "
         "CSV), rails node x node matrices per rail "
         "and a rail map, nodes a node matrix, intra a matrix per node; ring makes every rank "
         "the initiator once (the last with rank 0), which a pair list cannot (a pair is "
         "measured from its lower rank); every round of several pairs reports its aggregate "
         "bandwidth and message rate. Collectives alone (--pattern allreduce) without --pairs "
         "measure every rank: --pairs job."},
    {.name = "map", .arg = "on|off", .type = GX_T_STRING, .group = GX_G_MEASURE, .set = gx_set_map,
     .dflt = "on",
     .help = "the node's map: told no paths, on more than 2 GPUs, gpuxfer first measures every "
         "ordered GPU pair at one size and each GPU's host link both ways (across nodes, one pair "
         "per node pair)",
     .more = "On one node with more than 2 GPUs: p2p bw at " GX_MAP_SIZE " of every ordered pair, "
         "one pair at a time (--pairs all), p2p bibw of one pair per link type, and each GPU's "
         "host link alone, one GPU at a time (--pairs ring): its copy engine's copy of "
         GX_MAP_HOST_SIZE " from and into pinned host memory (probes host-to-device and "
         "device-to-host, as nvbandwidth's memcpy_ce); on several nodes: mpi bw at " GX_MAP_SIZE
         " of one pair per ordered node pair (--pairs nodes). " GX_MAP_ITERS " timed iterations of "
         GX_MAP_WINDOW " messages each, no ceiling probes; printed as matrices and a row per "
         "GPU's host link, pairs and GPUs well below their siblings over the same kind of link "
         "marked. Only where --path, --mem, --pattern, --sizes, --pairs and --scenario are not "
         "given."},
    {.name = "scenario", .arg = "FILE|NAME", .type = GX_T_STRING, .group = GX_G_MEASURE,
     .set = gx_set_scenario,
     .help = "runs from a JSON file, or a shipped scenario by NAME (listed below); the command "
         "line overrides its values",
     .more = "A FILE with a '/' is that file, and so is a NAME that is a file in the current "
         "folder (yours or root's; another user's is refused: ./NAME reads it). Any other NAME "
         "is looked up as NAME or NAME.json in $GPUXFER_SCENARIO_PATH's folders first, "
         "then in the build tree's scenarios/ or the installed data folder beside the program, "
         "then in the configured data folder. The report's \"scenario\" names the file read "
         "(its real path) and its SHA-256."},
    {.name = "vary", .arg = "OPTION=V1,V2[,...]", .type = GX_T_STRING, .group = GX_G_MEASURE,
     .set = gx_set_vary,
     .help = "measure each value of one option in the same job, side by side: chunk, depth, "
         "window, path, mem (SRC or SRC:DST) or nccl-comm, e.g. --vary chunk=1M,4M",
     .more = "Each value is what the option itself takes (one item of its list; mem's SRC,DST "
         "written SRC:DST). Every step of the plan becomes one step per value: a path's steps "
         "(chunk, depth, window) or its groups of each round (path, mem, nccl-comm) of each value "
         "follow one another in every visit, so that the values share the machine's moments, "
         "visit after visit; each step gets at least " GX_STR(GX_VARY_MIN_VISITS) " visits. "
         "A path that cannot take a value (chunk or depth where it does not pipeline, "
         "nccl-comm but on nccl, memory it refuses) is skipped with the reason. Each result "
         "says its value (\"vary\"), the report's context.run.vary the option and its values, "
         "the table's block header the value; the option itself is not given with it, nor a pair "
         "scheme that makes matrices (a matrix holds one value per pair)."},
    {.name = "name", .arg = "NAME", .per_run = 1, .type = GX_T_STRING, .group = GX_G_MEASURE,
     .set = gx_set_name, .help = "label of the run in the report"},
    /* Where to write */
    {.name = "output", .arg = "FILE", .type = GX_T_STRING, .group = GX_G_OUTPUT,
     .set = gx_set_output, .dflt_says = GX_OUTPUT_DEFAULT_SAYS,
     .help = "JSON report, written by rank 0; FILE.jsonl gets each result as it finishes"},
    {.name = "table", .arg = "FILE", .type = GX_T_STRING, .group = GX_G_OUTPUT,
     .set = gx_set_table, .dflt_says = "stdout",
     .help = "rank 0 writes what it prints on stdout (the table; the CSV with --format csv) to "
         "FILE",
     .more = "Written by rank 0 itself and checked, as the report is (a new file, or --force; a "
         "full disk is exit " GX_STR(GX_CODE_ERUNTIME) "): under mpirun, rank 0's stdout is "
         "forwarded by mpirun, which does not tell rank 0 when the reader's disk is full or its "
         "pipe closed. A character device is written to as it is (/dev/null: no table); a FIFO, "
         "a directory or another special file is refused, as is a FILE that is also the report, "
         "its .jsonl or .samples.jsonl, or the --scenario file."},
    {.name = "force", .type = GX_T_FLAG, .group = GX_G_OUTPUT, .flag = GX_FLAG(g.force),
     .help = "overwrite an existing report (without it that is an error)"},
    {.name = "format", .arg = "table|csv", .type = GX_T_STRING, .group = GX_G_OUTPUT,
     .set = gx_set_format, .dflt = "table",
     .help = "stdout holds the table, or CSV (the table then goes to stderr)",
     .more = "The CSV: a header, then one line per result (path, memory kinds, pattern, pair, "
         "size, chunk, depth, statistics, ceiling, efficiency)."},
    {.name = "wide", .type = GX_T_FLAG, .group = GX_G_OUTPUT, .flag = GX_FLAG(g.wide),
     .help = "every column of the table (min and max too), past " GX_STR(GX_TABLE_COLUMNS)
         " characters",
     .more = "By default a result's line fits " GX_STR(GX_TABLE_COLUMNS) " columns: size, pair, "
         "chunk, depth, median, p5, p95, cv%, iterations, validation, ceiling and efficiency, "
         "values to four significant digits. The CSV and the report have every statistic at full "
         "precision."},
    {.name = "samples", .type = GX_T_FLAG, .group = GX_G_OUTPUT, .flag = GX_FLAG(g.samples),
     .help = "keep every raw sample (past " GX_STR(GX_SAMPLES_INLINE) " in OUTPUT.samples.jsonl)"},
    {.name = "quiet", .type = GX_T_FLAG, .group = GX_G_OUTPUT, .flag = GX_FLAG(g.quiet),
     .help = "no progress line (shown when stderr or stdout is a terminal)"},
    {.name = "progress", .type = GX_T_FLAG, .group = GX_G_OUTPUT, .flag = GX_FLAG(g.progress),
     .help = "progress even without a terminal (a line every " GX_STR(GX_PROGRESS_LOG_S) " s on "
         "stderr)"},
    /* How long */
    {.name = "iters", .arg = "N", .per_run = 1, .type = GX_T_INT, .group = GX_G_TIME,
     .set = gx_set_iters, .num = GX_NUM_INT, .short_name = 'i',
     .dflt_says = "the stop rule's, at most " GX_STR(GX_ITERS_TINY) " tiny .. "
         GX_STR(GX_ITERS_HUGE) " huge", .help = "timed iterations per size, exactly",
     .more = "Without it a step runs at least " GX_STR(GX_MIN_ITERS) " (a result on fewer, cut by "
         "--timeout or a stop signal, or given fewer here, is marked ~ as too few to judge) and at "
         "most, by size class, " GX_STR(GX_ITERS_TINY) " tiny, " GX_STR(GX_ITERS_SMALL) " small, "
         GX_STR(GX_ITERS_MEDIUM) " medium, " GX_STR(GX_ITERS_LARGE) " large, "
         GX_STR(GX_ITERS_XLARGE) " xlarge, " GX_STR(GX_ITERS_HUGE) " huge, stopping between "
         "(--precision, --budget)."},
    {.name = "warmup", .arg = "N", .per_run = 1, .type = GX_T_INT, .group = GX_G_TIME,
     .set = gx_set_warmup, .num = GX_NUM_INT, .short_name = 'x',
     .dflt_says = GX_STR(GX_WARMUP_PCT) "% of --iters (else of the fewest iterations), at least "
         GX_STR(GX_WARMUP_MIN) ", and for a path that starts cold each step (nccl) enough to "
         "outlast its cold start", .help = "untimed iterations first"},
    {.name = "timeout", .arg = "SECONDS", .type = GX_T_INT, .group = GX_G_TIME,
     .set = gx_set_timeout, .num = GX_NUM_INT, .dflt_says = "from the iterations and the size",
     .help = "time one measurement may take; past it the job ends with what it has (exit "
         GX_STR(GX_CODE_ETIMEOUT) ")",
     .more = "The default: " GX_STR(GX_TIMEOUT_SETUP_S) " + 2 x (iters + warmup + 2) x window x ("
         GX_STR(GX_TIMEOUT_MESSAGE_MS) " ms + size / " GX_STR(GX_TIMEOUT_SLOW_MBPS) " MB/s)."},
    {.name = "visits", .arg = "N", .type = GX_T_INT, .group = GX_G_TIME, .set = gx_set_visits,
     .num = GX_NUM_INT,
     .dflt_says = GX_STR(GX_DEFAULT_VISITS) ", " GX_STR(GX_LONG_STEP_VISITS) " for a step of "
         "messages of " GX_STR(GX_SHORT_MESSAGE_US) " us or longer (estimated) and at most "
         GX_STR(GX_PROBE_VISITS) " for a ceiling probe; fewer where the budget cannot keep "
         "them (down to " GX_STR(GX_LEAST_VISITS) " and " GX_STR(GX_LEAST_LONG_VISITS) "); 1 "
         "for a step of exactly --iters and for the node's map",
     .help = "measure each result in N visits spread over the run (also a scenario key)",
     .more = "The plan is gone through N times, each step taking its share of the budget and "
         "its fewest iterations in N parts (" GX_STR(GX_VISIT_MIN_ITERS) " a visit at least): a "
         "platform whose speed switches every few seconds is sampled in proportion, so a result, "
         "the median of all its visits' iterations, holds from one job to the next. Its visits' "
         "medians say what the platform's variation costs it (noise.visits_ci) and whether it "
         "ran at two speeds (noise.two_speeds); where that is more than "
         GX_STR(GX_NOISE_VARIED_PCT) "% the result is marked drift (^ in the table, not ~: no "
         "other process interfered). gpuxfer-report compare takes the visits as replicates. "
         "While the steps to come, at the pace the run has kept against its estimates, would "
         "outlast the budget, a step whose first visit outlasts its share "
         GX_STR(GX_VISITS_CUT) " times over, or, unless --visits is given, a later visit from "
         "its fewest on (" GX_STR(GX_LEAST_VISITS) ", " GX_STR(GX_LEAST_LONG_VISITS) " for long "
         "messages, " GX_STR(GX_LEAST_PROBE_VISITS) " for a ceiling probe) "
         GX_STR(GX_VISITS_CUT_LATER) " times over, gets no more visits: the machine is slower "
         "than the plan (two ranks on one GPU, a busy host), and the budget left goes to the "
         "steps to come."},
    {.name = "soak", .arg = "SECONDS", .type = GX_T_INT, .group = GX_G_TIME, .set = gx_set_soak,
     .num = GX_NUM_INT,
     .help = "after one pass, repeat the runs until SECONDS have passed (also a scenario key)",
     .more = "Later passes go to the .jsonl only; the report counts them under \"soak\"."},
    {.name = "budget", .arg = "SECONDS", .type = GX_T_INT, .group = GX_G_TIME,
     .set = gx_set_budget, .num = GX_NUM_INT,
     .dflt_says = GX_STR(GX_DEFAULT_BUDGET_HOST) " s for a run told no paths, memory, patterns, "
         "sizes or scenario (" GX_STR(GX_DEFAULT_BUDGET_GPU) " s on GPUs), else none",
     .help = "time the whole plan may take, ceiling probes included (also a scenario key)",
     .more = "Divided among the steps by their estimated cost, what a step leaves going to the "
         "ones after it; a step ends when its median is known to --precision, when its share is "
         "spent (after a few iterations) or at its iterations; while the steps so far ran at a "
         "pace the rest cannot keep within the budget, a step's later visits are given up (a "
         "ceiling probe's from its second, a result's from its fewest). The run says first what "
         "precision the budget buys."},
    {.name = "precision", .arg = "FRACTION", .per_run = 1, .type = GX_T_STRING,
     .group = GX_G_TIME, .set = gx_set_precision, .num = GX_NUM_RATIO, .dflt = "0.01",
     .help = "a step stops once the 95% interval of its median lies within FRACTION x the "
         "median on either side (0.01: +-1%), more than 0, at most 1",
     .more = "Checked between batches of timed iterations by the pair's initiator (a group's "
         "first rank), which tells the others; each of --visits N asks FRACTION x sqrt(N); "
         "--iters N runs exactly N instead, and a step's share of --budget may end it first. "
         "The report says what ended each step (precision, time or iterations) and the "
         "interval reached."},
    {.name = "dry-run", .type = GX_T_FLAG, .group = GX_G_TIME, .flag = GX_FLAG(dry_run),
     .help = "list every measurement with its estimated time; measure nothing",
     .more = "The run's files (--output, --table) are checked as the run checks them (exit "
         GX_STR(GX_CODE_EINPUT) " where it would refuse them), and nothing is created."},
    {.name = "assume-nodes", .arg = "N", .type = GX_T_INT, .group = GX_G_TIME,
     .set = gx_set_assume_nodes, .num = GX_NUM_INT,
     .help = "with --dry-run: plan for N nodes instead of this job (e.g. 512 ranks on a laptop)"},
    {.name = "assume-gpus-per-node", .arg = "G", .type = GX_T_INT, .group = GX_G_TIME,
     .set = gx_set_assume_per_node, .num = GX_NUM_INT, .dflt = "1",
     .help = "with --assume-nodes: ranks (one per GPU) on each assumed node"},
    /* Tuning */
    {.name = "chunk", .arg = "LIST|auto", .per_run = 1, .type = GX_T_LIST, .group = GX_G_TUNING,
     .set = gx_set_chunk, .num = GX_NUM_BYTES, .path_needs = GX_PATH_CHUNKED,
     .dflt_says = "the best per size",
     .help = "chunk sizes of the pipelined paths; a LIST makes chunk an axis",
     .more = "Pipelined paths: staged, staged-mpi, p2p, zerocopy, unified-prefetch. By default "
         "each size is measured at the best chunk and depth of a short search (p2p: the whole "
         "message as one copy; the others: " GX_STR(GX_CHUNK_MIN_KIB) "K.."
         GX_STR(GX_CHUNK_PIPELINED_MAX_MIB) "M in at most " GX_STR(GX_CHUNK_PIPELINED_PIECES)
         " pieces x depth " GX_STR(GX_CHUNK_PIPELINED_DEPTHS) ", and the whole message). A LIST "
         "measures every chunk x depth (depth " GX_STR(GX_GIVEN_DEPTH) " unless given); auto "
         "searches " GX_STR(GX_CHUNK_MIN_KIB) "K.." GX_STR(GX_CHUNK_AUTO_MAX_MIB) "M x depth "
         GX_STR(GX_CHUNK_AUTO_DEPTHS) " (or --depth) and the whole message. Given to a run none "
         "of whose paths chunk, it has no effect, and stderr says so."},
    {.name = "depth", .arg = "LIST", .per_run = 1, .type = GX_T_LIST, .group = GX_G_TUNING,
     .set = gx_set_depth, .num = GX_NUM_INT, .path_needs = GX_PATH_CHUNKED,
     .dflt_says = "the best per size",
     .help = "chunks in flight per side (1: no pipelining); a LIST makes depth an axis",
     .more = "A LIST alone measures at chunk " GX_STR(GX_GIVEN_CHUNK_MIB) "M; with --chunk auto "
         "it is the depths tried. As --chunk, said on stderr where no path of the run chunks."},
    {.name = "window", .arg = "N", .per_run = 1, .type = GX_T_INT, .group = GX_G_TUNING,
     .set = gx_set_window, .num = GX_NUM_INT, .dflt_says = "by size",
     .help = "messages in flight per bw/bibw iteration; round trips per latency sample",
     .more = "By default " GX_STR(GX_WINDOW_MOST) ", fewer where those would hold over "
         GX_STR(GX_WINDOW_MIB) " MiB, and more, up to " GX_STR(GX_WINDOW_MAX) ", where an "
         "iteration would last under " GX_STR(GX_WINDOW_MS) " ms at the path's typical rate (so "
         "that per-iteration costs stay near 1%); the unified paths, far slower, have only those "
         "of " GX_STR(GX_WINDOW_MS) " ms, 1 at least. Latency: as many round trips, timed "
         "together, as last about " GX_STR(GX_LATENCY_SAMPLE_US) " us at the path's typical "
         "latency (host at 8 B: 24; mpi: 2), up to " GX_STR(GX_WINDOW_MAX) ", so that the "
         "clock's reads are no visible part of a sample; --window 1 times each round trip."},
    {.name = "ceilings", .arg = "on|off|full", .per_run = 1, .type = GX_T_STRING,
     .group = GX_G_TUNING, .set = gx_set_ceilings, .alias = "calibrate", .dflt = "on",
     .help = "measure the ceilings that bound the results, each just before its results (on: "
         "those the results are rated against; full: every one, at every size)",
     .more = "The ceilings are the probes of the layers below the paths (host memory through "
         "shared memory, the peer copy, copy engines, SMs on mapped host memory, managed "
         "memory's prefetches and faults), measured by the results' pairs just before them; each "
         "result's efficiency is rated against its ceiling, the probe's best iteration."},
    {.name = "bind", .arg = "auto|numa|core|none", .type = GX_T_STRING, .group = GX_G_TUNING,
     .set = gx_set_bind, .dflt = "auto",
     .help = "cores and memory near the rank's GPU (auto: the GPU's cores split among its ranks)",
     .more = "auto: cores local to the GPU, split among the ranks sharing them, memory on its "
         "NUMA node (a launcher binding already local to the GPU is kept); numa: all cores local "
         "to the GPU; core: one of them; none: leave the binding."},
    {.name = "nccl-comm", .arg = "pair|job", .type = GX_T_STRING, .group = GX_G_TUNING,
     .set = gx_set_nccl_comm, .dflt = "pair",
     .help = "the communicator nccl measures a pair on: the pair's own, or the job's",
     .more = "pair: a communicator of the pair's two ranks, made for each pair measured, as "
         "nccl-tests with 2 ranks measures it; job: one communicator of every rank of the job, "
         "as an application's. NCCL sizes a peer's channels from the whole communicator (its "
         "rings and every peer's route), so a pair inside a larger communicator can move less "
         "than the same pair alone; the table's nccl blocks name the one used."},
    {.name = "gpu-map", .arg = "LIST", .type = GX_T_LIST, .group = GX_G_TUNING,
     .set = gx_set_gpu_map, .num = GX_NUM_INT, .dflt_says = "node-local rank % visible GPUs",
     .help = "visible GPU of each node-local rank (entry local rank % length), e.g. 0,2,1,3"},
    {.name = "assume-cuda-aware", .type = GX_T_FLAG, .group = GX_G_TUNING,
     .flag = GX_FLAG(g.assume_cuda_aware),
     .help = "treat the MPI library as CUDA-aware when it cannot be asked"},
    /* Reliability */
    {.name = "validate", .arg = "once|all", .per_run = 1, .type = GX_T_STRING,
     .group = GX_G_RELIABILITY, .set = gx_set_validate, .dflt = "once",
     .help = "check received data once per size, or after every timed iteration too"},
    {.name = "allow-skip", .type = GX_T_FLAG, .group = GX_G_RELIABILITY,
     .flag = GX_FLAG(g.allow_skip),
     .help = "exit " GX_STR(GX_CODE_OK) ", not " GX_STR(GX_CODE_ENOTHING) ", when every "
         "measurement was skipped (sweeps over mixed nodes)"},
    {.name = "check", .type = GX_T_FLAG, .group = GX_G_RELIABILITY, .set = gx_set_check,
     .help = "the node check (Slurm prolog, epilog, health check): the node's map and host "
         "links, the health checks and the GPUs' counters within " GX_STR(GX_CHECK_BUDGET) " s, "
         "ending with one line, PASS or FAIL reason=...; exit " GX_STR(GX_CODE_OK) " healthy, "
         GX_STR(GX_CODE_EHEALTH) " unhealthy (" GX_STR(GX_CODE_EVALIDATE) " corrupted data), "
         GX_STR(GX_CODE_EINPUT) " bad input, others: could not run",
     .more = "The GPU default run's map alone (--map: every ordered pair's p2p bw, one pair "
         "per kind of link both ways, each GPU's host link both ways; on 2 GPUs too) with "
         "--fail-on-health, in a budget of " GX_STR(GX_CHECK_BUDGET) " s that --dry-run shows "
         "the plan within (about 11 s on 16 GPUs). Its last line on stdout is PASS (exit "
         GX_STR(GX_CODE_OK) ") or FAIL reason=\"...\", a reason Slurm's scontrol update ... "
         "state=drain reason=... takes as it is (at most 80 characters of letters, digits, "
         "spaces and .,:/_+-): the first health finding (exit " GX_STR(GX_CODE_EHEALTH) "), "
         "data that did not match (exit " GX_STR(GX_CODE_EVALIDATE) ") or why it could not run "
         "(its exit status: " GX_STR(GX_CODE_ERUNTIME) " a run-time failure, "
         GX_STR(GX_CODE_ETIMEOUT) " a timeout, " GX_STR(GX_CODE_EINTERRUPTED) " a signal, "
         GX_STR(GX_CODE_EINCOMPLETE) " a rank lost, "
         GX_STR(GX_CODE_ENOTHING) " no GPU on a rank: the host run stands in, and its findings "
         "still count). Bad input is exit " GX_STR(GX_CODE_EINPUT) ", one line on stderr and "
         "no verdict: every option of a run (--path, --pattern, --sizes, --iters...), --scenario, "
         "--map, --soak, --visits and --vary change what the check measures or how long it "
         "takes and are refused with it, --dry-run too, and so are --budget and --timeout past "
         GX_STR(GX_CHECK_BUDGET) " s. A run the watchdog ends (a "
         "timeout, a signal) may end without the line: its exit status says it. "
         "scripts/slurm/gpuxfer-nodecheck.sh (installed in the data folder's slurm/) runs it as "
         "Slurm's Prolog, Epilog or HealthCheckProgram and drains the node with the reason."},
    {.name = "fail-on-health", .type = GX_T_FLAG, .group = GX_G_RELIABILITY,
     .flag = GX_FLAG(g.fail_on_health),
     .help = "exit " GX_STR(GX_CODE_EHEALTH) " when the run finds degraded hardware (its # health "
         "lines): a node check",
     .more = "A PCIe link below its maximum, NVLinks down, a NIC slower than its siblings, a "
         "pair well below its siblings on the same kind of link, a result above its route's line "
         "rate or a ceiling below its link's usual share; a GPU's error counter (NVLink, PCIe "
         "replay, ECC) that moved during the run, an XID, a page retirement or row remap "
         "pending, clocks held down by a throttling reason; a node whose sends or receives "
         "the node map finds slow (--slow-pair) (docs/line-rates.md). NVLink CRC errors below "
         "100 a second are a warning, said but not counted. Without it the findings are "
         "reported and the exit status is unchanged."},
    {.name = "expect", .arg = "FILE", .type = GX_T_STRING, .group = GX_G_RELIABILITY,
     .set = gx_set_expect,
     .help = "judge each point against what healthy nodes of this SKU measure (a file of "
         "gpuxfer-report expect): below it is a health finding",
     .more = "Each measured point is judged against the expectation of its route class (the "
         "links it crosses, as the node map names them: never its pair's ranks), path, memory "
         "kinds, pattern and size; a bandwidth below its bound or a latency above it is the "
         "health finding below-expected, naming the path, pair, measured and expected value. A "
         "file whose SKU facts (GPU model, GPUs per node, CUDA driver and runtime, NCCL, MPI "
         "library) none match this node's is bad input (exit " GX_STR(GX_CODE_EINPUT) ", no "
         "verdict: a wrong file would drain every node). docs/line-rates.md says the rule."},
    {.name = "slow-pair", .arg = "RATIO", .type = GX_T_STRING, .group = GX_G_RELIABILITY,
     .set = gx_set_slow_pair, .num = GX_NUM_RATIO, .dflt = "0.8",
     .help = "in pair matrices, flag pairs below RATIO x the median (latency: above median / "
         "RATIO)",
     .more = "With --pairs nodes or rails on 3 nodes or more, a node (on a rail: its NIC) with "
         "more than half of its sends or of its receives so flagged is named slow, which side, "
         "and is a health finding (slow-node) (docs/pairs-and-slurm.md)."},
    /* Information */
    {.name = "help", .type = GX_T_FLAG, .group = GX_G_INFO, .set = gx_set_help, .short_name = 'h',
     .help = "this text"},
    {.name = "help-all", .type = GX_T_FLAG, .group = GX_G_INFO, .set = gx_set_help_all,
     .help = "every option with its details, the paths and the testing options"},
    {.name = "version", .type = GX_T_FLAG, .group = GX_G_INFO, .flag = GX_FLAG(version),
     .help = "the version and the build"},
    /* Testing and shell completion */
    {.name = "topology-xml", .arg = "FILE", .type = GX_T_STRING, .group = GX_G_TESTING,
     .set = gx_set_topology_xml, .dflt_says = "this machine, or $GPUXFER_TOPOLOGY_XML",
     .help = "hwloc XML topology to decide on instead of this machine (nothing is bound)"},
    {.name = "fake-gpus", .arg = "BUSIDS", .type = GX_T_LIST, .group = GX_G_TESTING,
     .set = gx_set_fake_gpus,
     .help = "PCI bus ids standing in for the CUDA devices (tests without GPUs; with "
         "--topology-xml)"},
    {.name = "list", .arg = "WHAT", .type = GX_T_STRING, .group = GX_G_TESTING, .set = gx_set_list,
     .help = "print the names of WHAT, one per line: options, paths, patterns, pairs, mem, "
         "scenarios (for shell completion)"},
    {.name = NULL},
};

int gx_option_set(const struct gx_option *op, struct gx_options *o, struct gx_run_opts *r,
                  const char *v, struct gx_err *err)
{
    if (v)
        GX_TRY(gx_input_printable(v, err));
    if (!op->set) /* a flag: its field is set */
        return *(int *)((char *)o + op->flag) = 1, GX_OK;
    return op->set(o, r, v, err);
}

const struct gx_option *gx_option_find(const char *name)
{
    for (const struct gx_option *op = gx_option_table; op->name; op++)
        if (strcmp(op->name, name) == 0 || (op->alias && strcmp(op->alias, name) == 0))
            return op;
    return NULL;
}

int gx_options_answer_only(const struct gx_options *o)
{
    return o->help || o->version || o->list[0];
}

int gx_option_scenario_top(const struct gx_option *op)
{
    return op && !op->per_run &&
           (strcmp(op->name, "soak") == 0 || strcmp(op->name, "budget") == 0 ||
            strcmp(op->name, "visits") == 0);
}

void gx_run_defaults(struct gx_run_opts *r)
{
    struct gx_err ignored;
    memset(r, 0, sizeof *r);
    r->mem_src = r->mem_dst = GX_MEM_DEFAULT;
    r->warmup = -1;
    r->validate = GX_VALIDATE_ONCE;
    /* Every per-run option starts from its documented default, parsed like user input. */
    for (const struct gx_option *op = gx_option_table; op->name; op++)
        if (op->per_run && op->dflt)
            op->set(NULL, r, op->dflt, &ignored);
}

