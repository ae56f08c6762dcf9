/*
 * portb.h - the PC's system control port B (61h) (portb.c): the PIT
 * channel 2 gate and speaker enable, channel 2's OUT and the refresh
 * toggle.  Pure logic; host-testable.
 */
#ifndef HV_PORTB_H
#define HV_PORTB_H

#include "vpit.h"

#define PORTB_GATE2      0x01u   /* R/W: PIT channel 2 GATE                    */
#define PORTB_SPEAKER    0x02u   /* R/W: speaker data enable                   */
#define PORTB_PARITY_OFF 0x04u   /* R/W: memory parity (SERR#) check disable   */
#define PORTB_IOCHK_OFF  0x08u   /* R/W: I/O channel check (IOCHK#) disable    */
#define PORTB_REFRESH    0x10u   /* RO: toggles every refresh request          */
#define PORTB_OUT2       0x20u   /* RO: PIT channel 2 OUT                      */
#define PORTB_WRITABLE   0x0Fu
#define PORTB_REFRESH_CLOCKS 18u /* one refresh request per 15.085 us: 18 PIT clocks */

uint8_t portb_read(const struct pit *p, uint8_t written, uint64_t now);
uint8_t portb_write(struct pit *p, uint8_t v, uint64_t now);

#endif /* HV_PORTB_H */
