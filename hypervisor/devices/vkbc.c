/*
 * vkbc.c - the guest's 8042 keyboard controller: the controller itself,
 * answering its commands at once, with no keyboard and no mouse attached.
 * Pure logic.
 *
 * Why present rather than absent: an absent controller reads FFh, which
 * says "input buffer full" forever; a probe that waits for it to empty
 * (the A20 code of arch/x86/boot, a BIOS-style `while (inb(64h) & 2)`)
 * would spin.  Here the input buffer is always empty (every byte is taken
 * at once), replies appear in the output buffer at once, and a byte sent
 * to a device gets the answer of a port with nothing on it: FEh with the
 * time-out status bit (PS/2 controllers report a transmit time-out so),
 * so Linux's i8042 and atkbd probes end without waiting.
 *
 *   status (64h read)  7 parity  6 time-out  5 AUX data  4 not inhibited
 *                      3 last write was a command  2 system flag
 *                      1 input buffer full (never)  0 output buffer full
 *
 * Commands (64h): 20h-3Fh read controller RAM (20h: the command byte),
 * 60h-7Fh write it, A7h/A8h AUX off/on, A9h/ABh interface tests (00h: no
 * fault), AAh self-test (55h), ADh/AEh keyboard off/on, C0h input port,
 * D0h/D1h read/write the output port (bit 0 low resets the CPU), D2h/D3h
 * write the keyboard/AUX output buffer (loopback), D4h write to the AUX
 * device, DDh/DFh A20 off/on, F0h-FFh pulse output lines (bit 0 clear:
 * reset).  Others are ignored.  A20 is stored and read back; the guest's
 * memory never wraps at 1 MiB either way.
 */
#include "vkbc.h"

#define ST_OBF        0x01u
#define ST_SYS        0x04u
#define ST_CMD        0x08u
#define ST_UNLOCKED   0x10u
#define ST_AUX        0x20u
#define ST_TIMEOUT    0x40u
#define CTR_KBDINT    0x01u
#define CTR_AUXINT    0x02u
#define CTR_SYS       0x04u
#define CTR_KBDDIS    0x10u
#define CTR_AUXDIS    0x20u
#define CTR_XLATE     0x40u
#define CTR_DEFAULT   (CTR_KBDINT | CTR_SYS | CTR_AUXDIS | CTR_XLATE)  /* as a BIOS leaves it */
#define OUT_RESET     0x01u     /* output port bit 0: high = CPU running   */
#define OUT_A20       0x02u
#define OUT_DEFAULT   (OUT_RESET | OUT_A20)
#define INPORT        0x80u     /* input port: keyboard not inhibited (QEMU's answer) */
#define SELFTEST_OK   0x55u
#define IFTEST_OK     0x00u
#define NO_DEVICE     0xFEu     /* a byte sent to an empty port            */
enum {
    CMD_READ_RAM = 0x20, CMD_READ_RAM_LAST = 0x3F, CMD_WRITE_RAM = 0x60,
    CMD_WRITE_RAM_LAST = 0x7F, CMD_AUX_OFF = 0xA7, CMD_AUX_ON = 0xA8,
    CMD_AUX_TEST = 0xA9, CMD_SELF_TEST = 0xAA, CMD_KBD_TEST = 0xAB,
    CMD_KBD_OFF = 0xAD, CMD_KBD_ON = 0xAE, CMD_READ_INPORT = 0xC0,
    CMD_READ_OUTPORT = 0xD0, CMD_WRITE_OUTPORT = 0xD1, CMD_WRITE_KBD_OBUF = 0xD2,
    CMD_WRITE_AUX_OBUF = 0xD3, CMD_WRITE_AUX = 0xD4, CMD_A20_OFF = 0xDD,
    CMD_A20_ON = 0xDF, CMD_PULSE = 0xF0,
};

/* Power-on state after a BIOS: self-test passed, both ports empty. */
void kbc_reset(struct kbc *k)
{
    *k = (struct kbc){ .ctr = CTR_DEFAULT, .status = ST_SYS | ST_UNLOCKED,
                       .outport = OUT_DEFAULT };
}

/* Put v in the output buffer (from the AUX side if aux); the IRQ the
 * command byte enables for it, if any. */
static enum kbc_event fill(struct kbc *k, uint8_t v, int aux, uint8_t extra)
{
    k->out = v;
    k->status = (uint8_t)((k->status & ~(ST_AUX | ST_TIMEOUT)) | ST_OBF | extra |
                          (aux ? ST_AUX : 0));
    if (aux)
        return (k->ctr & CTR_AUXINT) ? KBC_IRQ12 : KBC_NONE;
    return (k->ctr & CTR_KBDINT) ? KBC_IRQ1 : KBC_NONE;
}

/* A command byte written to 64h. */
static enum kbc_event command(struct kbc *k, uint8_t v)
{
    if (v >= CMD_READ_RAM && v <= CMD_READ_RAM_LAST)
        return fill(k, v == CMD_READ_RAM ? k->ctr : 0, 0, 0);
    if ((v >= CMD_WRITE_RAM && v <= CMD_WRITE_RAM_LAST) || v == CMD_WRITE_OUTPORT ||
        v == CMD_WRITE_KBD_OBUF || v == CMD_WRITE_AUX_OBUF || v == CMD_WRITE_AUX) {
        k->pending = v;
        return KBC_NONE;
    }
    if (v >= CMD_PULSE)
        return (v & OUT_RESET) ? KBC_NONE : KBC_RESET;
    switch (v) {
    case CMD_AUX_OFF: k->ctr |= CTR_AUXDIS; break;
    case CMD_AUX_ON: k->ctr &= (uint8_t)~CTR_AUXDIS; break;
    case CMD_KBD_OFF: k->ctr |= CTR_KBDDIS; break;
    case CMD_KBD_ON: k->ctr &= (uint8_t)~CTR_KBDDIS; break;
    case CMD_AUX_TEST:
    case CMD_KBD_TEST: return fill(k, IFTEST_OK, 0, 0);
    case CMD_SELF_TEST:
        k->status |= ST_SYS;
        return fill(k, SELFTEST_OK, 0, 0);
    case CMD_READ_INPORT: return fill(k, INPORT, 0, 0);
    case CMD_READ_OUTPORT: return fill(k, k->outport, 0, 0);
    case CMD_A20_OFF: k->outport &= (uint8_t)~OUT_A20; break;
    case CMD_A20_ON: k->outport |= OUT_A20; break;
    default: break;
    }
    return KBC_NONE;
}

/* A data byte written to 60h: the pending command's, else the keyboard's. */
static enum kbc_event data(struct kbc *k, uint8_t v)
{
    uint8_t cmd = k->pending;
    k->pending = 0;
    if (cmd == CMD_WRITE_RAM) {
        k->ctr = v;
        k->status = (uint8_t)((k->status & ~ST_SYS) | (v & CTR_SYS));
        return KBC_NONE;
    }
    if (cmd > CMD_WRITE_RAM && cmd <= CMD_WRITE_RAM_LAST)
        return KBC_NONE;                  /* the rest of RAM: nothing uses it */
    switch (cmd) {
    case CMD_WRITE_OUTPORT:
        k->outport = v;
        return (v & OUT_RESET) ? KBC_NONE : KBC_RESET;
    case CMD_WRITE_KBD_OBUF: return fill(k, v, 0, 0);
    case CMD_WRITE_AUX_OBUF: return fill(k, v, 1, 0);
    case CMD_WRITE_AUX: return fill(k, NO_DEVICE, 1, ST_TIMEOUT);
    default: return fill(k, NO_DEVICE, 0, ST_TIMEOUT);
    }
}

/* A read of port 60h + port: the output buffer (emptying it; read again,
 * it repeats its last byte) or the status. */
uint8_t kbc_read(struct kbc *k, uint32_t port)
{
    if (port == KBC_PORT_CMD)
        return k->status;
    k->status &= (uint8_t)~(ST_OBF | ST_AUX | ST_TIMEOUT);
    return k->out;
}

/* A write of v to port 60h + port; what it asks of the machine. */
enum kbc_event kbc_write(struct kbc *k, uint32_t port, uint8_t v)
{
    if (port == KBC_PORT_CMD) {
        k->status |= ST_CMD;
        return command(k, v);
    }
    k->status &= (uint8_t)~ST_CMD;
    return data(k, v);
}
