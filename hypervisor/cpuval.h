/*
 * cpuval.h - guest CR0/CR4/EFLAGS validation (cpuval.c); host-testable.
 */
#ifndef HV_CPUVAL_H
#define HV_CPUVAL_H

#include "x86.h"

int cr0_guest_ok(uint32_t v);
int cr4_guest_ok(uint32_t v);
uint32_t eflags_from_guest(uint32_t image);
uint32_t virt_if_after_return(uint32_t image, uint32_t rpl);

#endif /* HV_CPUVAL_H */
