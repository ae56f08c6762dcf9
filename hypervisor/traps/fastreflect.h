/*
 * fastreflect.h - what the fast reflection of an exception remembers
 * (deliver.c fills it, entry.asm's exception_common reads it through
 * offsets generated from this header: exc-offsets.c).  Ring 0.
 *
 * Every check of a reflection is made once by the full path and its
 * answer kept under a key: the tables (seg_generation), the guest's
 * translations (mmu_generation, which every SetCR3, flush, INVLPG and
 * CR0.PG change bumps, and CR3) and the IDT register.  When any part of
 * the key moves, every answer below is forgotten at once (fast_rekey).
 */
#ifndef HV_FASTREFLECT_H
#define HV_FASTREFLECT_H

#include "hv.h"

#define FAST_NO_PAGE    1u      /* a page address no page has: nothing kept */

/* One exception vector's gate, as gate_fault passed it from ring 1: its
 * bytes (read again live at `at` on every use), the handler they lead
 * to, and the stack selector that passed rule 2 and seg_return with it. */
struct fast_gate {
    uint32_t lo, hi;            /* the gate's bytes when checked           */
    const uint8_t *at;          /* where they are, in the hypervisor's map;
                                   forgotten: fast_never, which never holds
                                   lo and hi (lo is 1, the bytes are 0)    */
    uint32_t cs, eip;           /* the handler                             */
    uint32_t if_keep;           /* ANDed into the virtual IF: 0 for an
                                   interrupt gate, ~0 for a trap gate      */
    uint32_t ss, ds, es;        /* the frame's selectors that passed       */
    uint32_t error_bytes;       /* 4 when the vector pushes an error code  */
    uint32_t unused[6];         /* to FAST_GATE_SIZE                       */
};
#define FAST_GATE_SHIFT 6       /* sizeof(struct fast_gate) == 1 << this   */
_Static_assert(sizeof(struct fast_gate) == 1u << FAST_GATE_SHIFT, "fast_gate size");

struct fast_reflect {
    uint32_t seg_gen, mmu_gen, cr3, idt_base, idt_limit;   /* the key; seg_gen
                                   0 (never keyed) matches no seg_generation,
                                   which starts at 1 */
    uint32_t code_page;         /* ring-1 code with no ROM byte (rule 8)   */
    uint32_t stack_page;        /* ring-1 writable, not the per-vCPU area  */
    uint32_t stack_delta;       /* hypervisor address - guest linear there */
    struct fast_gate gate[T_EXCEPTIONS];
};
extern struct fast_reflect fast_reflect;

#endif /* HV_FASTREFLECT_H */
