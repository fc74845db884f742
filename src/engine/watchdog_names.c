/* Whom the watchdog names when a measurement or phase outlasts its time: the ranks that do not
 * answer its roll call, else those behind the rest of their pair or group. */
#include "config.h"
#include "watchdog_state.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void gx_wd_ranks_text(const int *ranks, int n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used + 16 < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "", ranks[i]);
    if (n > 0 && used + 16 >= len)
        snprintf(buf + used, len - used, ",...");
}

/* The ranks that do not answer are the ones that stopped, whatever rank 0 waits on. */
static int ask_ranks(char *msg, size_t len, int *silent, uint64_t *position)
{
    char answers[600], list[256];
    int n = gx_rollcall_ask(&gx_wd.rc, RANK0_GRACE_S, silent, MAX_RANKS, position, answers,
                            sizeof answers);
    size_t used = strlen(msg);
    if (n > 0) {
        gx_wd_ranks_text(silent, n, list, sizeof list);
        used += (size_t)snprintf(msg + used, len - used,
                                 "; rank%s %s did not answer (stopped or dead)%s%s",
                                 n == 1 ? "" : "s", list, gx_wd.last[0] ? "; the last results "
                                 "gathered from every rank: " : "", gx_wd.last);
    }
    if (used < len)
        snprintf(msg + used, len - used, "%s", answers);
    return n > 0 ? n : 0;
}

/* The members of a pair or group behind the rest of theirs, who wait in a call that those
 * have not made (or past the measurement, for a phase: the whole job is one unit). Members are
 * listed unit by unit. Ranks that did not answer say nothing of where they are: none then. */
static int not_arrived(const int *r, const int *unit, int n, const uint64_t *position,
                       int *late)
{
    int nl = 0;
    for (int i = 0, end; i < n; i = end) {
        uint64_t most = 0;
        int answered = 1;
        for (end = i; end < n && unit[end] == unit[i]; end++) {
            answered &= position[r[end]] != GX_ROLLCALL_SILENT;
            most = position[r[end]] > most ? position[r[end]] : most;
        }
        for (int k = i; answered && k < end; k++)
            if (position[r[k]] < most)
                late[nl++] = r[k];
    }
    return nl;
}

/* The ranks to name and why: silent ones, else those that did not arrive, else every one. */
const int *gx_wd_named_ranks(char *msg, size_t len, const int *r, const int *unit, int *n,
                              int measuring)
{
    static int silent[MAX_RANKS], late[MAX_RANKS], all[MAX_RANKS], units[MAX_RANKS];
    int size = gx_wd.rc.size > 0 ? gx_wd.rc.size : 1;
    uint64_t *position = calloc((size_t)size, sizeof *position);
    int ns = ask_ranks(msg, len, silent, position);
    if (ns || !position) {
        free(position);
        *n = ns ? ns : *n;
        return ns ? silent : r;
    }
    pthread_mutex_lock(&gx_wd.mu);
    position[0] = gx_wd_position_locked();
    pthread_mutex_unlock(&gx_wd.mu);
    const int *took_part = r;
    int ntook = *n;
    if (!measuring) { /* a phase: every rank takes part */
        for (int i = 0; i < size && i < MAX_RANKS; i++)
            all[i] = i, units[i] = 0;
        r = all, unit = units, *n = size < MAX_RANKS ? size : MAX_RANKS;
    }
    int nl = not_arrived(r, unit, *n, position, late);
    free(position);
    *n = nl ? nl : ntook;
    if (!nl)
        return took_part;
    char list[256], of[32];
    size_t used = strlen(msg);
    gx_wd_ranks_text(late, nl, list, sizeof list);
    pthread_mutex_lock(&gx_wd.mu);
    int pairs = measuring && !gx_wd.groups;
    pthread_mutex_unlock(&gx_wd.mu);
    snprintf(of, sizeof of, !measuring ? "the job" : nl == 1 ? "its %s" : "their %ss",
             pairs ? "pair" : "group");
    if (used < len)
        snprintf(msg + used, len - used, "; rank%s %s did not arrive: the rest of %s wait%s "
                 "in a call that %s not made", nl == 1 ? "" : "s", list, of,
                 pairs && nl == 1 ? "s" : "",
                 nl == 1 ? "it has" : "they have");
    return late;
}

