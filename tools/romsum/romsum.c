/*
 * romsum.c - build, check, inspect and scan HyperROM option ROMs (host tool).
 *
 *   romsum build IN OUT     pad, fill in lengths and checksums, then check
 *   romsum check ROM        every check in romcheck.c's FULL depth
 *   romsum info ROM         a readable dump of the header and entry points
 *   romsum scan IMAGE ...   find ROMs in a memory dump the way a guest does
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
#define CHECK_MAX     (1u << 20)   /* files check/info read; ROMs are less */
#define PNP_LENGTH_UNIT 16u        /* the PnP length field counts these */
#define OPCODE_JMP_REL32 0xE9u     /* the jump point forms the spec allows */
#define OPCODE_JMP_REL8  0xEBu

#define HDR(field)  ((uint32_t)offsetof(struct hyperrom_header, field))
#define PCIR(field) ((uint32_t)offsetof(struct hyperrom_pcir, field))
#define PNP(field)  ((uint32_t)offsetof(struct hyperrom_pnp, field))

static const char usage_text[] =
    "usage: romsum build IN OUT      pad and checksum a raw NASM image\n"
    "       romsum check ROM         validate a ROM image\n"
    "       romsum info ROM          describe a ROM image\n"
    "       romsum scan IMAGE [--base ADDR] [--legacy] [--need M.N]\n"
    "                                find ROMs in a memory dump starting at\n"
    "                                ADDR (default 0xC0000) as a guest does\n"
    "exit status: 0 ok, 1 problems found, 2 usage or I/O error\n";

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

/* What the issue printer needs: the file name it reports under. */
struct printer {
    const char *name;
    int warnings;
};

/* Print one issue: "romsum: NAME: [warning: ]FIELD @0xOFF: MSG[: values]". */
static void print_issue(void *ctx, const struct romcheck_issue *is)
{
    struct printer *p = ctx;

    if (is->level == ROMCHECK_WARNING)
        p->warnings++;
    fprintf(stderr, "romsum: %s: %s%s @0x%04x: %s", p->name,
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

/* FULL check of len bytes reported under name; returns the error count. */
static int full_check(const char *name, const uint8_t *rom, uint32_t len,
                      int *warnings)
{
    struct printer p = { name, 0 };
    int errors;

    if (len > HR_ROM_MAX_SIZE)
        complain("%s: file is %u bytes, more than the %u-byte option-ROM area",
                 name, len, HR_ROM_MAX_SIZE);
    errors = romcheck_rom(rom, len, ROMCHECK_FULL, print_issue, &p) +
             (len > HR_ROM_MAX_SIZE);
    if (warnings)
        *warnings = p.warnings;
    return errors;
}

/* What romsum check says about len bytes read from path; its exit status. */
static int check_image(const char *path, const uint8_t *rom, uint32_t len)
{
    int warnings, errors = full_check(path, rom, len, &warnings);

    if (errors) {
        complain("%s: %d error%s", path, errors, errors == 1 ? "" : "s");
        return EXIT_PROBLEM;
    }
    if (warnings)
        printf("%s: OK (%d warning%s)\n", path, warnings,
               warnings == 1 ? "" : "s");
    else
        printf("%s: OK\n", path);
    return EXIT_OK;
}

/* romsum check ROM. */
static int cmd_check(const char *path)
{
    struct file f;
    int rc = read_file(path, CHECK_MAX, &f);

    if (rc == EXIT_PROBLEM)
        complain("%s: larger than %u bytes: not a ROM image", path, CHECK_MAX);
    if (rc == EXIT_OK)
        rc = check_image(path, f.data, f.len);
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

/* Fill in what NASM cannot know: romLength, the PCIR lengths, the PnP
 * checksum and the final checksum byte.  Structures the header does not
 * locate inside the image are left alone: the check reports them. */
static void patch_image(uint8_t *rom, uint32_t size)
{
    uint32_t units = size / HR_ROM_UNIT;
    uint32_t pcir = get16(rom + HDR(pci_header_offset));
    uint32_t pnp = get16(rom + HDR(pnp_header_offset)), pnp_len;

    rom[HDR(rom_length)] = (uint8_t)units;
    if (pcir && pcir + sizeof(struct hyperrom_pcir) <= size) {
        put16(rom + pcir + PCIR(image_length), units);
        put16(rom + pcir + PCIR(max_runtime_length), units);
    }
    if (pnp && pnp + sizeof(struct hyperrom_pnp) <= size) {
        pnp_len = rom[pnp + PNP(length)] * PNP_LENGTH_UNIT;
        if (pnp_len >= sizeof(struct hyperrom_pnp) && pnp + pnp_len <= size) {
            rom[pnp + PNP(checksum)] = 0;
            rom[pnp + PNP(checksum)] =
                (uint8_t)-romcheck_sum8(rom + pnp, pnp_len);
        }
    }
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
    if (rc == EXIT_PROBLEM || f->len >= HR_ROM_MAX_SIZE) {
        complain("%s: %s%u bytes: too large; the image and its checksum byte "
                 "must fit the %u-byte option-ROM area", in,
                 rc == EXIT_PROBLEM ? "more than " : "",
                 rc == EXIT_PROBLEM ? HR_ROM_MAX_SIZE : f->len,
                 HR_ROM_MAX_SIZE);
        return 1;
    }
    if (f->len < sizeof(struct hyperrom_header)) {
        complain("%s: %u bytes: too short to hold the %u-byte ROM header", in,
                 f->len, (unsigned)sizeof(struct hyperrom_header));
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

/* romsum build IN OUT. */
static int cmd_build(const char *in, const char *out)
{
    struct file f;
    int rc = read_file(in, HR_ROM_MAX_SIZE, &f);
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
    if (full_check(in, rom, size, NULL) != 0) {
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

/* Print the PCI data structure, if the header locates one in the ROM. */
static void info_pcir(const struct view *v)
{
    uint32_t p = v16(v, HDR(pci_header_offset));

    if (!p || !has(v, p, sizeof(struct hyperrom_pcir))) {
        puts("PCI data structure: none inside the ROM");
        return;
    }
    printf("PCI data structure @0x%04x:\n", p);
    printf("  signature 0x%08x  vendor 0x%04x  device 0x%04x  length %u"
           "  revision %u\n", v32(v, p), v16(v, p + PCIR(vendor_id)),
           v16(v, p + PCIR(device_id)), v16(v, p + PCIR(length)),
           v8(v, p + PCIR(revision)));
    printf("  class (base/sub/prog-if) %02x/%02x/%02x  image_length %u"
           "  ROM version %u.%u"
           "  code type %u  indicator 0x%02x  max_runtime_length %u\n",
           v8(v, p + PCIR(class_code) + 2), v8(v, p + PCIR(class_code) + 1),
           v8(v, p + PCIR(class_code)), v16(v, p + PCIR(image_length)),
           v8(v, p + PCIR(rom_version_major)),
           v8(v, p + PCIR(rom_version_minor)), v8(v, p + PCIR(code_type)),
           v8(v, p + PCIR(indicator)), v16(v, p + PCIR(max_runtime_length)));
}

/* Print the PnP expansion header and its strings. */
static void info_pnp(const struct view *v)
{
    uint32_t p = v16(v, HDR(pnp_header_offset));

    if (!p || !has(v, p, sizeof(struct hyperrom_pnp))) {
        puts("PnP expansion header: none inside the ROM");
        return;
    }
    printf("PnP expansion header @0x%04x:\n", p);
    printf("  signature 0x%08x  revision %u  length %u (%u bytes)  checksum "
           "0x%02x  BCV 0x%04x  BEV 0x%04x\n", v32(v, p),
           v8(v, p + PNP(revision)), v8(v, p + PNP(length)),
           v8(v, p + PNP(length)) * PNP_LENGTH_UNIT, v8(v, p + PNP(checksum)),
           v16(v, p + PNP(bcv)), v16(v, p + PNP(bev)));
    printf("  manufacturer @0x%04x ", v16(v, p + PNP(manufacturer)));
    print_string(v, v16(v, p + PNP(manufacturer)));
    printf("\n  product      @0x%04x ", v16(v, p + PNP(product)));
    print_string(v, v16(v, p + PNP(product)));
    putchar('\n');
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

/* What romsum info prints about len bytes read from path; exit status. */
static int info_image(const char *path, const uint8_t *data, uint32_t len)
{
    struct view v;
    uint32_t rom_len = len > HDR(rom_length)
                           ? data[HDR(rom_length)] * HR_ROM_UNIT : 0;
    int errors;

    v.p = data;
    v.len = rom_len && rom_len <= len ? rom_len : len;
    printf("%s: %u bytes\n", path, len);
    info_header(&v);
    info_pcir(&v);
    info_pnp(&v);
    puts("jump points:");
    info_jump(&v, HR_VMI_INIT_OFFSET, HR_SYMBOL_PREFIX "Init");
    info_jump(&v, HR_GET_RELOC_OFFSET, HR_SYMBOL_PREFIX "GetRelocationInfo");
    info_entries(&v);
    errors = full_check(path, data, len, NULL);
    if (errors)
        printf("check: %d error%s (listed on stderr)\n", errors,
               errors == 1 ? "" : "s");
    else
        puts("check: OK");
    return errors ? EXIT_PROBLEM : EXIT_OK;
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

/* Print one scan result line. */
static void print_found(const struct romcheck_found *f)
{
    const struct romcheck_issue *is = f->errors ? &f->first_error
                                                : &f->first_warning;

    printf("  0x%05x  %6u bytes  API %u.%u  ", f->address, f->size,
           f->api_major, f->api_minor);
    if (!f->errors && !f->warnings) {
        puts("valid");
        return;
    }
    printf("%s: %s @0x%04x: %s", f->errors ? "INVALID" : "valid, warning",
           is->field, is->offset, is->message);
    if (f->overlaps)
        printf(" (ROM at 0x%05x)", f->overlaps);
    else if ((is->has_values & ROMCHECK_HAS_BOTH) == ROMCHECK_HAS_BOTH)
        printf(": expected 0x%x, found 0x%x", is->expected, is->found);
    else if (is->has_values & ROMCHECK_HAS_FOUND)
        printf(": found 0x%x", is->found);
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
    free(f.data);
    printf("%s: image 0x%05x-0x%05llx, scanning 0x%05x-0x%05x in %u-byte "
           "steps\n",
           o.image, o.base, (unsigned long long)o.base + f.len - (f.len != 0),
           o.start, HR_SCAN_END - 1, HR_SCAN_STEP);
    for (i = 0; i < n; i++)
        print_found(&found[i]);
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

/* Dispatch the subcommand; see usage_text. */
int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (!cmd)
        return usage_error("missing command");
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "build"))
        return argc == 4 ? cmd_build(argv[2], argv[3])
                         : usage_error("build needs IN and OUT");
    if (!strcmp(cmd, "check"))
        return argc == 3 ? cmd_check(argv[2])
                         : usage_error("check needs one ROM");
    if (!strcmp(cmd, "info"))
        return argc == 3 ? cmd_info(argv[2])
                         : usage_error("info needs one ROM");
    if (!strcmp(cmd, "scan"))
        return cmd_scan(argc - 2, argv + 2);
    return usage_error("unknown command");
}
