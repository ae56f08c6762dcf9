/*
 * idt.c - IDT gates and INT n from ring 1 and ring 3, and the exceptions
 * ring 3 raises with privileged instructions.
 *
 * A CPU checks a software interrupt's gate (SDM 6.12.1.1, INT n): gate
 * DPL < CPL gives #GP(vector * 8 + 2), a gate of another type #GP(same),
 * not present #NP(same); then the gate's code selector: null #GP(0),
 * past the limit or not code #GP(sel), code more privileged... a handler
 * less privileged than CPL #GP(sel).  INT3 and INTO are software
 * interrupts too: from ring 3 to the runtime's DPL-K gates they #GP.
 * The hypervisor's real IDT must not let ring 3 reach a DPL-1 guest
 * handler (issue 8, item 8) nor its own hypercall gate.
 *
 * Kernel modes: native, hv, hv-novmi.
 */
#include "hostile.h"

#define VEC_FREE      0x31u               /* no runtime handler here      */
#define VEC_IRQ       RT_IRQ_BASE
#define ERR_IDT(v)    ((v) * 8u + 2u)     /* error code: IDT, vector v   */
#define GATE_RES8     0x08u               /* a reserved system type       */
#define GATE_CALL32   0x0Cu
#define GDT_PAST      RT_GDT_ENTRIES
#define HANDLER_PAST_TOP (HR_VIRTUAL_TOP + 0x1000u)
#define BAD_CALL      0xFFu               /* no VMI call has this number  */

extern const uint32_t rt_vector_stubs[RT_VECTORS];   /* guest/rt/entry.asm */
extern const uint8_t rt_syscall_stub[];

/* Write IDT entry v of the runtime's IDT through the shim. */
static void idt_write(unsigned v, struct gate_desc g)
{
    vmi_write_idt_entry(rt_idt, v, desc_lo(&g), desc_hi(&g));
}

/* A gate of type at dpl (present or not) to sel:handler. */
static struct gate_desc gate(uint32_t handler, uint16_t sel, unsigned dpl, uint8_t type,
                             int present)
{
    struct gate_desc g = desc_gate(handler, dpl, type);
    g.selector = sel;
    if (!present)
        g.type_attr &= (uint8_t)~DESC_P;
    return g;
}

/* ---- ring 3 instructions, one function each ---- */
#define USER_INSN(fn, insn)                                             \
    static void fn(void *arg)                                           \
    {                                                                   \
        (void)arg;                                                      \
        __asm__ volatile(insn ::: "eax", "ecx", "edx", "memory", "cc"); \
    }
USER_INSN(u_int3, "int3")
USER_INSN(u_int_3, "int $3")
USER_INSN(u_into, "movl $0x7fffffff, %%eax\n\taddl $1, %%eax\n\tinto")
USER_INSN(u_int_4, "int $4")
USER_INSN(u_int_irq, "int $" RT_STR(RT_IRQ_BASE))
USER_INSN(u_int_hc, "int $0x82\n\t.byte 0")
USER_INSN(u_int_free, "int $0x31")
USER_INSN(u_int_80, "movl $1, %%eax\n\tint $0x80")
USER_INSN(u_ud2, "ud2")
USER_INSN(u_div0, "xorl %%ecx, %%ecx\n\tmovl $1, %%eax\n\txorl %%edx, %%edx\n\tdivl %%ecx")
USER_INSN(u_hlt, "hlt")
USER_INSN(u_cli, "cli")
USER_INSN(u_sti, "sti")
USER_INSN(u_lgdt, "lgdt (%%esp)")
USER_INSN(u_lidt, "lidt (%%esp)")
USER_INSN(u_lldt, "xorl %%eax, %%eax\n\tlldt %%ax")
USER_INSN(u_ltr, "movl $0x28, %%eax\n\tltr %%ax")
USER_INSN(u_mov_cr0, "movl %%cr0, %%eax")
USER_INSN(u_mov_cr3, "movl %%eax, %%cr3")
USER_INSN(u_mov_dr7, "movl %%dr7, %%eax")
USER_INSN(u_invlpg, "invlpg (%%esp)")
USER_INSN(u_rdmsr, "movl $0x10, %%ecx\n\trdmsr")
USER_INSN(u_wrmsr, "movl $0x174, %%ecx\n\txorl %%eax, %%eax\n\txorl %%edx, %%edx\n\twrmsr")
USER_INSN(u_rdpmc0, "xorl %%ecx, %%ecx\n\trdpmc")
USER_INSN(u_clts, "clts")
USER_INSN(u_wbinvd, "wbinvd")
USER_INSN(u_inb, "inb $0x80, %%al")
USER_INSN(u_bound, "pushl $2\n\tpushl $1\n\tmovl $5, %%eax\n\tbound %%eax, (%%esp)\n\taddl $8, %%esp")

/* What a user case writes into the IDT first. */
enum idt_setup {
    I_NONE,
    I_BP_DPL3,        /* vectors 3 and 4: DPL-3 gates to their stubs    */
    I_FREE_NP,        /* VEC_FREE: DPL-3 gate, not present              */
    I_FREE_DATASEL,   /* VEC_FREE: DPL-3 gate to the kernel's data sel  */
    I_FREE_NULLSEL,   /* ... to selector 0                              */
    I_FREE_PASTSEL,   /* ... to a selector past the GDT                 */
    I_FREE_HVSEL,     /* ... to the hypervisor's flat CS selector       */
    I_FREE_CALL,      /* VEC_FREE: a call-gate type, DPL 3              */
    I_FREE_RES,       /* VEC_FREE: a reserved type, DPL 3               */
    I_FREE_PAST_TOP,  /* VEC_FREE: handler beyond the code limit        */
    I_FREE_USERCS,    /* VEC_FREE: DPL-3 gate into ring-3 code          */
    I_SYS_DPLK,       /* the system-call vector's gate at DPL K         */
    I_SYS_NP,         /* the system-call gate not present               */
    I_SYS_INT,        /* the system-call gate an interrupt gate         */
};

/* Do setup s. */
static void idt_prepare(uint8_t s)
{
    uint16_t kcs = rt_seg.kernel_cs;
    uint32_t free_stub = rt_vector_stubs[RT_VECTORS - 1];   /* a PIC stub: counts, returns */
    switch (s) {
    case I_BP_DPL3:
        idt_write(T_BP, gate(rt_vector_stubs[T_BP], kcs, RT_RING_USER, GATE_INT32, 1));
        idt_write(T_OF, gate(rt_vector_stubs[T_OF], kcs, RT_RING_USER, GATE_INT32, 1));
        break;
    case I_FREE_NP:       idt_write(VEC_FREE, gate(free_stub, kcs, 3, GATE_INT32, 0)); break;
    case I_FREE_DATASEL:  idt_write(VEC_FREE, gate(free_stub, rt_seg.kernel_ds, 3, GATE_INT32, 1)); break;
    case I_FREE_NULLSEL:  idt_write(VEC_FREE, gate(free_stub, 0, 3, GATE_INT32, 1)); break;
    case I_FREE_PASTSEL:
        idt_write(VEC_FREE, gate(free_stub, SEL(GDT_PAST, 0, rt_seg.cpl), 3, GATE_INT32, 1));
        break;
    case I_FREE_HVSEL:    idt_write(VEC_FREE, gate(free_stub, HR_FLAT_KERNEL_CS, 3, GATE_INT32, 1)); break;
    case I_FREE_CALL:     idt_write(VEC_FREE, gate(free_stub, kcs, 3, GATE_CALL32, 1)); break;
    case I_FREE_RES:      idt_write(VEC_FREE, gate(free_stub, kcs, 3, GATE_RES8, 1)); break;
    case I_FREE_PAST_TOP: idt_write(VEC_FREE, gate(HANDLER_PAST_TOP, kcs, 3, GATE_INT32, 1)); break;
    case I_FREE_USERCS:   idt_write(VEC_FREE, gate(free_stub, rt_seg.user_cs, 3, GATE_INT32, 1)); break;
    case I_SYS_DPLK:
        idt_write(RT_SYSCALL_VECTOR, gate((uint32_t)rt_syscall_stub, kcs, rt_seg.cpl, GATE_TRAP32, 1));
        break;
    case I_SYS_NP:
        idt_write(RT_SYSCALL_VECTOR, gate((uint32_t)rt_syscall_stub, kcs, 3, GATE_TRAP32, 0));
        break;
    case I_SYS_INT:
        idt_write(RT_SYSCALL_VECTOR, gate((uint32_t)rt_syscall_stub, kcs, 3, GATE_INT32, 1));
        break;
    }
}

/* A case: setup, then fn in ring 3 (user) or in the kernel. */
struct idt_row {
    const char *name;
    uint8_t setup, user;
    void (*fn)(void *);
};

static const struct idt_row idt_rows[] = {
    { "idt-int3-user", I_NONE, 1, u_int3 },
    { "idt-int-3-user", I_NONE, 1, u_int_3 },
    { "idt-into-user", I_NONE, 1, u_into },
    { "idt-int-4-user", I_NONE, 1, u_int_4 },
    { "idt-int3-dpl3-user", I_BP_DPL3, 1, u_int3 },
    { "idt-into-dpl3-user", I_BP_DPL3, 1, u_into },
    { "idt-int-irq-user", I_NONE, 1, u_int_irq },
    { "idt-int-hypercall-user", I_NONE, 1, u_int_hc },
    { "idt-int-empty-user", I_NONE, 1, u_int_free },
    { "idt-int-np-user", I_FREE_NP, 1, u_int_free },
    { "idt-int-np-kernel", I_FREE_NP, 0, u_int_free },
    { "idt-int-datasel-user", I_FREE_DATASEL, 1, u_int_free },
    { "idt-int-nullsel-user", I_FREE_NULLSEL, 1, u_int_free },
    { "idt-int-pastsel-user", I_FREE_PASTSEL, 1, u_int_free },
    { "idt-int-hvsel-user", I_FREE_HVSEL, 1, u_int_free },
    { "idt-int-callgate-user", I_FREE_CALL, 1, u_int_free },
    { "idt-int-restype-user", I_FREE_RES, 1, u_int_free },
    { "idt-int-past-top-user", I_FREE_PAST_TOP, 1, u_int_free },
    { "idt-int-usercs-kernel", I_FREE_USERCS, 0, u_int_free },
    { "idt-syscall-dplk-user", I_SYS_DPLK, 1, u_int_80 },
    { "idt-syscall-np-user", I_SYS_NP, 1, u_int_80 },
    { "idt-syscall-intgate-user", I_SYS_INT, 1, u_int_80 },
    { "idt-user-ud2", I_NONE, 1, u_ud2 },
    { "idt-user-div0", I_NONE, 1, u_div0 },
    { "idt-user-bound", I_NONE, 1, u_bound },
    { "idt-user-hlt", I_NONE, 1, u_hlt },
    { "idt-user-cli", I_NONE, 1, u_cli },
    { "idt-user-sti", I_NONE, 1, u_sti },
    { "idt-user-lgdt", I_NONE, 1, u_lgdt },
    { "idt-user-lidt", I_NONE, 1, u_lidt },
    { "idt-user-lldt", I_NONE, 1, u_lldt },
    { "idt-user-ltr", I_NONE, 1, u_ltr },
    { "idt-user-mov-cr0", I_NONE, 1, u_mov_cr0 },
    { "idt-user-mov-cr3", I_NONE, 1, u_mov_cr3 },
    { "idt-user-mov-dr7", I_NONE, 1, u_mov_dr7 },
    { "idt-user-invlpg", I_NONE, 1, u_invlpg },
    { "idt-user-rdmsr", I_NONE, 1, u_rdmsr },
    { "idt-user-wrmsr", I_NONE, 1, u_wrmsr },
    { "idt-user-rdpmc0", I_NONE, 1, u_rdpmc0 },
    { "idt-user-clts", I_NONE, 1, u_clts },
    { "idt-user-wbinvd", I_NONE, 1, u_wbinvd },
    { "idt-user-in", I_NONE, 1, u_inb },
    { "idt-kernel-int3", I_NONE, 0, u_int3 },
    { "idt-kernel-into", I_NONE, 0, u_into },
    { "idt-kernel-bound", I_NONE, 0, u_bound },
    { "idt-kernel-div0", I_NONE, 0, u_div0 },
};

/* idt-hypercall-bad: the hypercall vector from ring 1 with a call number
 * no VMI call has.  Natively the guest's gate 82h is empty: #NP. */
static void hypercall_bad(void)
{
    hostile_judge(TRY_ASM("int $" RT_STR(HR_HYPERCALL_VECTOR) "\n\t.byte " RT_STR(BAD_CALL)),
                  "INT 82h with call number FFh");
}

/* Run row r. */
static void idt_run(const struct idt_row *r)
{
    idt_prepare(r->setup);
    int v = r->user ? rt_user_call(r->fn, NULL) : try_call(r->fn, NULL);
    hostile_judge(v, r->name);
}

/* Find and run the case. */
void guest_main(const char *cmdline)
{
    (void)cmdline;
    char buf[HOSTILE_WORD_MAX];
    const char *name = hostile_begin(buf);
    if (!name)
        return;
    if (!strcmp(name, "idt-hypercall-bad"))
        return hypercall_bad();
    for (size_t i = 0; i < HOSTILE_COUNT(idt_rows); i++)
        if (!strcmp(idt_rows[i].name, name))
            return idt_run(&idt_rows[i]);
    report(0, "unknown case=%s", name);
}
