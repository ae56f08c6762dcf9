/*
 * unserved.c - a VMI call this hypervisor version does not serve (the
 * local APIC calls, spec section 10) ends the guest naming the call, and
 * the hypervisor stays healthy.  Mode hv only: tests/guest.cfg expects
 * the termination.
 */
#include "rules.h"

#define LAPIC_VERSION 0x30u      /* the APIC's version register */

void guest_main(const char *cmdline)
{
    (void)cmdline;
    if (!rules_vmi()) {
        report_skip("unserved calls: this kernel does not use the ROM");
        return;
    }
    rules_expect_termination("unsupported VMI call", "APICRead");
    (void)vmi_apic_read(LAPIC_VERSION);
    rules_survived("an APICRead the hypervisor does not serve");
}
