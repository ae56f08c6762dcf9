/*
 * vtimer.c - the guest's timers: PIT channel 0 (ports 40h-43h) and the
 * VMI alarm, both raising virtual IRQ 0.  Ring 0.
 *
 * Deadlines are kept in TSC cycles.  The real PIT ticks at HV_TICK_HZ while
 * a guest timer is armed (and is masked otherwise, so an idle guest costs
 * no exits); each tick checks the deadlines.  The TSC frequency is measured
 * once at boot against PIT channel 2.
 */
#include "hv.h"
#include "vdev.h"

#define PIT_HZ          1193182u
#define HV_TICK_HZ      1000u
#define PIT_CH0         0x40u
#define PIT_CH2         0x42u
#define PIT_CMD         0x43u
#define PIT_CH0_RATE    0x34u      /* channel 0, lo/hi, mode 2 (rate generator) */
#define PIT_CH2_ONESHOT 0xB0u      /* channel 2, lo/hi, mode 0 */
#define PIT_MODE(cmd)   (((cmd) >> 1) & 7u)
#define PIT_CHANNEL(cmd) ((cmd) >> 6)
#define PIT_ACCESS(cmd) (((cmd) >> 4) & 3u)
#define PIT_MODE_ONESHOT 0u
#define PORT_B          0x61u
#define PORT_B_GATE     0x01u
#define PORT_B_SPEAKER  0x02u
#define PORT_B_OUT2     0x20u
#define CALIBRATE_DIV   100u       /* measure for 1/100 s */
#define PIC1_DATA       0x21u
#define IRQ0_MASK       0x01u
#define PIT_FULL_COUNT  65536u     /* a count of 0 means 65536 */

struct deadline {
    int armed;
    uint64_t at, period;           /* TSC cycles; period 0: one-shot */
};

static struct deadline pit_timer, alarm;
static uint64_t tsc_hz;
static uint32_t pit_count, pit_mode, pit_lobyte_next;

/* Count TSC cycles across 10 ms of PIT channel 2 (the speaker timer). */
static uint64_t calibrate_tsc(void)
{
    uint32_t count = PIT_HZ / CALIBRATE_DIV;
    outb(PORT_B, (uint8_t)((inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE));
    outb(PIT_CMD, PIT_CH2_ONESHOT);
    outb(PIT_CH2, (uint8_t)count);
    outb(PIT_CH2, (uint8_t)(count >> 8));
    uint64_t start = rdtsc();
    while (!(inb(PORT_B) & PORT_B_OUT2))
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
}

uint64_t vtimer_tsc_hz(void)
{
    return tsc_hz;
}

/* Unmask the real timer line exactly while a guest timer is armed. */
static void update_mask(void)
{
    uint8_t m = inb(PIC1_DATA);
    m = (pit_timer.armed || alarm.armed) ? m & (uint8_t)~IRQ0_MASK : m | IRQ0_MASK;
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

/* The real tick: fire whatever is due. */
void vtimer_tick(void)
{
    uint64_t now = rdtsc();
    check(&pit_timer, now);
    check(&alarm, now);
    update_mask();
}

/* Arm PIT channel 0 from the count the guest just finished writing. */
static void pit_start(void)
{
    uint32_t count = pit_count ? pit_count : PIT_FULL_COUNT;
    uint64_t cycles = udiv64((uint64_t)count * tsc_hz, PIT_HZ);
    pit_timer.armed = 1;
    pit_timer.at = rdtsc() + cycles;
    pit_timer.period = pit_mode == PIT_MODE_ONESHOT ? 0 : cycles;
    update_mask();
}

/* Serve the guest's access to ports 40h-43h; only channel 0 counts. */
int vpit_port(uint16_t port, int out, uint32_t *value)
{
    if (!out) {
        *value = 0;                       /* no latch read-back */
        return 1;
    }
    if (port == PIT_CMD) {
        if (PIT_CHANNEL(*value) == 0 && PIT_ACCESS(*value)) {
            pit_mode = PIT_MODE(*value);
            pit_lobyte_next = 1;
            pit_timer.armed = 0;
            update_mask();
        }
    } else if (port == PIT_CH0) {
        if (pit_lobyte_next) {
            pit_count = *value & 0xFFu;
            pit_lobyte_next = 0;
        } else {
            pit_count |= (*value & 0xFFu) << 8;
            pit_lobyte_next = 1;
            pit_start();
        }
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
    const struct deadline *d[] = { &pit_timer, &alarm };
    for (uint32_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
        if (d[i]->armed && d[i]->at <= horizon)
            return 1;
    return 0;
}
