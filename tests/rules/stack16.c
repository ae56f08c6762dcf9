/*
 * stack16.c - rule 10's other open item: returning to a 16-bit stack.
 *
 * An IRET that loads a 16-bit stack segment sets only SP; the upper half
 * of ESP keeps what the returning code's own ESP held.  The hypervisor
 * returns to user mode itself after serving an instruction there (here
 * the backdoor port), and must then leave the user's upper half of ESP as
 * it was: neither the hypervisor's stack address (a leak) nor garbage.
 *
 * User code switches to a 16-bit stack segment with ESP's upper half set,
 * makes the hypervisor serve an IN (modes hv, hv-novmi; natively nothing
 * exits), and leaves through a system call, whose frame holds ESP whole.
 */
#include "rules.h"

#define STACK16_SLOT   RT_GDT_FIRST_FREE
#define STACK16_BYTES  4096u
#define STACK16_LIMIT  0xFFFFu        /* byte granular, 64 KiB          */
#define ESP_HIGH       0xABCD0000u    /* what the user puts up there    */
#define SP16           0x0F00u        /* inside stack16                 */
#define ESP_HIGH_MASK  0xFFFF0000u

static uint8_t stack16[STACK16_BYTES] __attribute__((aligned(16)));

/* In ring 3: onto the 16-bit stack, an IN the hypervisor serves (when
 * `exit` is set), then RT_SYS_EXIT.  Never returns here. */
static void user16(void *arg)
{
    uint32_t ss = *(const uint16_t *)arg, exit = rules_ring1();
    __asm__ volatile("mov %[ss], %%ss\n\t"
                     "mov %[esp], %%esp\n\t"
                     "test %[exit], %[exit]\n\t"
                     "jz 1f\n\t"
                     "mov %[magic], %%eax\n\t"
                     "mov %[cmd], %%ecx\n\t"
                     "mov %[port], %%edx\n\t"
                     "in %%dx, %%eax\n"
                     "1:\n\t"
                     "mov %[sys_exit], %%eax\n\t"
                     "int $" RT_STR(RT_SYSCALL_VECTOR)
                     :: [ss] "r"(ss), [esp] "i"(ESP_HIGH | SP16), [exit] "r"(exit),
                        [magic] "i"(HR_BACKDOOR_MAGIC), [cmd] "i"(HR_BACKDOOR_GETVERSION),
                        [port] "i"(HR_BACKDOOR_PORT), [sys_exit] "i"(RT_SYS_EXIT)
                     : "eax", "ecx", "edx", "memory");
    __builtin_unreachable();
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    uint8_t access = (uint8_t)(DESC_P | (RT_RING_USER << DESC_DPL_SHIFT) | DESC_S |
                               DESC_DATA_WRITE);
    struct seg_desc d = desc_make((uint32_t)stack16, STACK16_LIMIT, access, 0);  /* 16-bit */
    vmi_write_gdt_entry(rt_gdt, STACK16_SLOT, desc_lo(&d), desc_hi(&d));
    uint16_t ss = SEL(STACK16_SLOT, 0, RT_RING_USER);
    int v = rt_user_call_flags(user16, &ss, EFLAGS_FIXED);   /* no interrupts natively */
    uint32_t esp = rt_last_syscall.esp;
    report(v == RT_NO_FAULT && rt_last_syscall.ss == ss,
           "user code ran on the 16-bit stack %x and came back (vector %d)", ss, v);
    report((esp & ESP_HIGH_MASK) == ESP_HIGH && (esp & STACK16_LIMIT) == SP16,
           "%s, ESP's upper half is still the user's: ESP %x, want %x",
           rules_ring1() ? "after the hypervisor served an IN" : "natively", esp,
           ESP_HIGH | SP16);
}
