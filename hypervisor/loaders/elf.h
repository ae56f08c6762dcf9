/*
 * elf.h - the checks a guest kernel image must pass before the hypervisor
 * loads it (elf.c); pure logic, host-testable.
 */
#ifndef HV_ELF_H
#define HV_ELF_H

#include "x86.h"

#define EI_CLASS 4u                  /* e_ident[]: 32- or 64-bit          */
#define EI_DATA  5u                  /* e_ident[]: byte order             */
#define PT_LOAD  1u

struct elf32_phdr {
    uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
} HR_PACKED;
_Static_assert(sizeof(struct elf32_phdr) == 32, "phdr size");
_Static_assert(offsetof(struct elf32_phdr, p_paddr) == 12, "p_paddr");
_Static_assert(offsetof(struct elf32_phdr, p_memsz) == 20, "p_memsz");

/* Why an image was refused: the field, its offset in the image, its value. */
struct elf_problem {
    const char *field;
    uint32_t offset, value;
    const char *message;
};

/* Fill *p and return -1: the common way out of every check of a kernel
 * image (elf.c and linux.c). */
static inline int image_refuse(struct elf_problem *p, const char *field, uint32_t offset,
                               uint32_t value, const char *message)
{
    p->field = field;
    p->offset = offset;
    p->value = value;
    p->message = message;
    return -1;
}

/* 0 when img (size bytes) is an ELF32 i386 executable whose loadable
 * segments all lie in guest-physical [lo, hi) and come from inside the
 * image, with its entry point in one of them; else -1 and *p says why. */
int elf_check(const uint8_t *img, uint32_t size, uint32_t lo, uint32_t hi,
              struct elf_problem *p);

#endif /* HV_ELF_H */
