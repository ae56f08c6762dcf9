/*
 * toctou.c - tables changed in memory between validation and use: a
 * descriptor validated through WriteGDTEntry or SetLDT, then rewritten by
 * a plain store into something the hypervisor would refuse (a DPL-0 code
 * segment, a call gate into the hypervisor's code); cached limits (GDTR,
 * LDTR) after the memory they came from changed; an IDT gate rewritten in
 * place; the current CS slot overwritten in memory.
 *
 * A CPU reads a descriptor when a selector is loaded and keeps it cached;
 * the hypervisor installs what it validated and picks up direct writes
 * when a load faults on a descriptor that differs (spec section 12), so a
 * refused descriptor ends the guest ("descriptor validation") and never
 * runs.  Natively the CPU is the reference.
 *
 * Kernel modes: native, hv, hv-novmi.
 */
#include "hostile.h"

#define SLOT         HOSTILE_SLOT
#define LDT_TWO      15u
#define LDT_BIG      0xFFFFu
#define LDT_PAST_IX  5u
#define GDT_PAST     RT_GDT_ENTRIES
#define VEC_FREE     0x31u
#define GATE_CALL32  0x0Cu
#define HV_CS        (HR_FLAT_KERNEL_CS & ~SEL_RPL_MASK)    /* F10h */

extern const uint32_t rt_vector_stubs[RT_VECTORS];

/* A DPL-3 32-bit call gate to the hypervisor's code selector and image. */
static struct seg_desc hv_call_gate(void)
{
    struct gate_desc g = {
        .offset_lo = (uint16_t)HOSTILE_HV_IMAGE,
        .selector = HV_CS,
        .type_attr = (uint8_t)(DESC_P | (RT_RING_USER << DESC_DPL_SHIFT) | GATE_CALL32),
        .offset_hi = (uint16_t)(HOSTILE_HV_IMAGE >> 16),
    };
    struct seg_desc d;
    memcpy(&d, &g, sizeof(d));
    return d;
}

/* Ring 3: far call through *(struct hostile_far *)arg. */
static void user_lcall(void *arg)
{
    __asm__ volatile("lcall *(%0)" :: "r"(arg) : "memory");
}

/* toctou-gdt-dpl0: slot 6 validated as data at K, then stored over with
 * a DPL-0 code segment; a far call with RPL 0 through it. */
static void gdt_dpl0(void)
{
    hostile_gdt_write(SLOT, hostile_flat(DESC_DATA_WRITE, HOSTILE_DPL_K));
    rt_gdt[SLOT] = hostile_flat(DESC_CODE | DESC_CODE_READ, 0);
    hostile_judge(hostile_lcall(SEL(SLOT, 0, 0)), "a far call through a DPL-0 code slot stored in place");
}

/* toctou-gdt-callgate: slot 6 validated as data, then stored over with a
 * call gate into the hypervisor; ring 3 calls through it. */
static void gdt_callgate(void)
{
    static struct hostile_far far;
    hostile_gdt_write(SLOT, hostile_flat(DESC_DATA_WRITE, RT_RING_USER));
    rt_gdt[SLOT] = hv_call_gate();
    far = (struct hostile_far){ 0, SEL(SLOT, 0, RT_RING_USER) };
    hostile_judge(rt_user_call(user_lcall, &far), "ring 3 calls a gate stored over a data slot");
}

/* toctou-ldt-callgate: the same through an LDT entry after SetLDT. */
static void ldt_callgate(void)
{
    static struct hostile_far far;
    struct seg_desc *ldt = hostile_ldt();
    ldt[1] = hostile_flat(DESC_DATA_WRITE, RT_RING_USER);
    hostile_ldt_load((uint32_t)ldt, LDT_TWO);
    ldt[1] = hv_call_gate();
    far = (struct hostile_far){ 0, SEL(1, SEL_TI_LDT, RT_RING_USER) };
    hostile_judge(rt_user_call(user_lcall, &far), "ring 3 calls a gate stored into the LDT");
}

/* toctou-ldt-limit: the LDT descriptor's limit grown in memory after
 * SetLDT: the LDTR keeps the limit it loaded. */
static void ldt_limit(void)
{
    struct seg_desc *ldt = hostile_ldt();
    ldt[LDT_PAST_IX] = ldt[0];
    hostile_ldt_load((uint32_t)ldt, LDT_TWO);
    rt_gdt[HOSTILE_LDT_SLOT] = hostile_desc((uint32_t)ldt, LDT_BIG, DESC_SYS_LDT,
                                            HOSTILE_DPL_K, 1, 0);
    hostile_judge(hostile_load_fs(SEL(LDT_PAST_IX, SEL_TI_LDT, rt_seg.cpl)),
                  "LDT entry 5 after the LDT's limit grew in memory");
}

/* toctou-gdtr-limit: the pseudo-descriptor changed after SetGDT. */
static void gdtr_limit(void)
{
    static struct vmi_dtr d;
    d = (struct vmi_dtr){ sizeof(rt_gdt) - 1, (uint32_t)rt_gdt };
    vmi_set_gdt(&d);
    d.limit = UINT16_MAX;
    hostile_gdt_write(SLOT, hostile_flat(DESC_DATA_WRITE, HOSTILE_DPL_K));
    hostile_judge(hostile_load_fs(SEL(GDT_PAST, 0, rt_seg.cpl)),
                  "a selector past the GDT after its pseudo-descriptor changed");
}

/* Ring 3: INT VEC_FREE. */
static void user_int(void *arg)
{
    (void)arg;
    __asm__ volatile("int $0x31" ::: "memory");
}

/* toctou-idt-gate: a DPL-3 gate written through WriteIDTEntry, then its
 * selector stored over with the hypervisor's code selector. */
static void idt_gate(void)
{
    struct gate_desc g = desc_gate(rt_vector_stubs[RT_VECTORS - 1], RT_RING_USER, GATE_INT32);
    vmi_write_idt_entry(rt_idt, VEC_FREE, desc_lo(&g), desc_hi(&g));
    rt_idt[VEC_FREE].selector = HV_CS;
    rt_idt[VEC_FREE].offset_lo = (uint16_t)HOSTILE_HV_IMAGE;
    rt_idt[VEC_FREE].offset_hi = (uint16_t)(HOSTILE_HV_IMAGE >> 16);
    hostile_judge(rt_user_call(user_int, NULL), "ring 3 INT 31h after its gate changed in place");
}

/* toctou-cs-memory: the current CS slot overwritten in memory (a call
 * gate), exits, then put back: the cached CS carries on. */
static void cs_memory(void)
{
    uint32_t r[4];
    struct seg_desc keep = rt_gdt[RT_GDT_KERNEL_CS];
    rt_gdt[RT_GDT_KERNEL_CS] = hv_call_gate();
    vmi_cpuid(0, 0, r);
    (void)vmi_get_cr0();
    rt_gdt[RT_GDT_KERNEL_CS] = keep;
    hostile_judge(RT_NO_FAULT, "exits while the CS slot held a call gate in memory");
}

static const struct hostile_case toctou_cases[] = {
    { "toctou-gdt-dpl0", gdt_dpl0 },
    { "toctou-gdt-callgate", gdt_callgate },
    { "toctou-ldt-callgate", ldt_callgate },
    { "toctou-ldt-limit", ldt_limit },
    { "toctou-gdtr-limit", gdtr_limit },
    { "toctou-idt-gate", idt_gate },
    { "toctou-cs-memory", cs_memory },
};

void guest_main(const char *cmdline)
{
    (void)cmdline;
    hostile_main(toctou_cases, HOSTILE_COUNT(toctou_cases));
}
