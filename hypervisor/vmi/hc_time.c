/*
 * hc_time.c - VMI time calls: cycle counter and frequency, wall clock.
 * Ring 0.  The cycle counter is the TSC (vtimer.c measures its rate); the
 * alarm is vtimer.c's; the wall clock comes from the CMOS RTC.
 */
#include "hypercall.h"
#include "vdev.h"

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

/* GetCycleFrequency: TSC cycles per second, measured at boot. */
void hc_GetCycleFrequency(struct trapframe *tf)
{
    uint64_t hz = vtimer_tsc_hz();
    tf->eax = (uint32_t)hz;
    tf->edx = (uint32_t)(hz >> 32);
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

/* SetAlarm(flags, expiry, period): EAX = flags, EDX:ECX = expiry (low,
 * high), the period on the stack (low, high).  Only IRQ 0 wiring exists. */
void hc_SetAlarm(struct trapframe *tf)
{
    uint32_t period_lo = hc_arg4(tf), period_hi;
    if (guest_read(tf->esp + 8, &period_hi, sizeof(period_hi)))
        hc_page_fault(tf, tf->esp + 8, sizeof(period_hi), 0);
    if (tf->eax & VMI_ALARM_WIRED_LVTT)
        guest_terminate(tf, "SetAlarm", "alarm wired to the local APIC timer: "
                        "this hypervisor has no virtual APIC (use IRQ 0)");
    vtimer_set_alarm(tf->eax, tf->edx | ((uint64_t)tf->ecx << 32),
                     period_lo | ((uint64_t)period_hi << 32));
}

/* CancelAlarm(flags): 1 if an alarm was armed. */
void hc_CancelAlarm(struct trapframe *tf)
{
    tf->eax = (uint32_t)vtimer_cancel_alarm();
}
