/*
 * strio-test.c - host unit tests of hypervisor/traps/strio.c: the segment
 * checks of one INS/OUTS memory access (SDM vol. 3A 5.3, 5.7), each
 * against the answer the SDM gives.
 */
#include "check.h"
#include "strio.h"

#define SEG_FLAGS_32_BYTE 0x4u     /* G=0, D/B=1 */
#define SEG_FLAGS_16_BYTE 0x0u     /* G=0, D/B=0 */

struct row {
    const char *what;
    struct seg_desc d;
    int is_ss, write;
    uint32_t off, size;
    uint32_t fault, linear;        /* fault 0: linear expected */
};

#define DATA_RW(base, limit, flags) seg_make(base, limit, SEG_ACCESS(1, 3, 1, SEG_TYPE_WRITE), flags)
#define DATA_RO(base, limit) seg_make(base, limit, SEG_ACCESS(1, 3, 1, 0), SEG_FLAGS_32_BYTE)
#define DOWN(limit, flags) seg_make(0x10000, limit, SEG_ACCESS(1, 3, 1, SEG_TYPE_WRITE | SEG_TYPE_EXPDOWN), flags)
#define CODE_XO seg_make(0, 0xFFFFF, SEG_ACCESS(1, 3, 1, SEG_TYPE_CODE), SEG_FLAGS_32_4K)
#define CODE_XR seg_make(0, 0xFFFFF, SEG_ACCESS(1, 3, 1, SEG_TYPE_CODE | SEG_TYPE_WRITE), SEG_FLAGS_32_4K)
#define NOT_PRESENT seg_make(0, 0xFFFF, SEG_ACCESS(0, 3, 1, SEG_TYPE_WRITE), SEG_FLAGS_32_BYTE)

int main(void)
{
    const struct row rows[] = {
    { "flat 4 GiB, write at 0", DATA_RW(0, 0xFFFFF, SEG_FLAGS_32_4K), 0, 1, 0, 4, 0, 0 },
    { "base 1000h adds to the offset", DATA_RW(0x1000, 0xFFFF, SEG_FLAGS_32_BYTE), 0, 1, 0x20, 1, 0, 0x1020 },
    { "last byte inside the limit", DATA_RW(0x1000, 0xFFF, SEG_FLAGS_32_BYTE), 0, 0, 0xFFF, 1, 0, 0x1FFF },
    { "a word over the limit: #GP", DATA_RW(0x1000, 0xFFF, SEG_FLAGS_32_BYTE), 0, 0, 0xFFF, 2, T_GP, 0 },
    { "a dword past the limit: #GP", DATA_RW(0, 0xFFF, SEG_FLAGS_32_BYTE), 0, 1, 0x1000, 4, T_GP, 0 },
    { "through SS past the limit: #SS", DATA_RW(0, 0xFFF, SEG_FLAGS_32_BYTE), 1, 0, 0x1000, 1, T_SS, 0 },
    { "G scales the limit", DATA_RW(0, 0, SEG_FLAGS_32_4K), 0, 0, 0xFFC, 4, 0, 0xFFC },
    { "wrapping past 4 GiB: #GP", DATA_RW(0, 0xFFFFF, SEG_FLAGS_32_4K), 0, 0, 0xFFFFFFFE, 4, T_GP, 0 },
    { "INS into read-only data: #GP", DATA_RO(0, 0xFFFF), 0, 1, 0, 1, T_GP, 0 },
    { "OUTS from read-only data", DATA_RO(0, 0xFFFF), 0, 0, 0x10, 1, 0, 0x10 },
    { "OUTS from execute-only code: #GP", CODE_XO, 0, 0, 0x10, 1, T_GP, 0 },
    { "OUTS from readable code", CODE_XR, 0, 0, 0x10, 1, 0, 0x10 },
    { "INS into code: #GP", CODE_XR, 0, 1, 0x10, 1, T_GP, 0 },
    { "null segment: #GP", { 0, 0 }, 0, 0, 0, 1, T_GP, 0 },
    { "not present: #GP", NOT_PRESENT, 0, 0, 0, 1, T_GP, 0 },
    { "expand-down: at the limit #GP", DOWN(0xFFF, SEG_FLAGS_16_BYTE), 0, 1, 0xFFF, 1, T_GP, 0 },
    { "expand-down: above the limit", DOWN(0xFFF, SEG_FLAGS_16_BYTE), 0, 1, 0x1000, 1, 0, 0x11000 },
    { "expand-down 16-bit: FFFFh is the top", DOWN(0xFFF, SEG_FLAGS_16_BYTE), 0, 1, 0xFFFF, 1, 0, 0x1FFFF },
    { "expand-down 16-bit: a word at FFFFh #GP", DOWN(0xFFF, SEG_FLAGS_16_BYTE), 0, 1, 0xFFFF, 2, T_GP, 0 },
    { "expand-down 32-bit: past FFFFh", DOWN(0xFFF, SEG_FLAGS_32_BYTE), 0, 1, 0x10000, 4, 0, 0x20000 },
    { "expand-down via SS below: #SS", DOWN(0xFFF, SEG_FLAGS_32_BYTE), 1, 1, 0x10, 1, T_SS, 0 },
    };
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        uint32_t linear = 0xDEADBEEFu;
        uint32_t f = strio_linear(r->d, r->is_ss, r->off, r->size, r->write, &linear);
        check(f == r->fault && (f || linear == r->linear), r->what,
              "fault %u (expected %u), linear %#x (expected %#x)", f, r->fault, linear, r->linear);
    }
    return test_status();
}
