/*
 * fuzz-ioperm.c - libFuzzer harness for hypervisor/devices/ioperm.c: the I/O
 * permission check of a port access (Intel SDM vol. 1, 19.5), compared
 * with the independent bit-by-bit model of tests/hv/ioperm-ref.h on TSS
 * images the fuzzer builds.
 *
 * Input (little-endian; missing bytes read as 0):
 *   0      CPL (bits 0-1), IOPL (2-3), TR loaded (4), P (5), G (6)
 *   1      descriptor type (bits 0-3)
 *   2-4    raw 20-bit limit
 *   5-6    I/O map base (stored at TSS offset 66h)
 *   7-9    how many bytes of the TSS are readable memory (mod 12001h)
 *   10-25  eight ports
 *   26-    the TSS's other bytes, repeated from offset 0 (all 0 if none)
 * Invariants: for the eight ports and 0, 7FFFh, FFFEh, FFFFh, at widths
 * 1, 2, 4 (and 3, refused): ioperm_allows gives the model's verdict;
 * CPL <= IOPL is always allowed; it never reads a byte past the TSS limit
 * or outside the readable image, nor more than two bytes at a time; an
 * allowed access allows every narrower one at the same port.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ioperm.h"
#include "ioperm-ref.h"
#include "fuzz.h"

#define TSS_BASE     0x00100000u
#define IMAGE_BYTES  0x12000u        /* map base FFFFh + 2000h + 2 fits */
#define HDR_BYTES    26u
#define PORTS_AT     10u
#define INPUT_PORTS  8u
#define MAX_READ     2u              /* the map base field, or two map bytes */
#define LIMIT_MASK   0xFFFFFu
#define FLAGS_G      0x8u            /* seg_make flags: granularity */

static uint8_t image[IMAGE_BYTES];
static struct ref_tss cur;

/* Byte i of the input, 0 past its end. */
static uint32_t in_byte(const uint8_t *d, size_t n, size_t i)
{
    return i < n ? d[i] : 0;
}

/* ioperm.c's reader: only inside the limit and the image, two bytes at most. */
static int read_image(uint32_t va, void *dst, uint32_t n)
{
    uint32_t off = va - TSS_BASE;
    FUZZ_REQUIRE(n >= 1 && n <= MAX_READ, "read of other than 1 or 2 bytes");
    FUZZ_REQUIRE((uint64_t)off + n - 1 <= ref_limit(&cur), "read past the TSS limit");
    if (off >= cur.image_len || n > cur.image_len - off)
        return -1;
    memcpy(dst, image + off, n);
    return 0;
}

/* Fill the TSS image: the pattern repeated, the map base at 66h. */
static void fill_image(const uint8_t *pat, size_t n, uint32_t map)
{
    size_t done;
    if (!n) {
        memset(image, 0, cur.image_len);
    } else {
        for (done = 0; done < cur.image_len; done += n)
            memcpy(image + done, pat, done + n <= cur.image_len ? n : cur.image_len - done);
    }
    if (cur.image_len > REF_TSS_IOMAP_FIELD + 1) {
        image[REF_TSS_IOMAP_FIELD] = (uint8_t)map;
        image[REF_TSS_IOMAP_FIELD + 1] = (uint8_t)(map >> 8);
    }
}

/* One port at every width: the model's verdict, and narrower ones allowed. */
static void check_port(uint32_t cpl, uint32_t iopl, const struct seg_desc *tr, uint32_t port)
{
    static const uint32_t widths[] = { 1, 2, 4, 3 };
    int got[4], w;
    for (w = 0; w < 4; w++) {
        got[w] = ioperm_allows(cpl, iopl, tr, port, widths[w], read_image);
        FUZZ_REQUIRE(got[w] == ref_allows(cpl, iopl, &cur, port, widths[w]),
                     "ioperm_allows differs from the model");
    }
    FUZZ_REQUIRE(!got[3], "an access of 3 bytes allowed");
    FUZZ_REQUIRE((!got[2] || got[1]) && (!got[1] || got[0]),
                 "a wide access allowed where a narrower one is refused");
    if (cpl <= iopl)
        FUZZ_REQUIRE(got[0] && got[1] && got[2], "CPL <= IOPL refused");
}

/* Build the TSS of one input and check its ports. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t fixed[] = { 0, 0x7FFF, 0xFFFE, 0xFFFF };
    uint32_t b0 = in_byte(data, size, 0), i;
    uint32_t cpl = b0 & 3, iopl = (b0 >> 2) & 3;
    uint32_t map = in_byte(data, size, 5) | in_byte(data, size, 6) << 8;
    uint32_t len = in_byte(data, size, 7) | in_byte(data, size, 8) << 8 |
                   in_byte(data, size, 9) << 16;

    cur = (struct ref_tss){ (b0 >> 4) & 1, in_byte(data, size, 1) & 0xF, (b0 >> 5) & 1,
                            (in_byte(data, size, 2) | in_byte(data, size, 3) << 8 |
                             in_byte(data, size, 4) << 16) & LIMIT_MASK,
                            (b0 >> 6) & 1, image, len % (IMAGE_BYTES + 1) };
    fill_image(size > HDR_BYTES ? data + HDR_BYTES : NULL,
               size > HDR_BYTES ? size - HDR_BYTES : 0, map);
    struct seg_desc d = seg_make(TSS_BASE, cur.raw_limit,
                                 SEG_ACCESS(cur.present, 0, 0, cur.type), cur.g ? FLAGS_G : 0);
    const struct seg_desc *tr = cur.loaded ? &d : NULL;
    for (i = 0; i < INPUT_PORTS; i++)
        check_port(cpl, iopl, tr, in_byte(data, size, PORTS_AT + 2 * i) |
                                  in_byte(data, size, PORTS_AT + 2 * i + 1) << 8);
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        check_port(cpl, iopl, tr, fixed[i]);
    return 0;
}
