/*
 * desc.c - the runtime's GDT, TSS, IDT and LDT, all loaded through the
 * VMI shim so the same code works natively and under the hypervisor.
 *
 * GDT layout (enum rt_gdt_slot):
 *   0 null   1 kernel code   2 kernel data   3 user code   4 user data
 *   5 TSS    6.. free for tests
 * Kernel descriptors get DPL = the level the kernel runs at (rt_seg.cpl),
 * never a hard-coded 0: ring 0 natively, ring 1 under the hypervisor.
 * Flat segments span 4 GiB natively; in VMI mode they end below the ROM
 * header's virtual_top, where the hypervisor's own area begins.
 */
#include "rt.h"     /* tables and selectors */
#include "vmi.h"    /* vmi_set_gdt and friends */

#define PAGE_SHIFT 12

struct rt_seg rt_seg;
struct seg_desc rt_gdt[RT_GDT_ENTRIES] __attribute__((aligned(8)));
struct gate_desc rt_idt[RT_IDT_ENTRIES] __attribute__((aligned(8)));
/* Aligned so the 104-byte TSS proper never straddles a page boundary. */
struct rt_tss rt_tss __attribute__((aligned(128)));

extern const uint32_t rt_vector_stubs[RT_VECTORS];   /* entry.asm */
extern const uint8_t rt_syscall_stub[];              /* entry.asm */
extern uint8_t rt_trap_stack_top[];                  /* entry.asm */

/* The limit of a flat segment, in pages. */
uint32_t desc_flat_limit(void)
{
    if (vmi.mode == VMI_MODE_VMI && vmi.virtual_top)
        return (vmi.virtual_top >> PAGE_SHIFT) - 1;
    return DESC_MAX_LIMIT;
}

/* A descriptor from base, 20-bit limit, access byte (P|DPL|S|type), flags (G|DB). */
struct seg_desc desc_make(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (struct seg_desc){
        .limit_lo = (uint16_t)limit,
        .base_lo = (uint16_t)base,
        .base_mid = (uint8_t)(base >> 16),
        .access = access,
        .limit_flags = (uint8_t)(flags | ((limit >> 16) & DESC_LIMIT_HI_MASK)),
        .base_hi = (uint8_t)(base >> 24),
    };
}

/* The low and high 32 bits of an 8-byte descriptor or gate. */
uint32_t desc_lo(const void *d)
{
    uint32_t v;
    memcpy(&v, d, sizeof(v));
    return v;
}

uint32_t desc_hi(const void *d)
{
    uint32_t v;
    memcpy(&v, (const uint8_t *)d + sizeof(v), sizeof(v));
    return v;
}

/* Write GDT slot i through the shim. */
static void gdt_write(unsigned i, struct seg_desc d)
{
    vmi_write_gdt_entry(rt_gdt, i, desc_lo(&d), desc_hi(&d));
}

/* A flat 32-bit code or data segment at the given privilege level. */
static struct seg_desc flat(unsigned dpl, uint8_t type)
{
    uint8_t access = (uint8_t)(DESC_P | (dpl << DESC_DPL_SHIFT) | DESC_S | type);
    return desc_make(0, desc_flat_limit(), access, DESC_FLAG_G | DESC_FLAG_DB);
}

/* The TSS: our ring's stack for traps from user mode, all ports denied. */
static struct seg_desc tss_setup(void)
{
    memset(&rt_tss, 0, sizeof(rt_tss));
    memset(rt_tss.iopb, 0xFF, sizeof(rt_tss.iopb));  /* set bit: no access */
    rt_tss.tss.iomap_base = offsetof(struct rt_tss, iopb);
    if (rt_seg.cpl == 0) {
        rt_tss.tss.ss0 = rt_seg.kernel_ds;
        rt_tss.tss.esp0 = (uint32_t)rt_trap_stack_top;
    } else {
        rt_tss.tss.ss1 = rt_seg.kernel_ds;
        rt_tss.tss.esp1 = (uint32_t)rt_trap_stack_top;
    }
    uint8_t access = (uint8_t)(DESC_P | (rt_seg.cpl << DESC_DPL_SHIFT) | DESC_SYS_TSS32);
    return desc_make((uint32_t)&rt_tss, sizeof(rt_tss) - 1, access, 0);
}

/* Fill the GDT, load it and switch CS, DS, ES, FS, GS, SS to it. */
static void gdt_init(void)
{
    unsigned k = rt_seg.cpl;
    rt_seg.kernel_cs = SEL(RT_GDT_KERNEL_CS, 0, k);
    rt_seg.kernel_ds = SEL(RT_GDT_KERNEL_DS, 0, k);
    rt_seg.user_cs = SEL(RT_GDT_USER_CS, 0, RT_RING_USER);
    rt_seg.user_ds = SEL(RT_GDT_USER_DS, 0, RT_RING_USER);
    rt_seg.tss = SEL(RT_GDT_TSS, 0, k);

    memset(rt_gdt, 0, sizeof(rt_gdt));
    gdt_write(RT_GDT_KERNEL_CS, flat(k, DESC_CODE | DESC_CODE_READ));
    gdt_write(RT_GDT_KERNEL_DS, flat(k, DESC_DATA_WRITE));
    gdt_write(RT_GDT_USER_CS, flat(RT_RING_USER, DESC_CODE | DESC_CODE_READ));
    gdt_write(RT_GDT_USER_DS, flat(RT_RING_USER, DESC_DATA_WRITE));
    gdt_write(RT_GDT_TSS, tss_setup());

    struct vmi_dtr d = { sizeof(rt_gdt) - 1, (uint32_t)rt_gdt };
    vmi_set_gdt(&d);
    rt_load_segments(rt_seg.kernel_cs, rt_seg.kernel_ds);
}

/* A gate into the kernel's code segment at handler. */
struct gate_desc desc_gate(uint32_t handler, unsigned dpl, uint8_t type)
{
    return (struct gate_desc){
        .offset_lo = (uint16_t)handler,
        .selector = rt_seg.kernel_cs,
        .type_attr = (uint8_t)(DESC_P | (dpl << DESC_DPL_SHIFT) | type),
        .offset_hi = (uint16_t)(handler >> 16),
    };
}

/* Write IDT slot v through the shim. */
static void idt_write(unsigned v, struct gate_desc g)
{
    vmi_write_idt_entry(rt_idt, v, desc_lo(&g), desc_hi(&g));
}

/* Interrupt gates for every vector the runtime handles and the system-call
 * trap gate user mode may use, then load the IDT. */
static void idt_init(void)
{
    memset(rt_idt, 0, sizeof(rt_idt));
    for (unsigned v = 0; v < RT_VECTORS; v++)
        idt_write(v, desc_gate(rt_vector_stubs[v], rt_seg.cpl, GATE_INT32));
    idt_write(RT_SYSCALL_VECTOR, desc_gate((uint32_t)rt_syscall_stub, RT_RING_USER, GATE_TRAP32));
    struct vmi_dtr d = { sizeof(rt_idt) - 1, (uint32_t)rt_idt };
    vmi_set_idt(&d);
}

/* Bring up every table; vmi_setup() must have run.  The IDT comes right
 * after the GDT so that a fault in the steps after it is reported. */
void desc_init(void)
{
    rt_seg.cpl = read_cs() & SEL_RPL_MASK;
    gdt_init();
    idt_init();
    vmi_set_tr(rt_seg.tss);
    vmi_update_kernel_stack(rt_seg.kernel_ds, (uint32_t)rt_trap_stack_top);
    vmi_set_ldt(0);            /* no LDT until a test makes one */
}
