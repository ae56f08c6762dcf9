/*
 * user.c - user mode for test kernels: run a function in ring 3 and come
 * back, and the system calls user code makes on the way.
 *
 * rt_user_call_flags() enters ring 3 with an IRET through the shim's
 * bound IRET entry (entry.asm rt_user_enter), onto a stack of the
 * runtime's, at a trampoline that calls the function and then makes the
 * exit system call.  The system-call gate (RT_SYSCALL_VECTOR) is a DPL-3
 * trap gate, so under a HyperROM hypervisor a system call reaches
 * rt_syscall_trap() without entering the hypervisor, and the return to
 * user mode goes through the ROM's IRET fast path.  A trap from ring 3
 * lands on the runtime's trap stack (the TSS / UpdateKernelStack); the
 * exit call or an exception abandons it and resumes the kernel where
 * rt_user_enter was called (entry.asm rt_user_leave).
 *
 * The kernel side runs at the kernel's privilege level; the trampoline
 * and fn run in ring 3 and may only use raw unprivileged instructions and
 * rt_syscall().
 */
#include "rt.h"      /* rt_user_call, rt_syscall */
#include "frame.h"   /* struct rt_frame, the hooks trap.c calls */
#include "vmi.h"     /* the interrupt mask */

#define STACK_ALIGN 16u

volatile uint32_t rt_syscalls;
struct rt_fault rt_last_syscall = { .vector = RT_NO_FAULT };
static volatile int user_active;     /* between entering and leaving ring 3 */
static uint8_t user_stack[RT_USER_STACK_SIZE] __attribute__((aligned(STACK_ALIGN)));

/* entry.asm */
int rt_user_enter(uint32_t eip, uint32_t cs, uint32_t eflags, uint32_t esp, uint32_t ss);
void rt_user_leave(int result) RT_NORETURN;
extern const uint8_t rt_user_trampoline[];

/* Run fn(arg) in ring 3 with the EFLAGS image eflags; see rt.h. */
int rt_user_call_flags(void (*fn)(void *), void *arg, uint32_t eflags)
{
    uint32_t *sp = (uint32_t *)(user_stack + sizeof(user_stack)) - 2;
    sp[0] = (uint32_t)fn;              /* the trampoline pops fn ...       */
    sp[1] = (uint32_t)arg;             /* ... and calls it with arg above  */
    uint32_t mask = vmi_get_interrupt_mask();
    user_active = 1;
    int r = rt_user_enter((uint32_t)rt_user_trampoline, rt_seg.user_cs, eflags,
                          (uint32_t)sp, rt_seg.user_ds);
    user_active = 0;
    vmi_set_interrupt_mask(mask);
    return r;
}

/* Run fn(arg) in ring 3 with interrupts enabled. */
int rt_user_call(void (*fn)(void *), void *arg)
{
    return rt_user_call_flags(fn, arg, EFLAGS_FIXED | EFLAGS_IF);
}

/* The system call in f: EAX = number, EBX = argument, result to EAX. */
void rt_syscall_trap(struct rt_frame *f)
{
    rt_last_syscall = rt_frame_info(f);
    switch (f->eax) {
    case RT_SYS_EXIT:
        if (!user_active || (f->cs & SEL_RPL_MASK) != RT_RING_USER)
            break;
        rt_user_leave(RT_NO_FAULT);
    case RT_SYS_COUNT:
        f->eax = ++rt_syscalls;
        return;
    }
    f->eax = RT_SYS_NONE;
}

/* An exception in ring 3: record it and end the user call with it. */
void rt_user_fault(const struct rt_frame *f)
{
    rt_last_fault = rt_frame_info(f);
    if (!user_active) {
        report(0, "exception %u in user mode at eip %08x with no user call active",
               f->vector, f->eip);
        report_summary();
    }
    rt_user_leave((int)f->vector);
}
