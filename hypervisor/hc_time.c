/*
 * hc_time.c - VMI time calls: cycle counter and frequency, wall clock.
 * Ring 0.  The cycle counter is the TSC; its frequency is measured once
 * against PIT channel 2; the wall clock comes from the CMOS RTC.
 */
#include "hypercall.h"

#define PIT_HZ          1193182u
#define PIT_CH2         0x42u
#define PIT_CMD         0x43u
#define PIT_CH2_ONESHOT 0xB0u      /* channel 2, lo/hi, mode 0, binary */
#define PORT_B          0x61u      /* bit 0: ch2 gate, bit 5: ch2 output */
#define PORT_B_GATE     0x01u
#define PORT_B_SPEAKER  0x02u
#define PORT_B_OUT2     0x20u
#define CALIBRATE_DIV   100u       /* measure for 1/100 s */
#define CMOS_INDEX      0x70u
#define CMOS_DATA       0x71u
#define CMOS_NMI_OFF    0x80u
#define RTC_SEC 0x00u
#define RTC_MIN 0x02u
#define RTC_HOUR 0x04u
#define RTC_DAY 0x07u
#define RTC_MON 0x08u
#define RTC_YEAR 0x09u
#define RTC_STATUS_A 0x0Au
#define RTC_STATUS_B 0x0Bu
#define RTC_UPDATING 0x80u
#define RTC_BINARY   0x04u
#define RTC_24H      0x02u
#define RTC_PM       0x80u
#define NSEC_PER_SEC 1000000000ull
#define SECS_PER_DAY 86400u

static uint64_t tsc_hz;

/* Count TSC ticks across 10 ms of PIT channel 2 (the speaker timer). */
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

void hc_GetCycleFrequency(struct trapframe *tf)
{
    if (!tsc_hz)
        tsc_hz = calibrate_tsc();
    tf->eax = (uint32_t)tsc_hz;
    tf->edx = (uint32_t)(tsc_hz >> 32);
}

/* GetCycleCounter(which): REAL and AVAILABLE are the TSC (one guest, never
 * descheduled); STOLEN is zero for the same reason. */
void hc_GetCycleCounter(struct trapframe *tf)
{
    uint64_t t = tf->eax == VMI_CYCLES_STOLEN ? 0 : rdtsc();
    if (tf->eax > VMI_CYCLES_STOLEN)
        hc_fault(tf, T_GP, 0);
    tf->eax = (uint32_t)t;
    tf->edx = (uint32_t)(t >> 32);
}

/* One CMOS register. */
static uint8_t cmos(uint8_t reg)
{
    outb(CMOS_INDEX, (uint8_t)(CMOS_NMI_OFF | reg));
    return inb(CMOS_DATA);
}

/* A BCD or binary RTC field as a number. */
static uint32_t rtc_field(uint8_t v, int binary)
{
    return binary ? v : (uint32_t)(v >> 4) * 10 + (v & 0xFu);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, y >= 1970). */
static uint32_t days_since_epoch(uint32_t y, uint32_t m, uint32_t d)
{
    static const uint16_t before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    uint32_t days = (y - 1970) * 365 + (y - 1969) / 4 - (y - 1901) / 100 + (y - 1601) / 400;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days + before[(m - 1) % 12] + (leap && m > 2) + d - 1;
}

/* GetWallclockTime: nanoseconds since the epoch, from the RTC. */
void hc_GetWallclockTime(struct trapframe *tf)
{
    while (cmos(RTC_STATUS_A) & RTC_UPDATING)
        ;
    uint8_t b = cmos(RTC_STATUS_B);
    int bin = b & RTC_BINARY;
    uint8_t hour_raw = cmos(RTC_HOUR);
    uint32_t hour = rtc_field(hour_raw & (uint8_t)~RTC_PM, bin);
    if (!(b & RTC_24H) && (hour_raw & RTC_PM))
        hour = (hour % 12) + 12;
    uint32_t days = days_since_epoch(2000 + rtc_field(cmos(RTC_YEAR), bin),
                                     rtc_field(cmos(RTC_MON), bin), rtc_field(cmos(RTC_DAY), bin));
    uint64_t secs = (uint64_t)days * SECS_PER_DAY + hour * 3600u +
                    rtc_field(cmos(RTC_MIN), bin) * 60u + rtc_field(cmos(RTC_SEC), bin);
    uint64_t ns = secs * NSEC_PER_SEC;
    tf->eax = (uint32_t)ns;
    tf->edx = (uint32_t)(ns >> 32);
}

/* WallclockUpdated: the wall clock is never stepped behind the guest. */
void hc_WallclockUpdated(struct trapframe *tf) { tf->eax = 0; }
