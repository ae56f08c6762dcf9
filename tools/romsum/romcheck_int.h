/*
 * romcheck_int.h - what the checker's three files share: the check in
 * progress and its bounds-checked readers and reporters.  Not an API:
 * romcheck.h is that.  romcheck.c checks a HyperROM image, romfw.c any
 * option ROM at the firmware level, romscan.c scans the option-ROM area.
 */
#ifndef ROMCHECK_INT_H
#define ROMCHECK_INT_H

#include <stdint.h>
#include <stddef.h>
#include "hyperrom.h"
#include "romcheck.h"

#define HDR(field)  ((uint32_t)offsetof(struct hyperrom_header, field))
#define PCIR(field) ((uint32_t)offsetof(struct hyperrom_pcir, field))
#define PNP(field)  ((uint32_t)offsetof(struct hyperrom_pnp, field))
#define PNP_LENGTH_UNIT   16u     /* the PnP length field counts these */

/* One check in progress: the image, its checked extent and the reporter. */
struct chk {
    const uint8_t     *rom;
    uint32_t           size;   /* bytes that may be read: never past avail */
    romcheck_report_fn report; /* NULL: count silently                      */
    void              *ctx;
    int                errors;
    uint32_t           reloc_rows; /* usable rows of the relocation table   */
    uint32_t           image;      /* index of the image being checked      */
};

/* Hand one issue to the reporter; count it if it is an error. */
void rc_issue_at(struct chk *c, enum romcheck_level level, uint64_t off,
                 const char *field, const char *msg, int has,
                 uint32_t found, uint32_t expected);

/* Error unless the field at off (width 1, 2 or 4 bytes) equals want. */
int rc_expect(struct chk *c, uint32_t off, unsigned width,
              const char *field, const char *msg, uint32_t want);

/* The length a PCI data structure of revision rev has (romcheck.c). */
uint32_t rc_pcir_length(uint32_t rev);

/* Zero every field of im and set its offset (romfw.c). */
void rc_image_clear(struct romcheck_image *im, uint32_t offset);

/* 1 if len bytes at off lie inside size bytes; no overflow for any input. */
static inline int inside(uint32_t size, uint64_t off, uint64_t len)
{
    return len <= size && off <= size - len;
}

/* The byte at off, or 0 outside the extent (callers check first; this is
 * the last line of defence against reading past the image). */
static inline uint32_t rd8(const struct chk *c, uint64_t off)
{
    return inside(c->size, off, 1) ? c->rom[off] : 0;
}

/* Little-endian 16-bit field at off, 0 outside the extent. */
static inline uint32_t rd16(const struct chk *c, uint64_t off)
{
    return rd8(c, off) | rd8(c, off + 1) << 8;
}

/* Little-endian 32-bit field at off, 0 outside the extent. */
static inline uint32_t rd32(const struct chk *c, uint64_t off)
{
    return rd16(c, off) | rd16(c, off + 2) << 16;
}

/* An error without values. */
static inline void err(struct chk *c, uint64_t off, const char *field, const char *msg)
{
    rc_issue_at(c, ROMCHECK_ERROR, off, field, msg, 0, 0, 0);
}

/* An error showing the value found and the value expected. */
static inline void err_val(struct chk *c, uint64_t off, const char *field,
                           const char *msg, uint32_t found, uint32_t expected)
{
    rc_issue_at(c, ROMCHECK_ERROR, off, field, msg, ROMCHECK_HAS_BOTH, found, expected);
}

/* An error showing only the (bad) value found, e.g. an offset. */
static inline void err_found(struct chk *c, uint64_t off, const char *field,
                             const char *msg, uint32_t found)
{
    rc_issue_at(c, ROMCHECK_ERROR, off, field, msg, ROMCHECK_HAS_FOUND, found, 0);
}

#endif
