/*
 * vcmos.c - the guest's CMOS RAM and MC146818 real-time clock, emulated
 * in full.  Pure logic.
 *
 * Emulated, never passed through: the real CMOS holds the host's own
 * configuration and clock, which a guest may neither read nor change.
 * The guest's clock is the hypervisor's wall clock (the one VMI
 * GetWallclockTime returns) plus the offset the guest set by writing the
 * time registers; with no write they show the same time, to the second,
 * as GetWallclockTime does.
 *
 * Registers (Motorola MC146818A datasheet; QEMU's hw/rtc/mc146818rtc.c
 * behaves the same where noted):
 *   00h-09h  seconds, alarm seconds, minutes, alarm minutes, hours, alarm
 *            hours, day of week (1 = Sunday), day, month, year: BCD or
 *            binary by B.DM, hours 12h (bit 7 = PM) or 24h by B.24/12,
 *            formatted as B says at each read, like QEMU's;
 *   0Ah (A)  bit 7 UIP, read only: set for the last 244 us of every second
 *            while the clock runs (the time registers stay stable and
 *            valid until it clears); bits 6-4 divider (010 runs, 11x holds
 *            the clock in reset), bits 3-0 periodic rate;
 *   0Bh (B)  SET (freezes the time registers for writing; clears UIE), PIE,
 *            AIE, UIE, SQWE, DM, 24/12, DSE (stored, no daylight saving);
 *   0Ch (C)  IRQF PF AF UF, read only, cleared by a read: set as time
 *            passes (UF at every second, PF at the periodic rate, AF when
 *            the time matches the alarm; C0h-FFh in an alarm byte matches
 *            any value);
 *   0Dh (D)  VRT: 80h, the battery is fine;
 *   0Eh-7Fh  NVRAM: what a PC BIOS leaves there (cmos_reset), then
 *            whatever the guest writes; 32h is the century, 37h an alias.
 * Reading port 70h gives FFh (the index is write-only), as on QEMU.  The
 * NMI mask bit is kept but masks nothing: the guest has no NMI source.
 * IRQ 8 is never raised: the flags in C are there to poll, and a guest
 * that enables PIE, AIE or UIE gets no interrupt (spec section 9, Ports).
 */
#include "vcmos.h"
#include "divsmall.h"

enum {
    RTC_SEC = 0x00, RTC_SEC_ALARM = 0x01, RTC_MIN = 0x02, RTC_MIN_ALARM = 0x03,
    RTC_HOUR = 0x04, RTC_HOUR_ALARM = 0x05, RTC_WDAY = 0x06, RTC_MDAY = 0x07,
    RTC_MONTH = 0x08, RTC_YEAR = 0x09, RTC_A = 0x0A, RTC_B = 0x0B, RTC_C = 0x0C,
    RTC_D = 0x0D, CMOS_SHUTDOWN = 0x0F, CMOS_FLOPPY = 0x10, CMOS_DISK = 0x12,
    CMOS_EQUIPMENT = 0x14, CMOS_BASE_LO = 0x15, CMOS_BASE_HI = 0x16,
    CMOS_EXT_LO = 0x17, CMOS_EXT_HI = 0x18, CMOS_CKSUM_HI = 0x2E, CMOS_CKSUM_LO = 0x2F,
    CMOS_EXT2_LO = 0x30, CMOS_EXT2_HI = 0x31, RTC_CENTURY = 0x32,
    CMOS_ABOVE16M_LO = 0x34, CMOS_ABOVE16M_HI = 0x35, RTC_CENTURY_PS2 = 0x37,
    CMOS_CPUS = 0x5F,
};
#define CKSUM_FIRST     0x10u     /* the IBM AT checksum covers 10h-2Dh        */
#define CKSUM_LAST      0x2Du
#define INDEX_NMI_OFF   0x80u
#define INDEX_MASK      0x7Fu
#define A_UIP           0x80u
#define A_DIVIDER       0x70u
#define A_DIVIDER_RUN   0x20u     /* 010: 32.768 kHz time base, running        */
#define A_RATE          0x0Fu
#define A_DEFAULT       0x26u     /* divider running, 1024 Hz (what BIOSes set) */
#define B_SET           0x80u
#define B_PIE           0x40u
#define B_AIE           0x20u
#define B_UIE           0x10u
#define B_DM_BINARY     0x04u
#define B_24H           0x02u
#define B_DEFAULT       B_24H     /* BCD, 24-hour: SeaBIOS's and QEMU's        */
#define C_IRQF          0x80u
#define C_PF            0x40u
#define C_AF            0x20u
#define C_UF            0x10u
#define D_VRT           0x80u
#define HOUR_PM         0x80u
#define ALARM_ANY       0xC0u     /* C0h-FFh: "don't care"                     */
#define EQUIPMENT_FPU   0x02u     /* no floppy, no PS/2 mouse, EGA/VGA video   */
#define BASE_KB         640u
#define UIP_US          244u      /* 8 / 32768 s: the update cycle's warning   */
#define US_PER_SEC      1000000u
#define TICK_HZ_DIV     125000u   /* 32768 Hz ticks = us * 4096 / 125000       */
#define TICK_HZ_MUL     4096u
#define TICK_SHIFT      15        /* 32768 ticks a second                      */
#define SECS_PER_DAY    86400u
#define DAYS_PER_ERA    146097    /* days in 400 Gregorian years               */
#define BIAS_ERAS       8         /* keep biased day counts positive           */
#define MAX_SCAN_SECS   SECS_PER_DAY   /* one day covers every alarm pattern    */

/* ---- calendar arithmetic (days since 1970-01-01, proleptic Gregorian) ---- */

/* Days since the epoch of y-m-d (Hinnant's days_from_civil). */
static int32_t days_from_civil(int32_t y, uint32_t m, uint32_t d)
{
    y -= m <= 2;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    uint32_t yoe = (uint32_t)(y - era * 400);
    uint32_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * DAYS_PER_ERA + (int32_t)doe - 719468;
}

/* y-m-d of a day since the epoch (Hinnant's civil_from_days). */
static void civil_from_days(int32_t z, int32_t *y, uint32_t *m, uint32_t *d)
{
    z += 719468;
    int32_t era = (z >= 0 ? z : z - DAYS_PER_ERA + 1) / DAYS_PER_ERA;
    uint32_t doe = (uint32_t)(z - era * DAYS_PER_ERA);
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint32_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int32_t)yoe + era * 400 + (*m <= 2);
}

/* Split seconds since the epoch into days and the second of the day. */
static void split_secs(int64_t secs, int32_t *days, uint32_t *sod)
{
    const int64_t bias = (int64_t)BIAS_ERAS * DAYS_PER_ERA;
    uint64_t s = (uint64_t)(secs + bias * SECS_PER_DAY), q;
    uint32_t r = div_small(s >> 7, SECS_PER_DAY >> 7, &q);   /* 86400 = 675 * 128 */
    *days = (int32_t)((int64_t)q - bias);
    *sod = r * 128u + (uint32_t)(s & 127u);
}

/* ---- register formats ---- */

static int binary(const struct cmos *c) { return c->ram[RTC_B] & B_DM_BINARY; }

/* n (0-99) in the current format. */
static uint8_t to_reg(const struct cmos *c, uint32_t n)
{
    return (uint8_t)(binary(c) ? n : ((n / 10) << 4) | (n % 10));
}

/* A register in the current format as a number. */
static uint32_t from_reg(const struct cmos *c, uint8_t v)
{
    return binary(c) ? v : (uint32_t)(v >> 4) * 10 + (v & 0xFu);
}

/* The hour register for hour h (0-23) in the current 12/24h format. */
static uint8_t hour_reg(const struct cmos *c, uint32_t h)
{
    if (c->ram[RTC_B] & B_24H)
        return to_reg(c, h);
    uint32_t h12 = h % 12 ? h % 12 : 12;
    return (uint8_t)(to_reg(c, h12) | (h >= 12 ? HOUR_PM : 0));
}

/* The hour (0-23) an hour register means in the current format. */
static uint32_t hour_of(const struct cmos *c, uint8_t v)
{
    if (c->ram[RTC_B] & B_24H)
        return from_reg(c, v);
    return from_reg(c, (uint8_t)(v & ~HOUR_PM)) % 12 + (v & HOUR_PM ? 12 : 0);
}

/* Write the time registers for RTC time secs into ram, as B says. */
static void present(struct cmos *c, int64_t secs)
{
    int32_t days, y;
    uint32_t sod, m, d;
    split_secs(secs, &days, &sod);
    civil_from_days(days, &y, &m, &d);
    c->ram[RTC_SEC] = to_reg(c, sod % 60);
    c->ram[RTC_MIN] = to_reg(c, sod / 60 % 60);
    c->ram[RTC_HOUR] = hour_reg(c, sod / 3600);
    c->ram[RTC_WDAY] = to_reg(c, (uint32_t)((days % 7 + 11) % 7) + 1);   /* 1970-01-01: Thursday */
    c->ram[RTC_MDAY] = to_reg(c, d);
    c->ram[RTC_MONTH] = to_reg(c, m);
    c->ram[RTC_YEAR] = to_reg(c, (uint32_t)y % 100);
    c->ram[RTC_CENTURY] = to_reg(c, (uint32_t)y / 100 % 100);
}

/* The RTC time the time registers in ram say, in seconds since the epoch. */
static int64_t parsed(const struct cmos *c)
{
    uint32_t m = from_reg(c, c->ram[RTC_MONTH]), d = from_reg(c, c->ram[RTC_MDAY]);
    int32_t y = (int32_t)(from_reg(c, c->ram[RTC_CENTURY]) * 100 + from_reg(c, c->ram[RTC_YEAR]));
    int64_t days = days_from_civil(y, m >= 1 && m <= 12 ? m : 1, d);
    return days * SECS_PER_DAY + hour_of(c, c->ram[RTC_HOUR]) * 3600 +
           from_reg(c, c->ram[RTC_MIN]) * 60 + from_reg(c, c->ram[RTC_SEC]);
}

/* ---- the clock ---- */

/* Is register i one of the clock's time registers (not an alarm)? */
static int time_reg(uint8_t i)
{
    return (i <= RTC_YEAR && i != RTC_SEC_ALARM && i != RTC_MIN_ALARM && i != RTC_HOUR_ALARM) ||
           i == RTC_CENTURY;
}

/* Does the clock run: SET clear and the divider counting? */
static int running(const struct cmos *c)
{
    return !(c->ram[RTC_B] & B_SET) && (c->ram[RTC_A] & A_DIVIDER) <= A_DIVIDER_RUN;
}

/* The guest's RTC seconds at wall time now. */
static int64_t rtc_secs(const struct cmos *c, const struct wall_time *now)
{
    return (int64_t)now->secs + c->offset;
}

/* Does the alarm match second-of-day sod?  (C0h-FFh in an alarm byte
 * matches any value.) */
static int alarm_at(const struct cmos *c, uint32_t sod)
{
    static const uint8_t alarm[] = { RTC_SEC_ALARM, RTC_MIN_ALARM, RTC_HOUR_ALARM };
    const uint8_t now[] = { to_reg(c, sod % 60), to_reg(c, sod / 60 % 60), hour_reg(c, sod / 3600) };
    for (uint32_t i = 0; i < sizeof(alarm); i++) {
        uint8_t a = c->ram[alarm[i]];
        if ((a & ALARM_ANY) != ALARM_ANY && a != now[i])
            return 0;
    }
    return 1;
}

/* 32768 Hz ticks since the epoch at wall time t. */
static uint64_t ticks_at(const struct wall_time *t)
{
    return (t->secs << TICK_SHIFT) + t->usec * TICK_HZ_MUL / TICK_HZ_DIV;   /* < 2^32 */
}

/* The periodic interrupt's period as a power of two of 32768 Hz ticks
 * (rate 1: 2^7 = 3.90625 ms, 2: 2^8, 3-15: 2^(rate-1)); -1 for rate 0. */
static int period_shift(const struct cmos *c)
{
    int rs = c->ram[RTC_A] & A_RATE;
    return !rs ? -1 : rs <= 2 ? rs + 6 : rs - 1;
}

/* Bring register C's flags up to wall time now. */
static void update_flags(struct cmos *c, const struct wall_time *now)
{
    uint64_t from = c->flags_at, to = ticks_at(now);
    c->flags_at = to;
    if (!running(c) || to <= from)
        return;
    int shift = period_shift(c);
    if (shift >= 0 && (to >> shift) != (from >> shift))
        c->ram[RTC_C] |= C_PF;
    uint64_t first = (from >> TICK_SHIFT) + 1, last = to >> TICK_SHIFT;
    if (last >= first)
        c->ram[RTC_C] |= C_UF;
    if (last - first + 1 > MAX_SCAN_SECS && last >= first)
        first = last - MAX_SCAN_SECS + 1;
    int32_t days;
    uint32_t sod;
    split_secs((int64_t)first + c->offset, &days, &sod);
    for (uint64_t s = first; s <= last && !(c->ram[RTC_C] & C_AF); s++) {
        if (alarm_at(c, sod))
            c->ram[RTC_C] |= C_AF;
        sod = sod + 1 == SECS_PER_DAY ? 0 : sod + 1;
    }
    uint8_t on = c->ram[RTC_C] & c->ram[RTC_B] & (C_PF | C_AF | C_UF);
    if (on)
        c->ram[RTC_C] |= C_IRQF;
}

/* Write register A or B (index) with v: stopping the clock freezes the
 * time registers (in the old format, as QEMU's do), starting it sets the
 * clock from them. */
static void write_control(struct cmos *c, uint8_t index, uint8_t v, const struct wall_time *now)
{
    int was = running(c);
    update_flags(c, now);
    if (index == RTC_A) {
        v = (uint8_t)((v & ~A_UIP) | (c->ram[RTC_A] & A_UIP));
    } else if (v & B_SET) {
        v &= (uint8_t)~B_UIE;             /* SET clears UIE (datasheet) */
    }
    uint8_t old = c->ram[index];
    c->ram[index] = v;
    int now_running = running(c);
    c->ram[index] = old;
    if (was && !now_running)
        present(c, rtc_secs(c, now));
    c->ram[index] = v;
    if (!was && now_running) {
        c->offset = parsed(c) - (int64_t)now->secs;
        c->flags_at = ticks_at(now);
    }
    if (index == RTC_B && !(c->ram[RTC_C] & c->ram[RTC_B] & (C_PF | C_AF | C_UF)))
        c->ram[RTC_C] &= (uint8_t)~C_IRQF;
}

/* The IBM AT checksum of 10h-2Dh, kept at 2Eh (high) and 2Fh. */
static void checksum(struct cmos *c)
{
    uint32_t sum = 0;
    for (uint32_t i = CKSUM_FIRST; i <= CKSUM_LAST; i++)
        sum += c->ram[i];
    c->ram[CMOS_CKSUM_HI] = (uint8_t)(sum >> 8);
    c->ram[CMOS_CKSUM_LO] = (uint8_t)sum;
}

/* A 16-bit little-endian CMOS word at lo, capped at FFFFh. */
static void put_word(struct cmos *c, uint32_t lo, uint32_t v)
{
    v = v > 0xFFFFu ? 0xFFFFu : v;
    c->ram[lo] = (uint8_t)v;
    c->ram[lo + 1] = (uint8_t)(v >> 8);
}

/* Power on, as a PC BIOS leaves it: the clock at the wall time, BCD and
 * 24-hour, and the configuration bytes QEMU's BIOS interface fills for a
 * machine with ext_kb KiB above 1 MiB, one CPU with an FPU and no floppy,
 * disk or PS/2 mouse. */
void cmos_reset(struct cmos *c, uint32_t ext_kb, const struct wall_time *now)
{
    *c = (struct cmos){ .flags_at = ticks_at(now) };
    c->ram[RTC_A] = A_DEFAULT;
    c->ram[RTC_B] = B_DEFAULT;
    c->ram[RTC_D] = D_VRT;
    c->ram[CMOS_EQUIPMENT] = EQUIPMENT_FPU;
    put_word(c, CMOS_BASE_LO, BASE_KB);
    put_word(c, CMOS_EXT_LO, ext_kb);
    put_word(c, CMOS_EXT2_LO, ext_kb);
    put_word(c, CMOS_ABOVE16M_LO, ext_kb > 15u * 1024 ? (ext_kb - 15u * 1024) / 64 : 0);
    checksum(c);
    present(c, rtc_secs(c, now));
}

/* A read of port 70h + port at wall time now. */
uint8_t cmos_read(struct cmos *c, uint32_t port, const struct wall_time *now)
{
    if (port == CMOS_PORT_INDEX)
        return 0xFF;
    uint8_t i = c->index, v;
    if (i == RTC_CENTURY_PS2)
        i = RTC_CENTURY;
    if (time_reg(i)) {
        if (running(c))
            present(c, rtc_secs(c, now));
        return c->ram[i];
    }
    switch (i) {
    case RTC_A:
        v = c->ram[RTC_A];
        if (running(c) && now->usec >= US_PER_SEC - UIP_US)
            v |= A_UIP;
        return v;
    case RTC_C:
        update_flags(c, now);
        v = c->ram[RTC_C];
        c->ram[RTC_C] = 0;
        return v;
    default:
        return c->ram[i];
    }
}

/* A write of v to port 70h + port at wall time now. */
void cmos_write(struct cmos *c, uint32_t port, uint8_t v, const struct wall_time *now)
{
    if (port == CMOS_PORT_INDEX) {
        c->index = v & INDEX_MASK;
        c->nmi_masked = (v & INDEX_NMI_OFF) != 0;
        return;
    }
    uint8_t i = c->index == RTC_CENTURY_PS2 ? RTC_CENTURY : c->index;
    if (i == RTC_A || i == RTC_B) {
        write_control(c, i, v, now);
    } else if (i == RTC_C || i == RTC_D) {
        return;                           /* read only */
    } else if (time_reg(i)) {
        int run = running(c);
        if (run) {
            update_flags(c, now);
            present(c, rtc_secs(c, now));
        }
        c->ram[i] = v;
        if (run)                          /* a running clock is set at once */
            c->offset = parsed(c) - (int64_t)now->secs;
    } else {
        c->ram[i] = v;
    }
}
