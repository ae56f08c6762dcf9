/*
 * strio.c - the segment checks of one memory access of a string
 * instruction (INS writes ES:[E]DI, OUTS reads seg:[E]SI), as a CPU makes
 * them (Intel SDM vol. 3A, 5.3 "Limit checking" and 5.5 "Privilege
 * levels"/5.7 type checks; vol. 2, INS/OUTS "Protected Mode Exceptions"):
 *
 *   - a null or unusable segment: #GP(0) (#SS(0) for SS);
 *   - a write needs a writable data segment, a read a data segment or a
 *     readable code segment: else #GP(0);
 *   - every byte of the access inside the limit: expand-up, offsets
 *     0 .. limit; expand-down, limit + 1 .. FFFFh (FFFFFFFFh with B set);
 *     else #GP(0), or #SS(0) through SS.
 *
 * The linear address is the segment base plus the offset.  Pure logic.
 */
#include "strio.h"
#include "desc.h"

#define EXPDOWN_TOP_16 0xFFFFu        /* expand-down, B clear: SDM 3.4.5.1 */
#define EXPDOWN_TOP_32 0xFFFFFFFFu    /* expand-down, B set               */

/* May segment d be accessed this way (write: writable data; read: data
 * or readable code; SDM vol. 3A 5.7)? */
static int type_ok(struct seg_desc d, int write)
{
    uint32_t type = DESC_TYPE(d);
    if (!DESC_P(d) || !DESC_S(d))
        return 0;
    if (type & SEG_TYPE_CODE)
        return !write && (type & SEG_TYPE_WRITE);     /* code: the R bit */
    return !write || (type & SEG_TYPE_WRITE);
}

/* Do offsets off .. off + size - 1 lie inside d's limit? */
static int in_limit(struct seg_desc d, uint32_t off, uint32_t size)
{
    uint32_t limit = desc_limit_bytes(d), last = off + size - 1;
    if (last < off)
        return 0;                                     /* wraps past 4 GiB */
    if (!(DESC_TYPE(d) & SEG_TYPE_CODE) && (DESC_TYPE(d) & SEG_TYPE_EXPDOWN))
        return off > limit && last <= (DESC_DB(d) ? EXPDOWN_TOP_32 : EXPDOWN_TOP_16);
    return last <= limit;
}

/* The linear address of size bytes at offset off of segment d (is_ss: the
 * access goes through SS), for a write or a read: 0 with *linear, else
 * the vector of the CPU's fault (T_GP or T_SS, error code 0). */
uint32_t strio_linear(struct seg_desc d, int is_ss, uint32_t off, uint32_t size, int write,
                      uint32_t *linear)
{
    if (!type_ok(d, write) || !in_limit(d, off, size))
        return is_ss ? T_SS : T_GP;
    *linear = DESC_BASE(d) + off;
    return 0;
}
