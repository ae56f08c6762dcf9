/*
 * romsum.c - build, check, describe and scan option ROMs (host tool).
 *
 *   romsum build [--vmi] IN OUT  pad, fill in lengths and checksums, check
 *   romsum check [--vmi] ROM     firmware verdict; VMI verdict for VMI ROMs
 *   romsum info ROM              every image's headers, decoded
 *   romsum scan IMAGE ...        find ROMs in a memory dump as a guest does
 *
 * All validation lives in romcheck.c, shared with the guest and hypervisor;
 * this file only reads files, patches images and prints.
 * Exit status: 0 fine, 1 the ROM or image has problems, 2 usage or I/O.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hyperrom.h"
#include "romcheck.h"

#define EXIT_OK       0
#define EXIT_PROBLEM  1
#define EXIT_USAGE    2

#define SCAN_DEFAULT_BASE HR_LEGACY_SCAN_START /* dumps usually start here */
#define IMAGE_MAX     (16u << 20)  /* memory dumps we are willing to read  */
#define CHECK_MAX     (16u << 20)  /* a PCI expansion ROM's largest size
                                      (EFI 1.02, 18.2; PCI Firmware 3.0)   */
#define BUILD_MAX     (255u * HR_ROM_UNIT) /* romLength is one byte        */
#define MAX_IMAGES    16           /* images info and check describe       */
#define PNP_LENGTH_UNIT 16u        /* the PnP length field counts these */
#define PNP_MAX_CHAIN   16u        /* $PnP headers info follows            */
#define OPCODE_JMP_REL32 0xE9u     /* the jump point forms the spec allows */
#define OPCODE_JMP_REL8  0xEBu

#define HDR(field)  ((uint32_t)offsetof(struct hyperrom_header, field))
#define PCIR(field) ((uint32_t)offsetof(struct hyperrom_pcir, field))
#define PNP(field)  ((uint32_t)offsetof(struct hyperrom_pnp, field))
#define EFI(field)  ((uint32_t)offsetof(struct romcheck_efi_header, field))

static const char usage_text[] =
    "usage: romsum build [--vmi] IN OUT  make an option ROM of a raw x86 image\n"
    "       romsum check [--vmi] ROM     is it a valid option ROM (and VMI ROM)?\n"
    "       romsum info ROM              decode every image's headers\n"
    "       romsum scan IMAGE [--base ADDR] [--legacy] [--need M.N]\n"
    "                                    find ROMs in a memory dump\n"
    "       romsum --help                explain every command and option\n"
    "exit status: 0 ok, 1 problems found, 2 usage or I/O error\n";

static const char help_text[] =
    "romsum: the option-ROM tool of HyperROM: builds, checks, describes and\n"
    "finds PC option ROMs, VMI ROMs (\"cVmi\", HyperROM spec) among them.\n"
    "\n"
    "romsum check [--vmi] ROM\n"
    "  The firmware verdict: every image of the file, chained by the PCI\n"
    "  data structure's image length and last-image bit, is checked the way\n"
    "  firmware does (SeaBIOS src/optionroms.c: 55 AA, romLength, 8-bit sum)\n"
    "  and against the PCI Firmware spec 3.0's structure rules (PCIR\n"
    "  revision 0 is 18h bytes, revision 3 is 1Ch; runtime length, device\n"
    "  list, configuration and CLP pointers exist in revision 3), with the\n"
    "  PnP headers (PnP BIOS 1.0A) and EFI image headers.  Then, for a VMI\n"
    "  ROM only, the VMI verdict: every check a VMI guest and the HyperROM\n"
    "  spec make.  Problems go to stderr, one line each, labelled\n"
    "  \"firmware:\" or \"VMI:\", with the field, its offset in the file and\n"
    "  the values found and expected.  One line on stdout says what the ROM\n"
    "  is.  --vmi: a ROM that is not a VMI ROM is an error (the project's\n"
    "  own build uses it).  Exit 0: a valid option ROM (and, if it is a VMI\n"
    "  ROM, a valid one); 1: invalid, a VMI ROM failing a VMI check, or not\n"
    "  a VMI ROM with --vmi.\n"
    "\n"
    "romsum build [--vmi] IN OUT\n"
    "  IN is a raw x86 image starting with 55 AA (NASM or ld output).  OUT\n"
    "  gets it padded with zeros to whole 512-byte units (at least one\n"
    "  byte: the last byte is the checksum byte), romLength, the PCIR image\n"
    "  length (and a zero revision-3 runtime length), every $PnP header's\n"
    "  checksum and the ROM's checksum filled in; then OUT is checked as by\n"
    "  check (a VMI ROM fully) and written only if it passes.  --vmi: IN\n"
    "  must be a VMI ROM.  Exit 0: written; 1: refused, OUT removed.\n"
    "\n"
    "romsum info ROM\n"
    "  Decodes every image: header, PCI data structure (vendor, device,\n"
    "  device list, class, revision, image length, code type, indicator,\n"
    "  runtime length, configuration and CLP pointers), PnP headers (device\n"
    "  ID, type, indicators, BCV, DV, BEV, next header, strings), EFI\n"
    "  header; for a VMI ROM also the VMI header, jump points and entry\n"
    "  points.  Ends with the check's verdict and exits as check does.\n"
    "\n"
    "romsum scan IMAGE [--base ADDR] [--legacy] [--need M.N]\n"
    "  IMAGE is a memory dump (e.g. QEMU's pmemsave 0xc0000 0x40000 FILE)\n"
    "  whose first byte is physical address ADDR (default 0xC0000).  Looks\n"
    "  for 55 AA every 2 KiB from C8000h below E0000h as a VMI guest does,\n"
    "  and names each ROM: address, size, PCI vendor:device, class, PnP\n"
    "  product, VMI API, verdict (the firmware check of what the BIOS\n"
    "  copied, and the VMI check for VMI ROMs).\n"
    "  --legacy  scan from C0000h, as Linux 2.6.21-2.6.36 did; the VGA BIOS\n"
    "            lives there, so this also finds it.\n"
    "  --need M.N  the VMI API the guest needs (default 3.0).\n"
    "  Exit 0: a guest needing M.N finds a usable VMI ROM; 1: it finds none\n"
    "  and stays native.\n"
    "\n"
    "Exit status 2 always means a usage or I/O error.\n";

/* A file read whole into memory. */
struct file {
    uint8_t *data;
    uint32_t len;
};

/* Print "romsum: " and a formatted message on stderr. */
static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
    va_list ap;

    fputs("romsum: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Usage on stderr; returns the usage exit status. */
static int usage_error(const char *why)
{
    complain("%s", why);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

/* Read path whole into f; EXIT_OK, EXIT_USAGE on I/O errors, or
 * EXIT_PROBLEM (f->len = max + 1) when the file holds more than max bytes. */
static int read_file(const char *path, uint32_t max, struct file *f)
{
    FILE *fp = fopen(path, "rb");
    size_t got;

    f->data = NULL;
    f->len = 0;
    if (!fp) {
        complain("%s: %s", path, strerror(errno));
        return EXIT_USAGE;
    }
    f->data = malloc((size_t)max + 1);
    if (!f->data) {
        fclose(fp);
        complain("%s: out of memory", path);
        return EXIT_USAGE;
    }
    got = fread(f->data, 1, (size_t)max + 1, fp);
    if (ferror(fp)) {
        complain("%s: read error: %s", path, strerror(errno));
        fclose(fp);
        return EXIT_USAGE;
    }
    fclose(fp);
    f->len = (uint32_t)got;
    return got > max ? EXIT_PROBLEM : EXIT_OK;
}

/* What the issue printer needs: the file name and which verdict. */
struct printer {
    const char *name;
    const char *part;   /* "firmware" or "VMI" */
    int warnings;
};

/* Print one issue: "romsum: NAME: PART: [image N: ][warning: ]FIELD @0xOFF:
 * MSG[: values]". */
static void print_issue(void *ctx, const struct romcheck_issue *is)
{
    struct printer *p = ctx;

    if (is->level == ROMCHECK_WARNING)
        p->warnings++;
    fprintf(stderr, "romsum: %s: %s: ", p->name, p->part);
    if (is->image)
        fprintf(stderr, "image %u: ", is->image);
    fprintf(stderr, "%s%s @0x%04x: %s",
            is->level == ROMCHECK_WARNING ? "warning: " : "", is->field,
            is->offset, is->message);
    if ((is->has_values & ROMCHECK_HAS_BOTH) == ROMCHECK_HAS_BOTH)
        fprintf(stderr, ": expected 0x%x, found 0x%x", is->expected, is->found);
    else if (is->has_values & ROMCHECK_HAS_FOUND)
        fprintf(stderr, ": found 0x%x", is->found);
    else if (is->has_values & ROMCHECK_HAS_EXPECTED)
        fprintf(stderr, ": expected 0x%x", is->expected);
    fputc('\n', stderr);
}

/* VMI check (FULL depth) of len bytes reported under name; its errors. */
static int full_check(const char *name, const uint8_t *rom, uint32_t len,
                      int *warnings)
{
    struct printer p = { name, "VMI", 0 };
    int errors;

    if (len > HR_ROM_MAX_SIZE)
        complain("%s: VMI: file is %u bytes, more than the %u-byte "
                 "option-ROM area", name, len, HR_ROM_MAX_SIZE);
    errors = romcheck_rom(rom, len, ROMCHECK_FULL, print_issue, &p) +
             (len > HR_ROM_MAX_SIZE);
    if (warnings)
        *warnings = p.warnings;
    return errors;
}

/* Both verdicts on one file. */
struct verdict {
    int fw_errors, warnings, vmi, vmi_errors, nimages;
    struct romcheck_image images[MAX_IMAGES];
};

/* Judge len bytes of name: the firmware check, then (only for a VMI ROM
 * that passes it) the VMI check; each problem printed on stderr. */
static void judge(const char *name, const uint8_t *rom, uint32_t len,
                  struct verdict *v)
{
    struct printer p = { name, "firmware", 0 };
    int vmi_warnings = 0;

    v->fw_errors = romcheck_option_rom(rom, len, ROMCHECK_IN_FILE, print_issue,
                                       &p, v->images, MAX_IMAGES, &v->nimages);
    v->vmi = romcheck_is_vmi(rom, len);
    v->vmi_errors = 0;
    if (v->vmi && v->fw_errors == 0)
        v->vmi_errors = full_check(name, rom, len, &vmi_warnings);
    v->warnings = p.warnings + vmi_warnings;
}

/* "2 images: x86 (PC-AT), EFI" into buf. */
static const char *image_list(const struct verdict *v, char *buf, size_t n)
{
    size_t at;
    int i;

    at = (size_t)snprintf(buf, n, "%d image%s: ", v->nimages,
                          v->nimages == 1 ? "" : "s");
    for (i = 0; i < v->nimages && i < MAX_IMAGES && at < n; i++)
        at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? ", " : "",
                               romcheck_code_name(v->images[i].code_type));
    return buf;
}

/* The verdict line (stdout if good, stderr if not) and the exit status;
 * need_vmi: a ROM that is not a VMI ROM is an error. */
static int verdict_line(const char *path, const uint8_t *rom,
                        const struct verdict *v, int need_vmi)
{
    char list[256], warn[32] = "";

    if (v->warnings)
        snprintf(warn, sizeof(warn), " (%d warning%s)", v->warnings,
                 v->warnings == 1 ? "" : "s");
    if (v->fw_errors) {
        complain("%s: invalid option ROM: %d error%s", path, v->fw_errors,
                 v->fw_errors == 1 ? "" : "s");
        return EXIT_PROBLEM;
    }
    image_list(v, list, sizeof(list));
    if (v->vmi_errors) {
        complain("%s: valid option ROM (%s), but an invalid VMI ROM: %d "
                 "error%s", path, list, v->vmi_errors,
                 v->vmi_errors == 1 ? "" : "s");
        return EXIT_PROBLEM;
    }
    if (v->vmi) {
        printf("%s: valid option ROM (%s), valid VMI ROM (API %u.%u)%s\n",
               path, list, rom[HDR(api_version_major)],
               rom[HDR(api_version_minor)], warn);
        return EXIT_OK;
    }
    if (need_vmi) {
        complain("%s: VMI: hyperSignature @0x%04x: not \"cVmi\": not a VMI "
                 "ROM (--vmi)", path, HDR(hyper_signature));
        complain("%s: valid option ROM (%s), but not a VMI ROM", path, list);
        return EXIT_PROBLEM;
    }
    printf("%s: valid option ROM, not a VMI ROM (%s)%s\n", path, list, warn);
    return EXIT_OK;
}

/* romsum check [--vmi] ROM. */
static int cmd_check(const char *path, int need_vmi)
{
    struct verdict v;
    struct file f;
    int rc = read_file(path, CHECK_MAX, &f);

    if (rc == EXIT_PROBLEM)
        complain("%s: larger than %u bytes: not a ROM image", path, CHECK_MAX);
    if (rc == EXIT_OK) {
        judge(path, f.data, f.len, &v);
        rc = verdict_line(path, f.data, &v, need_vmi);
    }
    free(f.data);
    return rc;
}

/* ---------------------------------------------------------------------
 * romsum build
 * ------------------------------------------------------------------- */

/* Little-endian 16-bit store. */
static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Little-endian 16-bit load. */
static uint32_t get16(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8;
}

/* Image offset of the PCIR if the pointer at 0x18 finds one, else 0. */
static uint32_t find_pcir(const uint8_t *rom, uint32_t size)
{
    uint32_t p = get16(rom + ROMCHECK_PCIR_POINTER);

    return p && p + sizeof(struct hyperrom_pcir) <= size &&
           !memcmp(rom + p, "PCIR", 4) ? p : 0;
}

/* Set the checksum byte of every $PnP header in the chain from 0x1A that
 * lies whole inside the image (at most PNP_MAX_CHAIN of them). */
static void patch_pnp(uint8_t *rom, uint32_t size)
{
    uint32_t p = get16(rom + ROMCHECK_PNP_POINTER), len, n;

    for (n = 0; p && n < PNP_MAX_CHAIN; n++) {
        if (p + sizeof(struct hyperrom_pnp) > size || memcmp(rom + p, "$PnP", 4))
            return;
        len = rom[p + PNP(length)] * PNP_LENGTH_UNIT;
        if (len >= sizeof(struct hyperrom_pnp) && p + len <= size) {
            rom[p + PNP(checksum)] = 0;
            rom[p + PNP(checksum)] = (uint8_t)-romcheck_sum8(rom + p, len);
        }
        p = get16(rom + p + PNP(next));
    }
}

/* Fill in what an assembler cannot know (what SeaBIOS's buildrom.py and
 * iPXE's fixrom.pl do): romLength, the PCIR image length (and a zero
 * revision-3 runtime length), the PnP checksums and the final checksum
 * byte.  Structures not inside the image are left alone: the check
 * reports them. */
static void patch_image(uint8_t *rom, uint32_t size)
{
    uint32_t units = size / HR_ROM_UNIT, pcir = find_pcir(rom, size);

    rom[HDR(rom_length)] = (uint8_t)units;
    if (pcir) {
        put16(rom + pcir + PCIR(image_length), units);
        if (rom[pcir + PCIR(revision)] == HR_PCIR_REVISION &&
            get16(rom + pcir + PCIR(max_runtime_length)) == 0)
            put16(rom + pcir + PCIR(max_runtime_length), units);
    }
    patch_pnp(rom, size);
    rom[size - 1] = 0;
    rom[size - 1] = (uint8_t)-romcheck_sum8(rom, size);
}

/* Write size bytes to out through out.tmp and rename, so a failed build
 * never leaves a partial or stale-looking OUT behind. */
static int write_atomically(const char *out, const uint8_t *data, uint32_t size)
{
    size_t n = strlen(out) + sizeof(".tmp");
    char *tmp = malloc(n);
    FILE *fp;
    int ok;

    if (!tmp)
        return complain("%s: out of memory", out), EXIT_USAGE;
    snprintf(tmp, n, "%s.tmp", out);
    fp = fopen(tmp, "wb");
    if (!fp) {
        complain("%s: %s", tmp, strerror(errno));
        free(tmp);
        return EXIT_USAGE;
    }
    ok = fwrite(data, 1, size, fp) == size;
    ok = (fclose(fp) == 0) && ok;
    if (!ok || rename(tmp, out) != 0) {
        complain("%s: %s", ok ? out : tmp, strerror(errno));
        remove(tmp);
        free(tmp);
        return EXIT_USAGE;
    }
    free(tmp);
    return EXIT_OK;
}

/* Refuse inputs that cannot become a ROM; 0 if in can be built. */
static int build_refuses(const char *in, const struct file *f, int rc)
{
    if (rc == EXIT_PROBLEM || f->len >= BUILD_MAX) {
        complain("%s: %s%u bytes: too large; the image and its checksum byte "
                 "must fit %u bytes (romLength is one byte: 255 * 512)", in,
                 rc == EXIT_PROBLEM ? "more than " : "",
                 rc == EXIT_PROBLEM ? BUILD_MAX : f->len, BUILD_MAX);
        return 1;
    }
    if (f->len < ROMCHECK_ROM_HEADER) {
        complain("%s: %u bytes: too short to hold the %u-byte option ROM "
                 "header", in, f->len, ROMCHECK_ROM_HEADER);
        return 1;
    }
    return 0;
}

/* The ROM built from the len bytes at raw (which build_refuses accepted):
 * padded with zeros to whole units, at least one byte, and patched; its
 * size in *size.  malloc'd; NULL when out of memory. */
static uint8_t *build_image(const uint8_t *raw, uint32_t len, uint32_t *size)
{
    uint8_t *rom;

    /* at least one byte of padding: the last byte is the checksum byte */
    *size = (len + 1 + HR_ROM_UNIT - 1) / HR_ROM_UNIT * HR_ROM_UNIT;
    rom = calloc(*size, 1);
    if (!rom)
        return NULL;
    memcpy(rom, raw, len);
    patch_image(rom, *size);
    return rom;
}

/* The built ROM passes: firmware check, VMI check for a VMI ROM, and is a
 * VMI ROM if need_vmi; problems printed under in. */
static int build_passes(const char *in, const uint8_t *rom, uint32_t size,
                        int need_vmi)
{
    struct verdict v;

    judge(in, rom, size, &v);
    if (v.fw_errors || v.vmi_errors)
        return 0;
    if (need_vmi && !v.vmi) {
        complain("%s: VMI: hyperSignature @0x%04x: not \"cVmi\": not a VMI "
                 "ROM (--vmi)", in, HDR(hyper_signature));
        return 0;
    }
    return 1;
}

/* romsum build [--vmi] IN OUT. */
static int cmd_build(const char *in, const char *out, int need_vmi)
{
    struct file f;
    int rc = read_file(in, BUILD_MAX, &f);
    uint32_t size;
    uint8_t *rom;

    if (rc == EXIT_USAGE || build_refuses(in, &f, rc)) {
        free(f.data);
        if (rc == EXIT_USAGE)
            return EXIT_USAGE;
        remove(out);    /* a refused build leaves no OUT, not even an old one */
        return EXIT_PROBLEM;
    }
    rom = build_image(f.data, f.len, &size);
    free(f.data);
    if (!rom)
        return complain("%s: out of memory", in), EXIT_USAGE;
    if (!build_passes(in, rom, size, need_vmi)) {
        /* remove a previous OUT too: nothing may use a stale ROM */
        complain("%s: not writing %s: the built ROM fails its check", in, out);
        remove(out);
        free(rom);
        return EXIT_PROBLEM;
    }
    rc = write_atomically(out, rom, size);
    free(rom);
    return rc;
}

/* ---------------------------------------------------------------------
 * romsum info
 * ------------------------------------------------------------------- */

/* The bytes info may look at: the ROM's extent, or less if truncated. */
struct view {
    const uint8_t *p;
    uint32_t len;
};

/* 1 if n bytes at off can be read. */
static int has(const struct view *v, uint32_t off, uint32_t n)
{
    return n <= v->len && off <= v->len - n;
}

/* Byte at off, 0 outside. */
static uint32_t v8(const struct view *v, uint32_t off)
{
    return has(v, off, 1) ? v->p[off] : 0;
}

/* Little-endian 16-bit value at off, 0 outside. */
static uint32_t v16(const struct view *v, uint32_t off)
{
    return v8(v, off) | v8(v, off + 1) << 8;
}

/* Little-endian 32-bit value at off, 0 outside. */
static uint32_t v32(const struct view *v, uint32_t off)
{
    return v16(v, off) | v16(v, off + 2) << 16;
}

/* Print the string at off quoted and escaped, or say it is not one. */
static void print_string(const struct view *v, uint32_t off)
{
    const char *s = off ? romcheck_string(v->p, v->len, off) : NULL;

    if (!s) {
        fputs("(no string inside the ROM)", stdout);
        return;
    }
    putchar('"');
    for (; *s; s++)
        if (*s >= ' ' && *s <= '~' && *s != '"' && *s != '\\')
            putchar(*s);
        else
            printf("\\x%02x", (unsigned char)*s);
    putchar('"');
}

/* Print the 128-byte header, field by field with offsets. */
static void info_header(const struct view *v)
{
    uint32_t units = v8(v, HDR(rom_length));

    puts("header:");
    printf("  @0x%04x romSignature        0x%04x\n", HDR(rom_signature),
           v16(v, HDR(rom_signature)));
    printf("  @0x%04x romLength           %u (%u bytes)\n", HDR(rom_length),
           units, units * HR_ROM_UNIT);
    printf("  @0x%04x romEntry            %02x %02x %02x %02x\n",
           HDR(rom_entry), v8(v, HDR(rom_entry)), v8(v, HDR(rom_entry) + 1),
           v8(v, HDR(rom_entry) + 2), v8(v, HDR(rom_entry) + 3));
    printf("  @0x%04x hyperSignature      0x%08x%s\n", HDR(hyper_signature),
           v32(v, HDR(hyper_signature)),
           v32(v, HDR(hyper_signature)) == HR_VMI_SIGNATURE ? " \"cVmi\"" : "");
    printf("  @0x%04x API version         %u.%u (major @0x%04x)\n",
           HDR(api_version_minor), v8(v, HDR(api_version_major)),
           v8(v, HDR(api_version_minor)), HDR(api_version_major));
    printf("  @0x%04x jump_slots          %u\n", HDR(jump_slots),
           v8(v, HDR(jump_slots)));
    printf("  @0x%04x virtual_top         0x%08x\n", HDR(virtual_top),
           v32(v, HDR(virtual_top)));
    printf("  @0x%04x license_offset      0x%04x ", HDR(license_offset),
           v16(v, HDR(license_offset)));
    print_string(v, v16(v, HDR(license_offset)));
    printf("\n  @0x%04x pciHeaderOffset     0x%04x\n", HDR(pci_header_offset),
           v16(v, HDR(pci_header_offset)));
    printf("  @0x%04x pnpHeaderOffset     0x%04x\n", HDR(pnp_header_offset),
           v16(v, HDR(pnp_header_offset)));
    printf("  @0x%04x reloc_table_offset  0x%04x\n", HDR(reloc_table_offset),
           v16(v, HDR(reloc_table_offset)));
    printf("  @0x%04x reloc_table_count   %u\n", HDR(reloc_table_count),
           v16(v, HDR(reloc_table_count)));
    printf("  checksum                   8-bit sum 0x%02x over %u bytes\n",
           romcheck_sum8(v->p, v->len), v->len);
}

/* Name of PCI base class (and, for the two this tool meets most, the
 * sub-class) from the PCI Code and ID Assignment spec. */
static const char *class_name(uint32_t base, uint32_t sub)
{
    static const char *const bases[] = {
        "unclassified", "mass storage", "network", "display", "multimedia",
        "memory", "bridge", "communication", "system peripheral", "input",
        "docking station", "processor", "serial bus", "wireless",
        "intelligent I/O", "satellite", "encryption", "signal processing",
        "processing accelerator", "instrumentation",
    };
    if (base == 0x03 && sub == 0x00)
        return "display (VGA)";
    if (base == 0x02 && sub == 0x00)
        return "network (Ethernet)";
    return base < sizeof(bases) / sizeof(bases[0]) ? bases[base] : "other";
}

/* Print the PCI device list at PCIR offset p (v is the image). */
static void info_device_list(const struct view *v, uint32_t p)
{
    uint32_t list = v16(v, p + PCIR(device_list)), at, n = 0;

    printf("    @0x%04x device list      ", p + PCIR(device_list));
    if (!list) {
        puts("none");
        return;
    }
    printf("@0x%04x:", p + list);
    for (at = p + list; has(v, at, 2) && v16(v, at) && n < 64; at += 2, n++)
        printf(" 0x%04x", v16(v, at));
    puts(has(v, at, 2) && !v16(v, at) ? "" : " (no end inside the image)");
}

/* Print the fields only a revision-3 PCI data structure has. */
static void info_pcir_rev3(const struct view *v, uint32_t p)
{
    if (v8(v, p + PCIR(revision)) != HR_PCIR_REVISION) {
        puts("    device list, max runtime length, configuration and CLP "
             "pointers: reserved before revision 3");
        return;
    }
    info_device_list(v, p);
    printf("    @0x%04x max runtime len  %u (%u bytes)\n",
           p + PCIR(max_runtime_length), v16(v, p + PCIR(max_runtime_length)),
           v16(v, p + PCIR(max_runtime_length)) * HR_ROM_UNIT);
    printf("    @0x%04x config utility   0x%04x%s\n", p + PCIR(config_utility),
           v16(v, p + PCIR(config_utility)),
           v16(v, p + PCIR(config_utility)) ? "" : " (none)");
    printf("    @0x%04x DMTF CLP entry   0x%04x%s\n", p + PCIR(clp_entry),
           v16(v, p + PCIR(clp_entry)),
           v16(v, p + PCIR(clp_entry)) ? "" : " (none)");
}

/* Print the PCI data structure at image offset p. */
static void info_pcir(const struct view *v, uint32_t p)
{
    uint32_t ind = v8(v, p + PCIR(indicator)), ct = v8(v, p + PCIR(code_type));

    if (!p) {
        puts("  PCI data structure: none (the pointer @0x0018 finds no "
             "\"PCIR\"): a legacy ROM");
        return;
    }
    printf("  PCI data structure @0x%04x: revision %u, length 0x%x\n", p,
           v8(v, p + PCIR(revision)), v16(v, p + PCIR(length)));
    printf("    @0x%04x vendor:device    %04x:%04x\n", p + PCIR(vendor_id),
           v16(v, p + PCIR(vendor_id)), v16(v, p + PCIR(device_id)));
    printf("    @0x%04x class            %02x/%02x/%02x (base/sub/prog-if: "
           "%s)\n", p + PCIR(class_code), v8(v, p + PCIR(class_code) + 2),
           v8(v, p + PCIR(class_code) + 1), v8(v, p + PCIR(class_code)),
           class_name(v8(v, p + PCIR(class_code) + 2),
                      v8(v, p + PCIR(class_code) + 1)));
    printf("    @0x%04x image length     %u (%u bytes)\n",
           p + PCIR(image_length), v16(v, p + PCIR(image_length)),
           v16(v, p + PCIR(image_length)) * HR_ROM_UNIT);
    printf("    @0x%04x code revision    0x%04x\n", p + PCIR(rom_version_minor),
           v16(v, p + PCIR(rom_version_minor)));
    printf("    @0x%04x code type        %u %s\n", p + PCIR(code_type), ct,
           romcheck_code_name(ct));
    printf("    @0x%04x indicator        0x%02x (%s)\n", p + PCIR(indicator),
           ind, ind & HR_PCIR_LAST_IMAGE ? "last image" : "more images follow");
    info_pcir_rev3(v, p);
}

/* Print one $PnP header at image offset p. */
static void info_pnp_one(const struct view *v, uint32_t p)
{
    printf("  PnP expansion header @0x%04x: revision %u, length %u (%u "
           "bytes), checksum 0x%02x\n", p, v8(v, p + PNP(revision)),
           v8(v, p + PNP(length)), v8(v, p + PNP(length)) * PNP_LENGTH_UNIT,
           v8(v, p + PNP(checksum)));
    printf("    @0x%04x device ID        0x%08x\n", p + PNP(device_id),
           v32(v, p + PNP(device_id)));
    printf("    @0x%04x device type      %02x/%02x/%02x (base/sub/interface)"
           "\n", p + PNP(device_type), v8(v, p + PNP(device_type)),
           v8(v, p + PNP(device_type) + 1), v8(v, p + PNP(device_type) + 2));
    printf("    @0x%04x indicators       0x%02x\n", p + PNP(device_indicators),
           v8(v, p + PNP(device_indicators)));
    printf("    @0x%04x BCV 0x%04x  DV 0x%04x  BEV 0x%04x  (0: none)\n",
           p + PNP(bcv), v16(v, p + PNP(bcv)), v16(v, p + PNP(dv)),
           v16(v, p + PNP(bev)));
    printf("    @0x%04x next header      0x%04x\n", p + PNP(next),
           v16(v, p + PNP(next)));
    printf("    @0x%04x manufacturer     ", p + PNP(manufacturer));
    print_string(v, v16(v, p + PNP(manufacturer)));
    printf("\n    @0x%04x product          ", p + PNP(product));
    print_string(v, v16(v, p + PNP(product)));
    putchar('\n');
}

/* Print the chain of $PnP headers from the pointer at 0x1A. */
static void info_pnp(const struct view *v)
{
    uint32_t p = v16(v, ROMCHECK_PNP_POINTER), n;

    for (n = 0; n < PNP_MAX_CHAIN; n++) {
        if (!p || !has(v, p, sizeof(struct hyperrom_pnp)) ||
            memcmp(v->p + p, "$PnP", 4)) {
            if (n == 0)
                puts("  PnP expansion header: none (the pointer @0x001a finds "
                     "no \"$PnP\")");
            return;
        }
        info_pnp_one(v, p);
        p = v16(v, p + PNP(next));
    }
}

/* Name of a PE machine type (PE/COFF spec, "Machine Types"). */
static const char *machine_name(uint32_t m)
{
    return m == 0x14C ? "IA-32" : m == 0x8664 ? "x64" : m == 0x200 ? "Itanium"
         : m == 0xEBC ? "EBC" : m == 0xAA64 ? "AArch64" : m == 0x1C2 ? "ARM"
         : "other";
}

/* Print the start of an image by its code type: x86 or EFI header. */
static void info_image_header(const struct view *v,
                              const struct romcheck_image *im)
{
    uint32_t ct = im->code_type;

    if (ct == ROMCHECK_CODE_EFI) {
        printf("  EFI header: @0x0002 init size %u (%u bytes)  @0x0004 "
               "signature 0x%04x  @0x0008 subsystem %u\n"
               "              @0x000a machine 0x%04x (%s)  @0x000c "
               "compression %u  @0x0016 EFI image @0x%04x\n",
               v16(v, EFI(init_size)), v16(v, EFI(init_size)) * HR_ROM_UNIT,
               v32(v, EFI(efi_signature)), v16(v, EFI(subsystem)),
               v16(v, EFI(machine)), machine_name(v16(v, EFI(machine))),
               v16(v, EFI(compression)), v16(v, EFI(image_offset)));
        return;
    }
    if (ct != ROMCHECK_CODE_X86 && ct != ROMCHECK_CODE_NONE)
        return;
    printf("  header: @0x0000 signature 0x%04x  @0x0002 romLength %u (%u "
           "bytes)  @0x0003 init entry %02x %02x %02x\n", v16(v, 0),
           v8(v, HDR(rom_length)), v8(v, HDR(rom_length)) * HR_ROM_UNIT,
           v8(v, 3), v8(v, 4), v8(v, 5));
    printf("          @0x0018 PCIR pointer 0x%04x  @0x001a PnP pointer "
           "0x%04x\n", v16(v, ROMCHECK_PCIR_POINTER),
           v16(v, ROMCHECK_PNP_POINTER));
}

/* Print image n (im), whose bytes are the file's from im->offset. */
static void info_one_image(const uint8_t *data, uint32_t len, int n,
                           const struct romcheck_image *im)
{
    struct view v;

    v.p = data + im->offset;
    v.len = len - im->offset;
    if (im->length && im->length < v.len)
        v.len = im->length;
    printf("image %d @0x%05x (offsets below from its start): %s, %u "
           "bytes\n", n, im->offset,
           romcheck_code_name(im->code_type), im->length);
    info_image_header(&v, im);
    info_pcir(&v, im->pcir);
    if (im->code_type == ROMCHECK_CODE_X86 ||
        im->code_type == ROMCHECK_CODE_NONE)
        info_pnp(&v);
    if (im->init_size)
        printf("  checksum: 8-bit sum 0x%02x over the %u bytes firmware "
               "loads\n", romcheck_sum8(v.p, im->init_size), im->init_size);
}

/* Print the jump point at off: its form and where it goes. */
static void info_jump(const struct view *v, uint32_t off, const char *name)
{
    uint32_t op = v8(v, off);
    int64_t target;

    printf("  @0x%04x %-22s ", off, name);
    if (op == OPCODE_JMP_REL32) {
        target = (int64_t)off + 5 + (int32_t)v32(v, off + 1);
        printf("jmp rel32 -> 0x%04llx\n", (long long)target);
    } else if (op == OPCODE_JMP_REL8) {
        target = (int64_t)off + 2 + (int8_t)v8(v, off + 1);
        printf("jmp rel8 -> 0x%04llx\n", (long long)target);
    } else {
        printf("not a jump (opcode 0x%02x)\n", op);
    }
}

/* Name of relocation type t. */
static const char *reloc_type_name(uint32_t t)
{
    static const char *const names[] = {
        [HR_RELOC_NONE] = "NONE", [HR_RELOC_CALL_REL] = "CALL_REL",
        [HR_RELOC_JUMP_REL] = "JUMP_REL", [HR_RELOC_NOP] = "NOP",
    };
    return t <= HR_RELOC_TYPE_MAX ? names[t] : "unknown";
}

/* Print every call's entry point from the relocation table and symbols. */
static void info_entries(const struct view *v)
{
    uint32_t call, off, sym;
    uint8_t type;
    int has_row, has_sym;

    printf("entry points (%u calls; reloc table row, ELF symbol "
           HR_SYMBOL_PREFIX "<name>):\n", VMI_CALL_COUNT);
    for (call = 0; call < VMI_CALL_COUNT; call++) {
        has_row = romcheck_reloc(v->p, v->len, call, &off, &type);
        has_sym = romcheck_symbol(v->p, v->len, HR_SYMBOL_PREFIX,
                                  romcheck_call_name(call), &sym);
        printf("  %2u %-18s ", call, romcheck_call_name(call));
        if (has_row)
            printf("0x%04x %-8s", off, reloc_type_name(type));
        else
            printf("%-15s", "(no row)");
        if (!has_sym)
            puts("  symbol missing");
        else if (has_row && sym == off)
            puts("  symbol agrees");
        else
            printf("  symbol 0x%04x\n", sym);
    }
}

/* The VMI part of info: header, jump points, entry points. */
static void info_vmi(const uint8_t *data, uint32_t len)
{
    struct view v;
    uint32_t rom_len = data[HDR(rom_length)] * HR_ROM_UNIT;

    v.p = data;
    v.len = rom_len && rom_len <= len ? rom_len : len;
    puts("VMI ROM (hyperSignature \"cVmi\"):");
    info_header(&v);
    puts("jump points:");
    info_jump(&v, HR_VMI_INIT_OFFSET, HR_SYMBOL_PREFIX "Init");
    info_jump(&v, HR_GET_RELOC_OFFSET, HR_SYMBOL_PREFIX "GetRelocationInfo");
    info_entries(&v);
}

/* What romsum info prints about len bytes read from path; exit status. */
static int info_image(const char *path, const uint8_t *data, uint32_t len)
{
    struct verdict v;
    int i, rc;

    printf("%s: %u bytes\n", path, len);
    fflush(stdout);
    judge(path, data, len, &v);
    for (i = 0; i < v.nimages && i < MAX_IMAGES; i++)
        info_one_image(data, len, i, &v.images[i]);
    if (v.nimages > MAX_IMAGES)
        printf("(%d more images not shown)\n", v.nimages - MAX_IMAGES);
    if (v.vmi)
        info_vmi(data, len);
    else if (len >= ROMCHECK_ROM_HEADER && v.nimages > 0)
        printf("not a VMI ROM (hyperSignature @0x%04x is 0x%08x, not "
               "\"cVmi\"): no VMI header or entry points\n",
               HDR(hyper_signature),
               len >= HDR(hyper_signature) + 4
                   ? (uint32_t)data[8] | (uint32_t)data[9] << 8 |
                         (uint32_t)data[10] << 16 | (uint32_t)data[11] << 24
                   : 0);
    fflush(stdout);
    rc = verdict_line(path, data, &v, 0);
    if (rc != EXIT_OK)
        printf("check: %d error%s (listed on stderr)\n",
               v.fw_errors + v.vmi_errors,
               v.fw_errors + v.vmi_errors == 1 ? "" : "s");
    return rc;
}

/* romsum info ROM. */
static int cmd_info(const char *path)
{
    struct file f;
    int rc = read_file(path, CHECK_MAX, &f);

    if (rc == EXIT_PROBLEM)
        complain("%s: larger than %u bytes: not a ROM image", path, CHECK_MAX);
    if (rc == EXIT_OK)
        rc = info_image(path, f.data, f.len);
    free(f.data);
    return rc;
}

/* ---------------------------------------------------------------------
 * romsum scan
 * ------------------------------------------------------------------- */

struct scan_opts {
    const char *image;
    uint32_t base, start;
    unsigned need_major, need_minor;
};

/* Parse an address (C syntax: 0xC0000 or decimal); 0 if not one. */
static int parse_addr(const char *s, uint32_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || end == s || *end || *s == '-' || v > UINT32_MAX)
        return 0;
    *out = (uint32_t)v;
    return 1;
}

/* Parse "M.N" with both parts 0..255; 0 if not that. */
static int parse_version(const char *s, unsigned *major, unsigned *minor)
{
    char tail;

    if (s[0] < '0' || s[0] > '9' ||
        sscanf(s, "%3u.%3u%c", major, minor, &tail) != 2 ||
        *major > UINT8_MAX || *minor > UINT8_MAX)
        return 0;
    return 1;
}

/* Parse scan's arguments into o; EXIT_OK or EXIT_USAGE (message printed). */
static int scan_args(int argc, char **argv, struct scan_opts *o)
{
    int i;

    o->image = NULL;
    o->base = SCAN_DEFAULT_BASE;
    o->start = HR_SCAN_START;
    o->need_major = HR_API_MAJOR;
    o->need_minor = HR_API_MINOR;
    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--legacy"))
            o->start = HR_LEGACY_SCAN_START;
        else if (!strcmp(argv[i], "--base") && i + 1 < argc) {
            if (!parse_addr(argv[++i], &o->base))
                return usage_error("scan: --base needs an address, "
                                   "e.g. 0xC0000");
        } else if (!strcmp(argv[i], "--need") && i + 1 < argc) {
            if (!parse_version(argv[++i], &o->need_major, &o->need_minor))
                return usage_error("scan: --need needs a version M.N, "
                                   "e.g. 3.0");
        } else if (argv[i][0] == '-' && argv[i][1])
            return usage_error("scan: unknown or incomplete option");
        else if (o->image)
            return usage_error("scan: more than one IMAGE");
        else
            o->image = argv[i];
    }
    return o->image ? EXIT_OK : usage_error("scan: missing IMAGE");
}

/* Print an issue's "FIELD @0xOFF: MSG[: values]" for a scan line. */
static void print_brief(const struct romcheck_found *f,
                        const struct romcheck_issue *is)
{
    printf("%s @0x%04x: %s", is->field, is->offset, is->message);
    if (f->overlaps)
        printf(" (ROM at 0x%05x)", f->overlaps);
    else if ((is->has_values & ROMCHECK_HAS_BOTH) == ROMCHECK_HAS_BOTH)
        printf(": expected 0x%x, found 0x%x", is->expected, is->found);
    else if (is->has_values & ROMCHECK_HAS_FOUND)
        printf(": found 0x%x", is->found);
}

/* Print one scan result: address, size, what the ROM is (PCI IDs and
 * class, PnP product, VMI API), and the verdict.  rom is its bytes, avail
 * of them readable. */
static void print_found(const struct romcheck_found *f, const uint8_t *rom,
                        uint32_t avail)
{
    const struct romcheck_image *im = &f->image;
    struct view v = { rom, avail < f->size ? avail : f->size };
    int vmi = f->hyper_signature == HR_VMI_SIGNATURE;

    printf("  0x%05x  %6u bytes  ", f->address, f->size);
    if (im->pcir)
        printf("PCI %04x:%04x %s  ", im->vendor_id, im->device_id,
               class_name(im->class_code[2], im->class_code[1]));
    else
        fputs("no PCI data  ", stdout);
    if (im->product) {
        print_string(&v, im->product);
        fputs("  ", stdout);
    }
    if (vmi)
        printf("VMI API %u.%u  ", f->api_major, f->api_minor);
    if (f->errors) {
        fputs("INVALID: ", stdout);
        print_brief(f, &f->first_error);
    } else {
        fputs(vmi ? "valid VMI ROM" : "valid, not a VMI ROM", stdout);
        if (f->warnings) {
            fputs("; warning: ", stdout);
            print_brief(f, &f->first_warning);
        }
    }
    putchar('\n');
}

/* romsum scan IMAGE [--base ADDR] [--legacy] [--need M.N]. */
static int cmd_scan(int argc, char **argv)
{
    struct romcheck_found found[ROMCHECK_MAX_FOUND];
    struct scan_opts o;
    struct file f;
    int rc = scan_args(argc, argv, &o), n, i, pick;

    if (rc != EXIT_OK)
        return rc;
    rc = read_file(o.image, IMAGE_MAX, &f);
    if (rc != EXIT_OK) {
        if (rc == EXIT_PROBLEM)
            complain("%s: larger than %u bytes", o.image, IMAGE_MAX);
        free(f.data);
        return EXIT_USAGE;
    }
    n = romcheck_scan(f.data, o.base, f.len, o.start, HR_SCAN_END, found,
                      ROMCHECK_MAX_FOUND);
    printf("%s: image 0x%05x-0x%05llx, scanning 0x%05x-0x%05x in %u-byte "
           "steps\n",
           o.image, o.base, (unsigned long long)o.base + f.len - (f.len != 0),
           o.start, HR_SCAN_END - 1, HR_SCAN_STEP);
    for (i = 0; i < n; i++)
        print_found(&found[i], f.data + (found[i].address - o.base),
                    (uint32_t)(f.len - (found[i].address - o.base)));
    free(f.data);
    if (n == 0)
        puts("  no option ROMs (55 AA) found");
    pick = romcheck_pick(found, n, (uint8_t)o.need_major,
                         (uint8_t)o.need_minor);
    if (pick < 0) {
        printf("a guest needing API %u.%u finds no usable ROM and stays "
               "native\n",
               o.need_major, o.need_minor);
        return EXIT_PROBLEM;
    }
    printf("a guest needing API %u.%u picks the ROM at 0x%05x (API %u.%u)\n",
           o.need_major, o.need_minor, found[pick].address,
           found[pick].api_major, found[pick].api_minor);
    return EXIT_OK;
}

/* ---------------------------------------------------------------------
 * Command line
 * ------------------------------------------------------------------- */

/* Drop a leading "--vmi" from argv (count *argc); 1 if it was there. */
static int take_vmi(int *argc, char ***argv)
{
    if (*argc > 0 && !strcmp((*argv)[0], "--vmi")) {
        (*argc)--;
        (*argv)++;
        return 1;
    }
    return 0;
}

/* Dispatch the subcommand; see usage_text and help_text. */
int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    int n = argc - 2, vmi;
    char **args = argv + 2;

    if (!cmd)
        return usage_error("missing command");
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        fputc('\n', stdout);
        fputs(help_text, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "build")) {
        vmi = take_vmi(&n, &args);
        return n == 2 ? cmd_build(args[0], args[1], vmi)
                      : usage_error("build needs IN and OUT");
    }
    if (!strcmp(cmd, "check")) {
        vmi = take_vmi(&n, &args);
        return n == 1 ? cmd_check(args[0], vmi)
                      : usage_error("check needs one ROM");
    }
    if (!strcmp(cmd, "info"))
        return argc == 3 ? cmd_info(argv[2])
                         : usage_error("info needs one ROM");
    if (!strcmp(cmd, "scan"))
        return cmd_scan(argc - 2, argv + 2);
    return usage_error("unknown command");
}
