/*
 * fastreflect.h - what the fast reflection of an exception remembers
 * (deliver.c fills it, entry.asm's exception_common reads it through
 * offsets generated from this header: core/hvoffsets.c).  Ring 0.
 *
 * Every check of a reflection is made once by the full path and its
 * answer kept under a key, in two parts.  What a gate decodes to and the
 * selectors that passed hold while the tables (seg_generation) and the
 * IDT register stay; where things are in the hypervisor's map (the gate,
 * the stack page) and that the code page holds no ROM hold while the
 * guest's translations stay (mmu_generation, which every SetCR3, flush,
 * INVLPG, logged page-table write and CR0.PG change bumps, and CR3).  A
 * change of a part moves its epoch: an entry stamped with an older one
 * is not used (fast_reflect_sync), so nothing is cleared one by one.
 */
#ifndef HV_FASTREFLECT_H
#define HV_FASTREFLECT_H

#include "hv.h"

#define FAST_NO_PAGE    1u      /* a page address no page has: nothing kept */

/* One exception vector's gate, as gate_fault passed it: its bytes (read
 * again live at `at` on every use), the handler they lead to, and the
 * selectors that passed with it. */
struct fast_gate {
    uint32_t epoch;             /* all of it holds: == fast_reflect.epoch  */
    uint32_t seg_epoch;         /* all but `at`: == fast_reflect.seg_epoch */
    uint32_t lo, hi;            /* the gate's bytes when checked           */
    const uint8_t *at;          /* where they are, in the hypervisor's map */
    uint32_t cs, eip;           /* the handler                             */
    uint32_t if_keep;           /* ANDed into the virtual IF: 0 for an
                                   interrupt gate, ~0 for a trap gate      */
    uint32_t ss, ds, es;        /* the selectors that passed: from ring 1
                                   the frame's; from ring 3 ss is the
                                   kernel stack's and ds, es are unused    */
    uint32_t error_bytes;       /* 4 when the vector pushes an error code  */
    uint32_t unused[4];         /* to 1 << FAST_GATE_SHIFT                 */
};
#define FAST_GATE_SHIFT 6       /* sizeof(struct fast_gate) == 1 << this   */
_Static_assert(sizeof(struct fast_gate) == 1u << FAST_GATE_SHIFT, "fast_gate size");

struct fast_reflect {
    uint32_t seg_gen, idt_base, idt_limit;  /* the key's first part; seg_gen
                                   0 (never keyed) matches no seg_generation,
                                   which starts at 1                       */
    uint32_t mmu_gen, cr3;      /* its second part                         */
    uint32_t seg_epoch;         /* moves with the first part               */
    uint32_t epoch;             /* moves with either part                  */
    uint32_t code_page;         /* ring-1 code with no ROM byte (rule 8)   */
    uint32_t stack_page;        /* ring-1 writable, not the per-vCPU area  */
    uint32_t stack_delta;       /* hypervisor address - guest linear there */
    struct fast_gate gate[T_EXCEPTIONS];        /* traps from ring 1       */
    struct fast_gate user_gate[T_EXCEPTIONS];   /* traps from ring 3       */
};
extern struct fast_reflect fast_reflect;

#endif /* HV_FASTREFLECT_H */
