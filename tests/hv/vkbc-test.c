/*
 * vkbc-test.c - host tests of hypervisor/devices/vkbc.c, the 8042 with
 * nothing plugged in: the status never says "input buffer full", every
 * command answers at once, a byte for a device gets FEh with the time-out
 * bit, and Linux 2.6.32's i8042 probe (drivers/input/serio/i8042.c:
 * flush, read the command byte twice, AUX loopback, AUX enable/disable
 * through the command byte) ends without a single wait.
 */
#include <stdio.h>
#include "check.h"
#include "vkbc.h"

#define ST_OBF 0x01u
#define ST_IBF 0x02u
#define ST_AUX 0x20u
#define ST_TIMEOUT 0x40u
#define POLLS  16u      /* Linux's I8042_BUFFER_SIZE: flush reads at most this many */

static struct kbc k;

static uint8_t status(void) { return kbc_read(&k, KBC_PORT_CMD); }
static uint8_t data(void) { return kbc_read(&k, KBC_PORT_DATA); }
static enum kbc_event cmd(uint8_t v) { return kbc_write(&k, KBC_PORT_CMD, v); }
static enum kbc_event put(uint8_t v) { return kbc_write(&k, KBC_PORT_DATA, v); }

/* A command with one reply, read as Linux's __i8042_command does: the
 * reply if OBF came within POLLS status reads, else -1. */
static int ask(uint8_t c)
{
    cmd(c);
    for (uint32_t i = 0; i < POLLS; i++)
        if (status() & ST_OBF)
            return data();
    return -1;
}

static void controller(void)
{
    kbc_reset(&k);
    check(!(status() & (ST_IBF | ST_OBF)) && (status() & 0x14) == 0x14,
          "power on: buffers empty, system flag and not-inhibited set", "%02x", status());
    check(ask(0xAA) == 0x55, "self-test AAh answers 55h", "%s", "no");
    check(ask(0xAB) == 0x00 && ask(0xA9) == 0x00, "interface tests ABh, A9h answer 00h", "%s", "no");
    int ctr = ask(0x20);
    check(ctr == 0x65, "command byte 65h: IRQ 1 on, system, AUX off, translation", "%02x", ctr);
    cmd(0x60);
    check(!(status() & ST_IBF), "the input buffer is empty again at once", "%s", "no");
    put(0x61);
    check(ask(0x20) == 0x61, "60h writes the command byte (61h)", "%s", "no");
    check(!(status() & 0x04), "... and its system flag is the status's", "%s", "no");
    cmd(0xA8);
    ctr = ask(0x20);
    check(ctr == 0x41, "A8h clears AUXDIS (41h)", "%02x", ctr);
    cmd(0xA7);
    check((ask(0x20) & 0x20) == 0x20, "A7h sets AUXDIS", "%s", "no");
    cmd(0xD3);
    enum kbc_event e = put(0x5A);
    check((status() & (ST_OBF | ST_AUX)) == (ST_OBF | ST_AUX) && data() == 0x5A,
          "D3h loops a byte back as AUX data", "%s", "no");
    check(e == KBC_NONE, "... with no IRQ 12 while the command byte disables it", "%d", e);
    cmd(0x60);
    put(0x47);                            /* KBDINT | AUXINT | SYS | XLATE */
    cmd(0xD3);
    check(put(0xA5) == KBC_IRQ12 && data() == 0xA5, "... and IRQ 12 when it enables it", "%s", "no");
    check(ask(0xD0) == 0x03, "output port: CPU running, A20 on (03h)", "%s", "no");
    cmd(0xDD);
    check(ask(0xD0) == 0x01, "DDh turns A20 off", "%s", "no");
    cmd(0xD1);
    check(put(0x03) == KBC_NONE && ask(0xD0) == 0x03, "D1h writes the output port", "%s", "no");
    cmd(0xD1);
    check(put(0x02) == KBC_RESET, "D1h with bit 0 clear resets the CPU", "%s", "no");
    check(cmd(0xFE) == KBC_RESET && cmd(0xFF) == KBC_NONE, "FEh pulses reset, FFh pulses nothing",
          "%s", "no");
}

static void devices(void)
{
    kbc_reset(&k);
    enum kbc_event e = put(0xF2);         /* keyboard: identify */
    uint8_t st = status();
    check(e == KBC_IRQ1 && (st & (ST_OBF | ST_TIMEOUT | ST_AUX)) == (ST_OBF | ST_TIMEOUT) &&
          data() == 0xFE, "a keyboard command: FEh with the time-out bit, IRQ 1", "%d %02x", e, st);
    check(!(status() & (ST_OBF | ST_TIMEOUT)), "reading it empties the buffer and the time-out",
          "%s", "no");
    check(data() == 0xFE, "reading 60h again repeats the last byte", "%s", "no");
    cmd(0x60);
    put(0x47);
    cmd(0xD4);
    e = put(0xFF);                        /* mouse: reset */
    st = status();
    check(e == KBC_IRQ12 && (st & (ST_OBF | ST_TIMEOUT | ST_AUX)) == (ST_OBF | ST_TIMEOUT | ST_AUX) &&
          data() == 0xFE, "a mouse command (D4h): FEh, time-out and AUX bits, IRQ 12", "%d %02x", e, st);
}

/* Linux's i8042 probe and the A20 code's wait: no step waits. */
static void linux_probe(void)
{
    kbc_reset(&k);
    uint32_t flushed = 0;
    while ((status() & ST_OBF) && flushed < POLLS)
        data(), flushed++;
    check(flushed < POLLS, "i8042_controller_check: the flush ends (a controller is there)",
          "%u", flushed);
    check(ask(0x20) == ask(0x20) && ask(0x20) >= 0, "i8042_controller_init: a stable command byte",
          "%s", "no");
    cmd(0xD3);
    put(0x5A);
    check((status() & ST_AUX) && data() == 0x5A, "i8042_check_aux: the AUX loopback answers",
          "%s", "no");
    uint32_t waits = 0;
    for (; waits < 100000 && (status() & ST_IBF); waits++)
        ;
    check(waits == 0, "arch/x86/boot/a20.c empty_8042: the input buffer is empty at once",
          "%u", waits);
}

int main(void)
{
    controller();
    devices();
    linux_probe();
    return test_status();
}
