/*
 * cpuval.h - guest CR0/CR4/EFLAGS and MSR validation (cpuval.c);
 * host-testable.
 */
#ifndef HV_CPUVAL_H
#define HV_CPUVAL_H

#include "x86.h"

int cr0_guest_ok(uint32_t v);
int cr4_guest_ok(uint32_t v);
uint32_t eflags_from_guest(uint32_t image);
uint32_t virt_if_after_return(uint32_t image, uint32_t rpl);

/* The MSRs a guest may use (SDM vol. 4, table 2-2): the TSC (read only)
 * and the three SYSENTER registers, which the hypervisor keeps virtual. */
#define MSR_TSC          0x010u   /* IA32_TIME_STAMP_COUNTER */
#define MSR_SYSENTER_CS  0x174u   /* IA32_SYSENTER_CS        */
#define MSR_SYSENTER_ESP 0x175u   /* IA32_SYSENTER_ESP       */
#define MSR_SYSENTER_EIP 0x176u   /* IA32_SYSENTER_EIP       */

/* The virtual SYSENTER MSRs, as a guest's WRMSR leaves them. */
struct msr_sysenter {
    uint32_t cs, esp, eip;
};

int msr_guest_read(uint32_t msr, uint64_t tsc, const struct msr_sysenter *s,
                   uint64_t *value);
int msr_guest_write(uint32_t msr, uint64_t value, struct msr_sysenter *s);

#endif /* HV_CPUVAL_H */
