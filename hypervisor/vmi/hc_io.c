/*
 * hc_io.c - VMI port I/O calls.  Ring 0.  They keep the native
 * instruction's registers: port in DX, data in AL/AX/EAX; the string forms
 * move ECX items between the port and ES:EDI or DS:ESI like "rep ins" and
 * "rep outs", honouring EFLAGS.DF.
 */
#include "hypercall.h"


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

/* "rep ins": ECX items from port DX to EDI. */
static void ins_n(struct trapframe *tf, uint32_t size)
{
    int32_t step = (tf->eflags & EFLAGS_DF) ? -(int32_t)size : (int32_t)size;
    uint32_t access = ring_access(tf) | PF_W;
    for (; tf->ecx; tf->ecx--, tf->edi += (uint32_t)step) {
        uint32_t v;
        if (guest_copy(tf->edi, NULL, size, access))    /* fault before the read */
            hc_page_fault(tf, tf->edi, size, access);
        port_in((uint16_t)tf->edx, size, &v);
        guest_copy(tf->edi, &v, size, access);
    }
}

/* "rep outs": ECX items from ESI to port DX. */
static void outs_n(struct trapframe *tf, uint32_t size)
{
    int32_t step = (tf->eflags & EFLAGS_DF) ? -(int32_t)size : (int32_t)size;
    uint32_t access = ring_access(tf);
    for (; tf->ecx; tf->ecx--, tf->esi += (uint32_t)step) {
        uint32_t v = 0;
        if (guest_copy(tf->esi, &v, size, access))
            hc_page_fault(tf, tf->esi, size, access);
        port_out((uint16_t)tf->edx, size, v);
    }
}

void hc_INB(struct trapframe *tf) { in_n(tf, 1); }
void hc_INW(struct trapframe *tf) { in_n(tf, 2); }
void hc_INL(struct trapframe *tf) { in_n(tf, 4); }
void hc_OUTB(struct trapframe *tf) { out_n(tf, 1); }
void hc_OUTW(struct trapframe *tf) { out_n(tf, 2); }
void hc_OUTL(struct trapframe *tf) { out_n(tf, 4); }
void hc_INSB(struct trapframe *tf) { ins_n(tf, 1); }
void hc_INSW(struct trapframe *tf) { ins_n(tf, 2); }
void hc_INSL(struct trapframe *tf) { ins_n(tf, 4); }
void hc_OUTSB(struct trapframe *tf) { outs_n(tf, 1); }
void hc_OUTSW(struct trapframe *tf) { outs_n(tf, 2); }
void hc_OUTSL(struct trapframe *tf) { outs_n(tf, 4); }

/* IODelay: a virtual device needs no settling time. */
void hc_IODelay(struct trapframe *tf) { (void)tf; }
