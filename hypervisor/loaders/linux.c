/*
 * linux.c - the Linux/x86 boot protocol, the loader's side: recognise a
 * guest module by its content, check a bzImage's setup header (a refused
 * image is named by field and offset, as elf.c does), and build what a
 * 32-bit boot hands the kernel: the zero page with its e820 map and the
 * boot GDT.  Pure logic, no hardware and no guest memory: guest.c copies
 * the results into the guest.  Facts from Linux 2.6.32's
 * Documentation/x86/boot.txt; layouts in linux.h.
 */
#include "linux.h"

#define HDR(field) #field, LINUX_HDR_AT(field)
#define ONE_MIB        0x100000u
#define GUEST_LOW_END  0x9FC00u   /* as the multiboot map (spec section 9) */
#define PAGE_MASK_4K   0xFFFu

/* The multiboot v1 header (Multiboot 0.6.96, 3.1.1): its first three words. */
struct mb_header {
    uint32_t magic, flags, checksum;
} HR_PACKED;

/* Does img carry a multiboot header where the specification looks? */
static int has_multiboot_header(const uint8_t *img, uint32_t size)
{
    uint32_t end = size < LINUX_MB_SEARCH_BYTES ? size : LINUX_MB_SEARCH_BYTES;
    for (uint32_t at = 0; at + sizeof(struct mb_header) <= end; at += 4) {
        const struct mb_header *h = (const void *)(img + at);
        if (h->magic == LINUX_MB_HEADER_MAGIC && h->magic + h->flags + h->checksum == 0)
            return 1;
    }
    return 0;
}

enum linux_module_kind linux_classify(const uint8_t *img, uint32_t size)
{
    const struct linux_setup_header *h = (const void *)(img + LINUX_HDR_OFFSET);
    if (size >= 4 && *(const uint32_t *)img == HR_ELF_MAGIC)
        return has_multiboot_header(img, size) ? MODULE_MULTIBOOT_ELF : MODULE_LINUX_ELF;
    if (size >= LINUX_HDR_AT(version) && h->boot_flag == LINUX_BOOT_FLAG &&
        h->header == LINUX_HDR_MAGIC)
        return MODULE_BZIMAGE;
    if (size >= 2 && *(const uint16_t *)img == HR_ROM_SIGNATURE)
        return MODULE_OPTION_ROM;
    return MODULE_OTHER;
}

/* The identity of a setup header: boot flag, "HdrS", version, length. */
static int check_identity(const uint8_t *img, uint32_t size, struct linux_kernel *k,
                          struct elf_problem *p)
{
    const struct linux_setup_header *h = (const void *)(img + LINUX_HDR_OFFSET);
    if (size < LINUX_HDR_AT(boot_flag) + 2)
        return image_refuse(p, HDR(boot_flag), size, "image shorter than a boot sector");
    if (h->boot_flag != LINUX_BOOT_FLAG)
        return image_refuse(p, HDR(boot_flag), h->boot_flag, "no boot sector signature 0xAA55");
    if (size < LINUX_HDR_AT(version) + 2)
        return image_refuse(p, HDR(header), size, "image ends before the setup header's version");
    if (h->header != LINUX_HDR_MAGIC)
        return image_refuse(p, HDR(header), h->header, "no \"HdrS\": an old-protocol kernel");
    if (h->version < LINUX_PROTO_MIN)
        return image_refuse(p, HDR(version), h->version, "boot protocol older than 2.07");
    uint32_t end = LINUX_HDR_END_BASE + (h->jump >> 8);
    if ((h->jump & 0xFFu) != LINUX_JUMP_SHORT || end < LINUX_HDR_AT(payload_offset))
        return image_refuse(p, HDR(jump), h->jump, "setup header shorter than protocol 2.07's");
    if (end > size)
        return image_refuse(p, HDR(jump), h->jump, "setup header runs past the end of the image");
    if (end > LINUX_HDR_OFFSET + sizeof(*h))
        end = LINUX_HDR_OFFSET + sizeof(*h);       /* fields past 2.10: not ours */
    k->version = h->version;
    k->header_bytes = end - LINUX_HDR_OFFSET;
    return 0;
}

/* Where the protected-mode code is in the file and in memory, and its entry. */
static int check_layout(const uint8_t *img, uint32_t size, struct linux_kernel *k,
                        struct elf_problem *p)
{
    const struct linux_setup_header *h = (const void *)(img + LINUX_HDR_OFFSET);
    uint32_t sects = h->setup_sects ? h->setup_sects : LINUX_SETUP_SECTS_ZERO;
    k->setup_bytes = (sects + 1) * LINUX_SECTOR;
    if (k->setup_bytes > size)
        return image_refuse(p, HDR(setup_sects), h->setup_sects, "setup code runs past the end of the image");
    if (!(h->loadflags & LINUX_LOADED_HIGH))
        return image_refuse(p, HDR(loadflags), h->loadflags,
                      "LOADED_HIGH clear: a zImage (loads at 0x10000), not a bzImage");
    if (!h->syssize)
        return image_refuse(p, HDR(syssize), 0, "no protected-mode code");
    if (h->syssize > (size - k->setup_bytes) / LINUX_SYSSIZE_UNIT)
        return image_refuse(p, HDR(syssize), h->syssize, "protected-mode code runs past the end of the image");
    k->kernel_bytes = h->syssize * LINUX_SYSSIZE_UNIT;
    k->load_addr = LINUX_LOAD_HIGH_ADDR;
    if (h->code32_start < k->load_addr || h->code32_start - k->load_addr >= k->kernel_bytes)
        return image_refuse(p, HDR(code32_start), h->code32_start,
                      "entry point outside the protected-mode code loaded at 0x100000");
    k->entry = h->code32_start;
    uint32_t align = h->kernel_alignment;
    if (h->relocatable_kernel && (!align || (align & (align - 1))))
        return image_refuse(p, HDR(kernel_alignment), align, "relocatable, but not a power-of-two alignment");
    return 0;
}

/* The memory the kernel needs while it boots, against guest memory: the
 * loaded code, and (protocol 2.10) init_size bytes from where it runs. */
static int check_fit(const uint8_t *img, uint32_t mem_size, struct linux_kernel *k,
                     struct elf_problem *p)
{
    const struct linux_setup_header *h = (const void *)(img + LINUX_HDR_OFFSET);
    if (k->kernel_bytes > mem_size - k->load_addr)
        return image_refuse(p, HDR(syssize), h->syssize, "protected-mode code does not fit in guest memory");
    k->runtime_end = k->load_addr + k->kernel_bytes;
    if (k->version >= LINUX_PROTO_2_10 && k->header_bytes == sizeof(*h)) {
        uint64_t start = h->pref_address;              /* where a fixed kernel runs */
        if (h->relocatable_kernel)
            start = ((uint64_t)k->load_addr + h->kernel_alignment - 1) & ~(uint64_t)(h->kernel_alignment - 1);
        if (start >= mem_size)
            return image_refuse(p, HDR(pref_address), (uint32_t)start, "kernel runs at an address past guest memory");
        if (start + h->init_size > mem_size)
            return image_refuse(p, HDR(init_size), h->init_size, "kernel needs more memory to boot than the guest has");
        if (start + h->init_size > k->runtime_end)
            k->runtime_end = (uint32_t)(start + h->init_size);
    }
    k->initrd_max = h->initrd_addr_max ? h->initrd_addr_max : LINUX_INITRD_MAX_OLD;
    k->cmdline_max = k->version >= LINUX_PROTO_2_06 ? h->cmdline_size : LINUX_OLD_CMDLINE_MAX;
    return 0;
}

int linux_check(const uint8_t *img, uint32_t size, uint32_t mem_size,
                struct linux_kernel *k, struct elf_problem *p)
{
    *k = (struct linux_kernel){ 0 };
    if (check_identity(img, size, k, p) || check_layout(img, size, k, p))
        return -1;
    if (mem_size < LINUX_LOAD_HIGH_ADDR)
        return image_refuse(p, HDR(syssize), 0, "guest memory ends below 1 MiB");
    return check_fit(img, mem_size, k, p);
}

void linux_from_elf(const uint8_t *img, struct linux_kernel *k)
{
    const struct hr_elf32_ehdr *eh = (const void *)img;
    const struct elf32_phdr *ph = (const void *)(img + eh->e_phoff);
    *k = (struct linux_kernel){ 0 };
    k->version = LINUX_PROTO_MIN;
    k->entry = eh->e_entry;
    k->load_addr = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < eh->e_phnum; i++, ph++) {
        if (ph->p_type != PT_LOAD || !ph->p_memsz)
            continue;
        if (ph->p_paddr < k->load_addr)
            k->load_addr = ph->p_paddr;
        if (ph->p_paddr + ph->p_memsz > k->runtime_end)
            k->runtime_end = ph->p_paddr + ph->p_memsz;
    }
    k->initrd_max = LINUX_INITRD_MAX_OLD;
    k->cmdline_max = 0xFFFFFFFFu;     /* unknown: the kernel truncates (boot.txt) */
}

uint32_t linux_initrd_addr(const struct linux_kernel *k, uint32_t mem_size, uint32_t size)
{
    uint32_t top = mem_size;
    if (k->initrd_max < top - 1)
        top = k->initrd_max + 1;
    if (size > top)
        return 0;
    uint32_t addr = (top - size) & ~PAGE_MASK_4K;
    uint32_t floor = (k->runtime_end + PAGE_MASK_4K) & ~PAGE_MASK_4K;
    return addr >= floor ? addr : 0;
}

uint32_t linux_e820(struct linux_e820_entry *map, uint32_t max, uint32_t mem_size)
{
    const struct linux_e820_entry e[] = {
        { 0, GUEST_LOW_END, LINUX_E820_RAM },
        { GUEST_LOW_END, ONE_MIB - GUEST_LOW_END, LINUX_E820_RESERVED }, /* hole, ROMs */
        { ONE_MIB, mem_size - ONE_MIB, LINUX_E820_RAM },
    };
    uint32_t n = sizeof(e) / sizeof(e[0]);
    if (max < n)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        map[i] = e[i];
    return n;
}

/* A setup header for a kernel without one (a vmlinux): what a bzImage of
 * protocol 2.07 would say, so the kernel finds the fields it reads. */
static void made_up_header(struct linux_setup_header *h, const struct linux_kernel *k)
{
    h->boot_flag = LINUX_BOOT_FLAG;
    h->jump = (uint16_t)(LINUX_JUMP_SHORT | (LINUX_HDR_AT(payload_offset) - LINUX_HDR_END_BASE) << 8);
    h->header = LINUX_HDR_MAGIC;
    h->version = LINUX_PROTO_MIN;
    h->loadflags = LINUX_LOADED_HIGH;
    h->code32_start = k->entry;
    h->initrd_addr_max = k->initrd_max;
}

void linux_zero_page(struct linux_boot_params *bp, const uint8_t *img,
                     const struct linux_kernel *k, const struct linux_boot *b)
{
    __builtin_memset(bp, 0, sizeof(*bp));
    struct linux_setup_header *h = &bp->hdr;
    if (img)
        __builtin_memcpy(h, img + LINUX_HDR_OFFSET, k->header_bytes);
    else
        made_up_header(h, k);
    h->vid_mode = LINUX_VID_MODE_NORMAL;
    h->type_of_loader = LINUX_LOADER_UNDEFINED;
    h->loadflags &= (uint8_t)~(LINUX_KEEP_SEGMENTS | LINUX_CAN_USE_HEAP);
    h->heap_end_ptr = 0;              /* no real-mode setup code runs: no heap */
    h->cmd_line_ptr = b->cmdline_addr;
    h->ramdisk_image = b->initrd_size ? b->initrd_addr : 0;
    h->ramdisk_size = b->initrd_size;
    h->hardware_subarch = LINUX_SUBARCH_PC;
    h->hardware_subarch_data = 0;
    h->setup_data = 0;                /* 2.09: no list (zero for older too)     */
    bp->alt_mem_k = (b->mem_size - ONE_MIB) >> 10;
    bp->e820_entries = (uint8_t)linux_e820(bp->e820_map, LINUX_E820_MAX, b->mem_size);
}

void linux_boot_gdt(struct seg_desc gdt[LINUX_BOOT_GDT_ENTRIES], uint32_t dpl)
{
    for (uint32_t i = 0; i < LINUX_BOOT_GDT_ENTRIES; i++)
        gdt[i] = (struct seg_desc){ 0, 0 };
    gdt[LINUX_BOOT_CS >> 3] = seg_make(0, 0xFFFFFu, SEG_ACCESS(1, dpl, 1, SEG_TYPE_CODE | SEG_TYPE_WRITE),
                                       SEG_FLAGS_32_4K);   /* for code, bit 1 is "readable" */
    gdt[LINUX_BOOT_DS >> 3] = seg_make(0, 0xFFFFFu, SEG_ACCESS(1, dpl, 1, SEG_TYPE_WRITE),
                                       SEG_FLAGS_32_4K);
}
