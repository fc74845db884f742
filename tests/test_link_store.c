/* Rank 0's store of the link facts: a rank's facts sent, checked and kept come back whole
 * (every number, string and peer), facts that are not whole are refused, the strings every rank
 * repeats are held once, and what rank 0 holds per rank for 16 ranks on two nodes of 8 GPUs. */
#include "links_store.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* Rank r on nodes of 8 GPUs, a rank each, with its 7 peers, as NVML and sysfs tell them: the
 * strings real nodes repeat. */
static void facts_of_rank(int r, struct gx_link_facts *f)
{
    memset(f, 0, sizeof *f);
    f->rank = r;
    f->node = r / 8;
    f->has_gpu = 1;
    snprintf(f->busid, sizeof f->busid, "0000:%02x:00.0", 0x18 + r % 8 * 8);
    /* Member by member: the padding stays as memset left it, for same()'s memcmp. */
    f->pcie.cur_gen = f->pcie.max_gen = 5;
    f->pcie.cur_width = f->pcie.max_width = 16;
    f->pcie.cur_src = GX_SRC_NVML;
    f->pcie.max_src = GX_SRC_SYSFS;
    f->pcie.hwloc_gbs = 63.02;
    f->pcie.under_load = r % 2;
    f->nvlink.nvml_version = 6;
    f->nvlink.links = 18;
    f->nvlink.active = 18 - r % 3;
    snprintf(f->nic.name, sizeof f->nic.name, "mlx5_%d", r % 8 / 2);
    f->nic.gbits = 400;
    f->nic.src = GX_SRC_SYSFS;
    snprintf(f->nic.where, sizeof f->nic.where, "/sys/class/infiniband/%s/ports/1/rate",
             f->nic.name);
    for (int p = r / 8 * 8; p < r / 8 * 8 + 8; p++) {
        if (p == r)
            continue;
        struct gx_peer_link *pl = &f->peers[f->npeers++];
        pl->rank = p;
        pl->nvlinks = p % 4 ? 18 : 0;
        if (!pl->nvlinks)
            snprintf(pl->pci, sizeof pl->pci, "%s", p % 8 ? "SYS" : "PIX");
    }
}

/* Whether a and b say the same, to the byte: every number, every string and the rest of its
 * field (zeros, as memset left them), every peer (those not in use: zeros). */
static int same(const struct gx_link_facts *a, const struct gx_link_facts *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static int round_trip(const struct gx_link_facts *f, struct gx_link_store *s)
{
    struct gx_link_facts back, whole;
    return gx_link_facts_unpack(f, sizeof *f, &back) == 0 && same(f, &back) &&
           gx_link_store_add(s, &back) == 0 && gx_link_facts_of(s, s->n - 1, &whole) == 0 &&
           same(f, &whole);
}

int main(void)
{
    struct gx_link_store s = {0};
    struct gx_link_facts f;
    int whole = 1;
    for (int r = 0; r < 16; r++) {
        facts_of_rank(r, &f);
        whole &= round_trip(&f, &s);
    }
    ok(whole && s.n == 16, "16 ranks' facts sent, checked, kept and taken whole again: the same");
    /* Long strings, at the most their fields hold, and no GPU. */
    memset(&f, 0, sizeof f);
    f.rank = 16;
    f.nvlink.links = f.nvlink.active = f.c2c.links = f.c2c.active = -1;
    memset(f.pcie.why, 'p', sizeof f.pcie.why - 1);
    memset(f.nic.where, 'w', sizeof f.nic.where - 1);
    memset(f.nic.name, 'n', sizeof f.nic.name - 1);
    ok(round_trip(&f, &s), "strings as long as their fields hold, a rank without a GPU: the same");
    ok(gx_link_facts_of(&s, 17, &f) != 0 && gx_link_facts_of(&s, -1, &f) != 0 &&
           gx_link_facts_of(NULL, 0, &f) != 0 && !gx_link_rec_of(NULL, 0),
       "no record past the last, before the first, or without a store");

    /* Each string once: a node's 8 bus ids, 4 NICs and their files, 2 PCI links' names, and
     * the last rank's three long ones. */
    ok(s.pool.n == 8 + 4 + 4 + 2 + 3, "every string held once for the job: %zu strings",
       s.pool.n);
    const struct gx_link_rec *r3 = gx_link_rec_of(&s, 3), *r5 = gx_link_rec_of(&s, 5);
    ok(r3 && r5 && r3->nvlink.active == 18 && r5->nvlink.active == 16 && r3->busid != r5->busid &&
           !strcmp(gx_link_str(&s, r3->busid), "0000:30:00.0") && r3->npeers == 7,
       "a record read directly: its numbers, its bus id in the pool, its 7 peers");

    /* Facts that are not whole: cut short, with bytes after them, a string without its end in
     * its field, peers past the facts' room. */
    facts_of_rank(1, &f);
    unsigned char bad[sizeof f + 1];
    struct gx_link_facts back, wrong = f;
    memcpy(bad, &f, sizeof f);
    int refused = gx_link_facts_unpack(bad, sizeof f - 1, &back) != 0 &&
                  gx_link_facts_unpack(bad, sizeof f + 1, &back) != 0;
    memset(wrong.busid, 'b', sizeof wrong.busid);
    refused = refused && gx_link_facts_unpack(&wrong, sizeof wrong, &back) != 0;
    wrong = f;
    wrong.npeers = GX_LINK_PEERS + 1;
    refused = refused && gx_link_facts_unpack(&wrong, sizeof wrong, &back) != 0;
    ok(refused, "facts cut short, too long, with a string past its field or too many peers: "
       "refused");

    /* What rank 0 holds for 16 ranks on two nodes of 8 GPUs. */
    struct gx_link_store node = {0};
    for (int r = 0; r < 16; r++) {
        facts_of_rank(r, &f);
        gx_link_store_add(&node, &f);
    }
    gx_link_store_trim(&node);
    size_t held = node.cap * sizeof *node.recs + node.peers_cap * sizeof *node.peers +
                  gx_strpool_bytes(&node.pool);
    printf("# 16 ranks: %zu bytes held (%zu a rank; record %zu, peer %zu, pool %zu), "
           "%zu a rank before\n", held, held / 16, sizeof(struct gx_link_rec),
           sizeof(struct gx_peer_rec), gx_strpool_bytes(&node.pool), sizeof(struct gx_link_facts));
    ok(held / 16 <= 300, "a rank of a node of 8 GPUs costs rank 0 %zu bytes (its facts: %zu)",
       held / 16, sizeof(struct gx_link_facts));
    gx_link_store_free(&node);
    gx_link_store_free(&s);
    return tap_done();
}
