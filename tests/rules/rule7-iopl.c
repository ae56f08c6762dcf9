/*
 * rule7-iopl.c - rule 7: user code may be given the ports (IOPL 3) but
 * never the interrupt flag.  Under the hypervisor, at IOPL 3 (VMI
 * SetIOPLMask, and the IRET image's IOPL, as a native kernel would give
 * it) CLI and STI in ring 3 do nothing and do not fault, POPF cannot clear
 * IF, interrupts still arrive after a CLI, and port I/O works; at IOPL 0
 * CLI, STI and IN raise #GP, reflected to the kernel.
 *
 * IOPL 0 is checked in every mode.  IOPL 3 is the rule under mode hv; in
 * hv-novmi SetIOPLMask is a POPF that never reaches the hypervisor, so
 * it is skipped; natively the CPU does give ring 3 the interrupt flag,
 * which the POPF check shows for comparison.
 */
#include "rules.h"

#define IOPL3        (3u << EFLAGS_IOPL_SHIFT)
#define SPIN_LIMIT   200000000u    /* user-mode polls of the IRQ count */
#define IRQ_TIMER    0u
#define PIC_MASK_BUT_TIMER ((uint8_t)(RULES_PIC_ALL & ~(1u << IRQ_TIMER)))

/* What one piece of user code reports back. */
struct result {
    uint32_t value;            /* a port read, or EFLAGS after POPF */
    uint32_t start, seen;      /* IRQ 0 count before and after a wait */
};

/* Ring 3: CLI as the function's first instruction; STI likewise. */
static void user_cli(void *arg) { (void)arg; __asm__ volatile("cli"); }
static void user_sti(void *arg) { (void)arg; __asm__ volatile("sti"); }

/* Ring 3: read the master PIC's mask register. */
static void user_in(void *arg)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "i"(RULES_PIC1_DATA));
    ((struct result *)arg)->value = v;
}

/* Ring 3: POPF an image with IF clear, then read EFLAGS back. */
static void user_popf(void *arg)
{
    uint32_t f;
    __asm__ volatile("pushfl\n\tandl %1, (%%esp)\n\tpopfl\n\tpushfl\n\tpopl %0"
                     : "=r"(f) : "i"(~EFLAGS_IF) : "memory", "cc");
    ((struct result *)arg)->value = f;
}

/* Ring 3: CLI, then poll the IRQ 0 count until it moves (bounded). */
static void user_cli_wait(void *arg)
{
    struct result *r = arg;
    volatile uint32_t *count = &rt_irq_count[IRQ_TIMER];
    __asm__ volatile("cli" ::: "memory");
    for (uint32_t i = 0; i < SPIN_LIMIT && *count == r->start; i++)
        ;
    r->seen = *count;
}

/* Run fn in ring 3 with IOPL iopl in the image: the vector it raised. */
static int user(void (*fn)(void *), struct result *r, uint32_t iopl)
{
    return rt_user_call_flags(fn, r, EFLAGS_FIXED | EFLAGS_IF | iopl);
}

/* IOPL 0: the interrupt flag and the ports are the kernel's. */
static void check_iopl0(const char *when)
{
    struct result r = { 0, 0, 0 };
    int v = user(user_cli, &r, 0);
    report(v == T_GP && (rt_last_fault.cs & SEL_RPL_MASK) == RT_RING_USER &&
           rt_last_fault.eip == (uint32_t)user_cli,
           "%s: CLI in ring 3 raises #GP at it, reflected to the kernel (%d, eip %08x)",
           when, v, rt_last_fault.eip);
    v = user(user_sti, &r, 0);
    report(v == T_GP, "%s: STI in ring 3 raises #GP (%d)", when, v);
    v = user(user_in, &r, 0);
    report(v == T_GP, "%s: IN from port %x in ring 3 raises #GP (%d)", when, RULES_PIC1_DATA, v);
}

/* IOPL 3 under the hypervisor: ports yes, interrupt flag no. */
static void check_iopl3(void)
{
    struct result r = { 0, 0, 0 };
    report(user(user_cli, &r, IOPL3) == RT_NO_FAULT, "IOPL 3: CLI in ring 3 does not fault");
    report(user(user_sti, &r, IOPL3) == RT_NO_FAULT, "IOPL 3: STI in ring 3 does not fault");
    int v = user(user_popf, &r, IOPL3);
    report(v == RT_NO_FAULT && (r.value & EFLAGS_IF),
           "IOPL 3: POPF with IF clear leaves IF set (PUSHF after it: %08x)", r.value);
    rules_pic_mask(PIC_MASK_BUT_TIMER);
    v = user(user_in, &r, IOPL3);
    report(v == RT_NO_FAULT && r.value == PIC_MASK_BUT_TIMER,
           "IOPL 3: IN from port %x in ring 3 reads the PIC mask %02x (%d)",
           RULES_PIC1_DATA, r.value, v);
    r.start = rt_irq_count[IRQ_TIMER];
    rules_pit_periodic(RULES_PIT_1MS);
    v = user(user_cli_wait, &r, IOPL3);
    rules_pit_stop();
    rules_pic_mask(RULES_PIC_ALL);
    report(v == RT_NO_FAULT && r.seen != r.start && (rt_last_irq.cs & SEL_RPL_MASK) == RT_RING_USER,
           "IOPL 3: after CLI in ring 3, IRQ 0 still interrupts it (count %u -> %u, cs %04x)",
           r.start, r.seen, rt_last_irq.cs);
}

/* Natively, for comparison: IOPL 3 gives ring 3 the interrupt flag. */
static void native_iopl3(void)
{
    struct result r = { 0, 0, 0 };
    int v = user(user_popf, &r, IOPL3);
    report(v == RT_NO_FAULT && !(r.value & EFLAGS_IF),
           "native, IOPL 3: POPF in ring 3 does clear IF (%08x): what rule 7 forbids", r.value);
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    vmi_disable_interrupts();
    check_iopl0("IOPL 0");
    vmi_set_iopl_mask(IOPL3);
    if (rules_vmi())
        check_iopl3();
    else if (rules_ring1())
        report_skip("IOPL 3: SetIOPLMask is a POPF in trap-and-emulate mode, unseen by the hypervisor");
    else
        native_iopl3();
    vmi_set_iopl_mask(0);
    check_iopl0("IOPL 0 again");
}
