/*
 * hc_desc.c - VMI calls for descriptor tables and the kernel stack.
 * Ring 0.  The guest keeps its tables in its own memory, as natively; the
 * hypervisor validates every entry it is told about into the real tables.
 */
#include "hypercall.h"
#include "desc.h"

#define SYSCALL_VECTOR_DEFAULT 0x80u

uint32_t syscall_vector = SYSCALL_VECTOR_DEFAULT;
static struct gtlb table_tlb;     /* the page Write*Entry last stored to (gtlb.c) */

/* A descriptor the guest broke a rule with: the guest stops here. */
static void refuse(struct trapframe *tf, const char *what, uint32_t index, const char *why)
{
    guest_terminate(tf, "descriptor validation", "%s entry %u: %s", what, index, why);
}

static uint32_t ldt_selector_fault(uint16_t sel);

/* Read the 6-byte table register image the guest points at. */
static struct dtr read_dtr(struct trapframe *tf, uint32_t va)
{
    struct dtr d;
    if (guest_read(va, &d, sizeof(d)))
        hc_page_fault(tf, va, sizeof(d), 0);
    return d;
}

/* SetGDT(const struct dtr *): load a new GDT, validating every entry. */
void hc_SetGDT(struct trapframe *tf)
{
    struct dtr d = read_dtr(tf, tf->eax);
    const char *why = NULL;
    uint32_t bad;
    if (seg_guest_set_gdt(&d, &bad, &why))
        refuse(tf, "GDT", bad, why);
    vcpu0.gdtr = d;
    vcpu_publish();
}

/* SetIDT(const struct dtr *): the guest's virtual IDT. */
void hc_SetIDT(struct trapframe *tf)
{
    vcpu0.idtr = read_dtr(tf, tf->eax);
    vcpu_publish();
    idt_sync_syscall(tf);
}

/* GetGDT(struct dtr *) / GetIDT(struct dtr *): store the register image. */
void hc_GetGDT(struct trapframe *tf)
{
    if (guest_write(tf->eax, &vcpu0.gdtr, sizeof(vcpu0.gdtr)))
        hc_page_fault(tf, tf->eax, sizeof(struct dtr), PF_W);
}

void hc_GetIDT(struct trapframe *tf)
{
    if (guest_write(tf->eax, &vcpu0.idtr, sizeof(vcpu0.idtr)))
        hc_page_fault(tf, tf->eax, sizeof(struct dtr), PF_W);
}

/* SetLDT(selector): load the LDT that GDT entry names, validated.  The
 * entry is re-read first: a trap-and-emulate guest writes it directly. */
void hc_SetLDT(struct trapframe *tf)
{
    const char *why = NULL;
    uint16_t sel = (uint16_t)tf->eax;
    if (seg_resync(sel & ~SEL_TI, &why) < 0)
        refuse(tf, "LDT", SEL_INDEX(sel), why);
    uint32_t fault = ldt_selector_fault(sel);
    if (fault)
        hc_fault(tf, fault, sel & ~3u);          /* LLDT's own #GP or #NP */
    if (seg_guest_set_ldt(sel, &why))
        refuse(tf, "LDT", SEL_INDEX(sel), why);
    vcpu0.ldtr = sel;
    vcpu_publish();
}

/* The fault LLDT raises for sel, as the CPU checks it (0: none): a
 * selector into the LDT, past the GDT, or naming anything but an LDT
 * descriptor is #GP(sel); a not-present LDT descriptor is #NP(sel). */
static uint32_t ldt_selector_fault(uint16_t sel)
{
    if (!(sel & ~3u))
        return 0;                                 /* null: no LDT */
    uint32_t i = SEL_INDEX(sel);
    if ((sel & SEL_TI) || i >= HR_GUEST_GDT_ENTRIES ||
        i * sizeof(struct seg_desc) + sizeof(struct seg_desc) - 1 > vcpu0.gdtr.limit)
        return T_GP;
    struct seg_desc d = seg_guest_view(i);
    if (DESC_S(d) || DESC_TYPE(d) != SYS_TYPE_LDT)
        return T_GP;
    return DESC_P(d) ? 0 : T_NP;
}

/* SetTR(selector): must name a 32-bit TSS in the guest's GDT.  The CPU
 * keeps using the hypervisor's TSS; the guest's is consulted for its I/O
 * bitmap and stack, through the descriptor as it was here (a CPU caches
 * it in TR: later writes to the GDT entry do not move the TSS). */
void hc_SetTR(struct trapframe *tf)
{
    uint16_t sel = (uint16_t)tf->eax;
    const char *why = NULL;
    if (seg_resync(sel & ~SEL_TI, &why) < 0)
        refuse(tf, "GDT", SEL_INDEX(sel), why);
    struct seg_desc d = seg_guest_view(SEL_INDEX(sel));
    if ((sel & SEL_TI) || !DESC_P(d) || DESC_S(d) ||
        (DESC_TYPE(d) != SYS_TYPE_TSS32 && DESC_TYPE(d) != SYS_TYPE_TSS32_BUSY))
        hc_fault(tf, T_GP, sel & ~3u);
    else
        vcpu0.tr = sel, vcpu0.tr_desc = d;   /* cached, as TR's hidden part */
    vcpu_publish();
}

void hc_GetLDT(struct trapframe *tf) { tf->eax = vcpu0.ldtr; }
void hc_GetTR(struct trapframe *tf) { tf->eax = vcpu0.tr; }

/* store_entry's miss: the ring-1 store page by page, or the page fault
 * it raises at the call site. */
static void store_entry_walk(struct trapframe *tf, uint32_t at, struct seg_desc d)
{
    if (guest_write(at, &d, sizeof(d)))
        hc_page_fault(tf, at, sizeof(d), PF_W);
}

/* Write{GDT,LDT,IDT}Entry(table, index, lo, hi): store the 8 bytes d in
 * the guest's table where the native store "table[index] = d" would (at:
 * the address wraps as 32-bit arithmetic does); one translation, kept. */
static inline void store_entry(struct trapframe *tf, uint32_t at, struct seg_desc d)
{
    uint8_t *p = gtlb_ptr(&table_tlb, at, sizeof(d), 1);
    if (p)
        __builtin_memcpy(p, &d, sizeof(d));
    else
        store_entry_walk(tf, at, d);
}

/* The entry a Write*Entry call stores: lo in ECX, hi the fourth argument. */
static inline struct seg_desc call_entry(struct trapframe *tf)
{
    return (struct seg_desc){ tf->ecx, hc_arg4(tf) };
}

/* Where entry index of the table at base lies, 32-bit arithmetic. */
static inline uint32_t entry_at(uint32_t table, uint32_t index)
{
    return table + index * (uint32_t)sizeof(struct seg_desc);
}

/* Did the store land on entry `index` of the table at base with byte
 * limit `limit` (one the CPU would read)? */
static int in_table(uint32_t table, uint32_t index, uint32_t base, uint32_t limit)
{
    uint32_t last = sizeof(struct seg_desc) - 1;  /* entry index ends at index * 8 + 7 */
    return table == base && limit >= last && index <= (limit - last) / sizeof(struct seg_desc);
}

void hc_WriteGDTEntry(struct trapframe *tf)
{
    uint32_t table = tf->eax, index = tf->edx;
    struct seg_desc d = call_entry(tf);
    store_entry(tf, entry_at(table, index), d);
    const char *why = NULL;
    if (in_table(table, index, vcpu0.gdtr.base, vcpu0.gdtr.limit) &&
        !seg_guest_gdt_holds(index, d) && seg_guest_write_gdt(index, d, &why))
        refuse(tf, "GDT", index, why);
}

void hc_WriteLDTEntry(struct trapframe *tf)
{
    uint32_t table = tf->eax, index = tf->edx;
    struct seg_desc d = call_entry(tf);
    store_entry(tf, entry_at(table, index), d);
    struct seg_desc ldt = seg_guest_view(SEL_INDEX(vcpu0.ldtr));
    const char *why = NULL;
    if (vcpu0.ldtr && in_table(table, index, DESC_BASE(ldt), desc_limit_bytes(ldt)) &&
        seg_guest_write_ldt(index, d, &why))
        refuse(tf, "LDT", index, why);
}

void hc_WriteIDTEntry(struct trapframe *tf)
{
    uint32_t table = tf->eax, index = tf->edx;
    store_entry(tf, entry_at(table, index), call_entry(tf));
    if (table == vcpu0.idtr.base && index == syscall_vector)
        idt_sync_syscall(tf);
}

/* A Write{GDT,LDT,IDT}Entry the ROM queued in lazy mode (lazy.c): it made
 * the store already, so take the entry as the table now holds it and
 * install it as the call would have; an entry no longer readable there is
 * one the guest has since unmapped, and is picked up as any direct table
 * write is, when a segment load faults on it. */
void hc_desc_queued(struct trapframe *tf, uint32_t call, uint32_t table, uint32_t index)
{
    struct seg_desc d;
    const char *why = NULL;
    uint32_t at = entry_at(table, index);
    if (call == VMI_CALL_WriteIDTEntry) {
        if (table == vcpu0.idtr.base && index == syscall_vector)
            idt_sync_syscall(tf);
        return;
    }
    if (guest_read(at, &d, sizeof(d)))
        return;
    if (call == VMI_CALL_WriteGDTEntry) {
        if (in_table(table, index, vcpu0.gdtr.base, vcpu0.gdtr.limit) &&
            seg_guest_write_gdt(index, d, &why))
            refuse(tf, "GDT (queued in lazy mode)", index, why);
        return;
    }
    struct seg_desc ldt = seg_guest_view(SEL_INDEX(vcpu0.ldtr));
    if (vcpu0.ldtr && in_table(table, index, DESC_BASE(ldt), desc_limit_bytes(ldt)) &&
        seg_guest_write_ldt(index, d, &why))
        refuse(tf, "LDT (queued in lazy mode)", index, why);
}

/* UpdateKernelStack(ss, esp): where traps from user mode land (an RPL-0
 * SS means ring 1, ring compression).  Like a
 * TSS field, any value is taken; it is used (and rule 3 checked) only
 * when a trap from user mode comes.  The direct system-call gate, where
 * the CPU itself pushes onto this stack, is on only while the stack lies
 * inside the guest's linear space with rule 3's room (never on the
 * hypervisor's trap page or the per-vCPU area, never wrapping around
 * zero). */
void hc_UpdateKernelStack(struct trapframe *tf)
{
    uint16_t ss = seg_compress((uint16_t)tf->eax);
    if (SEL_RPL(ss) != HR_GUEST_CPL)
        guest_terminate(tf, "rule 2 (flat kernel trap stack)",
                        "kernel stack selector %x is not a ring-1 selector", ss);
    int was_direct = kernel_stack_direct();
    vcpu0.kernel_ss = ss;
    vcpu0.kernel_esp = tf->edx;
    tss_set_guest_stack(ss, tf->edx);
    if (kernel_stack_direct() != was_direct)
        idt_sync_syscall(tf);        /* the direct gate needs this stack */
}

/* May the CPU push a system call's frame on the kernel stack by itself? */
int kernel_stack_direct(void)
{
    return vcpu0.kernel_ss && vcpu0.kernel_esp >= HR_TRAP_STACK_ROOM &&
           vcpu0.kernel_esp <= HR_VCPU_AREA;         /* the vCPU page is no stack */
}
