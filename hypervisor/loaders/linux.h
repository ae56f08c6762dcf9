/*
 * linux.h - the Linux/x86 boot protocol as the hypervisor's own loader
 * speaks it: the setup header of a bzImage, the zero page (struct
 * boot_params) and its e820 map, the boot GDT of the 32-bit protocol, and
 * how a guest module is recognised by its content.  Layouts are Linux's
 * ABI, from Linux 2.6.32's Documentation/x86/boot.txt (cited below as
 * "boot.txt, SECTION") and Documentation/x86/zero-page.txt; the code that
 * uses them (linux.c) is pure logic, host-tested like elf.c.
 */
#ifndef HV_LINUX_H
#define HV_LINUX_H

#include "elf.h"                      /* struct elf_problem, x86.h        */

/* boot.txt, THE REAL-MODE KERNEL HEADER: where the header is and its magic. */
#define LINUX_HDR_OFFSET       0x1F1u      /* setup header, in image and zero page */
#define LINUX_BOOT_FLAG        0xAA55u     /* boot_flag @0x1FE                   */
#define LINUX_HDR_MAGIC        0x53726448u /* header @0x202: "HdrS"              */
#define LINUX_JUMP_SHORT       0xEBu       /* jump @0x200: EB disp8 ...          */
#define LINUX_HDR_END_BASE     0x202u      /* ... header ends at 0x202 + disp8   */
#define LINUX_SECTOR           512u        /* "a sector" is 512 bytes            */
#define LINUX_SETUP_SECTS_ZERO 4u          /* setup_sects 0 means 4 (note 1)     */
#define LINUX_SYSSIZE_UNIT     16u         /* syssize counts 16-byte paragraphs  */
/* Protocol versions (boot.txt, the version list at the top). */
#define LINUX_PROTO_2_06       0x0206u     /* cmdline_size                       */
#define LINUX_PROTO_MIN        0x0207u     /* hardware_subarch, KEEP_SEGMENTS    */
#define LINUX_PROTO_2_10       0x020Au     /* pref_address, init_size            */
#define LINUX_OLD_CMDLINE_MAX  255u        /* the limit before cmdline_size (2.06) */
/* loadflags bits (boot.txt, DETAILS OF HEADER FIELDS, loadflags). */
#define LINUX_LOADED_HIGH      0x01u       /* protected-mode code at 0x100000    */
#define LINUX_KEEP_SEGMENTS    0x40u       /* 2.07+: do not reload segments      */
#define LINUX_CAN_USE_HEAP     0x80u       /* heap_end_ptr is valid              */
/* boot.txt, LOADING THE REST OF THE KERNEL: where a bzImage's 32-bit code goes. */
#define LINUX_LOAD_HIGH_ADDR   0x100000u
/* boot.txt, type_of_loader: "0xFF = undefined" (we have no assigned id). */
#define LINUX_LOADER_UNDEFINED 0xFFu
/* boot.txt, hardware_subarch: 0 is the default x86/PC environment. */
#define LINUX_SUBARCH_PC       0u
/* boot.txt, SPECIAL COMMAND LINE OPTIONS: vid_mode "normal". */
#define LINUX_VID_MODE_NORMAL  0xFFFFu
/* boot.txt, ramdisk_max: the limit for protocols without the field. */
#define LINUX_INITRD_MAX_OLD   0x37FFFFFFu
/* boot.txt, 32-bit BOOT PROTOCOL: the selectors the kernel is entered with. */
#define LINUX_BOOT_CS          0x10u       /* __BOOT_CS: GDT entry 2             */
#define LINUX_BOOT_DS          0x18u       /* __BOOT_DS: GDT entry 3             */
#define LINUX_BOOT_GDT_ENTRIES 4u          /* null, unused, __BOOT_CS, __BOOT_DS */
/* e820 types and table size (arch/x86/include/asm/e820.h; zero-page.txt). */
#define LINUX_E820_RAM         1u
#define LINUX_E820_RESERVED    2u
#define LINUX_E820_MAX         128u        /* E820MAX: e820_map's entries        */
/* The multiboot v1 header a multiboot kernel carries (Multiboot 0.6.96, 3.1.1). */
#define LINUX_MB_HEADER_MAGIC  0x1BADB002u
#define LINUX_MB_SEARCH_BYTES  8192u       /* 4-byte aligned, in the first 8 KiB */

/* The setup header (boot.txt, THE REAL-MODE KERNEL HEADER), protocol 2.10. */
struct linux_setup_header {
    uint8_t  setup_sects;            /* 0x1F1 */
    uint16_t root_flags;             /* 0x1F2 */
    uint32_t syssize;                /* 0x1F4 */
    uint16_t ram_size;               /* 0x1F8 */
    uint16_t vid_mode;               /* 0x1FA */
    uint16_t root_dev;               /* 0x1FC */
    uint16_t boot_flag;              /* 0x1FE */
    uint16_t jump;                   /* 0x200 */
    uint32_t header;                 /* 0x202 */
    uint16_t version;                /* 0x206 */
    uint32_t realmode_swtch;         /* 0x208 */
    uint16_t start_sys_seg;          /* 0x20C */
    uint16_t kernel_version;         /* 0x20E */
    uint8_t  type_of_loader;         /* 0x210 */
    uint8_t  loadflags;              /* 0x211 */
    uint16_t setup_move_size;        /* 0x212 */
    uint32_t code32_start;           /* 0x214 */
    uint32_t ramdisk_image;          /* 0x218 */
    uint32_t ramdisk_size;           /* 0x21C */
    uint32_t bootsect_kludge;        /* 0x220 */
    uint16_t heap_end_ptr;           /* 0x224 */
    uint8_t  ext_loader_ver;         /* 0x226 */
    uint8_t  ext_loader_type;        /* 0x227 */
    uint32_t cmd_line_ptr;           /* 0x228 */
    uint32_t initrd_addr_max;        /* 0x22C (boot.txt: ramdisk_max) */
    uint32_t kernel_alignment;       /* 0x230 */
    uint8_t  relocatable_kernel;     /* 0x234 */
    uint8_t  min_alignment;          /* 0x235 */
    uint16_t pad3;                   /* 0x236 */
    uint32_t cmdline_size;           /* 0x238 */
    uint32_t hardware_subarch;       /* 0x23C */
    uint64_t hardware_subarch_data;  /* 0x240 */
    uint32_t payload_offset;         /* 0x248 */
    uint32_t payload_length;         /* 0x24C */
    uint64_t setup_data;             /* 0x250 */
    uint64_t pref_address;           /* 0x258 */
    uint32_t init_size;              /* 0x260 */
} HR_PACKED;
/* A field's offset in the image and in the zero page (the same). */
#define LINUX_HDR_AT(f) ((uint32_t)(LINUX_HDR_OFFSET + offsetof(struct linux_setup_header, f)))
_Static_assert(sizeof(struct linux_setup_header) == 0x264 - LINUX_HDR_OFFSET, "setup header");
_Static_assert(LINUX_HDR_AT(syssize) == 0x1F4, "syssize");
_Static_assert(LINUX_HDR_AT(vid_mode) == 0x1FA, "vid_mode");
_Static_assert(LINUX_HDR_AT(boot_flag) == 0x1FE, "boot_flag");
_Static_assert(LINUX_HDR_AT(header) == 0x202, "header");
_Static_assert(LINUX_HDR_AT(version) == 0x206, "version");
_Static_assert(LINUX_HDR_AT(type_of_loader) == 0x210, "type_of_loader");
_Static_assert(LINUX_HDR_AT(loadflags) == 0x211, "loadflags");
_Static_assert(LINUX_HDR_AT(code32_start) == 0x214, "code32_start");
_Static_assert(LINUX_HDR_AT(ramdisk_image) == 0x218, "ramdisk_image");
_Static_assert(LINUX_HDR_AT(ramdisk_size) == 0x21C, "ramdisk_size");
_Static_assert(LINUX_HDR_AT(heap_end_ptr) == 0x224, "heap_end_ptr");
_Static_assert(LINUX_HDR_AT(cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(LINUX_HDR_AT(initrd_addr_max) == 0x22C, "initrd_addr_max");
_Static_assert(LINUX_HDR_AT(kernel_alignment) == 0x230, "kernel_alignment");
_Static_assert(LINUX_HDR_AT(relocatable_kernel) == 0x234, "relocatable_kernel");
_Static_assert(LINUX_HDR_AT(cmdline_size) == 0x238, "cmdline_size");
_Static_assert(LINUX_HDR_AT(hardware_subarch) == 0x23C, "hardware_subarch");
_Static_assert(LINUX_HDR_AT(hardware_subarch_data) == 0x240, "hardware_subarch_data");
_Static_assert(LINUX_HDR_AT(setup_data) == 0x250, "setup_data");
_Static_assert(LINUX_HDR_AT(pref_address) == 0x258, "pref_address");
_Static_assert(LINUX_HDR_AT(init_size) == 0x260, "init_size");

/* One e820 map entry (arch/x86/include/asm/e820.h, struct e820entry). */
struct linux_e820_entry {
    uint64_t addr, size;
    uint32_t type;
} HR_PACKED;
_Static_assert(sizeof(struct linux_e820_entry) == 20, "e820 entry");

/* The zero page (zero-page.txt; arch/x86/include/asm/bootparam.h).  Areas
 * the loader leaves zero are byte arrays named after Linux's fields. */
struct linux_boot_params {
    uint8_t  screen_info[0x40];      /* 0x000: zero = no video information */
    uint8_t  apm_bios_info[0x14];    /* 0x040 */
    uint8_t  pad_054[4];
    uint64_t tboot_addr;             /* 0x058 */
    uint8_t  ist_info[0x10];         /* 0x060 */
    uint8_t  pad_070[0x10];
    uint8_t  hd0_info[0x10];         /* 0x080 */
    uint8_t  hd1_info[0x10];         /* 0x090 */
    uint8_t  sys_desc_table[0x10];   /* 0x0A0 */
    uint8_t  pad_0b0[0x90];
    uint8_t  edid_info[0x80];        /* 0x140 */
    uint8_t  efi_info[0x20];         /* 0x1C0 */
    uint32_t alt_mem_k;              /* 0x1E0: KiB above 1 MiB */
    uint32_t scratch;                /* 0x1E4: the decompressor's first stack */
    uint8_t  e820_entries;           /* 0x1E8 */
    uint8_t  eddbuf_entries;         /* 0x1E9 */
    uint8_t  edd_mbr_sig_buf_entries;/* 0x1EA */
    uint8_t  pad_1eb[6];
    struct linux_setup_header hdr;   /* 0x1F1 */
    uint8_t  pad_264[0x290 - 0x264];
    uint32_t edd_mbr_sig_buffer[16]; /* 0x290 */
    struct linux_e820_entry e820_map[LINUX_E820_MAX]; /* 0x2D0 */
    uint8_t  pad_cd0[0x30];
    uint8_t  eddbuf[0x1EC];          /* 0xD00 */
    uint8_t  pad_eec[0x114];
} HR_PACKED;
_Static_assert(sizeof(struct linux_boot_params) == 4096, "zero page size");
_Static_assert(offsetof(struct linux_boot_params, alt_mem_k) == 0x1E0, "alt_mem_k");
_Static_assert(offsetof(struct linux_boot_params, scratch) == 0x1E4, "scratch");
_Static_assert(offsetof(struct linux_boot_params, e820_entries) == 0x1E8, "e820_entries");
_Static_assert(offsetof(struct linux_boot_params, hdr) == LINUX_HDR_OFFSET, "hdr");
_Static_assert(offsetof(struct linux_boot_params, edd_mbr_sig_buffer) == 0x290, "edd sigs");
_Static_assert(offsetof(struct linux_boot_params, e820_map) == 0x2D0, "e820_map");
_Static_assert(offsetof(struct linux_boot_params, eddbuf) == 0xD00, "eddbuf");

/* What a guest module is, judged by its content (linux_classify). */
enum linux_module_kind {
    MODULE_MULTIBOOT_ELF,  /* ELF with a multiboot header: the multiboot hand-off */
    MODULE_LINUX_ELF,      /* ELF without one (a vmlinux): the Linux boot protocol */
    MODULE_BZIMAGE,        /* 0xAA55 @0x1FE and "HdrS" @0x202                      */
    MODULE_OPTION_ROM,     /* 0xAA55 @0 and not a bzImage                          */
    MODULE_OTHER,          /* anything else: an initrd after a Linux kernel        */
};

/* What the loader needs from a checked Linux kernel (bzImage or vmlinux). */
struct linux_kernel {
    uint32_t version;        /* boot protocol version (vmlinux: LINUX_PROTO_MIN) */
    uint32_t setup_bytes;    /* file offset of the protected-mode code          */
    uint32_t kernel_bytes;   /* its size in the file (syssize * 16)             */
    uint32_t header_bytes;   /* setup-header bytes from 0x1F1 to copy           */
    uint32_t load_addr;      /* where the protected-mode code goes              */
    uint32_t entry;          /* code32_start, or the ELF entry                  */
    uint32_t runtime_end;    /* end of the memory the kernel uses while booting */
    uint32_t initrd_max;     /* highest byte an initrd may occupy               */
    uint32_t cmdline_max;    /* longest command line, without its NUL           */
};

/* What the zero page tells the kernel about this boot. */
struct linux_boot {
    uint32_t mem_size;                   /* guest-physical memory, bytes  */
    uint32_t cmdline_addr;               /* guest-physical                */
    uint32_t initrd_addr, initrd_size;   /* 0, 0 for none                 */
};

/* The kind of module img (size bytes) is, by content alone. */
enum linux_module_kind linux_classify(const uint8_t *img, uint32_t size);

/* 0 when img is a bzImage this loader can boot in mem_size bytes of guest
 * memory, with *k filled in; else -1 and *p names the field and offset. */
int linux_check(const uint8_t *img, uint32_t size, uint32_t mem_size,
                struct linux_kernel *k, struct elf_problem *p);

/* *k for a vmlinux ELF that elf_check accepted: entry and extent from its
 * program headers, the rest the protocol's defaults. */
void linux_from_elf(const uint8_t *img, struct linux_kernel *k);

/* Where an initrd of size bytes goes: as high as guest memory and
 * initrd_max allow, page aligned, above runtime_end; 0 when it cannot fit. */
uint32_t linux_initrd_addr(const struct linux_kernel *k, uint32_t mem_size, uint32_t size);

/* Guest memory's e820 map into map[max]; returns the number of entries. */
uint32_t linux_e820(struct linux_e820_entry *map, uint32_t max, uint32_t mem_size);

/* Write the zero page: zeroed, the kernel's setup header (img, or one made
 * up for a vmlinux when img is NULL) with the loader's fields, the map. */
void linux_zero_page(struct linux_boot_params *bp, const uint8_t *img,
                     const struct linux_kernel *k, const struct linux_boot *b);

/* The boot GDT of the 32-bit protocol, for a kernel run in ring dpl:
 * __BOOT_CS and __BOOT_DS flat 4 GiB code and data, the rest null. */
void linux_boot_gdt(struct seg_desc gdt[LINUX_BOOT_GDT_ENTRIES], uint32_t dpl);

#endif /* HV_LINUX_H */
