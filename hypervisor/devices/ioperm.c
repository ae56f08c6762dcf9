/*
 * ioperm.c - may code at a given CPL access an I/O port?  The rule of
 * Intel SDM vol. 1, 19.5 "Protected-mode I/O" (and vol. 3A 8.7, the TSS
 * fields), exactly as a CPU applies it:
 *
 *   - CPL <= IOPL: allowed (19.5.1);
 *   - else the task register must hold a present 32-bit TSS (available
 *     or busy type; a 16-bit TSS has no bitmap);
 *   - the CPU reads the 16-bit I/O map base at TSS offset 66h, then TWO
 *     bytes of the bitmap at iomap_base + port / 8 (19.5.2: "the processor
 *     reads two bytes ... for every access"), and every bit of the access
 *     (port .. port + size - 1, bit p at byte p / 8, bit p % 8) must be 0;
 *     an access crossing a byte (7FFFh/8000h) or running past port 65535
 *     (FFFFh) checks bits of the second byte;
 *   - any byte it reads past the TSS limit (with G, in 4 KiB units) means
 *     "refused": so a map base at or past the limit means no bitmap.
 *
 *   TSS:   0   ...   66h iomap_base   ...   iomap_base   bitmap ...  limit
 *                                             |<- port/8 ->|xx|xx|
 *                                                   two bytes read
 *
 * Pure logic: the TSS is reached through a caller's byte reader.  Used by
 * emulate.c for trapped IN/OUT/INS/OUTS from the guest's ring 3.
 */
#include "ioperm.h"
#include "desc.h"

#define IOPL_MAX           3u
#define TSS_IOMAP_OFFSET   102u   /* struct tss32.iomap_base (SDM vol. 3A 8.2.1) */
#define IOMAP_READ_BYTES   2u     /* the bitmap bytes a CPU reads per access */
#define PORT_BITS_PER_BYTE 8u

/* Does descriptor d hold a 32-bit TSS a CPU's TR could be loaded with? */
static int is_tss32(struct seg_desc d)
{
    uint32_t type = DESC_TYPE(d);
    return DESC_P(d) && !DESC_S(d) && (type == SYS_TYPE_TSS32 || type == SYS_TYPE_TSS32_BUSY);
}

/* Read n bytes at TSS offset off, within the TSS's byte limit: 0, or -1
 * (past the limit, or unreadable memory). */
static int tss_read(struct seg_desc tss, uint32_t off, void *dst, uint32_t n,
                    ioperm_read_fn *read)
{
    uint32_t limit = desc_limit_bytes(tss);
    if (off > limit || n - 1 > limit - off)
        return -1;
    return read(DESC_BASE(tss) + off, dst, n);
}

/* 1 if an access of size bytes (1, 2 or 4) to port is allowed at cpl with
 * iopl, tr the task register's descriptor (NULL: none loaded); else 0 (the
 * CPU's #GP).  The bitmap lies in memory read through read. */
int ioperm_allows(uint32_t cpl, uint32_t iopl, const struct seg_desc *tr,
                  uint32_t port, uint32_t size, ioperm_read_fn *read)
{
    uint8_t base_bytes[2], map[IOMAP_READ_BYTES];
    if (size != 1 && size != 2 && size != 4)
        return 0;
    if (cpl <= (iopl & IOPL_MAX))
        return 1;
    if (!tr || !is_tss32(*tr) || port > UINT16_MAX)
        return 0;
    if (tss_read(*tr, TSS_IOMAP_OFFSET, base_bytes, sizeof(base_bytes), read))
        return 0;
    uint32_t iomap_base = base_bytes[0] | (uint32_t)base_bytes[1] << 8;
    if (tss_read(*tr, iomap_base + port / PORT_BITS_PER_BYTE, map, sizeof(map), read))
        return 0;
    uint32_t word = map[0] | (uint32_t)map[1] << 8;
    uint32_t bits = ((1u << size) - 1) << (port % PORT_BITS_PER_BYTE);
    return !(word & bits);
}
