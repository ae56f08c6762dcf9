/*
 * vpit.c - the guest's 8254 programmable interval timer.  Pure logic.
 *
 * Ports 40h-42h are channels 0-2, 43h the control word (Intel 8254
 * datasheet, order no. 231164, "Control Word Format", "Read-Back
 * Command").  Time is the caller's: `now` counts the chip's input clocks
 * (PIT_HZ), so the model is exact and deterministic for any time base.
 *
 *   control word  SC1 SC0 RW1 RW0 M2 M1 M0 BCD
 *                 SC = 3: read-back  (COUNT# STATUS# CNT2 CNT1 CNT0 0)
 *                 RW = 0: counter latch command
 *   status byte   OUTPUT NULLCOUNT RW1 RW0 M2 M1 M0 BCD
 *
 * Each channel keeps the clocks elapsed since its count was loaded (or
 * its gate restarted it); the counter and OUT follow from that, mode by
 * mode, as the datasheet's waveforms give them:
 *
 *   mode 0  OUT low until the count runs out, then high (one shot)
 *   mode 1  a gate rising edge starts it; OUT low until the count runs out
 *   mode 2  OUT high, low for the one clock the counter holds 1; reloads
 *   mode 3  square wave: OUT high for (N+1)/2 clocks, low for N/2
 *   mode 4  OUT high, low for the one clock after the count runs out
 *   mode 5  mode 4 started by a gate rising edge
 *
 * Deliberate simplifications, each one QEMU's too: counting is binary
 * whatever the BCD bit says (the bit is stored and read back in the
 * status); mode 3 counts by two for odd counts as for even ones; a count
 * written while a mode 2/3 channel runs takes effect at once, not at the
 * end of the current period; NULL COUNT reads 0 (a count loads at once).
 */
#include "vpit.h"
#include "divsmall.h"

#define RW_LATCH     0u      /* RW bits of a counter latch command          */
#define RW_LSB       1u      /* access and read/write states (RW bits 1-3)  */
#define RW_MSB       2u
#define RW_WORD0     3u      /* lo/hi: the low byte is next                 */
#define RW_WORD1     4u      /*        the high byte is next                */
#define SC_READBACK  3u
#define RB_NO_COUNT  0x20u   /* read-back: COUNT# (1: do not latch count)   */
#define RB_NO_STATUS 0x10u   /*            STATUS#                          */
#define STATUS_OUT   0x80u
#define FULL_COUNT   65536u  /* a count of 0 means 2^16 (binary)            */
#define CMD_READ     0u      /* a read of port 43h: QEMU gives 0 (the chip
                              * leaves the bus floating)                    */

/* Modes 6 and 7 are modes 2 and 3 (M2 is "don't care" for them). */
static uint32_t mode_of(const struct pit_channel *c)
{
    return c->mode >= 6 ? c->mode - 4u : c->mode;
}

/* Clocks counted since the count was loaded or last restarted. */
static uint64_t elapsed(const struct pit_channel *c, uint64_t now)
{
    return c->acc + (c->counting && now > c->base ? now - c->base : 0);
}

/* The counting element's value at now. */
static uint16_t counter(const struct pit_channel *c, uint64_t now)
{
    if (!c->loaded)
        return c->hold;
    if (!c->started)
        return (uint16_t)c->count;
    uint64_t d = elapsed(c, now);
    switch (mode_of(c)) {
    case 2:
        return (uint16_t)(c->count - div_small(d, c->count, 0));
    case 3:
        return (uint16_t)(c->count - div_small(2 * d, c->count, 0));
    default:
        return (uint16_t)((c->count - d) & 0xFFFFu);
    }
}

/* OUT of channel c at now. */
static int out_of(const struct pit_channel *c, uint64_t now)
{
    uint32_t m = mode_of(c);
    if (!c->loaded)
        return m != 0;                    /* a control word sets OUT's initial level */
    if (!c->started)
        return m != 0;
    uint64_t d = elapsed(c, now);
    switch (m) {
    case 0: return d >= c->count;
    case 1: return d >= c->count;         /* low from the trigger to terminal count */
    case 2: return !c->counting || div_small(d, c->count, 0) != c->count - 1;
    case 3: return !c->counting || div_small(d, c->count, 0) < (c->count + 1) / 2;
    default: return d != c->count;        /* 4, 5: one low clock at terminal count */
    }
}

/* Restart counting from the full count at now. */
static void restart(struct pit_channel *c, uint64_t now)
{
    c->acc = 0;
    c->base = now;
    c->started = 1;
    c->counting = 1;
}

/* A count was written in full: load it as the mode says. */
static void load(struct pit_channel *c, uint32_t v, uint64_t now)
{
    c->count = v ? v : FULL_COUNT;
    c->loaded = 1;
    c->started = c->counting = 0;
    c->acc = 0;
    c->base = now;
    uint32_t m = mode_of(c);
    if (m == 1 || m == 5)
        return;                           /* waits for a gate rising edge */
    c->started = 1;
    c->counting = c->gate != 0;
}

/* The counter latch command: freeze the count until it is read. */
static void latch_count(struct pit_channel *c, uint64_t now)
{
    if (c->latched)
        return;                           /* a second latch is ignored */
    c->latch = counter(c, now);
    c->latched = c->access;
}

/* The read-back command's status latch. */
static void latch_status(struct pit_channel *c, uint64_t now)
{
    if (c->status_latched)
        return;
    c->status = (uint8_t)((out_of(c, now) ? STATUS_OUT : 0) | (c->access << 4) |
                          (c->mode << 1) | c->bcd);
    c->status_latched = 1;
}

/* A write to port 43h. */
static void control(struct pit *p, uint8_t v, uint64_t now)
{
    uint32_t sc = v >> 6, rw = (v >> 4) & 3u;
    if (sc == SC_READBACK) {
        for (uint32_t i = 0; i < PIT_CHANNELS; i++) {
            if (!(v & (2u << i)))
                continue;
            if (!(v & RB_NO_COUNT))
                latch_count(&p->ch[i], now);
            if (!(v & RB_NO_STATUS))
                latch_status(&p->ch[i], now);
        }
        return;
    }
    struct pit_channel *c = &p->ch[sc];
    if (rw == RW_LATCH) {
        latch_count(c, now);
        return;
    }
    c->hold = counter(c, now);            /* the counter stops where it is */
    c->access = c->read_state = c->write_state = (uint8_t)rw;
    c->mode = (v >> 1) & 7u;
    c->bcd = v & 1u;
    c->loaded = c->started = c->counting = 0;
}

/* Reset every channel to its power-on state: no count, gates high on
 * channels 0 and 1 (tied high on a PC), low on channel 2 (port 61h). */
void pit_reset(struct pit *p)
{
    for (uint32_t i = 0; i < PIT_CHANNELS; i++) {
        struct pit_channel *c = &p->ch[i];
        *c = (struct pit_channel){ .access = RW_WORD0, .read_state = RW_WORD0,
                                   .write_state = RW_WORD0, .gate = i != 2 };
    }
}

/* A write of v to port 40h + port (0-3) at now. */
void pit_write(struct pit *p, uint32_t port, uint8_t v, uint64_t now)
{
    if (port == PIT_PORT_CMD) {
        control(p, v, now);
        return;
    }
    struct pit_channel *c = &p->ch[port];
    switch (c->write_state) {
    case RW_LSB: load(c, v, now); break;
    case RW_MSB: load(c, (uint32_t)v << 8, now); break;
    case RW_WORD0: c->write_lsb = v; c->write_state = RW_WORD1; break;
    default: load(c, c->write_lsb | (uint32_t)v << 8, now); c->write_state = RW_WORD0; break;
    }
}

/* A read of port 40h + port (0-3) at now: a latched status first, then a
 * latched count, else the live counter in the channel's access mode. */
uint8_t pit_read(struct pit *p, uint32_t port, uint64_t now)
{
    if (port == PIT_PORT_CMD)
        return CMD_READ;
    struct pit_channel *c = &p->ch[port];
    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    if (c->latched) {
        uint8_t v = c->latched == RW_MSB ? (uint8_t)(c->latch >> 8) : (uint8_t)c->latch;
        c->latched = c->latched == RW_WORD0 ? RW_MSB : 0;
        return v;
    }
    uint16_t n = counter(c, now);
    switch (c->read_state) {
    case RW_LSB: return (uint8_t)n;
    case RW_MSB: return (uint8_t)(n >> 8);
    case RW_WORD0: c->read_state = RW_WORD1; return (uint8_t)n;
    default: c->read_state = RW_WORD0; return (uint8_t)(n >> 8);
    }
}

/* Drive channel ch's GATE input (only channel 2's is wired, to port 61h). */
void pit_set_gate(struct pit *p, uint32_t ch, int gate, uint64_t now)
{
    struct pit_channel *c = &p->ch[ch];
    int rising = gate && !c->gate;
    c->gate = gate != 0;
    if (!c->loaded)
        return;
    switch (mode_of(c)) {
    case 0:
    case 4:                               /* the gate enables counting */
        if (!gate && c->counting) {
            c->acc = elapsed(c, now);
            c->counting = 0;
        } else if (rising) {
            c->base = now;
            c->counting = 1;
        }
        break;
    case 2:
    case 3:                               /* low stops it (OUT high), rising restarts */
        if (rising)
            restart(c, now);
        else if (!gate)
            c->counting = 0;
        break;
    default:                              /* 1, 5: a rising edge triggers */
        if (rising)
            restart(c, now);
        break;
    }
}

/* Channel ch's GATE input. */
int pit_gate(const struct pit *p, uint32_t ch)
{
    return p->ch[ch].gate;
}

/* Channel ch's OUT at now. */
int pit_out(const struct pit *p, uint32_t ch, uint64_t now)
{
    return out_of(&p->ch[ch], now);
}

/* The first clock after now at which channel ch's OUT rises (what raises
 * IRQ 0 on channel 0): 1 and *at, or 0 when it never will by itself. */
int pit_next_rise(const struct pit *p, uint32_t ch, uint64_t now, uint64_t *at)
{
    const struct pit_channel *c = &p->ch[ch];
    if (!c->loaded || !c->started || !c->counting)
        return 0;
    uint64_t d = elapsed(c, now), k, edge;
    switch (mode_of(c)) {
    case 2:
    case 3:                               /* rises at every multiple of the count */
        div_small(d, c->count, &k);
        edge = (k + 1) * c->count;
        break;
    case 4:
    case 5:
        edge = (uint64_t)c->count + 1;    /* the end of the one low clock */
        break;
    default:                              /* 0, 1: at terminal count */
        edge = c->count;
        break;
    }
    if (edge <= d)
        return 0;
    *at = c->base + (edge - c->acc);
    return 1;
}
