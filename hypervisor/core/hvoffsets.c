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

/* The compiler's assembly output is all this is for. */
void hvoffsets(void)
{
    trapframe_offsets();
    vcpu_offsets();
    site_offsets();
}
