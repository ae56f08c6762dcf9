/*
 * hc_io.c - VMI port I/O calls.  Ring 0.  They keep the native
 * instruction's registers: port in DX, data in AL/AX/EAX; the string forms
 * move ECX items between the port and ES:EDI or DS:ESI like "rep ins" and
 * "rep outs", honouring EFLAGS.DF.  string_io() is also trap-and-emulate's
 * INS/OUTS, with its segments, address size and repeat prefixes.
 */
#include "hypercall.h"
#include "strio.h"

/* IN of size bytes into the low part of EAX. */
static void in_n(struct trapframe *tf, uint32_t size)
{
    uint32_t v, keep = size == 4 ? 0 : tf->eax & ~((1u << (size * 8)) - 1);
    port_in((uint16_t)tf->edx, size, &v);
    tf->eax = keep | v;
}

/* OUT of the low size bytes of EAX. */
static void out_n(struct trapframe *tf, uint32_t size)
{
    uint32_t mask = size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
    port_out((uint16_t)tf->edx, size, tf->eax & mask);
}

/* The rights memory is reached with: those of the ring that ran the
 * instruction (a trapped INS/OUTS from ring 3 never reaches supervisor
 * pages); the VMI calls come from ring 1. */
static uint32_t ring_access(const struct trapframe *tf)
{
    return SEL_RPL(tf->cs) == 3 ? PF_U : 0;
}

/* The selector in tf of segment register seg (SEG_ES .. SEG_GS). */
static uint16_t seg_selector(const struct trapframe *tf, int seg)
{
    switch (seg) {
    case SEG_ES: return (uint16_t)tf->es;
    case SEG_CS: return (uint16_t)tf->cs;
    case SEG_SS: return (uint16_t)tf->ss;
    case SEG_FS: return (uint16_t)tf->fs;
    case SEG_GS: return (uint16_t)tf->gs;
    default: return (uint16_t)tf->ds;
    }
}

/* Add delta to the low `mask` part of *r (16-bit registers under 67h). */
static void bump(uint32_t *r, uint32_t delta, uint32_t mask)
{
    *r = (*r & ~mask) | ((*r + delta) & mask);
}

/* One item of INS or OUTS: the segment checks, then memory with the
 * rights of the ring that ran it, and the port.  A fault is raised at the
 * instruction (or the VMI call site) with the registers as they are. */
static void string_item(struct trapframe *tf, const struct string_io *op, uint32_t off)
{
    uint16_t sel = seg_selector(tf, op->out ? op->seg : SEG_ES);
    int write = !op->out, seg = op->out ? op->seg : SEG_ES;
    uint32_t va, v = 0, access = ring_access(tf) | (write ? PF_W : 0);
    uint32_t fault = strio_linear(seg_current(sel), seg == SEG_SS, off, op->size, write, &va);
    if (fault)
        hc_fault(tf, fault, 0);
    if (guest_copy(va, op->out ? &v : NULL, op->size, access))   /* INS: fault before the read */
        hc_page_fault(tf, va, op->size, access);
    if (op->out) {
        port_out((uint16_t)tf->edx, op->size, v);
    } else {
        port_in((uint16_t)tf->edx, op->size, &v);
        guest_copy(va, &v, op->size, access);
    }
}

/* INS/OUTS as the CPU runs them: ES:[E]DI (INS) or seg:[E]SI (OUTS),
 * stepping by the size (back with DF); with rep, [E]CX items, each one's
 * progress committed to the registers before the next, so a fault leaves
 * them where the CPU would.  At most `budget` items: 1 if a repeat has
 * items left (the instruction is run again), else 0. */
int string_io(struct trapframe *tf, const struct string_io *op, uint32_t budget)
{
    uint32_t mask = op->addr16 ? 0xFFFFu : 0xFFFFFFFFu;
    uint32_t step = (tf->eflags & EFLAGS_DF) ? -op->size : op->size;
    uint32_t *index = op->out ? &tf->esi : &tf->edi;
    if (!op->rep) {
        string_item(tf, op, *index & mask);
        bump(index, step, mask);
        return 0;
    }
    for (; tf->ecx & mask; budget--) {
        if (!budget)
            return 1;
        string_item(tf, op, *index & mask);
        bump(index, step, mask);
        bump(&tf->ecx, (uint32_t)-1, mask);
    }
    return 0;
}

/* The VMI string calls: "rep ins"/"rep outs" with flat ES and DS (rule 5). */
static void vmi_string(struct trapframe *tf, uint32_t size, int out)
{
    struct string_io op = { .size = size, .out = out, .rep = 1, .seg = SEG_DS };
    string_io(tf, &op, UINT32_MAX);
}

void hc_INB(struct trapframe *tf) { in_n(tf, 1); }
void hc_INW(struct trapframe *tf) { in_n(tf, 2); }
void hc_INL(struct trapframe *tf) { in_n(tf, 4); }
void hc_OUTB(struct trapframe *tf) { out_n(tf, 1); }
void hc_OUTW(struct trapframe *tf) { out_n(tf, 2); }
void hc_OUTL(struct trapframe *tf) { out_n(tf, 4); }
void hc_INSB(struct trapframe *tf) { vmi_string(tf, 1, 0); }
void hc_INSW(struct trapframe *tf) { vmi_string(tf, 2, 0); }
void hc_INSL(struct trapframe *tf) { vmi_string(tf, 4, 0); }
void hc_OUTSB(struct trapframe *tf) { vmi_string(tf, 1, 1); }
void hc_OUTSW(struct trapframe *tf) { vmi_string(tf, 2, 1); }
void hc_OUTSL(struct trapframe *tf) { vmi_string(tf, 4, 1); }

/* IODelay: a virtual device needs no settling time. */
void hc_IODelay(struct trapframe *tf) { (void)tf; }
