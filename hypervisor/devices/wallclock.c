/*
 * wallclock.c - the guest's wall clock: the host's real RTC, read once at
 * boot, advanced by the hypervisor's time base (vtimer_pit_clock).  Ring 0.
 *
 * VMI GetWallclockTime and the virtual CMOS clock (board.c) both read
 * it, so they agree.  The real CMOS is read here and nowhere else, and
 * never written: it holds the host's own state.
 */
#include "hv.h"
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
#define RTC_STATUS_D 0x0Du      /* the index left behind: NMIs unmasked again */
#define RTC_UPDATING 0x80u
#define RTC_BINARY   0x04u
#define RTC_24H      0x02u
#define RTC_PM       0x80u
#define SECS_PER_DAY 86400u
#define US_PER_SEC   1000000u

static uint64_t boot_secs;          /* the real RTC at boot, seconds since the epoch */
static uint64_t boot_clock;         /* the PIT clock then */

/* One real CMOS register (NMIs stay masked while the index is set). */
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

/* Read the real RTC once (after any update cycle) and note the time base. */
void wallclock_init(void)
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
    boot_secs = (uint64_t)days * SECS_PER_DAY + hour * 3600u +
                rtc_field(cmos(RTC_MIN), bin) * 60u + rtc_field(cmos(RTC_SEC), bin);
    boot_clock = vtimer_pit_clock();
    outb(CMOS_INDEX, RTC_STATUS_D);     /* bit 7 clear: the chipset passes NMIs again */
}

/* The wall clock now. */
void wallclock_now(struct wall_time *t)
{
    uint64_t clocks = vtimer_pit_clock() - boot_clock;
    uint64_t secs = udiv64(clocks, PIT_HZ);
    uint64_t rest = clocks - secs * PIT_HZ;
    t->secs = boot_secs + secs;
    t->usec = (uint32_t)udiv64(rest * US_PER_SEC, PIT_HZ);
}
