/*
 * hc_cpu.c - VMI calls for CPU state: CPUID, MSRs, control and debug
 * registers, counters, the virtual interrupt flag, IRET/SYSEXIT, halt and
 * power.  Ring 0.
 */
#include "hypercall.h"
#include "vdev.h"
#include "cpuval.h"

#define CPUID_HV_LEAF      HR_CPUID_SIGNATURE
#define CPUID_HV_STATS     HR_CPUID_EXITS
#define HV_SIGNATURE_EBX   0x65707948u  /* "Hype" */
#define HV_SIGNATURE_ECX   0x4d4f5272u  /* "rROM" */
#define HV_SIGNATURE_EDX   0x494d5620u  /* " VMI" */
#define PMC_BACKDOOR_REAL  HR_PMC_REAL
#define PMC_BACKDOOR_LAST  HR_PMC_STOLEN
#define DR7_INDEX          7u
#define MSR_IA32_APIC_BASE 0x1Bu           /* SDM vol. 3, 10.4.4 */
#define HALT_HORIZON_S     (365u * 86400u)  /* a wake-up further off: never */

int backdoor_enabled = 1;

/* Copy the state the ROM answers Get calls with into the per-vCPU area
 * (spec section 9); called wherever one of those values changes. */
void vcpu_publish(void)
{
    struct hr_vcpu_area *a = vcpu0.area;
    uint64_t hz = vtimer_tsc_hz();
    a->cr0 = vcpu0.cr0, a->cr2 = vcpu0.cr2, a->cr3 = vcpu0.cr3, a->cr4 = vcpu0.cr4;
    for (uint32_t i = 0; i < HR_DEBUG_REGS; i++)
        a->dr[i] = vcpu0.dr[i];
    a->gdt_limit = vcpu0.gdtr.limit, a->gdt_base = vcpu0.gdtr.base;
    a->idt_limit = vcpu0.idtr.limit, a->idt_base = vcpu0.idtr.base;
    a->ldtr = vcpu0.ldtr, a->tr = vcpu0.tr;
    a->cycle_hz_lo = (uint32_t)hz, a->cycle_hz_hi = (uint32_t)(hz >> 32);
}

/* All exits so far, whatever the reason. */
uint64_t exits_total(void)
{
    uint64_t n = 0;
    for (uint32_t r = 0; r < EXIT_REASONS; r++)
        n += vcpu0.exits[r];
    return n;
}

/* CPUID: the real answer, with the hypervisor bit and our own leaves. */
void hc_CPUID(struct trapframe *tf)
{
    uint32_t r[4];
    if (tf->eax == CPUID_HV_LEAF) {
        r[0] = CPUID_HV_STATS; r[1] = HV_SIGNATURE_EBX;
        r[2] = HV_SIGNATURE_ECX; r[3] = HV_SIGNATURE_EDX;
    } else if (tf->eax == CPUID_HV_STATS) {
        r[0] = (uint32_t)exits_total();          /* this CPUID included */
        r[1] = (uint32_t)vcpu0.exits[EXIT_HYPERCALL];
        r[2] = (uint32_t)vcpu0.exits[EXIT_EXCEPTION];
        r[3] = (uint32_t)vcpu0.exits[EXIT_EMULATE];
    } else {
        cpuid(tf->eax, tf->ecx, r);
    }
    if (tf->eax == CPUID_FEATURES) {
        r[2] |= CPUID_ECX_HV;
        r[3] &= ~CPUID_EDX_HIDDEN;
    }
    tf->eax = r[0]; tf->ebx = r[1]; tf->ecx = r[2]; tf->edx = r[3];
}

/* RDMSR/WRMSR: only the allow-list; anything else is a #GP, as natively
 * for an MSR the CPU does not have. */
/* IA32_APIC_BASE: the local APIC, which this hypervisor does not model;
 * a guest that reaches for it (Linux built with a local APIC does, first
 * of all) ends by name rather than meeting a #GP no CPU would raise. */
static void no_local_apic(struct trapframe *tf)
{
    if (tf->ecx == MSR_IA32_APIC_BASE)
        guest_terminate(tf, "no virtual local APIC", "the guest accesses IA32_APIC_BASE "
                        "(MSR 1Bh); this hypervisor has no local APIC (spec section 10)");
}

void hc_RDMSR(struct trapframe *tf)
{
    no_local_apic(tf);
    struct msr_sysenter s = { vcpu0.sysenter_cs, vcpu0.sysenter_esp, vcpu0.sysenter_eip };
    uint64_t v;
    if (!msr_guest_read(tf->ecx, rdtsc(), &s, &v))
        hc_fault(tf, T_GP, 0);
    tf->eax = (uint32_t)v;
    tf->edx = (uint32_t)(v >> 32);
}

void hc_WRMSR(struct trapframe *tf)
{
    no_local_apic(tf);
    struct msr_sysenter s = { vcpu0.sysenter_cs, vcpu0.sysenter_esp, vcpu0.sysenter_eip };
    if (!msr_guest_write(tf->ecx, (uint64_t)tf->edx << 32 | tf->eax, &s))
        hc_fault(tf, T_GP, 0);
    vcpu0.sysenter_cs = s.cs, vcpu0.sysenter_esp = s.esp, vcpu0.sysenter_eip = s.eip;
}

/* SetCR0: the guest controls paging and the FPU and alignment bits; PE
 * stays on.  TS reaches the real CR0 so that #NM reaches the guest. */
void hc_SetCR0(struct trapframe *tf)
{
    uint32_t v = tf->eax, old = vcpu0.cr0;
    if (!cr0_guest_ok(v))
        hc_fault(tf, T_GP, 0);
    vcpu0.cr0 = v;
    if ((old ^ v) & CR0_PG)
        mmu_reset();                     /* shadow tables on, or identity */
    uint32_t real = read_cr0();
    real = (v & CR0_TS) ? real | CR0_TS : real & ~CR0_TS;
    __asm__ volatile("mov %0, %%cr0" :: "r"(real));
    vcpu_publish();
}

void hc_SetCR2(struct trapframe *tf) { vcpu0.cr2 = tf->eax; vcpu_publish(); }
/* SetCR3: a new address space (mmu.c: kept, or the shadow forgets). */
void hc_SetCR3(struct trapframe *tf)
{
    mmu_set_cr3(tf->eax);
    vcpu_publish();
}

/* SetCR4: only bits whose effect the hypervisor can honour; a change of
 * page size or global pages flushes the TLB, so the shadow too. */
void hc_SetCR4(struct trapframe *tf)
{
    uint32_t old = vcpu0.cr4;
    if (!cr4_guest_ok(tf->eax))
        hc_fault(tf, T_GP, 0);
    vcpu0.cr4 = tf->eax;
    if ((old ^ vcpu0.cr4) & (CR4_PSE | CR4_PGE))
        mmu_reset();
    uint32_t real = read_cr4() & ~CR4_TSD;   /* TSD: RDTSC faults in rings 1 and 3, */
    write_cr4(real | (vcpu0.cr4 & CR4_TSD)); /* and emulate.c serves ring 1        */
    vcpu_publish();
}

void hc_GetCR0(struct trapframe *tf)
{
    tf->eax = (vcpu0.cr0 & ~CR0_TS) | (read_cr0() & CR0_TS);
}
void hc_GetCR2(struct trapframe *tf) { tf->eax = vcpu0.cr2; }
void hc_GetCR3(struct trapframe *tf) { tf->eax = vcpu0.cr3; }
void hc_GetCR4(struct trapframe *tf) { tf->eax = vcpu0.cr4; }

void hc_CLTS(struct trapframe *tf)
{
    (void)tf;
    vcpu0.cr0 &= ~CR0_TS;
    __asm__ volatile("clts");
    vcpu_publish();
}

void hc_WBINVD(struct trapframe *tf) { (void)tf; }

/* Is n a debug register a guest may name (DR0-3, DR6, DR7)? */
static int dr_valid(uint32_t n)
{
    return n <= DR7_INDEX && n != 4 && n != 5;
}

/* SetDR(n, v) / GetDR(n): virtual registers, never armed in hardware;
 * other numbers are ignored and read 0, as the native stubs do. */
void hc_SetDR(struct trapframe *tf)
{
    if (dr_valid(tf->eax))
        vcpu0.dr[tf->eax] = tf->edx;
    vcpu_publish();
}

void hc_GetDR(struct trapframe *tf)
{
    tf->eax = dr_valid(tf->eax) ? vcpu0.dr[tf->eax] : 0;
}

/* RDTSC / RDPMC: EDX:EAX.  RDPMC knows only the backdoor pseudo-counters
 * (real, available, stolen time), which ring 3 may read too. */
void hc_RDTSC(struct trapframe *tf)
{
    uint64_t t = rdtsc();
    tf->eax = (uint32_t)t;
    tf->edx = (uint32_t)(t >> 32);
}

void hc_RDPMC(struct trapframe *tf)
{
    if (!backdoor_enabled || tf->ecx < PMC_BACKDOOR_REAL || tf->ecx > PMC_BACKDOOR_LAST)
        hc_fault(tf, T_GP, 0);
    uint64_t t = tf->ecx == PMC_BACKDOOR_LAST ? 0 : rdtsc();
    tf->eax = (uint32_t)t;
    tf->edx = (uint32_t)(t >> 32);
}

/* The virtual interrupt flag.  These keep every register but EAX for Get. */
void hc_EnableInterrupts(struct trapframe *tf) { (void)tf; vcpu0.area->virt_if = EFLAGS_IF; }
void hc_DisableInterrupts(struct trapframe *tf) { (void)tf; vcpu0.area->virt_if = 0; }
void hc_GetInterruptMask(struct trapframe *tf) { tf->eax = vcpu0.area->virt_if; }
void hc_SetInterruptMask(struct trapframe *tf) { vcpu0.area->virt_if = tf->eax & EFLAGS_IF; }

/* Halt: enable interrupts and wait for one ("all VMI halts are safe", as
 * Linux's safe_halt assumed).  With nothing pending and no virtual timer
 * due within HALT_HORIZON_S whose line (IRQ 0) the virtual PIC would let
 * through, no interrupt will ever come: that guest is stopped rather than
 * left hanging. */
void hc_Halt(struct trapframe *tf)
{
    vcpu0.area->virt_if = EFLAGS_IF;
    if (!vpic_pending() && !(vtimer_fires_within(HALT_HORIZON_S) && vpic_line_open(0)))
        guest_terminate(tf, "Halt with no interrupt source",
                        "the guest halted with nothing pending and no timer due within a "
                        "year on an unmasked IRQ 0 (or IRQ 0 still in service): it could "
                        "never wake");
    while (!vpic_pending())
        __asm__ volatile("sti; hlt; cli");     /* a real interrupt wakes us */
}

/* Reboot / Shutdown: the guest is done; end the run with status 0. */
static void power_off(const char *what)
{
    hv_printf("\nhv: guest requested %s\n", what);
    stats_print();
    hv_exit_qemu(0);
}
void hc_Reboot(struct trapframe *tf) { (void)tf; power_off("reboot"); }
void hc_Shutdown(struct trapframe *tf) { (void)tf; power_off("shutdown"); }

/* The guest sees guest-physical addresses as its machine addresses. */
void hc_MachineToPhysical(struct trapframe *tf) { (void)tf; }
void hc_PhysicalToMachine(struct trapframe *tf) { (void)tf; }

/* SetIOPLMask(mask): the virtual IOPL that governs user-mode port access. */
void hc_SetIOPLMask(struct trapframe *tf)
{
    set_virtual_iopl(tf, tf->eax);
}

/* Make the IOPL field of image the virtual IOPL (SetIOPLMask, or an IRET
 * at the virtual CPL 0): the ROM's copy, the real I/O bitmap (iopb_sync)
 * and the direct system-call gate, which only runs while IOPL is 0 (the
 * frame the CPU pushes there carries the real IOPL, 0, where a native
 * frame has the virtual one). */
void set_virtual_iopl(struct trapframe *tf, uint32_t image)
{
    uint32_t iopl = image & EFLAGS_IOPL;
    vcpu0.area->iopl = iopl;             /* the guest may have written it */
    if (iopl == vcpu0.iopl_mask)
        return;
    vcpu0.iopl_mask = iopl;
    vcpu_sync_must_exit();               /* the ROM's IRET exits while not 0 */
    iopb_sync();
    idt_sync_syscall(tf);
}

/* One vCPU: there is no second processor to start. */
void hc_SetInitialAPState(struct trapframe *tf)
{
    hv_printf("hv: SetInitialAPState refused: this hypervisor runs one vCPU\n");
    tf->eax = (uint32_t)-1;
}

/* SetCallbacks(table): recorded; this version makes no callbacks (API 3.0
 * published no callback this hypervisor has a reason to make). */
void hc_SetCallbacks(struct trapframe *tf)
{
    vcpu0.callbacks = tf->eax;
    tf->eax = 0;
}

/* SetLazyMode(mode): the ROM's entry notes the mode and makes this call
 * only to leave lazy mode with updates queued, which the exit itself has
 * applied (lazy.c); a guest that calls it directly gets the same. */
void hc_SetLazyMode(struct trapframe *tf)
{
    vcpu0.lazy_mode = tf->eax;
    vcpu0.area->lazy_mode = tf->eax;
}
