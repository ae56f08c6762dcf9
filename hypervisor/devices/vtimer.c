/*
 * vtimer.c - the guest's timers and its time base: the virtual 8254
 * (vpit.c, ports 40h-43h) with channel 2 wired to port 61h (portb.c), and
 * the VMI alarm, both raising virtual IRQ 0.  Ring 0.
 *
 * One time base for every device: the TSC, measured once at boot against
 * the real PIT channel 2 and read as PIT input clocks since boot
 * (vtimer_pit_clock), so under QEMU's -icount every count a guest reads
 * is deterministic.  Deadlines: the alarm in TSC cycles, PIT channel 0's
 * next OUT rising edge in PIT clocks.  The real PIT ticks at HV_TICK_HZ
 * while a guest timer is armed (and is masked otherwise, so an idle
 * guest costs no exits); each tick checks the deadlines.
 */
#include "hv.h"
#include "vdev.h"
#include "vpit.h"
#include "portb.h"

#define HV_TICK_HZ      1000u
#define PIT_CH0         0x40u
#define PIT_CH2         0x42u
#define PIT_CMD         0x43u
#define PIT_CH0_RATE    0x34u      /* channel 0, lo/hi, mode 2 (rate generator) */
#define PIT_CH2_ONESHOT 0xB0u      /* channel 2, lo/hi, mode 0 */
#define PORT_B          0x61u
#define CALIBRATE_DIV   100u       /* measure for 1/100 s */
#define PIC1_DATA       0x21u
#define IRQ0_MASK       0x01u
#define GUEST_CH0       0u

struct deadline {
    int armed;
    uint64_t at, period;           /* TSC cycles; period 0: one-shot */
};

static struct deadline alarm;
static uint64_t tsc_hz, tsc_boot;
static struct pit vpit;             /* the guest's 8254 */
static uint8_t portb_bits;          /* the guest's writable port 61h bits */
static int ch0_armed;               /* IRQ 0 comes at PIT clock ch0_next */
static uint64_t ch0_next;

/* Count TSC cycles across 10 ms of PIT channel 2 (the speaker timer). */
static uint64_t calibrate_tsc(void)
{
    uint32_t count = PIT_HZ / CALIBRATE_DIV;
    outb(PORT_B, (uint8_t)((inb(PORT_B) & ~PORTB_SPEAKER) | PORTB_GATE2));
    outb(PIT_CMD, PIT_CH2_ONESHOT);
    outb(PIT_CH2, (uint8_t)count);
    outb(PIT_CH2, (uint8_t)(count >> 8));
    uint64_t start = rdtsc();
    while (!(inb(PORT_B) & PORTB_OUT2))
        ;
    return (rdtsc() - start) * CALIBRATE_DIV;
}

/* Measure the TSC and start the real tick (masked until a timer is armed). */
void vtimer_init(void)
{
    tsc_hz = calibrate_tsc();
    uint32_t div = PIT_HZ / HV_TICK_HZ;
    outb(PIT_CMD, PIT_CH0_RATE);
    outb(PIT_CH0, (uint8_t)div);
    outb(PIT_CH0, (uint8_t)(div >> 8));
    hv_info("hv: TSC %u kHz\n", (uint32_t)udiv64(tsc_hz, 1000));
    pit_reset(&vpit);
    tsc_boot = rdtsc();
}

/* PIT input clocks since boot: floor(cycles * PIT_HZ / tsc_hz), split so
 * that nothing overflows for centuries of uptime (rest * PIT_HZ < 2^55
 * for any TSC below 16 GHz). */
uint64_t vtimer_pit_clock(void)
{
    uint64_t cycles = rdtsc() - tsc_boot;
    uint64_t secs = udiv64(cycles, tsc_hz);
    uint64_t rest = cycles - secs * tsc_hz;
    return secs * PIT_HZ + udiv64(rest * PIT_HZ, tsc_hz);
}

/* The TSC value at PIT clock t (the inverse, rounded up). */
static uint64_t pit_clock_tsc(uint64_t t)
{
    uint64_t secs = udiv64(t, PIT_HZ), rest = t - secs * PIT_HZ;
    return tsc_boot + secs * tsc_hz + udiv64(rest * tsc_hz + PIT_HZ - 1, PIT_HZ);
}

uint64_t vtimer_tsc_hz(void)
{
    return tsc_hz;
}

/* Unmask the real timer line exactly while a guest timer is armed. */
static void update_mask(void)
{
    uint8_t m = inb(PIC1_DATA);
    m = (ch0_armed || alarm.armed) ? m & (uint8_t)~IRQ0_MASK : m | IRQ0_MASK;
    outb(PIC1_DATA, m);
}

/* Fire d if due: raise IRQ 0, then re-arm a periodic deadline.  A next
 * deadline past the counter's range is never reached: one-shot after all. */
static void check(struct deadline *d, uint64_t now)
{
    if (!d->armed || now < d->at)
        return;
    vpic_raise(0);
    if (!d->period || d->period > UINT64_MAX - d->at) {
        d->armed = 0;
        return;
    }
    d->at += d->period;
    if (d->at <= now && d->period <= UINT64_MAX - now)
        d->at = now + d->period;          /* fell behind: skip, don't flood */
}

/* Channel 0's next IRQ 0: its OUT's next rising edge after now. */
static void ch0_schedule(uint64_t now)
{
    ch0_armed = pit_next_rise(&vpit, GUEST_CH0, now, &ch0_next);
}

/* The real tick: fire whatever is due.  Channel 0 raises IRQ 0 once for
 * the edges since the last tick (fell behind: skip, don't flood). */
void vtimer_tick(void)
{
    if (ch0_armed) {
        uint64_t clk = vtimer_pit_clock();
        if (clk >= ch0_next) {
            vpic_raise(0);
            ch0_schedule(clk);
        }
    }
    check(&alarm, rdtsc());
    update_mask();
}

/* Serve the guest's access to ports 40h-43h (the 8254) and 61h (port
 * B); 1 if it was one of them. */
int vpit_port(uint16_t port, int out, uint32_t *value)
{
    uint64_t now = vtimer_pit_clock();
    if (port == PORT_B) {
        if (out)
            portb_bits = portb_write(&vpit, (uint8_t)*value, now);
        else
            *value = portb_read(&vpit, portb_bits, now);
        return 1;
    }
    if (port < PIT_CH0 || port > PIT_CMD)
        return 0;
    if (!out) {
        *value = pit_read(&vpit, port - PIT_CH0, now);
        return 1;
    }
    pit_write(&vpit, port - PIT_CH0, (uint8_t)*value, now);
    if (port == PIT_CH0 || port == PIT_CMD) {
        ch0_schedule(now);
        update_mask();
    }
    return 1;
}

/* VMI SetAlarm: fire at TSC expiry, then every period (0: once).  An
 * alarm on the stolen-time counter, which stays 0 here, fires only if it
 * is due at 0. */
void vtimer_set_alarm(uint32_t flags, uint64_t expiry, uint64_t period)
{
    if ((flags & VMI_ALARM_COUNTER_MASK) == VMI_CYCLES_STOLEN) {
        alarm.armed = expiry == 0;
        alarm.at = 0, alarm.period = 0;
        update_mask();
        return;
    }
    alarm.armed = 1;
    alarm.at = expiry;
    alarm.period = (flags & VMI_ALARM_PERIODIC) ? period : 0;
    update_mask();
}

/* VMI CancelAlarm: 1 if an alarm was armed. */
int vtimer_cancel_alarm(void)
{
    int was = alarm.armed;
    alarm.armed = 0;
    update_mask();
    return was;
}

/* Will an armed guest timer fire within `seconds` from now (so that a
 * halted guest wakes)?  A deadline further off counts as never: an alarm
 * at TSC 2^64-1 is armed, yet no machine reaches it. */
int vtimer_fires_within(uint32_t seconds)
{
    uint64_t now = rdtsc(), horizon = now + tsc_hz * seconds;
    if (ch0_armed && pit_clock_tsc(ch0_next) <= horizon)
        return 1;
    return alarm.armed && alarm.at <= horizon;
}
