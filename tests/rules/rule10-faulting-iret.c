/*
 * rule10-faulting-iret.c - rule 10: an IRET whose frame no CPU would
 * accept terminates the guest naming "faulting IRET" (and the selector),
 * with the hypervisor still healthy; it must never fault in the
 * hypervisor itself.
 *
 * The IRET goes through the shim's IRET entry (the ROM's), which has two
 * paths: with nothing pending a native IRET in ring 1 ("fast"); with an
 * interrupt pending and the frame enabling interrupts, the IRET hypercall
 * ("slow").  The slow cases first make IRQ 0 pending: the PIT runs, its
 * line is unmasked and the virtual interrupt flag is off until the IRET.
 *
 *   case=fast-cs   (default) CS = the kernel's data selector, nothing pending;
 *   case=slow-cs   the same CS, an interrupt pending;
 *   case=slow-ss   to ring 3 with SS = the kernel's (ring-1) data selector;
 *   case=slow-eip  EIP beyond the code segment's limit.
 *
 * Mode hv only: tests/guest.cfg expects the termination.
 */
#include "rules.h"

#define WAIT_POLLS    1000000u      /* IRR polls before giving up on IRQ 0 */
#define EIP_PAST_TOP  (HR_VIRTUAL_TOP + 0x1000u)
#define USER_STACK    256u          /* a ring-3 stack the IRET never reaches */

/* IRET through the shim with the frame eip, cs, eflags (and esp, ss when
 * outer is set). */
static void iret_frame(uint32_t eip, uint32_t cs, uint32_t eflags, int outer,
                       uint32_t esp, uint32_t ss)
{
    if (outer)
        __asm__ volatile("pushl %0\n\tpushl %1" :: "r"(ss), "r"(esp) : "memory");
    __asm__ volatile("pushl %0\n\tpushl %1\n\tpushl %2\n\tjmp *%3"
                     :: "r"(eflags), "r"(cs), "r"(eip), "r"(VMI_ENTRY(IRET)) : "memory");
}

/* Make IRQ 0 pending: the PIT runs, line 0 unmasked, the virtual IF off. */
static void make_pending(void)
{
    vmi_disable_interrupts();
    rules_pic_mask(RULES_PIC_ALL & ~1u);
    rules_pit_periodic(RULES_PIT_1MS);
    report(rules_wait_requested(0, WAIT_POLLS), "IRQ 0 is pending before the IRET");
}

/* Where a good IRET would have gone. */
static void landing(void)
{
    rules_survived("an IRET the CPU would refuse");
    report_summary();
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    const char *c = rules_case("fast-cs");
    uint32_t image = EFLAGS_FIXED | EFLAGS_IF;
    static uint8_t user_stack[USER_STACK] __attribute__((aligned(16)));
    if (!rules_vmi()) {
        report_skip("the IRET entry's checks: this kernel does not use the ROM");
        return;
    }
    if (!strcmp(c, "fast-cs")) {
        rules_expect_termination("faulting IRET", "IRET to a data selector as CS, fast path");
        vmi_disable_interrupts();
        iret_frame((uint32_t)landing, rt_seg.kernel_ds, image, 0, 0, 0);
    } else if (!strcmp(c, "slow-cs")) {
        make_pending();
        rules_expect_termination("faulting IRET", "IRET to a data selector as CS, hypercall path");
        iret_frame((uint32_t)landing, rt_seg.kernel_ds, image, 0, 0, 0);
    } else if (!strcmp(c, "slow-ss")) {
        make_pending();
        rules_expect_termination("faulting IRET", "IRET to ring 3 with a ring-1 SS");
        iret_frame((uint32_t)landing, rt_seg.user_cs, image, 1,
                   (uint32_t)(user_stack + sizeof(user_stack)), rt_seg.kernel_ds);
    } else if (!strcmp(c, "slow-eip")) {
        make_pending();
        rules_expect_termination("faulting IRET", "IRET to an EIP past the code segment");
        iret_frame(EIP_PAST_TOP, rt_seg.kernel_cs, image, 0, 0, 0);
    } else {
        report(0, "unknown case=%s", c);
        return;
    }
    landing();
}
