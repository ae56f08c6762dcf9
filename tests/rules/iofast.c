/*
 * iofast.c - a kernel's own IN and OUT where the hypervisor's fast path
 * for them (emulate.c, emulate_io_fast) has corners, natively the CPU's
 * answers and the same under the hypervisor (modes hv and hv-novmi: the
 * instructions below are raw, never the ROM's, so each one traps):
 *
 *   - IN through imm8 and DX, with and without 66h, AL's neighbours kept;
 *   - the same instruction bytes rewritten in place between two runs
 *     (the port, the direction, the size): nothing about an instruction
 *     is remembered but its page's translation;
 *   - an instruction split across a page boundary (its 66h, or its imm8
 *     port, on the next page), and a one-byte one on a page's last byte;
 *   - an OUT that unmasks a requested PIC line with interrupts on: the
 *     interrupt comes once, under the hypervisor right after the OUT,
 *     before the next instruction, as on a CPU (QEMU's TCG natively takes
 *     it later, where its translation block ends: that check is skipped).
 *
 * Interrupts are off but in the last check.  The code runs from a buffer
 * this kernel writes (paging stays off: every byte is executable).
 *
 * Kernel modes: native, hv, hv-novmi.
 */
#include "rules.h"

#define PAGE          4096u
#define PIC1_CMD      0x20u
#define PIC1_DATA     0x21u
#define PIC2_DATA     0xA1u
#define KBC_DATA      0x60u
#define KBC_CMD       0x64u
#define KBC_OBF       0x01u
#define KBC_WRITE_CMD 0x60u     /* 8042: the next data byte is the command byte */
#define KBC_KBD_INT   0x45u     /* command byte: keyboard interrupt, system, translation */
#define KBC_QUIET     0x44u     /* the same without the interrupt */
#define KBC_AS_KBD    0xD2u     /* 8042: the next data byte comes back as keyboard data */
#define IRQ_KBD       1u
#define MASK1         0xA5u     /* master mask to read back (interrupts are off) */
#define MASK2         0x5Au     /* slave mask */
#define MAX_POLLS     5000000u
#define FILL          0x12345678u  /* EAX before an IN: what a byte IN must keep */

/* IN/OUT opcodes (SDM vol. 2): imm8 port E4 (in al) E5 (in eax) E6 (out
 * al); DX port EC (in al) ED (in eax); 66h makes E5/ED 16-bit. */
#define OPSIZE  0x66u
#define IN_AL_I 0xE4u
#define OUT_I_AL 0xE6u
#define IN_AL_DX 0xECu
#define IN_AX_DX 0xEDu
#define RET     0xC3u

/* Two pages of code, written and run by the checks. */
static uint8_t code[2 * PAGE] __attribute__((aligned(PAGE)));

/* Run the bytes at `at` (ending in RET) with EAX and EDX; EAX after. */
static uint32_t run(const uint8_t *at, uint32_t eax, uint32_t edx)
{
    __asm__ volatile("call *%2" : "+a"(eax), "+d"(edx) : "b"(at) : "ecx", "memory", "cc");
    return eax;
}

/* Put n bytes at `at` and run them. */
static uint32_t put_run(uint8_t *at, const uint8_t *bytes, uint32_t n, uint32_t eax, uint32_t edx)
{
    for (uint32_t i = 0; i < n; i++)
        at[i] = bytes[i];
    return run(at, eax, edx);
}

/* The same place, rewritten between runs. */
static void rewritten(void)
{
    uint8_t *at = code + 0x100;
    const uint8_t in_master[] = { IN_AL_I, PIC1_DATA, RET };
    const uint8_t in_slave[] = { IN_AL_I, PIC2_DATA, RET };
    const uint8_t in_dx[] = { IN_AL_DX, RET, RET };
    const uint8_t in_66[] = { OPSIZE, IN_AL_I, PIC1_DATA, RET };
    const uint8_t in_ax[] = { OPSIZE, IN_AX_DX, RET, RET };
    uint32_t v = put_run(at, in_master, sizeof(in_master), FILL, 0);
    report(v == ((FILL & ~0xFFu) | MASK1), "in al, 21h: the master's mask, EAX's upper bytes kept "
           "(%08x)", v);
    v = put_run(at, in_slave, sizeof(in_slave), FILL, 0);
    report(v == ((FILL & ~0xFFu) | MASK2), "the same bytes rewritten to in al, A1h: the slave's "
           "mask (%08x)", v);
    v = put_run(at, in_dx, sizeof(in_dx), FILL, PIC1_DATA);
    report(v == ((FILL & ~0xFFu) | MASK1), "rewritten to in al, dx (DX 21h): the master's mask "
           "(%08x)", v);
    v = put_run(at, in_66, sizeof(in_66), FILL, 0);
    report(v == ((FILL & ~0xFFu) | MASK1), "rewritten to 66h in al, 21h: still a byte (%08x)", v);
    vmi_outb(PIC1_CMD, RULES_OCW3_READ_IRR);
    v = put_run(at, in_ax, sizeof(in_ax), FILL, PIC1_CMD);
    report((v >> 8 & 0xFFu) == MASK1 && (v & ~0xFFFFu) == (FILL & ~0xFFFFu), "rewritten to 66h "
           "in ax, dx (DX 20h): AH the mask from 21h, EAX's upper half kept (%08x)", v);
}

/* Instructions across the boundary between the two pages. */
static void split(void)
{
    uint8_t *end = code + PAGE;                    /* the second page's first byte */
    const uint8_t in_imm[] = { IN_AL_I, PIC1_DATA, RET };
    const uint8_t in_66[] = { OPSIZE, IN_AL_I, PIC1_DATA, RET };
    const uint8_t in_dx[] = { IN_AL_DX, RET };
    const uint8_t out_imm[] = { OUT_I_AL, PIC2_DATA, RET };
    uint32_t v = put_run(end - 1, in_imm, sizeof(in_imm), FILL, 0);
    report(v == ((FILL & ~0xFFu) | MASK1), "in al, 21h with its port on the next page (%08x)", v);
    v = put_run(end - 1, in_66, sizeof(in_66), FILL, 0);
    report(v == ((FILL & ~0xFFu) | MASK1), "66h on one page, in al, 21h on the next (%08x)", v);
    v = put_run(end - 2, in_66, sizeof(in_66), FILL, 0);
    report(v == ((FILL & ~0xFFu) | MASK1), "66h in al on one page, the port on the next (%08x)", v);
    v = put_run(end - 1, in_dx, sizeof(in_dx), FILL, PIC1_DATA);
    report(v == ((FILL & ~0xFFu) | MASK1), "in al, dx on a page's last byte (%08x)", v);
    put_run(end - 1, out_imm, sizeof(out_imm), 0x3Cu, 0);
    v = vmi_inb(PIC2_DATA);
    vmi_outb(PIC2_DATA, MASK2);
    report(v == 0x3Cu, "out A1h, al with its port on the next page: the slave's mask %02x", v);
}

/* Have the 8042 request IRQ 1 (a byte given back as keyboard data with
 * its interrupt on); 1 once the master's IRR shows it. */
static int request_irq1(void)
{
    vmi_outb(KBC_CMD, KBC_WRITE_CMD);
    vmi_outb(KBC_DATA, KBC_KBD_INT);
    vmi_outb(KBC_CMD, KBC_AS_KBD);
    vmi_outb(KBC_DATA, 0x42);
    return rules_wait_requested(IRQ_KBD, MAX_POLLS);
}

/* An OUT unmasking a requested line with interrupts on: it comes at the
 * instruction after the OUT (the RET), and only then. */
static void unmask_delivers(void)
{
    uint8_t *at = code + 0x200;
    const uint8_t out_mask[] = { OUT_I_AL, PIC1_DATA, RET };
    rules_pic_mask(RULES_PIC_ALL);
    int requested = request_irq1();
    uint32_t before = rt_irq_count[IRQ_KBD];
    vmi_enable_interrupts();
    uint32_t masked = rt_irq_count[IRQ_KBD] - before;
    put_run(at, out_mask, sizeof(out_mask), (uint8_t)~(1u << IRQ_KBD), 0);
    vmi_disable_interrupts();
    uint32_t got = rt_irq_count[IRQ_KBD] - before;
    rules_pic_mask(RULES_PIC_ALL);
    while (vmi_inb(KBC_CMD) & KBC_OBF)
        vmi_inb(KBC_DATA);
    vmi_outb(KBC_CMD, KBC_WRITE_CMD);
    vmi_outb(KBC_DATA, KBC_QUIET);
    report(requested && !masked, "IRQ 1 requested, masked: nothing with interrupts on");
    report(got == 1, "out 21h unmasking it: IRQ 1 once before interrupts are off again (%u)", got);
    if (rules_ring1())
        report(rt_last_irq.eip == (uint32_t)(at + 2), "IRQ 1 at the instruction after the OUT, "
               "its first boundary (%08x; the OUT at %08x)", rt_last_irq.eip, (uint32_t)at);
    else
        report_skip("IRQ 1 at the instruction after the OUT: QEMU's TCG takes it where its "
                    "translation block ends (%08x; the OUT at %08x), a CPU at the OUT's "
                    "boundary (SDM vol. 3A 6.6), as the hypervisor does", rt_last_irq.eip,
                    (uint32_t)at);
}

void guest_main(const char *cmdline)
{
    (void)cmdline;
    vmi_disable_interrupts();
    rules_pic_mask(MASK1);
    vmi_outb(PIC2_DATA, MASK2);
    rewritten();
    split();
    rules_pic_mask(RULES_PIC_ALL);
    vmi_outb(PIC2_DATA, RULES_PIC_ALL);
    unmask_delivers();
}
