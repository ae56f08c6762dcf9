/*
 * nmi.c - non-maskable interrupts strike the hypervisor wherever it is:
 * while the guest runs (its page directory loaded, only the entry pages
 * of the hypervisor mapped), in the middle of a hypercall, on the way in
 * or out.  The hypervisor notes each one and carries on; the guest never
 * sees them.
 *
 * The guest says "nmi: ready", then keeps the hypervisor busy (VMI calls,
 * so exits, with computation in between) until a byte arrives on COM1:
 * tests/rules/nmi.sh sends NMIs through QEMU's monitor meanwhile and the
 * byte once the hypervisor has logged them.  Mode hv (and hv-novmi).
 */
#include "rules.h"

#define COM1_DATA     0x3F8u
#define COM1_LSR      0x3FDu
#define LSR_DATA      0x01u      /* a received byte is waiting */
#define SPINS_MAX     200000u    /* well past the script's 20 s deadline */
#define WORK_ROUNDS   20000u     /* mostly guest code: most NMIs strike it */

static volatile uint32_t sink;

/* A little computation between calls, so NMIs land in guest code too. */
static void work(uint32_t seed)
{
    uint32_t x = seed;
    for (uint32_t i = 0; i < WORK_ROUNDS; i++)
        x = x * 1103515245u + 12345u;
    sink = x;
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    uint32_t r[4], spins = 0;
    printf("nmi: ready\n");
    while (spins < SPINS_MAX && !(vmi_inb(COM1_LSR) & LSR_DATA)) {
        vmi_cpuid(0, 0, r);
        work(spins++);
    }
    int got = vmi_inb(COM1_LSR) & LSR_DATA;
    uint8_t byte = got ? vmi_inb(COM1_DATA) : 0;
    report(got, "the guest ran on through the NMIs until the go-ahead (byte %02x after "
           "%u rounds)", byte, spins);
    report_summary();
}
