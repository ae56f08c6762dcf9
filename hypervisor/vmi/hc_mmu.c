/*
 * hc_mmu.c - the VMI MMU calls.  Ring 0.
 *
 * The shadow page tables are a TLB of the guest's own tables (mmu.c), so
 * the calls that change what a TLB holds act (SetCR3 in hc_cpu.c,
 * InvalPage, FlushTLB).  The ROM stores a SetPxE entry itself and logs
 * the page-table changes of SetPxE, UpdatePxE, AllocatePage and
 * ReleasePage in the per-vCPU page (spec/hyperrom.h, hr_pt_log); they
 * enter the hypervisor only when that log is full, and then bring their
 * own change after the log's.  SetLinearMapping needs nothing.
 */
#include "hypercall.h"

#define PXE_LONG_BYTES 8u

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
    mmu_pt_logged(tf->edx, HR_PT_LOG_WRITE4);
}

/* SetPxELong(entry EDX:EAX, ptr ECX, flags on the stack): the store only;
 * PAE paging is not offered (CR4.PAE stays clear). */
void hc_SetPxELong(struct trapframe *tf)
{
    uint32_t v[2] = { tf->eax, tf->edx };
    store_entry(tf, tf->ecx, v, PXE_LONG_BYTES);
    mmu_pt_logged(tf->ecx, HR_PT_LOG_WRITE8);
}

/* UpdatePxE(ptr EAX, flags EDX): the guest stored the entry itself. */
void hc_UpdatePxE(struct trapframe *tf)
{
    mmu_pt_logged(tf->eax, HR_PT_LOG_WRITE4);
}

void hc_UpdatePxELong(struct trapframe *tf)
{
    mmu_pt_logged(tf->eax, HR_PT_LOG_WRITE8);
}

/* AllocatePage(pfn EAX, ...), ReleasePage(pfn EAX, flags EDX): a page
 * becomes, or stops being, a page table: its old shadows go. */
void hc_AllocatePage(struct trapframe *tf)
{
    mmu_pt_logged(tf->eax, HR_PT_LOG_ALLOC);
}

void hc_ReleasePage(struct trapframe *tf)
{
    mmu_pt_logged(tf->eax, HR_PT_LOG_RELEASE);
}

/* InvalPage(va EAX): INVLPG. */
void hc_InvalPage(struct trapframe *tf)
{
    mmu_invlpg(tf->eax);
}

/* FlushTLB(flags EAX): TLB, or TLB | GLOBAL (mmu.c keeps no global entries). */
void hc_FlushTLB(struct trapframe *tf)
{
    if (tf->eax & (VMI_FLUSH_TLB | VMI_FLUSH_GLOBAL))
        mmu_flush((tf->eax & VMI_FLUSH_GLOBAL) != 0);
}

/* SetLinearMapping(slot, va, pages, pfn): where the guest maps something
 * of the ROM's; the ROM needs no mapping of its own, so it is noted only. */
void hc_SetLinearMapping(struct trapframe *tf) { (void)tf; }
