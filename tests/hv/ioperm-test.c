/*
 * ioperm-test.c - host tests of hypervisor/devices/ioperm.c, the I/O permission
 * check (Intel SDM vol. 1, 19.5): exhaustive against the independent
 * model of ioperm-ref.h (every port, widths 1, 2 and 4, a few hundred
 * random TSS images, map bases and limits, G set and clear), then the
 * corner cases by name.
 */
#include <string.h>
#include "check.h"
#include "ioperm.h"
#include "ioperm-ref.h"

#define TSS_BASE     0x00100000u      /* linear address of the test TSS     */
#define IMAGE_BYTES  0x12000u         /* map base FFFFh + 2000h + 2 fits    */
#define CONFIGS      300u
#define PORTS        65536u
#define TYPE_TSS16   1u               /* available 16-bit TSS: no bitmap    */
#define TYPE_TSS32   9u
#define TYPE_BUSY32  11u
#define FLAGS_G      0x8u             /* seg_make flags: granularity        */
#define CPL_USER     3u

static uint8_t image[IMAGE_BYTES];
static struct ref_tss cur;            /* what the reader and the model see  */
static uint32_t unreadable_page = UINT32_MAX;   /* an offset page the reader refuses */
static uint32_t seed = 12345;

/* A small deterministic generator (xorshift32). */
static uint32_t rnd(void)
{
    seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
    return seed;
}

/* ioperm.c's byte reader over image at TSS_BASE. */
static int read_image(uint32_t va, void *dst, uint32_t n)
{
    uint32_t off = va - TSS_BASE;
    if (off >= IMAGE_BYTES || n > IMAGE_BYTES - off || off / 4096 == unreadable_page ||
        (off + n - 1) / 4096 == unreadable_page)
        return -1;
    memcpy(dst, image + off, n);
    return 0;
}

/* The descriptor of cur. */
static struct seg_desc cur_desc(void)
{
    return seg_make(TSS_BASE, cur.raw_limit, SEG_ACCESS(cur.present, 0, 0, cur.type),
                    cur.g ? FLAGS_G : 0);
}

/* ioperm_allows for cur at CPL 3 with iopl. */
static int hv(uint32_t iopl, uint32_t port, uint32_t size)
{
    struct seg_desc d = cur_desc();
    return ioperm_allows(CPL_USER, iopl, cur.loaded ? &d : NULL, port, size, read_image);
}

/* Set up TSS number k: map base, limit, G and bitmap density vary. */
static void random_config(uint32_t k)
{
    uint32_t map, density = rnd() % 5, i;
    static const uint32_t bases[] = { 0x68, 0x66, 0x67, 0, 0x1000, 0xDFFF, 0xFFFF };
    map = (k % 3) ? bases[rnd() % 7] : rnd() & 0xFFFF;
    for (i = 0; i < IMAGE_BYTES; i++)             /* density 0: empty map */
        image[i] = density ? (uint8_t)(rnd() & rnd() & (density > 2 ? 0xFF : rnd())) : 0;
    if (density == 1)
        for (i = 0; i < IMAGE_BYTES; i++)
            image[i] &= (uint8_t)(rnd() % 16 == 0);   /* a bit here and there */
    image[REF_TSS_IOMAP_FIELD] = (uint8_t)map, image[REF_TSS_IOMAP_FIELD + 1] = map >> 8;
    cur = (struct ref_tss){ 1, k % 17 ? TYPE_BUSY32 - 2 * (k % 2) : TYPE_TSS16, 1, 0, 0,
                            image, IMAGE_BYTES };
    cur.g = k % 5 == 0;
    uint32_t end = map + 0x2000 - 2 + rnd() % 5;  /* around the map's end */
    switch (rnd() % 4) {
    case 0: cur.raw_limit = cur.g ? end >> 12 : end; break;
    case 1: cur.raw_limit = rnd() & (cur.g ? 0x1F : 0x1FFFF); break;
    case 2: cur.raw_limit = cur.g ? rnd() & 0xFFFFF : map + rnd() % 0x2004; break;
    default: cur.raw_limit = 0x66 + rnd() % 3; break;
    }
    cur.raw_limit &= 0xFFFFF;
}

/* Every port and width of CONFIGS random TSSs, model against ioperm.c. */
static void exhaustive(void)
{
    static const uint32_t widths[] = { 1, 2, 4 };
    uint64_t compared = 0, allowed = 0, wrong = 0;
    uint32_t k, port, w, first_bad = 0;
    for (k = 0; k < CONFIGS; k++) {
        random_config(k);
        for (port = 0; port < PORTS; port++)
            for (w = 0; w < 3; w++) {
                int want = ref_allows(CPL_USER, 0, &cur, port, widths[w]);
                int got = hv(0, port, widths[w]);
                compared++, allowed += want;
                if (want != got && !wrong++)
                    first_bad = k << 20 | port << 2 | w;
            }
    }
    check(!wrong, "all 65,536 ports x widths 1, 2, 4 x 300 TSSs agree with the model",
          "%llu of %llu differ, first config %u port %x width %u", (unsigned long long)wrong,
          (unsigned long long)compared, first_bad >> 20, (first_bad >> 2) & 0xFFFF,
          widths[first_bad & 3]);
    check(allowed > compared / 20 && allowed < compared - compared / 20,
          "the random TSSs allow some accesses and refuse others",
          "%llu of %llu allowed", (unsigned long long)allowed, (unsigned long long)compared);
}

/* A clean TSS with an empty map at 68h, limit lim bytes (no G). */
static void clean(uint32_t map, uint32_t lim)
{
    memset(image, 0, sizeof(image));
    image[REF_TSS_IOMAP_FIELD] = (uint8_t)map, image[REF_TSS_IOMAP_FIELD + 1] = map >> 8;
    cur = (struct ref_tss){ 1, TYPE_TSS32, 1, lim, 0, image, IMAGE_BYTES };
    unreadable_page = UINT32_MAX;
}

/* Set bit port of the map at map. */
static void set_bit(uint32_t map, uint32_t port)
{
    image[map + port / 8] |= (uint8_t)(1u << (port % 8));
}

#define MAP      0x68u                /* the usual map base: right after the TSS */
#define MAP_END  (MAP + 0x2000u)      /* the byte after the 8 KiB map            */

/* IOPL, the task register and the TSS type. */
static void corners_iopl_type(void)
{
    clean(MAP, MAP_END);
    cur.loaded = 0;
    check(hv(3, 0x3F8, 1), "CPL 3 at IOPL 3: allowed without any TSS", "refused");
    check(ioperm_allows(1, 1, NULL, 0x60, 4, read_image), "CPL 1 at IOPL 1: allowed", "refused");
    check(!hv(2, 0x3F8, 1), "CPL 3 at IOPL 2, no TSS loaded: refused", "allowed");
    cur.loaded = 1;
    check(hv(0, 0x3F8, 1), "clear bit in a 32-bit TSS: allowed", "refused");
    cur.type = TYPE_BUSY32;
    check(hv(0, 0x3F8, 4), "busy 32-bit TSS: its map applies", "refused");
    cur.type = TYPE_TSS16;
    check(!hv(0, 0x3F8, 1), "16-bit TSS: no bitmap, refused", "allowed");
    cur.type = TYPE_TSS32, cur.present = 0;
    check(!hv(0, 0x3F8, 1), "TSS descriptor not present: refused", "allowed");
    cur.present = 1;
    check(!hv(0, 0x3F8, 3), "width 3: no such access, refused", "allowed");
    set_bit(MAP, 0x3FA);
    check(hv(0, 0x3F8, 2) && !hv(0, 0x3F8, 4), "a set bit refuses only the accesses covering it",
          "width 2 %d, width 4 %d", hv(0, 0x3F8, 2), hv(0, 0x3F8, 4));
}

/* The limit: the map base field, the two bytes read, the map base past it, G. */
static void corners_limit(void)
{
    clean(MAP, 0x66);
    check(!hv(0, 0, 1), "limit 66h: the map base field is past it, refused", "allowed");
    clean(MAP, MAP + 1);
    check(hv(0, 7, 1), "port 7: both bytes read lie inside the limit", "refused");
    check(!hv(0, 8, 1), "port 8: the second byte read is past the limit, refused", "allowed");
    clean(MAP, MAP);
    check(!hv(0, 0, 1), "map's first byte at the limit: two bytes read, refused", "allowed");
    clean(0x3000, 0x2FFF);
    check(!hv(0, 0, 1), "map base past the limit: no bitmap, refused", "allowed");
    clean(0xFFFF, 0xFFFFF);
    check(hv(0, 0, 1) && hv(0, 0xFFFF, 4), "map base FFFFh inside a 1 MiB limit: allowed",
          "refused");
    clean(MAP, 0);
    cur.g = 1;
    check(hv(0, 0x7CB7, 1), "limit 0 with G: 4 KiB, ports up to 7CB7h reach", "refused");
    check(!hv(0, 0x7CB8, 1), "limit 0 with G: 7CB8h reads the byte at 1000h, past it",
          "allowed");
    cur.g = 0;
    check(!hv(0, 0, 1), "limit 0 without G: refused", "allowed");
    clean(MAP, MAP_END);
    unreadable_page = 1;
    check(!hv(0, 0x8000, 1), "map byte in memory the guest lacks: refused", "allowed");
    check(hv(0, 0x100, 1), "the rest of that map still applies", "refused");
}

/* Accesses crossing a map byte, the halves and the end of the port space. */
static void corners_crossing(void)
{
    clean(MAP, MAP_END);
    set_bit(MAP, 0x8000);
    check(hv(0, 0x7FFF, 1), "7FFFh width 1: its own bit clear, allowed", "refused");
    check(!hv(0, 0x7FFF, 2), "7FFFh width 2: crosses to 8000h (set), refused", "allowed");
    check(!hv(0, 0x7FFD, 4), "7FFDh width 4: reaches 8000h, refused", "allowed");
    check(hv(0, 0x7FFC, 4), "7FFCh width 4: ends at 7FFFh, allowed", "refused");
    clean(MAP, MAP_END - 1);
    check(!hv(0, 0xFFFF, 1), "FFFFh without the byte after the map: refused", "allowed");
    check(hv(0, 0xFFF0, 1), "FFF0h: its two bytes inside the limit, allowed", "refused");
    clean(MAP, MAP_END);
    image[MAP_END] = 0xFF;
    check(hv(0, 0xFFFF, 1), "FFFFh width 1, terminator FFh: allowed", "refused");
    check(!hv(0, 0xFFFF, 2), "FFFFh width 2: checks bit 65536 (set), refused", "allowed");
    check(!hv(0, 0xFFFE, 4), "FFFEh width 4: past 65535, refused", "allowed");
    image[MAP_END] = 0;
    check(hv(0, 0xFFFE, 4), "FFFEh width 4, bits past 65535 clear: allowed", "refused");
}

int main(void)
{
    exhaustive();
    corners_iopl_type();
    corners_limit();
    corners_crossing();
    return test_status();
}
