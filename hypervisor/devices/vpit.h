/*
 * vpit.h - the guest's 8254 programmable interval timer (vpit.c): three
 * channels, counted in the chip's own input clocks (1.193182 MHz) from a
 * time base the caller passes in.  Pure logic; host-testable.
 */
#ifndef HV_VPIT_H
#define HV_VPIT_H

#include <stdint.h>

#define PIT_HZ        1193182u   /* the PC's 8254 input clock (14.31818 MHz / 12) */
#define PIT_CHANNELS  3u
#define PIT_PORT_CMD  3u         /* port 43h: port - 40h */

struct pit_channel {
    uint32_t count;              /* initial count, 1-65536 (a written 0 is 65536) */
    uint64_t base, acc;          /* elapsed clocks = acc + (now - base) while counting */
    uint16_t hold;               /* what the counter reads while no count is loaded */
    uint16_t latch;              /* the latched count */
    uint8_t mode, access, bcd;   /* the control word as written (mode 0-7) */
    uint8_t read_state, write_state, write_lsb;
    uint8_t latched;             /* count latch: 0, or the read state it is read in */
    uint8_t status, status_latched;
    uint8_t gate;
    uint8_t loaded;              /* a count was written after the control word */
    uint8_t started;             /* counting began (a trigger came, modes 1 and 5) */
    uint8_t counting;            /* the elapsed time is advancing */
};

struct pit {
    struct pit_channel ch[PIT_CHANNELS];
};

void pit_reset(struct pit *p);
uint8_t pit_read(struct pit *p, uint32_t port, uint64_t now);
void pit_write(struct pit *p, uint32_t port, uint8_t v, uint64_t now);
void pit_set_gate(struct pit *p, uint32_t ch, int gate, uint64_t now);
int pit_gate(const struct pit *p, uint32_t ch);
int pit_out(const struct pit *p, uint32_t ch, uint64_t now);
int pit_next_rise(const struct pit *p, uint32_t ch, uint64_t now, uint64_t *at);

#endif /* HV_VPIT_H */
