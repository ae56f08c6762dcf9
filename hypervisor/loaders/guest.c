/*
 * guest.c - build the guest: memory, kernel, ROMs, boot information, and
 * the first entry into ring 1.  Ring 0.
 *
 * The loader's modules are the guest kernel and any number of option ROMs,
 * each recognised by its content, never by its name (linux.c):
 * an ELF32 kernel with a multiboot header gets the multiboot hand-off; a
 * Linux kernel (a bzImage, or an ELF without a multiboot header such as a
 * vmlinux) gets the Linux 32-bit boot protocol, and the one module after
 * it that is not a ROM is its initrd.  Each ROM is validated with
 * romcheck, the same checks `romsum check` makes (firmware level for any
 * option ROM, VMI level for VMI ROMs), and its first image placed in the
 * guest's option-ROM space from C8000h upward on 2 KiB boundaries,
 * read-only; a VMI ROM with virtual_top filled in and its checksum fixed.
 *
 * A module's string is "FILE ARGS" from most loaders (QEMU -kernel, GRUB
 * Legacy, iPXE, SYSLINUX) but only "ARGS" from GRUB 2, whose `module FILE
 * ARGS` passes the words after the file name (spec 9, "Modules").  The
 * kernel's ARGS are the guest's command line under every loader.
 */
#include <stdarg.h>
#include "hv.h"
#include "elf.h"
#include "linux.h"
#include "multiboot.h"
#include "romcheck.h"
#include "vdev.h"       /* board_init */

#define DEFAULT_GUEST_MEM (32u << 20)
#define MIN_GUEST_MEM     (4u << 20)
#define ONE_MIB           (1u << 20)
#define LOW_MEM_END       0x9FC00u     /* conventional memory the guest gets */
#define HOLE_START        0xA0000u     /* VGA, ROMs, BIOS: reserved */
#define GUEST_MBI         0x9000u      /* where the guest's info block goes  */
#define GUEST_MBI_SIZE    0x1000u
#define MODULE_NAME_MAX   128u         /* longest module name we print */
/* The boot_loader_name prefix of the loaders whose module strings hold only
 * the arguments: GRUB 2 names itself by PACKAGE_STRING, "GRUB 2.06" (its
 * multiboot_mbi.c; grub_cmd_module passes argv + 1, the words after FILE). */
#define LOADER_ARGS_ONLY  "GRUB 2"
#define GUEST_EFLAGS      (EFLAGS_FIXED | EFLAGS_IF) /* real IF always on   */
/* A Linux guest's boot data, in low memory nothing else uses (spec 9):
 * boot.txt's traditional real-mode segment X = 90000h, though no real-mode
 * code runs; ESP starts below the zero page (use your own stack). */
#define LINUX_ZERO_PAGE   0x90000u     /* struct boot_params, ESI at entry */
#define LINUX_CMDLINE     0x91000u     /* the command line, one page       */
#define LINUX_BOOT_GDT    0x92000u     /* the 32-bit protocol's boot GDT   */

struct vcpu vcpu0;
static uint32_t rom_next = HR_SCAN_START;
static int guest_linux;                /* the kernel takes the Linux protocol */
static struct linux_kernel linux_k;    /* ... and what the loader knows of it */
static const uint8_t *linux_image;     /* its bzImage (setup header), or NULL */
static struct linux_boot linux_b;      /* command line, initrd, memory        */
static int linux_initrd_seen;

/* Guest-physical address to the hypervisor's pointer (bounds checked). */
static void *gpa(uint32_t addr, uint32_t len)
{
    if (addr > vcpu0.mem_size || len > vcpu0.mem_size - addr)
        return NULL;
    return P2V(vcpu0.mem_base + addr);
}

/* The first error romcheck reports about a ROM module, and the count. */
struct rom_verdict {
    struct romcheck_issue first;
    int errors;
};

/* romcheck's reporter: keep the first error, count them all. */
static void rom_report(void *ctx, const struct romcheck_issue *is)
{
    struct rom_verdict *v = ctx;

    if (is->level == ROMCHECK_ERROR && v->errors++ == 0)
        v->first = *is;
}

/* Refuse ROM name in one line naming the first problem; 1 if refused.
 * part says which verdict: "firmware" (any option ROM) or "VMI". */
static int rom_refused(const char *name, const char *part,
                       const struct rom_verdict *v)
{
    const struct romcheck_issue *is = &v->first;

    if (v->errors == 0)
        return 0;
    hv_printf("hv: ROM %s refused: %s: %s @0x%x: %s", name, part, is->field,
              is->offset, is->message);
    if ((is->has_values & ROMCHECK_HAS_BOTH) == ROMCHECK_HAS_BOTH)
        hv_printf(" (found 0x%x, expected 0x%x)", is->found, is->expected);
    else if (is->has_values & ROMCHECK_HAS_FOUND)
        hv_printf(" (found 0x%x)", is->found);
    if (v->errors > 1)
        hv_printf("; %d more problems (romsum check lists them)", v->errors - 1);
    hv_printf("\n");
    return 1;
}

/* Check one ROM module as firmware does and, if it is a VMI ROM, as a VMI
 * guest does; refuse it in one line, or return its first image's size
 * (what a BIOS copies into option-ROM space) and whether it is VMI. */
static uint32_t rom_accepted(const uint8_t *rom, uint32_t size, const char *name,
                             struct romcheck_image *im, int *vmi)
{
    struct rom_verdict v = { .errors = 0 };

    romcheck_option_rom(rom, size, ROMCHECK_IN_FILE, rom_report, &v, im, 1, NULL);
    if (rom_refused(name, "firmware", &v))
        return 0;
    *vmi = romcheck_is_vmi(rom, size);
    if (*vmi) {
        romcheck_rom(rom, size, ROMCHECK_FULL, rom_report, &v);
        if (rom_refused(name, "VMI", &v))
            return 0;
    }
    if (im->code_type != ROMCHECK_CODE_X86 && im->code_type != ROMCHECK_CODE_NONE) {
        hv_printf("hv: ROM %s refused: its first image is %s, not x86 code a "
                  "BIOS runs\n", name, romcheck_code_name(im->code_type));
        return 0;
    }
    return im->init_size;
}

/* Validate one ROM module and copy its first image into the guest's
 * option-ROM space; a VMI ROM gets virtual_top and a fixed checksum, any
 * other option ROM is placed as it is (the guest's VMI scan skips it). */
static void place_rom(const uint8_t *rom, uint32_t size, const char *name)
{
    struct romcheck_image im;
    int vmi = 0;
    uint32_t len = rom_accepted(rom, size, name, &im, &vmi);

    if (len == 0)
        return;
    if (rom_next + len > HR_SCAN_END) {
        hv_printf("hv: ROM %s refused: no room left in the option-ROM space\n", name);
        return;
    }
    uint8_t *dst = gpa(rom_next, len);
    memcpy(dst, rom, len);
    struct hyperrom_header *h = (struct hyperrom_header *)dst;
    if (vmi) {
        h->virtual_top = HR_VIRTUAL_TOP;
        uint8_t sum = 0;
        for (uint32_t i = 0; i < len - 1; i++)
            sum = (uint8_t)(sum + dst[i]);
        dst[len - 1] = (uint8_t)-sum;           /* the checksum byte is last */
    }
    paging_protect(rom_next, len);
    if (vmi)
        hv_info("hv: ROM %s at 0x%x (%u bytes, API %u.%u)\n", name, rom_next, len,
                h->api_version_major, h->api_version_minor);
    else if (im.pcir)
        hv_printf("hv: ROM %s at 0x%x (%u bytes): an option ROM (PCI %04x:%04x), "
                  "not a VMI ROM; the guest's VMI scan skips it\n", name, rom_next,
                  len, im.vendor_id, im.device_id);
    else
        hv_printf("hv: ROM %s at 0x%x (%u bytes): an option ROM (no PCI data), "
                  "not a VMI ROM; the guest's VMI scan skips it\n", name, rom_next, len);
    rom_next += (len + HR_SCAN_STEP - 1) & ~(HR_SCAN_STEP - 1);
}

/* End the run before the guest starts, as a termination: the user's
 * guest or configuration is at fault, not the hypervisor. */
static __attribute__((noreturn)) void guest_refuse(const char *fmt, ...)
{
    va_list ap;
    hv_printf("\nhv: guest terminated: guest image: ");
    va_start(ap, fmt);
    hv_vprintf(fmt, ap);
    va_end(ap);
    hv_printf("\n");
    stats_print();
    hv_exit_qemu(HR_EXIT_GUEST_TERMINATED);
}

/* Check the kernel module `name` and load its PT_LOAD segments at their
 * physical addresses; returns the entry point. */
static uint32_t load_elf(const uint8_t *img, uint32_t size, const char *name)
{
    struct elf_problem p;
    if (elf_check(img, size, ONE_MIB, vcpu0.mem_size, &p))
        guest_refuse("kernel %s: %s @0x%x = 0x%x: %s", name, p.field, p.offset, p.value,
                     p.message);
    const struct hr_elf32_ehdr *eh = (const void *)img;
    const struct elf32_phdr *ph = (const void *)(img + eh->e_phoff);
    for (uint32_t i = 0; i < eh->e_phnum; i++, ph++) {
        if (ph->p_type != PT_LOAD || !ph->p_memsz)
            continue;
        uint8_t *dst = gpa(ph->p_paddr, ph->p_memsz);    /* elf_check: inside */
        memcpy(dst, img + ph->p_offset, ph->p_filesz);
        memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
    }
    return eh->e_entry;
}

/* Check a bzImage and copy its protected-mode code where the setup
 * header says (linux.c); returns the entry point, code32_start. */
static uint32_t load_bzimage(const uint8_t *img, uint32_t size, const char *name)
{
    struct elf_problem p;
    if (linux_check(img, size, vcpu0.mem_size, &linux_k, &p))
        guest_refuse("kernel %s: %s @0x%x = 0x%x: %s", name, p.field, p.offset, p.value,
                     p.message);
    memcpy(gpa(linux_k.load_addr, linux_k.kernel_bytes), img + linux_k.setup_bytes,
           linux_k.kernel_bytes);                 /* linux_check: it fits */
    linux_image = img;
    hv_info("hv: guest kernel %s: Linux bzImage, boot protocol %u.%02u, %u bytes of "
            "protected-mode code at %p, entry %p, needs memory up to %p\n", name,
            linux_k.version >> 8, linux_k.version & 0xFFu, linux_k.kernel_bytes,
            linux_k.load_addr, linux_k.entry, linux_k.runtime_end);
    return linux_k.entry;
}

/* Load the kernel module of the given kind; returns its entry point. */
static uint32_t load_kernel(enum linux_module_kind kind, const uint8_t *img, uint32_t size,
                            const char *name)
{
    guest_linux = kind != MODULE_MULTIBOOT_ELF;
    if (kind == MODULE_BZIMAGE)
        return load_bzimage(img, size, name);
    uint32_t entry = load_elf(img, size, name);
    if (kind == MODULE_MULTIBOOT_ELF) {
        hv_info("hv: guest kernel %s, entry %p\n", name, entry);
        return entry;
    }
    linux_from_elf(img, &linux_k);
    hv_info("hv: guest kernel %s: Linux ELF (no multiboot header), boot protocol %u.%02u "
            "(zero page made up), entry %p, needs memory up to %p\n", name,
            linux_k.version >> 8, linux_k.version & 0xFFu, entry, linux_k.runtime_end);
    return entry;
}

/* Copy a Linux guest's initrd as high in guest memory as it may go. */
static void load_initrd(const uint8_t *img, uint32_t size, const char *name)
{
    if (linux_initrd_seen)
        guest_refuse("module %s: a second initrd (after a Linux kernel, one module that "
                     "is not a ROM is its initrd)", name);
    uint32_t at = linux_initrd_addr(&linux_k, vcpu0.mem_size, size);
    if (!at)
        guest_refuse("initrd %s: %u bytes do not fit between the kernel's end %p and the "
                     "end of guest memory (or initrd_addr_max %p)", name, size,
                     linux_k.runtime_end, linux_k.initrd_max);
    memcpy(gpa(at, size), img, size);
    linux_initrd_seen = 1;
    linux_b.initrd_addr = at;
    linux_b.initrd_size = size;
}

/* Write the guest's multiboot information: memory, map and command line. */
static uint32_t make_guest_mbi(const char *cmdline)
{
    struct mb_info *mbi = gpa(GUEST_MBI, GUEST_MBI_SIZE);
    struct mb_mmap *mm = (struct mb_mmap *)(mbi + 1);
    const struct { uint64_t addr, len; uint32_t type; } map[] = {
        { 0, LOW_MEM_END, MB_MMAP_AVAILABLE },
        { HOLE_START, ONE_MIB - HOLE_START, MB_MMAP_RESERVED },  /* ROMs here */
        { ONE_MIB, vcpu0.mem_size - ONE_MIB, MB_MMAP_AVAILABLE },
    };
    for (uint32_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        mm[i].size = sizeof(mm[i]) - sizeof(mm[i].size);
        mm[i].addr = map[i].addr;
        mm[i].len = map[i].len;
        mm[i].type = map[i].type;
    }
    char *cl = (char *)(mm + 3);
    uint32_t n = strlen(cmdline);
    if (n > GUEST_MBI_SIZE - (uint32_t)((uint8_t *)cl - (uint8_t *)mbi) - 1)
        hv_panic("guest command line too long");
    memcpy(cl, cmdline, n + 1);
    mbi->flags = MB_INFO_MEMORY | MB_INFO_MMAP | MB_INFO_CMDLINE;
    mbi->mem_lower = LOW_MEM_END >> 10;
    mbi->mem_upper = (vcpu0.mem_size - ONE_MIB) >> 10;
    mbi->mmap_addr = GUEST_MBI + sizeof(*mbi);
    mbi->mmap_length = 3 * sizeof(*mm);
    mbi->cmdline = GUEST_MBI + (uint32_t)((uint8_t *)cl - (uint8_t *)mbi);
    return GUEST_MBI;
}

/* The multiboot hand-off (spec section 9, "Entry state"). */
static void enter_multiboot(struct trapframe *tf, const char *args)
{
    tf->ds = tf->es = tf->fs = tf->gs = tf->ss = HR_FLAT_KERNEL_DS;
    tf->cs = HR_FLAT_KERNEL_CS;
    tf->eax = HR_MULTIBOOT_MAGIC;
    tf->ebx = make_guest_mbi(args);
    tf->esp = GUEST_MBI;                 /* a usable stack until it sets one */
}

/* The Linux 32-bit boot protocol (boot.txt, 32-bit BOOT PROTOCOL): the
 * command line, the zero page, and a boot GDT whose __BOOT_CS/__BOOT_DS
 * are ring-1 flat segments, loaded as the guest's own GDT. */
static void enter_linux(struct trapframe *tf, const char *args)
{
    uint32_t n = strlen(args), bad;
    if (n >= PAGE_SIZE || n > linux_k.cmdline_max)
        guest_refuse("kernel command line of %u characters: longer than the kernel's "
                     "cmdline_size @0x%x = %u (or a page)", n, LINUX_HDR_AT(cmdline_size),
                     linux_k.cmdline_max);
    memcpy(gpa(LINUX_CMDLINE, n + 1), args, n + 1);
    linux_b.mem_size = vcpu0.mem_size;
    linux_b.cmdline_addr = LINUX_CMDLINE;
    linux_zero_page(gpa(LINUX_ZERO_PAGE, sizeof(struct linux_boot_params)), linux_image,
                    &linux_k, &linux_b);
    linux_boot_gdt(gpa(LINUX_BOOT_GDT, LINUX_BOOT_GDT_ENTRIES * sizeof(struct seg_desc)),
                   HR_GUEST_CPL);
    tf->cs = LINUX_BOOT_CS | HR_GUEST_CPL;
    tf->ds = tf->es = tf->fs = tf->gs = tf->ss = LINUX_BOOT_DS | HR_GUEST_CPL;
    tf->esi = LINUX_ZERO_PAGE;           /* EBX, EBP, EDI stay 0 */
    tf->esp = LINUX_ZERO_PAGE;
    struct dtr d = { LINUX_BOOT_GDT_ENTRIES * sizeof(struct seg_desc) - 1, LINUX_BOOT_GDT };
    const char *why = "";
    if (seg_guest_set_gdt(&d, &bad, &why))
        hv_panic("Linux boot GDT entry %u refused: %s", bad, why);
    hv_info("hv: Linux zero page at %p, command line at %p: \"%s\"\n", LINUX_ZERO_PAGE,
            LINUX_CMDLINE, args);
    if (linux_initrd_seen)
        hv_info("hv: Linux initrd at %p, %u bytes\n", linux_b.initrd_addr, linux_b.initrd_size);
    else
        hv_info("hv: Linux initrd: none\n");
    hv_info("hv: Linux boot GDT at %p: CS %x DS %x, flat, DPL %u\n", LINUX_BOOT_GDT,
            tf->cs, tf->ds, HR_GUEST_CPL);
}

/* Does the loader put each module's file name before its arguments? */
static int loader_names_modules(const struct mb_info *mbi)
{
    if (!(mbi->flags & MB_INFO_LOADER_NAME) || !mbi->boot_loader_name)
        return 1;                        /* the multiboot tradition: "FILE ARGS" */
    const char *loader = P2V(mbi->boot_loader_name);
    hv_info("hv: boot loader \"%s\"\n", loader);
    return strncmp(loader, LOADER_ARGS_ONLY, sizeof(LOADER_ARGS_ONLY) - 1) != 0;
}

/* Write "module N" into buf (18 bytes at most: N has up to 10 digits). */
static void module_number(char *buf, uint32_t n)
{
    static const char word[] = "module ";
    uint32_t w = sizeof(word) - 1, digits = 1;
    for (uint32_t t = n; t >= 10; t /= 10)
        digits++;
    memcpy(buf, word, w);
    for (uint32_t j = digits; j-- > 0; n /= 10)
        buf[w + j] = (char)('0' + n % 10);
    buf[w + digits] = 0;
}

/* Split module i's string: its name (the file name where the loader gives
 * one, else "module N", counted from 1) into buf[n]; *args gets the rest. */
static const char *module_name(const struct mb_module *m, uint32_t i, int named,
                               char *buf, uint32_t n, const char **args)
{
    const char *s = m->string ? P2V(m->string) : "";
    uint32_t k = 0;
    if (!named) {
        module_number(buf, i + 1);
    } else {
        for (; s[k] && s[k] != ' ' && k + 1 < n; k++)
            buf[k] = s[k];
        buf[k] = 0;
        while (s[k] && s[k] != ' ')      /* a name longer than buf: cut */
            k++;
    }
    while (s[k] == ' ')
        k++;
    *args = s + k;
    return buf;
}

/* Find the kernel and ROM modules, build the guest and enter it. */
void guest_load(uint32_t mbi_phys)
{
    const struct mb_info *mbi = P2V(mbi_phys);
    const char *hv_cmd = (mbi->flags & MB_INFO_CMDLINE) ? P2V(mbi->cmdline) : "";
    const char *mem = cmdline_get(hv_cmd, "guest_mem");
    vcpu0.mem_size = mem ? parse_uint(mem) : DEFAULT_GUEST_MEM;
    if (vcpu0.mem_size < MIN_GUEST_MEM)
        hv_panic("guest_mem below the 4 MiB minimum");
    vcpu0.mem_size &= ~(PAGE_SIZE - 1);
    vcpu0.mem_base = mem_alloc(vcpu0.mem_size);
    paging_init_guest(vcpu0.mem_base, vcpu0.mem_size);
    vcpu0.area = paging_map_vcpu_area();
    hv_info("hv: guest memory: %u MiB at machine %p\n", vcpu0.mem_size >> 20, vcpu0.mem_base);
    board_init();                        /* the CMOS reports the memory size */

    const struct mb_module *m = (mbi->flags & MB_INFO_MODS) ? P2V(mbi->mods_addr) : NULL;
    uint32_t entry = 0;
    const char *args = "";
    int named = loader_names_modules(mbi);
    for (uint32_t i = 0; m && i < mbi->mods_count; i++) {
        const uint8_t *img = P2V(m[i].start);
        uint32_t size = m[i].end - m[i].start;
        char buf[MODULE_NAME_MAX];
        const char *margs;
        const char *name = module_name(&m[i], i, named, buf, sizeof(buf), &margs);
        enum linux_module_kind kind = linux_classify(img, size);
        if (!entry && kind != MODULE_OPTION_ROM && kind != MODULE_OTHER) {
            entry = load_kernel(kind, img, size, name);
            args = margs;                /* the guest's command line */
        } else if (entry && guest_linux && kind != MODULE_OPTION_ROM) {
            load_initrd(img, size, name);
        } else {
            place_rom(img, size, name);
        }
    }
    if (!entry)
        guest_refuse("no module is a kernel (an ELF or a Linux bzImage; other modules "
                     "are taken for ROMs; pass -initrd \"kernel.elf args,vmi.rom\")");

    struct trapframe *tf = guest_frame();
    memset(tf, 0, sizeof(*tf));
    tf->eip = entry;
    tf->eflags = GUEST_EFLAGS;
    vcpu0.area->virt_if = 0;             /* both protocols: interrupts disabled */
    vcpu0.cr0 = CR0_PE | CR0_ET;
    vcpu_publish();
    if (guest_linux)
        enter_linux(tf, args);
    else
        enter_multiboot(tf, args);
    /* Under QEMU's -icount the TSC counts instructions: make bench reads
     * the cost of booting the hypervisor from this line. */
    uint32_t boot_tsc = (uint32_t)rdtsc();
    hv_info("hv: guest's first instruction at TSC %u\n", boot_tsc);
    hv_info("hv: entering guest at %p in ring %u\n", entry, HR_GUEST_CPL);
    hv_enter(tf);
}
