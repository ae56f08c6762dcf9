/*
 * syscall.c - the direct system-call gate: with a DPL-3 trap gate at the
 * system-call vector, system calls from user mode and the returns to user
 * mode never enter the hypervisor.
 *
 * The kernel (re)installs its gate through the shim (WriteIDTEntry, then
 * SetIDT, which a trap-and-emulate kernel's LIDT also reaches), enters
 * user mode, and the user code makes SYSCALLS system calls; each handler
 * returns with an IRET through the shim.  The hypervisor's exit counter
 * (CPUID 40000001h EAX, read through the ROM from ring 1) must grow only
 * by the reading CPUID itself.  For contrast, the same calls through a
 * DPL-3 interrupt gate, which the hypervisor does not point at the guest,
 * exit at least once each: the counter can see them.  Natively and in
 * trap-and-emulate mode there is no counter to read; the calls themselves
 * are checked everywhere.
 */
#include "rules.h"

#define SYSCALLS        100u
#define EXITS_OF_A_READ 1u          /* the CPUID that reads the counter */

extern const uint8_t rt_syscall_stub[];   /* guest/rt/entry.asm */

/* What the user code saw: the value each call returned. */
struct calls {
    uint32_t first, last, wrong;
};

/* Ring 3: SYSCALLS counting system calls; each returns the new count. */
static void user_syscalls(void *arg)
{
    struct calls *c = arg;
    for (uint32_t i = 0; i < SYSCALLS; i++) {
        uint32_t n = rt_syscall(RT_SYS_COUNT, 0);
        if (i == 0)
            c->first = n;
        else if (n != c->last + 1)
            c->wrong++;
        c->last = n;
    }
}

/* Install the system-call gate of the given type through the shim. */
static void install_gate(uint8_t type)
{
    struct gate_desc g = desc_gate((uint32_t)rt_syscall_stub, RT_RING_USER, type);
    vmi_write_idt_entry(rt_idt, RT_SYSCALL_VECTOR, desc_lo(&g), desc_hi(&g));
    struct vmi_dtr d = { sizeof(rt_idt) - 1, (uint32_t)rt_idt };
    vmi_set_idt(&d);
}

/* Run the user code once; check the calls; return the exits it caused
 * (0 when there is no counter). */
static uint32_t run_calls(const char *gate, int counter)
{
    struct calls c = { 0, 0, 0 };
    uint32_t start = rt_syscalls;
    uint32_t before = counter ? rules_exits() : 0;
    int r = rt_user_call(user_syscalls, &c);
    uint32_t after = counter ? rules_exits() : 0;
    report(r == RT_NO_FAULT, "%s: the user code ran to its end (%d)", gate, r);
    report(c.first == start + 1 && c.last == start + SYSCALLS && !c.wrong,
           "%s: %u system calls from ring 3, each answered (counts %u..%u)",
           gate, SYSCALLS, c.first, c.last);
    report((rt_last_syscall.cs & SEL_RPL_MASK) == RT_RING_USER,
           "%s: the handler's frame says ring 3 (cs %04x)", gate, rt_last_syscall.cs);
    return after - before - (counter ? EXITS_OF_A_READ : 0);
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    int counter = rules_have_exit_counter();
    install_gate(GATE_TRAP32);
    uint32_t exits = run_calls("trap gate", counter);
    if (counter)
        report(exits == 0, "trap gate: %u system calls and returns to user mode "
               "caused %u exits (want 0)", SYSCALLS, exits);
    else
        report_skip("exit counts: no HyperROM exit counter (%s)",
                    rules_ring1() ? "trap-and-emulate" : "native");

    install_gate(GATE_INT32);
    exits = run_calls("interrupt gate", counter);
    if (counter)
        report(exits >= SYSCALLS, "interrupt gate (not direct): %u system calls caused "
               "%u exits (want at least %u)", SYSCALLS, exits, SYSCALLS);
    install_gate(GATE_TRAP32);
}
