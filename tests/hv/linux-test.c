/*
 * linux-test.c - host unit tests of hypervisor/loaders/linux.c: which modules are
 * Linux kernels, the bzImage checks (each refusal names its field and
 * offset), the zero page read back byte by byte at the offsets Linux
 * reads, the e820 map, initrd placement and the boot GDT.
 * Arguments: LINUX_DIR (../shared/linux: bzImage-noapic, bzImage-apic,
 * vmlinux-noapic), a multiboot kernel of this tree, a ROM of this tree.
 * Without LINUX_DIR the real-kernel checks print SKIP and the rest run on
 * a small bzImage made up here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "linux.h"

#define MIB        (1u << 20)
#define MEM        (32u * MIB)       /* guest memory, as the default     */
#define MAX_IMAGE  (64u << 20)
#define CMDLINE_AT 0x91000u
#define INITRD_AT  0x1F00000u
#define INITRD_LEN 0x1234u
#define FAKE_SETUP_SECTS 2u          /* the made-up image's layout       */
#define FAKE_KERNEL 0x1000u

struct file {
    uint8_t *data;
    uint32_t size;
};

/* Read path whole; size 0 when it cannot be read. */
static struct file slurp(const char *dir, const char *name)
{
    char path[1024];
    struct file f = { malloc(MAX_IMAGE), 0 };
    snprintf(path, sizeof(path), "%s%s%s", dir, name ? "/" : "", name ? name : "");
    FILE *fp = fopen(path, "rb");
    if (fp && f.data) {
        f.size = (uint32_t)fread(f.data, 1, MAX_IMAGE, fp);
        fclose(fp);
    }
    return f;
}

static uint32_t rd16(const uint8_t *b, uint32_t at) { return b[at] | (uint32_t)b[at + 1] << 8; }
static uint32_t rd32(const uint8_t *b, uint32_t at) { return rd16(b, at) | rd16(b, at + 2) << 16; }
static uint64_t rd64(const uint8_t *b, uint32_t at) { return rd32(b, at) | (uint64_t)rd32(b, at + 4) << 32; }
static void wr16(uint8_t *b, uint32_t at, uint32_t v) { b[at] = (uint8_t)v; b[at + 1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *b, uint32_t at, uint32_t v) { wr16(b, at, v); wr16(b, at + 2, v >> 16); }

/* A small bzImage of protocol 2.10, when the real ones are absent. */
static struct file made_up(void)
{
    uint32_t setup = (FAKE_SETUP_SECTS + 1) * LINUX_SECTOR;
    struct file f = { calloc(1, setup + FAKE_KERNEL), setup + FAKE_KERNEL };
    f.data[0x1F1] = FAKE_SETUP_SECTS;
    wr32(f.data, 0x1F4, FAKE_KERNEL / 16);
    wr16(f.data, 0x1FE, 0xAA55);
    wr16(f.data, 0x200, 0x62EB);                 /* header ends at 0x264 */
    memcpy(f.data + 0x202, "HdrS", 4);
    wr16(f.data, 0x206, 0x020A);
    f.data[0x211] = LINUX_LOADED_HIGH;
    wr32(f.data, 0x214, 0x100000);
    wr32(f.data, 0x22C, 0x7FFFFFFF);
    wr32(f.data, 0x230, 0x1000000);
    wr32(f.data, 0x238, 2047);
    wr32(f.data, 0x258, 0x1000000);
    wr32(f.data, 0x260, 0x40000);
    return f;
}

/* Check a bzImage; expect success, or a refusal naming field at offset. */
static void expect(const uint8_t *img, uint32_t size, uint32_t mem, const char *field,
                   uint32_t offset, const char *what)
{
    struct elf_problem p = { "", 0, 0, "" };
    struct linux_kernel k;
    int r = linux_check(img, size, mem, &k, &p);
    if (!field)
        check(r == 0, what, "refused: %s @%#x: %s", p.field, p.offset, p.message);
    else
        check(r == -1 && !strcmp(p.field, field) && p.offset == offset, what,
              "r %d, field %s @%#x = %#x (%s)", r, p.field, p.offset, p.value, p.message);
}

/* The fields linux_check reads from a real kernel, against the file. */
static void real_bzimage(const struct file *f, const char *name)
{
    char what[160];
    struct elf_problem p = { "", 0, 0, "" };
    struct linux_kernel k;
    uint32_t setup = (f->data[0x1F1] + 1u) * LINUX_SECTOR;
    snprintf(what, sizeof(what), "%s: a bzImage by content, accepted in 32 MiB", name);
    if (!check(linux_classify(f->data, f->size) == MODULE_BZIMAGE &&
               linux_check(f->data, f->size, MEM, &k, &p) == 0, what, "%s @%#x: %s",
               p.field, p.offset, p.message))
        return;
    snprintf(what, sizeof(what), "%s: protocol 2.10, setup_sects 23, header to 0x264", name);
    check(k.version == 0x020A && f->data[0x1F1] == 23 && k.setup_bytes == 24 * 512 &&
          k.header_bytes == 0x264 - 0x1F1, what, "version %#x, setup %u bytes, header %u bytes",
          k.version, k.setup_bytes, k.header_bytes);
    snprintf(what, sizeof(what), "%s: code32_start 0x100000, loaded at 0x100000", name);
    check(k.entry == 0x100000 && k.load_addr == 0x100000, what, "entry %#x load %#x",
          k.entry, k.load_addr);
    snprintf(what, sizeof(what), "%s: kernel size = syssize * 16 = the file after setup", name);
    check(k.kernel_bytes == rd32(f->data, 0x1F4) * 16 && k.kernel_bytes == f->size - setup, what,
          "kernel %u bytes, syssize %#x, file %u", k.kernel_bytes, rd32(f->data, 0x1F4), f->size);
    snprintf(what, sizeof(what), "%s: runs at pref_address 16 MiB, needs init_size more", name);
    check(rd64(f->data, 0x258) == 0x1000000 && f->data[0x234] == 0 &&
          k.runtime_end == 0x1000000 + rd32(f->data, 0x260), what, "pref %#llx, end %#x",
          (unsigned long long)rd64(f->data, 0x258), k.runtime_end);
    snprintf(what, sizeof(what), "%s: initrd_addr_max 0x7fffffff, cmdline_size 2047", name);
    check(k.initrd_max == 0x7FFFFFFF && k.cmdline_max == 2047, what, "max %#x, cmdline %u",
          k.initrd_max, k.cmdline_max);
    snprintf(what, sizeof(what), "%s: 16 MiB of guest memory is refused at pref_address", name);
    expect(f->data, f->size, 16 * MIB, "pref_address", 0x258, what);
    snprintf(what, sizeof(what), "%s: 18 MiB of guest memory is refused at init_size", name);
    expect(f->data, f->size, 18 * MIB, "init_size", 0x260, what);
}

/* Copy base, let mutate change it, and expect the refusal. */
#define MUTANT(size_expr, change, field, offset, what) do {               \
        memcpy(m, base->data, base->size);                                \
        uint32_t msize = (size_expr);                                     \
        change;                                                           \
        expect(m, msize, MEM, field, offset, what);                       \
    } while (0)

/* Every field linux_check relies on, corrupted in turn on a copy of base. */
static void mutants(const struct file *base)
{
    uint8_t *m = malloc(base->size);
    uint32_t n = base->size, setup = (base->data[0x1F1] + 1u) * LINUX_SECTOR;
    uint32_t sys = rd32(base->data, 0x1F4);
    expect(base->data, n, MEM, NULL, 0, "the unchanged image is accepted");
    MUTANT(0x100, (void)0, "boot_flag", 0x1FE, "a file shorter than a boot sector: boot_flag @0x1fe");
    MUTANT(n, wr16(m, 0x1FE, 0xAA56), "boot_flag", 0x1FE, "a bad boot flag: boot_flag @0x1fe");
    MUTANT(0x204, (void)0, "header", 0x202, "a file ending inside the header: header @0x202");
    MUTANT(n, m[0x205] = 'X', "header", 0x202, "no \"HdrS\": header @0x202");
    MUTANT(n, wr16(m, 0x206, 0x0206), "version", 0x206, "protocol 2.06 is too old: version @0x206");
    MUTANT(n, wr16(m, 0x206, 0x0105), "version", 0x206, "protocol 1.05 is too old: version @0x206");
    MUTANT(n, m[0x200] = 0xE9, "jump", 0x200, "no short jump over the header: jump @0x200");
    MUTANT(n, m[0x201] = 0x20, "jump", 0x200, "a header shorter than 2.07's: jump @0x200");
    MUTANT(0x240, (void)0, "jump", 0x200, "a file ending inside the header: jump @0x200");
    MUTANT(setup - 1, (void)0, "setup_sects", 0x1F1, "setup code past the end: setup_sects @0x1f1");
    MUTANT(n, m[0x1F1] = 0xFF, n < 256 * 512 ? "setup_sects" : "syssize",
           n < 256 * 512 ? 0x1F1u : 0x1F4u, "setup_sects 255: setup or kernel past the end");
    MUTANT(n, m[0x211] = 0, "loadflags", 0x211, "not LOADED_HIGH (a zImage): loadflags @0x211");
    MUTANT(n, wr32(m, 0x1F4, 0), "syssize", 0x1F4, "no protected-mode code: syssize @0x1f4");
    MUTANT(n, wr32(m, 0x1F4, sys + 1), "syssize", 0x1F4, "syssize one past the file: syssize @0x1f4");
    MUTANT(n, wr32(m, 0x1F4, 0xFFFFFFFF), "syssize", 0x1F4, "syssize 0xffffffff: syssize @0x1f4");
    MUTANT(n - 16, (void)0, "syssize", 0x1F4, "a file cut short of syssize: syssize @0x1f4");
    MUTANT(n, wr32(m, 0x214, 0x10000), "code32_start", 0x214, "entry below 1 MiB: code32_start @0x214");
    MUTANT(n, wr32(m, 0x214, 0x100000 + sys * 16), "code32_start", 0x214,
           "entry past the loaded code: code32_start @0x214");
    MUTANT(n, (m[0x234] = 1, wr32(m, 0x230, 0x3000)), "kernel_alignment", 0x230,
           "relocatable with alignment 0x3000: kernel_alignment @0x230");
    MUTANT(n, wr32(m, 0x25C, 1), "pref_address", 0x258, "pref_address above 4 GiB: @0x258");
    MUTANT(n, wr32(m, 0x260, MEM), "init_size", 0x260, "init_size past guest memory: @0x260");
    MUTANT(n, (m[0x234] = 1, wr32(m, 0x230, 0x200000)), NULL, 0,
           "a relocatable kernel at a power-of-two alignment is accepted");
    free(m);
}

/* Every byte of the zero page not in [lo, hi) ranges listed must be zero. */
static int zero_outside(const uint8_t *zp, const uint32_t (*keep)[2], uint32_t n)
{
    for (uint32_t at = 0; at < 4096; at++) {
        int kept = 0;
        for (uint32_t i = 0; i < n; i++)
            kept |= at >= keep[i][0] && at < keep[i][1];
        if (!kept && zp[at])
            return (int)at;
    }
    return -1;
}

/* The e820 map at 0x2d0: low memory, the hole with the ROMs, the rest. */
static void check_e820(const uint8_t *zp, const char *who)
{
    char what[160];
    static const uint32_t want[3][3] = {
        { 0, 0x9FC00, LINUX_E820_RAM }, { 0x9FC00, 0x60400, LINUX_E820_RESERVED },
        { 0x100000, MEM - 0x100000, LINUX_E820_RAM },
    };
    int ok = zp[0x1E8] == 3;
    for (uint32_t i = 0; i < 3; i++)
        ok &= rd64(zp, 0x2D0 + 20 * i) == want[i][0] && rd64(zp, 0x2D0 + 20 * i + 8) == want[i][1] &&
              rd32(zp, 0x2D0 + 20 * i + 16) == want[i][2];
    snprintf(what, sizeof(what), "%s: e820_entries @0x1e8 = 3; map @0x2d0: usable to 9FC00h, "
             "reserved to 1 MiB, usable to the end", who);
    check(ok, what, "entries %u, first %#llx+%#llx", zp[0x1E8],
          (unsigned long long)rd64(zp, 0x2D0), (unsigned long long)rd64(zp, 0x2D8));
}

/* The fields the loader writes, read back at their offsets. */
static void check_written(const uint8_t *zp, const char *who, uint32_t initrd, uint32_t len)
{
    char what[200];
    snprintf(what, sizeof(what), "%s: type_of_loader @0x210 = 0xff, loadflags @0x211 LOADED_HIGH "
             "only (no KEEP_SEGMENTS, no CAN_USE_HEAP), heap_end_ptr @0x224 = 0", who);
    check(zp[0x210] == 0xFF && zp[0x211] == LINUX_LOADED_HIGH && rd16(zp, 0x224) == 0, what,
          "type %#x, loadflags %#x, heap_end_ptr %#x", zp[0x210], zp[0x211], rd16(zp, 0x224));
    snprintf(what, sizeof(what), "%s: cmd_line_ptr @0x228, ramdisk_image @0x218, "
             "ramdisk_size @0x21c", who);
    check(rd32(zp, 0x228) == CMDLINE_AT && rd32(zp, 0x218) == initrd && rd32(zp, 0x21C) == len,
          what, "cmdline %#x, ramdisk %#x+%#x", rd32(zp, 0x228), rd32(zp, 0x218), rd32(zp, 0x21C));
    snprintf(what, sizeof(what), "%s: hardware_subarch @0x23c = 0 (PC), its data @0x240 = 0, "
             "setup_data @0x250 = 0, vid_mode @0x1fa = 0xffff, alt_mem_k @0x1e0 = 31 MiB", who);
    check(rd32(zp, 0x23C) == 0 && rd64(zp, 0x240) == 0 && rd64(zp, 0x250) == 0 &&
          rd16(zp, 0x1FA) == 0xFFFF && rd32(zp, 0x1E0) == 31 * 1024, what,
          "subarch %#x, vid_mode %#x, alt_mem_k %u", rd32(zp, 0x23C), rd16(zp, 0x1FA),
          rd32(zp, 0x1E0));
    check_e820(zp, who);
}

/* A zero page for a bzImage: its header copied, our fields, nothing else. */
static void zero_page_bzimage(const struct file *f, const char *who)
{
    char what[200];
    struct linux_kernel k;
    struct elf_problem p;
    struct linux_boot_params bp;
    const uint8_t *zp = (const uint8_t *)&bp;
    if (linux_check(f->data, f->size, MEM, &k, &p))
        return;
    memset(&bp, 0xA5, sizeof(bp));
    linux_zero_page(&bp, f->data, &k, &(struct linux_boot){ MEM, CMDLINE_AT, INITRD_AT, INITRD_LEN });
    check_written(zp, who, INITRD_AT, INITRD_LEN);
    static const uint32_t same[][2] = {            /* the kernel's own header fields */
        { 0x1F1, 0x1FA }, { 0x1FC, 0x210 }, { 0x214, 0x218 }, { 0x22C, 0x23C }, { 0x248, 0x250 },
        { 0x258, 0x264 },
    };
    int ok = 1;
    for (uint32_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        ok &= !memcmp(zp + same[i][0], f->data + same[i][0], same[i][1] - same[i][0]);
    snprintf(what, sizeof(what), "%s: the setup header is the image's at 0x1f1 (setup_sects, "
             "syssize, boot_flag, HdrS, version, code32_start, init_size...)", who);
    check(ok && rd16(zp, 0x1FE) == 0xAA55 && rd32(zp, 0x202) == LINUX_HDR_MAGIC, what,
          "a header field differs from the image's");
    static const uint32_t keep[][2] = { { 0x1E0, 0x1E4 }, { 0x1E8, 0x1E9 }, { 0x1F1, 0x264 },
                                        { 0x2D0, 0x2D0 + 3 * 20 } };
    int stray = zero_outside(zp, keep, 4);
    snprintf(what, sizeof(what), "%s: everything else is zero (screen_info: no video; no EDD, "
             "APM, EFI)", who);
    check(stray < 0, what, "byte %#x is %#x", stray, stray < 0 ? 0 : zp[stray]);
    linux_zero_page(&bp, f->data, &k, &(struct linux_boot){ MEM, CMDLINE_AT, INITRD_AT, 0 });
    snprintf(what, sizeof(what), "%s: no initrd: ramdisk_image and ramdisk_size 0", who);
    check(rd32(zp, 0x218) == 0 && rd32(zp, 0x21C) == 0, what, "ramdisk %#x+%#x",
          rd32(zp, 0x218), rd32(zp, 0x21C));
}

/* A vmlinux: classified as Linux, its extent, and a made-up 2.07 header. */
static void vmlinux(const struct file *f, uint32_t bz_runtime_end)
{
    struct linux_kernel k;
    struct linux_boot_params bp;
    const uint8_t *zp = (const uint8_t *)&bp;
    check(linux_classify(f->data, f->size) == MODULE_LINUX_ELF,
          "vmlinux-noapic: an ELF without a multiboot header takes the Linux protocol",
          "kind %d", linux_classify(f->data, f->size));
    linux_from_elf(f->data, &k);
    check(k.entry == 0x1000000 && k.load_addr == 0x1000000 && k.runtime_end == bz_runtime_end,
          "vmlinux-noapic: entry startup_32 at 16 MiB; its end is the bzImage's pref_address + init_size",
          "entry %#x, load %#x, end %#x (bzImage %#x)", k.entry, k.load_addr, k.runtime_end,
          bz_runtime_end);
    linux_zero_page(&bp, NULL, &k, &(struct linux_boot){ MEM, CMDLINE_AT, INITRD_AT, INITRD_LEN });
    check(rd16(zp, 0x1FE) == 0xAA55 && rd32(zp, 0x202) == LINUX_HDR_MAGIC &&
          rd16(zp, 0x206) == 0x0207 && rd32(zp, 0x214) == 0x1000000 &&
          0x202 + (rd16(zp, 0x200) >> 8) == 0x248,
          "vmlinux-noapic: made-up header: 0xAA55, HdrS, version 2.07, code32_start = entry, "
          "jump to 0x248", "version %#x, code32_start %#x", rd16(zp, 0x206), rd32(zp, 0x214));
    check_written(zp, "vmlinux-noapic", INITRD_AT, INITRD_LEN);
}

/* The other kinds of module, by content. */
static void classify(const char *mb_kernel, const char *rom)
{
    struct file mb = slurp(mb_kernel, NULL), r = slurp(rom, NULL);
    static const uint8_t cpio[] = "070701000000000000000000";
    check(mb.size && linux_classify(mb.data, mb.size) == MODULE_MULTIBOOT_ELF,
          "a multiboot kernel of this tree keeps the multiboot hand-off", "%s: %u bytes, kind %d",
          mb_kernel, mb.size, mb.size ? (int)linux_classify(mb.data, mb.size) : -1);
    check(r.size && linux_classify(r.data, r.size) == MODULE_OPTION_ROM,
          "the VMI ROM is an option ROM (0xAA55 @0)", "%s: %u bytes", rom, r.size);
    check(linux_classify(cpio, sizeof(cpio)) == MODULE_OTHER && linux_classify(cpio, 1) == MODULE_OTHER,
          "a cpio archive is neither kernel nor ROM (an initrd after a Linux kernel)", "kind %d",
          linux_classify(cpio, sizeof(cpio)));
    free(mb.data);
    free(r.data);
}

/* Initrd placement: page aligned, as high as allowed, above the kernel. */
static void initrd(void)
{
    struct linux_kernel k = { .runtime_end = 0x123E000, .initrd_max = 0x7FFFFFFF };
    check(linux_initrd_addr(&k, MEM, 12) == MEM - 0x1000, "a 12-byte initrd goes in the last page",
          "at %#x", linux_initrd_addr(&k, MEM, 12));
    check(linux_initrd_addr(&k, MEM, MIB + 1) == MEM - MIB - 0x1000,
          "1 MiB + 1 byte ends within the last page, start page aligned", "at %#x",
          linux_initrd_addr(&k, MEM, MIB + 1));
    k.initrd_max = 0x17FFFFF;
    check(linux_initrd_addr(&k, MEM, 0x1000) == 0x17FF000, "initrd_addr_max caps the initrd's end",
          "at %#x", linux_initrd_addr(&k, MEM, 0x1000));
    k.initrd_max = 0x7FFFFFFF;
    check(linux_initrd_addr(&k, MEM, MEM - 0x123E000 + 1) == 0,
          "an initrd that would overlap the booting kernel is refused", "at %#x",
          linux_initrd_addr(&k, MEM, MEM - 0x123E000 + 1));
    check(linux_initrd_addr(&k, MEM, MEM + 1) == 0, "an initrd larger than memory is refused",
          "at %#x", linux_initrd_addr(&k, MEM, MEM + 1));
}

/* The boot GDT: __BOOT_CS and __BOOT_DS flat, DPL 1, the rest null. */
static void boot_gdt(void)
{
    struct seg_desc g[LINUX_BOOT_GDT_ENTRIES];
    linux_boot_gdt(g, 1);
    check(!g[0].lo && !g[0].hi && !g[1].lo && !g[1].hi, "boot GDT entries 0 and 1 are null",
          "%08x%08x %08x%08x", g[0].hi, g[0].lo, g[1].hi, g[1].lo);
    check(g[2].lo == 0x0000FFFF && g[2].hi == 0x00CFBA00,
          "boot GDT entry 2 (__BOOT_CS 0x10): base 0, 4 GiB, 32-bit execute/read code, DPL 1",
          "%08x %08x", g[2].hi, g[2].lo);
    check(g[3].lo == 0x0000FFFF && g[3].hi == 0x00CFB200,
          "boot GDT entry 3 (__BOOT_DS 0x18): base 0, 4 GiB, 32-bit read/write data, DPL 1",
          "%08x %08x", g[3].hi, g[3].lo);
}

int main(int argc, char **argv)
{
    if (!check(argc == 4, "arguments", "usage: %s LINUX_DIR MULTIBOOT.elf ROM", argv[0]))
        return test_status();
    struct file noapic = slurp(argv[1], "bzImage-noapic"), apic = slurp(argv[1], "bzImage-apic");
    struct file vml = slurp(argv[1], "vmlinux-noapic");
    classify(argv[2], argv[3]);
    initrd();
    boot_gdt();
    if (noapic.size && apic.size && vml.size) {
        real_bzimage(&noapic, "bzImage-noapic");
        real_bzimage(&apic, "bzImage-apic");
        zero_page_bzimage(&noapic, "bzImage-noapic");
        vmlinux(&vml, 0x1000000 + rd32(noapic.data, 0x260));
        mutants(&noapic);
    } else {
        printf("SKIP: the real Linux kernels: %s/bzImage-noapic, bzImage-apic or vmlinux-noapic "
               "is missing (see ../shared/linux/README.md)\n", argv[1]);
        struct file fake = made_up();
        zero_page_bzimage(&fake, "made-up bzImage");
        mutants(&fake);
        free(fake.data);
    }
    free(noapic.data);
    free(apic.data);
    free(vml.data);
    return test_status();
}
