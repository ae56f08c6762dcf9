/*
 * elf.c - the checks a guest kernel image must pass before the hypervisor
 * loads it.  A refused image is named by field and offset, as romcheck
 * names a ROM's faults, so the user sees what to fix.
 */
#include "elf.h"

#define EH(field) #field, (uint32_t)offsetof(struct hr_elf32_ehdr, field)

/* The ELF header on its own: identity, machine and program-header table. */
static int check_header(const struct hr_elf32_ehdr *eh, uint32_t size, struct elf_problem *p)
{
    if (size < sizeof(*eh))
        return image_refuse(p, "e_ident", 0, size, "image shorter than an ELF32 header (52 bytes)");
    if (*(const uint32_t *)eh->e_ident != HR_ELF_MAGIC)
        return image_refuse(p, EH(e_ident), *(const uint32_t *)eh->e_ident, "not an ELF image");
    if (eh->e_ident[EI_CLASS] != HR_ELFCLASS32)
        return image_refuse(p, "EI_CLASS", EI_CLASS, eh->e_ident[EI_CLASS], "not a 32-bit ELF (class 1)");
    if (eh->e_ident[EI_DATA] != HR_ELFDATA2LSB)
        return image_refuse(p, "EI_DATA", EI_DATA, eh->e_ident[EI_DATA], "not little-endian (1)");
    if (eh->e_type != HR_ET_EXEC)
        return image_refuse(p, EH(e_type), eh->e_type, "not an executable (2)");
    if (eh->e_machine != HR_EM_386)
        return image_refuse(p, EH(e_machine), eh->e_machine, "not for the i386 (3)");
    if (eh->e_phentsize != sizeof(struct elf32_phdr))
        return image_refuse(p, EH(e_phentsize), eh->e_phentsize, "program headers are not 32 bytes");
    if (!eh->e_phnum)
        return image_refuse(p, EH(e_phnum), 0, "no program headers");
    if (eh->e_phoff > size || eh->e_phnum > (size - eh->e_phoff) / sizeof(struct elf32_phdr))
        return image_refuse(p, EH(e_phoff), eh->e_phoff, "program headers run past the image");
    return 0;
}

/* One program header: a loadable segment must fit the image and [lo, hi). */
static int check_segment(const struct elf32_phdr *ph, uint32_t at, uint32_t size,
                         uint32_t lo, uint32_t hi, struct elf_problem *p)
{
    if (ph->p_filesz > ph->p_memsz)
        return image_refuse(p, "p_filesz", at + offsetof(struct elf32_phdr, p_filesz), ph->p_filesz,
                      "segment has more file bytes than memory bytes");
    if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
        return image_refuse(p, "p_offset", at + offsetof(struct elf32_phdr, p_offset), ph->p_offset,
                      "segment's file bytes run past the image");
    if (ph->p_paddr < lo || ph->p_paddr >= hi)
        return image_refuse(p, "p_paddr", at + offsetof(struct elf32_phdr, p_paddr), ph->p_paddr,
                      "segment starts outside guest memory from 1 MiB");
    if (ph->p_memsz > hi - ph->p_paddr)
        return image_refuse(p, "p_memsz", at + offsetof(struct elf32_phdr, p_memsz), ph->p_memsz,
                      "segment runs past the end of guest memory");
    return 0;
}

int elf_check(const uint8_t *img, uint32_t size, uint32_t lo, uint32_t hi,
              struct elf_problem *p)
{
    const struct hr_elf32_ehdr *eh = (const void *)img;
    if (check_header(eh, size, p))
        return -1;
    int loads = 0, entry_inside = 0;
    for (uint32_t i = 0; i < eh->e_phnum; i++) {
        uint32_t at = eh->e_phoff + i * (uint32_t)sizeof(struct elf32_phdr);
        const struct elf32_phdr *ph = (const void *)(img + at);
        if (ph->p_type != PT_LOAD || !ph->p_memsz)
            continue;
        if (check_segment(ph, at, size, lo, hi, p))
            return -1;
        loads++;
        entry_inside |= eh->e_entry >= ph->p_paddr && eh->e_entry - ph->p_paddr < ph->p_memsz;
    }
    if (!loads)
        return image_refuse(p, EH(e_phnum), eh->e_phnum, "no loadable segment");
    if (!entry_inside)
        return image_refuse(p, EH(e_entry), eh->e_entry, "entry point outside every loadable segment");
    return 0;
}
