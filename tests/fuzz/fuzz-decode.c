/*
 * fuzz-decode.c - libFuzzer harness for hypervisor/traps/decode.c, the decoder
 * behind trap-and-emulate.
 *
 * Input: 32 bytes of registers (EAX..EDI, little-endian, ModRM order),
 * then the instruction bytes (all the rest, however many).  Invariants:
 *   decode returns 0 or -1 and never writes the trapframe;
 *   decoded: length 1..15 (SDM vol. 2, 2.3.11) and no more than the bytes
 *     given; every strict prefix of those bytes decodes to -1 (the bytes
 *     run out); the same bytes cut to exactly length decode the same
 *     (nothing past the instruction is read: ASan sees the edge);
 *   -1 with 15 bytes or more only for MOV to/from CR/DR with a memory
 *     ModRM, or LSS with a register one, which decode.c refuses on purpose,
 *     or an instruction longer than 15 bytes (any number of prefixes);
 *   decode_io (the fast path's plain IN/OUT) accepts the bytes only when
 *     decode finds IN or OUT with no prefix but one 66h, and then gives
 *     the same length, size, direction and port;
 *   a differential check against the reference below, written from the
 *     SDM opcode map rather than from decode.c: the operation, length,
 *     I/O size, direction, port, vector, REP, ModRM fields and effective
 *     address, segment override, 67h and LOCK of every instruction the
 *     hypervisor emulates (RDTSC, MOV SS, POP SS, LSS, IRET: their length
 *     only, see ref_op_free); with 67h a memory ModRM is not emulated.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>     /* memcmp, memcpy */
#include "decode.h"
#include "fuzz.h"

#define GPRS          8u      /* EAX..EDI */
#define REG_BYTES     (GPRS * sizeof(uint32_t))
#define MAX_INSN_LEN  15u     /* SDM vol. 2, 2.3.11 */
#define OPSIZE_PREFIX 0x66u   /* SDM vol. 2, 2.1.1 legacy prefixes */
#define ADDR_PREFIX   0x67u
#define REP_PREFIX    0xF3u
#define REPNE_PREFIX  0xF2u
#define LOCK_PREFIX   0xF0u
#define TWO_BYTE      0x0Fu
#define MODRM_REG_MEM 3u      /* mod 11: register operand */
#define RM_SIB        4u
#define RM_DISP32     5u
#define SIB_NO_INDEX  4u
#define DISP8         1u
#define DISP32        4u
#define MOV_CR_FIRST  0x20u   /* 0F 20..23: MOV from/to CR/DR */
#define RDTSC_OPCODE  0x31u   /* 0F 31 ...                                */
#define LSS_OPCODE    0xB2u   /* 0F B2 /r, memory operand only ...        */
#define MOV_SREG_OPCODE 0x8Eu /* 8E /r ...                                */
#define POP_SS_OPCODE 0x17u
#define IRET_OPCODE   0xCFu   /* ... : see ref_op_free                    */
#define REF_CUT_SHORT (-1)    /* ref_decode: the bytes run out           */
#define REF_REFUSED   (-2)    /* ref_decode: a ModRM form refused on purpose */
#define REF_TOO_LONG  (-3)    /* ref_decode: longer than 15 bytes        */

/* Set by the reference for the instructions the hypervisor is learning to
 * emulate (RDTSC for CR4.TSD; MOV SS, POP SS, LSS and IRET for ring
 * compression): decode.c may emulate them or leave them OP_NONE, so their
 * operation and verdict are not compared; if emulated, their length must
 * be the reference's, and -1 with 15 bytes only for LSS from a register. */
static int ref_op_free;

/* 1 if b is one of the legacy prefixes decode.c skips (SDM 2.1.1). */
static int ref_is_prefix(uint8_t b)
{
    static const uint8_t prefixes[] = {
        0x66, 0x67, 0xF3, 0xF2, 0xF0, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65,
    };
    size_t i;

    for (i = 0; i < sizeof prefixes; i++)
        if (b == prefixes[i])
            return 1;
    return 0;
}

/* Reference ModRM/SIB/displacement at m (avail bytes) into x; its length,
 * or 0 if it does not fit (SDM vol. 2, tables 2-2 and 2-3). */
static uint32_t ref_modrm(const uint8_t *m, uint32_t avail,
                          const uint32_t *regs, struct insn *x)
{
    uint32_t mod, rm, len = 1, disp = 0, ea = 0, base;

    if (!avail)
        return 0;
    mod = m[0] >> 6, rm = m[0] & 7u;
    x->reg = (m[0] >> 3) & 7u, x->rm = rm, x->rm_is_mem = mod != MODRM_REG_MEM;
    if (mod == MODRM_REG_MEM)
        return 1;
    base = rm;
    if (rm == RM_SIB) {
        if (avail < 2)
            return 0;
        len = 2, base = m[1] & 7u;
        if (((m[1] >> 3) & 7u) != SIB_NO_INDEX)
            ea = regs[(m[1] >> 3) & 7u] << (m[1] >> 6);
    }
    if (base == RM_DISP32 && mod == 0)
        disp = DISP32;
    else
        ea += regs[base];
    disp += mod == 1 ? DISP8 : mod == 2 ? DISP32 : 0;
    if (len + disp > avail)
        return 0;
    ea += disp == DISP8 ? (uint32_t)(int32_t)(int8_t)m[len]
        : disp == DISP32 ? fuzz_le32(m + len) : 0;
    x->ea = ea;
    return len + disp;
}

/* An instruction decode.c may or may not emulate (see ref_op_free), with
 * a ModRM at b[at]; need_mem: a register operand is refused.  0 with
 * x->length set, REF_CUT_SHORT or REF_REFUSED. */
static int ref_free_modrm(const uint8_t *b, uint32_t n, uint32_t at,
                          const uint32_t *regs, int need_mem, struct insn *x)
{
    uint32_t len = at < n ? ref_modrm(b + at, n - at, regs, x) : 0;

    ref_op_free = 1;
    if (!len)
        return REF_CUT_SHORT;
    if (need_mem && !x->rm_is_mem)
        return REF_REFUSED;
    x->length = at + len;
    return 0;
}

/* Reference for the 0F xx instructions after p bytes; 0, REF_CUT_SHORT or
 * REF_REFUSED. */
static int ref_0f(const uint8_t *b, uint32_t n, uint32_t p,
                  const uint32_t *regs, struct insn *x)
{
    uint32_t len;
    uint8_t op;

    if (p + 1 >= n)
        return REF_CUT_SHORT;
    op = b[p + 1];
    x->length = p + 2;
    switch (op) {
    case 0x06: x->op = OP_CLTS; return 0;
    case 0x09: x->op = OP_WBINVD; return 0;
    case 0x30: x->op = OP_WRMSR; return 0;
    case 0x32: x->op = OP_RDMSR; return 0;
    case 0x33: x->op = OP_RDPMC; return 0;
    case RDTSC_OPCODE: ref_op_free = 1; return 0;
    case LSS_OPCODE: return ref_free_modrm(b, n, p + 2, regs, 1, x);
    case 0x00: case 0x01: case 0x20: case 0x21: case 0x22: case 0x23:
        break;
    default:
        return 0;           /* not emulated: OP_NONE, length unused */
    }
    len = ref_modrm(b + p + 2, n - p - 2, regs, x);
    if (!len)
        return REF_CUT_SHORT;
    if (op >= MOV_CR_FIRST && x->rm_is_mem)
        return REF_REFUSED;
    x->length = p + 2 + len;
    x->op = op == 0x20 ? OP_MOV_FROM_CR : op == 0x22 ? OP_MOV_TO_CR
          : op == 0x21 ? OP_MOV_FROM_DR : op == 0x23 ? OP_MOV_TO_DR
          : op == 0x00 && x->reg == 2 ? OP_LLDT
          : op == 0x00 && x->reg == 3 ? OP_LTR
          : op == 0x01 && x->reg == 2 && x->rm_is_mem ? OP_LGDT
          : op == 0x01 && x->reg == 3 && x->rm_is_mem ? OP_LIDT
          : op == 0x01 && x->reg == 7 && x->rm_is_mem ? OP_INVLPG : OP_NONE;
    return 0;
}

/* Reference for one-byte opcode op after p prefixes; 0 or REF_CUT_SHORT. */
static int ref_1(const uint8_t *b, uint32_t n, uint32_t p, uint32_t wide,
                 const uint32_t *regs, struct insn *x)
{
    uint8_t op = b[p];

    x->length = p + 1;
    if (op == MOV_SREG_OPCODE)
        return ref_free_modrm(b, n, p + 1, regs, 0, x);
    if (op == POP_SS_OPCODE || op == IRET_OPCODE)
        ref_op_free = 1;
    if (op == 0xFA || op == 0xFB || op == 0xF4) {
        x->op = op == 0xFA ? OP_CLI : op == 0xFB ? OP_STI : OP_HLT;
    } else if (op == 0xCD || (op >= 0xE4 && op <= 0xE7)) {
        if (p + 1 >= n)
            return REF_CUT_SHORT;
        x->imm = b[p + 1], x->length = p + 2;
        x->op = op == 0xCD ? OP_INT : OP_IO, x->port_imm = op != 0xCD;
    } else if (op >= 0xEC && op <= 0xEF) {
        x->op = OP_IO;
    } else if (op >= 0x6C && op <= 0x6F) {
        x->op = OP_STRING_IO;
    }
    if (x->op == OP_IO || x->op == OP_STRING_IO) {
        x->io_out = (op & 2u) != 0;
        x->opsize = (op & 1u) ? wide : 1;
    }
    return 0;
}

/* The segment register (ES, CS, SS, DS, FS, GS order) prefix b names. */
static int ref_segment(uint8_t b)
{
    static const uint8_t seg[] = { 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 };
    int i;

    for (i = 0; i < (int)sizeof seg; i++)
        if (b == seg[i])
            return i;
    return -1;
}

/* Reference decoder on at most 15 bytes: 0 with x filled, REF_CUT_SHORT,
 * REF_REFUSED or REF_TOO_LONG. */
static int ref_decode(const uint8_t *b, uint32_t n, const uint32_t *regs,
                      struct insn *x)
{
    uint32_t p = 0, wide = 4, given = n;
    int r;

    memset(x, 0, sizeof *x);
    x->op = OP_NONE, x->seg = -1;
    ref_op_free = 0;
    n = n > MAX_INSN_LEN ? MAX_INSN_LEN : n;
    for (; p < n && ref_is_prefix(b[p]); p++) {
        if (b[p] == OPSIZE_PREFIX)
            wide = 2;
        if (b[p] == REP_PREFIX || b[p] == REPNE_PREFIX)
            x->rep = 1;
        if (b[p] == ADDR_PREFIX)
            x->addr16 = 1;
        if (b[p] == LOCK_PREFIX)
            x->lock = 1;
        if (ref_segment(b[p]) >= 0)
            x->seg = ref_segment(b[p]);
    }
    r = p >= n ? REF_CUT_SHORT
      : b[p] == TWO_BYTE ? ref_0f(b, n, p, regs, x) : ref_1(b, n, p, wide, regs, x);
    if (r == REF_CUT_SHORT && given >= MAX_INSN_LEN)
        return REF_TOO_LONG;
    if (!r && x->addr16 && x->rm_is_mem)
        x->op = OP_NONE;              /* 16-bit ModRM: not emulated */
    return r;
}

/* 1 if op takes a ModRM operand. */
static int has_modrm(enum insn_op op)
{
    switch (op) {
    case OP_LGDT: case OP_LIDT: case OP_LLDT: case OP_LTR: case OP_INVLPG:
    case OP_MOV_TO_CR: case OP_MOV_FROM_CR: case OP_MOV_TO_DR:
    case OP_MOV_FROM_DR:
        return 1;
    default:
        return 0;
    }
}

/* The fields of in that mean something for its operation equal x's. */
static void compare(const struct insn *in, const struct insn *x)
{
    if (ref_op_free) {
        FUZZ_REQUIRE(in->op == OP_NONE || in->length == x->length,
                     "length differs from the reference");
        return;
    }
    FUZZ_REQUIRE(in->op == x->op, "operation differs from the reference");
    FUZZ_REQUIRE(in->rep == x->rep, "REP differs from the reference");
    FUZZ_REQUIRE(in->seg == x->seg && in->addr16 == x->addr16 && in->lock == x->lock,
                 "segment override, 67h or LOCK differs from the reference");
    if (in->op == OP_NONE)
        return;                     /* reflected: the length is not used */
    FUZZ_REQUIRE(in->length == x->length, "length differs from the reference");
    if (in->op == OP_IO || in->op == OP_STRING_IO)
        FUZZ_REQUIRE(in->opsize == x->opsize && in->io_out == x->io_out &&
                     in->port_imm == x->port_imm &&
                     (!in->port_imm || in->imm == x->imm),
                     "I/O size, direction or port differs from the reference");
    if (in->op == OP_INT)
        FUZZ_REQUIRE(in->imm == x->imm, "INT vector differs from the reference");
    if (has_modrm(in->op))
        FUZZ_REQUIRE(in->reg == x->reg && in->rm == x->rm &&
                     in->rm_is_mem == x->rm_is_mem &&
                     (!in->rm_is_mem || in->ea == x->ea),
                     "ModRM operand differs from the reference");
}

/* A successful decode of n bytes at b as in: length and prefix checks. */
static void check_decoded(const uint8_t *b, uint32_t n,
                          const struct trapframe *tf0, const struct insn *in)
{
    struct trapframe tf = *tf0;
    struct insn again;
    uint32_t m;

    FUZZ_REQUIRE(in->length >= 1 && in->length <= MAX_INSN_LEN,
                 "length outside 1..15");
    FUZZ_REQUIRE(in->length <= n, "length past the bytes given");
    FUZZ_REQUIRE(decode(b, in->length, &tf, &again) == 0 &&
                 !memcmp(&again, in, sizeof again),
                 "the instruction's own bytes decode differently");
    for (m = 0; m < in->length; m++)
        FUZZ_REQUIRE(decode(b, m, &tf, &again) == -1,
                     "a strict prefix of the instruction decodes");
}

/* decode_io on the same bytes: accepted only for decode's plain IN/OUT
 * (r, in: decode's answer), with the same operands. */
static void check_io_fast(const uint8_t *b, uint32_t n, const struct trapframe *tf, int r,
                          const struct insn *in)
{
    struct io_insn io;
    uint32_t prefixes = r ? 0 : in->length - 1 - (uint32_t)in->port_imm;

    if (decode_io(b, n, tf, &io))
        return;
    FUZZ_REQUIRE(!r && in->op == OP_IO &&
                 (prefixes == 0 || (prefixes == 1 && b[0] == OPSIZE_PREFIX)),
                 "decode_io accepted what decode finds no plain IN/OUT");
    FUZZ_REQUIRE(io.length == in->length && io.size == in->opsize && io.out == in->io_out &&
                 io.port == (in->port_imm ? in->imm : (uint16_t)tf->edx),
                 "decode_io's operands differ from decode's");
}

/* Registers from the first 32 bytes; the rest is the instruction. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t regs[GPRS], i, n = size > REG_BYTES ? (uint32_t)(size - REG_BYTES) : 0;
    const uint8_t *b = data + (size > REG_BYTES ? REG_BYTES : size);
    struct trapframe tf, before;
    struct insn in, x;
    int r, rx;

    memset(&tf, 0, sizeof tf);
    for (i = 0; i < GPRS; i++)
        regs[i] = fuzz_word(data, size < REG_BYTES ? size : REG_BYTES, i);
    tf.eax = regs[0], tf.ecx = regs[1], tf.edx = regs[2], tf.ebx = regs[3];
    tf.esp = regs[4], tf.ebp = regs[5], tf.esi = regs[6], tf.edi = regs[7];
    before = tf;
    r = decode(b, n, &tf, &in);
    FUZZ_REQUIRE(r == 0 || r == -1, "decode returned neither 0 nor -1");
    FUZZ_REQUIRE(!memcmp(&tf, &before, sizeof tf), "decode wrote the trapframe");
    check_io_fast(b, n, &before, r, &in);
    rx = ref_decode(b, n, regs, &x);
    if (!ref_op_free)
        FUZZ_REQUIRE(r == (rx ? -1 : 0),
                     "verdict (decoded or -1) differs from the reference");
    if (r) {
        FUZZ_REQUIRE(n < MAX_INSN_LEN || rx == REF_REFUSED || rx == REF_TOO_LONG,
                     "-1 with 15 bytes for other than MOV CR/DR from memory or past 15 bytes");
        return 0;
    }
    compare(&in, &x);
    check_decoded(b, n, &before, &in);
    return 0;
}
