/*
 * devices.c - the chipset a kernel reads, natively (QEMU's chips) and on
 * the hypervisor (its models, hypervisor/devices/): the 8254's latch,
 * read-back and status, channel 2 and port 61h, the 8259A's OCW3 reads,
 * poll, specific EOI, rotation and special mask mode, the CMOS/RTC's
 * formats, UIP and flags, the 8042 probe, and 2-byte accesses.  Each check
 * is one the chip defines, so every mode must pass it; where the
 * hypervisor deliberately differs from QEMU's chip (or QEMU from the
 * datasheet), the check says so and looks at each side's own answer.
 *
 * Interrupts stay off throughout: requests are watched in IRR and taken
 * by poll, never delivered.  Every wait is a bounded number of port reads
 * until the hardware changes state, never a fixed time.
 */
#include "rules.h"

#define PIT_CH1       0x41u
#define PIT_CH2       0x42u
#define PIT_CMD       0x43u
#define PORT_B        0x61u
#define PIC_CMD       0x20u
#define PIC_DATA      0x21u
#define CMOS_INDEX    0x70u
#define CMOS_DATA     0x71u
#define KBC_DATA      0x60u
#define KBC_STATUS    0x64u

#define CH1_RATE_LOHI  0x74u    /* channel 1, lo/hi, mode 2 */
#define CH2_ONESHOT    0xB0u    /* channel 2, lo/hi, mode 0 */
#define CH2_ONESHOT_BCD 0xB1u
#define CH2_LATCH      0x80u    /* counter latch command, channel 2 */
#define RB_CH2_BOTH    0xC8u    /* read-back: count and status of channel 2 */
#define RB_CH1_STATUS  0xE4u    /* read-back: status only, channel 1 */
#define STATUS_OUT     0x80u
#define PORTB_GATE2    0x01u
#define PORTB_SPEAKER  0x02u
#define PORTB_CHECKS   0x0Cu
#define PORTB_REFRESH  0x10u
#define PORTB_OUT2     0x20u
#define MIN_CLOCKS     20u      /* PIT clocks to let pass between latches */
#define MAX_POLLS      5000000u /* a bound on every wait, never reached */

#define OCW3_IRR       0x0Au
#define OCW3_ISR       0x0Bu
#define OCW3_POLL      0x0Cu
#define OCW3_SMM_ON    0x68u
#define OCW3_SMM_OFF   0x48u
#define EOI_SPECIFIC(l) (0x60u | (l))
#define SET_PRIORITY(l) (0xC0u | (l))
#define POLL_INT       0x80u

#define RTC_SEC 0x00u
#define RTC_MIN 0x02u
#define RTC_HOUR 0x04u
#define RTC_MDAY 0x07u
#define RTC_MONTH 0x08u
#define RTC_YEAR 0x09u
#define RTC_A 0x0Au
#define RTC_B 0x0Bu
#define RTC_C 0x0Cu
#define RTC_D 0x0Du
#define RTC_CENTURY 0x32u
#define RTC_UIP 0x80u
#define RTC_B_BINARY 0x04u
#define RTC_B_24H 0x02u
#define RTC_C_UF 0x10u
#define RTC_C_PF 0x40u
#define CMOS_NMI_OFF 0x80u
#define CMOS_SCRATCH 0x50u      /* NVRAM no BIOS of ours uses */
#define UIP_POLLS    50000000u  /* reads of A: over a second even natively,
                                 * where one takes about 0.2 us */

#define KBC_OBF       0x01u
#define KBC_IBF       0x02u
#define KBC_AUX       0x20u
#define KBC_TIMEOUT   0x40u
#define KBC_BUFFER    16u       /* Linux's I8042_BUFFER_SIZE */
#define KBC_POLLS     10000u    /* Linux's I8042_CTL_TIMEOUT (each 50 us there) */
#define KBD_GET_ID    0xF2u
#define KBD_ACK       0xFAu
#define NO_DEVICE     0xFEu

/* ---- the 8254 ---- */

/* Program channel ch with control word cw and a lo/hi count. */
static void pit_program(uint16_t port, uint8_t cw, uint16_t count)
{
    vmi_outb(PIT_CMD, cw);
    vmi_outb(port, (uint8_t)count);
    vmi_outb(port, (uint8_t)(count >> 8));
}

/* A lo/hi count from port (latched or live). */
static uint16_t pit_read16(uint16_t port)
{
    uint8_t lo = vmi_inb(port);
    return (uint16_t)(lo | vmi_inb(port) << 8);
}

/* Wait until at least MIN_CLOCKS clocks passed on channel 1 (free-running
 * mode 2, count FFFFh): 1, or 0 if the bound ran out. */
static int pit_wait_clocks(void)
{
    uint16_t start = pit_read16(PIT_CH1);
    for (uint32_t i = 0; i < MAX_POLLS; i++)
        if ((uint16_t)(start - pit_read16(PIT_CH1)) >= MIN_CLOCKS)
            return 1;
    return 0;
}

/* Counter latch: frozen until read, a second latch ignored. */
static void pit_latch(void)
{
    pit_program(PIT_CH1, CH1_RATE_LOHI, 0xFFFF);
    vmi_outb(PORT_B, PORTB_GATE2);
    pit_program(PIT_CH2, CH2_ONESHOT, 0xFFFF);
    vmi_outb(PIT_CMD, CH2_LATCH);
    int waited = pit_wait_clocks();
    vmi_outb(PIT_CMD, CH2_LATCH);                  /* ignored: one is pending */
    uint16_t first = pit_read16(PIT_CH2);
    vmi_outb(PIT_CMD, CH2_LATCH);
    uint16_t second = pit_read16(PIT_CH2);
    report(waited, "8254: channel 1 (mode 2) counts: %u clocks passed", MIN_CLOCKS);
    report((uint16_t)(first - second) >= MIN_CLOCKS, "8254 counter latch: the count stays "
           "frozen until read, a second latch before the read is ignored (%04x then %04x)",
           first, second);
    vmi_outb(PIT_CMD, CH2_LATCH);
    uint16_t w = vmi_inw(PIT_CH2);
    report(w >> 8 == 0, "2-byte read of 42h-43h: AL the latched LSB, AH port 43h's 0 (%04x)", w);
    vmi_inb(PIT_CH2);                              /* the latched MSB */
}

/* Read-back: status then count; the status byte's fields. */
static void pit_readback(void)
{
    pit_program(PIT_CH2, CH2_ONESHOT, 0xFFFF);
    vmi_outb(PIT_CMD, RB_CH2_BOTH);
    uint8_t st = vmi_inb(PIT_CH2);
    uint16_t count = pit_read16(PIT_CH2);
    uint16_t live = pit_read16(PIT_CH2);
    report(st == 0x30, "8254 read-back status: OUT low, lo/hi, mode 0, binary (30h; got %02x)", st);
    report(count >= live, "read-back count after the status: %04x, then the live count %04x",
           count, live);
    pit_program(PIT_CH2, CH2_ONESHOT_BCD, 0x9999);
    vmi_outb(PIT_CMD, RB_CH2_BOTH);
    st = vmi_inb(PIT_CH2);
    pit_read16(PIT_CH2);
    report(st == 0x31, "8254 read-back status keeps the BCD bit (31h; got %02x)", st);
    vmi_outb(PIT_CMD, RB_CH1_STATUS);
    st = vmi_inb(PIT_CH1);
    if (rules_ring1())
        report(st == 0xB4, "8254 mode 2 status: OUT high between the one-clock pulses, as the "
               "datasheet (B4h; got %02x)", st);
    else
        report((st & 0x7F) == 0x34, "8254 mode 2 status: lo/hi, mode 2 (34h; got %02x; QEMU's "
               "OUT bit is inverted in mode 2, the hypervisor gives the datasheet's 1)", st);
}

/* Port 61h: gate, speaker and OUT2; the refresh toggle. */
static void pit_portb(void)
{
    vmi_outb(PORT_B, PORTB_GATE2 | PORTB_SPEAKER | PORTB_CHECKS);
    uint8_t v = vmi_inb(PORT_B);
    report((v & (PORTB_GATE2 | PORTB_SPEAKER)) == 3, "port 61h: gate and speaker bits read "
           "back (%02x)", v);
    if (rules_ring1())
        report((v & PORTB_CHECKS) == PORTB_CHECKS, "port 61h: bits 2-3 read back as written, "
               "as a PIIX does (%02x)", v);
    else
        report_skip("port 61h bits 2-3: QEMU reads them as 0 (%02x); the hypervisor keeps them", v);
    vmi_outb(PORT_B, PORTB_GATE2);
    pit_program(PIT_CH2, CH2_ONESHOT, 0xFFFF);       /* OUT2 rises 55 ms on */
    int low = !(vmi_inb(PORT_B) & PORTB_OUT2);
    uint32_t polls = 0;
    while (!(vmi_inb(PORT_B) & PORTB_OUT2) && ++polls < MAX_POLLS)
        ;
    report(low && polls < MAX_POLLS, "port 61h bit 5: OUT2 low after a mode 0 count, then "
           "high at its end (%u polls)", polls);
    uint8_t first = vmi_inb(PORT_B) & PORTB_REFRESH;
    for (polls = 0; polls < MAX_POLLS && (vmi_inb(PORT_B) & PORTB_REFRESH) == first; polls++)
        ;
    report(polls < MAX_POLLS, "port 61h bit 4 toggles (after %u reads: QEMU toggles it at every "
           "read, the hypervisor every 15 us as a chipset)", polls);
    vmi_outb(PORT_B, 0);
    report(!(vmi_inb(PORT_B) & PORTB_GATE2), "port 61h: the gate clears");
}

/* ---- the 8259A (master) ---- */

/* OCW3 then a read of the command port. */
static uint8_t pic_reg(uint8_t ocw3)
{
    vmi_outb(PIC_CMD, ocw3);
    return vmi_inb(PIC_CMD);
}

/* A poll: OCW3 P, then the read that acknowledges. */
static uint8_t pic_poll(void)
{
    vmi_outb(PIC_CMD, OCW3_POLL);
    return vmi_inb(PIC_CMD);
}

/* Wait until line `line` is requested in IRR; 1 if it came. */
static int pic_wait(unsigned line)
{
    for (uint32_t i = 0; i < MAX_POLLS; i++)
        if (pic_reg(OCW3_IRR) & (1u << line))
            return 1;
    return 0;
}

/* Request IRQ 0 (a PIT channel 0 one-shot) and IRQ 1 (a byte the 8042
 * puts in its output buffer with its interrupt on); 1 if both came. */
static int pic_request_0_and_1(void)
{
    vmi_outb(RULES_PIT_CMD, 0x30);                 /* channel 0, lo/hi, mode 0 */
    vmi_outb(RULES_PIT_CH0, 100);
    vmi_outb(RULES_PIT_CH0, 0);
    vmi_outb(KBC_STATUS, 0x60);
    vmi_outb(KBC_DATA, 0x45);                      /* IRQ 1 on, system, translation */
    vmi_outb(KBC_STATUS, 0xD2);                    /* D2h: the byte as keyboard data */
    vmi_outb(KBC_DATA, 0x42);
    int ok = pic_wait(0) && pic_wait(1);
    vmi_inb(KBC_DATA);                             /* empty the buffer */
    return ok;
}

/* Two polls under fixed priority: 80h then, after its EOI, 81h. */
static void pic_fixed_order(void)
{
    report(pic_request_0_and_1(), "8259A: IRQ 0 and IRQ 1 requested in IRR (IF off)");
    uint16_t w = vmi_inw(PIC_CMD);
    report((w & 3) == 3 && (w >> 8) == 0xFC, "2-byte read of 20h: AL the IRR, AH the mask "
           "(%04x)", w);
    uint8_t p0 = pic_poll(), isr = pic_reg(OCW3_ISR), p1 = pic_poll();
    report(p0 == (POLL_INT | 0) && isr == 1 && p1 == 0, "poll: 80h, acknowledged (ISR %02x); "
           "line 1 waits behind it (%02x)", isr, p1);
    vmi_outb(PIC_CMD, EOI_SPECIFIC(0));
    p1 = pic_poll();
    report(p1 == (POLL_INT | 1), "after the EOI the poll takes line 1 (%02x)", p1);
    vmi_outb(PIC_CMD, EOI_SPECIFIC(1));
    report(pic_reg(OCW3_ISR) == 0 && pic_poll() == 0, "nothing in service, a poll with nothing "
           "requested reads 0");
}

/* Rotated priority, special mask mode, and a specific EOI that is not
 * the highest-priority line in service. */
static void pic_rotated(void)
{
    report(pic_request_0_and_1(), "8259A: IRQ 0 and 1 requested again");
    vmi_outb(PIC_CMD, SET_PRIORITY(0));            /* 0 lowest: 1 highest */
    uint8_t p0 = pic_poll(), p1 = pic_poll();
    report(p0 == (POLL_INT | 1) && p1 == 0, "set priority (0 lowest): the poll takes 1 (%02x), "
           "then 0 waits behind it (%02x)", p0, p1);
    rules_pic_mask(0xFE);                          /* mask 1 (in service) */
    vmi_outb(PIC_CMD, OCW3_SMM_ON);
    p0 = pic_poll();
    uint8_t isr = pic_reg(OCW3_ISR);
    report(p0 == (POLL_INT | 0) && isr == 3, "special mask mode: masked 1 in service no longer "
           "holds 0 back (%02x, ISR %02x)", p0, isr);
    vmi_outb(PIC_CMD, OCW3_SMM_OFF);
    vmi_outb(PIC_CMD, EOI_SPECIFIC(0));
    isr = pic_reg(OCW3_ISR);
    report(isr == 2, "specific EOI of 0 clears 0, not the highest in service, 1 (ISR %02x)", isr);
    vmi_outb(PIC_CMD, EOI_SPECIFIC(1));
    vmi_outb(PIC_CMD, SET_PRIORITY(7));            /* back to fixed priority */
}

/* A 2-byte read that starts before the PIC: 1Fh then 20h (IRR, with
 * lines 0 and 1 requested while masked). */
static void pic_straddle(void)
{
    int requested = pic_request_0_and_1();
    vmi_outb(PIC_CMD, OCW3_IRR);
    uint16_t w = vmi_inw(PIC_CMD - 1);
    uint8_t irr = vmi_inb(PIC_CMD);
    report(requested && (irr & 3) == 3, "8259A: IRQ 0 and 1 requested while masked (IRR %02x)",
           irr);
    if (rules_ring1())
        report(w == (uint16_t)(irr << 8 | 0xFF), "2-byte read of 1Fh: AL port 1Fh, where nothing "
               "answers (FFh, as on an ISA bus), AH port 20h, the IRR (%04x)", w);
    else
        report_skip("2-byte read of 1Fh: QEMU gives %04x, the whole access going where its first "
                    "port does (nowhere); the hypervisor splits it as a chipset: FFh, then port "
                    "20h", w);
}

/* The 8259A checks, with interrupts off and lines 0 and 1 open. */
static void pic_checks(void)
{
    vmi_disable_interrupts();
    rules_pic_mask(0xFC);
    pic_fixed_order();
    pic_rotated();
    rules_pic_mask(RULES_PIC_ALL);
    pic_straddle();
}

/* ---- the CMOS RTC ---- */

static uint8_t cmos(uint8_t index)
{
    vmi_outb(CMOS_INDEX, index);
    return vmi_inb(CMOS_DATA);
}

static void cmos_set(uint8_t index, uint8_t v)
{
    vmi_outb(CMOS_INDEX, index);
    vmi_outb(CMOS_DATA, v);
}

static int bcd_ok(uint8_t v, uint32_t max)
{
    return (v & 0xF) <= 9 && (v >> 4) <= 9 && (uint32_t)((v >> 4) * 10 + (v & 0xF)) <= max;
}

static uint32_t from_bcd(uint8_t v)
{
    return (uint32_t)(v >> 4) * 10 + (v & 0xFu);
}

/* n / d by shift and subtract (the runtime has no 64-bit division). */
static uint64_t div64(uint64_t n, uint32_t d)
{
    uint64_t q = 0, r = 0;
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1u);
        if (r >= d) {
            r -= d;
            q |= 1ull << i;
        }
    }
    return q;
}

/* Poll register A (index set once: one read a poll) until UIP is `set`
 * or the bound runs out; 1 if it got there. */
static int cmos_wait_uip(int set)
{
    vmi_outb(CMOS_INDEX, RTC_A);
    for (uint32_t i = 0; i < UIP_POLLS; i++)
        if (((vmi_inb(CMOS_DATA) & RTC_UIP) != 0) == set)
            return 1;
    return 0;
}

/* One update cycle: the seconds as soon as UIP was seen (*during; *held
 * if UIP was still set after that read) and once it fell (*after). */
static int cmos_update_cycle(uint8_t *during, int *held, uint8_t *after)
{
    int ok = cmos_wait_uip(1);
    *during = cmos(RTC_SEC);
    *held = (cmos(RTC_A) & RTC_UIP) != 0;
    ok = ok && cmos_wait_uip(0);
    *after = cmos(RTC_SEC);
    return ok;
}

/* Register formats, B as SeaBIOS and the hypervisor leave it, D. */
static void cmos_formats(void)
{
    uint8_t b = cmos(RTC_B);
    report(b == RTC_B_24H, "RTC register B: BCD, 24-hour (02h; got %02x)", b);
    report(cmos(RTC_D) == 0x80, "RTC register D: 80h (valid RAM and time)");
    uint8_t s = cmos(RTC_SEC), m = cmos(RTC_MIN), h = cmos(RTC_HOUR);
    uint8_t d = cmos(RTC_MDAY), mo = cmos(RTC_MONTH), y = cmos(RTC_YEAR), c = cmos(RTC_CENTURY);
    report(bcd_ok(s, 59) && bcd_ok(m, 59) && bcd_ok(h, 23) && bcd_ok(d, 31) && d && bcd_ok(mo, 12)
           && mo && bcd_ok(y, 99) && c == 0x20, "RTC time in BCD: %02x%02x-%02x-%02x %02x:%02x:%02x",
           c, y, mo, d, h, m, s);
    cmos_set(RTC_B, RTC_B_BINARY | RTC_B_24H);
    uint8_t bin = cmos(RTC_SEC), bh = cmos(RTC_HOUR);
    cmos_set(RTC_B, 0);
    uint8_t h12 = cmos(RTC_HOUR);
    cmos_set(RTC_B, RTC_B_24H);
    uint32_t s1 = from_bcd(s), hour = from_bcd(h);
    report(bin <= 59 && (bin - s1) % 60 <= 2, "binary mode (B.DM): seconds %u after BCD %02x", bin, s);
    report(bh == hour || bh == (hour + 1) % 24, "binary hour %u for BCD %02x", bh, h);
    uint32_t want = hour % 12 ? hour % 12 : 12;
    report((h12 & 0x7F) == ((want / 10) << 4 | want % 10) && !(h12 & 0x80) == (hour < 12),
           "12-hour mode: hour %02x reads %02x (bit 7 = PM)", h, h12);
    vmi_outb(CMOS_INDEX, CMOS_NMI_OFF | RTC_B);
    report(vmi_inb(CMOS_DATA) == RTC_B_24H, "the index's NMI bit selects the same register");
    report(vmi_inb(CMOS_INDEX) == 0xFF, "port 70h reads FFh");
    uint8_t keep = cmos(CMOS_SCRATCH);
    vmi_outw(CMOS_INDEX, (uint16_t)(0xA5u << 8 | CMOS_SCRATCH));
    uint16_t w = vmi_inw(CMOS_INDEX);
    report(w == 0xA5FF, "2-byte write of 70h-71h sets index and data, a 2-byte read gives "
           "FFh and the data (%04x)", w);
    cmos_set(CMOS_SCRATCH, keep);
    uint32_t base = cmos(0x15) | cmos(0x16) << 8, ext = cmos(0x17) | cmos(0x18) << 8;
    uint32_t ext2 = cmos(0x30) | cmos(0x31) << 8, hi = cmos(0x34) | cmos(0x35) << 8;
    report(base == 640 && ext == ext2 && (ext == 0xFFFF || hi == (ext - 15 * 1024) / 64),
           "memory bytes: 640 KiB base, %u KiB extended at 17h and 30h, %u x 64 KiB above 16 MiB",
           ext, hi);
}

/* UIP, the update, register C's flags; the wall clock under VMI. */
static void cmos_update(void)
{
    uint8_t during, after;
    int held;
    cmos(RTC_C);
    int ok = cmos_update_cycle(&during, &held, &after);
    report(ok, "UIP rises and falls within the bound");
    uint32_t step = (from_bcd(after) + 60 - from_bcd(during)) % 60;
    if (held && rules_ring1())
        report(ok && step == 1, "while UIP is set the seconds still read the old second (%02x), "
               "once it clears the next (%02x)", during, after);
    else if (held)
        report(ok && step <= 1, "while UIP is set the seconds read %02x, once it clears %02x "
               "(QEMU's RTC, its UIP and its registers kept by different timers, was seen "
               "under load to clear UIP a moment before the seconds step; the hypervisor "
               "steps them together)", during, after);
    else
        report(ok && step <= 1, "the seconds just after UIP (%02x) and once it cleared (%02x): "
               "the update ended between two reads here (accesses slower than its 244 us)",
               during, after);
    uint8_t c = cmos(RTC_C);
    report(c & RTC_C_UF, "register C: UF after the update (%02x)", c);
    c = cmos(RTC_C);
    report(!(c & ~RTC_C_PF), "register C: a read clears it (%02x)", c);
    if (rules_ring1())
        report(c & RTC_C_PF, "register C: PF at the periodic rate (1024 Hz) whether or not PIE, "
               "as the MC146818A datasheet says (%02x)", c);
    else
        report(!(c & RTC_C_PF), "register C: QEMU sets PF only with PIE (%02x); the hypervisor "
               "sets it at the rate, as the datasheet", c);
    if (!rules_vmi()) {
        report_skip("GetWallclockTime against the RTC: needs VMI mode");
        return;
    }
    uint32_t secs = (uint32_t)div64(vmi_get_wallclock_time(), 1000000000u);
    uint32_t rtc = from_bcd(cmos(RTC_HOUR)) * 3600 + from_bcd(cmos(RTC_MIN)) * 60 +
                   from_bcd(cmos(RTC_SEC));
    uint32_t diff = (secs % 86400 + 86400 - rtc) % 86400;
    report(diff <= 1 || diff == 86399, "the RTC's time of day agrees with GetWallclockTime "
           "(%u s apart)", diff);
}

/* ---- the 8042 ---- */

/* Wait for the output buffer (as Linux's i8042_wait_read, bounded). */
static int kbc_wait_read(void)
{
    for (uint32_t i = 0; i < KBC_POLLS; i++)
        if (vmi_inb(KBC_STATUS) & KBC_OBF)
            return 1;
    return 0;
}

/* A controller command with one reply; -1 if none came. */
static int kbc_ask(uint8_t c)
{
    vmi_outb(KBC_STATUS, c);
    return kbc_wait_read() ? vmi_inb(KBC_DATA) : -1;
}

/* Linux's i8042 probe, step by step: each ends at once. */
static void kbc_probe(void)
{
    uint32_t n = 0;
    while ((vmi_inb(KBC_STATUS) & KBC_OBF) && n < KBC_BUFFER)
        vmi_inb(KBC_DATA), n++;
    report(n < KBC_BUFFER, "8042: the flush ends: a controller is there (%u bytes)", n);
    report(!(vmi_inb(KBC_STATUS) & KBC_IBF), "8042: the input buffer is empty");
    int st = kbc_ask(0xAA);
    report(st == 0x55, "8042 self-test AAh: 55h (%x)", (uint32_t)st);
    int c1 = kbc_ask(0x20), c2 = kbc_ask(0x20);
    report(c1 >= 0 && c1 == c2, "8042: the command byte reads stable (%02x)", (uint32_t)c1);
    vmi_outb(KBC_STATUS, 0x60);
    vmi_outb(KBC_DATA, (uint8_t)(c1 & ~0x03));     /* both interrupts off for the rest */
    vmi_outb(KBC_STATUS, 0xD3);
    vmi_outb(KBC_DATA, 0x5A);
    int got = kbc_wait_read();
    uint8_t s = vmi_inb(KBC_STATUS), d = vmi_inb(KBC_DATA);
    report(got && (s & KBC_AUX) && d == 0x5A, "8042 D3h: the AUX loopback answers 5Ah as AUX data "
           "(status %02x)", s);
    vmi_outb(KBC_DATA, KBD_GET_ID);
    got = kbc_wait_read();
    s = vmi_inb(KBC_STATUS), d = vmi_inb(KBC_DATA);
    while (vmi_inb(KBC_STATUS) & KBC_OBF)          /* the ID bytes of a real keyboard */
        vmi_inb(KBC_DATA);
    if (rules_ring1())
        report(got && d == NO_DEVICE && (s & KBC_TIMEOUT), "8042 with no keyboard: a keyboard "
               "command answers FEh with the time-out bit (status %02x, %02x)", s, d);
    else
        report(got && d == KBD_ACK, "QEMU's keyboard acknowledges F2h (FAh; got %02x): the "
               "hypervisor's 8042 has no keyboard and answers FEh", d);
    vmi_outb(KBC_STATUS, 0x60);
    vmi_outb(KBC_DATA, (uint8_t)c1);
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    vmi_disable_interrupts();
    pit_latch();
    pit_readback();
    pit_portb();
    pic_checks();
    cmos_formats();
    cmos_update();
    kbc_probe();
}
