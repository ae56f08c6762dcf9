/*
 * gtlb.c - one-page translation caches for the hypervisor's own accesses
 * to guest memory on the exit path (the call byte, the guest's IDT, the
 * stack a frame is pushed on).  Ring 0.
 *
 * Each keeps one translation the way a TLB entry does: the guest linear
 * page, the hypervisor's pointer to its frame, and what the translation
 * depended on (CR3, CR0.PG, mmu_generation, which every flush bumps, and
 * an INVLPG of a page some cache may hold: gtlb_invlpg).  Like a TLB's,
 * an entry may outlive a change to the guest's tables until the guest
 * flushes it; it always points into guest memory.  A hit skips the walk
 * of the guest's tables; the contents are always read and written live.  A write translation is made by a walk
 * for a write, which sets the dirty bit as the CPU's first write would,
 * and is never used for a page the walk refused (a ROM, a read-only page).
 */
#include "hv.h"

/* The linear pages (gtlb_page_bit) translated by any cache since
 * mmu_generation last moved: every entry that still holds is in it,
 * so an INVLPG of a page outside it leaves every entry as it is. */
uint32_t gtlb_pages;

/* Every cached translation goes (a flush, a new CR3). */
void gtlb_flush(void)
{
    mmu_generation++;
    gtlb_pages = 0;
}

/* gtlb_ptr's miss: walk for the access and refill t; NULL (t emptied)
 * when the n bytes cross a page or the access would fault. */
uint8_t *gtlb_fill(struct gtlb *t, uint32_t va, uint32_t n, int write)
{
    uint32_t off = va & (PAGE_SIZE - 1);
    uint8_t *p = n <= PAGE_SIZE - off ? guest_access_ptr(va, write ? PF_W : 0) : NULL;
    t->base = NULL;
    if (!p)
        return NULL;
    t->base = p - off;
    t->page = va - off, t->cr3 = vcpu0.cr3, t->cr0_pg = vcpu0.cr0 & CR0_PG;
    t->gen = mmu_generation, t->write = write;
    gtlb_pages |= gtlb_page_bit(va);
    return p;
}
