/*
 * decode.h - the x86 instruction decoder for trap-and-emulate (decode.c).
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

int decode(const uint8_t *b, uint32_t n, struct trapframe *tf, struct insn *in);
uint32_t *decode_gpr(struct trapframe *tf, uint32_t index);

#endif /* HV_DECODE_H */
