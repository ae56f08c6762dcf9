/*
 * rule45-flat-segments.c - rules 4 and 5: a VMI call needs a flat 32-bit
 * code and stack segment (rule 4) and, except IRET and SYSEXIT, flat DS
 * and ES (rule 5); a call that breaks this terminates the guest naming
 * the rule.
 *
 * The non-flat segment is a "limited" one: base 0 like a flat segment,
 * so every offset the kernel uses still reaches its code and data and the
 * ROM, but its limit ends at 16 MiB instead of at the hypervisor's area.
 *
 *   case=cs    CS limited, then a VMI call (WBINVD, always a hypercall: GetCR0 no longer exits): rule 4;
 *   case=ss    SS limited, then a VMI call: rule 4;
 *   case=ds    DS limited, then a VMI call: rule 5;
 *   case=es    ES limited, then a VMI call: rule 5;
 *   case=ds-remembered  three CPUID leaf 1 calls from one ROM entry with
 *              flat segments (the hypervisor then remembers that call
 *              site and serves it in its first instructions, spec section
 *              10), each giving the hypervisor's leaf 1, then the same
 *              call with DS limited: rule 5;
 *   case=ds-rewritten  the same three calls with DS a flat selector of
 *              our own, then that selector's descriptor made limited (a
 *              plain store in our GDT and SetGDT, which makes no other
 *              site the remembered one) with DS itself unchanged, and the
 *              call again: rule 5 (the remembered site holds only for the
 *              tables it was checked against);
 *   case=iret  (default) DS limited, then IRET through the shim to the
 *              next instruction with an EFLAGS image that enables
 *              interrupts: allowed (rule 5's exception), so the guest
 *              carries on and checks where it landed, DS, and that the
 *              virtual flag followed the image; once on the ROM's native
 *              path (nothing pending) and once on the IRET hypercall (an
 *              interrupt pending, which then arrives);
 *   case=iret-wrap  the same with a "wrapping" DS, based so that the
 *              per-vCPU area's offset wraps around 4 GiB to guest address
 *              0: an IRET entry that reaches the vCPU area through DS
 *              misses it.  (A limited DS would make it fault on hardware,
 *              but QEMU's TCG does not check data segment limits; the
 *              wrap shows the same mistake under TCG.)
 *
 * Mode hv only: with novmi there are no VMI calls to check.
 */
#include "rules.h"

#define LIMITED_PAGES 4096u        /* 16 MiB: the kernel, its data, the ROM */
#define IRQ_TIMER     0u
#define WAIT_POLLS    1000000u     /* IRR polls before giving up on IRQ 0 */
#define PAGE_SHIFT    12
/* Base + HR_VCPU_AREA = 2^32: the vCPU area's offset wraps to address 0. */
#define WRAP_BASE     (0u - HR_VCPU_AREA)
#define CPUID_LEAF_FIXED   1u            /* the leaf the hypervisor adjusts   */
#define CPUID_ECX_HV       (1u << 31)    /* spec section 10: set              */
#define CPUID_EDX_HIDDEN   ((1u << 1) | (1u << 11))   /* VME, SEP: clear      */
#define REMEMBER_CALLS     3u            /* slow, fast, then remembered       */
enum { SLOT_CODE = RT_GDT_FIRST_FREE, SLOT_DATA, SLOT_WRAP, SLOT_OWN_DS };

/* The IRET case: the EFLAGS image to use, and what it saw on arrival. */
struct iret_try {
    uint16_t ds;
    uint32_t image;
};
static volatile uint32_t landed_ds, landed;

/* Far-return into code selector cs, then make a VMI call. */
static void call_with_cs(uint16_t cs)
{
    __asm__ volatile("pushl %0\n\tpushl $1f\n\tlret\n1:\n\t"
                     "call *%1"
                     :: "r"((uint32_t)cs), "m"(VMI_ENTRY(WBINVD))
                     : "eax", "ecx", "edx", "memory", "cc");
}

/* Load SS with sel, then make a VMI call. */
static void call_with_ss(uint16_t sel)
{
    __asm__ volatile("movw %0, %%ss\n\tcall *%1"
                     :: "r"(sel), "m"(VMI_ENTRY(WBINVD)) : "eax", "ecx", "edx", "memory", "cc");
}

/* Load DS with sel, then make a VMI call. */
static void call_with_ds(uint16_t sel)
{
    __asm__ volatile("movw %0, %%ds\n\tcall *%1"
                     :: "r"(sel), "m"(VMI_ENTRY(WBINVD)) : "eax", "ecx", "edx", "memory", "cc");
}

/* Load ES with sel, then make a VMI call. */
static void call_with_es(uint16_t sel)
{
    __asm__ volatile("movw %0, %%es\n\tcall *%1"
                     :: "r"(sel), "m"(VMI_ENTRY(WBINVD)) : "eax", "ecx", "edx", "memory", "cc");
}

/* CPUID leaf 1 through the ROM's entry with DS = sel (put back after);
 * r gets EAX, EBX, ECX, EDX. */
static void cpuid_with_ds(uint16_t sel, uint32_t r[4])
{
    uint32_t a, b, c, d;
    __asm__ volatile("pushl %%ds\n\tmovw %%si, %%ds\n\tcall *%%edi\n\tpopl %%ds"
                     : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                     : "a"(CPUID_LEAF_FIXED), "c"(0), "S"((uint32_t)sel),
                       "D"(VMI_ENTRY(CPUID))
                     : "memory", "cc");
    r[0] = a, r[1] = b, r[2] = c, r[3] = d;
}

/* Make the CPUID call site remembered with DS = sel: REMEMBER_CALLS
 * calls in a row (a report between them would exit with another DS),
 * each the same hypervisor-adjusted answer. */
static void remember_cpuid(uint16_t sel)
{
    uint32_t r[REMEMBER_CALLS][4];
    for (uint32_t i = 0; i < REMEMBER_CALLS; i++)
        cpuid_with_ds(sel, r[i]);
    report((r[0][2] & CPUID_ECX_HV) && !(r[0][3] & CPUID_EDX_HIDDEN),
           "CPUID leaf 1 has the hypervisor bit and hides VME and SEP (ECX %08x EDX %08x)",
           r[0][2], r[0][3]);
    for (uint32_t i = 1; i < REMEMBER_CALLS; i++)
        report(r[i][0] == r[0][0] && r[i][1] == r[0][1] && r[i][2] == r[0][2] &&
               r[i][3] == r[0][3], "CPUID leaf 1 call %u (DS %04x) answers as the first",
               i + 1, sel);
}

/* For try_call: with DS = arg->ds, IRET through the shim to the next
 * instruction at our own level with EFLAGS image arg->image; record DS on
 * arrival, restore it.  Nothing between loading DS and the IRET entry
 * uses DS: the entry's address is in a register. */
static void iret_with_ds(void *arg)
{
    const struct iret_try *t = arg;
    landed = 0;
    __asm__ volatile("pushl %[fl]\n\t"
                     "pushl %[cs]\n\t"
                     "pushl $1f\n\t"
                     "movw %w[ds], %%ds\n\t"
                     "jmp *%[iret]\n"
                     "1:\n\t"
                     "movw %%ds, %%ax\n\t"
                     "movw %%ss, %%cx\n\t"
                     "movw %%cx, %%ds\n\t"
                     "movzwl %%ax, %%eax\n\t"
                     "movl %%eax, %[out]\n\t"
                     "movl $1, %[hit]"
                     : [out] "=m"(landed_ds), [hit] "=m"(landed)
                     : [fl] "r"(t->image), [cs] "r"((uint32_t)rt_seg.kernel_cs),
                       [ds] "r"((uint32_t)t->ds), [iret] "r"(VMI_ENTRY(IRET))
                     : "eax", "ecx", "memory", "cc");
}

/* With the virtual IF off, make IRQ 0 pending (pending set) or not. */
static void prepare(int pending)
{
    vmi_disable_interrupts();
    if (!pending)
        return;                           /* the PIC stays masked */
    rules_pic_mask(RULES_PIC_ALL & ~(1u << IRQ_TIMER));
    rules_pit_periodic(RULES_PIT_1MS);
    report(rules_wait_requested(IRQ_TIMER, WAIT_POLLS), "IRQ 0 is pending: the IRET takes the hypercall");
}

/* Rule 5's exception: IRET with the non-flat DS `what` works, keeps DS,
 * and its EFLAGS image (interrupts enabled) sets the virtual flag. */
static void check_iret(uint16_t ds, const char *what, int pending)
{
    const char *path = pending ? "IRET hypercall" : "ROM's native IRET";
    struct iret_try t = { ds, EFLAGS_IF | EFLAGS_FIXED };
    prepare(pending);
    uint32_t before = rt_irq_count[IRQ_TIMER];
    int v = try_call(iret_with_ds, &t);
    __asm__ volatile("movw %%ss, %%ax\n\tmovw %%ax, %%ds" ::: "eax", "memory");
    uint32_t mask = vmi_get_interrupt_mask();
    uint32_t after = rt_irq_count[IRQ_TIMER];
    vmi_disable_interrupts();
    rules_pit_stop();
    rules_pic_mask(RULES_PIC_ALL);
    report(v == RT_NO_FAULT && landed,
           "%s with a %s DS (%04x) returns (fault %d at %08x)",
           path, what, ds, v, v == RT_NO_FAULT ? 0 : rt_last_fault.eip);
    report(landed_ds == ds, "%s: DS is still %04x after it (%04x)", path, ds, landed_ds);
    report(mask & VMI_INTERRUPTS_ENABLED,
           "%s: the frame's IF became the virtual interrupt flag (mask %08x)", path, mask);
    if (pending)
        report(after != before, "%s: the pending IRQ 0 came (count %u -> %u)", path, before, after);
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    const char *c = rules_case("iret");
    unsigned k = rt_seg.cpl;
    uint16_t code = rules_segment(SLOT_CODE, 0, LIMITED_PAGES, k, DESC_CODE | DESC_CODE_READ, k);
    uint16_t data = rules_segment(SLOT_DATA, 0, LIMITED_PAGES, k, DESC_DATA_WRITE, k);
    if (!rules_vmi()) {
        report_skip("rules 4 and 5 govern VMI calls: this kernel runs %s",
                    rules_ring1() ? "trap-and-emulate" : "native");
        return;
    }
    if (!strcmp(c, "iret") || !strcmp(c, "iret-wrap")) {
        uint32_t pages = (desc_flat_limit() + 1) - (WRAP_BASE >> PAGE_SHIFT);
        uint16_t ds = strcmp(c, "iret") ? rules_segment(SLOT_WRAP, WRAP_BASE, pages, k,
                                                        DESC_DATA_WRITE, k) : data;
        const char *what = strcmp(c, "iret") ? "wrapping" : "limited";
        check_iret(ds, what, 0);
        check_iret(ds, what, 1);
        return;
    }
    if (!strcmp(c, "cs")) {
        rules_expect_termination("rule 4", "a VMI call from a limited CS");
        call_with_cs(code);
    } else if (!strcmp(c, "ss")) {
        rules_expect_termination("rule 4", "a VMI call with a limited SS");
        call_with_ss(data);
    } else if (!strcmp(c, "ds")) {
        rules_expect_termination("rule 5", "a VMI call with a limited DS");
        call_with_ds(data);
    } else if (!strcmp(c, "ds-remembered")) {
        remember_cpuid(rt_seg.kernel_ds);
        rules_expect_termination("rule 5", "the remembered CPUID site with a limited DS");
        uint32_t r[4];
        cpuid_with_ds(data, r);
    } else if (!strcmp(c, "ds-rewritten")) {
        uint16_t own = rules_segment(SLOT_OWN_DS, 0, desc_flat_limit() + 1, k, DESC_DATA_WRITE, k);
        remember_cpuid(own);
        struct vmi_dtr gdtr;
        uint8_t access = (uint8_t)(DESC_P | (k << DESC_DPL_SHIFT) | DESC_S | DESC_DATA_WRITE);
        rt_gdt[SLOT_OWN_DS] = desc_make(0, LIMITED_PAGES - 1, access, DESC_FLAG_G | DESC_FLAG_DB);
        vmi_get_gdt(&gdtr);
        vmi_set_gdt(&gdtr);
        rules_expect_termination("rule 5", "the remembered CPUID site, DS's descriptor made limited");
        uint32_t r[4];
        cpuid_with_ds(own, r);
    } else if (!strcmp(c, "es")) {
        rules_expect_termination("rule 5", "a VMI call with a limited ES");
        call_with_es(data);
    } else {
        report(0, "unknown case=%s", c);
        return;
    }
    rules_survived("a VMI call with a non-flat segment");
}
