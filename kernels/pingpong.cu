// The p2p path's ping-pong: one persistent block per side that makes round trips on its host's
// command, so that neither a launch nor a host is inside what is timed. The message crosses
// NVLink (or PCIe) as LL lines (kernels/p2p_ll.h): each 16-byte store carries its own flag,
// the round trip's number, and the receiver polls its lines, so no system fence is paid per
// message. The responder answers each line as soon as it sees it; the initiator times from its
// first store to the last line of the answer with the SM clock, converted to nanoseconds at
// the rate measured against %globaltimer inside the same kernel (the timer itself may tick by
// 32 ns or 1 us). Both sides check every payload against the peer's pattern and write it into
// dst, where the harness checks it again.
//
// Every wait is bounded by limit_ns; a kernel that gives up, or that its host stops, leaves a
// note in the peer's header (gx_ll_header.left) so that the peer's kernel stops waiting too.
#include "kernels.h"
#include "launch.cuh"
#include "p2p_ll.h"

// How long the initiator measures its clock against %globaltimer before the first round trip:
// one tick of a 1 us timer is then 0.1% of the span, and the span only grows.
#define GX_LL_CALIBRATE_NS 1000000ull
// Written where a value must be in a register before a barrier; never read.
__device__ int gx_ll_sink;
// Polls between two looks at the time and at the peer's header.
#define GX_LL_SLOW_EVERY 256u

struct ll_args {
    struct gx_ll_ctl *ctl;      // host-mapped: commands in, results out
    struct gx_ll_header *mine;  // this side's region: the peer writes it
    struct gx_ll_header *peer;  // the peer's region, opened by CUDA IPC
    const uint8_t *src;
    uint8_t *dst;
    uint32_t peer_rank;
    int initiator;
    unsigned long long limit_ns;
};

static __device__ __forceinline__ struct gx_ll_line *lines_of(struct gx_ll_header *h)
{
    return reinterpret_cast<struct gx_ll_line *>(h + 1);
}

// One 16-byte access each way: the line's two halves are never split by the compiler.
static __device__ __forceinline__ struct gx_ll_line ld_line(const struct gx_ll_line *p)
{
    struct gx_ll_line l;
    asm volatile("ld.volatile.v4.u32 {%0,%1,%2,%3}, [%4];"
                 : "=r"(l.data1), "=r"(l.flag1), "=r"(l.data2), "=r"(l.flag2)
                 : "l"(p)
                 : "memory");
    return l;
}

static __device__ __forceinline__ void st_line(struct gx_ll_line *p, struct gx_ll_line l)
{
    asm volatile("st.volatile.v4.u32 [%0], {%1,%2,%3,%4};"
                 :
                 : "l"(p), "r"(l.data1), "r"(l.flag1), "r"(l.data2), "r"(l.flag2)
                 : "memory");
}

static __device__ __forceinline__ uint64_t ld_sys(const uint64_t *p)
{
    return *reinterpret_cast<const volatile uint64_t *>(p);
}

static __device__ __forceinline__ void st_sys(uint64_t *p, uint64_t v)
{
    *reinterpret_cast<volatile uint64_t *>(p) = v;
}

// The initiator's clock against the timer: the first tick of %globaltimer after `from`
// changes, with clock64 read right behind it; *tick keeps the smallest tick seen.
struct ll_clock {
    uint64_t ns0, cycles0, ns, cycles, tick;
};

static __device__ void next_tick(struct ll_clock *c)
{
    uint64_t before = gx_now_ns(), now;
    long long cycles;
    do {
        now = gx_now_ns();
        cycles = clock64();
    } while (now == before);
    if (now - before < c->tick)
        c->tick = now - before;
    c->ns = now;
    c->cycles = (uint64_t)cycles;
}

static __device__ void calibrate(struct ll_clock *c)
{
    c->tick = ~0ull;
    next_tick(c);
    c->ns0 = c->ns;
    c->cycles0 = c->cycles;
    while (c->ns - c->ns0 < GX_LL_CALIBRATE_NS)
        next_tick(c);
}

// Thread 0: the host's next command. GX_LL_OK with round trip `want` to make, or why not.
static __device__ int wait_command(const struct gx_ll_ctl *ctl, uint64_t want,
                                   unsigned long long limit_ns)
{
    uint64_t t0 = gx_now_ns();
    for (;;) {
        uint64_t cmd = ld_sys(&ctl->cmd);
        if (cmd == GX_LL_STOP)
            return GX_LL_STOPPED;
        if (cmd == want)
            return GX_LL_OK;
        if (gx_now_ns() - t0 > limit_ns)
            return GX_LL_WAITED_HOST;
    }
}

// Thread 0 of the initiator: the responder's kernel has round trip seq's command, so what is
// timed starts with both sides on the GPU.
static __device__ int wait_armed(struct gx_ll_header *mine, uint64_t seq, uint64_t deadline)
{
    for (;;) {
        if (ld_sys(&mine->armed) >= seq)
            return GX_LL_OK;
        if (ld_sys(&mine->left))
            return GX_LL_PEER_LEFT;
        if (gx_now_ns() > deadline)
            return GX_LL_WAITED_PEER;
    }
}

// Lines a thread waits for at once: all those still missing of a group are loaded together
// (one memory latency per sweep, not one per line); more would spill registers.
#define GX_LL_GROUP 4

// Every thread: waits for its lines of round trip `flag`, group by group (the order they are
// sent in); the responder stores its answer line by line as each request line arrives.
// Returns GX_LL_OK or why it gave up.
template <bool answer>
static __device__ __forceinline__ int poll_lines(const struct ll_args &a, size_t lines,
                                                 uint32_t flag,
                                                 const uint64_t (&w)[GX_LL_PER_THREAD],
                                                 uint64_t deadline, volatile int *abort)
{
    const struct gx_ll_line *in = lines_of(a.mine);
    struct gx_ll_line *out = lines_of(a.peer);
    unsigned spins = 0;
#pragma unroll
    for (int g = 0; g < GX_LL_PER_THREAD; g += GX_LL_GROUP) {
        unsigned pending = 0;
#pragma unroll
        for (int j = 0; j < GX_LL_GROUP; j++)
            if (threadIdx.x + (size_t)(g + j) * GX_LL_THREADS < lines)
                pending |= 1u << j;
        while (pending) {
            struct gx_ll_line l[GX_LL_GROUP];
#pragma unroll
            for (int j = 0; j < GX_LL_GROUP; j++)
                if (pending >> j & 1)
                    l[j] = ld_line(&in[threadIdx.x + (g + j) * GX_LL_THREADS]);
#pragma unroll
            for (int j = 0; j < GX_LL_GROUP; j++)
                if ((pending >> j & 1) && gx_ll_ready(l[j], flag)) {
                    pending &= ~(1u << j);
                    if (answer)
                        st_line(&out[threadIdx.x + (g + j) * GX_LL_THREADS],
                                gx_ll_pack(w[g + j], flag));
                }
            if (pending && ++spins % GX_LL_SLOW_EVERY == 0) {
                if (*abort)
                    return *abort;
                if (ld_sys(&a.mine->left))
                    return GX_LL_PEER_LEFT;
                if (gx_now_ns() > deadline)
                    return GX_LL_WAITED_PEER;
            }
        }
    }
    return GX_LL_OK;
}

// Thread 0: the outcome of round trip seq to the host, `done` last.
static __device__ void report(const struct ll_args &a, uint64_t seq, int status, uint64_t cycles,
                              uint64_t bad, const struct ll_clock *c)
{
    struct gx_ll_ctl *ctl = a.ctl;
    st_sys(&ctl->status, (uint64_t)status);
    st_sys(&ctl->cycles, cycles);
    st_sys(&ctl->bad_offset, bad);
    if (a.initiator) {
        st_sys(&ctl->span_ns, c->ns - c->ns0);
        st_sys(&ctl->span_cycles, c->cycles - c->cycles0);
        st_sys(&ctl->tick_ns, c->tick);
    }
    if (status == GX_LL_PEER_LEFT) {
        st_sys(&ctl->peer_status, ld_sys(&a.mine->left));
        st_sys(&ctl->peer_seq, ld_sys(&a.mine->left_seq));
        st_sys(&ctl->peer_offset, ld_sys(&a.mine->left_offset));
    }
    __threadfence_system();
    st_sys(&ctl->done, seq);
}

static __global__ void __launch_bounds__(GX_LL_THREADS, 1) ll_pingpong_kernel(struct ll_args a)
{
    // Each written by thread 0 (or by all, atomically) only where no thread can still be
    // reading the previous round trip's value: s_cmd before the first barrier, s_status after
    // it, s_done after the check.
    __shared__ unsigned long long s_bytes, s_iter, s_deadline, s_bad, s_end;
    __shared__ int s_cmd, s_status, s_done;
    // Thread 0's alone, in shared memory to leave the registers to the lines.
    __shared__ struct ll_clock clk;
    __shared__ unsigned long long t0;
    const unsigned tid = threadIdx.x;
    uint64_t seq = 1;
    int status = GX_LL_OK;
    if (tid == 0) {
        clk = ll_clock{0, 0, 0, 0, 0};
        if (a.initiator)
            calibrate(&clk);
    }
    for (;; seq++) {
        if (tid == 0) {
            s_cmd = wait_command(a.ctl, seq, a.limit_ns);
            s_bytes = ld_sys(&a.ctl->bytes);
            s_iter = ld_sys(&a.ctl->fill_iter);
            s_bad = ~0ull;
            s_end = 0;
            s_deadline = gx_now_ns() + a.limit_ns;
        }
        __syncthreads();
        if ((status = s_cmd) != GX_LL_OK)
            break;
        const size_t bytes = s_bytes < GX_LL_MAX_BYTES ? s_bytes : GX_LL_MAX_BYTES;
        const size_t lines = gx_ll_lines(bytes);
        const uint32_t flag = gx_ll_flag(seq);
        const uint64_t deadline = s_deadline;
        // What this thread sends, in registers before anything is timed or answered: the
        // comparison needs every load back before the barrier (the branch is harmless).
        uint64_t w[GX_LL_PER_THREAD], fold = 0;
#pragma unroll
        for (int j = 0; j < GX_LL_PER_THREAD; j++) {
            size_t k = tid + (size_t)j * GX_LL_THREADS;
            w[j] = k < lines ? gx_ll_load(a.src, bytes, k) : 0;
            fold ^= w[j];
        }
        if (fold == ~0ull)
            gx_ll_sink = 1;
        if (tid == 0)
            s_status = a.initiator ? wait_armed(a.mine, seq, deadline) : GX_LL_OK;
        __syncthreads();
        if (tid == 0 && !a.initiator)
            st_sys(&a.peer->armed, seq);
        if (s_status == GX_LL_OK) {
            int st;
            if (a.initiator) {
                if (tid == 0)
                    t0 = (uint64_t)clock64();
#pragma unroll
                for (int j = 0; j < GX_LL_PER_THREAD; j++) {
                    size_t k = tid + (size_t)j * GX_LL_THREADS;
                    if (k < lines)
                        st_line(&lines_of(a.peer)[k], gx_ll_pack(w[j], flag));
                }
                st = poll_lines<false>(a, lines, flag, w, deadline, &s_status);
                if (st == GX_LL_OK && tid < lines)
                    atomicMax(&s_end, (unsigned long long)clock64());
            } else {
                st = poll_lines<true>(a, lines, flag, w, deadline, &s_status);
            }
            if (st != GX_LL_OK)
                atomicCAS(&s_status, GX_LL_OK, st);
        }
        __syncthreads();
        // Untimed: the check of what arrived, and dst for the harness's own checks.
        if (s_status == GX_LL_OK) {
            const struct gx_ll_line *in = lines_of(a.mine);
            for (size_t k = tid; k < lines; k += GX_LL_THREADS) {
                struct gx_ll_line l = ld_line(&in[k]);
                int64_t bad = gx_ll_check(l, bytes, k, a.peer_rank, (uint32_t)s_iter);
                if (bad >= 0)
                    atomicMin(&s_bad, (unsigned long long)bad);
                gx_ll_store(a.dst, bytes, k, gx_ll_word(l));
            }
        }
        __threadfence();
        __syncthreads();
        if (tid == 0) {
            status = s_status;
            if (status == GX_LL_OK && s_bad != ~0ull)
                status = GX_LL_BAD_DATA;
            uint64_t cycles = 0;
            if (status == GX_LL_OK && a.initiator) {
                cycles = s_end - t0;
                next_tick(&clk); // the span grows with the run: the rate over all of it
            }
            report(a, seq, status, cycles, s_bad, &clk);
            s_done = status;
        }
        __syncthreads();
        if ((status = s_done) != GX_LL_OK)
            break;
    }
    if (tid != 0)
        return;
    if (status == GX_LL_WAITED_HOST)
        report(a, seq, status, 0, ~0ull, &clk);
    // The note for the peer's kernel, `left` last.
    st_sys(&a.peer->left_seq, seq);
    st_sys(&a.peer->left_offset, s_bad);
    __threadfence_system();
    st_sys(&a.peer->left, (uint64_t)status);
}

extern "C" cudaError_t gx_kernel_ll_pingpong(struct gx_ll_ctl *ctl, void *mine, void *peer,
                                             const void *src, void *dst, uint32_t peer_rank,
                                             int initiator, unsigned long long limit_ns,
                                             cudaStream_t s)
{
    struct ll_args a = {ctl,
                        static_cast<struct gx_ll_header *>(mine),
                        static_cast<struct gx_ll_header *>(peer),
                        static_cast<const uint8_t *>(src),
                        static_cast<uint8_t *>(dst),
                        peer_rank,
                        initiator,
                        limit_ns};
    ll_pingpong_kernel<<<1, GX_LL_THREADS, 0, s>>>(a);
    return cudaGetLastError();
}
