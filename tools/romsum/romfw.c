/*
 * romfw.c - the firmware-level check of any option ROM, image by image
 * (romcheck_option_rom): what SeaBIOS and the PCI Firmware spec 3.0 ask
 * of every ROM, not only HyperROM's.  Freestanding, like romcheck.c.
 */
#include "romcheck_int.h"

/* ---------------------------------------------------------------------
 * Firmware level: what any option ROM must be, image by image.  The
 * errors are what SeaBIOS refuses (src/optionroms.c: 55 AA, a nonzero
 * romLength, a zero 8-bit sum; images chained by PCIR image length and
 * the last-image bit) and what breaks the PCI Firmware spec 3.0's
 * structure rules; what firmware tolerates is a warning.
 * ------------------------------------------------------------------- */

#define EFI(field)   ((uint32_t)offsetof(struct romcheck_efi_header, field))
#define PNP_MAX_CHAIN     16u      /* $PnP headers followed before a loop */
#define PCIR_ALIGN_MASK   3u       /* the PCIR is DWORD-aligned (PCI FW)  */
#define PCIR_INDICATOR_RESERVED 0x7Fu /* indicator bits below last-image  */

/* Code type names, indexed by ROMCHECK_CODE_*. */
static const char *const code_names[] = {
    [ROMCHECK_CODE_X86] = "x86 (PC-AT)",
    [ROMCHECK_CODE_OPENFW] = "Open Firmware",
    [ROMCHECK_CODE_PARISC] = "HP PA-RISC",
    [ROMCHECK_CODE_EFI] = "EFI",
};

/* Name of code type t. */
const char *romcheck_code_name(uint32_t t)
{
    if (t == ROMCHECK_CODE_NONE)
        return "legacy x86";
    return t <= ROMCHECK_CODE_EFI ? code_names[t] : "reserved code type";
}

/* 1 if the first image carries "cVmi" at the VMI header's place. */
int romcheck_is_vmi(const uint8_t *rom, uint32_t avail)
{
    struct chk c = { rom, rom ? avail : 0, NULL, NULL, 0, 0, 0 };

    return rd16(&c, HDR(rom_signature)) == HR_ROM_SIGNATURE &&
           inside(c.size, HDR(hyper_signature), 4) &&
           rd32(&c, HDR(hyper_signature)) == HR_VMI_SIGNATURE;
}

/* Zero every field of im, without a struct assignment (memset/memcpy are
 * not there in freestanding code), and set its offset. */
void rc_image_clear(struct romcheck_image *im, uint32_t offset)
{
    im->offset = offset;
    im->init_size = im->length = 0;
    im->code_type = ROMCHECK_CODE_NONE;
    im->pcir = im->pnp = im->manufacturer = im->product = 0;
    im->vendor_id = im->device_id = 0;
    im->class_code[0] = im->class_code[1] = im->class_code[2] = 0;
    im->revision = 0;
    im->last = 1;
}

/* Copy image from to to, field by field. */
static void image_copy(struct romcheck_image *to,
                       const struct romcheck_image *from)
{
    rc_image_clear(to, from->offset);
    to->init_size = from->init_size;
    to->length = from->length;
    to->code_type = from->code_type;
    to->pcir = from->pcir;
    to->pnp = from->pnp;
    to->manufacturer = from->manufacturer;
    to->product = from->product;
    to->vendor_id = from->vendor_id;
    to->device_id = from->device_id;
    to->class_code[0] = from->class_code[0];
    to->class_code[1] = from->class_code[1];
    to->class_code[2] = from->class_code[2];
    to->revision = from->revision;
    to->last = from->last;
}

/* Image offset of the image's PCIR if pointer @0x18 finds "PCIR" inside
 * the lim bytes readable from o, else 0 (no PCI data: a legacy ROM). */
static uint32_t fw_find_pcir(const struct chk *c, uint32_t o, uint32_t lim)
{
    uint32_t p = rd16(c, (uint64_t)o + ROMCHECK_PCIR_POINTER);

    if (p == 0 || !inside(lim, p, 4))
        return 0;
    return rd32(c, (uint64_t)o + p) == HR_PCIR_SIGNATURE ? p : 0;
}

/* x86 image at im->offset: romLength, extent and checksum; 0 if usable. */
static int fw_x86(struct chk *c, struct romcheck_image *im)
{
    uint32_t o = im->offset, units = rd8(c, (uint64_t)o + HDR(rom_length));
    uint32_t size = units * HR_ROM_UNIT;

    if (units == 0) {
        err(c, o + HDR(rom_length), "romLength", "zero: the ROM has no extent");
        return -1;
    }
    if (!inside(c->size, o, size)) {
        err_val(c, o + HDR(rom_length), "romLength",
                "romLength * 512 runs past the available bytes", size,
                c->size - o);
        return -1;
    }
    im->init_size = size;
    if (romcheck_sum8(c->rom + o, size) != 0)
        err_val(c, (uint64_t)o + size - 1, "checksum",
                "8-bit sum of the romLength * 512 bytes is not zero",
                romcheck_sum8(c->rom + o, size), 0);
    return 0;
}

/* EFI image header at im->offset (UEFI "PCI Option ROMs"); 0 if usable. */
static int fw_efi(struct chk *c, struct romcheck_image *im)
{
    uint32_t o = im->offset, size, at;

    if (!rc_expect(c, o + EFI(efi_signature), 4, "EFI.signature",
                "not an EFI image header (0EF1h)", ROMCHECK_EFI_SIGNATURE))
        return -1;
    size = rd16(c, (uint64_t)o + EFI(init_size)) * HR_ROM_UNIT;
    if (size == 0 || !inside(c->size, o, size)) {
        err_found(c, o + EFI(init_size), "EFI.init_size",
                  "zero or past the available bytes", size / HR_ROM_UNIT);
        return -1;
    }
    im->init_size = size;
    if (romcheck_sum8(c->rom + o, size) != 0)
        rc_issue_at(c, ROMCHECK_WARNING, (uint64_t)o + size - 1, "checksum",
                 "8-bit sum of the initialization size is not zero",
                 ROMCHECK_HAS_BOTH, romcheck_sum8(c->rom + o, size), 0);
    at = rd16(c, (uint64_t)o + EFI(image_offset));
    if (at < sizeof(struct romcheck_efi_header) || !inside(size, at, 2))
        err_found(c, o + EFI(image_offset), "EFI.image_offset",
                  "EFI image outside the initialization size", at);
    else if (rd16(c, (uint64_t)o + EFI(compression)) == 0 &&
             rd16(c, (uint64_t)o + at) != ROMCHECK_PE_MZ)
        rc_issue_at(c, ROMCHECK_WARNING, o + EFI(image_offset),
                 "EFI.image_offset", "uncompressed image does not start "
                 "with \"MZ\"", ROMCHECK_HAS_FOUND, at, 0);
    return 0;
}

/* Rev-3 pointer field at p+field: 0 or an offset (from base) inside ext. */
static void fw_pointer(struct chk *c, uint32_t o, uint32_t p, uint32_t field,
                       uint32_t base, uint32_t ext, const char *name)
{
    uint32_t v = rd16(c, (uint64_t)o + p + field);

    if (v != 0 && (uint64_t)base + v >= ext)
        err_found(c, (uint64_t)o + p + field, name,
                  "points outside the image", v);
}

/* The rev-3 device list at PCIR+list: 16-bit IDs ending with 0 (PCI FW
 * 3.0); it must end inside the lim readable bytes of the image. */
static void fw_device_list(struct chk *c, uint32_t o, uint32_t p,
                           uint32_t lim)
{
    uint32_t list = rd16(c, (uint64_t)o + p + PCIR(device_list)), at;

    if (list == 0)
        return;
    for (at = p + list; inside(lim, at, 2); at += 2)
        if (rd16(c, (uint64_t)o + at) == 0)
            return;
    err_found(c, (uint64_t)o + p + PCIR(device_list), "PCIR.device_list",
              "list does not end (0000h) inside the image", list);
}

/* Identity and rev-3 fields of the PCI data structure at im->pcir. */
static void fw_pcir_fields(struct chk *c, struct romcheck_image *im,
                           uint32_t lim)
{
    uint32_t o = im->offset, p = im->pcir;
    uint64_t f = (uint64_t)o + p;
    uint32_t runtime = rd16(c, f + PCIR(max_runtime_length));

    im->vendor_id = (uint16_t)rd16(c, f + PCIR(vendor_id));
    im->device_id = (uint16_t)rd16(c, f + PCIR(device_id));
    im->class_code[0] = (uint8_t)rd8(c, f + PCIR(class_code));
    im->class_code[1] = (uint8_t)rd8(c, f + PCIR(class_code) + 1);
    im->class_code[2] = (uint8_t)rd8(c, f + PCIR(class_code) + 2);
    im->revision = (uint8_t)rd8(c, f + PCIR(revision));
    im->last = (rd8(c, f + PCIR(indicator)) & HR_PCIR_LAST_IMAGE) != 0;
    if (im->code_type > ROMCHECK_CODE_EFI)
        rc_issue_at(c, ROMCHECK_WARNING, f + PCIR(code_type), "PCIR.code_type",
                 "a code type the PCI Firmware spec reserves",
                 ROMCHECK_HAS_FOUND, im->code_type, 0);
    if (rd8(c, f + PCIR(indicator)) & PCIR_INDICATOR_RESERVED)
        rc_issue_at(c, ROMCHECK_WARNING, f + PCIR(indicator), "PCIR.indicator",
                 "reserved bits set", ROMCHECK_HAS_FOUND,
                 rd8(c, f + PCIR(indicator)), 0);
    if (im->revision != HR_PCIR_REVISION)
        return;     /* the fields below are reserved before revision 3 */
    if ((uint64_t)runtime * HR_ROM_UNIT > im->length)
        rc_issue_at(c, ROMCHECK_WARNING, f + PCIR(max_runtime_length),
                 "PCIR.max_runtime_length", "larger than the image",
                 ROMCHECK_HAS_BOTH, runtime, im->length / HR_ROM_UNIT);
    fw_device_list(c, o, p, lim);
    fw_pointer(c, o, p, PCIR(config_utility), 0, im->length,
               "PCIR.config_utility");
    fw_pointer(c, o, p, PCIR(clp_entry), 0, im->length, "PCIR.clp_entry");
}

/* The PCI data structure at im->pcir (PCI Firmware spec 3.0):
 * revision and length, image length, identity. */
static void fw_pcir(struct chk *c, struct romcheck_image *im,
                    enum romcheck_where where)
{
    uint32_t o = im->offset, p = im->pcir, lim;
    uint64_t f = (uint64_t)o + p;
    uint32_t rev = rd8(c, f + PCIR(revision)), want = rc_pcir_length(rev);
    uint32_t units = rd16(c, f + PCIR(image_length));
    int stop = 0;   /* the length cannot lead to a next image */

    im->length = units * HR_ROM_UNIT;
    if (p & PCIR_ALIGN_MASK)
        rc_issue_at(c, ROMCHECK_WARNING, o + ROMCHECK_PCIR_POINTER,
                 "pciHeaderOffset", "PCI data structure not DWORD-aligned",
                 ROMCHECK_HAS_FOUND, p, 0);
    if (rev != HR_PCIR_REV0 && rev != HR_PCIR_REVISION)
        rc_issue_at(c, ROMCHECK_WARNING, f + PCIR(revision), "PCIR.revision",
                 "neither 0 (PCI 2.x) nor 3 (PCI Firmware 3.0)",
                 ROMCHECK_HAS_FOUND, rev, 0);
    if (rd16(c, f + PCIR(length)) != want)
        err_val(c, f + PCIR(length), "PCIR.length",
                rev == HR_PCIR_REVISION
                    ? "not the size of a revision-3 structure"
                    : "not the size of a revision-0 structure",
                rd16(c, f + PCIR(length)), want);
    if (units == 0) {
        err(c, f + PCIR(image_length), "PCIR.image_length",
            "zero: the image has no extent");
        im->length = im->init_size;
        stop = 1;
    } else if (where == ROMCHECK_IN_FILE && !inside(c->size, o, im->length)) {
        err_val(c, f + PCIR(image_length), "PCIR.image_length",
                "image runs past the end of the file", im->length,
                c->size - o);
        im->length = c->size - o;
        stop = 1;
    } else if (im->init_size > im->length) {
        err_val(c, f + PCIR(image_length), "PCIR.image_length",
                "shorter than the initialization size", units,
                im->init_size / HR_ROM_UNIT);
    }
    /* what can be read of this image: in memory, what the BIOS copied */
    lim = where == ROMCHECK_IN_FILE ? im->length : im->init_size;
    if (!inside(lim, p, want))
        err_found(c, o + ROMCHECK_PCIR_POINTER, "pciHeaderOffset",
                  "PCI data structure runs past the image", p);
    fw_pcir_fields(c, im, lim);
    if (stop)
        im->last = 1;
}

/* One $PnP header at image offset p, inside the image's lim bytes. */
static void fw_pnp_one(struct chk *c, struct romcheck_image *im, uint32_t p,
                       uint32_t lim)
{
    static const struct { uint32_t at; const char *name; } vectors[] = {
        { PNP(bcv), "PnP.bcv" }, { PNP(dv), "PnP.dv" }, { PNP(bev), "PnP.bev" },
    };
    uint64_t f = (uint64_t)im->offset + p;
    uint32_t len = rd8(c, f + PNP(length)) * PNP_LENGTH_UNIT, i, v;

    if (rd8(c, f + PNP(revision)) != HR_PNP_REVISION)
        rc_issue_at(c, ROMCHECK_WARNING, f + PNP(revision), "PnP.revision",
                 "not revision 1 (PnP BIOS 1.0A)", ROMCHECK_HAS_BOTH,
                 rd8(c, f + PNP(revision)), HR_PNP_REVISION);
    if (len < sizeof(struct hyperrom_pnp) || !inside(lim, p, len))
        err_val(c, f + PNP(length), "PnP.length",
                "not a whole header inside the ROM", rd8(c, f + PNP(length)),
                HR_PNP_LENGTH_UNITS);
    else if (romcheck_sum8(c->rom + f, len) != 0)
        rc_issue_at(c, ROMCHECK_WARNING, f + PNP(checksum), "PnP.checksum",
                 "8-bit sum of the header is not zero (SeaBIOS ignores it)",
                 ROMCHECK_HAS_BOTH, romcheck_sum8(c->rom + f, len), 0);
    for (i = 0; i < 2; i++) {
        uint32_t at = i ? PNP(product) : PNP(manufacturer);
        v = rd16(c, f + at);
        if (v && !romcheck_string(c->rom + im->offset, lim, v))
            err_found(c, f + at, i ? "PnP.product" : "PnP.manufacturer",
                      "not a NUL-terminated string inside the ROM", v);
        else if (v && im->pnp == p)
            *(i ? &im->product : &im->manufacturer) = v;
    }
    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        v = rd16(c, f + vectors[i].at);
        if (v && v >= lim)
            err_found(c, f + vectors[i].at, vectors[i].name,
                      "entry point outside the ROM", v);
    }
}

/* The chain of $PnP headers of an x86 image (PnP BIOS spec 1.0A, 3.2):
 * the first is optional, as for SeaBIOS; a next pointer must find one. */
static void fw_pnp(struct chk *c, struct romcheck_image *im)
{
    const uint32_t o = im->offset, lim = im->init_size;
    uint64_t link = (uint64_t)o + ROMCHECK_PNP_POINTER;
    uint32_t p = rd16(c, link), n;

    for (n = 0; p != 0; n++) {
        if (!inside(lim, p, sizeof(struct hyperrom_pnp)) ||
            rd32(c, (uint64_t)o + p) != HR_PNP_SIGNATURE) {
            if (n > 0)
                err_found(c, link, "PnP.next",
                          "does not point at a $PnP header inside the ROM", p);
            return;
        }
        if (n == PNP_MAX_CHAIN) {
            err_found(c, link, "PnP.next", "more than 16 headers: a loop", p);
            return;
        }
        if (n == 0)
            im->pnp = p;
        fw_pnp_one(c, im, p, lim);
        link = (uint64_t)o + p + PNP(next);
        p = rd16(c, link);
    }
}

/* The header of the image at im->offset by its code type; 0 if usable. */
static int fw_header(struct chk *c, struct romcheck_image *im)
{
    if (im->code_type == ROMCHECK_CODE_X86 ||
        im->code_type == ROMCHECK_CODE_NONE)
        return fw_x86(c, im);
    if (im->code_type == ROMCHECK_CODE_EFI)
        return fw_efi(c, im);
    return 0;   /* Open Firmware, PA-RISC: nothing defined at the start */
}

/* After the last image of a file: a chain that goes nowhere is an error,
 * bytes nothing points at a warning.  1 if another image follows. */
static int fw_next(struct chk *c, const struct romcheck_image *im)
{
    uint64_t end = (uint64_t)im->offset + im->length;
    uint64_t ind = (uint64_t)im->offset + im->pcir + PCIR(indicator);

    if (!im->last) {
        if (end < c->size)
            return 1;
        err_found(c, ind, "PCIR.indicator",
                  "last-image bit clear, but no image follows", rd8(c, ind));
    } else if (end < c->size) {
        rc_issue_at(c, ROMCHECK_WARNING, end, "size",
                 "bytes after the last image: firmware ignores them",
                 ROMCHECK_HAS_FOUND, (uint32_t)(c->size - end), 0);
    }
    return 0;
}

/* Check the image at offset o, number n; fill im; 1 if another follows. */
static int fw_image(struct chk *c, uint32_t o, uint32_t n,
                    enum romcheck_where where, struct romcheck_image *im)
{
    rc_image_clear(im, o);
    c->image = n;
    if (!inside(c->size, o, ROMCHECK_ROM_HEADER)) {
        err_val(c, o, "header", "fewer bytes than an option ROM header",
                c->size - o, ROMCHECK_ROM_HEADER);
        return 0;
    }
    if (rd16(c, o) != HR_ROM_SIGNATURE) {
        err_val(c, o, "romSignature", n ? "the next image does not start "
                "with 55 AA" : "not an option ROM (55 AA)", rd16(c, o),
                HR_ROM_SIGNATURE);
        return 0;
    }
    im->pcir = fw_find_pcir(c, o, c->size - o);
    if (im->pcir)
        im->code_type = rd8(c, (uint64_t)o + im->pcir + PCIR(code_type));
    else if (n > 0) {
        err_found(c, o + ROMCHECK_PCIR_POINTER, "pciHeaderOffset",
                  "a chained image needs a PCI data structure",
                  rd16(c, o + ROMCHECK_PCIR_POINTER));
        return 0;
    }
    /* in memory, whatever the code type, the BIOS judged the copy by
     * romLength and its 8-bit sum (SeaBIOS is_valid_rom) */
    if ((where == ROMCHECK_IN_MEMORY ? fw_x86(c, im) : fw_header(c, im)) != 0)
        return 0;
    if (im->pcir)
        fw_pcir(c, im, where);
    else
        im->length = im->init_size;
    if (im->code_type == ROMCHECK_CODE_X86 ||
        im->code_type == ROMCHECK_CODE_NONE)
        fw_pnp(c, im);
    return where == ROMCHECK_IN_FILE ? fw_next(c, im) : 0;
}

/* Check every image of the option ROM at rom; see romcheck.h. */
int romcheck_option_rom(const uint8_t *rom, uint32_t avail,
                        enum romcheck_where where, romcheck_report_fn report,
                        void *ctx, struct romcheck_image *images, int max,
                        int *count)
{
    struct chk c = { rom, rom ? avail : 0, report, ctx, 0, 0, 0 };
    struct romcheck_image im;
    uint32_t o = 0;
    int n = 0, more;

    do {
        more = fw_image(&c, o, (uint32_t)n, where, &im);
        if (images && n < max)
            image_copy(&images[n], &im);
        n++;
        o += im.length;
    } while (more);
    if (count)
        *count = n;
    return c.errors;
}
