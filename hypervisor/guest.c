/*
 * guest.c - build the guest: memory, kernel, ROMs, boot information, and
 * the first entry into ring 1.  Ring 0.
 *
 * The loader's modules are the guest kernel (an ELF32 multiboot kernel,
 * whose module string is "name args...") and any number of VMI ROMs.  Each
 * ROM is validated with romcheck, the same checks `romsum check` makes,
 * and placed in the guest's option-ROM space from C8000h upward on 2 KiB
 * boundaries, read-only, with virtual_top filled in and its checksum fixed.
 */
#include <stdarg.h>
#include "hv.h"
#include "elf.h"
#include "multiboot.h"
#include "romcheck.h"

#define DEFAULT_GUEST_MEM (32u << 20)
#define MIN_GUEST_MEM     (4u << 20)
#define ONE_MIB           (1u << 20)
#define LOW_MEM_END       0x9FC00u     /* conventional memory the guest gets */
#define HOLE_START        0xA0000u     /* VGA, ROMs, BIOS: reserved */
#define GUEST_MBI         0x9000u      /* where the guest's info block goes  */
#define GUEST_MBI_SIZE    0x1000u
#define MODULE_NAME_MAX   128u         /* longest kernel name we print */
#define GUEST_EFLAGS      (EFLAGS_FIXED | EFLAGS_IF) /* real IF always on   */

struct vcpu vcpu0;
static uint32_t rom_next = HR_SCAN_START;
static int rom_problems;

/* Guest-physical address to the hypervisor's pointer (bounds checked). */
static void *gpa(uint32_t addr, uint32_t len)
{
    if (addr > vcpu0.mem_size || len > vcpu0.mem_size - addr)
        return NULL;
    return P2V(vcpu0.mem_base + addr);
}

/* romcheck's reporter: print each problem with the module it is in. */
static void rom_report(void *ctx, const struct romcheck_issue *is)
{
    hv_printf("hv: ROM %s: %s %s @0x%x: %s\n", (const char *)ctx,
              is->level == ROMCHECK_ERROR ? "error:" : "warning:",
              is->field, is->offset, is->message);
    if (is->level == ROMCHECK_ERROR)
        rom_problems++;
}

/* Validate one ROM module and copy it into the guest's option-ROM space. */
static void place_rom(const uint8_t *rom, uint32_t size, const char *name)
{
    rom_problems = 0;
    romcheck_rom(rom, size, ROMCHECK_FULL, rom_report, (void *)name);
    if (rom_problems) {
        hv_printf("hv: ROM %s refused (%d problems)\n", name, rom_problems);
        return;
    }
    uint32_t len = (uint32_t)rom[offsetof(struct hyperrom_header, rom_length)] * HR_ROM_UNIT;
    if (rom_next + len > HR_SCAN_END) {
        hv_printf("hv: ROM %s refused: no room left in the option-ROM space\n", name);
        return;
    }
    uint8_t *dst = gpa(rom_next, len);
    memcpy(dst, rom, len);
    struct hyperrom_header *h = (struct hyperrom_header *)dst;
    h->virtual_top = HR_VIRTUAL_TOP;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len - 1; i++)
        sum = (uint8_t)(sum + dst[i]);
    dst[len - 1] = (uint8_t)-sum;               /* the checksum byte is last */
    paging_protect(rom_next, len);
    hv_info("hv: ROM %s at 0x%x (%u bytes, API %u.%u)\n", name, rom_next, len,
              h->api_version_major, h->api_version_minor);
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

/* The module's arguments: everything after its first word. */
static const char *module_args(const char *s)
{
    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    return s;
}

/* The module's name: its first word, cut to fit buf[n]. */
static const char *module_name(const char *s, char *buf, uint32_t n)
{
    uint32_t i = 0;
    while (s[i] && s[i] != ' ' && i + 1 < n) {
        buf[i] = s[i];
        i++;
    }
    buf[i] = 0;
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

    const struct mb_module *m = (mbi->flags & MB_INFO_MODS) ? P2V(mbi->mods_addr) : NULL;
    uint32_t entry = 0;
    const char *args = "";
    for (uint32_t i = 0; m && i < mbi->mods_count; i++) {
        const uint8_t *img = P2V(m[i].start);
        uint32_t size = m[i].end - m[i].start;
        const char *name = m[i].string ? P2V(m[i].string) : "(module)";
        if (size >= 4 && *(const uint32_t *)img == HR_ELF_MAGIC && !entry) {
            char buf[MODULE_NAME_MAX];
            entry = load_elf(img, size, module_name(name, buf, sizeof(buf)));
            args = module_args(name);
            hv_info("hv: guest kernel %s, entry %p\n", buf, entry);
        } else {
            place_rom(img, size, name);
        }
    }
    if (!entry)
        guest_refuse("no module is an ELF kernel (modules that are not ELF are taken "
                     "for ROMs; pass -initrd \"kernel.elf args,vmi.rom\")");
    uint32_t info = make_guest_mbi(args);

    struct trapframe *tf = (struct trapframe *)(hv_stack_top - sizeof(*tf));
    memset(tf, 0, sizeof(*tf));
    tf->ds = tf->es = tf->fs = tf->gs = tf->ss = HR_FLAT_KERNEL_DS;
    tf->cs = HR_FLAT_KERNEL_CS;
    tf->eip = entry;
    tf->eflags = GUEST_EFLAGS;
    tf->eax = HR_MULTIBOOT_MAGIC;
    tf->ebx = info;
    tf->esp = GUEST_MBI;                 /* a usable stack until it sets one */
    vcpu0.area->virt_if = 0;                   /* multiboot: interrupts disabled   */
    vcpu0.cr0 = CR0_PE | CR0_ET;
    hv_info("hv: entering guest at %p in ring %u\n", entry, HR_GUEST_CPL);
    hv_enter(tf);
}
