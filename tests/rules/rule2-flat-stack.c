/*
 * rule2-flat-stack.c - rule 2: the stack a trap lands on in the guest
 * kernel must be flat (base 0, the hypervisor's limit), and the kernel
 * stack for traps from user mode must be a ring-1 stack.  Anything else
 * terminates the guest naming rule 2.
 *
 *   case=ss      (default) SS = a ring-1 data segment based at 4 KiB, then
 *                #UD in ring 1: the trap would land on that stack;
 *   case=kstack  that segment as the kernel stack (UpdateKernelStack),
 *                then #UD in user mode;
 *   case=rpl     a kernel stack selector with RPL 2 (RPL 0 would be
 *                ring compression's kernel ring), then #UD in user
 *                mode (the VMI call itself may already refuse it).
 *
 * Only meaningful deprivileged (modes hv, hv-novmi): tests/guest.cfg
 * expects the termination (tests/lib/boot.sh --expect-terminated).
 */
#include "rules.h"

#define OFFSET_BASE  0x1000u        /* base of the non-flat segment      */
#define PAGE_SHIFT   12
#define SLOT_BASED   RT_GDT_FIRST_FREE
#define RPL_RING2    2u             /* no guest ring: not even ring compression takes it */

extern uint8_t rt_trap_stack_top[];  /* guest/rt/entry.asm */

/* A writable ring-1 data segment based at OFFSET_BASE that ends where a
 * flat one does: the same memory, seen through offsets shifted by 4 KiB. */
static uint16_t based_stack_segment(void)
{
    uint32_t pages = (desc_flat_limit() + 1) - (OFFSET_BASE >> PAGE_SHIFT);
    return rules_segment(SLOT_BASED, OFFSET_BASE, pages, rt_seg.cpl, DESC_DATA_WRITE, rt_seg.cpl);
}

/* Load SS with ss (the same stack memory, if ESP is adjusted) and raise #UD. */
static void ud2_on_stack(uint16_t ss)
{
    __asm__ volatile("subl %1, %%esp\n\t"       /* the same linear address */
                     "movw %0, %%ss\n\t"
                     "ud2"
                     :: "r"(ss), "i"(OFFSET_BASE) : "memory");
}

/* Ring 3: raise #UD. */
static void user_ud2(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
}

/* A user-mode #UD with the kernel stack ss:esp. */
static void user_fault_with_kernel_stack(uint16_t ss, uint32_t esp)
{
    vmi_update_kernel_stack(ss, esp);
    int v = rt_user_call(user_ud2, NULL);
    printf("rules: the user-mode #UD came back as vector %d\n", v);
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    const char *c = rules_case("ss");
    uint16_t based = based_stack_segment();
    uint32_t top = (uint32_t)rt_trap_stack_top;
    report(rules_ring1(), "the kernel runs deprivileged (ring %u)", rt_seg.cpl);
    if (!strcmp(c, "ss")) {
        rules_expect_termination("rule 2", "#UD in ring 1 with SS based at 4 KiB");
        ud2_on_stack(based);
    } else if (!strcmp(c, "kstack")) {
        rules_expect_termination("rule 2", "#UD in ring 3, kernel stack based at 4 KiB");
        user_fault_with_kernel_stack(based, top - OFFSET_BASE);
    } else if (!strcmp(c, "rpl")) {
        rules_expect_termination("rule 2", "#UD in ring 3, kernel stack selector of RPL 2");
        user_fault_with_kernel_stack((rt_seg.kernel_ds & (uint16_t)~SEL_RPL_MASK) | RPL_RING2, top);
    } else {
        report(0, "unknown case=%s", c);
        return;
    }
    rules_survived("a trap onto a non-flat or non-ring-1 kernel stack");
}
