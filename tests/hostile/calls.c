/*
 * calls.c - VMI table and MMU calls with wild indexes, limits and
 * pointers: Write{GDT,LDT,IDT}Entry at indexes that wrap around or lie
 * past the table's limit, a 64 KiB GDT whose entries the hypervisor
 * cannot mirror, SetIDT of limit 0, string I/O to and from the
 * hypervisor's image, SetPxE through a pointer into it, and MMU calls
 * the ROM answers with nothing.
 *
 * A descriptor write is a store (SDM: the table is memory); only what the
 * loaded table's limit covers is a descriptor.  An index that wraps
 * (index * 8 overflows) stores just below the table.  Pointers into the
 * hypervisor fault: #GP(0) by segment limit or #PF where only paging
 * protects (expect=13:0/14:E).
 *
 * Kernel modes: native, hv, hv-novmi.
 */
#include "hostile.h"

#define WRAP_INDEX   0x1FFFFFFFu           /* index * 8 = -8: the entry below */
#define BIG_ENTRIES  8192u                  /* a GDT of limit FFFFh            */
#define GUARD        2u                     /* entries before the table        */
#define GDT_PAST     RT_GDT_ENTRIES
#define LDT_TWO      15u
#define LDT_PAST_IX  5u
#define PORT_POST    0x80u
#define HV_COUNT     4u
#define WILD         0xFFFFFFFFu
#define PFN_WILD     0xFFFFFu
#define VEC_WRAP_MARK 0x0BADC0DEu

/* A table with GUARD entries in front, for wrapped writes to land in. */
static struct seg_desc big[GUARD + BIG_ENTRIES] __attribute__((aligned(8)));

/* The runtime's GDT copied into big (after the guard). */
static struct seg_desc *big_gdt(void)
{
    memset(big, 0, sizeof(big));
    memcpy(&big[GUARD], rt_gdt, sizeof(rt_gdt));
    return &big[GUARD];
}

/* Load big as the GDT with limit, and reload the segments. */
static void big_load(uint16_t limit)
{
    struct vmi_dtr d = { limit, (uint32_t)&big[GUARD] };
    vmi_set_gdt(&d);
    rt_load_segments(rt_seg.kernel_cs, rt_seg.kernel_ds);
}

/* Write entry `index` of table t (GDT, LDT or IDT call) with d; check the
 * guard entry below got it when the index wraps. */
static void wrap_write(void (*write)(void *, uint32_t, uint32_t, uint32_t), struct seg_desc *t)
{
    struct seg_desc d = hostile_flat(DESC_DATA_WRITE, HOSTILE_DPL_K);
    d.limit_lo = (uint16_t)VEC_WRAP_MARK;
    write(t, WRAP_INDEX, desc_lo(&d), desc_hi(&d));
    report(!memcmp(&t[-1], &d, sizeof(d)), "the entry below the table holds it (%08x %08x)",
           desc_hi(&t[-1]), desc_lo(&t[-1]));
    hostile_judge(hostile_load_fs(rt_seg.kernel_ds), "the kernel's data selector still loads");
}

static void gdt_entry(void *t, uint32_t i, uint32_t lo, uint32_t hi) { vmi_write_gdt_entry(t, i, lo, hi); }
static void ldt_entry(void *t, uint32_t i, uint32_t lo, uint32_t hi) { vmi_write_ldt_entry(t, i, lo, hi); }
static void idt_entry(void *t, uint32_t i, uint32_t lo, uint32_t hi) { vmi_write_idt_entry(t, i, lo, hi); }

static void wgdt_wrap(void) { wrap_write(gdt_entry, big_gdt()); }
static void wldt_wrap(void) { wrap_write(ldt_entry, big_gdt()); }
static void widt_wrap(void) { wrap_write(idt_entry, big_gdt()); }

/* The loaded GDT written at a wrapping index. */
static void wgdt_wrap_loaded(void)
{
    struct seg_desc *t = big_gdt();
    big_load(sizeof(rt_gdt) - 1);
    wrap_write(gdt_entry, t);
}

/* An entry written just past the loaded GDT's limit does not load. */
static void wgdt_past(void)
{
    struct seg_desc *t = big_gdt();
    big_load(sizeof(rt_gdt) - 1);
    struct seg_desc d = hostile_flat(DESC_DATA_WRITE, HOSTILE_DPL_K);
    vmi_write_gdt_entry(t, GDT_PAST, desc_lo(&d), desc_hi(&d));
    hostile_judge(hostile_load_fs(SEL(GDT_PAST, 0, rt_seg.cpl)), "an entry past the GDT's limit");
}

/* An entry written past a two-entry LDT does not load. */
static void wldt_past(void)
{
    struct seg_desc *ldt = hostile_ldt();
    hostile_ldt_load((uint32_t)ldt, LDT_TWO);
    struct seg_desc d = hostile_flat(DESC_DATA_WRITE, HOSTILE_DPL_K);
    vmi_write_ldt_entry(ldt, LDT_PAST_IX, desc_lo(&d), desc_hi(&d));
    hostile_judge(hostile_load_fs(SEL(LDT_PAST_IX, SEL_TI_LDT, rt_seg.cpl)),
                  "an LDT entry past the LDT's limit");
}

/* call-setgdt-64k: a GDT of 8192 entries; entry 483 (where the hypervisor
 * keeps its flat data segment) is null in it and must not load. */
static void gdt_64k(void)
{
    big_gdt();
    big_load(BIG_ENTRIES * sizeof(struct seg_desc) - 1);
    hostile_judge(hostile_load_fs(HR_FLAT_KERNEL_DS), "selector F19h of a 64 KiB GDT");
}

/* call-setidt-limit0: SetIDT of limit 0, exits, the IDT back: works. */
static void idt_limit0(void)
{
    uint32_t r[4];
    struct vmi_dtr zero = { 0, (uint32_t)rt_idt }, good = { sizeof(rt_idt) - 1, (uint32_t)rt_idt };
    vmi_set_idt(&zero);
    vmi_cpuid(0, 0, r);
    (void)vmi_get_cr0();
    vmi_set_idt(&good);
    hostile_judge(RT_NO_FAULT, "exits with an IDT of limit 0");
}

/* call-setidt-limit0-trap: a fault with no IDT (a triple fault natively). */
static void idt_limit0_trap(void)
{
    struct vmi_dtr zero = { 0, (uint32_t)rt_idt };
    vmi_set_idt(&zero);
    hostile_judge(TRY_ASM("ud2"), "#UD with an IDT of limit 0");
}

/* try_call bodies: string I/O of HV_COUNT bytes at the hypervisor's image. */
static void ins_hv(void *arg) { (void)arg; vmi_insb(PORT_POST, (uint8_t *)HOSTILE_HV_IMAGE, HV_COUNT); }
static void outs_hv(void *arg) { (void)arg; vmi_outsb(PORT_POST, (const uint8_t *)HOSTILE_HV_IMAGE, HV_COUNT); }

static void insb_hv(void) { hostile_judge(try_call(ins_hv, NULL), "INSB into the hypervisor"); }
static void outsb_hv(void) { hostile_judge(try_call(outs_hv, NULL), "OUTSB from the hypervisor"); }

/* try_call body: SetPxE through a pointer into the hypervisor. */
static void pxe_hv(void *arg)
{
    (void)arg;
    vmi_set_pxe(0, (uint32_t *)HOSTILE_HV_IMAGE, VMI_PAGE_PT);
}

static void setpxe_hv(void) { hostile_judge(try_call(pxe_hv, NULL), "SetPxE into the hypervisor"); }

/* try_call body: read the hypervisor's image. */
static void peek_hv(void *arg)
{
    *(volatile uint32_t *)arg = *(volatile uint32_t *)HOSTILE_HV_IMAGE;
}

/* The hypervisor's image stays out of reach after call(). */
static void still_guarded(const char *what)
{
    uint32_t w = 0;
    int v = try_call(peek_hv, &w);
    report(v == T_GP || v == T_PF, "the hypervisor's image is still unreadable (vector %d)", v);
    hostile_judge(RT_NO_FAULT, what);
}

/* SetPxE with CURRENT_AS naming an address in the hypervisor's area. */
static void setpxe_current_hv(void)
{
    static uint32_t pte;
    vmi_set_pxe(HOSTILE_HV_IMAGE | HP_P | HP_W, &pte,
                VMI_PAGE_PT | VMI_PAGE_CURRENT_AS | (HOSTILE_HV_IMAGE & VMI_PAGE_VA_MASK));
    still_guarded("SetPxE, CURRENT_AS, at F0100000h");
}

static void linear_wild(void)
{
    vmi_set_linear_mapping(WILD, HR_VIRTUAL_TOP, WILD, PFN_WILD);
    still_guarded("SetLinearMapping of everything above virtual_top");
}

static void allocate_wild(void)
{
    vmi_allocate_page(PFN_WILD, VMI_PAGE_PD | VMI_PAGE_CLONE, PFN_WILD, 0, WILD);
    vmi_release_page(PFN_WILD, VMI_PAGE_PD);
    vmi_inval_page(HOSTILE_HV_IMAGE);
    vmi_set_lazy_mode(WILD);
    vmi_set_lazy_mode(VMI_LAZY_NONE);
    still_guarded("AllocatePage, ReleasePage, InvalPage, SetLazyMode with wild arguments");
}

static const struct hostile_case call_cases[] = {
    { "call-wgdt-wrap", wgdt_wrap },
    { "call-wgdt-wrap-loaded", wgdt_wrap_loaded },
    { "call-wldt-wrap", wldt_wrap },
    { "call-widt-wrap", widt_wrap },
    { "call-wgdt-past", wgdt_past },
    { "call-wldt-past", wldt_past },
    { "call-setgdt-64k", gdt_64k },
    { "call-setidt-limit0", idt_limit0 },
    { "call-setidt-limit0-trap", idt_limit0_trap },
    { "call-insb-hv", insb_hv },
    { "call-outsb-hv", outsb_hv },
    { "call-setpxe-hv", setpxe_hv },
    { "call-setpxe-current-hv", setpxe_current_hv },
    { "call-linear-wild", linear_wild },
    { "call-mmu-wild", allocate_wild },
};

void guest_main(const char *cmdline)
{
    (void)cmdline;
    hostile_main(call_cases, HOSTILE_COUNT(call_cases));
}
