/*
 * hypercall.h - the VMI call handlers, one per call (spec section 10 says
 * what each does, and which this version does not serve).
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "hv.h"

typedef void hc_handler(struct trapframe *tf);

/* Every call has a handler, hc_<name>; the few this version does not
 * serve (hc_apic.c) end the guest through hc_not_served. */
#define HC_DECLARE_(num, name) hc_handler hc_##name;
HR_VMI_CALLS(HC_DECLARE_)
#undef HC_DECLARE_

uint32_t hc_arg4(struct trapframe *tf);
void hc_desc_queued(struct trapframe *tf, uint32_t call, uint32_t table, uint32_t index);
void hc_fault(struct trapframe *tf, uint32_t vector, uint32_t error) __attribute__((noreturn));
void hc_page_fault(struct trapframe *tf, uint32_t va, uint32_t n, uint32_t access) __attribute__((noreturn));
void hc_not_served(struct trapframe *tf, uint32_t call) __attribute__((noreturn));
extern uint32_t syscall_vector;

/* One INS or OUTS (hc_io.c): SEG_* and addr16 as decode.h has them. */
struct string_io {
    uint32_t size;          /* 1, 2 or 4 bytes per item                */
    int out;                /* OUTS (else INS)                         */
    int rep;                /* repeat [E]CX times                      */
    int seg;                /* OUTS: the source segment; INS uses ES   */
    int addr16;             /* SI, DI and CX are 16-bit (67h)          */
};
int string_io(struct trapframe *tf, const struct string_io *op, uint32_t budget);
int kernel_stack_direct(void);
void set_virtual_iopl(struct trapframe *tf, uint32_t image);

#endif /* HV_HYPERCALL_H */
