#include "config.h"
#include "tags.h"

#include "shm_segment.h"
#ifdef HAVE_CUDA
#include "cuda_util.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>


void gx_shm_segment_release(struct gx_shm_segment *s)
{
    if (!s->host)
        return;
    if (s->shared) {
#ifdef HAVE_CUDA
        if (s->dev)
            cudaHostUnregister(s->host);
#endif
        munmap(s->host, s->bytes);
    } else {
#ifdef HAVE_CUDA
        cudaFreeHost(s->host);
#endif
    }
    memset(s, 0, sizeof *s);
}

#ifdef HAVE_CUDA
int gx_shm_segment_pinned(size_t bytes, struct gx_shm_segment *s, struct gx_err *err)
{
    GX_CUDA_TRY(err, cudaHostAlloc(&s->host, bytes, cudaHostAllocMapped | cudaHostAllocPortable));
    s->bytes = bytes;
    GX_CUDA_TRY(err, cudaHostGetDevicePointer(&s->dev, s->host, 0));
    return GX_OK;
}

#endif

static int map_shm(const char *name, size_t bytes, int create, int gpu, struct gx_shm_segment *s,
                   struct gx_err *err)
{
    int fd = shm_open(name, create ? O_RDWR | O_CREAT | O_EXCL : O_RDWR, 0600);
    if (fd < 0)
        return gx_fail(err, GX_ESKIP, "shm_open(%s): %s", name, strerror(errno));
    /* posix_fallocate, not ftruncate alone: a tmpfs too small must refuse now, not kill the
     * process with SIGBUS at the first touch of a page it cannot hold. */
    int e = create ? posix_fallocate(fd, 0, (off_t)bytes) : 0;
    if (e != 0) {
        close(fd);
        return gx_fail(err, GX_ESKIP, "posix_fallocate(%s, %zu): %s (is /dev/shm large enough?)",
                       name, bytes, strerror(e));
    }
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return gx_fail(err, GX_ESKIP, "mmap(%s, %zu): %s", name, bytes, strerror(errno));
    s->host = p;
    s->bytes = bytes;
    s->shared = 1;
    if (!gpu)
        return GX_OK;
#ifdef HAVE_CUDA
    GX_CUDA_TRY(err, cudaHostRegister(p, bytes, cudaHostRegisterMapped | cudaHostRegisterPortable));
    GX_CUDA_TRY(err, cudaHostGetDevicePointer(&s->dev, p, 0));
    return GX_OK;
#else
    return gx_fail(err, GX_ESKIP, "built without CUDA: no GPU can map %s", name);
#endif
}

struct seg_name {
    char name[64];
    uint64_t bytes;
    int64_t pid;
    int32_t ok, pad;
};

static int swap(const struct gx_ep *ep, struct seg_name *mine, struct seg_name *theirs,
                struct gx_err *err)
{
    GX_MPI_TRY(err, MPI_Sendrecv(mine, (int)sizeof *mine, MPI_BYTE, ep->peer, GX_TAG_SHM_SEGMENT,
                                 theirs, (int)sizeof *theirs, MPI_BYTE, ep->peer,
                                 GX_TAG_SHM_SEGMENT, ep->job->comm, MPI_STATUS_IGNORE));
    return GX_OK;
}

int gx_shm_segment_exchange(const struct gx_ep *ep, const char *what, size_t bytes, int gpu,
                            struct gx_shm_segment *mine, struct gx_shm_segment *theirs,
                            long *peer_pid, struct gx_err *err)
{
    struct seg_name me = {.bytes = bytes, .pid = (int64_t)getpid()}, peer;
    snprintf(me.name, sizeof me.name, "/gpuxfer-%ld-%d-%s", (long)getpid(), ep->job->rank, what);
    shm_unlink(me.name);
    int rc = map_shm(me.name, bytes, 1, gpu, mine, err);
    /* The peer maps only what this side managed to create: it learns that with the name. */
    me.ok = rc == GX_OK;
    GX_TRY(swap(ep, &me, &peer, err));
    struct gx_err peer_err = {0};
    int prc = GX_ESKIP;
    if (me.ok && peer.ok)
        prc = map_shm(peer.name, (size_t)peer.bytes, 0, gpu, theirs, &peer_err);
    /* Both mapped on this side: the other side learns it before either unlinks. */
    struct seg_name both = me, done;
    both.ok = prc == GX_OK;
    GX_TRY(swap(ep, &both, &done, err));
    shm_unlink(me.name);
    if (rc == GX_OK && prc != GX_OK && peer.ok) {
        *err = peer_err;
        rc = prc;
    } else if (rc == GX_OK && !(peer.ok && done.ok))
        rc = gx_fail(err, GX_ESKIP, "rank %d could not share its %s segment", ep->peer, what);
    if (rc != GX_OK) {
        gx_shm_segment_release(theirs);
        gx_shm_segment_release(mine);
        return rc;
    }
    *peer_pid = (long)peer.pid;
    return GX_OK;
}

int gx_shm_pair_sync(const struct gx_ep *ep, struct gx_err *err)
{
    int mine = 0, theirs;
    GX_MPI_TRY(err, MPI_Sendrecv(&mine, 1, MPI_INT, ep->peer, GX_TAG_SHM_SEGMENT, &theirs, 1,
                                 MPI_INT, ep->peer, GX_TAG_SHM_SEGMENT, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    return GX_OK;
}
