/*
 * ops.c - every VMI operation the shim offers does what the instruction
 * it stands for does.
 *
 * Each check goes through the shim and then looks at the machine another
 * way: natively (vmi.mode NATIVE, ring 0) with the raw instruction (PUSHF,
 * SGDT, MOV from CR0, RDMSR...), and in any mode by using the state:
 * loading a segment from a descriptor just written, taking a trap through
 * a gate just written, an FPU instruction under CR0.TS.  Raw reads of
 * control registers, debug registers and MSRs are skipped above ring 0.
 * The try mechanism itself is checked first, since later checks rely on it.
 */
#include "rt.h"     /* report, TRY_ASM, the runtime's tables */
#include "vmi.h"    /* the operations under test */

#define CPUID_EDX_VME      (1u << 1)    /* leaf 1 EDX: V8086 extensions   */
#define CPUID_EDX_SEP      (1u << 11)   /* leaf 1 EDX: SYSENTER/SYSEXIT   */
#define CPUID_HIDDEN_BY_HV (CPUID_EDX_VME | CPUID_EDX_SEP)

#define SERIAL_SCRATCH   0x3FFu    /* COM1 scratch register: any value sticks */
#define MSR_SYSENTER_ESP 0x175u    /* harmless to change while unused */
#define TEST_VECTOR      0x40      /* an IDT slot the runtime leaves empty (no "u": asm) */
#define IDT_ERR_IDT      0x2u      /* error code bit: the index is an IDT slot */
#define DR_COUNT         4u        /* DR0-DR3: breakpoint addresses */
#define PATTERN          0x5Au
#define MARK_A           0xC0DE0001u
#define MARK_B           0xC0DE0002u
#define LDT_ENTRIES      4u
#define TEST_LDT_SLOT    1u        /* LDT slot 0 stays null, like Linux's */
#define PAGE_SIZE        4096u

enum { SLOT_DATA = RT_GDT_FIRST_FREE, SLOT_LDT, SLOT_TSS2 };
_Static_assert((int)SLOT_TSS2 < (int)RT_GDT_ENTRIES, "test slots fit the runtime's GDT");

static int native;                 /* raw instructions see the truth */
static uint32_t mark_a = MARK_A, mark_b = MARK_B;
static struct seg_desc ldt_table[LDT_ENTRIES] __attribute__((aligned(8)));
static struct seg_desc gdt2[RT_GDT_ENTRIES] __attribute__((aligned(8)));
static struct gate_desc idt2[RT_IDT_ENTRIES] __attribute__((aligned(8)));
static struct tss32 tss2 __attribute__((aligned(128)));
static uint8_t fake_pd[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* A byte-granular 32-bit data segment at our privilege level. */
static struct seg_desc data_seg(const void *base, uint32_t limit)
{
    uint8_t access = (uint8_t)(DESC_P | (rt_seg.cpl << DESC_DPL_SHIFT) | DESC_S | DESC_DATA_WRITE);
    return desc_make((uint32_t)(uintptr_t)base, limit, access, DESC_FLAG_DB);
}

/* Read the 32-bit word at offset off of the segment sel, through FS. */
static uint32_t read_through(uint16_t sel, uint32_t off)
{
    uint32_t v;
    write_fs(sel);
    __asm__ volatile("movl %%fs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
    write_fs(rt_seg.kernel_ds);
    return v;
}

/* For try_call: load FS with the selector *arg (may fault). */
static void load_fs(void *arg)
{
    write_fs(*(const uint16_t *)arg);
}

/* Two 6-byte table images are the same. */
static int dtr_equal(const struct vmi_dtr *a, const struct vmi_dtr *b)
{
    return a->limit == b->limit && a->base == b->base;
}

/* A function that faults, and one that does not, for try_call. */
static void do_ud2(void *arg) { (void)arg; __asm__ volatile("ud2"); }
static void do_nothing(void *arg) { *(int *)arg = 1; }

/* try_call and TRY_ASM catch what they should and nothing else. */
static void test_try(void)
{
    int ran = 0;
    report(try_call(do_ud2, NULL) == T_UD, "try_call: ud2 raises #UD (vector 6)");
    report(try_call(do_nothing, &ran) == RT_NO_FAULT && ran,
           "try_call: a function that returns reports no fault");
    report(TRY_ASM("ud2") == T_UD, "TRY_ASM: ud2 raises #UD");
    report(TRY_ASM("nop") == RT_NO_FAULT, "TRY_ASM: nop raises nothing");
    uint16_t bad = SEL(RT_GDT_ENTRIES + 1, 0, rt_seg.cpl);  /* past the GDT limit */
    uint16_t err = bad & (uint16_t)~SEL_RPL_MASK;
    int v = try_call(load_fs, &bad);
    report(v == T_GP && rt_last_fault.error == err,
           "loading selector %04x (past the GDT limit) raises #GP, error %04x (got %d, %04x)",
           bad, err, v, rt_last_fault.error);
    report(read_fs() == rt_seg.kernel_ds, "FS still holds %04x after the fault", read_fs());
}

/* CPUID through the shim equals the instruction. */
static void test_cpuid(void)
{
    uint32_t r[4], raw[4];
    char vendor[13];
    vmi_cpuid(0, 0, r);
    cpuid_raw(0, 0, raw);
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = '\0';
    report(!memcmp(r, raw, sizeof(r)), "CPUID leaf 0: vendor \"%s\" as the raw instruction says", vendor);
    vmi_cpuid(1, 0, r);
    cpuid_raw(1, 0, raw);
    uint32_t hidden = vmi.mode == VMI_MODE_VMI ? CPUID_HIDDEN_BY_HV : 0;
    report(r[0] == raw[0] && r[3] == (raw[3] & ~hidden),
           "CPUID leaf 1: signature %08x, features %08x (the raw ones less VME and SEP "
           "under the hypervisor, spec section 10)", r[0], r[3]);
}

/* RDTSC moves forward. */
static void test_rdtsc(void)
{
    uint64_t a = vmi_rdtsc();
    for (volatile int i = 0; i < 1000; i++)
        ;
    uint64_t b = vmi_rdtsc();
    report(b > a, "RDTSC increases (%llu -> %llu)", a, b);
}

/* Interrupt flag: disable, enable, get, set; the PIC is masked, so safe. */
static void test_interrupts(void)
{
    if (vmi.mode == VMI_MODE_NATIVE && rt_seg.cpl != 0) {
        /* Trap-and-emulate: CLI/STI are emulated on a virtual flag that
         * PUSHF (our native GetInterruptMask) cannot see (spec section 12). */
        report_skip("interrupt-flag round trips: PUSHF cannot observe the virtual IF in ring 1");
        return;
    }
    vmi_disable_interrupts();
    uint32_t off = vmi_get_interrupt_mask();
    report(!(off & VMI_INTERRUPTS_ENABLED), "DisableInterrupts: the mask says off (%08x)", off);
    if (native)
        report(!(read_eflags() & EFLAGS_IF), "DisableInterrupts: EFLAGS.IF is clear");
    vmi_enable_interrupts();
    uint32_t on = vmi_get_interrupt_mask();
    report(on & VMI_INTERRUPTS_ENABLED, "EnableInterrupts: the mask says on (%08x)", on);
    if (native)
        report(read_eflags() & EFLAGS_IF, "EnableInterrupts: EFLAGS.IF is set");
    vmi_set_interrupt_mask(off);
    report(!(vmi_get_interrupt_mask() & VMI_INTERRUPTS_ENABLED), "SetInterruptMask(off) disables");
    if (native)
        report(!(read_eflags() & EFLAGS_IF), "SetInterruptMask(off): EFLAGS.IF is clear");
    vmi_set_interrupt_mask(on);
    report(vmi_get_interrupt_mask() & VMI_INTERRUPTS_ENABLED, "SetInterruptMask(on) enables");
    if (native)
        report(read_eflags() & EFLAGS_IF, "SetInterruptMask(on): EFLAGS.IF is set");
    vmi_disable_interrupts();
}

/* GetGDT reads back the runtime's GDT; SetGDT moves to a copy and back. */
static void test_gdt(void)
{
    struct vmi_dtr d, raw, mine = { sizeof(rt_gdt) - 1, (uint32_t)rt_gdt };
    vmi_get_gdt(&d);
    report(dtr_equal(&d, &mine), "GetGDT: base %08x limit %04x is the runtime's", d.base, d.limit);
    if (native) {
        sgdt(&raw);
        report(dtr_equal(&raw, &mine), "SGDT agrees");
    }
    memcpy(gdt2, rt_gdt, sizeof(gdt2));
    struct vmi_dtr other = { sizeof(gdt2) - 1, (uint32_t)gdt2 };
    vmi_set_gdt(&other);
    vmi_get_gdt(&d);
    report(dtr_equal(&d, &other), "SetGDT to a copy at %08x: GetGDT reads it back", other.base);
    report(read_through(rt_seg.kernel_ds, (uint32_t)&mark_a) == MARK_A,
           "segments load from the copy");
    vmi_set_gdt(&mine);
    vmi_get_gdt(&d);
    report(dtr_equal(&d, &mine), "SetGDT back to the runtime's table");
}

/* WriteGDTEntry: the descriptor lands in the table and FS can use it. */
static void test_gdt_entry(void)
{
    struct seg_desc s = data_seg(&mark_a, sizeof(mark_a) - 1);
    vmi_write_gdt_entry(rt_gdt, SLOT_DATA, desc_lo(&s), desc_hi(&s));
    report(!memcmp(&rt_gdt[SLOT_DATA], &s, sizeof(s)),
           "WriteGDTEntry: slot %u holds %08x %08x", SLOT_DATA, desc_lo(&s), desc_hi(&s));
    uint16_t sel = SEL(SLOT_DATA, 0, rt_seg.cpl);
    uint32_t v = read_through(sel, 0);
    report(v == MARK_A, "FS = %04x reads %08x at its base (want %08x)", sel, v, MARK_A);
    /* No limit check here: QEMU's TCG does not enforce data segment limits. */
}

/* WriteLDTEntry + SetLDT: a segment from the LDT works, GetLDT agrees. */
static void test_ldt(void)
{
    uint8_t ldt_access = (uint8_t)(DESC_P | (rt_seg.cpl << DESC_DPL_SHIFT) | DESC_SYS_LDT);
    struct seg_desc ld = desc_make((uint32_t)ldt_table, sizeof(ldt_table) - 1, ldt_access, 0);
    struct seg_desc s = data_seg(&mark_b, sizeof(mark_b) - 1);
    uint16_t ldt_sel = SEL(SLOT_LDT, 0, rt_seg.cpl);
    uint16_t sel = SEL(TEST_LDT_SLOT, SEL_TI_LDT, rt_seg.cpl);

    memset(ldt_table, 0, sizeof(ldt_table));
    vmi_write_ldt_entry(ldt_table, TEST_LDT_SLOT, desc_lo(&s), desc_hi(&s));
    report(!memcmp(&ldt_table[TEST_LDT_SLOT], &s, sizeof(s)), "WriteLDTEntry: the entry is in the LDT");
    vmi_write_gdt_entry(rt_gdt, SLOT_LDT, desc_lo(&ld), desc_hi(&ld));
    vmi_set_ldt(ldt_sel);
    report(vmi_get_ldt() == ldt_sel, "SetLDT(%04x): GetLDT reads %04x", ldt_sel, vmi_get_ldt());
    if (native)
        report(sldt() == ldt_sel, "SLDT agrees");
    uint32_t v = read_through(sel, 0);
    report(v == MARK_B, "FS = %04x (LDT) reads %08x (want %08x)", sel, v, MARK_B);
    vmi_set_ldt(0);
    report(vmi_get_ldt() == 0, "SetLDT(0): no LDT");
    int fault = try_call(load_fs, &sel);
    report(fault == T_GP, "with no LDT, loading an LDT selector raises #GP (got %d)", fault);
}

/* GetIDT, WriteIDTEntry (a new gate takes traps), SetIDT to a copy. */
static void test_idt(void)
{
    struct vmi_dtr d, mine = { sizeof(rt_idt) - 1, (uint32_t)rt_idt };
    vmi_get_idt(&d);
    report(dtr_equal(&d, &mine), "GetIDT: base %08x limit %04x is the runtime's", d.base, d.limit);
    /* An all-zero slot is no valid gate type: #GP naming the IDT slot. */
    int v = TRY_ASM("int $" RT_STR(TEST_VECTOR));
    uint32_t err = TEST_VECTOR * sizeof(struct gate_desc) | IDT_ERR_IDT;
    report(v == T_GP && rt_last_fault.error == err,
           "int 0x%x through an empty slot raises #GP, error %04x (got %d, %04x)",
           TEST_VECTOR, err, v, rt_last_fault.error);
    struct gate_desc g = rt_idt[T_BP];       /* the runtime's #BP stub */
    vmi_write_idt_entry(rt_idt, TEST_VECTOR, desc_lo(&g), desc_hi(&g));
    report(!memcmp(&rt_idt[TEST_VECTOR], &g, sizeof(g)), "WriteIDTEntry: the gate is in the IDT");
    v = TRY_ASM("int $" RT_STR(TEST_VECTOR));
    report(v == T_BP, "int 0x%x now reaches the #BP handler it names (got %d)", TEST_VECTOR, v);
    vmi_write_idt_entry(rt_idt, TEST_VECTOR, 0, 0);

    memcpy(idt2, rt_idt, sizeof(idt2));
    struct vmi_dtr other = { sizeof(idt2) - 1, (uint32_t)idt2 };
    vmi_set_idt(&other);
    vmi_get_idt(&d);
    report(dtr_equal(&d, &other), "SetIDT to a copy: GetIDT reads %08x", d.base);
    report(TRY_ASM("ud2") == T_UD, "traps still arrive through the copy");
    vmi_set_idt(&mine);
}

/* GetTR, SetTR to a second TSS and back; LTR marks a TSS busy natively. */
static void test_tr(void)
{
    report(vmi_get_tr() == rt_seg.tss, "GetTR: %04x is the runtime's TSS", vmi_get_tr());
    if (native)
        report(str() == rt_seg.tss, "STR agrees");
    uint8_t access = (uint8_t)(DESC_P | (rt_seg.cpl << DESC_DPL_SHIFT) | DESC_SYS_TSS32);
    struct seg_desc t = desc_make((uint32_t)&tss2, sizeof(tss2) - 1, access, 0);
    uint16_t sel = SEL(SLOT_TSS2, 0, rt_seg.cpl);
    memset(&tss2, 0, sizeof(tss2));
    tss2.iomap_base = sizeof(tss2);            /* no I/O bitmap */
    vmi_write_gdt_entry(rt_gdt, SLOT_TSS2, desc_lo(&t), desc_hi(&t));
    vmi_set_tr(sel);
    report(vmi_get_tr() == sel, "SetTR(%04x): GetTR reads %04x", sel, vmi_get_tr());
    if (native)
        report(rt_gdt[SLOT_TSS2].access & DESC_SYS_TSS_BUSY, "LTR marked the new TSS busy");
    /* The old TSS is still marked busy: make it available, then go back. */
    struct seg_desc old = rt_gdt[RT_GDT_TSS];
    old.access &= (uint8_t)~DESC_SYS_TSS_BUSY;
    vmi_write_gdt_entry(rt_gdt, RT_GDT_TSS, desc_lo(&old), desc_hi(&old));
    vmi_set_tr(rt_seg.tss);
    report(vmi_get_tr() == rt_seg.tss, "SetTR back to the runtime's TSS");
}

/* UpdateKernelStack: natively, the TSS's ring-0 stack is what we said. */
static void test_kernel_stack(void)
{
    uint32_t esp0 = rt_tss.tss.esp0;
    uint32_t probe = esp0 - PAGE_SIZE;
    vmi_update_kernel_stack(rt_seg.kernel_ds, probe);
    if (native)
        report(rt_tss.tss.esp0 == probe && rt_tss.tss.ss0 == rt_seg.kernel_ds,
               "UpdateKernelStack: the TSS now says %04x:%08x", rt_tss.tss.ss0, rt_tss.tss.esp0);
    vmi_update_kernel_stack(rt_seg.kernel_ds, esp0);
}

/* CR0: TS set through SetCR0 makes the FPU trap; CLTS clears it. */
static void test_cr0(void)
{
    uint32_t cr0 = vmi_get_cr0();
    report(cr0 & CR0_PE, "GetCR0: %08x, protected mode", cr0);
    if (native)
        report(cr0 == read_cr0(), "MOV from CR0 agrees");
    vmi_set_cr0(cr0 | CR0_TS);
    report(vmi_get_cr0() & CR0_TS, "SetCR0: TS is set");
    if (native)
        report(read_cr0() & CR0_TS, "the CPU's CR0.TS is set");
    report(TRY_ASM("fnop") == T_NM, "with TS set, fnop raises #NM");
    vmi_clts();
    report(!(vmi_get_cr0() & CR0_TS), "CLTS: TS is clear");
    report(TRY_ASM("fnop") == RT_NO_FAULT, "after CLTS, fnop runs");
    vmi_set_cr0(cr0);
}

/* CR2, CR3 and CR4 read back what was written. */
static void test_cr234(void)
{
    const uint32_t cr2 = 0x12345678u;
    vmi_set_cr2(cr2);
    report(vmi_get_cr2() == cr2, "SetCR2/GetCR2: %08x", vmi_get_cr2());
    if (native)
        report(read_cr2() == cr2, "MOV from CR2 agrees");

    uint32_t cr3 = vmi_get_cr3();
    if (!(vmi_get_cr0() & CR0_PG)) {           /* paging off: CR3 is inert */
        vmi_set_cr3((uint32_t)fake_pd);
        report(vmi_get_cr3() == (uint32_t)fake_pd, "SetCR3/GetCR3: %08x", vmi_get_cr3());
        vmi_set_cr3(cr3);
    } else {
        report_skip("SetCR3 with paging on (the CR3 test needs paging off)");
    }

    uint32_t cr4 = vmi_get_cr4();
    vmi_set_cr4(cr4 ^ CR4_DE);
    report(vmi_get_cr4() == (cr4 ^ CR4_DE), "SetCR4/GetCR4: toggling DE gives %08x", vmi_get_cr4());
    if (native)
        report(read_cr4() == (cr4 ^ CR4_DE), "MOV from CR4 agrees");
    vmi_set_cr4(cr4);
    report(vmi_get_cr4() == cr4, "CR4 restored to %08x", cr4);
}

/* DR0-DR3 hold breakpoint addresses; without DR7 they are inert. */
static void test_dr(void)
{
    for (unsigned n = 0; n < DR_COUNT; n++) {
        uint32_t v = 0x1000u * (n + 1) + n;
        vmi_set_dr(n, v);
        uint32_t got = vmi_get_dr(n);
        report(got == v, "SetDR/GetDR DR%u: %08x", n, got);
        if (native)
            report(read_dr(n) == v, "MOV from DR%u agrees", n);
        vmi_set_dr(n, 0);
    }
}

/* Port I/O: the UART's scratch register keeps what we write. */
static void test_ports(void)
{
    vmi_outb(SERIAL_SCRATCH, PATTERN);
    report(vmi_inb(SERIAL_SCRATCH) == PATTERN, "OUTB/INB: scratch register 0x%x holds %02x",
           SERIAL_SCRATCH, PATTERN);
    vmi_outb(SERIAL_SCRATCH, (uint8_t)~PATTERN);
    report(vmi_inb(SERIAL_SCRATCH) == (uint8_t)~PATTERN, "... and then %02x", (uint8_t)~PATTERN);
    vmi_io_delay();
    report(1, "IODelay returns");
    vmi_wbinvd();
    report(1, "WBINVD returns");
}

/* RDMSR/WRMSR on SYSENTER_ESP. */
static void test_msr(void)
{
    const uint64_t v = 0x00000000CAFEF000ull;
    uint64_t old = vmi_rdmsr(MSR_SYSENTER_ESP);
    vmi_wrmsr(MSR_SYSENTER_ESP, v);
    uint64_t got = vmi_rdmsr(MSR_SYSENTER_ESP);
    report(got == v, "WRMSR/RDMSR 0x%x: %llx", MSR_SYSENTER_ESP, got);
    if (native)
        report(rdmsr_raw(MSR_SYSENTER_ESP) == v, "RDMSR agrees");
    vmi_wrmsr(MSR_SYSENTER_ESP, old);
    report(vmi_rdmsr(MSR_SYSENTER_ESP) == old, "MSR restored to %llx", old);
}

/* Entry from the runtime. */
void guest_main(const char *cmdline)
{
    (void)cmdline;
    native = vmi.mode == VMI_MODE_NATIVE && rt_seg.cpl == 0;
    printf("ops: checking against raw instructions: %s\n", native ? "yes" : "no (not ring 0 native)");
    test_try();
    test_cpuid();
    test_rdtsc();
    test_interrupts();
    test_gdt();
    test_gdt_entry();
    test_ldt();
    test_idt();
    test_tr();
    test_kernel_stack();
    test_cr0();
    test_cr234();
    test_dr();
    test_ports();
    test_msr();
}
