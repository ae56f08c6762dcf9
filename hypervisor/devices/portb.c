/*
 * portb.c - the PC's system control port B (61h), as the PIIX family
 * decodes it (Intel 82371AB PIIX4 datasheet, "NMI Status and Control
 * Register"; the IBM AT's 8255 port B before it).  Pure logic.
 *
 *   bit 7 SERR# status (RO, 0)   bit 3 IOCHK# check disable (R/W)
 *   bit 6 IOCHK# status (RO, 0)  bit 2 parity/SERR# check disable (R/W)
 *   bit 5 timer 2 OUT (RO)       bit 1 speaker data enable (R/W)
 *   bit 4 refresh toggle (RO)    bit 0 timer 2 GATE (R/W)
 *
 * The refresh bit changes state with every DRAM refresh request, once per
 * 15.085 us, derived here from the PIT's own clock, so a loop waiting for
 * it to toggle ends on the hypervisor as it does on a chipset.  Neither
 * status bit is ever set: the guest has no memory parity or I/O channel
 * check source.  QEMU's pcspk model differs in two places (the guest test
 * says so): it reads bits 2-3 as 0 and toggles bit 4 on every read.
 */
#include "portb.h"
#include "divsmall.h"

#define PIT_CH2 2u

/* The port's value at now; written is the guest's last write. */
uint8_t portb_read(const struct pit *p, uint8_t written, uint64_t now)
{
    uint8_t v = (uint8_t)(written & PORTB_WRITABLE & (uint8_t)~PORTB_GATE2);
    if (pit_gate(p, PIT_CH2))
        v |= PORTB_GATE2;
    uint64_t refreshes;
    div_small(now, PORTB_REFRESH_CLOCKS, &refreshes);
    if (refreshes & 1u)
        v |= PORTB_REFRESH;
    if (pit_out(p, PIT_CH2, now))
        v |= PORTB_OUT2;
    return v;
}

/* A guest write of v at now: drive channel 2's gate; returns the bits
 * kept (the writable ones). */
uint8_t portb_write(struct pit *p, uint8_t v, uint64_t now)
{
    pit_set_gate(p, PIT_CH2, v & PORTB_GATE2, now);
    return (uint8_t)(v & PORTB_WRITABLE);
}
