/*
 * exc-offsets.c - the layouts entry.asm's exception fast path reads, as
 * NASM %defines.  Never linked: the build compiles it with the
 * hypervisor's own flags to assembly (-S), where each DEF leaves a line
 * "->NAME value", and hv.mk turns those into build/hypervisor/exc-offsets.inc.
 * So every offset comes from the 32-bit C layout; none is counted by hand.
 */
#include "hv.h"
#include "vdev.h"
#include "fastreflect.h"

#define DEF(name, value) __asm__ volatile("\n.ascii \"->" #name " %c0\"" :: "i"(value))
#define OFF(name, type, field) DEF(name, offsetof(type, field))

/* struct trapframe, from its pushad image on (the fast path pushes no
 * segment registers): PA_x is x's offset from EDI's slot. */
#define PA(name, field) DEF(PA_##name, offsetof(struct trapframe, field) - offsetof(struct trapframe, edi))

/* Emit every definition; the function is never called. */
void exc_offsets(void);
void exc_offsets(void)
{
    PA(VECTOR, vector);
    PA(ERROR, error);
    PA(EIP, eip);
    PA(CS, cs);
    PA(EFLAGS, eflags);
    PA(ESP, esp);
    PA(SS, ss);
    DEF(CPU_CS, offsetof(struct trapframe, cs) - offsetof(struct trapframe, vector));
    OFF(VCPU_AREA, struct vcpu, area);
    OFF(VCPU_IDT_LIMIT, struct vcpu, idtr.limit);
    OFF(VCPU_IDT_BASE, struct vcpu, idtr.base);
    OFF(VCPU_CR3, struct vcpu, cr3);
    OFF(VCPU_IOPL_MASK, struct vcpu, iopl_mask);
    OFF(VCPU_EMULATING, struct vcpu, emulating);
    DEF(VCPU_EXITS_EXCEPTION, offsetof(struct vcpu, exits) + EXIT_EXCEPTION * sizeof(uint64_t));
    OFF(VCPU_DELIVERED, struct vcpu, delivered);
    OFF(VCPU_DELIVERED_BY, struct vcpu, delivered_by);
    OFF(VCPU_VECTORS, struct vcpu, vectors);
    OFF(AREA_VIRT_IF, struct hr_vcpu_area, virt_if);
    OFF(AREA_PENDING, struct hr_vcpu_area, pending);
    OFF(AREA_QUEUED, struct hr_vcpu_area, queued);
    OFF(FR_SEG_GEN, struct fast_reflect, seg_gen);
    OFF(FR_MMU_GEN, struct fast_reflect, mmu_gen);
    OFF(FR_CR3, struct fast_reflect, cr3);
    OFF(FR_IDT_BASE, struct fast_reflect, idt_base);
    OFF(FR_IDT_LIMIT, struct fast_reflect, idt_limit);
    OFF(FR_EPOCH, struct fast_reflect, epoch);
    OFF(FR_CODE_PAGE, struct fast_reflect, code_page);
    OFF(FR_STACK_PAGE, struct fast_reflect, stack_page);
    OFF(FR_STACK_DELTA, struct fast_reflect, stack_delta);
    OFF(FR_GATE, struct fast_reflect, gate);
    DEF(FAST_GATE_SHIFT, FAST_GATE_SHIFT);
    OFF(FG_EPOCH, struct fast_gate, epoch);
    OFF(FG_LO, struct fast_gate, lo);
    OFF(FG_HI, struct fast_gate, hi);
    OFF(FG_AT, struct fast_gate, at);
    OFF(FG_CS, struct fast_gate, cs);
    OFF(FG_EIP, struct fast_gate, eip);
    OFF(FG_IF_KEEP, struct fast_gate, if_keep);
    OFF(FG_SS, struct fast_gate, ss);
    OFF(FG_ERROR_BYTES, struct fast_gate, error_bytes);
    DEF(EFLAGS_IF, EFLAGS_IF);
    DEF(EFLAGS_IOPL, EFLAGS_IOPL);
    DEF(EFLAGS_VM, EFLAGS_VM);
    DEF(EFLAGS_DELIVERY_CLEARS, EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
    DEF(PAGE_FRAME_MASK, ~(PAGE_SIZE - 1));
    DEF(PAGE_SIZE, PAGE_SIZE);
    DEF(HR_TRAP_STACK_ROOM, HR_TRAP_STACK_ROOM);
}
