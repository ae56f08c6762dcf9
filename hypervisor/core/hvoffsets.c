/*
 * hvoffsets.c - the hypervisor's own layouts for its assembly (build step).
 *
 * NASM cannot read C.  The build compiles this file with the hypervisor's
 * own 32-bit flags to assembly only (never to an object that is linked),
 * and turns each "->NAME value" line of the output into a NASM %define in
 * $(BUILD)/hypervisor/hvoffsets.inc (hv.mk).  So the assembly reads the
 * offsets the compiler gave the structures, never hand-counted ones, and a
 * layout change reaches it with the next build.  (spec/asm-offsets.c does
 * the same for the ABI header; it runs on the host, which is right for
 * the packed ABI structures but not for ones with pointers, like these.)
 */
#include <stddef.h>
#include "hv.h"
#include "hypercall.h"
#include "vdev.h"
#include "fastreflect.h"

/* One "%define name value" line of the generated include. */
#define DEF(name, value) __asm__ volatile("\n.ascii \"->" #name " %c0\\n\"" :: "i"(value))
#define OFF(prefix, type, field) DEF(prefix##_##field, offsetof(type, field))

/* Every field of the trap frame (x86.h), as TRAPFRAME_field. */
static void trapframe_offsets(void)
{
    DEF(TRAPFRAME_SIZE, sizeof(struct trapframe));
    DEF(HV_PAGE_SIZE, PAGE_SIZE);               /* the trap page's size */
    DEF(HV_DS_SELECTOR, HV_DS);
    OFF(TRAPFRAME, struct trapframe, gs);
    OFF(TRAPFRAME, struct trapframe, fs);
    OFF(TRAPFRAME, struct trapframe, es);
    OFF(TRAPFRAME, struct trapframe, ds);
    OFF(TRAPFRAME, struct trapframe, esp_pushad);
    OFF(TRAPFRAME, struct trapframe, eax);
    OFF(TRAPFRAME, struct trapframe, vector);
    OFF(TRAPFRAME, struct trapframe, error);
    OFF(TRAPFRAME, struct trapframe, eip);
    OFF(TRAPFRAME, struct trapframe, cs);
    OFF(TRAPFRAME, struct trapframe, eflags);
    OFF(TRAPFRAME, struct trapframe, esp);
    OFF(TRAPFRAME, struct trapframe, ss);
}

/* The vCPU's fields the exit path counts in (hv.h). */
static void vcpu_offsets(void)
{
    OFF(VCPU0, struct vcpu, area);
    OFF(VCPU0, struct vcpu, emulating);
    DEF(VCPU0_exit_hypercall, offsetof(struct vcpu, exits) + EXIT_HYPERCALL * sizeof(uint64_t));
    OFF(VCPU0, struct vcpu, calls);
    DEF(VCPU0_CALL_SIZE, sizeof(((struct vcpu *)0)->calls[0]));
}

/* The remembered call site (hypercall.h) and what its bodies need. */
static void site_offsets(void)
{
    OFF(HC_SITE, struct hc_site, eip);
    OFF(HC_SITE, struct hc_site, gens);
    OFF(HC_SITE, struct hc_site, cr3);
    OFF(HC_SITE, struct hc_site, cs);
    OFF(HC_SITE, struct hc_site, ss);
    OFF(HC_SITE, struct hc_site, ds);
    OFF(HC_SITE, struct hc_site, es);
    OFF(HC_SITE, struct hc_site, call);
    OFF(HC_SITE, struct hc_site, body);
    OFF(VCPU0, struct vcpu, cr3);
    DEF(CPUID_FEATURES, CPUID_FEATURES);
    DEF(CPUID_ECX_HV, CPUID_ECX_HV);
    DEF(CPUID_EDX_HIDDEN, CPUID_EDX_HIDDEN);
    DEF(EXIT_HYPERCALL, EXIT_HYPERCALL);
}

/* struct trapframe from its pushad image on (the exception fast path
 * pushes no segment registers): PA_x is x's offset from EDI's slot. */
#define PA(name, field) DEF(PA_##name, offsetof(struct trapframe, field) - offsetof(struct trapframe, edi))

/* What entry.asm's exception fast path reads: the frame from its pushad
 * image, the vCPU, the area and the fast reflection record (fastreflect.h). */
static void reflect_offsets(void)
{
    PA(VECTOR, vector);
    PA(ERROR, error);
    PA(EIP, eip);
    PA(CS, cs);
    PA(EFLAGS, eflags);
    PA(ESP, esp);
    PA(SS, ss);
    DEF(CPU_CS, offsetof(struct trapframe, cs) - offsetof(struct trapframe, vector));
    DEF(VCPU_AREA, offsetof(struct vcpu, area));
    DEF(VCPU_IDT_LIMIT, offsetof(struct vcpu, idtr.limit));
    DEF(VCPU_IDT_BASE, offsetof(struct vcpu, idtr.base));
    DEF(VCPU_CR3, offsetof(struct vcpu, cr3));
    DEF(VCPU_IOPL_MASK, offsetof(struct vcpu, iopl_mask));
    DEF(VCPU_EMULATING, offsetof(struct vcpu, emulating));
    DEF(VCPU_EXITS_EXCEPTION, offsetof(struct vcpu, exits) + EXIT_EXCEPTION * sizeof(uint64_t));
    DEF(VCPU_DELIVERED, offsetof(struct vcpu, delivered));
    DEF(VCPU_DELIVERED_BY, offsetof(struct vcpu, delivered_by));
    DEF(VCPU_VECTORS, offsetof(struct vcpu, vectors));
    DEF(AREA_VIRT_IF, offsetof(struct hr_vcpu_area, virt_if));
    DEF(AREA_PENDING, offsetof(struct hr_vcpu_area, pending));
    DEF(AREA_QUEUED, offsetof(struct hr_vcpu_area, queued));
    DEF(FR_SEG_GEN, offsetof(struct fast_reflect, seg_gen));
    DEF(FR_MMU_GEN, offsetof(struct fast_reflect, mmu_gen));
    DEF(FR_CR3, offsetof(struct fast_reflect, cr3));
    DEF(FR_IDT_BASE, offsetof(struct fast_reflect, idt_base));
    DEF(FR_IDT_LIMIT, offsetof(struct fast_reflect, idt_limit));
    DEF(FR_EPOCH, offsetof(struct fast_reflect, epoch));
    DEF(FR_CODE_PAGE, offsetof(struct fast_reflect, code_page));
    DEF(FR_STACK_PAGE, offsetof(struct fast_reflect, stack_page));
    DEF(FR_STACK_DELTA, offsetof(struct fast_reflect, stack_delta));
    DEF(FR_GATE, offsetof(struct fast_reflect, gate));
    DEF(FAST_GATE_SHIFT, FAST_GATE_SHIFT);
    DEF(FG_EPOCH, offsetof(struct fast_gate, epoch));
    DEF(FG_LO, offsetof(struct fast_gate, lo));
    DEF(FG_HI, offsetof(struct fast_gate, hi));
    DEF(FG_AT, offsetof(struct fast_gate, at));
    DEF(FG_CS, offsetof(struct fast_gate, cs));
    DEF(FG_EIP, offsetof(struct fast_gate, eip));
    DEF(FG_IF_KEEP, offsetof(struct fast_gate, if_keep));
    DEF(FG_SS, offsetof(struct fast_gate, ss));
    DEF(FG_ERROR_BYTES, offsetof(struct fast_gate, error_bytes));
    DEF(EFLAGS_IF, EFLAGS_IF);
    DEF(EFLAGS_IOPL, EFLAGS_IOPL);
    DEF(EFLAGS_VM, EFLAGS_VM);
    DEF(EFLAGS_DELIVERY_CLEARS, EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
    DEF(PAGE_FRAME_MASK, ~(PAGE_SIZE - 1));
    DEF(PAGE_SIZE, PAGE_SIZE);
    DEF(HR_TRAP_STACK_ROOM, HR_TRAP_STACK_ROOM);
}

/* The compiler's assembly output is all this is for. */
void hvoffsets(void)
{
    trapframe_offsets();
    vcpu_offsets();
    site_offsets();
    reflect_offsets();
}
