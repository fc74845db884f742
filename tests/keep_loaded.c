/* Linked into the sanitizer build's programs by tests/sanitizers.sh (never into gpuxfer as
 * built for use): a dlclose that keeps the libraries' plugins loaded until exit. Open MPI,
 * PMIx and hwloc close their plugins (mca_*.so and the like) in MPI_Finalize, and the
 * allocations those plugins keep until exit then have stacks through code no longer mapped,
 * and LeakSanitizer's matching of them to tests/lsan.supp at each process's exit cost more CPU
 * than the run itself. With the plugins still mapped, a frame's module names the library at
 * once. Leaks are found as before: a suppression still needs a library's frame in the
 * allocation's stack, and gpuxfer's own dlclose calls (NVML, UCX) close for real. */
#define _GNU_SOURCE 1
#include <dlfcn.h>

int dlclose(void *handle)
{
    Dl_info self, caller;
    if (dladdr((void *)dlclose, &self) && dladdr(__builtin_return_address(0), &caller) &&
        self.dli_fbase == caller.dli_fbase) {
        int (*real)(void *);
        *(void **)&real = dlsym(RTLD_NEXT, "dlclose");
        return real ? real(handle) : 0;
    }
    return 0;
}
