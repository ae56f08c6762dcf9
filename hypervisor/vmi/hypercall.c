/*
 * hypercall.c - the hypervisor side of the VMI calls.  Ring 0.
 *
 * A ROM entry traps with "int HR_HYPERCALL_VECTOR" followed by a byte, the
 * call number; the caller's registers are in the trapframe exactly as the
 * VMI calling convention left them (regparm(3): EAX, EDX, ECX, a fourth
 * argument on the guest stack above the return address).  Each handler
 * reads its arguments from there and writes its results back.
 */
#include "hv.h"
#include "hypercall.h"
#include "vdev.h"

/* The page the last call byte came from (gtlb.c). */
static struct gtlb code_tlb;

/* The page the last fourth argument came from (gtlb.c; hc_arg4). */
struct gtlb hc_arg_tlb;

/* hc_arg4's miss: the ring-1 read page by page, or the guest ends. */
uint32_t hc_arg4_walk(struct trapframe *tf)
{
    uint32_t v;
    if (guest_read(tf->esp + 4, &v, sizeof(v)))
        guest_terminate(tf, "rule 4 (flat stack)", "the fourth argument is not readable at %x", tf->esp + 4);
    return v;
}

/*
 * Report a fault the call raised at the guest's call site (rule 8): the
 * return address minus the call instruction when a "call rel32" (E8) or
 * "call *abs" (FF 15) leads there, else the return address itself.
 */
void hc_fault(struct trapframe *tf, uint32_t vector, uint32_t error)
{
    uint32_t ret;
    if (vcpu0.emulating) {               /* a trapped instruction: fault there */
        reflect(tf, vector, vector_has_error(vector), error);
        hv_enter(tf);
    }
    uint8_t op[6];
    if (guest_read(tf->esp, &ret, sizeof(ret)))
        guest_terminate(tf, "rule 4 (flat stack)", "no return address at %x", tf->esp);
    tf->esp += sizeof(ret);
    tf->eip = ret;
    if (!guest_read(ret - 5, op + 1, 5) && op[1] == 0xE8)
        tf->eip = ret - 5;
    else if (!guest_read(ret - 6, op, 6) && op[0] == 0xFF && op[1] == 0x15)
        tf->eip = ret - 6;
    reflect(tf, vector, vector_has_error(vector), error);
    hv_enter(tf);                        /* abandon the handler's C frames */
}

/* The page fault an access (PF_W, PF_U) to the n bytes at linear va
 * raises, at the call site: CR2 is the first byte the access cannot reach
 * and the error code is what the guest's tables give for it. */
void hc_page_fault(struct trapframe *tf, uint32_t va, uint32_t n, uint32_t access)
{
    uint32_t gpa, err = access | PF_P, at = va;
    while (at - va < n && !guest_copy(at, NULL, 1, access))
        at = (at | (PAGE_SIZE - 1)) + 1;             /* the next page */
    if (at - va >= n)
        at = va;                                      /* wrapped: the start */
    if ((at & ~(PAGE_SIZE - 1)) != HR_VCPU_AREA)      /* there: a protection fault */
        mmu_walk(at, access, &gpa, &err);
    vcpu0.cr2 = at;
    vcpu0.area->cr2 = at;                 /* what GetCR2 reads */
    hc_fault(tf, T_PF, err);
}

/* CS, SS, DS and ES that last passed rules 4 and 5 in full, at
 * seg_generation `gen` (0: none): the same selectors over the same
 * tables pass again without looking at a descriptor. */
static struct {
    uint32_t gen, cs, ss, ds, es;
} flat_memo;

/* Rules 4 and 5: flat 32-bit CS and SS, and DS/ES unless the call is
 * IRET or SYSEXIT. */
static void check_segments(struct trapframe *tf, uint32_t call)
{
    if (flat_memo.gen == seg_generation && tf->cs == flat_memo.cs && tf->ss == flat_memo.ss &&
        tf->ds == flat_memo.ds && tf->es == flat_memo.es)
        return;
    if (!seg_is_flat((uint16_t)tf->cs) || !seg_is_flat((uint16_t)tf->ss))
        guest_terminate(tf, "rule 4 (flat code and stack for VMI calls)",
                        "call %u with cs %x ss %x", call, tf->cs, tf->ss);
    if (call == VMI_CALL_IRET || call == VMI_CALL_SYSEXIT)
        return;
    if (!seg_is_flat((uint16_t)tf->ds) || !seg_is_flat((uint16_t)tf->es))
        guest_terminate(tf, "rule 5 (flat DS and ES for VMI calls)",
                        "call %u with ds %x es %x", call, tf->ds, tf->es);
    flat_memo.cs = tf->cs, flat_memo.ss = tf->ss, flat_memo.ds = tf->ds, flat_memo.es = tf->es;
    flat_memo.gen = seg_generation;
}

/* The handler table: one per call number. */
hc_handler *const hc_handlers[VMI_CALL_COUNT] = {
#define HANDLER_(num, name) [num] = hc_##name,
    HR_VMI_CALLS(HANDLER_)
#undef HANDLER_
};

#define CALL_NAME_(num, name) [num] = #name,
static const char *const names[VMI_CALL_COUNT] = { HR_VMI_CALLS(CALL_NAME_) };
#undef CALL_NAME_

/* The call's name as the API spells it, without "VMI_". */
const char *vmi_call_name(uint32_t call)
{
    return call < VMI_CALL_COUNT ? names[call] : "?";
}

/* A call this version does not serve: end the guest naming it. */
void hc_not_served(struct trapframe *tf, uint32_t call)
{
    guest_terminate(tf, "unsupported VMI call",
                    "VMI_%s (%u) is not served by this hypervisor version (spec section 10)",
                    vmi_call_name(call), call);
}


/* The call byte at eip; -1 where a ring-1 read of it would fault. */
static int call_byte(uint32_t eip, uint8_t *call)
{
    const uint8_t *p = gtlb_ptr(&code_tlb, eip, 1, 0);
    if (!p)
        return -1;
    *call = *p;
    return 0;
}

/* How hypercall_fast may serve a call.  FAST_REGS: its handler changes
 * nothing but the general registers and vCPU state that no later step of
 * an exit looks at, so after it hv_trap's injection and seg_return would
 * find nothing to do whenever they found nothing before.  FAST_TABLES: it
 * may change descriptor tables too (seg_return then runs if
 * seg_generation moved), but never a selector, EFLAGS, the lazy queue or
 * an interrupt line.  Neither kind leaves the frame for another, except
 * through hc_fault (which needs vcpu0.emulating clear). */
enum { FAST_NO, FAST_REGS, FAST_TABLES };
#define CALL_BYTES 256u                      /* every value a call byte can have */
_Static_assert(VMI_CALL_COUNT <= CALL_BYTES, "a call number fits the call byte");
static const uint8_t fast_kind[CALL_BYTES] = {     /* FAST_NO past VMI_CALL_COUNT */
    [VMI_CALL_CPUID] = FAST_REGS, [VMI_CALL_GetCR0] = FAST_REGS, [VMI_CALL_GetCR2] = FAST_REGS,
    [VMI_CALL_GetCR3] = FAST_REGS, [VMI_CALL_GetCR4] = FAST_REGS, [VMI_CALL_SetCR2] = FAST_REGS,
    [VMI_CALL_WBINVD] = FAST_REGS, [VMI_CALL_GetDR] = FAST_REGS, [VMI_CALL_RDTSC] = FAST_REGS,
    [VMI_CALL_GetInterruptMask] = FAST_REGS, [VMI_CALL_MachineToPhysical] = FAST_REGS,
    [VMI_CALL_PhysicalToMachine] = FAST_REGS, [VMI_CALL_InvalPage] = FAST_REGS,
    [VMI_CALL_FlushTLB] = FAST_REGS,
    [VMI_CALL_WriteGDTEntry] = FAST_TABLES, [VMI_CALL_WriteLDTEntry] = FAST_TABLES,
    [VMI_CALL_WriteIDTEntry] = FAST_TABLES, [VMI_CALL_UpdateKernelStack] = FAST_TABLES,
};

/* The call site fastcall.asm serves by itself (hypercall.h). */
struct hc_site hc_site;
extern const char hc_body_cpuid[], hc_body_framed[];     /* fastcall.asm */

/* Remember the site of a call hypercall_fast is about to serve, every
 * check passed, for fastcall.asm: only when the guest cannot rewrite its
 * call byte (a ROM), so that a later trap from there has that number. */
static void site_remember(const struct trapframe *tf, const uint8_t *byte, uint32_t call)
{
    if (!paging_readonly(V2P(byte) - vcpu0.mem_base, 1))
        return;
    hc_site = (struct hc_site){
        .eip = tf->eip, .gens = seg_generation + mmu_generation, .cr3 = vcpu0.cr3,
        .cs = (uint16_t)tf->cs, .ss = (uint16_t)tf->ss, .ds = (uint16_t)tf->ds,
        .es = (uint16_t)tf->es, .call = call,
        .body = call == VMI_CALL_CPUID ? hc_body_cpuid : hc_body_framed,
    };
}

/*
 * The hypercall vector's first stop (entry.asm, tf on the trap page):
 * serve a FAST_REGS or FAST_TABLES call completely when every check of the
 * full path has a remembered answer that holds: nothing queued (lazy
 * mode), nothing to inject or to clear, the call byte's page translated,
 * and seg_return's check (with rules 4 and 5) passed by these selectors at
 * this seg_generation, with EIP after the call byte.  Returns 1 when the
 * guest may be entered without seg_return, 2 when a table changed and
 * seg_return must look again; 0, having changed nothing, when anything
 * differs (hv_trap takes the same frame the full way).
 */
int hypercall_fast(struct trapframe *tf)
{
    const struct hr_vcpu_area *a = vcpu0.area;
    if (a->queued | a->pending | vpic_requests)
        return 0;
    const uint8_t *p = gtlb_ptr(&code_tlb, tf->eip, 1, 0);
    if (!p || !fast_kind[*p])
        return 0;
    uint32_t call = *p;
    if (!seg_vmi_return_remembered(tf, tf->eip + 1))
        return 0;
    uint32_t gen = seg_generation;               /* the tables seg_return passed */
    site_remember(tf, p, call);
    vcpu0.emulating = 0;
    vcpu0.exits[EXIT_HYPERCALL]++;
    vcpu0.calls[call]++;
    tf->eip++;                                   /* resume after the byte */
    hc_handlers[call](tf);
    return seg_generation == gen ? 1 : 2;        /* the selectors never change */
}

/* Serve one hypercall: read the call byte, check the rules, dispatch. */
void hypercall(struct trapframe *tf)
{
    uint8_t call;
    vcpu0.exits[EXIT_HYPERCALL]++;
    if (call_byte(tf->eip, &call))
        guest_terminate(tf, "hypercall", "call number unreadable at %x", tf->eip);
    tf->eip++;                                   /* resume after the byte */
    if (call == HR_HC_INIT) {
        check_segments(tf, call);
        tf->eax = HR_INIT_OK;
        hv_info("hv: VMI_Init from the guest: VMI mode on\n");
        return;
    }
    if (call >= VMI_CALL_COUNT)
        guest_terminate(tf, "hypercall", "unknown call number %u", call);
    vcpu0.calls[call]++;
    check_segments(tf, call);
    hc_handlers[call](tf);
}
