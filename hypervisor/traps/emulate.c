/*
 * emulate.c - trap-and-emulate: privileged instructions that guest code
 * runs directly (an unpatched or "novmi" kernel) raise #GP in ring 1 or 3;
 * this decodes them and serves them with the same handlers as the VMI
 * calls.  Ring 0.
 *
 * What cannot be caught this way (spec section 11): POPF and PUSHF (they
 * never fault; the interrupt flag they see or set is the real one), SGDT,
 * SIDT, SLDT, STR and SMSW (they read the real registers without faulting),
 * and direct writes to descriptor tables not followed by a reload.
 */
#include "hypercall.h"
#include "decode.h"
#include "ioperm.h"
#include "vdev.h"

#define MAX_INSN 15u
#define MAX_IO_INSN 3u         /* 66h, opcode, imm8: decode_io's longest */
#define STRING_BUDGET 4096u    /* string I/O items served per exit */

static int emulate_mov_cr(struct trapframe *tf, const struct insn *in, int to_cr);

/* Run a VMI handler for a trapped instruction with EAX/EDX/ECX set up as
 * the call expects; a fault it raises is reported at the instruction. */
static void as_call(struct trapframe *tf, hc_handler *h)
{
    vcpu0.emulating = 1;
    h(tf);
    vcpu0.emulating = 0;
}

/* Port access from ring 3: allowed at the virtual IOPL, or when the
 * guest's own TSS I/O bitmap clears every bit of it (ioperm.c: the SDM's
 * rule, TSS limit included), the TSS as TR cached it at SetTR/LTR. */
static int user_port_ok(uint16_t port, uint32_t size)
{
    return ioperm_allows(3, (vcpu0.iopl_mask & EFLAGS_IOPL) >> EFLAGS_IOPL_SHIFT,
                         vcpu0.tr ? &vcpu0.tr_desc : NULL, port, size, guest_read);
}

/* An allowed IN or OUT of size bytes (1, 2, 4) at port: the port model
 * reads into AL, AX or EAX, or is written from it. */
static inline void io_access(struct trapframe *tf, uint16_t port, uint32_t size, int out)
{
    uint32_t mask = size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
    if (out) {
        port_out(port, size, tf->eax & mask);
    } else {
        uint32_t v;
        port_in(port, size, &v);
        tf->eax = (tf->eax & ~mask) | (v & mask);
    }
}

/* IN/OUT in any form: E4-E7 (imm8 port), EC-EF (DX port).  The backdoor
 * answers any ring, whatever the bitmap says. */
static int emulate_io(struct trapframe *tf, const struct insn *in)
{
    uint16_t port = in->port_imm ? in->imm : (uint16_t)tf->edx;
    if (port == HR_BACKDOOR_PORT && !in->io_out && in->opsize == 4 && backdoor(tf))
        return 0;
    if (SEL_RPL(tf->cs) == 3 && !user_port_ok(port, in->opsize))
        return -1;
    io_access(tf, port, in->opsize, in->io_out);
    return 0;
}

/* INS/OUTS with the CPU's semantics (hc_io.c string_io): the segment
 * (ES for INS; DS or the override for OUTS), 16-bit SI/DI/CX under 67h,
 * REP or REPNE repeating, the rights of the ring that ran it.  Ring 3 is
 * held to the same port rules as IN/OUT.  A long repeat returns to the
 * guest every STRING_BUDGET items with the instruction still to finish
 * (as a CPU takes interrupts between iterations): 1 then, else 0. */
static int emulate_string_io(struct trapframe *tf, const struct insn *in)
{
    struct string_io op = { .size = in->opsize, .out = in->io_out, .rep = in->rep,
                            .seg = in->seg < 0 ? SEG_DS : in->seg, .addr16 = in->addr16 };
    if (SEL_RPL(tf->cs) == 3 && !user_port_ok((uint16_t)tf->edx, in->opsize))
        return -1;
    vcpu0.emulating = 1;
    int more = string_io(tf, &op, STRING_BUDGET);
    vcpu0.emulating = 0;
    return more;
}

/* CLI/STI: ring 1 flips the virtual flag; ring 3 with IOPL granted is
 * ignored without a fault (rule 7); ring 3 otherwise faults as natively. */
static int emulate_if(struct trapframe *tf, uint32_t enable)
{
    if (SEL_RPL(tf->cs) == 3)
        return (vcpu0.iopl_mask >> EFLAGS_IOPL_SHIFT) >= 3 ? 0 : -1;
    vcpu0.area->virt_if = enable ? EFLAGS_IF : 0;
    return 0;
}

/* A software interrupt through a DPL-0 real gate: the guest's own gate
 * decides, with the checks and faults a CPU makes (deliver.c). */
static int emulate_int(struct trapframe *tf, const struct insn *in)
{
    reflect_soft(tf, in->imm, in->length);
    return 0;
}

/* Serve a ring-1-only instruction by its VMI handler. */
static int emulate_system(struct trapframe *tf, const struct insn *in)
{
    uint32_t save_eax = tf->eax, save_edx = tf->edx;
    uint16_t sel = 0;
    hc_handler *h = NULL;
    if (in->op == OP_LLDT || in->op == OP_LTR) {
        if (in->rm_is_mem ? guest_read(in->ea, &sel, sizeof(sel)) : 0)
            return -1;
        if (!in->rm_is_mem)
            sel = (uint16_t)*decode_gpr(tf, in->rm);
    }
    switch (in->op) {
    case OP_LGDT: tf->eax = in->ea; h = hc_SetGDT; break;
    case OP_LIDT: tf->eax = in->ea; h = hc_SetIDT; break;
    case OP_LLDT: tf->eax = sel; h = hc_SetLDT; break;
    case OP_LTR: tf->eax = sel; h = hc_SetTR; break;
    case OP_CLTS: h = hc_CLTS; break;
    case OP_WBINVD: h = hc_WBINVD; break;
    case OP_INVLPG: tf->eax = in->ea; h = hc_InvalPage; break;
    case OP_RDMSR: as_call(tf, hc_RDMSR); return 0;
    case OP_WRMSR: as_call(tf, hc_WRMSR); return 0;
    case OP_RDPMC: as_call(tf, hc_RDPMC); return 0;
    case OP_RDTSC: as_call(tf, hc_RDTSC); return 0;   /* CR4.TSD: ring 1 only */
    case OP_HLT: h = hc_Halt; break;
    case OP_MOV_TO_CR: return emulate_mov_cr(tf, in, 1);
    case OP_MOV_FROM_CR: return emulate_mov_cr(tf, in, 0);
    case OP_MOV_TO_DR: tf->eax = in->reg; tf->edx = *decode_gpr(tf, in->rm); h = hc_SetDR; break;
    case OP_MOV_FROM_DR: {
        tf->eax = in->reg;
        as_call(tf, hc_GetDR);
        uint32_t v = tf->eax;
        tf->eax = save_eax;
        *decode_gpr(tf, in->rm) = v;
        return 0;
    }
    default: return -1;
    }
    if (h)
        as_call(tf, h);
    tf->eax = save_eax;
    tf->edx = save_edx;
    return 0;
}

/* MOV to or from CR0/CR2/CR3/CR4 through the Set/GetCRn handlers. */
static int emulate_mov_cr(struct trapframe *tf, const struct insn *in, int to_cr)
{
    static hc_handler *const set[5] = { hc_SetCR0, NULL, hc_SetCR2, hc_SetCR3, hc_SetCR4 };
    static hc_handler *const get[5] = { hc_GetCR0, NULL, hc_GetCR2, hc_GetCR3, hc_GetCR4 };
    if (in->reg > 4 || !set[in->reg])
        return -1;
    uint32_t save_eax = tf->eax;
    uint32_t *r = decode_gpr(tf, in->rm);
    if (to_cr) {
        tf->eax = *r;
        as_call(tf, set[in->reg]);
        tf->eax = save_eax;
    } else {
        as_call(tf, get[in->reg]);
        uint32_t v = tf->eax;
        tf->eax = save_eax;
        *r = v;
    }
    return 0;
}

/* Load SS with sel for ring 1 as a CPU at CPL 0 would take an RPL-0
 * selector (ring compression); -1 where the CPU's own #GP stands. */
static int load_ss(struct trapframe *tf, uint16_t sel)
{
    uint16_t ss = seg_compress(sel);
    if (SEL_RPL(tf->cs) != HR_GUEST_CPL || SEL_RPL(sel) || !seg_valid_ss(ss, HR_GUEST_CPL))
        return -1;
    tf->ss = ss;
    return 0;
}

/* MOV SS, POP SS and LSS with an RPL-0 selector in ring 1. */
static int emulate_ss_load(struct trapframe *tf, const struct insn *in)
{
    uint16_t sel;
    uint32_t offset = 0;
    switch (in->op) {
    case OP_MOV_SS:
        if (!in->rm_is_mem)
            sel = (uint16_t)*decode_gpr(tf, in->rm);
        else if (guest_read(in->ea, &sel, sizeof(sel)))
            return -1;
        return load_ss(tf, sel);
    case OP_POP_SS:
        if (guest_read(tf->esp, &sel, sizeof(sel)) || load_ss(tf, sel))
            return -1;
        tf->esp += in->opsize;
        return 0;
    default:                                          /* LSS: offset, then selector */
        if (guest_read(in->ea, &offset, in->opsize) ||
            guest_read(in->ea + in->opsize, &sel, sizeof(sel)) || load_ss(tf, sel))
            return -1;
        if (in->opsize == 4)
            *decode_gpr(tf, in->reg) = offset;
        else
            *decode_gpr(tf, in->reg) = (*decode_gpr(tf, in->reg) & ~0xFFFFu) | (offset & 0xFFFFu);
        return 0;
    }
}

/* A native IRET in ring 1 whose frame names an RPL-0 CS: served as the
 * VMI IRET serves it (ring compression).  -1 for any other frame: the
 * CPU's own #GP stands. */
static int emulate_iret(struct trapframe *tf, const struct insn *in)
{
    uint32_t cs;
    if (SEL_RPL(tf->cs) != HR_GUEST_CPL || in->opsize != 4 ||
        guest_read(tf->esp + sizeof(uint32_t), &cs, sizeof(cs)) || SEL_RPL(cs) ||
        !(cs & 0xFFFCu))
        return -1;                                /* null CS: the CPU's #GP(0) */
    hc_IRET(tf);
    return 0;
}

/* The page the last trapped instruction came from (gtlb.c). */
static struct gtlb insn_tlb;

/* The ring-1 CS last found flat (base 0: EIP is the linear address the
 * instruction came from) at seg_generation gen (0: none). */
static struct {
    uint32_t gen, cs;
} flat_cs;

/* Is cs flat, by the memo above or by a look at its descriptor? */
static int cs_is_flat(uint32_t cs)
{
    if (flat_cs.gen == seg_generation && flat_cs.cs == cs)
        return 1;
    if (!seg_is_flat((uint16_t)cs))
        return 0;
    flat_cs.cs = cs, flat_cs.gen = seg_generation;
    return 1;
}

/* The bytes at eip a ring-1 read reaches, up to MAX_INSN: in place when
 * the translated page holds them all, else copied into buf (fewer near
 * the end of memory); *n how many (0: none). */
static const uint8_t *insn_bytes(uint32_t eip, uint8_t *buf, uint32_t *n)
{
    const uint8_t *p = gtlb_ptr(&insn_tlb, eip, 1, 0);
    *n = MAX_INSN;
    if (p && PAGE_SIZE - (eip & (PAGE_SIZE - 1)) >= MAX_INSN)
        return p;
    while (*n && guest_read(eip, buf, *n))
        (*n)--;
    return buf;
}

/* Handle the #GP in tf if it came from an instruction we emulate.
 * Returns 0 when handled (EIP advanced), -1 to reflect the #GP. */
int emulate(struct trapframe *tf)
{
    uint8_t copy[MAX_INSN];
    struct insn in;
    uint32_t n;
    const uint8_t *bytes = insn_bytes(tf->eip, copy, &n);
    if (!n || decode(bytes, n, tf, &in))
        return -1;
    int user = SEL_RPL(tf->cs) == 3;
    int r;
    if (in.lock && in.op != OP_NONE) {    /* none of ours takes LOCK: #UD (SDM vol. 2, LOCK) */
        vcpu0.exits[EXIT_EXCEPTION]++;
        reflect(tf, T_UD, 0, 0);
        return 0;
    }
    vcpu0.exits[EXIT_EMULATE]++;          /* before: a port write may end the run */
    switch (in.op) {
    case OP_IO: r = emulate_io(tf, &in); break;
    case OP_STRING_IO:
        r = emulate_string_io(tf, &in);
        if (r > 0)
            return 0;                     /* items left: run it again */
        break;
    case OP_CLI: r = emulate_if(tf, 0); break;
    case OP_STI: r = emulate_if(tf, 1); break;
    case OP_INT: return emulate_int(tf, &in);
    case OP_IRET:
        r = emulate_iret(tf, &in);
        if (!r)
            return 0;                     /* EIP is the frame's */
        break;
    case OP_MOV_SS: case OP_POP_SS: case OP_LSS: r = emulate_ss_load(tf, &in); break;
    case OP_RDPMC: r = emulate_system(tf, &in); break;   /* pseudo-counters: any ring */
    default: r = user ? -1 : emulate_system(tf, &in); break;
    }
    if (r) {
        vcpu0.exits[EXIT_EMULATE]--;
        return -1;
    }
    tf->eip += in.length;
    return 0;
}

/*
 * #GP's first stop (entry.asm, tf on the trap page): serve an IN or OUT
 * from ring 1 completely, as hv_trap's exception() and emulate() would,
 * when nothing else is owed on this exit: an error code of 0 (what the
 * I/O permission check raises), no lazy-mode entry queued, a flat CS (so
 * EIP is where the instruction came from), the bytes at EIP on a
 * translated page (the instruction just ran there) and a plain IN or OUT
 * (decode_io) to any port but the backdoor's.  Ring 1 may reach every
 * port (its virtual CPL is 0), so no permission is checked; ring 3 takes
 * the full path, which checks its IOPL and bitmap as a CPU does.
 * Returns 1 when the guest may be entered without seg_return (hv.h,
 * seg_fast_return_ok), 2 when seg_return must look (a virtual interrupt
 * was injected or flagged, or the selectors are not the remembered
 * ones), and 0, having changed nothing, for hv_trap to take the frame.
 */
int emulate_io_fast(struct trapframe *tf)
{
    struct io_insn io;
    if (tf->error || (tf->eflags & EFLAGS_VM) || SEL_RPL(tf->cs) != HR_GUEST_CPL ||
        vcpu0.area->queued || !cs_is_flat(tf->cs))
        return 0;
    const uint8_t *p = gtlb_ptr(&insn_tlb, tf->eip, 1, 0);
    uint32_t room = PAGE_SIZE - (tf->eip & (PAGE_SIZE - 1));
    if (!p || decode_io(p, room < MAX_IO_INSN ? room : MAX_IO_INSN, tf, &io) ||
        io.port == HR_BACKDOOR_PORT)
        return 0;
    vcpu0.emulating = 0;
    vcpu0.vectors[T_GP]++;
    vcpu0.exits[EXIT_EMULATE]++;          /* before: a port write may end the run */
    io_access(tf, (uint16_t)io.port, io.size, io.out);
    tf->eip += io.length;
    if (vpic_requests | vcpu0.area->pending) {
        exit_inject(tf);
        return 2;
    }
    return seg_fast_return_ok(tf->cs, tf->ss, tf->ds, tf->es, tf->eip) ? 1 : 2;
}
