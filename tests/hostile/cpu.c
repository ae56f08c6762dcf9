/*
 * cpu.c - MSRs, control and debug registers with wild values and
 * reserved bits, and Halt with alarms that can never (or can at once)
 * wake it.
 *
 * MSRs: the hypervisor serves an allow-list (spec section 10) and any
 * other MSR raises #GP(0) at the call site; a CPU raises #GP(0) for MSRs
 * it lacks.  Control registers: a CPU raises #GP(0) for CR0.NW without
 * CR0.CD, PG without PE, and reserved CR4 bits (SDM 2.5, MOV CR).
 * CR4.TSD makes RDTSC from ring 3 raise #GP(0).  Halts: the hypervisor
 * ends a Halt that nothing could ever end ("Halt with no interrupt
 * source"): an alarm at TSC 2^64-1 included (issue 8, item 7).
 *
 * Kernel modes: native, hv, hv-novmi (VMI-only calls: hv).
 */
#include "hostile.h"

#define MSR_TSC           0x010u      /* SDM vol. 4, table 2-2 */
#define MSR_APIC_BASE     0x01Bu
#define MSR_SYSENTER_CS   0x174u
#define MSR_EFER          0xC0000080u
#define MSR_NONE          0xFFFFFFFFu /* no CPU has this MSR   */
#define CR0_NW            0x20000000u
#define CR0_CD            0x40000000u
#define CR4_VME           0x00000001u
#define CR4_RESERVED_31   0x80000000u
#define SYSENTER_CS_WILD  0xFFF8u
#define DR7_L0_WRITE      0x00010001u /* L0, R/W0 = 01: data writes */
#define DR_NONE           99u         /* no debug register       */
#define WILD              0xFFFFFFFFu
#define ALARM_NEVER       0xFFFFFFFFFFFFFFFFull
#define ALARM_FAR         0x8000000000000000ull
#define ALARM_SOON        100000u     /* TSC cycles              */
#define MAX_HALTS         100u
#define IRQ_TIMER         0u

/* try_call bodies with the argument an MSR number. */
static void rd(void *arg) { (void)vmi_rdmsr(*(uint32_t *)arg); }
static void wr(void *arg) { vmi_wrmsr(*(uint32_t *)arg, 0); }

/* RDMSR or WRMSR (of 0) of msr; judge it. */
static void msr_case(uint32_t msr, int write)
{
    int v = try_call(write ? wr : rd, &msr);
    printf("hostile: %s %x\n", write ? "WRMSR" : "RDMSR", msr);
    hostile_judge(v, write ? "WRMSR" : "RDMSR");
}

static void rd_apic(void) { msr_case(MSR_APIC_BASE, 0); }
static void rd_efer(void) { msr_case(MSR_EFER, 0); }
static void rd_none(void) { msr_case(MSR_NONE, 0); }
static void wr_none(void) { msr_case(MSR_NONE, 1); }
static void wr_tsc(void) { msr_case(MSR_TSC, 1); }

/* msr-sysenter-cs-wild: a wild SYSENTER_CS is only a value. */
static void sysenter_cs_wild(void)
{
    vmi_wrmsr(MSR_SYSENTER_CS, WILD);
    hostile_judge(RT_NO_FAULT, "WRMSR SYSENTER_CS FFFFFFFFh");
    vmi_wrmsr(MSR_SYSENTER_CS, 0);
}

/* Ring 3: SYSENTER (SYSENTER_CS 0: #GP(0), SDM SYSENTER). */
static void user_sysenter(void *arg)
{
    (void)arg;
    __asm__ volatile("sysenter" ::: "memory");
}

static void sysenter_cs0(void)
{
    vmi_wrmsr(MSR_SYSENTER_CS, 0);
    hostile_judge(rt_user_call(user_sysenter, NULL), "SYSENTER from ring 3 with SYSENTER_CS 0");
}

/* msr-sysexit-wild: SYSEXIT with SYSENTER_CS FFF8h (selectors past the GDT). */
static void sysexit_wild(void)
{
    static uint8_t stack[64] __attribute__((aligned(16)));
    vmi_wrmsr(MSR_SYSENTER_CS, SYSENTER_CS_WILD);
    __asm__ volatile("jmp *%2" :: "d"(hostile_landing), "c"(stack + sizeof(stack)),
                     "m"(VMI_ENTRY(SYSEXIT)) : "memory");
}

/* try_call bodies: SetCR0 / SetCR4 of *(uint32_t *)arg. */
static void set_cr0(void *arg) { vmi_set_cr0(*(uint32_t *)arg); }
static void set_cr4(void *arg) { vmi_set_cr4(*(uint32_t *)arg); }

static void cr0_nw(void)
{
    uint32_t v = (vmi_get_cr0() | CR0_NW) & ~CR0_CD;
    hostile_judge(try_call(set_cr0, &v), "CR0 with NW and not CD");
}

static void cr0_pg_no_pe(void)
{
    uint32_t v = (vmi_get_cr0() | CR0_PG) & ~CR0_PE;
    hostile_judge(try_call(set_cr0, &v), "CR0 with PG and not PE");
}

static void cr4_reserved(void)
{
    uint32_t v = vmi_get_cr4() | CR4_RESERVED_31;
    hostile_judge(try_call(set_cr4, &v), "CR4 with reserved bit 31");
}

static void cr4_vme(void)
{
    uint32_t v = vmi_get_cr4() | CR4_VME;
    hostile_judge(try_call(set_cr4, &v), "CR4.VME where CPUID offers no VME");
}

/* Ring 3: RDTSC. */
static void user_rdtsc(void *arg)
{
    (void)arg;
    __asm__ volatile("rdtsc" ::: "eax", "edx");
}

static void tsd_user(void)
{
    vmi_set_cr4(vmi_get_cr4() | CR4_TSD);
    hostile_judge(rt_user_call(user_rdtsc, NULL), "RDTSC from ring 3 with CR4.TSD");
}

static void tsd_kernel(void)
{
    vmi_set_cr4(vmi_get_cr4() | CR4_TSD);
    hostile_judge(TRY_ASM("rdtsc"), "RDTSC from the kernel with CR4.TSD");
}

static void cr2_wild(void)
{
    vmi_set_cr2(WILD);
    uint32_t got = vmi_get_cr2();
    report(got == WILD, "CR2 reads back FFFFFFFFh (%x)", got);
    hostile_judge(RT_NO_FAULT, "CR2 FFFFFFFFh");
}

/* dr-hv-breakpoint: a data breakpoint on the hypervisor's image, then
 * exits: never armed in hardware, so no #DB in the hypervisor. */
static void dr_hv(void)
{
    uint32_t r[4];
    vmi_set_dr(0, HOSTILE_HV_IMAGE);
    vmi_set_dr(7, DR7_L0_WRITE);
    vmi_cpuid(0, 0, r);
    (void)vmi_get_cr0();
    vmi_set_dr(7, 0);
    hostile_judge(RT_NO_FAULT, "a breakpoint on the hypervisor's image");
}

static void dr_none(void)
{
    vmi_set_dr(DR_NONE, WILD);
    uint32_t got = vmi_get_dr(DR_NONE);
    report(got == 0, "debug register 99 reads 0 (%x)", got);
    hostile_judge(RT_NO_FAULT, "SetDR/GetDR 99");
}

/* ---- Halt and the alarm (IRQ 0) ---- */

/* Unmask IRQ 0 only. */
static void timer_line(void)
{
    rules_pic_mask((uint8_t)(RULES_PIC_ALL & ~(1u << IRQ_TIMER)));
}

/* Halt: reached again only when something woke it. */
static void halt_once(void)
{
    vmi_halt();
    vmi_disable_interrupts();
}

static void alarm_never(void)
{
    timer_line();
    vmi_set_alarm(VMI_ALARM_ONESHOT | VMI_CYCLES_REAL, ALARM_NEVER, 0);
    halt_once();
}

static void alarm_far(void)
{
    timer_line();
    vmi_set_alarm(VMI_ALARM_ONESHOT | VMI_CYCLES_REAL, vmi_rdtsc() + ALARM_FAR, 0);
    halt_once();
}

/* A periodic alarm whose period never ends: one wake-up, then none. */
static void alarm_period_never(void)
{
    timer_line();
    vmi_set_alarm(VMI_ALARM_PERIODIC | VMI_CYCLES_REAL, vmi_rdtsc() + ALARM_SOON, ALARM_NEVER);
    uint32_t start = rt_irq_count[IRQ_TIMER];
    for (uint32_t i = 0; i < MAX_HALTS && rt_irq_count[IRQ_TIMER] == start; i++)
        halt_once();
    report(rt_irq_count[IRQ_TIMER] != start, "the first period woke Halt");
    halt_once();
}

/* The stolen-time counter never advances (spec section 10). */
static void alarm_stolen(void)
{
    timer_line();
    vmi_set_alarm(VMI_ALARM_ONESHOT | VMI_CYCLES_STOLEN, 1, 0);
    halt_once();
}

/* An alarm already past fires at once: Halt returns. */
static void alarm_past(void)
{
    timer_line();
    vmi_set_alarm(VMI_ALARM_ONESHOT | VMI_CYCLES_REAL, 1, 0);
    halt_once();
    report(rt_irq_count[IRQ_TIMER] >= 1, "the alarm in the past fired (%u)",
           rt_irq_count[IRQ_TIMER]);
    hostile_judge(RT_NO_FAULT, "Halt with an alarm in the past");
}

static void cancel_wild(void)
{
    vmi_cancel_alarm(WILD);
    hostile_judge(RT_NO_FAULT, "CancelAlarm(FFFFFFFFh)");
}

/* halt-cli-hlt: CLI; HLT with nothing armed: a CPU would sleep forever. */
static void cli_hlt(void)
{
    __asm__ volatile("cli\n\thlt" ::: "memory");
}

static const struct hostile_case cpu_cases[] = {
    { "msr-rd-apic-base", rd_apic },
    { "msr-rd-efer", rd_efer },
    { "msr-rd-none", rd_none },
    { "msr-wr-none", wr_none },
    { "msr-wr-tsc", wr_tsc },
    { "msr-sysenter-cs-wild", sysenter_cs_wild },
    { "msr-sysenter-cs0-user", sysenter_cs0 },
    { "msr-sysexit-wild", sysexit_wild },
    { "cr0-nw-no-cd", cr0_nw },
    { "cr0-pg-no-pe", cr0_pg_no_pe },
    { "cr4-reserved", cr4_reserved },
    { "cr4-vme", cr4_vme },
    { "cr4-tsd-user", tsd_user },
    { "cr4-tsd-kernel", tsd_kernel },
    { "cr2-wild", cr2_wild },
    { "dr-hv-breakpoint", dr_hv },
    { "dr-none", dr_none },
    { "halt-alarm-never", alarm_never },
    { "halt-alarm-far", alarm_far },
    { "halt-alarm-period-never", alarm_period_never },
    { "halt-alarm-stolen", alarm_stolen },
    { "halt-alarm-past", alarm_past },
    { "halt-cancel-wild", cancel_wild },
    { "halt-cli-hlt", cli_hlt },
};

void guest_main(const char *cmdline)
{
    (void)cmdline;
    hostile_main(cpu_cases, HOSTILE_COUNT(cpu_cases));
}
