/*
 * vmi_detect.c - find the VMI ROM a guest should use (spec section 3).
 *
 * Scans the option-ROM area with romcheck (tools/romsum/romcheck.c, the
 * same checks romsum and the hypervisor make), picks the compatible ROM
 * with the highest minor version, and says in the log why every other
 * ROM was skipped.  Also parses the kernel command line for "novmi".
 *
 * Portable freestanding C: no inline assembly and no libc, so the host
 * unit tests run exactly this code.  In the guest it runs at the kernel's
 * privilege level, early, with interrupts off; it only reads the area.
 */
#include <stddef.h>     /* NULL, offsetof */
#include <stdint.h>
#include "hyperrom.h"
#include "romcheck.h"
#include "vmi.h"
#include "vmi_impl.h"

#define AREA_LEN (HR_SCAN_END - HR_LEGACY_SCAN_START) /* what rom_area covers */
#define UNKNOWN  "(unknown)"    /* a PnP string the ROM does not provide */

/* The API this kernel was built for.  Variables, not the macros, so that
 * "minor < 0" while HR_API_MINOR is 0 is not a compile-time warning. */
static const uint8_t need_major = HR_API_MAJOR, need_minor = HR_API_MINOR;

/* Every candidate of one scan.  Static, not on the stack: about 6 KiB,
 * and an early kernel stack may be small.  vmi_setup runs once. */
static struct romcheck_found found[ROMCHECK_MAX_FOUND];

/* 1 if c separates words on a command line. */
static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* 1 if word is a whole blank-separated word of cmdline (NULL: 0). */
int vmi_cmdline_has(const char *cmdline, const char *word)
{
    const char *p, *w;

    if (!cmdline || !word || !*word)
        return 0;
    for (p = cmdline; *p; ) {
        while (is_blank(*p))
            p++;
        for (w = word; *w && *p == *w; p++, w++)
            ;
        if (!*w && (!*p || is_blank(*p)))
            return 1;
        while (*p && !is_blank(*p))   /* skip the rest of this word */
            p++;
    }
    return 0;
}

/* Little-endian 16-bit value at off in rom, which has size bytes; 0 if
 * it does not lie inside. */
static uint32_t get16(const uint8_t *rom, uint32_t size, uint32_t off)
{
    if (size < 2 || off > size - 2)
        return 0;
    return rom[off] | (uint32_t)rom[off + 1] << 8;
}

/* Little-endian 32-bit value at off, 0 if it does not lie inside. */
static uint32_t get32(const uint8_t *rom, uint32_t size, uint32_t off)
{
    if (size < 4 || off > size - 4)
        return 0;
    return get16(rom, size, off) | get16(rom, size, off + 2) << 16;
}

/* The PnP header's string at field (manufacturer or product), or UNKNOWN
 * when there is no valid "$PnP" header or the string is not inside. */
static const char *pnp_string(const uint8_t *rom, uint32_t size, uint32_t field)
{
    uint32_t pnp = get16(rom, size, offsetof(struct hyperrom_header, pnp_header_offset));
    uint32_t off;
    const char *s;

    if (pnp == 0 || get32(rom, size, pnp) != HR_PNP_SIGNATURE)
        return UNKNOWN;
    off = get16(rom, size, pnp + field);
    s = off ? romcheck_string(rom, size, off) : NULL;
    return s ? s : UNKNOWN;
}

/* Log one romcheck issue of the ROM at address, after prefix. */
static void log_issue(vmi_log_fn log, const char *prefix, uint32_t address,
                      const struct romcheck_issue *is)
{
    if (is->has_values == ROMCHECK_HAS_BOTH)
        VMI_LOG(log, "VMI: %s ROM at 0x%x: %s: %s (0x%x, expected 0x%x)\n",
                prefix, address, is->field, is->message, is->found, is->expected);
    else if (is->has_values & ROMCHECK_HAS_FOUND)
        VMI_LOG(log, "VMI: %s ROM at 0x%x: %s: %s (0x%x)\n",
                prefix, address, is->field, is->message, is->found);
    else
        VMI_LOG(log, "VMI: %s ROM at 0x%x: %s: %s\n",
                prefix, address, is->field, is->message);
}

/* Log why candidate f was not used; best is the ROM chosen, or NULL. */
static void log_skip(vmi_log_fn log, const struct romcheck_found *f,
                     const struct romcheck_found *best)
{
    if (f->errors)
        log_issue(log, "skipped", f->address, &f->first_error);
    else if (f->hyper_signature != HR_VMI_SIGNATURE)
        VMI_LOG(log, "VMI: skipped ROM at 0x%x: hyperSignature: not a VMI "
                "ROM (0x%x, not \"cVmi\")\n", f->address, f->hyper_signature);
    else if (f->api_major != need_major)
        VMI_LOG(log, "VMI: skipped ROM at 0x%x: API %u.%u is incompatible "
                "with this kernel's %u.%u\n", f->address, f->api_major,
                f->api_minor, need_major, need_minor);
    else if (f->api_minor < need_minor)
        VMI_LOG(log, "VMI: skipped ROM at 0x%x: API %u.%u is older than "
                "this kernel's %u.%u\n", f->address, f->api_major,
                f->api_minor, need_major, need_minor);
    else if (best)
        VMI_LOG(log, "VMI: skipped ROM at 0x%x: API %u.%u; the ROM at 0x%x "
                "with API %u.%u is preferred\n", f->address, f->api_major,
                f->api_minor, best->address, best->api_major, best->api_minor);
}

/* Where log_warning sends the chosen ROM's warnings. */
struct warn_ctx {
    vmi_log_fn log;
    uint32_t   address;
};

/* romcheck reporter: log the warnings only (the ROM has no errors). */
static void log_warning(void *ctx, const struct romcheck_issue *is)
{
    const struct warn_ctx *w = ctx;

    if (is->level == ROMCHECK_WARNING)
        log_issue(w->log, "warning:", w->address, is);
}

/* Fill *rom for candidate f of the area at base; log it and its warnings. */
static void choose(const volatile uint8_t *base, const struct romcheck_found *f,
                   vmi_log_fn log, struct vmi_rom *rom)
{
    const uint8_t *p = (const uint8_t *)(uintptr_t)base; /* ROM bytes do not change */
    struct warn_ctx w = { log, f->address };

    rom->base = base;
    rom->address = f->address;
    rom->size = f->size;
    rom->api_major = f->api_major;
    rom->api_minor = f->api_minor;
    rom->virtual_top = get32(p, f->size, offsetof(struct hyperrom_header, virtual_top));
    VMI_LOG(log, "VMI: ROM at 0x%x, API %u.%u, %s %s\n", f->address,
            f->api_major, f->api_minor,
            pnp_string(p, f->size, offsetof(struct hyperrom_pnp, manufacturer)),
            pnp_string(p, f->size, offsetof(struct hyperrom_pnp, product)));
    if (f->warnings && log)
        romcheck_rom(p, f->size, ROMCHECK_GUEST, log_warning, &w);
}

/* Scan, pick the best compatible ROM, log the rest; 1 and *rom if found. */
int vmi_detect(const volatile uint8_t *area, vmi_log_fn log, struct vmi_rom *rom)
{
    /* romcheck reads plain bytes; the area is memory whose contents do
     * not change while we look, so dropping volatile here is safe. */
    const uint8_t *a = (const uint8_t *)(uintptr_t)area;
    int n, i, best;

    if (!area)
        return 0;
    n = romcheck_scan(a, HR_LEGACY_SCAN_START, AREA_LEN, HR_SCAN_START,
                      HR_SCAN_END, found, ROMCHECK_MAX_FOUND);
    best = romcheck_pick(found, n, need_major, need_minor);
    for (i = 0; i < n; i++)
        if (i != best)
            log_skip(log, &found[i], best >= 0 ? &found[best] : NULL);
    if (best < 0)
        return 0;
    choose(area + (found[best].address - HR_LEGACY_SCAN_START), &found[best],
           log, rom);
    return 1;
}
