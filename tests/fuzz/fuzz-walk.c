/*
 * fuzz-walk.c - libFuzzer harness for hypervisor/ptwalk.c, the guest's
 * page-table walk (32-bit paging, SDM vol. 3A 4.3-4.8), on a small guest
 * memory (64 KiB to 1 MiB) the fuzzer fills with directories and tables.
 *
 * Input (little-endian; missing bytes read as 0):
 *   0      memory size: 16 << (b % 5) pages (64 KiB .. 1 MiB)
 *   1      CR0.PG (bit 0), CR4.PSE (1), set A/D (2), CR3 as given (3;
 *          else folded into memory)
 *   2-5    CR3
 *   6-9    read-only range: start and length, 16-bit counts of 16 bytes
 *   10-49  eight accesses: linear address (4 bytes), then PF_W/PF_U (bits
 *          1, 2; bit 7: the address folded into the memory's size)
 *   50-    the memory's contents, repeated (whole words); a word without
 *          bit 9 (AVL, ignored by the walk) gets its frame folded into
 *          guest memory, so that most entries lead somewhere
 * Invariants, for each access:
 *   the same answer as ref_walk below (result, gpa, error code, W/U/D bits)
 *   and the same memory afterwards (A/D bits only in entries the walk
 *   used, never in the read-only range);
 *   a success: its page inside guest memory, the offset the linear
 *   address's, never writable if any byte of the page is read-only, W/U
 *   granted as the access asked;
 *   a fault: its error code is the access's W/U bits, plus P or not;
 *   no read or write outside the memory buffer (ASan: it ends where the
 *   harness's 1 MiB array and its redzone meet; the walk's addresses are
 *   unsigned offsets from its start).
 * The memories are compared once, after the eight accesses: a difference
 * left by one access also shows there.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ptwalk.h"
#include "fuzz.h"

#define ACCESSES     8u
#define ACCESS_AT    10u
#define ACCESS_BYTES 5u
#define MEMORY_AT    50u
#define MIN_PAGES    16u
#define SIZE_STEPS   5u            /* 16, 32, 64, 128, 256 pages */
#define RO_UNIT      16u
#define AVL_KEEP     0x200u        /* bit 9: ignored by the CPU; here "frame as given" */
#define VA_FOLD      0x80u
#define FLAG_PG      0x1u
#define FLAG_PSE     0x2u
#define FLAG_AD      0x4u
#define FLAG_CR3     0x8u
#define LOW12        0xFFFu
#define LOW22        0x3FFFFFu
#define MAX_MEM      ((MIN_PAGES << (SIZE_STEPS - 1)) * PAGE_SIZE)

static struct ptwalk_env env;
static uint8_t mem_buf[MAX_MEM], ref_buf[MAX_MEM];   /* guest memory ends at their ends */
static uint8_t *ref_mem;           /* the model's copy of guest memory */

/* Byte i of the input, 0 past its end. */
static uint32_t in_byte(const uint8_t *d, size_t n, size_t i)
{
    return i < n ? d[i] : 0;
}

/* Little-endian word at byte a of the model's memory (a + 4 <= size). */
static uint32_t ref_get(uint32_t a)
{
    return ref_mem[a] | ref_mem[a + 1] << 8 | ref_mem[a + 2] << 16 | (uint32_t)ref_mem[a + 3] << 24;
}

/* Is any of [a, a + n) read-only? */
static int ref_ro(uint64_t a, uint64_t n)
{
    return a < env.ro_hi && a + n > env.ro_lo;
}

/* OR bits into the model's entry at a, as the walk would (not in ROM). */
static void ref_set(uint32_t a, uint32_t bits)
{
    uint32_t v = ref_get(a) | bits;
    if (!env.set_ad || ref_ro(a, 4))
        return;
    ref_mem[a] = (uint8_t)v, ref_mem[a + 1] = (uint8_t)(v >> 8);
    ref_mem[a + 2] = (uint8_t)(v >> 16), ref_mem[a + 3] = (uint8_t)(v >> 24);
}

/* The model's answer: result and out, like ptwalk. */
struct ref_answer {
    enum ptwalk_result r;
    uint32_t gpa, err, w, u, d;
};

/* The model's directory level: 1 (a table follows) or 0 (answer in *a). */
static int ref_level(uint32_t va, uint32_t access, struct ref_answer *a, uint32_t *leaf)
{
    uint32_t pde_at = (env.cr3 & ~LOW12) + (va >> 22) * 4, pte_at, pde, pte;
    if ((uint64_t)pde_at + 4 > env.mem_size)
        return a->r = PTWALK_TABLE_OUTSIDE, a->gpa = pde_at, 0;
    pde = ref_get(pde_at);
    if (!(pde & PTE_P))
        return a->r = PTWALK_FAULT, 0;
    if ((pde & PTE_PS) && (env.cr4 & CR4_PSE)) {
        a->gpa = (pde & ~LOW22) | (va & LOW22), *leaf = pde_at;
        a->w = !!(pde & PTE_W), a->u = !!(pde & PTE_U), a->d = !!(pde & PTE_D);
        return 1;
    }
    pte_at = (pde & ~LOW12) + ((va >> 12) & 0x3FFu) * 4;
    if ((uint64_t)pte_at + 4 > env.mem_size)
        return a->r = PTWALK_TABLE_OUTSIDE, a->gpa = pte_at, 0;
    pte = ref_get(pte_at);
    if (!(pte & PTE_P))
        return a->r = PTWALK_FAULT, 0;
    a->gpa = (pte & ~LOW12) | (va & LOW12), *leaf = pte_at;
    a->w = (pde & pte & PTE_W) != 0, a->u = (pde & pte & PTE_U) != 0, a->d = !!(pte & PTE_D);
    ref_set(pde_at, PTE_A);
    (void)access;
    return 1;
}

/* Walk like the SDM says, on the model's memory; returns its answer. */
static struct ref_answer ref_walk(uint32_t va, uint32_t access)
{
    struct ref_answer a = { PTWALK_FAULT, va, access, 1, 1, 1 };
    uint32_t leaf = UINT32_MAX;
    if (va >= HR_VIRTUAL_TOP)
        return a;
    if (env.paging && !ref_level(va, access, &a, &leaf))
        return a;
    if (ref_ro(a.gpa & ~LOW12, PAGE_SIZE))
        a.w = 0;
    if (((access & PF_U) && !a.u) || ((access & PF_W) && !a.w)) {
        a.err |= PF_P;
        a.r = PTWALK_FAULT;
        return a;
    }
    if (leaf != UINT32_MAX) {
        ref_set(leaf, PTE_A | ((access & PF_W) ? PTE_D : 0));
        a.d |= env.set_ad && (access & PF_W);
    }
    a.r = (uint64_t)(a.gpa & ~LOW12) + PAGE_SIZE <= env.mem_size ? PTWALK_OK
                                                                 : PTWALK_FRAME_OUTSIDE;
    return a;
}

/* One access: ptwalk against the model and the invariants of its answer. */
static void check_access(uint32_t va, uint32_t access)
{
    struct ptwalk_out out;
    struct ref_answer want = ref_walk(va, access);
    enum ptwalk_result r = ptwalk(&env, va, access, &out);
    uint32_t bits = (want.w ? PTE_W : 0) | (want.u ? PTE_U : 0) | (want.d ? PTE_D : 0);
    FUZZ_REQUIRE(r == want.r, "ptwalk's result differs from the model's");
    if (r == PTWALK_FAULT) {
        FUZZ_REQUIRE(out.err == want.err, "fault error code differs from the model's");
        FUZZ_REQUIRE((out.err & ~PF_P) == access, "error code's W/U not the access's");
        return;
    }
    FUZZ_REQUIRE(out.gpa == want.gpa, "address differs from the model's");
    if (r == PTWALK_TABLE_OUTSIDE) {
        FUZZ_REQUIRE(out.table, "table outside memory not named");
        return;
    }
    FUZZ_REQUIRE(out.bits == bits, "W/U/D bits differ from the model's");
    FUZZ_REQUIRE((out.gpa & LOW12) == (va & LOW12), "page offset changed");
    FUZZ_REQUIRE(!(access & PF_W) || (out.bits & PTE_W), "write allowed to a read-only mapping");
    FUZZ_REQUIRE(!(access & PF_U) || (out.bits & PTE_U), "ring 3 allowed a supervisor mapping");
    FUZZ_REQUIRE(!(out.bits & PTE_W) || !ref_ro(out.gpa & ~LOW12, PAGE_SIZE),
                 "a page holding read-only bytes is writable");
    if (r == PTWALK_OK)
        FUZZ_REQUIRE((uint64_t)(out.gpa & ~LOW12) + PAGE_SIZE <= env.mem_size,
                     "success outside guest memory");
}

/* Fill guest memory with the input's words, repeated, frames folded. */
static void fill_memory(const uint8_t *data, size_t size)
{
    size_t n = size > MEMORY_AT ? (size - MEMORY_AT) & ~(size_t)3 : 0, i, done;
    uint32_t pages = env.mem_size / PAGE_SIZE;
    if (!n) {
        memset(env.mem, 0, env.mem_size);
        return;
    }
    for (i = 0; i < n && i < env.mem_size; i += 4) {
        uint32_t w = fuzz_le32(data + MEMORY_AT + i);
        if (!(w & AVL_KEEP))
            w = (w & LOW12) | ((w >> PAGE_SHIFT) % pages) << PAGE_SHIFT;
        memcpy(env.mem + i, &w, sizeof(w));
    }
    n = i;                                   /* bytes of one period */
    for (done = n; done < env.mem_size; done += n)
        memcpy(env.mem + done, env.mem, done + n <= env.mem_size ? n : env.mem_size - done);
}

/* Build the environment from the header, then walk the eight accesses. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t flags = in_byte(data, size, 1), i, ro_at, ro_len;
    uint8_t hdr[MEMORY_AT] = { 0 };
    memcpy(hdr, data, size < MEMORY_AT ? size : MEMORY_AT);
    env.mem_size = (MIN_PAGES << (hdr[0] % SIZE_STEPS)) * PAGE_SIZE;
    env.mem = mem_buf + MAX_MEM - env.mem_size;
    ref_mem = ref_buf + MAX_MEM - env.mem_size;
    env.paging = flags & FLAG_PG;
    env.cr4 = (flags & FLAG_PSE) ? CR4_PSE : 0;
    env.set_ad = (flags & FLAG_AD) != 0;
    env.cr3 = fuzz_le32(hdr + 2);
    if (!(flags & FLAG_CR3))
        env.cr3 = (env.cr3 & LOW12) | ((env.cr3 >> PAGE_SHIFT) % (env.mem_size / PAGE_SIZE)) << PAGE_SHIFT;
    ro_at = fuzz_le16(hdr + 6) * RO_UNIT, ro_len = fuzz_le16(hdr + 8) * RO_UNIT;
    env.ro_lo = ro_len ? ro_at : ~0u;        /* paging.c's empty range */
    env.ro_hi = ro_len ? ro_at + ro_len : 0;
    fill_memory(data, size);
    memcpy(ref_mem, env.mem, env.mem_size);
    for (i = 0; i < ACCESSES; i++) {
        const uint8_t *a = hdr + ACCESS_AT + i * ACCESS_BYTES;
        uint32_t va = fuzz_le32(a), access = a[4] & (PF_W | PF_U);
        check_access((a[4] & VA_FOLD) ? va % env.mem_size : va, access);
    }
    FUZZ_REQUIRE(!memcmp(env.mem, ref_mem, env.mem_size),
                 "memory differs from the model's (A/D bits)");
    return 0;
}
