/*
 * decode-test.c - host unit tests of hypervisor/traps/decode.c, the decoder
 * behind trap-and-emulate: each instruction a ring-1 guest may trap on,
 * with prefixes and every addressing form the decoder computes.
 */
#include <string.h>     /* memset */
#include "check.h"
#include "decode.h"

struct expect {
    const char *what;
    uint8_t bytes[15];
    uint32_t n;
    enum insn_op op;
    uint32_t length, opsize, imm, reg, ea;
};

/* A trapframe with distinct register values to check addressing. */
static struct trapframe regs(void)
{
    struct trapframe tf;
    memset(&tf, 0, sizeof(tf));
    tf.eax = 0x1000; tf.ecx = 0x2000; tf.edx = 0x3F8; tf.ebx = 0x4000;
    tf.esp = 0x5000; tf.ebp = 0x6000; tf.esi = 0x7000; tf.edi = 0x8000;
    return tf;
}

static const struct expect cases[] = {
    { "cli", { 0xFA }, 1, OP_CLI, 1, 0, 0, 0, 0 },
    { "sti", { 0xFB }, 1, OP_STI, 1, 0, 0, 0, 0 },
    { "hlt", { 0xF4 }, 1, OP_HLT, 1, 0, 0, 0, 0 },
    { "int 0x80", { 0xCD, 0x80 }, 2, OP_INT, 2, 0, 0x80, 0, 0 },
    { "out dx, al", { 0xEE }, 1, OP_IO, 1, 1, 0, 0, 0 },
    { "out dx, eax", { 0xEF }, 1, OP_IO, 1, 4, 0, 0, 0 },
    { "out dx, ax (66 prefix)", { 0x66, 0xEF }, 2, OP_IO, 2, 2, 0, 0, 0 },
    { "in al, 0x60", { 0xE4, 0x60 }, 2, OP_IO, 2, 1, 0x60, 0, 0 },
    { "out 0xf4, eax", { 0xE7, 0xF4 }, 2, OP_IO, 2, 4, 0xF4, 0, 0 },
    { "rep outsb", { 0xF3, 0x6E }, 2, OP_STRING_IO, 2, 1, 0, 0, 0 },
    { "rep insw (66 prefix)", { 0xF3, 0x66, 0x6D }, 3, OP_STRING_IO, 3, 2, 0, 0, 0 },
    { "lgdt [eax]", { 0x0F, 0x01, 0x10 }, 3, OP_LGDT, 3, 0, 0, 2, 0x1000 },
    { "lidt [ebx+0x10]", { 0x0F, 0x01, 0x5B, 0x10 }, 4, OP_LIDT, 4, 0, 0, 3, 0x4010 },
    { "lgdt [disp32]", { 0x0F, 0x01, 0x15, 0x78, 0x56, 0x34, 0x12 }, 7, OP_LGDT, 7, 0, 0, 2, 0x12345678 },
    { "lidt [esp+ecx*4-8]", { 0x0F, 0x01, 0x5C, 0x8C, 0xF8 }, 5, OP_LIDT, 5, 0, 0, 3, 0x5000 + 0x8000 - 8 },
    { "lgdt [ebp+disp32]", { 0x0F, 0x01, 0x95, 0x00, 0x01, 0x00, 0x00 }, 7, OP_LGDT, 7, 0, 0, 2, 0x6100 },
    { "lgdt [esi*2+disp32] (SIB, no base)", { 0x0F, 0x01, 0x14, 0x75, 0x10, 0, 0, 0 }, 8, OP_LGDT, 8, 0, 0, 2, 0xE010 },
    { "lldt ax", { 0x0F, 0x00, 0xD0 }, 3, OP_LLDT, 3, 0, 0, 2, 0 },
    { "ltr cx", { 0x0F, 0x00, 0xD9 }, 3, OP_LTR, 3, 0, 0, 3, 0 },
    { "invlpg [edi]", { 0x0F, 0x01, 0x3F }, 3, OP_INVLPG, 3, 0, 0, 7, 0x8000 },
    { "mov cr0, eax", { 0x0F, 0x22, 0xC0 }, 3, OP_MOV_TO_CR, 3, 0, 0, 0, 0 },
    { "mov ebx, cr3", { 0x0F, 0x20, 0xDB }, 3, OP_MOV_FROM_CR, 3, 0, 0, 3, 0 },
    { "mov dr7, edx", { 0x0F, 0x23, 0xFA }, 3, OP_MOV_TO_DR, 3, 0, 0, 7, 0 },
    { "mov esi, dr0", { 0x0F, 0x21, 0xC6 }, 3, OP_MOV_FROM_DR, 3, 0, 0, 0, 0 },
    { "rdmsr", { 0x0F, 0x32 }, 2, OP_RDMSR, 2, 0, 0, 0, 0 },
    { "wrmsr", { 0x0F, 0x30 }, 2, OP_WRMSR, 2, 0, 0, 0, 0 },
    { "rdpmc", { 0x0F, 0x33 }, 2, OP_RDPMC, 2, 0, 0, 0, 0 },
    { "clts", { 0x0F, 0x06 }, 2, OP_CLTS, 2, 0, 0, 0, 0 },
    { "wbinvd", { 0x0F, 0x09 }, 2, OP_WBINVD, 2, 0, 0, 0, 0 },
    { "cs: prefixed cli", { 0x2E, 0xFA }, 2, OP_CLI, 2, 0, 0, 0, 0 },
    { "popf cannot be caught", { 0x9D }, 1, OP_NONE, 1, 0, 0, 0, 0 },
    { "sgdt cannot be caught", { 0x0F, 0x01, 0x00 }, 3, OP_NONE, 3, 0, 0, 0, 0 },
};

/* Decode one case and compare every field it names. */
static void run(const struct expect *e)
{
    struct trapframe tf = regs();
    struct insn in;
    int r = decode(e->bytes, e->n, &tf, &in);
    int ok = r == 0 && in.op == e->op && in.length == e->length;
    if (e->op == OP_IO)
        ok = ok && in.opsize == e->opsize && in.imm == e->imm;
    if (e->op == OP_STRING_IO)
        ok = ok && in.opsize == e->opsize && in.rep;
    if (e->op == OP_INT)
        ok = ok && in.imm == e->imm;
    if (e->op >= OP_LGDT && e->op != OP_CLTS && e->op != OP_WBINVD && e->op < OP_RDMSR)
        ok = ok && in.reg == e->reg && (!in.rm_is_mem || in.ea == e->ea);
    if (e->op >= OP_MOV_TO_CR && e->op <= OP_MOV_FROM_DR)
        ok = ok && (in.op == OP_MOV_TO_CR || in.op == OP_MOV_FROM_CR || in.op == OP_MOV_TO_DR ||
                    in.op == OP_MOV_FROM_DR) && !in.rm_is_mem;
    check(ok, e->what, "r %d op %d len %u size %u imm %#x reg %u ea %#x",
          r, in.op, in.length, in.opsize, in.imm, in.reg, in.ea);
}

/* Truncated instructions report that the bytes ran out. */
static void truncated(void)
{
    struct trapframe tf = regs();
    struct insn in;
    const uint8_t lgdt[] = { 0x0F, 0x01, 0x15, 0x78 };
    check(decode(lgdt, sizeof(lgdt), &tf, &in) == -1, "truncated lgdt [disp32] reported", "decoded");
    const uint8_t pfx[] = { 0x66, 0x66 };
    check(decode(pfx, sizeof(pfx), &tf, &in) == -1, "prefixes only reported", "decoded");
}

/* String I/O prefixes: segment override (the last wins), 67h, REPNE as a
 * repeat, any number of prefixes up to the 15-byte limit. */
static void string_prefixes(void)
{
    struct trapframe tf = regs();
    struct insn in = { .op = OP_NONE };
    const uint8_t fs_outsb[] = { 0x64, 0x6E };
    check(!decode(fs_outsb, sizeof(fs_outsb), &tf, &in) && in.op == OP_STRING_IO &&
          in.seg == SEG_FS && !in.rep && !in.addr16 && in.length == 2,
          "fs outsb: FS override, no repeat", "seg %d rep %d", in.seg, in.rep);
    const uint8_t repne_insw[] = { 0xF2, 0x66, 0x6D };
    check(!decode(repne_insw, sizeof(repne_insw), &tf, &in) && in.rep && in.opsize == 2 &&
          in.seg == -1, "repne insw repeats like rep", "rep %d size %u", in.rep, in.opsize);
    const uint8_t a16[] = { 0x67, 0xF3, 0x6C };
    check(!decode(a16, sizeof(a16), &tf, &in) && in.op == OP_STRING_IO && in.addr16 &&
          in.rep && in.length == 3, "67h rep insb: 16-bit addressing", "r op %d a16 %d", in.op,
          in.addr16);
    const uint8_t last[] = { 0x2E, 0x36, 0x26, 0x3E, 0x6F };
    check(!decode(last, sizeof(last), &tf, &in) && in.seg == SEG_DS && in.length == 5,
          "cs ss es ds outsd: the last override counts", "seg %d", in.seg);
    uint8_t fourteen[15];
    memset(fourteen, 0x3E, 14);
    fourteen[14] = 0xEE;
    check(!decode(fourteen, 15, &tf, &in) && in.op == OP_IO && in.length == 15,
          "14 prefixes and out dx, al: 15 bytes decode", "op %d len %u", in.op, in.length);
    uint8_t fifteen[16];
    memset(fifteen, 0x3E, 15);
    fifteen[15] = 0xEE;
    check(decode(fifteen, 16, &tf, &in) == -1, "15 prefixes and out: past 15 bytes refused",
          "decoded, len %u", in.length);
    const uint8_t lock_out[] = { 0xF0, 0xEE };
    check(!decode(lock_out, sizeof(lock_out), &tf, &in) && in.op == OP_IO && in.lock,
          "lock out dx, al: LOCK recorded (emulate raises #UD)", "op %d lock %d", in.op, in.lock);
    const uint8_t a16_lgdt[] = { 0x67, 0x0F, 0x01, 0x17 };
    check(!decode(a16_lgdt, sizeof(a16_lgdt), &tf, &in) && in.op == OP_NONE,
          "67h lgdt [bx]: 16-bit ModRM is not emulated", "op %d", in.op);
}

/* decode_io's answer for b[0..n) agrees with decode()'s: accepted only
 * for an IN or OUT with nothing but an optional 66h prefix, and then the
 * same length, size, direction and port.  1 if so, with *accepted set. */
static int io_agrees(const uint8_t *b, uint32_t n, int *accepted)
{
    struct trapframe tf = regs();
    struct insn in;
    struct io_insn io;
    int r = decode(b, n, &tf, &in);
    uint32_t prefixes = r ? 0 : in.length - 1 - (uint32_t)in.port_imm;
    int plain = !r && in.op == OP_IO && (prefixes == 0 || (prefixes == 1 && b[0] == 0x66));
    *accepted = decode_io(b, n, &tf, &io) == 0;
    if (!*accepted)
        return !plain;
    uint32_t port = in.port_imm ? in.imm : (uint16_t)tf.edx;
    return plain && io.length == in.length && io.size == in.opsize &&
           io.out == in.io_out && io.port == port;
}

/* decode_io against decode on every one-, two- and three-byte sequence
 * (the third byte from a few values: only an imm8 port reads it). */
static void io_fast_form(void)
{
    static const uint8_t thirds[] = { 0x00, 0x21, 0x80, 0xEE, 0xFF };
    uint32_t accepted = 0, bad = 0, bad_at = 0;
    for (uint32_t w = 0; w < 0x10000u; w++)
        for (uint32_t t = 0; t < sizeof(thirds); t++)
            for (uint32_t n = 1; n <= 3; n++) {
                const uint8_t b[3] = { (uint8_t)w, (uint8_t)(w >> 8), thirds[t] };
                int ok;
                if (!io_agrees(b, n, &ok) && !bad++)
                    bad_at = w | (uint32_t)thirds[t] << 16 | n << 24;
                accepted += (uint32_t)ok;
            }
    check(!bad, "decode_io agrees with decode on all 1-3 byte sequences",
          "%u disagree, first bytes %06x n %u", bad, bad_at & 0xFFFFFFu, bad_at >> 24);
    const uint8_t out_ax[] = { 0x66, 0xEF }, in_imm[] = { 0x66, 0xE5, 0x40 };
    struct trapframe tf = regs();
    struct io_insn io;
    check(!decode_io(out_ax, 2, &tf, &io) && io.size == 2 && io.out && io.port == 0x3F8 &&
          io.length == 2, "decode_io: 66 out dx, ax", "size %u out %d port %#x", io.size, io.out,
          io.port);
    check(!decode_io(in_imm, 3, &tf, &io) && io.size == 2 && !io.out && io.port == 0x40 &&
          io.length == 3, "decode_io: 66 in ax, 40h", "size %u out %d port %#x", io.size, io.out,
          io.port);
    check(decode_io(in_imm, 2, &tf, &io) == -1, "decode_io: the imm8 cut off is refused",
          "accepted");
    check(accepted > 0, "decode_io accepts some forms", "none");
}

int main(void)
{
    string_prefixes();
    io_fast_form();
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run(&cases[i]);
    truncated();
    return test_status();
}
