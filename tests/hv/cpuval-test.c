/*
 * cpuval-test.c - host unit tests of hypervisor/traps/cpuval.c: the CR0, CR4 and
 * EFLAGS values a guest may ask for, and the interrupt flag after IRET.
 */
#include "check.h"
#include "cpuval.h"

#define CR4_VME 0x1u
#define CR4_PAE 0x20u
#define CR4_OSFXSR 0x200u

/* CR0: PE must stay; PG and the FPU bits are free. */
static void cr0(void)
{
    check(cr0_guest_ok(CR0_PE | CR0_ET), "CR0 PE|ET accepted", "refused");
    check(cr0_guest_ok(CR0_PE | CR0_ET | CR0_TS | CR0_MP | CR0_NE | CR0_WP | CR0_AM),
          "CR0 FPU, WP and AM bits accepted", "refused");
    check(cr0_guest_ok(CR0_PE | CR0_CD | CR0_NW), "CR0 cache bits accepted", "refused");
    check(cr0_guest_ok(CR0_PE | CR0_CD), "CR0 CD alone accepted", "refused");
    check(!cr0_guest_ok(CR0_PE | CR0_NW), "CR0 NW without CD refused (#GP on a CPU)", "accepted");
    check(!cr0_guest_ok(CR0_ET), "CR0 without PE refused", "accepted");
    check(cr0_guest_ok(CR0_PE | CR0_PG | CR0_WP), "CR0 PG accepted (shadow paging)", "refused");
    check(!cr0_guest_ok(CR0_PG), "CR0 PG without PE refused", "accepted");
    check(!cr0_guest_ok(CR0_PE | 0x00000100u), "CR0 reserved bit 8 refused", "accepted");
}

/* CR4: only bits the hypervisor honours. */
static void cr4(void)
{
    check(cr4_guest_ok(0), "CR4 0 accepted", "refused");
    check(cr4_guest_ok(CR4_PSE | CR4_PGE | CR4_OSFXSR), "CR4 PSE|PGE|OSFXSR accepted", "refused");
    check(!cr4_guest_ok(CR4_VME), "CR4 VME refused (no V8086)", "accepted");
    check(!cr4_guest_ok(CR4_PAE), "CR4 PAE refused", "accepted");
}

/* EFLAGS: the guest's flags pass, privileged ones never do (rules 1, 7, 9). */
static void eflags(void)
{
    uint32_t arith = EFLAGS_CF | 0x4u | 0x10u | 0x40u | 0x80u | 0x800u;   /* CF PF AF ZF SF OF */
    uint32_t e = eflags_from_guest(arith | EFLAGS_DF | EFLAGS_AC);
    check((e & (arith | EFLAGS_DF | EFLAGS_AC)) == (arith | EFLAGS_DF | EFLAGS_AC),
          "arithmetic, DF and AC flags pass", "got %08x", e);
    e = eflags_from_guest(EFLAGS_IOPL | EFLAGS_VM | EFLAGS_NT | EFLAGS_RF | EFLAGS_VIF | EFLAGS_VIP);
    check(!(e & (EFLAGS_IOPL | EFLAGS_VM | EFLAGS_NT | EFLAGS_RF | EFLAGS_VIF | EFLAGS_VIP)),
          "IOPL, VM, NT, RF, VIF, VIP never reach the CPU", "got %08x", e);
    check((eflags_from_guest(0) & (EFLAGS_IF | EFLAGS_FIXED)) == (EFLAGS_IF | EFLAGS_FIXED),
          "the real IF is always set, bit 1 always 1", "got %08x", eflags_from_guest(0));
}

/* The virtual IF after IRET: the image's in ring 1, always on in ring 3. */
static void virt_if(void)
{
    check(virt_if_after_return(0, 1) == 0, "IRET to ring 1 with IF clear: disabled", "enabled");
    check(virt_if_after_return(EFLAGS_IF, 1) == EFLAGS_IF, "IRET to ring 1 with IF set: enabled", "disabled");
    check(virt_if_after_return(0, 3) == EFLAGS_IF, "IRET to ring 3 with IF clear: enabled (rule 6)", "disabled");
}

/* MSRs: the TSC and SYSENTER registers only; a write keeps EAX. */
static void msr(void)
{
    struct msr_sysenter s = { 0, 0, 0 };
    uint64_t v = 0;
    check(msr_guest_read(MSR_TSC, 0x123456789ull, &s, &v) && v == 0x123456789ull,
          "RDMSR TSC gives the TSC", "got %llx", (unsigned long long)v);
    check(!msr_guest_write(MSR_TSC, 0, &s), "WRMSR TSC refused (#GP)", "accepted");
    check(msr_guest_write(MSR_SYSENTER_EIP, 0xAAAA0000C0101234ull, &s) && s.eip == 0xC0101234u,
          "WRMSR SYSENTER_EIP keeps EAX", "eip %x", s.eip);
    check(msr_guest_read(MSR_SYSENTER_EIP, 0, &s, &v) && v == 0xC0101234u,
          "RDMSR SYSENTER_EIP reads it back, EDX 0", "got %llx", (unsigned long long)v);
    check(!msr_guest_read(0x1Bu, 0, &s, &v), "RDMSR APIC_BASE refused (#GP)", "accepted");
    check(!msr_guest_write(0xC0000080u, 0, &s), "WRMSR EFER refused (#GP)", "accepted");
}

int main(void)
{
    cr0();
    cr4();
    eflags();
    virt_if();
    msr();
    return test_status();
}
