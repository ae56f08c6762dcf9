/*
 * vpic-test.c - host tests of hypervisor/devices/vpic.c, the 8259A pair,
 * through its ports as a guest programs it and the calls the hypervisor
 * makes (raise, pending, ack).  Expected values are the Intel 8259A
 * datasheet's, worked out by hand per case.
 */
#include <stdio.h>
#include "check.h"
#include "vpic.h"

#define M_CMD  0x20u
#define M_DATA 0x21u
#define S_CMD  0xA0u
#define S_DATA 0xA1u
#define OCW3_IRR   0x0Au
#define OCW3_ISR   0x0Bu
#define OCW3_POLL  0x0Cu
#define OCW3_SMM_ON  0x68u
#define OCW3_SMM_OFF 0x48u
#define EOI          0x20u
#define SPECIFIC_EOI(l)        (0x60u | (l))
#define ROTATE_EOI             0xA0u
#define ROTATE_SPECIFIC_EOI(l) (0xE0u | (l))
#define SET_PRIORITY(l)        (0xC0u | (l))
#define M_BASE 0x20u
#define S_BASE 0x28u

static void out(uint16_t port, uint8_t v)
{
    uint32_t x = v;
    vpic_port(port, 1, &x);
}

static uint8_t in(uint16_t port)
{
    uint32_t x = 0;
    vpic_port(port, 0, &x);
    return (uint8_t)x;
}

/* Linux's init_8259A sequence, with icw4 as the fourth word; all open. */
static void init_pair(uint8_t icw4)
{
    vpic_reset();
    out(M_CMD, 0x11); out(M_DATA, M_BASE); out(M_DATA, 0x04); out(M_DATA, icw4);
    out(S_CMD, 0x11); out(S_DATA, S_BASE); out(S_DATA, 0x02); out(S_DATA, icw4);
    out(M_DATA, 0x00);
    out(S_DATA, 0x00);
}

static uint8_t reg(uint16_t cmd, uint8_t ocw3)
{
    out(cmd, ocw3);
    return in(cmd);
}

/* OCW3 read select, the mask, and fixed priority with nesting. */
static void reads_and_priority(void)
{
    init_pair(0x01);
    vpic_raise(3);
    vpic_raise(5);
    check(reg(M_CMD, OCW3_IRR) == 0x28 && in(M_CMD) == 0x28, "OCW3: IRR selected, and it "
          "stays selected (28h)", "%s", "no");
    check(reg(M_CMD, OCW3_ISR) == 0x00, "OCW3: ISR selected: nothing in service", "%s", "no");
    out(M_DATA, 0xA5);
    check(in(M_DATA) == 0xA5, "the data port reads the mask back", "%s", "no");
    out(M_DATA, 0x00);
    check(vpic_ack() == M_BASE + 3, "line 3 goes before line 5", "%s", "no");
    check(reg(M_CMD, OCW3_ISR) == 0x08 && reg(M_CMD, OCW3_IRR) == 0x20,
          "after the INTA: ISR 08h, IRR 20h", "%s", "no");
    check(!vpic_pending(), "line 5 waits while 3 is in service", "%s", "no");
    vpic_raise(1);
    check(vpic_ack() == M_BASE + 1, "line 1 nests over 3", "%s", "no");
    out(M_CMD, EOI);
    check(reg(M_CMD, OCW3_ISR) == 0x08, "non-specific EOI clears the highest in service (1)",
          "%s", "no");
    out(M_CMD, SPECIFIC_EOI(5));
    check(reg(M_CMD, OCW3_ISR) == 0x08, "specific EOI of a line not in service changes nothing",
          "%s", "no");
    out(M_CMD, SPECIFIC_EOI(3));
    check(reg(M_CMD, OCW3_ISR) == 0x00 && vpic_ack() == M_BASE + 5,
          "specific EOI 3 clears 3 (not the non-specific choice); 5 follows", "%s", "no");
    out(M_CMD, EOI);
}

/* Specific EOI when two are in service: it must clear the named one. */
static void specific_not_highest(void)
{
    init_pair(0x01);
    vpic_raise(4);
    vpic_ack();
    vpic_raise(0);
    vpic_ack();                           /* 0 nests over 4 */
    out(M_CMD, SPECIFIC_EOI(4));
    check(reg(M_CMD, OCW3_ISR) == 0x01, "specific EOI 4 with 0 and 4 in service leaves 0 "
          "(ISR 01h)", "%02x", reg(M_CMD, OCW3_ISR));
    out(M_CMD, EOI);
}

/* Rotation: rotate on non-specific EOI, rotate on specific EOI, set priority. */
static void rotation(void)
{
    init_pair(0x01);
    vpic_raise(6);
    vpic_ack();
    out(M_CMD, ROTATE_EOI);               /* 6 becomes the lowest: 7 highest */
    vpic_raise(1);
    vpic_raise(7);
    check(vpic_ack() == M_BASE + 7, "rotate on EOI of 6: line 7 is now the highest", "%s", "no");
    out(M_CMD, ROTATE_SPECIFIC_EOI(7));   /* 7 lowest: 0 highest again */
    check(vpic_ack() == M_BASE + 1, "rotate on specific EOI of 7: line 1 before 7 again", "%s", "no");
    out(M_CMD, EOI);
    out(M_CMD, SET_PRIORITY(4));          /* 4 lowest: 5 highest */
    vpic_raise(3);
    vpic_raise(5);
    check(vpic_ack() == M_BASE + 5, "set priority (4 lowest): 5 goes before 3", "%s", "no");
    check(!vpic_pending(), "... and 3 (lower now) waits behind 5 in service", "%s", "no");
    out(M_CMD, EOI);
    check(vpic_ack() == M_BASE + 3, "after the EOI, 3", "%s", "no");
    out(M_CMD, EOI);
    check(vpic_line_open(3) && !vpic_line_open(8), "vpic_line_open: 3 open, 8 no line", "%s", "no");
}

/* Poll mode: the next read acknowledges and answers 80h | line. */
static void poll(void)
{
    init_pair(0x01);
    vpic_raise(4);
    out(M_CMD, OCW3_POLL);
    uint8_t v = in(M_DATA);               /* either port answers a poll */
    check(v == 0x84, "poll: 84h (line 4 requested)", "%02x", v);
    check(reg(M_CMD, OCW3_ISR) == 0x10 && reg(M_CMD, OCW3_IRR) == 0,
          "poll acknowledges: 4 in service, no longer requested", "%s", "no");
    out(M_CMD, OCW3_POLL);
    check(in(M_CMD) == 0x00, "poll with nothing requested reads 0 (as QEMU)", "%s", "no");
    check(in(M_DATA) == 0x00, "after a poll the data port reads the mask again", "%s", "no");
    out(M_CMD, EOI);
    vpic_raise(9);
    out(S_CMD, OCW3_POLL);
    v = in(S_CMD);
    check(v == 0x81, "poll of the slave: 81h (IRQ 9)", "%02x", v);
    out(S_CMD, EOI);
    check(reg(M_CMD, OCW3_IRR) == 0x04, "the slave's request stays latched on the master's "
          "line 2 until acknowledged there", "%02x", reg(M_CMD, OCW3_IRR));
    check(vpic_ack() == S_BASE + 7, "... whose INTA then gets the slave's spurious vector "
          "(base + 7)", "%s", "no");
    out(M_CMD, EOI);
}

/* Special mask mode lets lower lines in while a masked one is in service. */
static void special_mask(void)
{
    init_pair(0x01);
    vpic_raise(1);
    vpic_ack();
    vpic_raise(5);
    check(!vpic_pending(), "without special mask mode 5 waits for 1's EOI", "%s", "no");
    out(M_DATA, 0x02);                    /* mask 1 */
    out(M_CMD, OCW3_SMM_ON);
    check(vpic_ack() == M_BASE + 5, "special mask mode: masked 1 in service no longer "
          "holds 5 back", "%s", "no");
    out(M_CMD, OCW3_SMM_OFF);
    out(M_CMD, SPECIFIC_EOI(5));
    out(M_CMD, SPECIFIC_EOI(1));
    out(M_DATA, 0x00);
}

/* The cascade, automatic EOI, special fully nested mode, spurious IRQs. */
static void cascade_aeoi_sfnm(void)
{
    init_pair(0x01);
    vpic_raise(12);
    check(vpic_ack() == S_BASE + 4, "IRQ 12 through the cascade: vector base + 4", "%s", "no");
    check(reg(M_CMD, OCW3_ISR) == 0x04 && reg(S_CMD, OCW3_ISR) == 0x10,
          "both chips have it in service", "%s", "no");
    vpic_raise(10);
    check(!vpic_pending(), "without SFNM a second slave IRQ waits for the master's EOI", "%s", "no");
    out(S_CMD, EOI);
    out(M_CMD, EOI);
    check(vpic_ack() == S_BASE + 2, "after both EOIs: IRQ 10", "%s", "no");
    out(S_CMD, EOI);
    out(M_CMD, EOI);
    out(S_DATA, 0x04);                    /* mask IRQ 10 on the slave */
    vpic_raise(10);
    check(!vpic_pending(), "a masked slave line does not reach the master", "%s", "no");
    out(S_DATA, 0x00);
    check(vpic_pending(), "unmasking it raises the cascade", "%s", "no");
    vpic_ack();
    out(S_CMD, EOI);
    out(M_CMD, EOI);

    init_pair(0x11);                      /* SFNM */
    vpic_raise(12);
    vpic_ack();
    vpic_raise(9);
    check(vpic_ack() == S_BASE + 1, "SFNM: a higher slave IRQ nests while the cascade is in "
          "service", "%s", "no");
    init_pair(0x03);                      /* AEOI */
    vpic_raise(4);
    check(vpic_ack() == M_BASE + 4 && reg(M_CMD, OCW3_ISR) == 0, "AEOI: nothing stays in service",
          "%s", "no");
    vpic_raise(4);
    check(vpic_ack() == M_BASE + 4, "AEOI: the next one comes without an EOI", "%s", "no");
    init_pair(0x01);
    out(M_CMD, 0x11);                     /* re-init the master: mask cleared, IRR cleared */
    check(vpic_ack() == -1 && in(M_DATA) == 0x00, "ICW1 clears the request and the mask", "%s", "no");
}

int main(void)
{
    reads_and_priority();
    specific_not_highest();
    rotation();
    poll();
    special_mask();
    cascade_aeoi_sfnm();
    return test_status();
}
