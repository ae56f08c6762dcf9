/*
 * traps.c - the IDT, the trap dispatcher, reflecting exceptions into the
 * guest, and terminating a guest that broke a rule.  Ring 0.
 *
 * Every exception a guest raises arrives here first.  Those that mean "a
 * privileged instruction in ring 1" are emulated (emulate.c); the rest are
 * reflected: a frame like the CPU's is built on the guest's kernel stack
 * and the guest's own handler (from its virtual IDT) runs in ring 1.
 */
#include "hv.h"
#include "hypercall.h"
#include "vdev.h"
#include "desc.h"
#include "fastreflect.h"

#define PIC1_CMD        0x20u
#define PIC1_DATA       0x21u
#define PIC2_CMD        0xA0u
#define PIC2_DATA       0xA1u
#define PIC_EOI         0x20u
#define PIC_ICW1        0x11u     /* edge triggered, cascade, ICW4 follows */
#define PIC_ICW4_8086   0x01u
#define IRQ_BASE        0x20u     /* IRQ 0-15 on vectors 0x20-0x2F */
#define IRQ_COUNT       16u
#define IRQ_COM1        4u        /* the first serial port's line (PC/AT) */
#define GUEST_NO_RING   2u        /* guests run in rings 1 and 3 */
#define GATE_INT32      (GATE_P | SYS_TYPE_INT32)
#define GATE_TRAP32     (GATE_P | SYS_TYPE_TRAP32)
#define ERR_IDT         0x2u      /* #GP error code: the selector is a vector */
#define IRETD_OPCODE    0xCFu
#define INT3_OPCODE     0xCCu     /* one-byte INT3; "int 3" is CD 03  */
#define INTO_OPCODE     0xCEu     /* one-byte INTO; "int 4" is CD 04  */
#define INT_N_LENGTH    2u
#define GATE_OFFSET(g)  ((g).offset_lo | ((uint32_t)(g).offset_hi << 16))
#define GATE_DPL_OF(g)  (((g).type_attr >> 5) & 3u)

extern const uint32_t trap_stubs[IDT_VECTORS];
/* Read by the CPU on every trap: in the entry pages, read-only to guests. */
static struct gate_desc idt[IDT_VECTORS] __attribute__((section(".bss.entry_tables"), aligned(8)));

static const char *const exit_names[EXIT_REASONS] = {
    "hypercall", "guest fault (reflected)", "emulated instruction", "hardware interrupt",
    "shadow page fill",
};

/* Point vector v at stub with the given gate type and DPL. */
static void set_gate(uint32_t v, uint32_t handler, uint16_t sel, uint32_t type, uint32_t dpl)
{
    idt[v].offset_lo = (uint16_t)handler;
    idt[v].offset_hi = (uint16_t)(handler >> 16);
    idt[v].selector = sel;
    idt[v].zero = 0;
    idt[v].type_attr = (uint8_t)(type | GATE_DPL(dpl));
}

/* Remap the PICs to IRQ_BASE and mask every line but COM1's (the guest's
 * UART interrupts as the guest programs it; vtimer.c opens the timer's). */
static void pic_init(void)
{
    outb(PIC1_CMD, PIC_ICW1); outb(PIC2_CMD, PIC_ICW1);
    outb(PIC1_DATA, IRQ_BASE); outb(PIC2_DATA, IRQ_BASE + 8);
    outb(PIC1_DATA, 4); outb(PIC2_DATA, 2);          /* cascade on IRQ 2 */
    outb(PIC1_DATA, PIC_ICW4_8086); outb(PIC2_DATA, PIC_ICW4_8086);
    outb(PIC1_DATA, (uint8_t)~(1u << IRQ_COM1));   /* all masked but COM1 */
    outb(PIC2_DATA, 0xFF);
}

/* Every vector goes to its stub; only the hypercall gate admits ring 1,
 * and breakpoints/overflow checks admit ring 3, as natively. */
void idt_init(void)
{
    for (uint32_t v = 0; v < IDT_VECTORS; v++)
        set_gate(v, trap_stubs[v], HV_CS, GATE_INT32, 0);
    set_gate(HR_HYPERCALL_VECTOR, trap_stubs[HR_HYPERCALL_VECTOR], HV_CS, GATE_INT32, HR_GUEST_CPL);
    set_gate(T_BP, trap_stubs[T_BP], HV_CS, GATE_INT32, 3);
    set_gate(T_OF, trap_stubs[T_OF], HV_CS, GATE_INT32, 3);
    struct dtr d = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
    lidt(&d);
    pic_init();
}

/* Stop the guest for breaking a rule: say which, where, and the state. */
void guest_terminate(struct trapframe *tf, const char *rule, const char *fmt, ...)
{
    va_list ap;
    hv_printf("\nhv: guest terminated: %s: ", rule);
    va_start(ap, fmt);
    hv_vprintf(fmt, ap);
    va_end(ap);
    hv_printf("\nhv:   eip %x cs %x eflags %x esp %x ss %x vector %u error %x\n",
              tf->eip, tf->cs, tf->eflags, tf->esp, tf->ss, tf->vector, tf->error);
    hv_printf("hv:   eax %x ebx %x ecx %x edx %x esi %x edi %x ebp %x\n",
              tf->eax, tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp);
    stats_print();
    hv_exit_qemu(HR_EXIT_GUEST_TERMINATED);
}

/* hv_enter (entry.asm) was given a frame that is not guest_frame(): the
 * IRET only ever leaves from the trap page, so that is a hypervisor bug. */
void hv_enter_elsewhere(const struct trapframe *tf)
{
    hv_panic("hv_enter: frame at %x, not guest_frame() at %x", (uint32_t)(uintptr_t)tf,
             (uint32_t)(uintptr_t)guest_frame());
}

/* A fault in ring 0 is a hypervisor bug; so is a double fault anywhere
 * (every fault a guest raises reaches an IDT and a stack that work). */
static void hv_fault(struct trapframe *tf)
{
    hv_panic("vector %u in the hypervisor: eip %x cs %x error %x cr2 %x",
             tf->vector, tf->eip, tf->cs, tf->error, read_cr2());
}

/* An NMI, in the guest or in the hypervisor: nothing here raises one on
 * purpose (no watchdog), so note it and carry on where it struck. */
static void nmi(struct trapframe *tf)
{
    extern uint32_t guest_cr3;                 /* entry.asm */
    int from_guest = SEL_RPL(tf->cs) != 0;
    if (from_guest)
        vcpu0.exits[EXIT_IRQ]++;
    /* entry.asm keeps the interrupted CR3 in the frame's unused ESP slot */
    int guest_map = from_guest || tf->esp_pushad == guest_cr3;
    hv_printf("hv: NMI at eip %x cs %x, %s (ignored)\n", tf->eip, tf->cs,
              guest_map ? "guest map loaded" : "hypervisor map");
}

/* A hardware interrupt: the hypervisor's own; acknowledge it. */
static void irq(struct trapframe *tf)
{
    uint32_t line = tf->vector - IRQ_BASE;
    if (SEL_RPL(tf->cs) != 0)
        vcpu0.exits[EXIT_IRQ]++;          /* not when it woke a Halt */
    if (line == 0)
        vtimer_tick();
    if (line == IRQ_COM1)
        vpic_raise(IRQ_COM1);             /* the guest's own UART: its line too */
    if (line >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

/* The page the last faulting EIP was on (gtlb.c): asking whether a fault
 * came from a ROM walks the guest's tables once per page, not per fault. */
static struct gtlb eip_tlb;

/* Is eip in a ROM (the guest-physical pages the hypervisor keeps
 * read-only, wherever the guest maps them)? */
static int in_rom(uint32_t eip)
{
    if (!(vcpu0.cr0 & CR0_PG))
        return paging_readonly(eip, 1);      /* paging off: a range check */
    const uint8_t *p = gtlb_ptr(&eip_tlb, eip, 1, 0);
    return p && paging_readonly(V2P(p) - vcpu0.mem_base, 1);
}

/* Is eip, inside a ROM, its IRET instruction?  That is where the ROM's
 * IRET entry returns natively when nothing is pending. */
static int at_rom_iret(uint32_t eip)
{
    const uint8_t *p = gtlb_ptr(&eip_tlb, eip, 1, 0);
    return p && *p == IRETD_OPCODE;
}

/* A #PF from the guest: 1 if its own tables allow the access (the shadow
 * is filled; retry), else 0 with its CR2 and error code set for reflection. */
static int shadow_filled(struct trapframe *tf)
{
    uint32_t cr2 = read_cr2();
    if (mmu_shadow_fault(tf, cr2, &tf->error)) {
        vcpu0.exits[EXIT_SHADOW]++;
        return 1;
    }
    vcpu0.cr2 = cr2;
    vcpu0.area->cr2 = cr2;               /* what GetCR2 reads (spec section 9) */
    return 0;
}

/* Set by pf_fast when it found a #PF to be the guest's own (CR2 and the
 * error code set): exception() then reflects it without asking again. */
static int pf_classified;

/*
 * The page-fault vector's first stop (entry.asm, tf on the trap page, from
 * the guest).  When nothing else is owed on this exit (nothing queued,
 * requested or flagged pending, as for exception_fast), a fault the
 * guest's own tables would not raise is a shadow miss: filled, and the
 * guest resumed with the frame the CPU pushed, by the fast return (1)
 * when seg_reentry_ok allows, else through seg_return (2).  A fault of
 * the guest's own outside a ROM is reflected here as exception() would:
 * by reflect_fast (1 from ring 1, 2 from ring 3) or reflect (2).  Otherwise 0: hv_trap takes the
 * frame the full way, without classifying the fault again.
 */
int pf_fast(struct trapframe *tf)
{
    const struct hr_vcpu_area *a = vcpu0.area;
    if ((tf->eflags & EFLAGS_VM) || SEL_RPL(tf->cs) == GUEST_NO_RING ||
        (a->queued | a->pending | vpic_requests))
        return 0;
    vcpu0.emulating = 0;
    if (shadow_filled(tf))
        return seg_reentry_ok(tf) ? 1 : 2;
    int ring1 = SEL_RPL(tf->cs) == HR_GUEST_CPL;
    if (ring1 && in_rom(tf->eip)) {
        pf_classified = 1;               /* rule 8 or 10: exception() decides */
        return 0;
    }
    vcpu0.vectors[T_PF]++;
    vcpu0.exits[EXIT_EXCEPTION]++;
    fast_reflect_sync();
    if (reflect_fast(tf, T_PF))          /* from ring 3 seg_return still runs */
        return ring1 ? 1 : 2;
    reflect(tf, T_PF, 1, tf->error);
    return 2;
}

/* INT3 and INTO (and "int 3", "int 4") reach the hypervisor through
 * DPL-3 gates, so that any ring can raise them at all; the CPU reports
 * them after the instruction.  Step back over it and let the guest's own
 * gate decide, as for any INT n. */
static void soft_trap(struct trapframe *tf, uint32_t v)
{
    uint8_t op;
    uint8_t one_byte = v == T_BP ? INT3_OPCODE : INTO_OPCODE;
    int short_form = !guest_read(tf->eip - 1, &op, 1) && op == one_byte;
    uint32_t len = short_form ? 1 : INT_N_LENGTH;
    tf->eip -= len;
    reflect_soft(tf, v, len);
}

/* An exception from the guest: emulate what ring 1 cannot do, else reflect.
 * `tables`: this exit applied descriptor writes queued in lazy mode, so a
 * faulting segment load is retried first (it may work now). */
static void exception(struct trapframe *tf, int tables)
{
    uint32_t v = tf->vector;
    if (v == T_PF) {
        int classified = pf_classified;
        pf_classified = 0;
        if (!classified && shadow_filled(tf))
            return;
    }
    if (tables && (v == T_GP || v == T_NP || v == T_SS || v == T_TS)) {
        vcpu0.exits[EXIT_EMULATE]++;
        return;                          /* a fault: the instruction runs again */
    }
    vcpu0.vectors[v]++;
    if ((v == T_GP || v == T_NP || v == T_SS) && (tf->error & ~3u) && !(tf->error & ERR_IDT)) {
        const char *why = NULL;
        int r = seg_resync((uint16_t)(tf->error & ~3u), &why);
        if (r < 0)
            guest_terminate(tf, "descriptor validation", "selector %x: %s", tf->error & ~3u, why);
        if (r > 0) {
            vcpu0.exits[EXIT_EMULATE]++;
            return;                      /* the table changed: retry */
        }
    }
    int rom = SEL_RPL(tf->cs) == HR_GUEST_CPL && in_rom(tf->eip);
    if (rom && at_rom_iret(tf->eip)) {
        vcpu0.exits[EXIT_EMULATE]++;     /* rule 10: no fault inside the ROM */
        hc_IRET(tf);                     /* a frame no CPU takes ends the guest */
        return;
    }
    if (v == T_GP && !emulate(tf))
        return;                          /* emulate() counted it */
    vcpu0.exits[EXIT_EXCEPTION]++;
    if (rom)
        hc_fault(tf, v, tf->error);      /* rule 8: a ROM body's own fault */
    if (v == T_BP || v == T_OF)
        return soft_trap(tf, v);
    fast_reflect_sync();
    if (!reflect_fast(tf, v))            /* remembered checks (a user #PF, say) */
        reflect(tf, v, vector_has_error(v), tf->error);
}

/* Deliver a waiting virtual interrupt if the guest can take it now (user
 * mode always can: rule 6); otherwise flag it in the vCPU area, so that the
 * ROM's fast paths enter the hypervisor when the guest sets IF. */
static void inject(struct trapframe *tf)
{
    if (!vpic_requests) {                /* the common exit: nothing to do */
        if (vcpu0.area->pending)
            vcpu0.area->pending = 0;
        vcpu_sync_must_exit();           /* the queue was applied, too */
        return;
    }
    if (vpic_pending() && (SEL_RPL(tf->cs) == 3 || vcpu0.area->virt_if)) {
        int v = vpic_ack();
        if (v >= 0)
            reflect(tf, (uint32_t)v, 0, 0);
    }
    vcpu0.area->pending = (uint32_t)vpic_pending();
    vcpu_sync_must_exit();
}

/* Exceptions that, from ring 1 outside a ROM, only ever mean reflection:
 * none is emulated (#GP), filled (#PF), resynchronised (#NP, #SS, #TS,
 * #GP), stepped over (#BP, #OF), the hypervisor's own (#NMI, #DF) or a
 * machine's (#MC).  entry.asm's REFLECT_ONLY sends exception_fast these
 * alone; it checks again, since a wrong call would skip the full path. */
static const uint8_t reflect_only[T_EXCEPTIONS] = {
    [T_DE] = 1, [T_DB] = 1, [T_BR] = 1, [T_UD] = 1, [T_NM] = 1, [T_MF] = 1,
    [T_AC] = 1, [T_XM] = 1,
};

/* Is eip on a page that holds no byte of a ROM (in_rom for the whole
 * page)?  Kept in fast_reflect.code_page; 0 also when it cannot be read.
 * The caller ran fast_reflect_sync. */
static int outside_rom(uint32_t eip)
{
    uint32_t page = eip & ~(PAGE_SIZE - 1), gpa = page;
    if (fast_reflect.code_page == page)
        return 1;
    if (vcpu0.cr0 & CR0_PG) {
        const uint8_t *p = gtlb_ptr(&eip_tlb, page, 1, 0);
        if (!p)
            return 0;
        gpa = V2P(p) - vcpu0.mem_base;
    }
    if (paging_readonly(gpa, PAGE_SIZE))
        return 0;
    fast_reflect.code_page = page;
    return 1;
}

/* An exception vector's first stop when entry.asm's own fast path found
 * something not remembered (tf on the trap page): reflect it completely
 * and return 1 when exception() would only reflect it and nothing else is
 * owed on this exit (as hypercall_fast), and reflect_fast finds every
 * check remembered or can remember it now.  Else 0, changing nothing:
 * hv_trap takes the same frame the full way. */
int exception_fast(struct trapframe *tf)
{
    uint32_t v = tf->vector;
    const struct hr_vcpu_area *a = vcpu0.area;
    if (v >= T_EXCEPTIONS || !reflect_only[v] || (tf->eflags & EFLAGS_VM) ||
        (a->queued | a->pending | vpic_requests) || SEL_RPL(tf->cs) != HR_GUEST_CPL)
        return 0;
    fast_reflect_sync();
    if (!outside_rom(tf->eip) || !reflect_fast(tf, v))
        return 0;
    vcpu0.emulating = 0;
    vcpu0.vectors[v]++;
    vcpu0.exits[EXIT_EXCEPTION]++;
    return 1;
}

/* The C side of every IDT vector (entry.asm). */
void hv_trap(struct trapframe *tf)
{
    if (tf->vector == T_NMI)                    /* may strike inside any handler */
        return nmi(tf);
    vcpu0.emulating = 0;
    if (tf->eflags & EFLAGS_VM)                 /* before CS: it is a real-mode value */
        guest_terminate(tf, "rule 9 (no V8086 mode)", "the guest runs in V8086 mode "
                        "(an IRET in ring 1 with VM set, which QEMU's TCG honours)");
    if (SEL_RPL(tf->cs) == 0) {
        if (tf->vector >= IRQ_BASE && tf->vector < IRQ_BASE + IRQ_COUNT)
            return irq(tf);                     /* woke a halted hypervisor */
        hv_fault(tf);
    }
    if (tf->vector == T_DF)
        hv_fault(tf);
    if (SEL_RPL(tf->cs) == GUEST_NO_RING)       /* the checks keep ring 2 empty */
        guest_terminate(tf, "descriptor validation", "the guest runs in ring 2");
    int tables = vcpu0.area->queued ? lazy_flush(tf) : 0;   /* before anything looks */
    if (tf->vector < T_EXCEPTIONS)
        exception(tf, tables);
    else if (tf->vector < IRQ_BASE + IRQ_COUNT)
        irq(tf);
    else if (tf->vector == HR_HYPERCALL_VECTOR)
        hypercall(tf);
    else
        guest_terminate(tf, "unexpected vector", "vector %u", tf->vector);
    inject(tf);
}

/* The direct system-call gate: when the guest's gate for syscall_vector is
 * a ring-3 trap gate into a ring-1 code segment, the real IDT points ring 3
 * straight at the guest's handler, so a system call never exits.  The CPU
 * then switches to SS1:ESP1 of the real TSS itself, so only a guest that
 * told us its kernel stack (UpdateKernelStack) gets the direct gate; a
 * trap-and-emulate guest keeps it in its own TSS, which the CPU never
 * reads, and its system calls go through reflect(). */
void idt_sync_syscall(struct trapframe *tf)
{
    struct gate_desc g;
    (void)tf;
    uint32_t v = syscall_vector;
    uint16_t cs = 0;
    int direct = kernel_stack_direct() && !vcpu0.iopl_mask &&     /* hc_cpu.c set_virtual_iopl */
                 !guest_gate(v, &g) && GATE_DPL_OF(g) == 3 &&
                 (g.type_attr & 0xFu) == SYS_TYPE_TRAP32 &&
                 seg_valid_cs(cs = (uint16_t)((g.selector & ~3u) | HR_GUEST_CPL)) &&
                 GATE_OFFSET(g) <= seg_limit(cs);     /* else reflect() refuses it */
    if (direct)
        set_gate(v, GATE_OFFSET(g), cs, GATE_TRAP32, 3);
    else
        set_gate(v, trap_stubs[v], HV_CS, GATE_INT32, 0);
}

/* Exit counts by reason, by exception vector and by VMI call (like
 * kvm_stat), each group under a heading that says what it counts;
 * tests/bench/run.sh reads the "name: count" lines. */
void stats_print(void)
{
    if (!hv_stats)
        return;
    hv_printf("hv: exits by reason:\n");
    for (uint32_t r = 0; r < EXIT_REASONS; r++)
        hv_printf("hv:   %s: %u\n", exit_names[r], (uint32_t)vcpu0.exits[r]);
    hv_printf("hv: exceptions trapped, by vector (then emulated, or reflected to the guest):\n");
    int none = 1;
    for (uint32_t v = 0; v < T_EXCEPTIONS; v++)
        if (vcpu0.vectors[v]) {
            hv_printf("hv:   exception %u: %u\n", v, (uint32_t)vcpu0.vectors[v]);
            none = 0;
        }
    if (none)
        hv_printf("hv:   none\n");
    hv_printf("hv: faults and interrupts delivered to the guest through its IDT: %u\n",
              (uint32_t)vcpu0.delivered);
    for (uint32_t v = 0; v < IDT_VECTORS; v++)
        if (vcpu0.delivered_by[v])
            hv_printf("hv:   vector %u: %u\n", v, vcpu0.delivered_by[v]);
    hv_printf("hv: updates queued in lazy mode, applied at exits: %u\n",
              (uint32_t)vcpu0.lazy_applied);
    hv_printf("hv: VMI calls that exited to the hypervisor, by name:\n");
    none = 1;
    for (uint32_t c = 0; c < VMI_CALL_COUNT; c++)
        if (vcpu0.calls[c]) {
            hv_printf("hv:   VMI_%s: %u\n", vmi_call_name(c), (uint32_t)vcpu0.calls[c]);
            none = 0;
        }
    if (none)
        hv_printf("hv:   none\n");
    mmu_stats_print();
}

/* inject() at the end of an exit that hv_trap does not run (emulate.c's
 * fast path for IN and OUT). */
void exit_inject(struct trapframe *tf)
{
    inject(tf);
}
