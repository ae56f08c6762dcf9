/*
 * stacks.c - stacks at every trap path: an exception in ring 1, an
 * exception and a system call (the direct gate) from ring 3 onto the
 * kernel stack of UpdateKernelStack, a virtual interrupt, and a VMI call,
 * with the stack near 0, on the ROM, past guest memory, on the per-vCPU
 * page, on the hypervisor's trap page and image above virtual_top; and
 * kernel stack selectors no CPU would take.
 *
 * A trap onto a stack without 32 bytes of writable guest memory ends the
 * guest naming "rule 3"; a kernel stack selector that is not a flat ring-1
 * data segment, "rule 2" (spec section 11).  Natively such a trap is a
 * double or triple fault, so those cases run on the hypervisor only.
 *
 * Kernel modes: native, hv, hv-novmi.
 */
#include "hostile.h"

#define ROM_ESP      (HR_SCAN_START + 16u)        /* read-only ROM below      */
#define MEM_END_ESP  (HOSTILE_GUEST_MEM + 8u)     /* straddles memory's end   */
#define HV_ESP       (HOSTILE_HV_IMAGE + 0x1000u)
#define HC_LOW_ESP   64u                          /* enough for a call        */
#define WAIT_POLLS   1000000u
#define GDT_PAST     RT_GDT_ENTRIES
#define LDT_PAST_IX  5u

/* Where a stack goes, by name: one table for all trap paths. */
struct stack_place {
    const char *name;
    uint32_t esp;          /* 0 with trap = 1: the trap page's top  */
    int trap;
};

static const struct stack_place places[] = {
    { "zero", 0, 0 },
    { "rom", ROM_ESP, 0 },
    { "mem-end", MEM_END_ESP, 0 },
    { "beyond-mem", HOSTILE_PAST_MEM, 0 },
    { "vcpu", HR_VIRTUAL_TOP, 0 },
    { "hv-image", HV_ESP, 0 },
    { "trap-page", 0, 1 },
};

/* The ESP of place p. */
static uint32_t place_esp(const struct stack_place *p)
{
    if (!p->trap)
        return p->esp;
    uint32_t top = hostile_trap_page_top();
    printf("hostile: the trap page ends at %x\n", top);
    return top ? top : HR_VIRTUAL_TOP + HR_GDT_ENTRIES * 8u;
}

/* Set ESP to esp and raise #UD: reached again only if the trap was
 * delivered there. */
static void kernel_ud2(uint32_t esp)
{
    __asm__ volatile("movl %0, %%esp\n\tud2" :: "r"(esp) : "memory");
}

/* Ring 3: #UD. */
static void user_ud2(void *arg)
{
    (void)arg;
    __asm__ volatile("ud2");
}

/* Ring 3: a system call through the direct gate. */
static void user_syscall(void *arg)
{
    (void)arg;
    rt_syscall(RT_SYS_COUNT, 0);
}

/* stack-k-PLACE: #UD in ring 1 with ESP there. */
static void kernel_at(const struct stack_place *p)
{
    kernel_ud2(place_esp(p));
}

/* stack-u-PLACE / stack-s-PLACE: the kernel stack there, then #UD or a
 * system call from ring 3. */
static void user_at(const struct stack_place *p, int syscall)
{
    vmi_update_kernel_stack(rt_seg.kernel_ds, place_esp(p));
    int v = rt_user_call(syscall ? user_syscall : user_ud2, NULL);
    hostile_judge(v, syscall ? "a system call onto that kernel stack"
                             : "#UD from ring 3 onto that kernel stack");
}

/* Kernel stack selectors: UpdateKernelStack(ss, a good ESP), then #UD
 * from ring 3. */
static void kstack_sel(uint16_t ss)
{
    extern uint8_t rt_trap_stack_top[];
    vmi_update_kernel_stack(ss, (uint32_t)rt_trap_stack_top);
    hostile_judge(rt_user_call(user_ud2, NULL), "#UD from ring 3 onto that stack selector");
}

static void ss_null(void) { kstack_sel(0); }
static void ss_slot0(void) { kstack_sel(SEL(0, 0, rt_seg.cpl)); }
static void ss_past(void) { kstack_sel(SEL(GDT_PAST, 0, rt_seg.cpl)); }
static void ss_code(void) { kstack_sel(rt_seg.kernel_cs); }
static void ss_user(void) { kstack_sel(rt_seg.user_ds); }
static void ss_hv(void) { kstack_sel(HR_FLAT_KERNEL_DS); }

/* stack-ss-ldt: an LDT selector past a two-entry LDT. */
static void ss_ldt(void)
{
    hostile_ldt_load((uint32_t)hostile_ldt(), 2u * 8u - 1u);
    kstack_sel(SEL(LDT_PAST_IX, SEL_TI_LDT, rt_seg.cpl));
}

/* stack-irq-low: a virtual interrupt arrives with ESP = 16. */
static void irq_low(void)
{
    vmi_disable_interrupts();
    rules_pic_mask(RULES_PIC_ALL & ~1u);
    rules_pit_periodic(RULES_PIT_1MS);
    rules_wait_requested(0, WAIT_POLLS);
    __asm__ volatile("movl $16, %%esp\n\t" VMI_SITE(29, "sti") "\n2:\tjmp 2b" ::: "memory");
}

/* stack-hc-low: a VMI call (GetCR0) with ESP = 64: works.  ESP is kept
 * in ESI, which the call preserves. */
static void hc_low(void)
{
    __asm__ volatile("movl %%esp, %%esi\n\tmovl %0, %%esp\n\tcall *%1\n\tmovl %%esi, %%esp"
                     :: "i"(HC_LOW_ESP), "m"(VMI_ENTRY(GetCR0))
                     : "eax", "ecx", "edx", "esi", "memory");
    hostile_judge(RT_NO_FAULT, "GetCR0 with ESP 64");
}

/* stack-hc-rom: a VMI call whose return address lands on the ROM. */
static void hc_rom(void)
{
    __asm__ volatile("movl %0, %%esp\n\tcall *%1" :: "i"(ROM_ESP), "m"(VMI_ENTRY(GetCR0))
                     : "eax", "ecx", "edx", "memory");
}

/* Ring 3: ESP = 0, a system call, then #UD (traps to ring 1 never use
 * the user stack). */
static void user_esp_zero(void *arg)
{
    (void)arg;
    __asm__ volatile("movl %%esp, %%esi\n\txorl %%esp, %%esp\n\tmovl $1, %%eax\n\t"
                     "int $" RT_STR(RT_SYSCALL_VECTOR) "\n\tmovl %%esi, %%esp\n\tud2"
                     ::: "eax", "esi", "memory");
}

static void user_zero(void)
{
    hostile_judge(rt_user_call(user_esp_zero, NULL), "ring 3 with ESP 0: system call, #UD");
}

static const struct hostile_case stack_specials[] = {
    { "stack-ss-null", ss_null },
    { "stack-ss-slot0", ss_slot0 },
    { "stack-ss-past", ss_past },
    { "stack-ss-code", ss_code },
    { "stack-ss-user", ss_user },
    { "stack-ss-hv", ss_hv },
    { "stack-ss-ldt", ss_ldt },
    { "stack-irq-low", irq_low },
    { "stack-hc-low", hc_low },
    { "stack-hc-rom", hc_rom },
    { "stack-user-esp-zero", user_zero },
};

/* Cases stack-k-, stack-u-, stack-s- + a place, or a special. */
void guest_main(const char *cmdline)
{
    (void)cmdline;
    char buf[HOSTILE_WORD_MAX];
    const char *name = hostile_begin(buf);
    if (!name)
        return;
    static const char *const kinds[] = { "stack-k-", "stack-u-", "stack-s-" };
    for (size_t k = 0; k < HOSTILE_COUNT(kinds); k++) {
        size_t n = strlen(kinds[k]);
        if (strncmp(name, kinds[k], n))
            continue;
        for (size_t i = 0; i < HOSTILE_COUNT(places); i++)
            if (!strcmp(name + n, places[i].name)) {
                if (k == 0)
                    kernel_at(&places[i]);
                else
                    user_at(&places[i], k == 2);
                return;
            }
    }
    if (!hostile_dispatch(stack_specials, HOSTILE_COUNT(stack_specials), name))
        report(0, "unknown case=%s", name);
}
