/*
 * calls.c - guest test kernel: the VMI calls tests/guest/ops.c leaves out,
 * through the shim's wrappers, checked against the hardware.
 *
 * Natively (ring 0) each call runs its stub in guest/native.asm; under a
 * hypervisor the same checks hold for the ROM entries.  Covers: RDPMC,
 * string port I/O, SetIOPLMask, DR6/DR7 and the register numbers that do
 * not exist, paging (SetPxE, InvalPage, FlushTLB, with paging really on),
 * SetPxELong, the notification-only MMU calls, the local APIC, the timer
 * and wall clock calls, SetLazyMode and Halt.  Runs on guest/rt.
 *
 * Checks against raw instructions or devices the hypervisor need not
 * provide (PCI, the local APIC) run only natively in ring 0.
 */
#include <stdint.h>
#include "hyperrom.h"
#include "vmi.h"
#include "rt.h"

#define PAGE_SIZE      4096u
#define PT_ENTRIES     1024u
#define PTE_P          0x001u     /* present                               */
#define PTE_W          0x002u     /* writable                              */
#define PTE_G          0x100u     /* global (with CR4.PGE)                 */
#define CR4_PGE        0x080u
#define PD_SHIFT       22         /* linear address bits 31..22: PD index  */
#define PT_SHIFT       12
#define TEST_LINEAR    0x00400000u /* first page of the second 4 MiB       */
#define MAGIC_A        0xA5A5A5A5u
#define MAGIC_B        0x5A5A5A5Au
#define CPUID_FEATURES 1u
#define CPUID_EDX_PGE  (1u << 13)
#define CPUID_EDX_APIC (1u << 9)
#define LAPIC_BASE     0xFEE00000u /* where the native stub expects it     */
#define LAPIC_VERSION  0x30u       /* register offsets (Intel SDM 10.4.1)  */
#define LAPIC_TPR      0x80u
#define TPR_TEST       0x20u
#define PCI_CONFIG_ADDR 0xCF8u     /* PCI configuration mechanism #1       */
#define MIN_TSC_HZ     1000000ull  /* any real TSC runs faster than 1 MHz  */
#define WALLCLOCK_2020_NS 1577836800000000000ull /* 2020-01-01 in ns       */
#define PIT_CMD        0x43u       /* 8254: command, channel 0 data        */
#define PIT_CH0        0x40u
#define PIT_CH0_RATE   0x34u       /* channel 0, lo/hi byte, rate generator */
#define PIT_1MS        1193u       /* 1.193182 MHz / 1000                  */
#define PCI_CONFIG_DATA 0xCFCu
#define PCI_ENABLE     0x80000000u
#define COM1_SCRATCH   0x3FFu      /* 8250 scratch register: holds a byte  */
#define POST_PORT      0x80u
#define PIC1_DATA      0x21u       /* master 8259 interrupt mask           */
#define IRQ_TIMER      0u
#define DR7_FIXED      0x400u      /* DR7 bit 10 always reads 1            */
#define DR7_GE         0x200u      /* a bit that arms no breakpoint        */
#define NOT_A_DR       5u

/* 1 when raw instructions and the real devices show the truth. */
static int raw;

/* Page tables for the paging test: identity for 0-4 MiB, one test page. */
static uint32_t pd[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint32_t pt_low[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint32_t pt_test[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static volatile uint32_t frame_a[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static volatile uint32_t frame_b[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));

/* CPUID leaf 1 EDX feature bits. */
static uint32_t features(void)
{
    uint32_t r[4];

    vmi_cpuid(CPUID_FEATURES, 0, r);
    return r[3];
}

/* For try_call: RDPMC counter 0 through the shim. */
static void call_rdpmc(void *arg)
{
    *(uint64_t *)arg = vmi_rdpmc(0);
}

/* RDPMC through the shim faults, or not, exactly as the instruction does. */
static void test_rdpmc(void)
{
    uint64_t v;
    int native, shim;

    if (!raw) {
        report_skip("RDPMC: compared with the instruction natively only");
        return;
    }
    native = TRY_ASM("xorl %%ecx, %%ecx; rdpmc");
    shim = try_call(call_rdpmc, &v);

    report(native == shim, "RDPMC behaves as the instruction (vector %d, native %d)",
           shim, native);
}

/* String I/O: rep ins/outs on ports that remember what was written. */
static void test_string_io(void)
{
    uint8_t out8[3] = { 0x11, 0x22, 0x33 }, in8[4] = { 0 };
    uint32_t out32[2] = { PCI_ENABLE, PCI_ENABLE | 0x8 }, in32[2] = { 0 };
    uint16_t in16[2] = { 0 }, out16[2] = { 0 };
    uint32_t id;

    vmi_outsb(COM1_SCRATCH, out8, 3);
    vmi_insb(COM1_SCRATCH, in8, 4);
    report(in8[0] == 0x33 && in8[3] == 0x33, "OUTSB/INSB: the scratch register "
           "holds the last byte written (%02x %02x)", in8[0], in8[3]);
    vmi_outsw(POST_PORT, out16, 2);
    report(1, "OUTSW returns");
    if (!raw) {
        report_skip("OUTSL/INSL/INSW: PCI configuration ports natively only");
        return;
    }
    vmi_outsl(PCI_CONFIG_ADDR, out32, 2);
    report(vmi_inl(PCI_CONFIG_ADDR) == out32[1], "OUTSL: the PCI address register "
           "holds the last dword (%08x)", vmi_inl(PCI_CONFIG_ADDR));
    vmi_outl(PCI_CONFIG_ADDR, PCI_ENABLE);        /* 00:00.0, vendor/device */
    id = vmi_inl(PCI_CONFIG_DATA);
    vmi_insl(PCI_CONFIG_DATA, in32, 2);
    vmi_insw(PCI_CONFIG_DATA, in16, 2);
    report(in32[0] == id && in32[1] == id && in16[1] == (uint16_t)id,
           "INSL/INSW: read the host bridge's id twice (%08x)", id);
}

/* SetIOPLMask sets EFLAGS.IOPL and nothing else. */
static void test_iopl(void)
{
    uint32_t before = vmi_get_interrupt_mask(), during, after;

    if (!raw) {    /* under a hypervisor the mask image holds only IF */
        report_skip("SetIOPLMask: EFLAGS.IOPL visible natively only");
        return;
    }
    vmi_set_iopl_mask(EFLAGS_IOPL);
    during = vmi_get_interrupt_mask();
    vmi_set_iopl_mask(before & EFLAGS_IOPL);
    after = vmi_get_interrupt_mask();
    report((during & EFLAGS_IOPL) == EFLAGS_IOPL &&
           (during & EFLAGS_IF) == (before & EFLAGS_IF),
           "SetIOPLMask(0x3000): IOPL 3, IF kept (%08x)", during);
    report((after & (EFLAGS_IOPL | EFLAGS_IF)) == (before & (EFLAGS_IOPL | EFLAGS_IF)),
           "SetIOPLMask: IOPL and IF back as they were (%08x, was %08x)", after, before);
}

/* DR7 and DR6 round-trip; numbers that name no register are harmless. */
static void test_debug_regs(void)
{
    uint32_t dr7, dr6;

    if (!raw) {
        report_skip("DR6/DR7: compared with MOV natively only");
        return;
    }
    vmi_set_dr(7, DR7_FIXED | DR7_GE);
    __asm__ volatile("mov %%dr7, %0" : "=r"(dr7));
    report(vmi_get_dr(7) == dr7 && (dr7 & DR7_GE), "SetDR/GetDR DR7: %08x", dr7);
    vmi_set_dr(7, DR7_FIXED);
    __asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
    report(vmi_get_dr(6) == dr6, "GetDR DR6 agrees with MOV (%08x)", dr6);
    vmi_set_dr(NOT_A_DR, MAGIC_A);
    report(vmi_get_dr(NOT_A_DR) == 0, "GetDR(5) returns 0, SetDR(5) is ignored");
}

/* The frame number of a page-aligned kernel object (identity mapped). */
static uint32_t pfn(const volatile void *p)
{
    return (uint32_t)p >> PT_SHIFT;
}

/* Turn on paging with the identity map plus the test page -> frame_a,
 * the way a VMI kernel must: declare the (zeroed) page-table pages, fill
 * them through SetPxE, then load CR3 and set CR0.PG. */
static void paging_on(void)
{
    uint32_t i;

    frame_a[0] = MAGIC_A;
    frame_b[0] = MAGIC_B;
    vmi_allocate_page(pfn(pd), VMI_PAGE_PD | VMI_PAGE_ZEROED, 0, 0, 0);
    vmi_allocate_page(pfn(pt_low), VMI_PAGE_PT | VMI_PAGE_ZEROED, 0, 0, 0);
    vmi_allocate_page(pfn(pt_test), VMI_PAGE_PT | VMI_PAGE_ZEROED, 0, 0, 0);
    for (i = 0; i < PT_ENTRIES; i++)
        vmi_set_pxe((i << PT_SHIFT) | PTE_P | PTE_W, &pt_low[i], VMI_PAGE_PT);
    vmi_set_pxe((uint32_t)frame_a | PTE_P | PTE_W, &pt_test[0], VMI_PAGE_PT);
    vmi_set_pxe((uint32_t)pt_low | PTE_P | PTE_W, &pd[0], VMI_PAGE_PD);
    vmi_set_pxe((uint32_t)pt_test | PTE_P | PTE_W, &pd[TEST_LINEAR >> PD_SHIFT],
                VMI_PAGE_PD);
    vmi_set_cr3((uint32_t)pd);
    vmi_set_cr0(vmi_get_cr0() | CR0_PG);
}

/* Turn paging off and hand the page-table pages back. */
static void paging_off(void)
{
    vmi_set_cr0(vmi_get_cr0() & ~CR0_PG);
    vmi_release_page(pfn(pt_test), VMI_PAGE_PT);
    vmi_release_page(pfn(pt_low), VMI_PAGE_PT);
    vmi_release_page(pfn(pd), VMI_PAGE_PD);
}

/* Read the test page through its linear address. */
static uint32_t test_word(void)
{
    return *(volatile uint32_t *)TEST_LINEAR;
}

/* SetPxE, InvalPage and FlushTLB change what a linear address reaches. */
static void test_paging(void)
{
    uint32_t *pte = &pt_test[0];
    uint32_t cr4 = vmi_get_cr4();
    int pge = (features() & CPUID_EDX_PGE) != 0;

    if (pge)
        vmi_set_cr4(cr4 | CR4_PGE);
    paging_on();
    report(test_word() == MAGIC_A, "paging on: the test page shows frame A");
    vmi_set_pxe((uint32_t)frame_b | PTE_P | PTE_W, pte, VMI_PAGE_PT);
    report(*pte == ((uint32_t)frame_b | PTE_P | PTE_W), "SetPxE stores the entry");
    vmi_inval_page(TEST_LINEAR);
    report(test_word() == MAGIC_B, "SetPxE + InvalPage: the page shows frame B");
    *pte = (uint32_t)frame_a | PTE_P | PTE_W;
    vmi_update_pxe(pte, VMI_PAGE_PT);
    vmi_flush_tlb(VMI_FLUSH_TLB);
    report(test_word() == MAGIC_A, "write + UpdatePxE + FlushTLB: frame A again");
    vmi_set_pxe((uint32_t)frame_b | PTE_P | PTE_W | (pge ? PTE_G : 0), pte,
                VMI_PAGE_PT | VMI_PAGE_CURRENT_AS | TEST_LINEAR);
    vmi_flush_tlb(VMI_FLUSH_TLB | VMI_FLUSH_GLOBAL);
    report(test_word() == MAGIC_B, "global entry + FlushTLB(GLOBAL): frame B");
    report(vmi_get_cr4() == (pge ? (cr4 | CR4_PGE) : cr4),
           "FlushTLB(GLOBAL) leaves CR4 as it was (%08x)", vmi_get_cr4());
    paging_off();
    vmi_set_cr4(cr4);
    report(!(vmi_get_cr0() & CR0_PG), "paging off again");
}

/* The MMU calls that only inform a hypervisor, and SetPxELong. */
static void test_mmu_notes(void)
{
    static uint64_t pae_entry;
    uint32_t frame = (uint32_t)frame_a >> PT_SHIFT;

    frame_a[0] = MAGIC_A;                   /* test_paging may not have run */
    vmi_set_pxe_long(0x123456789ABCD067ull, &pae_entry, VMI_PAGE_PT);
    report(pae_entry == 0x123456789ABCD067ull, "SetPxELong stores all 64 bits");
    vmi_update_pxe_long(&pae_entry, VMI_PAGE_PT);
    report(vmi_machine_to_physical(frame) == frame &&
           vmi_physical_to_machine(frame) == frame,
           "MachineToPhysical/PhysicalToMachine: identity natively");
    vmi_set_linear_mapping(0, 0, PT_ENTRIES, 0);
    vmi_set_lazy_mode(VMI_LAZY_MMU);
    vmi_set_lazy_mode(VMI_LAZY_NONE);
    report(frame_a[0] == MAGIC_A, "SetLinearMapping and SetLazyMode return "
           "and touch nothing");
}

/* The local APIC through APICRead/APICWrite, where there is one. */
static void test_apic(void)
{
    volatile uint32_t *lapic = (volatile uint32_t *)LAPIC_BASE;
    uint32_t tpr;

    if (!raw || !(features() & CPUID_EDX_APIC)) {
        report_skip("APIC: compared with the MMIO page natively only");
        return;
    }
    report(vmi_apic_read(LAPIC_VERSION) == lapic[LAPIC_VERSION / 4],
           "APICRead(version) agrees with the MMIO page (%08x)",
           vmi_apic_read(LAPIC_VERSION));
    tpr = vmi_apic_read(LAPIC_TPR);
    vmi_apic_write(LAPIC_TPR, TPR_TEST);
    report(lapic[LAPIC_TPR / 4] == TPR_TEST, "APICWrite(TPR) reaches the APIC");
    vmi_apic_write(LAPIC_TPR, tpr);
    vmi_set_initial_ap_state(0, 0);
    report(1, "SetInitialAPState returns");
}

/* Timer and wall clock: what "no paravirtual clock" looks like natively. */
static void test_time(void)
{
    uint64_t t0 = vmi_rdtsc();
    uint64_t c = vmi_get_cycle_counter(VMI_CYCLES_REAL);
    uint64_t t1 = vmi_rdtsc();

    if (vmi.mode != VMI_MODE_NATIVE) {
        report(vmi_get_cycle_frequency() > MIN_TSC_HZ, "GetCycleFrequency: %u MHz, measured",
               (uint32_t)(vmi_get_cycle_frequency() >> 20));
        report(t0 <= c && c <= t1, "GetCycleCounter(REAL) is the TSC");
        report(vmi_get_cycle_counter(VMI_CYCLES_STOLEN) == 0, "no cycles stolen (one guest)");
        report(vmi_get_wallclock_time() > WALLCLOCK_2020_NS, "wall clock: after 2020 (from the RTC)");
        report(vmi_wallclock_updated() == 0, "wall clock never updated");
        return;
    }
    report(vmi_get_cycle_frequency() == 0, "GetCycleFrequency: 0, unknown");
    report(t0 <= c && c <= t1, "GetCycleCounter(REAL) is the TSC");
    report(vmi_get_cycle_counter(VMI_CYCLES_STOLEN) == 0, "no cycles stolen");
    vmi_set_alarm(VMI_ALARM_ONESHOT | VMI_CYCLES_REAL, c + 1000000, 0);
    vmi_cancel_alarm(VMI_CYCLES_REAL);
    report(vmi_get_wallclock_time() == 0 && vmi_wallclock_updated() == 0,
           "wall clock: 0, unknown, never updated; alarms are no-ops");
}

/* Halt returns when an interrupt arrives (PIT channel 0, programmed here). */
static void test_halt(void)
{
    uint8_t mask = vmi_inb(PIC1_DATA);
    uint32_t before = rt_irq_count[IRQ_TIMER];

    vmi_outb(PIT_CMD, PIT_CH0_RATE);         /* tick every millisecond */
    vmi_outb(PIT_CH0, PIT_1MS & 0xFFu);
    vmi_outb(PIT_CH0, PIT_1MS >> 8);
    vmi_outb(PIC1_DATA, mask & (uint8_t)~(1u << IRQ_TIMER));
    vmi_enable_interrupts();
    vmi_halt();
    vmi_disable_interrupts();
    vmi_outb(PIC1_DATA, mask);
    report(rt_irq_count[IRQ_TIMER] > before, "Halt returns after a timer interrupt");
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    raw = rt_seg.cpl == 0 && vmi.mode == VMI_MODE_NATIVE;
    test_rdpmc();
    test_string_io();
    test_iopl();
    test_debug_regs();
    test_paging();
    test_mmu_notes();
    test_apic();
    test_time();
    test_halt();
}
