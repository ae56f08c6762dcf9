/*
 * lazy.c - lazy mode (spec section 9): updates the ROM queues in the
 * per-vCPU area and the hypervisor applies at the next exit.  A queued
 * update must be in effect wherever the guest can observe it (here: a
 * segment load of a slot written in lazy mode, GetCR3 after SetCR3), and
 * the rules must hold for queued entries: a bad one ends the guest at the
 * flush, naming the rule; so does a queue no ROM could have written.
 *
 * Kernel modes: hv (the queue is the ROM's; natively and in hv-novmi the
 * calls are the instructions themselves).
 */
#include "hostile.h"

#define LAZY_SLOT     HOSTILE_SLOT              /* a GDT slot the runtime leaves free */
#define WILD_COUNT    0x10000u                  /* more entries than the queue holds */
#define DPL_RING2     2u                        /* no guest ring: validation refuses it */
#define CPUID_FIXED   1u                        /* a leaf that is a hypercall */

static volatile struct hr_vcpu_area *const area = (struct hr_vcpu_area *)HR_VCPU_AREA;

/* A flat data descriptor of dpl written to our loaded GDT's free slot in
 * lazy mode, then lazy mode left: the flush validates it. */
static void write_slot_lazy(unsigned dpl)
{
    struct seg_desc d = hostile_flat(DESC_DATA_WRITE, dpl);
    vmi_set_lazy_mode(VMI_LAZY_CPU);
    vmi_write_gdt_entry(rt_gdt, LAZY_SLOT, desc_lo(&d), desc_hi(&d));
    report(area->queued == 1, "WriteGDTEntry in lazy mode is queued (%u entries)", area->queued);
    vmi_set_lazy_mode(VMI_LAZY_NONE);
}

/* A slot written in lazy mode and loaded before the flush: the load's
 * fault is an exit, which applies the queue, and the load then works. */
static void load_before_flush(void)
{
    struct seg_desc d = hostile_flat(DESC_DATA_WRITE, HOSTILE_DPL_K);
    vmi_write_gdt_entry(rt_gdt, LAZY_SLOT, 0, 0);           /* not present */
    vmi_set_lazy_mode(VMI_LAZY_CPU);
    vmi_write_gdt_entry(rt_gdt, LAZY_SLOT, desc_lo(&d), desc_hi(&d));
    int v = hostile_load_fs(SEL(LAZY_SLOT, 0, rt_seg.cpl));
    report(area->queued == 0, "the exit applied the queue (%u left)", area->queued);
    vmi_set_lazy_mode(VMI_LAZY_NONE);
    hostile_judge(v, "a segment load of a slot written in lazy mode");
}

/* SetCR3 in lazy mode: GetCR3 answers the new value before the flush. */
static void cr3_before_flush(void)
{
    uint32_t old = vmi_get_cr3(), want = old ^ HP_PAGE;   /* paging is off: unused */
    vmi_set_lazy_mode(VMI_LAZY_MMU);
    vmi_set_cr3(want);
    uint32_t seen = vmi_get_cr3();
    uint32_t queued = area->queued;
    vmi_set_cr3(old);
    vmi_set_lazy_mode(VMI_LAZY_NONE);
    report(queued == 1, "SetCR3 in lazy mode is queued (%u)", queued);
    report(seen == want, "GetCR3 after a queued SetCR3: %x (set %x)", seen, want);
    report(vmi_get_cr3() == old, "after the flush GetCR3 is %x (%x)", vmi_get_cr3(), old);
    hostile_judge(RT_NO_FAULT, "SetCR3 queued in lazy mode");
}

static void gdt_ring2(void) { write_slot_lazy(DPL_RING2); }

/* UpdateKernelStack with a ring-3 stack, queued: rule 2 at the flush. */
static void kstack_ring3(void)
{
    uint32_t here = 0;
    vmi_set_lazy_mode(VMI_LAZY_CPU);
    vmi_update_kernel_stack(rt_seg.user_ds, (uint32_t)&here);
    vmi_set_lazy_mode(VMI_LAZY_NONE);
}

/* A queue count no ROM writes, then any exit. */
static void wild_count(void)
{
    uint32_t r[4];
    area->queued = WILD_COUNT;
    vmi_cpuid(CPUID_FIXED, 0, r);
}

/* A queued call the ROM never queues (Halt), then any exit. */
static void wild_call(void)
{
    uint32_t r[4];
    area->queue[0].call = VMI_CALL_Halt;
    area->queued = 1;
    vmi_cpuid(CPUID_FIXED, 0, r);
}

static const struct hostile_case lazy_cases[] = {
    { "lazy-load-before-flush", load_before_flush },
    { "lazy-cr3-before-flush", cr3_before_flush },
    { "lazy-gdt-ring2", gdt_ring2 },
    { "lazy-kstack-ring3", kstack_ring3 },
    { "lazy-wild-count", wild_count },
    { "lazy-wild-call", wild_call },
};

void guest_main(const char *cmdline)
{
    (void)cmdline;
    hostile_main(lazy_cases, HOSTILE_COUNT(lazy_cases));
}
