/*
 * hc_apic.c - the local APIC calls, which this version does not serve:
 * there is no virtual APIC (timers come from the virtual PIT and VMI
 * alarms on IRQ 0).  A guest that calls them is ended with the call named.
 */
#include "hypercall.h"

void hc_APICWrite(struct trapframe *tf) { hc_not_served(tf, VMI_CALL_APICWrite); }
void hc_APICRead(struct trapframe *tf) { hc_not_served(tf, VMI_CALL_APICRead); }
