/*
 * hc_iret.c - VMI IRET and SYSEXIT: leaving the guest kernel.  Ring 0.
 *
 * Both are jumped to, not called.  The hypervisor checks the selectors the
 * guest asks for before its own IRET loads them (a kernel's RPL-0
 * selectors mean ring 1: ring compression), so a bad frame ends the
 * guest with a reason instead of faulting in ring 0; the interrupt flag in
 * the frame becomes the virtual one, and user mode always runs with
 * interrupts enabled (rule 6).
 */
#include "hypercall.h"
#include "cpuval.h"

#define IRET_FRAME_SAME  3u     /* eip, cs, eflags            */
#define IRET_FRAME_OUTER 5u     /* ... esp, ss                */
#define SYSEXIT_CS_OFFSET 16u   /* user CS = SYSENTER_CS + 16 */
#define SYSEXIT_SS_OFFSET 24u   /* user SS = SYSENTER_CS + 24 */

/* A return to eip in code segment cs faults on a CPU when eip is beyond
 * the segment's limit: terminate the guest for `rule` rather than let our
 * own IRET fault (or, where limits go unchecked, as in QEMU's TCG, run
 * the guest in the hypervisor's area). */
static void check_eip(struct trapframe *tf, const char *rule, uint32_t cs, uint32_t eip)
{
    uint32_t limit = seg_limit((uint16_t)cs);
    if (eip > limit)
        guest_terminate(tf, rule, "eip %x is beyond the limit %x of code selector %x",
                        eip, limit, cs);
}

/* Switch tf to run at cs:eip with the guest's EFLAGS image. */
static void resume_at(struct trapframe *tf, uint32_t cs, uint32_t eip, uint32_t image)
{
    vcpu0.area->virt_if = virt_if_after_return(image, SEL_RPL(cs));
    tf->cs = cs;
    tf->eip = eip;
    tf->eflags = eflags_from_guest(image);
}

/* IRET: pop eip, cs, eflags (and esp, ss when going to ring 3).  It runs
 * at the guest's virtual CPL 0 (the VMI call, or a trapped IRET from ring
 * 1), where a CPU loads IOPL from the image (SDM vol. 2, IRET): so does
 * the virtual IOPL.  IF stays virtual (rule 7). */
void hc_IRET(struct trapframe *tf)
{
    uint32_t f[IRET_FRAME_OUTER];
    if (guest_read(tf->esp, f, IRET_FRAME_SAME * 4))
        guest_terminate(tf, "faulting IRET", "frame not readable at %x", tf->esp);
    uint32_t cs = seg_compress((uint16_t)f[1]);
    if (!seg_valid_cs((uint16_t)cs))
        guest_terminate(tf, "faulting IRET", "code selector %x is not a ring-1 or ring-3 code segment", cs);
    uint32_t outer = SEL_RPL(cs) != SEL_RPL(tf->cs);
    if (outer && guest_read(tf->esp, f, IRET_FRAME_OUTER * 4))
        guest_terminate(tf, "faulting IRET", "outer frame not readable at %x", tf->esp);
    uint32_t ss = seg_compress((uint16_t)f[4]);
    if (outer && !seg_valid_ss((uint16_t)ss, SEL_RPL(cs)))
        guest_terminate(tf, "faulting IRET", "stack selector %x does not suit ring %u", f[4], SEL_RPL(cs));
    check_eip(tf, "faulting IRET", cs, f[0]);
    tf->esp += (outer ? IRET_FRAME_OUTER : IRET_FRAME_SAME) * 4;
    if (outer) {
        tf->ss = ss;
        tf->esp = f[3];
    }
    set_virtual_iopl(tf, f[2]);
    resume_at(tf, cs, f[0], f[2]);
}

/* SYSEXIT: to ring 3 at EDX with stack ECX, selectors from SYSENTER_CS. */
void hc_SYSEXIT(struct trapframe *tf)
{
    uint32_t cs = (vcpu0.sysenter_cs + SYSEXIT_CS_OFFSET) | 3u;
    uint32_t ss = (vcpu0.sysenter_cs + SYSEXIT_SS_OFFSET) | 3u;
    if (!vcpu0.sysenter_cs || !seg_valid_cs((uint16_t)cs) || !seg_valid_ss((uint16_t)ss, 3))
        guest_terminate(tf, "faulting SYSEXIT", "SYSENTER_CS %x gives no valid ring-3 segments",
                        vcpu0.sysenter_cs);
    check_eip(tf, "faulting SYSEXIT", cs, tf->edx);
    tf->ss = ss;
    tf->esp = tf->ecx;
    resume_at(tf, cs, tf->edx, tf->eflags);
}
