/*
 * idt-gates.c - an exception whose guest IDT gate cannot be used ends the
 * guest naming "no guest handler" (where a CPU would escalate to a double
 * fault or a triple fault), with the hypervisor still healthy.  It must
 * never run the guest at an address the CPU would refuse: under QEMU's
 * TCG segment limits go unchecked, so a handler past virtual_top would
 * otherwise run in ring 1 inside the hypervisor's area.
 *
 *   case=absent  (default) #UD's gate is marked not present;
 *   case=beyond  #UD's gate points past the code segment's limit.
 *
 * Modes hv and hv-novmi: tests/guest.cfg expects the termination.
 */
#include "rules.h"

#define VEC_UD          6u
#define HANDLER_PAST    (HR_VIRTUAL_TOP + 0x1000u)   /* in the hypervisor's area */
#define GATE_PRESENT    0x80u

/* Replace #UD's gate with g, through the shim (WriteIDTEntry or a store). */
static void set_ud_gate(struct gate_desc g)
{
    vmi_write_idt_entry(rt_idt, VEC_UD, desc_lo(&g), desc_hi(&g));
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    const char *c = rules_case("absent");
    struct gate_desc g = desc_gate((uint32_t)guest_main, 0, GATE_INT32);
    if (!rules_ring1()) {
        report_skip("unusable gates: natively the CPU itself would double-fault");
        return;
    }
    if (!strcmp(c, "absent")) {
        g.type_attr &= (uint8_t)~GATE_PRESENT;
        rules_expect_termination("no guest handler", "#UD with its gate not present");
    } else if (!strcmp(c, "beyond")) {
        g.offset_lo = (uint16_t)HANDLER_PAST;
        g.offset_hi = (uint16_t)(HANDLER_PAST >> 16);
        rules_expect_termination("no guest handler", "#UD with its handler past virtual_top");
    } else {
        report(0, "unknown case=%s", c);
        return;
    }
    set_ud_gate(g);
    __asm__ volatile("ud2");
    rules_survived("an exception with no usable handler");
    report_summary();
}
