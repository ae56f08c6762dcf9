/*
 * fatal.c - double faults and NMIs, each on a stack of its own.  Ring 0.
 *
 * Both arrive through task gates: the CPU switches to a separate TSS with
 * its own stack and the boot page directory, so even a hypervisor whose
 * stack or page tables are broken reports what happened instead of
 * resetting the machine with a triple fault.
 */
#include "hv.h"

#define FATAL_STACK_SIZE 4096u
#define GATE_TASK        0x5u          /* task gate type (SDM 6.11) */
#define NMI_VECTOR       2u

extern uint32_t boot_pd[];
extern void nmi_task_entry(void);      /* entry.asm */

static struct tss32 df_tss, nmi_tss;
static uint8_t df_stack[FATAL_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t nmi_stack[FATAL_STACK_SIZE] __attribute__((aligned(16)));

/* The double-fault task: always a hypervisor bug or a broken guest frame
 * the hypervisor failed to catch; report and stop. */
static void df_task(void)
{
    const struct tss32 *t = main_tss();       /* saved by the switch */
    hv_panic("double fault: eip %x esp %x cs %x ss %x eflags %x cr2 %x",
             t->eip, t->esp, t->cs, t->ss, t->eflags, read_cr2());
}

/* Called on the NMI task's stack: log it; entry.asm returns to the task. */
void nmi_task_body(void)
{
    hv_printf("hv: NMI at eip %x (ignored)\n", main_tss()->eip);
}

/* Fill a TSS that starts at entry on its own stack in ring 0. */
static void task_init(struct tss32 *t, void (*entry)(void), uint8_t *stack_top)
{
    memset(t, 0, sizeof(*t));
    t->cr3 = V2P(boot_pd);
    t->eip = (uint32_t)(uintptr_t)entry;
    t->eflags = EFLAGS_FIXED;                     /* interrupts off */
    t->esp = (uint32_t)(uintptr_t)stack_top;
    t->cs = HV_CS;
    t->ss = t->ds = t->es = t->fs = t->gs = HV_DS;
    t->iomap_base = sizeof(*t);                   /* no I/O bitmap */
}

/* Install the double-fault and NMI tasks and their task gates. */
void fatal_init(void)
{
    task_init(&df_tss, df_task, df_stack + FATAL_STACK_SIZE);
    task_init(&nmi_tss, nmi_task_entry, nmi_stack + FATAL_STACK_SIZE);
    gdt_set_system(GDT_DF_TSS, seg_make((uint32_t)(uintptr_t)&df_tss, sizeof(df_tss) - 1,
                                        SEG_ACCESS(1, 0, 0, SYS_TYPE_TSS32), 0));
    gdt_set_system(GDT_NMI_TSS, seg_make((uint32_t)(uintptr_t)&nmi_tss, sizeof(nmi_tss) - 1,
                                         SEG_ACCESS(1, 0, 0, SYS_TYPE_TSS32), 0));
    idt_set_task_gate(T_DF, SEL(GDT_DF_TSS, 0));
    idt_set_task_gate(NMI_VECTOR, SEL(GDT_NMI_TSS, 0));
}
