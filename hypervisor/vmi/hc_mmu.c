/*
 * hc_mmu.c - the VMI MMU calls.  Ring 0.
 *
 * The shadow page tables are a TLB of the guest's own tables (mmu.c), so
 * the calls that change what a TLB holds act (SetCR3 in hc_cpu.c,
 * InvalPage, FlushTLB) and the rest are stores or notifications:
 * SetPxE writes the entry (a plain store would do as well), UpdatePxE,
 * AllocatePage, ReleasePage and SetLinearMapping need nothing from a TLB.
 * A notification for the current address space with a linear address
 * (VMI_PAGE_CURRENT_AS) still drops that address's shadow entry, so the
 * shadow follows the change even before the guest's own flush.
 */
#include "hypercall.h"

#define PXE_LONG_BYTES 8u

/* The linear address a PxE update names for the current address space, if any. */
static void drop_named(uint32_t flags)
{
    if (flags & VMI_PAGE_CURRENT_AS)
        mmu_invlpg(flags & VMI_PAGE_VA_MASK);
}

/* Store n bytes at the guest's entry pointer ptr, or fault at the call
 * site as the store itself would. */
static void store_entry(struct trapframe *tf, uint32_t ptr, const void *v, uint32_t n)
{
    if (guest_write(ptr, v, n))
        hc_page_fault(tf, ptr, n, PF_W);
}

/* SetPxE(entry EAX, ptr EDX, flags ECX). */
void hc_SetPxE(struct trapframe *tf)
{
    store_entry(tf, tf->edx, &tf->eax, sizeof(tf->eax));
    drop_named(tf->ecx);
}

/* SetPxELong(entry EDX:EAX, ptr ECX, flags on the stack): the store only;
 * PAE paging is not offered (CR4.PAE stays clear). */
void hc_SetPxELong(struct trapframe *tf)
{
    uint32_t v[2] = { tf->eax, tf->edx }, flags = hc_arg4(tf);
    store_entry(tf, tf->ecx, v, PXE_LONG_BYTES);
    drop_named(flags);
}

/* UpdatePxE(ptr EAX, flags EDX): the guest stored the entry itself. */
void hc_UpdatePxE(struct trapframe *tf)
{
    drop_named(tf->edx);
}

void hc_UpdatePxELong(struct trapframe *tf)
{
    drop_named(tf->edx);
}

/* AllocatePage, ReleasePage: a page becomes, or stops being, a page table.
 * The shadow reads the guest's tables wherever CR3 leads, so nothing to do. */
void hc_AllocatePage(struct trapframe *tf) { (void)tf; }
void hc_ReleasePage(struct trapframe *tf) { (void)tf; }

/* InvalPage(va EAX): INVLPG. */
void hc_InvalPage(struct trapframe *tf)
{
    mmu_invlpg(tf->eax);
}

/* FlushTLB(flags EAX): the shadow keeps no global entries, so TLB and
 * TLB | GLOBAL both forget everything. */
void hc_FlushTLB(struct trapframe *tf)
{
    if (tf->eax & (VMI_FLUSH_TLB | VMI_FLUSH_GLOBAL))
        mmu_flush();
}

/* SetLinearMapping(slot, va, pages, pfn): where the guest maps something
 * of the ROM's; the ROM needs no mapping of its own, so it is noted only. */
void hc_SetLinearMapping(struct trapframe *tf) { (void)tf; }
