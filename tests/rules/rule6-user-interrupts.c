/*
 * rule6-user-interrupts.c - rule 6: user code always runs with interrupts
 * enabled.  The kernel turns its (virtual) interrupt flag off and enters
 * user mode by an IRET whose EFLAGS image has IF clear; still, the frames
 * of traps from user mode show IF set, and a timer interrupt arrives
 * while the user code runs.
 *
 * Under the hypervisor (hv, hv-novmi) those are the rule.  Natively the
 * CPU takes the image's IF as it is, so the same checks show the
 * difference the rule makes: IF stays clear in ring 3 (and the timer part,
 * which would wait for nothing, is skipped).
 */
#include "rules.h"

#define SPIN_LIMIT   200000000u     /* user-mode polls of the IRQ count */
#define IRQ_TIMER    0u

/* What the user code saw while waiting for the timer. */
struct wait {
    uint32_t start, seen, polls;
};

/* Ring 3: raise #UD. */
static void user_ud2(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
}

/* Ring 3: make one system call. */
static void user_syscall(void *arg)
{
    (void)arg;
    rt_syscall(RT_SYS_COUNT, 0);
}

/* Ring 3: poll the runtime's IRQ 0 count until it moves (bounded). */
static void user_wait_irq(void *arg)
{
    struct wait *w = arg;
    volatile uint32_t *count = &rt_irq_count[IRQ_TIMER];
    for (w->polls = 0; w->polls < SPIN_LIMIT && *count == w->start; w->polls++)
        ;
    w->seen = *count;
}

/* The IF a frame from ring 3 should show: set under the rule, else as
 * the image said (clear). */
static int want_if(void)
{
    return rules_ring1();
}

/* The same #UD from ring 3 twice more: the hypervisor then delivers it
 * from what it remembered of the first (spec section 10, "What an exit
 * costs"), and every frame must be the first one's. */
static void same_frame_again(uint32_t image)
{
    struct rt_fault first = rt_last_fault;
    int same = 1;
    for (int i = 0; i < 2; i++) {
        int v = rt_user_call_flags(user_ud2, NULL, image);
        same &= v == T_UD && rt_last_fault.eip == first.eip && rt_last_fault.cs == first.cs &&
                rt_last_fault.eflags == first.eflags && rt_last_fault.esp == first.esp &&
                rt_last_fault.ss == first.ss;
    }
    report(same, "ud2 in ring 3 twice more: the first frame each time (eip %08x cs %04x "
           "eflags %08x esp %08x ss %04x; last eip %08x cs %04x eflags %08x esp %08x ss %04x)",
           first.eip, first.cs, first.eflags, first.esp, first.ss, rt_last_fault.eip,
           rt_last_fault.cs, rt_last_fault.eflags, rt_last_fault.esp, rt_last_fault.ss);
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    const uint32_t image = EFLAGS_FIXED;      /* IF clear */
    const char *why = rules_ring1() ? "rule 6" : "native: the image's IF stays";
    vmi_disable_interrupts();

    int v = rt_user_call_flags(user_ud2, NULL, image);
    report(v == T_UD && (rt_last_fault.cs & SEL_RPL_MASK) == RT_RING_USER,
           "ud2 in ring 3 came back as #UD from cs %04x (%d)", rt_last_fault.cs, v);
    report(!!(rt_last_fault.eflags & EFLAGS_IF) == want_if(),
           "%s: the #UD frame's EFLAGS image %08x has IF %s", why, rt_last_fault.eflags,
           want_if() ? "set" : "clear");
    same_frame_again(image);

    v = rt_user_call_flags(user_syscall, NULL, image);
    report(v == RT_NO_FAULT && !!(rt_last_syscall.eflags & EFLAGS_IF) == want_if(),
           "%s: the system call's frame %08x has IF %s", why, rt_last_syscall.eflags,
           want_if() ? "set" : "clear");
    if (rules_ring1() && !rules_vmi())
        report_skip("the kernel's interrupt flag afterwards: PUSHF cannot see the virtual IF");
    else
        report(!(vmi_get_interrupt_mask() & VMI_INTERRUPTS_ENABLED),
               "back in the kernel, its interrupt flag is off again");

    if (!rules_ring1()) {
        report_skip("a timer interrupt in ring 3 with IF clear: natively none comes");
        return;
    }
    struct wait w = { .start = rt_irq_count[IRQ_TIMER] };
    rules_pic_mask(RULES_PIC_ALL & ~(1u << IRQ_TIMER));
    rules_pit_periodic(RULES_PIT_1MS);
    v = rt_user_call_flags(user_wait_irq, &w, image);
    rules_pit_stop();
    rules_pic_mask(RULES_PIC_ALL);
    report(v == RT_NO_FAULT && w.seen != w.start,
           "rule 6: IRQ 0 reached the handler while user code ran with the kernel's IF off "
           "(count %u -> %u after %u polls)", w.start, w.seen, w.polls);
    report((rt_last_irq.cs & SEL_RPL_MASK) == RT_RING_USER,
           "rule 6: it interrupted ring 3 (frame cs %04x, eflags %08x)",
           rt_last_irq.cs, rt_last_irq.eflags);
}
