/*
 * hypercall.h - the VMI call handlers and which calls this hypervisor
 * serves.  A call not listed in HC_SERVED terminates the guest with a
 * message naming it (spec section 10 lists the same set).
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "hv.h"

typedef void hc_handler(struct trapframe *tf);

#define HC_SERVED(X) \
    X(0, CPUID) X(1, WRMSR) X(2, RDMSR) X(3, SetGDT) X(4, SetLDT)            \
    X(5, SetIDT) X(6, SetTR) X(7, GetGDT) X(8, GetLDT) X(9, GetIDT)          \
    X(10, GetTR) X(11, WriteGDTEntry) X(12, WriteLDTEntry)                   \
    X(13, WriteIDTEntry) X(14, UpdateKernelStack) X(15, SetCR0)              \
    X(16, SetCR2) X(17, SetCR3) X(18, SetCR4) X(19, GetCR0) X(20, GetCR2)    \
    X(21, GetCR3) X(22, GetCR4) X(23, WBINVD) X(24, SetDR) X(25, GetDR)      \
    X(26, RDPMC) X(27, RDTSC) X(28, CLTS) X(29, EnableInterrupts)            \
    X(30, DisableInterrupts) X(31, GetInterruptMask)                         \
    X(32, SetInterruptMask) X(33, IRET) X(34, SYSEXIT) X(35, Halt)           \
    X(36, Reboot) X(37, Shutdown) X(38, SetPxE) X(39, SetPxELong)            \
    X(40, UpdatePxE) X(41, UpdatePxELong) X(42, MachineToPhysical)           \
    X(43, PhysicalToMachine) X(44, AllocatePage) X(45, ReleasePage)          \
    X(46, InvalPage) X(47, FlushTLB) X(48, SetLinearMapping)                 \
    X(49, INL) X(50, INB) X(51, INW) X(52, INSL) X(53, INSB) X(54, INSW)     \
    X(55, OUTL) X(56, OUTB) X(57, OUTW) X(58, OUTSL) X(59, OUTSB)            \
    X(60, OUTSW) X(61, SetIOPLMask) X(62, SetInitialAPState)                 \
    X(65, IODelay) X(66, GetCycleFrequency) X(67, GetCycleCounter)           \
    X(68, SetAlarm) X(69, CancelAlarm)                                       \
    X(70, GetWallclockTime) X(71, WallclockUpdated) X(72, SetCallbacks)     \
    X(73, SetLazyMode)

#define HC_DECLARE_(num, name) hc_handler hc_##name;
HC_SERVED(HC_DECLARE_)
#undef HC_DECLARE_

uint32_t hc_arg4(struct trapframe *tf);
void hc_fault(struct trapframe *tf, uint32_t vector, uint32_t error) __attribute__((noreturn));
void hc_page_fault(struct trapframe *tf, uint32_t va, uint32_t access) __attribute__((noreturn));
extern uint32_t syscall_vector;

#endif /* HV_HYPERCALL_H */
