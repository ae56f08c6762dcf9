/*
 * elf-test.c - host unit tests of hypervisor/loaders/elf.c: which guest kernel
 * images the hypervisor loads, and that each refusal names its field and
 * offset.  Argument: a real guest kernel built by this tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "elf.h"

#define LO        0x100000u          /* guest memory from 1 MiB ...      */
#define HI        0x2000000u         /* ... to 32 MiB                    */
#define PAYLOAD   0x100u             /* file offset of the one segment   */
#define SEG_BYTES 0x80u
#define IMG_BYTES (PAYLOAD + SEG_BYTES)
#define MAX_IMAGE (64u << 20)

struct image {
    struct hr_elf32_ehdr eh;
    struct elf32_phdr ph[2];         /* a PT_LOAD and a note             */
    uint8_t rest[IMG_BYTES - sizeof(struct hr_elf32_ehdr) - 2 * sizeof(struct elf32_phdr)];
};
_Static_assert(sizeof(struct image) == IMG_BYTES, "image size");

/* A minimal good kernel: one segment at 1 MiB holding the entry point. */
static struct image good(void)
{
    struct image im;
    memset(&im, 0, sizeof(im));
    memcpy(im.eh.e_ident, "\177ELF", 4);
    im.eh.e_ident[EI_CLASS] = HR_ELFCLASS32;
    im.eh.e_ident[EI_DATA] = HR_ELFDATA2LSB;
    im.eh.e_type = HR_ET_EXEC;
    im.eh.e_machine = HR_EM_386;
    im.eh.e_entry = LO + 0x10;
    im.eh.e_phoff = sizeof(im.eh);
    im.eh.e_phentsize = sizeof(struct elf32_phdr);
    im.eh.e_phnum = 2;
    im.ph[0] = (struct elf32_phdr){ PT_LOAD, PAYLOAD, LO, LO, SEG_BYTES, 0x1000, 5, 0x1000 };
    im.ph[1] = (struct elf32_phdr){ 4, 0, 0, 0, 0, 0, 0, 4 };
    return im;
}

/* Check im of size bytes; expect refusal naming field at offset, or success. */
static void expect(const struct image *im, uint32_t size, const char *field, uint32_t offset,
                   const char *what)
{
    struct elf_problem p = { "", 0, 0, "" };
    int r = elf_check((const uint8_t *)im, size, LO, HI, &p);
    if (!field)
        check(r == 0, what, "refused: %s @%#x: %s", p.field, p.offset, p.message);
    else
        check(r == -1 && !strcmp(p.field, field) && p.offset == offset, what,
              "r %d, field %s @%#x (%s)", r, p.field, p.offset, p.message);
}

#define PH0(f) ((uint32_t)(sizeof(struct hr_elf32_ehdr) + offsetof(struct elf32_phdr, f)))

/* Every field the hypervisor relies on, corrupted in turn. */
static void corrupted(void)
{
    struct image im = good();
    expect(&im, sizeof(im), NULL, 0, "a minimal ELF32 kernel is accepted");
    expect(&im, 40, "e_ident", 0, "a truncated header is refused at e_ident");
    im = good(); im.eh.e_ident[0] = 0x7E;
    expect(&im, sizeof(im), "e_ident", 0, "a bad magic is refused at e_ident @0");
    im = good(); im.eh.e_ident[EI_CLASS] = 2;
    expect(&im, sizeof(im), "EI_CLASS", 4, "a 64-bit ELF is refused at EI_CLASS @4");
    im = good(); im.eh.e_ident[EI_DATA] = 2;
    expect(&im, sizeof(im), "EI_DATA", 5, "a big-endian ELF is refused at EI_DATA @5");
    im = good(); im.eh.e_type = 1;
    expect(&im, sizeof(im), "e_type", 16, "a relocatable object is refused at e_type @16");
    im = good(); im.eh.e_machine = 62;
    expect(&im, sizeof(im), "e_machine", 18, "an x86-64 image is refused at e_machine @18");
    im = good(); im.eh.e_phentsize = 56;
    expect(&im, sizeof(im), "e_phentsize", 42, "64-bit program headers are refused @42");
    im = good(); im.eh.e_phnum = 0;
    expect(&im, sizeof(im), "e_phnum", 44, "no program headers is refused at e_phnum @44");
    im = good(); im.eh.e_phoff = sizeof(im) - 8;
    expect(&im, sizeof(im), "e_phoff", 28, "program headers past the end are refused @28");
    im = good(); im.eh.e_phnum = 0xFFFF;
    expect(&im, sizeof(im), "e_phoff", 28, "65535 program headers run past the image");
}

/* Loadable segments that do not fit the image or guest memory. */
static void segments(void)
{
    struct image im = good();
    im.ph[0].p_filesz = 0x2000;
    expect(&im, sizeof(im), "p_filesz", PH0(p_filesz), "file bytes above memory bytes refused");
    im = good(); im.ph[0].p_offset = 0xFFFFFFF0u;
    expect(&im, sizeof(im), "p_offset", PH0(p_offset), "a segment from past the image refused");
    im = good(); im.ph[0].p_filesz = SEG_BYTES + 1;
    expect(&im, sizeof(im), "p_offset", PH0(p_offset), "a segment running off the image refused");
    im = good(); im.ph[0].p_paddr = 0x7C00;
    expect(&im, sizeof(im), "p_paddr", PH0(p_paddr), "a segment below 1 MiB is refused");
    im = good(); im.ph[0].p_paddr = HI;
    expect(&im, sizeof(im), "p_paddr", PH0(p_paddr), "a segment at the end of memory is refused");
    im = good(); im.ph[0].p_memsz = 0xFFFFF000u;
    expect(&im, sizeof(im), "p_memsz", PH0(p_memsz), "a segment wrapping past 4 GiB is refused");
    im = good(); im.ph[0].p_type = 6;
    expect(&im, sizeof(im), "e_phnum", 44, "no loadable segment is refused");
    im = good(); im.eh.e_entry = LO + 0x1000;
    expect(&im, sizeof(im), "e_entry", 24, "an entry point past the segment is refused");
}

/* A real kernel from this tree loads. */
static void real_kernel(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(MAX_IMAGE);
    size_t n = f && buf ? fread(buf, 1, MAX_IMAGE, f) : 0;
    struct elf_problem p = { "", 0, 0, "" };
    check(n > 0 && elf_check(buf, (uint32_t)n, LO, HI, &p) == 0, "a guest kernel of this tree loads",
          "%s: %s @%#x: %s", path, p.field, p.offset, p.message);
    if (f)
        fclose(f);
    free(buf);
}

int main(int argc, char **argv)
{
    corrupted();
    segments();
    if (check(argc == 2, "a real kernel was named", "usage: %s KERNEL.elf", argv[0]))
        real_kernel(argv[1]);
    return test_status();
}
