/*
 * rule3-stack-room.c - rule 3: when a trap is delivered, the 32 bytes
 * below the stack pointer it lands on must be writable guest memory, or
 * the guest is terminated naming rule 3 (never a hypervisor fault).
 *
 *   case=low   (default) ESP = 16 in ring 1, then #UD: 16 bytes of room;
 *   case=rom   ESP = 16 bytes into the first option ROM, which the
 *              hypervisor maps read-only, then #UD;
 *   case=user  the kernel stack (UpdateKernelStack) at 16, then #UD in
 *              user mode.
 *
 * Only meaningful deprivileged: tests/guest.cfg expects the termination.
 */
#include "rules.h"

#define LOW_ESP    16u                      /* below the 32 bytes needed */
#define ROM_ESP    (HR_SCAN_START + 16u)    /* read-only ROM below it    */

/* Set ESP to esp and raise #UD. */
static void ud2_with_esp(uint32_t esp)
{
    __asm__ volatile("movl %0, %%esp\n\tud2" :: "r"(esp) : "memory");
}

/* Ring 3: raise #UD. */
static void user_ud2(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    const char *c = rules_case("low");
    report(rules_ring1(), "the kernel runs deprivileged (ring %u)", rt_seg.cpl);
    if (!strcmp(c, "low")) {
        rules_expect_termination("rule 3", "#UD in ring 1 with ESP = 16");
        ud2_with_esp(LOW_ESP);
    } else if (!strcmp(c, "rom")) {
        rules_expect_termination("rule 3", "#UD in ring 1 with the read-only ROM below ESP");
        ud2_with_esp(ROM_ESP);
    } else if (!strcmp(c, "user")) {
        rules_expect_termination("rule 3", "#UD in ring 3 with the kernel stack at 16");
        vmi_update_kernel_stack(rt_seg.kernel_ds, LOW_ESP);
        int v = rt_user_call(user_ud2, NULL);
        printf("rules: the user-mode #UD came back as vector %d\n", v);
    } else {
        report(0, "unknown case=%s", c);
        return;
    }
    rules_survived("a trap with less than 32 bytes of stack room");
}
