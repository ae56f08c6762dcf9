/*
 * decode.h - the x86 instruction decoder for trap-and-emulate (decode.c),
 * and inline here the plain IN/OUT its fast path takes alone (decode_io).
 * Pure logic over bytes and a trapframe, so host unit tests link it.
 */
#ifndef HV_DECODE_H
#define HV_DECODE_H

#include "x86.h"

enum insn_op {
    OP_NONE, OP_IO, OP_CLI, OP_STI, OP_HLT, OP_INT, OP_LGDT, OP_LIDT,
    OP_LLDT, OP_LTR, OP_INVLPG, OP_CLTS, OP_WBINVD, OP_RDMSR, OP_WRMSR,
    OP_RDPMC, OP_MOV_TO_CR, OP_MOV_FROM_CR, OP_MOV_TO_DR, OP_MOV_FROM_DR,
    OP_STRING_IO, OP_RDTSC, OP_MOV_SS, OP_POP_SS, OP_LSS, OP_IRET,
};

struct insn {
    enum insn_op op;
    uint32_t length;        /* bytes, prefixes included              */
    uint32_t opsize;        /* I/O, POP SS, LSS: 1, 2 or 4 bytes     */
    int port_imm, io_out;   /* I/O: port is imm8; direction is out   */
    int rep;                /* string I/O: a REP or REPNE prefix     */
    int seg;                /* a segment-override prefix: SEG_*; -1  */
    int addr16;             /* an address-size prefix (67h)          */
    int lock;               /* a LOCK prefix (F0h)                   */
    uint32_t imm;           /* I/O port or INT vector                */
    uint32_t reg, rm;       /* ModRM reg field; rm register index    */
    int rm_is_mem;          /* the r/m operand is memory at ea       */
    uint32_t ea;            /* effective (linear, flat) address      */
};

#define PFX_OPSIZE  0x66u       /* operand-size prefix (SDM vol. 2, 2.1.1) */
/* IN and OUT (SDM vol. 2, opcode map): E4-E7 and EC-EF are 1110 p1 d w,
 * p set for the DX port (EC-EF), clear for an imm8 one (E4-E7); d set
 * for OUT; w set for the full operand size, clear for a byte. */
#define IO_OPCODE_MASK 0xF4u
#define IO_OPCODE      0xE4u
#define IO_DX_PORT     0x08u
#define IO_OUT         0x02u
#define IO_WIDE        0x01u

/* A plain IN or OUT (decode_io): what emulating it needs. */
struct io_insn {
    uint32_t length;        /* bytes, the prefix included            */
    uint32_t size;          /* 1, 2 or 4 bytes                       */
    uint32_t port;          /* imm8, or DX's low 16 bits             */
    int out;                /* OUT (else IN)                         */
};

int decode(const uint8_t *b, uint32_t n, struct trapframe *tf, struct insn *in);
uint32_t *decode_gpr(struct trapframe *tf, uint32_t index);

/* The common trapped port access alone: IN or OUT with at most an
 * operand-size prefix and nothing else (emulate.c's fast path).  0 with
 * *io what decode() finds in the same bytes (the port from DX or imm8);
 * -1 for anything else, which decode() then takes (so -1 says nothing
 * about the bytes). */
static inline int decode_io(const uint8_t *b, uint32_t n, const struct trapframe *tf,
                            struct io_insn *io)
{
    uint32_t i = 0, wide = 4;
    if (n && b[0] == PFX_OPSIZE)
        i = 1, wide = 2;
    if (i >= n || (b[i] & IO_OPCODE_MASK) != IO_OPCODE)
        return -1;
    uint8_t op = b[i++];
    if (op & IO_DX_PORT) {
        io->port = (uint16_t)tf->edx;
    } else {
        if (i >= n)
            return -1;
        io->port = b[i++];
    }
    io->length = i;
    io->size = (op & IO_WIDE) ? wide : 1;
    io->out = (op & IO_OUT) != 0;
    return 0;
}

#endif /* HV_DECODE_H */
