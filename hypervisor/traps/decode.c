/*
 * decode.c - decode the privileged instructions a ring-1 or ring-3 guest
 * may trap on (Intel SDM vol. 2, opcode map and ModRM/SIB tables).
 * Everything else decodes as OP_NONE and is reflected to the guest.
 */
#include "decode.h"

#define PFX_REP     0xF3u
#define PFX_REPNE   0xF2u
#define PFX_LOCK    0xF0u
#define PFX_ADDR    0x67u       /* address size: 16-bit SI, DI, CX          */
#define MAX_INSN_BYTES 15u      /* longer raises #GP (SDM vol. 2, 2.3.11)   */
#define TWO_BYTE    0x0Fu
#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7u)
#define MODRM_RM(m)  ((m) & 7u)
#define RM_SIB      4u
#define RM_DISP32   5u
#define SIB_NO_INDEX 4u
#define SREG_SS     2u          /* ModRM reg field of MOV Sreg: SS */

/* Register number (ModRM order) to its slot in the trapframe. */
uint32_t *decode_gpr(struct trapframe *tf, uint32_t index)
{
    switch (index & 7u) {
    case 0: return &tf->eax;
    case 1: return &tf->ecx;
    case 2: return &tf->edx;
    case 3: return &tf->ebx;
    case 4: return &tf->esp;
    case 5: return &tf->ebp;
    case 6: return &tf->esi;
    default: return &tf->edi;
    }
}

/* The segment register a segment-override prefix names (SDM vol. 2,
 * 2.1.1: 26h ES, 2Eh CS, 36h SS, 3Eh DS, 64h FS, 65h GS), or -1. */
static int segment_prefix(uint8_t b)
{
    switch (b) {
    case 0x26: return SEG_ES;
    case 0x2E: return SEG_CS;
    case 0x36: return SEG_SS;
    case 0x3E: return SEG_DS;
    case 0x64: return SEG_FS;
    case 0x65: return SEG_GS;
    default: return -1;
    }
}

/* Take the prefix b into in (and *wide); 0 if b is no prefix. */
static int prefix(uint8_t b, struct insn *in, uint32_t *wide)
{
    int seg = segment_prefix(b);
    if (seg >= 0)
        in->seg = seg;                  /* the last one counts, as on Intel CPUs */
    else if (b == PFX_OPSIZE)
        *wide = 2;
    else if (b == PFX_ADDR)
        in->addr16 = 1;
    else if (b == PFX_REP || b == PFX_REPNE)
        in->rep = 1;                    /* INS/OUTS repeat under either (SDM: REP) */
    else if (b == PFX_LOCK)
        in->lock = 1;
    else
        return 0;
    return 1;
}

/* Little-endian 32-bit read. */
static uint32_t le32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Decode ModRM (and SIB, displacement) at b[*i]; -1 if truncated. */
static int modrm(const uint8_t *b, uint32_t n, uint32_t *i, struct trapframe *tf, struct insn *in)
{
    if (*i >= n)
        return -1;
    uint8_t m = b[(*i)++];
    uint32_t mod = MODRM_MOD(m), rm = MODRM_RM(m);
    in->reg = MODRM_REG(m);
    in->rm = rm;
    in->rm_is_mem = mod != 3;
    if (mod == 3)
        return 0;
    uint32_t ea = 0;
    if (rm == RM_SIB) {
        if (*i >= n)
            return -1;
        uint8_t sib = b[(*i)++];
        uint32_t base = sib & 7u, index = (sib >> 3) & 7u, scale = sib >> 6;
        if (index != SIB_NO_INDEX)
            ea += *decode_gpr(tf, index) << scale;
        if (base == RM_DISP32 && mod == 0) {
            if (*i + 4 > n) return -1;
            ea += le32(b + *i); *i += 4;
        } else {
            ea += *decode_gpr(tf, base);
        }
    } else if (rm == RM_DISP32 && mod == 0) {
        if (*i + 4 > n) return -1;
        ea = le32(b + *i); *i += 4;
    } else {
        ea = *decode_gpr(tf, rm);
    }
    if (mod == 1) {
        if (*i >= n) return -1;
        ea += (uint32_t)(int32_t)(int8_t)b[(*i)++];
    } else if (mod == 2) {
        if (*i + 4 > n) return -1;
        ea += le32(b + *i); *i += 4;
    }
    in->ea = ea;
    return 0;
}

/* The two-byte (0F xx) instructions we emulate. */
static int decode_0f(const uint8_t *b, uint32_t n, uint32_t *i, struct trapframe *tf, struct insn *in)
{
    if (*i >= n)
        return -1;
    uint8_t op = b[(*i)++];
    switch (op) {
    case 0x06: in->op = OP_CLTS; return 0;
    case 0x09: in->op = OP_WBINVD; return 0;
    case 0xB2:                              /* LSS r32, m16:32 */
        if (modrm(b, n, i, tf, in) || !in->rm_is_mem)
            return -1;
        in->op = OP_LSS;
        return 0;
    case 0x30: in->op = OP_WRMSR; return 0;
    case 0x31: in->op = OP_RDTSC; return 0;
    case 0x32: in->op = OP_RDMSR; return 0;
    case 0x33: in->op = OP_RDPMC; return 0;
    case 0x20: case 0x22: case 0x21: case 0x23:
        if (modrm(b, n, i, tf, in) || in->rm_is_mem)
            return -1;                      /* always register operands */
        in->op = op == 0x20 ? OP_MOV_FROM_CR : op == 0x22 ? OP_MOV_TO_CR
               : op == 0x21 ? OP_MOV_FROM_DR : OP_MOV_TO_DR;
        return 0;
    case 0x00: case 0x01:
        if (modrm(b, n, i, tf, in))
            return -1;
        if (op == 0x00 && in->reg == 2) in->op = OP_LLDT;
        else if (op == 0x00 && in->reg == 3) in->op = OP_LTR;
        else if (op == 0x01 && in->reg == 2 && in->rm_is_mem) in->op = OP_LGDT;
        else if (op == 0x01 && in->reg == 3 && in->rm_is_mem) in->op = OP_LIDT;
        else if (op == 0x01 && in->reg == 7 && in->rm_is_mem) in->op = OP_INVLPG;
        return 0;
    default:
        return 0;
    }
}

/* The one-byte instructions: I/O (string forms too), CLI, STI, HLT, INT n,
 * and the stack-segment loads and IRET that ring compression serves. */
static int decode_1(uint8_t op, const uint8_t *b, uint32_t n, uint32_t *i, struct trapframe *tf,
                    struct insn *in, uint32_t wide)
{
    switch (op) {
    case 0x8E:                                        /* MOV Sreg, r/m16 */
        if (modrm(b, n, i, tf, in))
            return -1;
        in->op = in->reg == SREG_SS ? OP_MOV_SS : OP_NONE;
        return 0;
    case 0x17: in->op = OP_POP_SS; in->opsize = wide; return 0;
    case 0xCF: in->op = OP_IRET; in->opsize = wide; return 0;
    case 0xFA: in->op = OP_CLI; return 0;
    case 0xFB: in->op = OP_STI; return 0;
    case 0xF4: in->op = OP_HLT; return 0;
    case 0xCD:
        if (*i >= n) return -1;
        in->op = OP_INT; in->imm = b[(*i)++];
        return 0;
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:
        if (*i >= n) return -1;
        in->port_imm = 1; in->imm = b[(*i)++];
        /* fall through */
    case 0xEC: case 0xED: case 0xEE: case 0xEF:
        in->op = OP_IO;
        in->io_out = (op & IO_OUT) != 0;
        in->opsize = (op & IO_WIDE) ? wide : 1;
        return 0;
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:      /* INS, OUTS */
        in->op = OP_STRING_IO;
        in->io_out = (op & 2u) != 0;
        in->opsize = (op & 1u) ? wide : 1;
        return 0;
    default:
        return 0;
    }
}

/* Decode the instruction in b[0..n); 0 with in->op set (OP_NONE if it is
 * none of ours), -1 when the bytes run out or pass the 15-byte limit.
 * Any number of prefixes within that limit; with 67h, an instruction with
 * a memory ModRM operand (16-bit addressing) is none of ours. */
int decode(const uint8_t *b, uint32_t n, struct trapframe *tf, struct insn *in)
{
    uint32_t i = 0, wide = 4;
    *in = (struct insn){ .op = OP_NONE, .seg = -1 };
    if (n > MAX_INSN_BYTES)
        n = MAX_INSN_BYTES;
    while (i < n && prefix(b[i], in, &wide))
        i++;
    if (i >= n)
        return -1;
    uint8_t op = b[i++];
    in->opsize = wide;
    int r = op == TWO_BYTE ? decode_0f(b, n, &i, tf, in) : decode_1(op, b, n, &i, tf, in, wide);
    in->length = i;
    if (!r && in->addr16 && in->rm_is_mem)
        in->op = OP_NONE;
    return r;
}
