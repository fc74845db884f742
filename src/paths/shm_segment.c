/* /dev/shm is shared: a guessable name can be taken first, and one left behind fills it. So
 * names are random, O_EXCL|O_NOFOLLOW, and live only until the peer opened them. */
#include "config.h"
#include "tags.h"

#include "shm_segment.h"
#ifdef HAVE_CUDA
#include "cuda_util.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define NAME_MAX_LEN 64
#define RANDOM_BYTES 12
/* A taken name is someone else's file: a folder that refuses a few is not ours to use. */
#define NAME_TRIES 8

static struct {
    pthread_mutex_t mu;
    char name[NAME_MAX_LEN]; /* the name this process created and has not removed yet */
    int named;
    int ending; /* the watchdog removed it and the process is ending: no new names */
} seg = {.mu = PTHREAD_MUTEX_INITIALIZER};

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

static int random_name(const char *what, char *name, size_t len, struct gx_err *err)
{
    unsigned char r[RANDOM_BYTES];
    for (size_t got = 0; got < sizeof r;) {
        ssize_t n = getrandom(r + got, sizeof r - got, 0);
        if (n < 0 && errno != EINTR)
            return gx_fail(err, GX_ESKIP, "getrandom: %s (no unguessable name for a shared-memory "
                           "segment)", strerror(errno));
        got += n > 0 ? (size_t)n : 0;
    }
    char hex[2 * RANDOM_BYTES + 1];
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(hex + 2 * i, 3, "%02x", r[i]);
    if ((size_t)snprintf(name, len, "/gpuxfer-%s-%s", what, hex) >= len)
        return gx_fail(err, GX_ERUNTIME, "shared-memory segment name for \"%s\" too long", what);
    return GX_OK;
}

/* ending: the process is ending, no new names from now on. */
static void unname(int ending)
{
    pthread_mutex_lock(&seg.mu);
    if (seg.named)
        shm_unlink(seg.name); /* ENOENT: the peer removed it once it had it open */
    seg.named = 0;
    seg.ending |= ending;
    pthread_mutex_unlock(&seg.mu);
}

void gx_shm_segment_unlink_named(void)
{
    unname(1);
}

static int create_named(const char *what, char *name, size_t len, int *fd, struct gx_err *err)
{
    for (int t = 0; t < NAME_TRIES; t++) {
        GX_TRY(random_name(what, name, len, err));
        pthread_mutex_lock(&seg.mu);
        int ending = seg.ending, e = 0;
        *fd = ending ? -1 : shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
        if (*fd >= 0) {
            snprintf(seg.name, sizeof seg.name, "%s", name);
            seg.named = 1;
        } else {
            e = errno;
        }
        pthread_mutex_unlock(&seg.mu);
        if (ending)
            return gx_fail(err, GX_ESKIP, "the job is ending: no new shared-memory segment");
        if (*fd >= 0)
            return GX_OK;
        if (e != EEXIST)
            return gx_fail(err, GX_ESKIP, "shm_open(%s): %s", name, strerror(e));
    }
    return gx_fail(err, GX_ESKIP, "shm_open: %d fresh random names for a %s segment were all "
                   "taken in /dev/shm", NAME_TRIES, what);
}

/* Not ftruncate alone: a tmpfs too small refuses now, not with SIGBUS at a page's first touch. */
static int allocate(int fd, size_t bytes, struct gx_err *err)
{
    int e;
    do
        e = posix_fallocate(fd, 0, (off_t)bytes);
    while (e == EINTR);
    if (e == 0)
        return GX_OK;
    struct statvfs vfs;
    if (e != ENOSPC || fstatvfs(fd, &vfs) != 0)
        return gx_fail(err, GX_ESKIP, "posix_fallocate of a %zu-byte segment in /dev/shm: %s",
                       bytes, strerror(e));
    /* tmpfs gives back what a failed fallocate took: the free space is what was there. */
    return gx_fail(err, GX_ESKIP, "/dev/shm too small: a segment of %zu bytes asked, %llu free "
                   "of %llu (docs/reliability.md: /dev/shm)", bytes,
                   (unsigned long long)vfs.f_bavail * vfs.f_frsize,
                   (unsigned long long)vfs.f_blocks * vfs.f_frsize);
}

/* As the peer said it made it: a file swapped in is never touched past its end. */
static int open_peers(const char *name, size_t bytes, int *fd, struct gx_err *err)
{
    *fd = shm_open(name, O_RDWR | O_NOFOLLOW, 0600);
    if (*fd < 0)
        return gx_fail(err, GX_ESKIP, "shm_open(%s): %s", name, strerror(errno));
    /* Now, so that a killed job leaves it behind only between its creation and here. */
    shm_unlink(name);
    struct stat st;
    int rc = fstat(*fd, &st) != 0
                 ? gx_fail(err, GX_ESKIP, "fstat(%s): %s", name, strerror(errno))
             : st.st_uid != geteuid() || (uintmax_t)st.st_size < bytes
                 ? gx_fail(err, GX_ESKIP, "%s is not the peer's segment of %zu bytes (owner %ld, "
                           "%jd bytes)", name, bytes, (long)st.st_uid, (intmax_t)st.st_size)
                 : GX_OK;
    if (rc != GX_OK) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}

static int map_fd(int fd, const char *name, size_t bytes, int gpu, struct gx_shm_segment *s,
                  struct gx_err *err)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
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

static int make_mine(const char *what, char *name, size_t len, size_t bytes, int gpu,
                     struct gx_shm_segment *s, struct gx_err *err)
{
    int fd;
    GX_TRY(create_named(what, name, len, &fd, err));
    int rc = allocate(fd, bytes, err);
    if (rc == GX_OK)
        rc = map_fd(fd, name, bytes, gpu, s, err);
    close(fd);
    if (rc != GX_OK) {
        gx_shm_segment_release(s);
        unname(0);
    }
    return rc;
}

static int map_theirs(const char *name, size_t bytes, int gpu, struct gx_shm_segment *s,
                      struct gx_err *err)
{
    int fd;
    GX_TRY(open_peers(name, bytes, &fd, err));
    int rc = map_fd(fd, name, bytes, gpu, s, err);
    close(fd);
    if (rc != GX_OK)
        gx_shm_segment_release(s);
    return rc;
}

struct seg_name {
    char name[NAME_MAX_LEN];
    char why[200]; /* when not ok: why, for the peer's skip reason */
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

static void say(struct seg_name *s, int rc, const struct gx_err *err)
{
    s->ok = rc == GX_OK;
    snprintf(s->why, sizeof s->why, "%.199s", s->ok ? "" : err->msg);
}

/* rc, or either side's first failure with its own reason. */
static int share(const struct gx_ep *ep, const char *what, int rc, struct seg_name *me, int gpu,
                 struct gx_shm_segment *theirs, long *peer_pid, struct gx_err *err)
{
    struct seg_name peer;
    say(me, rc, err);
    GX_TRY(swap(ep, me, &peer, err));
    peer.name[sizeof peer.name - 1] = peer.why[sizeof peer.why - 1] = '\0';
    if (rc == GX_OK && !peer.ok)
        rc = gx_fail(err, GX_ESKIP, "rank %d: %s", ep->peer, peer.why);
    else if (rc == GX_OK)
        rc = map_theirs(peer.name, (size_t)peer.bytes, gpu, theirs, err);
    /* Each side learns the other's mapping before either goes on. */
    int mapped = rc == GX_OK;
    if (me->ok && peer.ok)
        say(me, rc, err);
    GX_TRY(swap(ep, me, &peer, err));
    if (mapped && !peer.ok)
        rc = gx_fail(err, GX_ESKIP, "rank %d could not map this rank's %s segment: %s", ep->peer,
                     what, peer.why);
    *peer_pid = (long)peer.pid;
    return rc;
}

int gx_shm_segment_exchange(const struct gx_ep *ep, const char *what, size_t bytes, int gpu,
                            struct gx_shm_segment *mine, struct gx_shm_segment *theirs,
                            long *peer_pid, struct gx_err *err)
{
    struct seg_name me = {.bytes = bytes, .pid = (int64_t)getpid()};
    int rc = make_mine(what, me.name, sizeof me.name, bytes, gpu, mine, err);
    rc = share(ep, what, rc, &me, gpu, theirs, peer_pid, err);
    /* Every way out: the peer has our segment open, or never will. */
    unname(0);
    if (rc != GX_OK) {
        gx_shm_segment_release(theirs);
        gx_shm_segment_release(mine);
    }
    return rc;
}

int gx_shm_pair_sync(const struct gx_ep *ep, struct gx_err *err)
{
    int mine = 0, theirs;
    GX_MPI_TRY(err, MPI_Sendrecv(&mine, 1, MPI_INT, ep->peer, GX_TAG_SHM_SEGMENT, &theirs, 1,
                                 MPI_INT, ep->peer, GX_TAG_SHM_SEGMENT, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    return GX_OK;
}
