/*
 * vpit-test.c - host tests of hypervisor/devices/vpit.c (the 8254) and
 * portb.c (port 61h): every value is the one the Intel 8254 datasheet's
 * waveforms give for a count loaded at a known clock, written out here by
 * hand, not computed by a second model.
 */
#include <stdio.h>
#include "check.h"
#include "vpit.h"
#include "portb.h"

#define CMD        PIT_PORT_CMD
#define T0         100u          /* the clock the counts are loaded at */
#define CH0_LOHI(mode)  (0x30u | ((mode) << 1))
#define CH2_LOHI(mode)  (0xB0u | ((mode) << 1))
#define READBACK(count, status, chans) (0xC0u | ((count) ? 0 : 0x20u) | ((status) ? 0 : 0x10u) | (chans))

static struct pit p;

/* Program channel ch (0-2) with control word cw and a lo/hi count at t. */
static void program(uint32_t ch, uint8_t cw, uint32_t count, uint64_t t)
{
    pit_write(&p, CMD, cw, t);
    pit_write(&p, ch, (uint8_t)count, t);
    pit_write(&p, ch, (uint8_t)(count >> 8), t);
}

/* The 16-bit count read lo then hi at t (lo/hi access). */
static uint32_t read16(uint32_t ch, uint64_t t)
{
    uint32_t lo = pit_read(&p, ch, t);
    return lo | (uint32_t)pit_read(&p, ch, t) << 8;
}

/* Mode 2 (rate generator), count 1000 from T0. */
static void mode2(void)
{
    pit_reset(&p);
    program(0, CH0_LOHI(2), 1000, T0);
    check(read16(0, T0) == 1000, "mode 2: the count reads 1000 at load", "%u", read16(0, T0));
    check(read16(0, T0 + 1) == 999, "mode 2: one clock later 999", "%u", read16(0, T0 + 1));
    check(read16(0, T0 + 999) == 1, "mode 2: 1 after 999 clocks", "%u", read16(0, T0 + 999));
    check(read16(0, T0 + 1000) == 1000, "mode 2: reloads to 1000 after 1000", "%u",
          read16(0, T0 + 1000));
    check(read16(0, T0 + 2500) == 500, "mode 2: 500 after 2500", "%u", read16(0, T0 + 2500));
    check(pit_out(&p, 0, T0 + 998) && !pit_out(&p, 0, T0 + 999) && pit_out(&p, 0, T0 + 1000),
          "mode 2: OUT high, low for the one clock the counter holds 1", "%d%d%d",
          pit_out(&p, 0, T0 + 998), pit_out(&p, 0, T0 + 999), pit_out(&p, 0, T0 + 1000));
    uint64_t at = 0;
    int r = pit_next_rise(&p, 0, T0, &at);
    check(r && at == T0 + 1000, "mode 2: the next rising edge after load is at +1000", "%d %llu", r,
          (unsigned long long)at);
    r = pit_next_rise(&p, 0, T0 + 1000, &at);
    check(r && at == T0 + 2000, "mode 2: ... and then +2000 (periodic)", "%d %llu", r,
          (unsigned long long)at);
    r = pit_next_rise(&p, 0, T0 + 1000ull * 5000000u + 3, &at);
    check(r && at == T0 + 1000ull * 5000001u, "mode 2: periodic 5 million periods on",
          "%llu", (unsigned long long)at);
}

/* The counter latch command and the read-back command. */
static void latches(void)
{
    pit_reset(&p);
    program(0, CH0_LOHI(2), 1000, T0);
    pit_write(&p, CMD, 0x00, T0 + 100);                /* latch channel 0 at 900 */
    pit_write(&p, CMD, 0x00, T0 + 200);                /* ignored: already latched */
    uint32_t latched = read16(0, T0 + 700), live = read16(0, T0 + 700);
    check(latched == 900, "latch: the count frozen at the latch (900)", "%u", latched);
    check(live == 300, "latch: once read, the live count again (300)", "%u", live);
    pit_write(&p, CMD, READBACK(1, 1, 0x02), T0 + 10);  /* status and count of channel 0 */
    uint8_t st = pit_read(&p, 0, T0 + 500);
    check(st == 0xB4, "read-back: status first: OUT high, lo/hi, mode 2, binary (B4h)", "%02x", st);
    latched = read16(0, T0 + 500);
    check(latched == 990, "read-back: then the count latched with it (990)", "%u", latched);
    pit_write(&p, CMD, READBACK(0, 1, 0x02), T0 + 10);  /* status only */
    check(pit_read(&p, 0, T0 + 20) == 0xB4 && read16(0, T0 + 20) == 980,
          "read-back: status only, then the live count", "%s", "no");
    program(2, CH2_LOHI(0) | 1u, 0x1234, T0);           /* mode 0, BCD flag */
    pit_write(&p, CMD, READBACK(1, 1, 0x0E), T0 + 4);   /* all three channels */
    st = pit_read(&p, 2, T0 + 9);
    check(st == 0x31, "read-back: channel 2 mode 0 with the BCD flag: OUT low, 31h "
          "(gate low: not counting)", "%02x", st);
    check(read16(2, T0 + 9) == 0x1234, "read-back: channel 2's count held by its low gate",
          "%x", read16(2, T0 + 9));
    check(pit_read(&p, 0, T0 + 9) == 0xB4, "read-back: channel 0 latched by the same command", "%s", "no");
    check(pit_read(&p, CMD, T0) == 0, "a read of port 43h gives 0 (as QEMU's)", "%s", "no");
}

/* Access modes: low byte only, high byte only. */
static void access_modes(void)
{
    pit_reset(&p);
    pit_write(&p, CMD, 0x54, T0);                     /* channel 1, LSB, mode 2 */
    pit_write(&p, 1, 200, T0);
    check(pit_read(&p, 1, T0 + 50) == 150 && pit_read(&p, 1, T0 + 50) == 150,
          "LSB access: one byte loads the count; reads give the low byte each time", "%s", "no");
    pit_write(&p, CMD, 0x64, T0);                     /* channel 1, MSB, mode 2 */
    pit_write(&p, 1, 2, T0);                          /* count 200h */
    check(pit_read(&p, 1, T0 + 1) == 1, "MSB access: count 200h, after one clock the high "
          "byte reads 1", "%u", pit_read(&p, 1, T0 + 1));
    pit_write(&p, CMD, 0x30, T0);                     /* channel 0, lo/hi, mode 0 */
    pit_write(&p, 0, 0, T0);
    pit_write(&p, 0, 0, T0);
    check(read16(0, T0 + 1) == 0xFFFF, "a count of 0 is 65536", "%x", read16(0, T0 + 1));
    uint64_t at;
    check(pit_next_rise(&p, 0, T0, &at) && at == T0 + 65536, "... OUT rises 65536 clocks on", "%s", "no");
}

/* Modes 0, 3 and 4 on channel 0; a control word stops the counter. */
static void one_shots_and_square(void)
{
    uint64_t at;
    pit_reset(&p);
    pit_write(&p, CMD, CH0_LOHI(0), T0);
    check(!pit_out(&p, 0, T0), "mode 0: the control word sets OUT low", "%s", "no");
    pit_write(&p, 0, 50, T0);
    pit_write(&p, 0, 0, T0);
    check(!pit_out(&p, 0, T0 + 49) && pit_out(&p, 0, T0 + 50), "mode 0: OUT rises at the "
          "terminal count (50)", "%s", "no");
    check(pit_next_rise(&p, 0, T0, &at) && at == T0 + 50 && !pit_next_rise(&p, 0, T0 + 50, &at),
          "mode 0: one rising edge, then none", "%s", "no");
    check(read16(0, T0 + 60) == 0xFFF6, "mode 0: the counter wraps on past 0 (FFF6h)", "%x",
          read16(0, T0 + 60));
    program(0, CH0_LOHI(3), 10, T0);
    uint32_t seq[6];
    for (uint32_t i = 0; i < 6; i++)
        seq[i] = read16(0, T0 + i);
    check(seq[0] == 10 && seq[1] == 8 && seq[4] == 2 && seq[5] == 10,
          "mode 3: the counter steps by two, reloading each half period", "%u %u %u %u",
          seq[0], seq[1], seq[4], seq[5]);
    check(pit_out(&p, 0, T0 + 4) && !pit_out(&p, 0, T0 + 5) && !pit_out(&p, 0, T0 + 9) &&
          pit_out(&p, 0, T0 + 10), "mode 3: OUT high 5 clocks, low 5", "%s", "no");
    check(pit_next_rise(&p, 0, T0 + 3, &at) && at == T0 + 10, "mode 3: rises every 10", "%s", "no");
    program(0, CH0_LOHI(4), 20, T0);
    check(pit_out(&p, 0, T0 + 19) && !pit_out(&p, 0, T0 + 20) && pit_out(&p, 0, T0 + 21),
          "mode 4: OUT low for one clock at terminal count", "%s", "no");
    check(pit_next_rise(&p, 0, T0, &at) && at == T0 + 21 && !pit_next_rise(&p, 0, T0 + 21, &at),
          "mode 4: one rising edge (strobe end), then none", "%s", "no");
    program(0, CH0_LOHI(6), 100, T0);                 /* mode 6 is mode 2 */
    pit_write(&p, CMD, READBACK(0, 1, 0x02), T0);
    check(pit_read(&p, 0, T0) == 0xBC && read16(0, T0 + 1) == 99,
          "mode 6 reads back as written (BCh) and counts as mode 2", "%s", "no");
    pit_write(&p, CMD, CH0_LOHI(2), T0 + 30);          /* a control word without a count */
    check(!pit_next_rise(&p, 0, T0 + 30, &at) && read16(0, T0 + 90) == 70,
          "a control word stops the channel: no edge, the counter holds (70)", "%s", "no");
    check(pit_next_rise(&p, 1, T0, &at) == 0, "channel 1 never programmed: no edge", "%s", "no");
}

/* Channel 2's gate through port 61h: modes 0, 1 and 2, OUT2, refresh. */
static void gate_and_portb(void)
{
    uint64_t at;
    pit_reset(&p);
    uint8_t kept = portb_write(&p, 0x0F, T0);          /* gate on, speaker, both check bits */
    check(kept == 0x0F, "port 61h keeps bits 0-3", "%02x", kept);
    program(2, CH2_LOHI(0), 100, T0);
    uint8_t v = portb_read(&p, kept, T0 + 99);
    check((v & 0xEF) == 0x0F, "port 61h: gate, speaker and check bits read back, OUT2 low "
          "before the terminal count", "%02x", v);
    check(portb_read(&p, kept, T0 + 100) & PORTB_OUT2, "port 61h: OUT2 high at the terminal count", "%s", "no");
    kept = portb_write(&p, 0x00, T0 + 50);             /* gate off half way */
    program(2, CH2_LOHI(0), 100, T0 + 50);
    check(read16(2, T0 + 500) == 100, "mode 0, gate low: the count does not move", "%s", "no");
    kept = portb_write(&p, 0x01, T0 + 600);
    check(read16(2, T0 + 610) == 90, "mode 0: gate high: counting starts", "%u", read16(2, T0 + 610));
    kept = portb_write(&p, 0x00, T0 + 620);
    kept = portb_write(&p, 0x01, T0 + 700);
    check(read16(2, T0 + 700) == 80, "mode 0: a low gate pauses counting (80)", "%u",
          read16(2, T0 + 700));
    program(2, CH2_LOHI(1), 30, T0);
    check(pit_out(&p, 2, T0 + 5) && read16(2, T0 + 5) == 30, "mode 1: gate already high at "
          "load: waits for a rising edge, OUT high", "%s", "no");
    portb_write(&p, 0x00, T0 + 10);
    portb_write(&p, 0x01, T0 + 11);
    check(!pit_out(&p, 2, T0 + 12) && pit_out(&p, 2, T0 + 41) && read16(2, T0 + 21) == 20,
          "mode 1: the rising edge triggers: OUT low until the terminal count", "%s", "no");
    program(2, CH2_LOHI(2), 40, T0);
    portb_write(&p, 0x00, T0 + 10);
    check(pit_out(&p, 2, T0 + 39) && !pit_next_rise(&p, 2, T0 + 10, &at),
          "mode 2: a low gate stops it with OUT high", "%s", "no");
    portb_write(&p, 0x01, T0 + 100);
    check(read16(2, T0 + 100) == 40 && pit_next_rise(&p, 2, T0 + 100, &at) && at == T0 + 140,
          "mode 2: the rising edge restarts the full count", "%s", "no");
    uint8_t a = portb_read(&p, 1, 0), b = portb_read(&p, 1, PORTB_REFRESH_CLOCKS);
    uint8_t c = portb_read(&p, 1, 2 * PORTB_REFRESH_CLOCKS);
    check((a ^ b) & PORTB_REFRESH && !((a ^ c) & PORTB_REFRESH),
          "port 61h bit 4 toggles every 15 us (18 PIT clocks)", "%02x %02x %02x", a, b, c);
    check(!(portb_read(&p, 0xFF, T0) & 0xC0), "port 61h: the SERR and IOCHK status bits read 0", "%s", "no");
}

int main(void)
{
    mode2();
    latches();
    access_modes();
    one_shots_and_square();
    gate_and_portb();
    return test_status();
}
