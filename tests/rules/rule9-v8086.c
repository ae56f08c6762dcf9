/*
 * rule9-v8086.c - rule 9: V8086 mode is refused, so SYSENTER_CS never
 * needs clearing on entry to it.  CPUID (through the shim) hides VME, and
 * an IRET whose EFLAGS image has VM set does not enter V8086 mode: the VM
 * bit never takes effect, to ring 1 or to ring 3.
 *
 *   case=slow     (default) CPUID, then the IRETs through the shim with
 *                 an interrupt pending, so the ROM takes the IRET
 *                 hypercall; the pending interrupt arrives on the way;
 *   case=fast     the same IRETs with nothing pending: the ROM's native
 *                 IRET in ring 1.  A CPU ignores VM there, but QEMU's TCG
 *                 honours it (the hypervisor then ends the guest naming
 *                 rule 9), so this case passes only where the ROM clears
 *                 VM itself or on hardware;
 *   case=hostile  an IRET into V8086 mode at code that faults at once,
 *                 with a CS whose low bits look like ring 0: the guest
 *                 must be terminated (rule 9 under TCG; on hardware the
 *                 frame is a faulting IRET), never the hypervisor hurt.
 *
 * Deprivileged modes only: in ring 0 such an IRET does enter V8086 mode.
 * Under TCG the CPU has no VME to hide: the raw CPUID check says so.
 */
#include "rules.h"

#define CPUID_FEATURES  1u
#define CPUID_EDX_VME   (1u << 1)
#define REG_EDX         3
#define WAIT_POLLS      1000000u
#define IRQ_TIMER       0u
#define V86_CS          0x10u          /* RPL bits 0 */
#define V86_IP          0x100u
#define V86_CODE        ((V86_CS << 4) + V86_IP)   /* linear address */
#define UD2_BYTES       0x0B0Fu

/* What the user code saw: its CS. */
struct landing {
    uint32_t cs;
};

/* IRET through the shim to the next instruction at our own level with
 * EFLAGS image `image`; return the CS we arrived with. */
static uint32_t iret_here(uint32_t image)
{
    uint32_t cs;
    __asm__ volatile("pushl %1\n\t"
                     "pushl %2\n\t"
                     "pushl $1f\n\t"
                     "jmp *%3\n"
                     "1:\n\t"
                     "movl %%cs, %0"
                     : "=r"(cs)
                     : "r"(image), "r"((uint32_t)rt_seg.kernel_cs), "r"(VMI_ENTRY(IRET))
                     : "memory", "cc");
    return cs;
}

/* Ring 3: record CS, then a system call (its frame shows EFLAGS). */
static void user_report(void *arg)
{
    struct landing *l = arg;
    __asm__ volatile("movl %%cs, %0" : "=r"(l->cs));
    rt_syscall(RT_SYS_COUNT, 0);
}

/* CPUID leaf 1 through the shim has VME clear. */
static void check_cpuid(void)
{
    uint32_t r[4], raw[4];
    cpuid_raw(CPUID_FEATURES, 0, raw);
    vmi_cpuid(CPUID_FEATURES, 0, r);
    printf("rules: the CPU itself %s VME (raw CPUID leaf 1 EDX %08x)\n",
           raw[REG_EDX] & CPUID_EDX_VME ? "offers" : "does not offer", raw[REG_EDX]);
    report(!(r[REG_EDX] & CPUID_EDX_VME), "VMI CPUID leaf 1: VME clear (EDX %08x)", r[REG_EDX]);
}

/* Make IRQ 0 pending with the virtual IF off: the next IRET that enables
 * interrupts takes the hypercall.  Returns the IRQ 0 count so far. */
static uint32_t make_pending(int pending)
{
    uint32_t count = rt_irq_count[IRQ_TIMER];
    vmi_disable_interrupts();
    if (!pending)
        return count;
    rules_pic_mask(RULES_PIC_ALL & ~(1u << IRQ_TIMER));
    rules_pit_periodic(RULES_PIT_1MS);
    report(rules_wait_requested(IRQ_TIMER, WAIT_POLLS), "IRQ 0 is pending before the IRET");
    return count;
}

/* Stop the timer again. */
static void stop_pending(void)
{
    vmi_disable_interrupts();
    rules_pit_stop();
    rules_pic_mask(RULES_PIC_ALL);
}

/* IRETs with VM set, to ring 1 and to ring 3, on one path of the ROM. */
static void check_irets(const char *path, int pending)
{
    uint32_t before = make_pending(pending);
    uint32_t cs = iret_here(EFLAGS_FIXED | EFLAGS_IF | EFLAGS_VM);
    uint32_t after = rt_irq_count[IRQ_TIMER];
    stop_pending();
    int v = TRY_ASM("ud2");
    report(cs == rt_seg.kernel_cs, "%s: IRET to ring 1 with VM set returned in protected "
           "mode with cs %04x (want %04x)", path, cs, rt_seg.kernel_cs);
    report(v == T_UD && !(rt_last_fault.eflags & EFLAGS_VM),
           "%s: a #UD right after it has VM clear in its frame (%08x)", path, rt_last_fault.eflags);
    if (pending)
        report(after != before, "%s: the pending IRQ 0 came on the way (count %u -> %u)",
               path, before, after);

    struct landing l = { 0 };
    make_pending(pending);
    v = rt_user_call_flags(user_report, &l, EFLAGS_FIXED | EFLAGS_IF | EFLAGS_VM);
    stop_pending();
    report(v == RT_NO_FAULT && l.cs == rt_seg.user_cs,
           "%s: IRET to ring 3 with VM set: the user code ran with cs %04x (want %04x)",
           path, l.cs, rt_seg.user_cs);
    report(!(rt_last_syscall.eflags & EFLAGS_VM) && rt_last_syscall.cs == rt_seg.user_cs,
           "%s: ... and its system call's frame has VM clear (%08x, cs %04x)",
           path, rt_last_syscall.eflags, rt_last_syscall.cs);
}

/* IRET into V8086 mode at a ud2, CS with RPL bits 0. */
static void hostile_iret(void)
{
    rules_expect_termination("rule 9", "IRET with VM set to 0010:0100, where ud2 waits");
    __asm__ volatile("movw %0, (%1)\n\t"
                     "pushl %2\n\t"
                     "pushl %3\n\t"
                     "pushl %4\n\t"
                     "jmp *%5"
                     :: "i"(UD2_BYTES), "r"(V86_CODE),
                        "r"(EFLAGS_FIXED | EFLAGS_VM), "i"(V86_CS), "i"(V86_IP),
                        "r"(VMI_ENTRY(IRET))
                     : "memory");
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    const char *c = rules_case("slow");
    if (!rules_ring1()) {
        report_skip("V8086 checks: in ring 0 an IRET with VM set enters V8086 mode");
        return;
    }
    if (!rules_vmi()) {
        report_skip("V8086 checks: they go through the ROM's CPUID and IRET");
        return;
    }
    if (!strcmp(c, "slow")) {
        check_cpuid();
        check_irets("IRET hypercall", 1);
    } else if (!strcmp(c, "fast")) {
        check_irets("ROM's native IRET", 0);
    } else if (!strcmp(c, "hostile")) {
        hostile_iret();
        rules_survived("an IRET into V8086 mode");
    } else {
        report(0, "unknown case=%s", c);
    }
}
