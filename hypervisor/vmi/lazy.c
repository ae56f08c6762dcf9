/*
 * lazy.c - applying the updates the ROM queued in lazy mode.  Ring 0.
 *
 * While the guest is in a lazy mode (SetLazyMode), the ROM puts the MMU
 * and CPU updates it would have made hypercalls for into the per-vCPU
 * area's queue (rom/entries.inc), as the VMI API meant lazy mode: many
 * updates, one exit.  Every exit from the guest applies the queue first,
 * in order, before anything else looks at the guest's state, so whatever
 * can observe an update (a fault, an interrupt's delivery, any call that
 * exits, IRET to user mode, leaving lazy mode) finds it applied.  Each
 * entry is applied by the call's own handler, so every rule it checks
 * holds for queued entries too; a guest whose entry breaks one ends there,
 * by that rule's name, and so does a queue no ROM could have written.
 */
#include "hypercall.h"

/* May call be in the queue (the calls the ROM queues)? */
static int queueable(uint32_t call)
{
    switch (call) {
    case VMI_CALL_InvalPage: case VMI_CALL_FlushTLB: case VMI_CALL_SetCR3:
    case VMI_CALL_UpdateKernelStack:
    case VMI_CALL_WriteGDTEntry: case VMI_CALL_WriteLDTEntry: case VMI_CALL_WriteIDTEntry:
        return 1;
    default:
        return 0;
    }
}

/* Apply one queued entry, as the call would have with these arguments. */
static void apply(struct trapframe *tf, const struct hr_lazy_entry *e)
{
    struct trapframe args = *tf;                 /* the handlers read EAX, EDX */
    args.eax = e->arg[0];
    args.edx = e->arg[1];
    switch (e->call) {
    case VMI_CALL_InvalPage:         hc_InvalPage(&args); break;
    case VMI_CALL_FlushTLB:          hc_FlushTLB(&args); break;
    case VMI_CALL_SetCR3:            hc_SetCR3(&args); break;
    case VMI_CALL_UpdateKernelStack: hc_UpdateKernelStack(&args); break;
    default:                         hc_desc_queued(tf, e->call, e->arg[0], e->arg[1]); break;
    }
}

/* Apply and empty the per-vCPU area's queue (called at the start of every
 * exit from the guest while it is not empty).  Returns 1 if a descriptor
 * table entry was among them (a segment load that faulted may now work). */
int lazy_flush(struct trapframe *tf)
{
    struct hr_vcpu_area *a = vcpu0.area;
    uint32_t n = a->queued, tables = 0;
    a->queued = 0;
    if (n > HR_LAZY_QUEUE)
        guest_terminate(tf, "lazy queue", "%u entries queued in the per-vCPU area, which "
                        "holds %u", n, HR_LAZY_QUEUE);
    for (uint32_t i = 0; i < n; i++) {
        struct hr_lazy_entry e = a->queue[i];    /* one read of each entry */
        if (!queueable(e.call))
            guest_terminate(tf, "lazy queue", "entry %u names call %u, which the ROM "
                            "never queues", i, e.call);
        tables |= e.call == VMI_CALL_WriteGDTEntry || e.call == VMI_CALL_WriteLDTEntry;
        vcpu0.lazy_applied++;
        apply(tf, &e);
    }
    return tables != 0;
}
