/*
 * isolation.c - the hypervisor's memory is out of a ring-1 guest's reach.
 *
 * Segment limits end every guest segment at virtual_top, but QEMU's TCG
 * does not check limits, so the hypervisor must not rely on them alone:
 * while a guest runs, its page directory maps nothing above virtual_top
 * but the few pages the CPU itself needs to enter the hypervisor (spec
 * section 8), and the tables among them read-only.  Each probe below must
 * fault (#GP on a CPU that checks limits, #PF where only paging protects).
 *
 * Modes hv and hv-novmi; natively the kernel owns everything.
 */
#include "rules.h"

#define HV_IMAGE       (HR_VIRTUAL_TOP + 0x100000u)   /* hv.ld: loaded at 1 MiB */
#define MULTIBOOT_MAGIC 0x1BADB002u                   /* the image's first word */
#define TSS_ESP0       4u                             /* offset in a 32-bit TSS */
#define HV_IMAGE_END   (HR_VIRTUAL_TOP + 0x400000u)   /* past anything it links */
#define TRAP_PAGE      4096u
#define HITS_SHOWN     4u

static volatile uint32_t seen;

/* Read the 32-bit word at linear address *(uint32_t *)arg. */
static void peek(void *arg)
{
    seen = *(volatile uint32_t *)*(uint32_t *)arg;
}

/* Write the 32-bit word at *(uint32_t *)arg back with its own value. */
static void poke_same(void *arg)
{
    volatile uint32_t *p = (volatile uint32_t *)*(uint32_t *)arg;
    *p = *p;
}

/* The base of the descriptor table that sgdt (or sidt) stores. */
static uint32_t table_base(int idt)
{
    struct { uint16_t limit; uint32_t base; } HR_PACKED d;
    if (idt)
        __asm__ volatile("sidt %0" : "=m"(d));
    else
        __asm__ volatile("sgdt %0" : "=m"(d));
    return d.base;
}

/* The address of the ring-0 stack pointer in the real TSS, found through
 * STR and the real GDT at gdt (readable or not: the address is enough). */
static uint32_t tss_esp0(uint32_t gdt)
{
    uint16_t sel;
    uint32_t desc[2] = { 0, 0 }, at = gdt;
    __asm__ volatile("str %0" : "=r"(sel));
    at += sel & ~7u;
    if (try_call(peek, &at) == RT_NO_FAULT)
        desc[0] = seen;
    at += 4;
    if (try_call(peek, &at) == RT_NO_FAULT)
        desc[1] = seen;
    uint32_t base = (desc[0] >> 16) | ((desc[1] & 0xFFu) << 16) | (desc[1] & 0xFF000000u);
    return (base ? base : HR_VIRTUAL_TOP) + TSS_ESP0;
}

/* The page a trap from the guest lands on (below TSS.esp0, read at
 * esp0_at) may show the guest its own registers, never the hypervisor's
 * workings: no word in it may point into the hypervisor's image, beyond
 * the entry pages the guest can read anyway. */
static void check_trap_page(uint32_t esp0_at)
{
    uint32_t esp0, hits = 0, readable = 0, r[4];
    if (try_call(peek, &esp0_at) != RT_NO_FAULT) {
        report(1, "the TSS is unreadable here: nothing of the trap page to see");
        return;
    }
    esp0 = seen;
    vmi_cpuid(0, 0, r);                          /* some exits first */
    vmi_get_cr0();
    for (uint32_t at = esp0 - TRAP_PAGE; at < esp0; at += sizeof(uint32_t)) {
        uint32_t a = at;
        if (try_call(peek, &a) != RT_NO_FAULT)
            continue;
        readable++;
        uint32_t value = seen;
        int own = value >= esp0 - TRAP_PAGE && value <= esp0;   /* this loop's bounds */
        if (value >= HV_IMAGE && value < HV_IMAGE_END && !own &&
            try_call(peek, &value) != RT_NO_FAULT && hits++ < HITS_SHOWN)
            printf("isolation: %x holds %x\n", at, value);
    }
    report(hits == 0, "the trap stack page below %x holds no address of the hypervisor's "
           "hidden memory (%u of %u readable words do)", esp0, hits, readable);
}

/* A fault is what the CPU owes a guest that reaches past virtual_top. */
static int faults(int v)
{
    return v == T_GP || v == T_PF;
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    if (!rules_ring1()) {
        report_skip("the hypervisor's memory: natively the kernel owns all of it");
        report_summary();
        return;
    }
    uint32_t at = HV_IMAGE;
    seen = 0;
    int v = try_call(peek, &at);
    report(faults(v), "reading the hypervisor's image at %x faults (vector %d)", at, v);
    report(seen != MULTIBOOT_MAGIC, "the hypervisor's image stays unread (read %x)", seen);
    v = try_call(poke_same, &at);
    report(faults(v), "writing the hypervisor's image at %x faults (vector %d)", at, v);

    uint32_t gdt = table_base(0), idt = table_base(1);
    report(gdt >= HR_VIRTUAL_TOP && idt >= HR_VIRTUAL_TOP,
           "SGDT and SIDT show the real tables above virtual_top (%x, %x)", gdt, idt);
    v = try_call(poke_same, &gdt);
    report(faults(v), "writing the real GDT at %x faults (vector %d)", gdt, v);
    v = try_call(poke_same, &idt);
    report(faults(v), "writing the real IDT at %x faults (vector %d)", idt, v);
    uint32_t tss = tss_esp0(gdt);
    v = try_call(poke_same, &tss);
    report(faults(v), "writing the real TSS's ring-0 stack pointer at %x faults (vector %d)",
           tss, v);
    check_trap_page(tss);
    report_summary();
}
