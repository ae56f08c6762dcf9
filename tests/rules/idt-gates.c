/*
 * idt-gates.c - an exception whose guest IDT gate cannot be used turns
 * into the fault a CPU raises for that gate, delivered through the
 * guest's own handler for it (Intel SDM vol. 3, 6.12.1 and 6.13: the
 * error code names the vector, with the IDT and EXT bits); only when that
 * gate is broken too, where a CPU would double-fault, does the guest end
 * ("no guest handler"), with the hypervisor still healthy.  It must never
 * run the guest at an address the CPU would refuse: under QEMU's TCG
 * segment limits go unchecked, so a handler past virtual_top would
 * otherwise run in ring 1 inside the hypervisor's area.
 *
 *   case=absent  (default) #UD's gate is not present: #NP, error 6*8+2
 *                (IDT bit; EXT stays clear for an exception, as the
 *                CPU the native run uses, QEMU's, shows);
 *   case=beyond  #UD's gate points past the code segment's limit: #GP,
 *                error 0 (hv and hv-novmi only: natively the runtime's
 *                code segment reaches 4 GiB);
 *   case=double  #UD's and #NP's gates are both not present: the guest
 *                ends, as a CPU would double-fault (hv, hv-novmi);
 *   case=changed #UD three times through its working gate (the hypervisor
 *                then remembers the gate's checks, and the third takes the
 *                trap entry's own path: spec section 10, "What an exit
 *                costs"), then the gate made not present by a plain
 *                store into the IDT: #NP as in case=absent, not the
 *                remembered delivery; then the old gate back, #UD again.
 */
#include "rules.h"

#define VEC_UD          6u
#define HANDLER_PAST    (HR_VIRTUAL_TOP + 0x1000u)   /* in the hypervisor's area */
#define GATE_PRESENT    0x80u
#define VEC_NP          11u
#define ERR_IDT         0x2u                          /* SDM 6.13: IDT index      */
#define ERR_UD_GATE     (VEC_UD * 8u | ERR_IDT)

/* Replace #UD's gate with g, through the shim (WriteIDTEntry or a store). */
static void set_ud_gate(struct gate_desc g)
{
    vmi_write_idt_entry(rt_idt, VEC_UD, desc_lo(&g), desc_hi(&g));
}

/* Raise #UD. */
static void raise_ud(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    const char *c = rules_case("absent");
    struct gate_desc g = desc_gate((uint32_t)guest_main, 0, GATE_INT32);
    g.selector = rt_seg.kernel_cs;
    if (!strcmp(c, "absent")) {
        g.type_attr &= (uint8_t)~GATE_PRESENT;
        set_ud_gate(g);
        int v = try_call(raise_ud, NULL);
        report(v == T_NP && rt_last_fault.error == ERR_UD_GATE,
               "#UD through a not-present gate raises #NP, error %x (got vector %d, error %x)",
               ERR_UD_GATE, v, rt_last_fault.error);
    } else if (!strcmp(c, "beyond")) {
        g.offset_lo = (uint16_t)HANDLER_PAST;
        g.offset_hi = (uint16_t)(HANDLER_PAST >> 16);
        set_ud_gate(g);
        int v = try_call(raise_ud, NULL);
        report(v == T_GP && rt_last_fault.error == 0,
               "#UD through a gate past the code limit raises #GP, error 0 (got vector %d, "
               "error %x)", v, rt_last_fault.error);
    } else if (!strcmp(c, "double")) {
        g.type_attr &= (uint8_t)~GATE_PRESENT;
        vmi_write_idt_entry(rt_idt, VEC_NP, desc_lo(&g), desc_hi(&g));
        set_ud_gate(g);
        rules_expect_termination("no guest handler", "#UD and #NP gates both not present");
        __asm__ volatile("ud2");
        rules_survived("an exception with no usable handler");
    } else if (!strcmp(c, "changed")) {
        struct gate_desc good = rt_idt[VEC_UD];
        int first = try_call(raise_ud, NULL), second = try_call(raise_ud, NULL);
        int third = try_call(raise_ud, NULL);
        report(first == T_UD && second == T_UD && third == T_UD,
               "#UD three times through its gate (got vectors %d, %d, %d)", first, second, third);
        g = good;
        g.type_attr &= (uint8_t)~GATE_PRESENT;
        rt_idt[VEC_UD] = g;                        /* a store: no call says so */
        int v = try_call(raise_ud, NULL);
        report(v == T_NP && rt_last_fault.error == ERR_UD_GATE,
               "the same #UD after its gate was made not present raises #NP, error %x (got "
               "vector %d, error %x)", ERR_UD_GATE, v, rt_last_fault.error);
        set_ud_gate(good);
        v = try_call(raise_ud, NULL);
        report(v == T_UD, "the gate put back takes #UD again (got vector %d)", v);
    } else {
        report(0, "unknown case=%s", c);
    }
    report_summary();
}
