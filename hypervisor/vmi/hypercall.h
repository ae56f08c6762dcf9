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

extern struct gtlb hc_arg_tlb;
uint32_t hc_arg4_walk(struct trapframe *tf);

/* The fourth regparm argument: on the guest stack above the return
 * address (hypercall.c); inline for a kept translation. */
static inline uint32_t hc_arg4(struct trapframe *tf)
{
    uint32_t v;
    const uint8_t *p = gtlb_ptr(&hc_arg_tlb, tf->esp + 4, sizeof(v), 0);
    if (!p)
        return hc_arg4_walk(tf);
    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}
void hc_desc_queued(struct trapframe *tf, uint32_t call, uint32_t table, uint32_t index);
void hc_fault(struct trapframe *tf, uint32_t vector, uint32_t error) __attribute__((noreturn));
void hc_page_fault(struct trapframe *tf, uint32_t va, uint32_t n, uint32_t access) __attribute__((noreturn));
void hc_not_served(struct trapframe *tf, uint32_t call) __attribute__((noreturn));
extern uint32_t syscall_vector;

/* CPUID leaf 1 as the guest sees it (spec section 10): hc_CPUID and the
 * hypercall vector's own body for it (fastcall.asm, via hvoffsets.inc). */
#define CPUID_FEATURES     1u
#define CPUID_ECX_HV       (1u << 31)   /* "running under a hypervisor"    */
#define CPUID_EDX_VME      (1u << 1)    /* V8086 extensions: not offered   */
#define CPUID_EDX_SEP      (1u << 11)   /* SYSENTER/SYSEXIT: not offered (the
                                           real MSRs are the hypervisor's; a
                                           guest's SYSENTER would #GP)      */
#define CPUID_EDX_HIDDEN   (CPUID_EDX_VME | CPUID_EDX_SEP)

/*
 * The call site the hypercall vector's first instructions serve by
 * themselves (fastcall.asm): the last one hypercall_fast served with every
 * check passed, remembered with what those checks depended on.  It holds
 * while the guest traps from the same EIP, with the same CS, SS, DS and ES
 * (which then passed rules 4 and 5 and the check before the IRET), the
 * same CR3, and neither seg_generation nor mmu_generation has moved since
 * (gens is their sum: both only ever grow, so an equal sum means neither
 * moved; a CR0.PG change moves mmu_generation too, through mmu_reset).  Only a call byte the guest cannot write is remembered (its ROM,
 * read-only in every mapping), so the number need not be read again.
 */
struct hc_site {
    uint32_t eip;              /* the call byte's address; 0: none      */
    uint32_t gens;             /* seg_generation + mmu_generation       */
    uint32_t cr3;              /* vcpu0.cr3                             */
    uint16_t cs, ss, ds, es;   /* the selectors, as pushed              */
    uint32_t call;             /* the call number                       */
    const void *body;          /* fastcall.asm's code for it            */
};
extern struct hc_site hc_site;
extern hc_handler *const hc_handlers[VMI_CALL_COUNT];    /* by call number */

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
