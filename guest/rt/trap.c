/*
 * trap.c - what happens when the CPU (or the hypervisor, reflecting a
 * trap) enters one of the runtime's vectors.
 *
 * Exceptions (0-31) go to the armed try point if there is one (try_call,
 * TRY_ASM): the fault is recorded and the trap returns to the recovery
 * point instead of the faulting instruction.  An exception in user mode
 * ends the user call (rt_user_call).  Any other exception is a test
 * failure: print where it happened and end the run.  PIC interrupts
 * (RT_IRQ_BASE..+15) are counted and acknowledged.  System calls
 * (RT_SYSCALL_VECTOR) go to user.c.
 *
 * Runs at the kernel's privilege level on the kernel stack, with
 * interrupts off (every gate but the system call's is an interrupt gate).
 */
#include "rt.h"     /* struct rt_fault, rt_try */
#include "frame.h"  /* struct rt_frame, the user-mode hooks */
#include "vmi.h"    /* vmi_outb for the PIC */

_Static_assert(sizeof(struct rt_frame) == 76, "frame layout");
_Static_assert(offsetof(struct rt_frame, vector) == 48, "stub pushes");

/* The 8259A PICs (Intel 8259A datasheet): command ports and EOI. */
#define PIC1_CMD      0x20u
#define PIC2_CMD      0xA0u
#define PIC_EOI       0x20u
#define PIC_CASCADE_LINES 8u   /* lines 8-15 sit behind the slave      */

struct rt_fault rt_last_fault = { .vector = RT_NO_FAULT };
struct rt_fault rt_last_irq = { .vector = RT_NO_FAULT };
volatile uint32_t rt_irq_count[RT_IRQ_LINES];

/* The try point; separate variables because entry.asm uses them by name. */
volatile int rt_try_active;
uint32_t rt_try_resume;        /* EIP the handler resumes at            */
uint32_t rt_try_esp;           /* try_call's stack at the call          */

static const char *const exception_names[T_EXCEPTIONS] = {
    [T_DE] = "#DE divide error", [T_DB] = "#DB debug", [T_NMI] = "NMI",
    [T_BP] = "#BP breakpoint", [T_OF] = "#OF overflow",
    [T_BR] = "#BR bound", [T_UD] = "#UD invalid opcode",
    [T_NM] = "#NM no FPU", [T_DF] = "#DF double fault",
    [T_TS] = "#TS invalid TSS", [T_NP] = "#NP not present",
    [T_SS] = "#SS stack fault", [T_GP] = "#GP general protection",
    [T_PF] = "#PF page fault", [T_MF] = "#MF FPU error",
    [T_AC] = "#AC alignment", [T_MC] = "#MC machine check",
    [T_XM] = "#XM SIMD error",
};

/* Arm the handler: the next exception resumes at rt_try_resume. */
void rt_try_arm(void)
{
    rt_last_fault = (struct rt_fault){ .vector = RT_NO_FAULT };
    rt_try_active = 1;
}

/* Disarm the handler and say what it caught. */
int rt_try_disarm(void)
{
    rt_try_active = 0;
    return rt_last_fault.vector;
}

/* A printable name for an exception vector. */
static const char *exception_name(uint32_t vector)
{
    const char *name = vector < T_EXCEPTIONS ? exception_names[vector] : NULL;
    return name ? name : "reserved exception";
}

/* An exception nobody expected: report it as a failure and stop. */
static void unexpected(const struct rt_frame *f)
{
    report(0, "unexpected exception %u (%s) at eip %08x, error %08x, cs %04x",
           f->vector, exception_name(f->vector), f->eip, f->error, f->cs);
    printf("  eax %08x ebx %08x ecx %08x edx %08x\n", f->eax, f->ebx, f->ecx, f->edx);
    printf("  esi %08x edi %08x ebp %08x eflags %08x\n", f->esi, f->edi, f->ebp, f->eflags);
    report_summary();
}

/* Acknowledge a PIC interrupt on the controllers that raised it. */
static void irq_ack(uint32_t line)
{
    if (line >= PIC_CASCADE_LINES)
        vmi_outb(PIC2_CMD, PIC_EOI);
    vmi_outb(PIC1_CMD, PIC_EOI);
}

/* What the frame f says about its trap. */
struct rt_fault rt_frame_info(const struct rt_frame *f)
{
    int user = (f->cs & SEL_RPL_MASK) == RT_RING_USER;
    return (struct rt_fault){
        .vector = (int)f->vector, .error = f->error, .eip = f->eip,
        .cs = f->cs, .eflags = f->eflags,
        /* a trap in the kernel pushed no ESP: it is where the frame ends */
        .esp = user ? f->user_esp : (uint32_t)&f->user_esp,
        .ss = user ? f->user_ss : read_ss(),
        .ecx = f->ecx, .esi = f->esi, .edi = f->edi,
    };
}

/* Called by trap_common for every vector. */
void rt_trap(struct rt_frame *f);
void rt_trap(struct rt_frame *f)
{
    if (f->vector >= RT_IRQ_BASE && f->vector < RT_IRQ_BASE + RT_IRQ_LINES) {
        uint32_t line = f->vector - RT_IRQ_BASE;
        rt_last_irq = rt_frame_info(f);
        rt_irq_count[line]++;
        irq_ack(line);
        return;
    }
    if (f->vector == RT_SYSCALL_VECTOR)
        return rt_syscall_trap(f);
    if ((f->cs & SEL_RPL_MASK) == RT_RING_USER && f->vector < T_EXCEPTIONS)
        rt_user_fault(f);                       /* does not return */
    if (!rt_try_active)
        unexpected(f);
    rt_last_fault = rt_frame_info(f);
    rt_try_active = 0;
    f->eip = rt_try_resume;
}
