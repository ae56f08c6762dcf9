/*
 * vcmos-test.c - host tests of hypervisor/devices/vcmos.c, the CMOS RAM
 * and MC146818 RTC: register formats, UIP, SET, setting the clock, the
 * flags of register C, the index's NMI bit and the BIOS configuration
 * bytes.  Times are written out by hand (2026-12-06 12:34:56 UTC, a
 * Sunday, is 1796560496 s after the epoch; `date -ud @1796560496`).
 */
#include <stdio.h>
#include "check.h"
#include "vcmos.h"

#define NOW_SECS   1796560496ull   /* 2026-12-06 12:34:56 UTC, Sunday */
#define EXT_KB     (31u * 1024)    /* a 32 MiB guest */
#define REG_A 0x0Au
#define REG_B 0x0Bu
#define REG_C 0x0Cu
#define REG_D 0x0Du
#define UIP   0x80u

static struct cmos c;
static struct wall_time t;

/* Set the wall clock to NOW_SECS + secs, usec. */
static void at(uint64_t secs, uint32_t usec)
{
    t.secs = NOW_SECS + secs;
    t.usec = usec;
}

static uint8_t rd(uint8_t index)
{
    cmos_write(&c, CMOS_PORT_INDEX, index, &t);
    return cmos_read(&c, CMOS_PORT_DATA, &t);
}

static void wr(uint8_t index, uint8_t v)
{
    cmos_write(&c, CMOS_PORT_INDEX, index, &t);
    cmos_write(&c, CMOS_PORT_DATA, v, &t);
}

/* The time registers as "hh:mm:ss wd dd/mm/ccyy" hex bytes. */
static int time_is(uint8_t h, uint8_t m, uint8_t s, uint8_t wd, uint8_t d, uint8_t mo,
                   uint8_t y, uint8_t cent)
{
    return rd(4) == h && rd(2) == m && rd(0) == s && rd(6) == wd && rd(7) == d &&
           rd(8) == mo && rd(9) == y && rd(0x32) == cent;
}

static void formats(void)
{
    at(0, 0);
    cmos_reset(&c, EXT_KB, &t);
    check(rd(REG_A) == 0x26 && rd(REG_B) == 0x02 && rd(REG_D) == 0x80,
          "power on: A 26h, B 02h (BCD, 24 h), D 80h (battery good)", "%s", "no");
    check(time_is(0x12, 0x34, 0x56, 1, 0x06, 0x12, 0x26, 0x20),
          "BCD 24 h: 12:34:56 Sunday(1) 06/12/2026, century 20h", "%02x:%02x:%02x", rd(4), rd(2), rd(0));
    wr(REG_B, 0x06);
    check(time_is(12, 34, 56, 1, 6, 12, 26, 20), "binary (DM): 12:34:56 06/12/2026", "%s", "no");
    wr(REG_B, 0x00);
    check(rd(4) == 0x92, "BCD 12 h: 12:34 reads 12 with the PM bit (92h)", "%02x", rd(4));
    at(3600, 0);
    check(rd(4) == 0x81, "BCD 12 h: 13:34 reads 1 PM (81h)", "%02x", rd(4));
    at((uint64_t)-(12 * 3600 + 4 * 60 + 56), 0);           /* 00:30:00 */
    check(rd(4) == 0x12 && rd(2) == 0x30, "BCD 12 h: 00:30 reads 12 AM (12h)", "%02x", rd(4));
    wr(REG_B, 0x04);
    check(rd(4) == 12, "binary 12 h: 00:30 reads 12 AM (0Ch)", "%02x", rd(4));
    at(0, 0);
    wr(REG_B, 0x02);
    check(rd(0x37) == 0x20, "37h is the century too (20h)", "%02x", rd(0x37));
}

static void uip_and_set(void)
{
    at(0, 999755);
    cmos_reset(&c, EXT_KB, &t);
    check(!(rd(REG_A) & UIP), "UIP clear 245 us before the second ends", "%s", "no");
    at(0, 999756);
    uint8_t a = rd(REG_A);
    check((a & UIP) && rd(0) == 0x56, "UIP set for the last 244 us, the seconds still 56",
          "%02x %02x", a, rd(0));
    at(1, 0);
    check(!(rd(REG_A) & UIP) && rd(0) == 0x57, "then clear, and the seconds read 57", "%s", "no");
    wr(REG_A, 0xA6);
    check(rd(REG_A) == 0x26, "UIP is read-only", "%02x", rd(REG_A));
    wr(REG_B, 0x82 | 0x10);               /* SET (and UIE, which SET clears) */
    check(rd(REG_B) == 0x82, "SET clears UIE", "%02x", rd(REG_B));
    at(1, 999900);
    check(!(rd(REG_A) & UIP), "no UIP while SET holds the clock", "%s", "no");
    at(5, 0);
    check(rd(0) == 0x57, "SET freezes the registers (still 57 four seconds on)", "%02x", rd(0));
    wr(4, 0x23); wr(2, 0x59); wr(0, 0x58); wr(7, 0x31); wr(8, 0x12); wr(9, 0x99); wr(0x32, 0x19);
    at(10, 0);
    wr(REG_B, 0x02);                      /* clear SET: the clock starts from the registers */
    at(12, 0);
    check(time_is(0x00, 0x00, 0x00, 7, 0x01, 0x01, 0x00, 0x20),
          "set to 1999-12-31 23:59:58, two seconds on: 2000-01-01 00:00:00 Saturday(7)",
          "%02x:%02x:%02x %02x/%02x/%02x%02x", rd(4), rd(2), rd(0), rd(7), rd(8), rd(0x32), rd(9));
    wr(9, 0x00); wr(0x32, 0x21); wr(8, 0x02); wr(7, 0x28); wr(4, 0x23); wr(2, 0x59); wr(0, 0x59);
    at(13, 0);
    check(time_is(0x00, 0x00, 0x00, 2, 0x01, 0x03, 0x00, 0x21),
          "written while running: 2100-02-28 23:59:59 + 1 s is 2100-03-01 (no leap day), "
          "Monday(2)", "%02x %02x/%02x", rd(6), rd(7), rd(8));
    wr(REG_A, 0x66);                      /* dividers in reset: the clock stops */
    uint8_t s0 = rd(0);
    at(100, 0);
    check(rd(0) == s0, "dividers held in reset stop the clock", "%s", "no");
    wr(REG_A, 0x26);
}

static void flags(void)
{
    at(0, 500000);
    cmos_reset(&c, EXT_KB, &t);
    rd(REG_C);
    at(0, 501000);
    uint8_t v = rd(REG_C);
    check(v == 0x40, "C: PF after 1 ms at rate 6 (976.5 us), PIE or not (datasheet)", "%02x", v);
    wr(REG_A, 0x20);                      /* no periodic rate */
    at(0, 900000);
    v = rd(REG_C);
    check(v == 0x00, "C: rate 0: nothing within the same second", "%02x", v);
    at(1, 100000);
    v = rd(REG_C);
    check(v & 0x10, "C: UF after a second boundary", "%02x", v);
    check(rd(REG_C) == 0x00, "C: a read clears it", "%s", "no");
    wr(REG_B, 0x02 | 0x10);               /* UIE */
    at(2, 100000);
    v = rd(REG_C);
    check(v == 0x90, "C: UF with UIE enabled sets IRQF (90h)", "%02x", v);
    wr(REG_B, 0x02);
    wr(1, 0xC0); wr(3, 0x36); wr(5, 0x12);      /* alarm at 12:36:xx (seconds don't care) */
    at(3, 0);
    rd(REG_C);
    at(4, 0);
    check(!(rd(REG_C) & 0x20), "C: no AF before 12:36", "%s", "no");
    at(70, 0);
    v = rd(REG_C);
    check(v & 0x20, "C: AF once the time reaches the alarm 12:36:xx", "%02x", v);
    wr(1, 0x05); wr(3, 0x00); wr(5, 0x00);      /* alarm at 00:00:05 */
    rd(REG_C);
    at(70 + 11 * 3600, 0);                       /* 23:36:06 */
    check(!(rd(REG_C) & 0x20), "C: no AF for 00:00:05 before midnight", "%s", "no");
    at(2 * 86400, 0);
    v = rd(REG_C);
    check(v & 0x20, "C: AF for 00:00:05 across midnight, two days of seconds scanned at once",
          "%02x", v);
    check(rd(REG_D) == 0x80 && (wr(REG_D, 0), rd(REG_D)) == 0x80, "D is read-only 80h", "%s", "no");
}

static void index_and_nvram(void)
{
    at(0, 0);
    cmos_reset(&c, EXT_KB, &t);
    cmos_write(&c, CMOS_PORT_INDEX, 0x80 | 0x15, &t);
    check(cmos_read(&c, CMOS_PORT_DATA, &t) == 0x80 && c.nmi_masked,
          "index 95h: NMI masked, register 15h (base memory low byte 80h)", "%s", "no");
    check(cmos_read(&c, CMOS_PORT_INDEX, &t) == 0xFF, "port 70h reads FFh", "%s", "no");
    check(rd(0x16) == 0x02, "base memory 640 KiB (0280h)", "%s", "no");
    check(rd(0x17) == 0x00 && rd(0x18) == 0x7C && rd(0x30) == 0x00 && rd(0x31) == 0x7C,
          "extended memory 31 MiB at 17h and 30h (7C00h KiB)", "%s", "no");
    check(rd(0x34) == 0x00 && rd(0x35) == 0x01, "above 16 MiB: 256 x 64 KiB (0100h)", "%s", "no");
    check(rd(0x14) == 0x02, "equipment: FPU, no floppy, no PS/2 mouse (02h)", "%s", "no");
    uint32_t sum = 0;
    for (uint8_t i = 0x10; i <= 0x2D; i++)
        sum += rd(i);
    check(rd(0x2E) == (uint8_t)(sum >> 8) && rd(0x2F) == (uint8_t)sum,
          "2Eh-2Fh hold the checksum of 10h-2Dh", "%x", sum);
    wr(0x50, 0xA5);
    check(rd(0x50) == 0xA5, "NVRAM keeps what the guest writes", "%s", "no");
    cmos_reset(&c, 200u * 1024, &t);
    check(rd(0x17) == 0xFF && rd(0x18) == 0xFF, "extended memory caps at FFFFh KiB", "%s", "no");
}

int main(void)
{
    formats();
    uip_and_set();
    flags();
    index_and_nvram();
    return test_status();
}
