/*
 * cpuval.c - what a guest may put in CR0, CR4, EFLAGS and its MSRs.  Pure
 * logic, so host unit tests link it directly; hc_cpu.c and hc_iret.c
 * apply it.
 */
#include "cpuval.h"

#define CR0_GUEST_BITS (CR0_MP | CR0_EM | CR0_TS | CR0_NE | CR0_WP | CR0_AM | CR0_ET | CR0_PG)
#define CR0_CACHE_BITS (CR0_CD | CR0_NW)          /* accepted, no effect */
#define CR4_DE         0x00000008u
#define CR4_OSFXSR     0x00000200u
#define CR4_OSXMMEXCPT 0x00000400u
#define CR4_GUEST_BITS (CR4_TSD | CR4_DE | CR4_PSE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT)

/* 1 if the guest may load v into its CR0: protected mode stays on; paging
 * (shadowed, mmu.c) and the FPU/alignment/cache bits vary, but NW only
 * with CD, as the CPU demands. */
int cr0_guest_ok(uint32_t v)
{
    if ((v & CR0_NW) && !(v & CR0_CD))
        return 0;                         /* #GP on a CPU (SDM: MOV to CR0) */
    return (v & CR0_PE) && !(v & ~(CR0_GUEST_BITS | CR0_PE | CR0_CACHE_BITS));
}

/* 1 if the guest may load v into its CR4 (no VME, PVI, PAE...). */
int cr4_guest_ok(uint32_t v)
{
    return !(v & ~CR4_GUEST_BITS);
}

/* The real EFLAGS to resume a guest with, from the image it asked for:
 * its arithmetic and control flags, never IOPL, VM, NT or RF, and the
 * real IF always set (the virtual one lives in the per-vCPU area). */
uint32_t eflags_from_guest(uint32_t image)
{
    return (image & EFLAGS_GUEST_MASK) | EFLAGS_FIXED | EFLAGS_IF;
}

/* The virtual IF after returning to a context with this image: the
 * image's IF for ring 1, always set for ring 3 (rule 6). */
uint32_t virt_if_after_return(uint32_t image, uint32_t rpl)
{
    return rpl == 3 ? EFLAGS_IF : (image & EFLAGS_IF);
}

/* The virtual SYSENTER register msr names in s, or NULL for another MSR. */
static uint32_t *sysenter_slot(uint32_t msr, struct msr_sysenter *s)
{
    switch (msr) {
    case MSR_SYSENTER_CS: return &s->cs;
    case MSR_SYSENTER_ESP: return &s->esp;
    case MSR_SYSENTER_EIP: return &s->eip;
    default: return NULL;
    }
}

/* RDMSR of msr: 1 with *value (the TSC given, or a SYSENTER register of
 * s, upper half 0) when the guest may read it; 0 for #GP, as natively for
 * an MSR the CPU does not have. */
int msr_guest_read(uint32_t msr, uint64_t tsc, const struct msr_sysenter *s,
                   uint64_t *value)
{
    struct msr_sysenter copy = *s;
    uint32_t *slot = sysenter_slot(msr, &copy);

    if (msr == MSR_TSC)
        *value = tsc;
    else if (slot)
        *value = *slot;
    else
        return 0;
    return 1;
}

/* WRMSR of value to msr: 1 with the SYSENTER register in s set to the low
 * half (EAX; EDX is ignored, the registers being 32-bit here); 0 for #GP:
 * any other MSR, the TSC included. */
int msr_guest_write(uint32_t msr, uint64_t value, struct msr_sysenter *s)
{
    uint32_t *slot = sysenter_slot(msr, s);

    if (!slot)
        return 0;
    *slot = (uint32_t)value;
    return 1;
}
