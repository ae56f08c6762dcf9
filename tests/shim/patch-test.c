/*
 * patch-test.c - host unit tests of call-site patching (guest/vmi_patch.c).
 *
 * vmi_patch_site() on byte buffers for every relocation type, then
 * vmi_patch_sites() on a buffer mapped below 4 GiB, so that the 32-bit
 * addresses in struct vmi_site records are real host addresses.
 * Prints PASS/FAIL lines (tests/run).
 */
#define _GNU_SOURCE     /* MAP_32BIT */
#include <stdarg.h>     /* the capture logger */
#include <stdio.h>      /* vsnprintf */
#include <string.h>     /* memcmp, memset, strstr */
#include <sys/mman.h>   /* mmap */
#include "hyperrom.h"
#include "vmi_impl.h"
#include "check.h"

#define FILL       0xCCu     /* int3: what a site holds before patching */
#define SITE_ADDR  0x1000u
#define SITE_LEN   7u        /* longer than rel32, so nops must follow  */
#define SHORT_LEN  4u
#define BUF_LEN    16u
#define CODE_LEN   4096u
#define BAD_TYPE   7u

static char logbuf[4096];
static size_t loglen;

/* vmi_log_fn that appends to logbuf. */
static void capture(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof logbuf - loglen)
        loglen += (size_t)n;
}

/* Patch a FILL buffer as a site at addr of len bytes; compare with want
 * (want_len bytes, the rest must stay FILL); check the result code. */
static void expect_patch(const char *what, uint32_t addr, uint32_t len,
                         uint8_t type, uint32_t target, int want_ret,
                         const uint8_t *want, size_t want_len)
{
    uint8_t buf[BUF_LEN], expect[BUF_LEN];
    int ret;

    memset(buf, FILL, sizeof buf);
    memset(expect, FILL, sizeof expect);
    memcpy(expect, want, want_len);
    ret = vmi_patch_site(buf, addr, len, type, target);
    check(ret == want_ret && memcmp(buf, expect, sizeof buf) == 0, what,
          "returned %d, bytes %02x %02x %02x %02x %02x %02x %02x %02x",
          ret, buf[0], buf[1], buf[2], buf[3], buf[4], buf[5], buf[6], buf[7]);
}

/* Each relocation type rewrites one site as the spec says. */
static void test_site(void)
{
    static const uint8_t call[] = { 0xE8, 0xFB, 0x0F, 0x00, 0x00, 0x90, 0x90 };
    static const uint8_t jump_back[] = { 0xE9, 0xFB, 0x7F, 0xFC, 0xFF, 0x90, 0x90 };
    static const uint8_t call5[] = { 0xE8, 0xFB, 0x0F, 0x00, 0x00 };
    static const uint8_t nops[] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };
    static const uint8_t none[] = { FILL };

    expect_patch("CALL_REL: E8 rel32 to the entry, nops after", SITE_ADDR, SITE_LEN,
                 HR_RELOC_CALL_REL, 0x2000, 1, call, sizeof call);
    expect_patch("CALL_REL: an exact 5-byte site", SITE_ADDR, HR_PATCH_MIN,
                 HR_RELOC_CALL_REL, 0x2000, 1, call5, sizeof call5);
    expect_patch("JUMP_REL: E9 rel32 backwards (negative displacement)", 0x100000,
                 SITE_LEN, HR_RELOC_JUMP_REL, 0xC8000, 1, jump_back, sizeof jump_back);
    expect_patch("NOP: every byte of the site becomes 0x90", SITE_ADDR, SITE_LEN,
                 HR_RELOC_NOP, 0x2000, 1, nops, sizeof nops);
    expect_patch("NONE: the native instruction stays", SITE_ADDR, SITE_LEN,
                 HR_RELOC_NONE, 0x2000, 0, none, sizeof none);
    expect_patch("an unknown type: the site stays", SITE_ADDR, SITE_LEN,
                 BAD_TYPE, 0x2000, 0, none, sizeof none);
    expect_patch("CALL_REL on a 4-byte site: refused, the site stays", SITE_ADDR,
                 SHORT_LEN, HR_RELOC_CALL_REL, 0x2000, 0, none, sizeof none);
}

/* A site record for the site at code + off. */
static struct vmi_site site_at(uint8_t *code, uint32_t off, uint8_t len, uint8_t call)
{
    struct vmi_site s = { (uint32_t)(uintptr_t)(code + off), len, call, 0 };
    return s;
}

/* vmi_patch_sites walks the records and follows the state's types. */
static void test_sites(void)
{
    static struct vmi_state st;
    uint8_t *code = mmap(NULL, CODE_LEN, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    struct vmi_site sites[5];
    uint32_t entry, n;

    if (!check(code != MAP_FAILED, "map a buffer below 4 GiB", "mmap failed"))
        return;
    memset(code, FILL, CODE_LEN);
    entry = (uint32_t)(uintptr_t)(code + 0x800);
    st.entry[VMI_CALL_DisableInterrupts] = (void *)(uintptr_t)entry;
    st.reloc_type[VMI_CALL_DisableInterrupts] = HR_RELOC_CALL_REL;
    st.reloc_type[VMI_CALL_EnableInterrupts] = HR_RELOC_NOP;
    st.reloc_type[VMI_CALL_CPUID] = HR_RELOC_NONE;
    st.entry[VMI_CALL_INB] = (void *)(uintptr_t)entry;
    st.reloc_type[VMI_CALL_INB] = HR_RELOC_CALL_REL;
    sites[0] = site_at(code, 0x10, 5, VMI_CALL_DisableInterrupts);
    sites[1] = site_at(code, 0x20, 5, VMI_CALL_EnableInterrupts);
    sites[2] = site_at(code, 0x30, 5, VMI_CALL_CPUID);
    sites[3] = site_at(code, 0x40, 5, VMI_CALL_COUNT);   /* no such call */
    sites[4] = site_at(code, 0x50, 3, VMI_CALL_INB);     /* too short */
    n = vmi_patch_sites(&st, sites, sites + 5, capture);
    check(n == 2, "sites: two of five rewritten", "%u", n);
    check(code[0x10] == 0xE8 && *(uint32_t *)(code + 0x11) == 0x800 - 0x15,
          "sites: CALL_REL site calls the bound entry", "bytes %02x %08x",
          code[0x10], *(uint32_t *)(code + 0x11));
    check(code[0x20] == 0x90 && code[0x24] == 0x90, "sites: NOP site is nops",
          "%02x", code[0x20]);
    check(code[0x30] == FILL && code[0x40] == FILL && code[0x50] == FILL,
          "sites: NONE, unknown-call and short sites untouched", "changed");
    check(strstr(logbuf, "names call 74") && strstr(logbuf, "too few"),
          "sites: the unknown call and the short site are logged", "log:\n%s", logbuf);
    check(vmi_patch_sites(&st, NULL, NULL, capture) == 0,
          "sites: none (the kernel has no .vmi_sites)", "patched some");
    munmap(code, CODE_LEN);
}

int main(void)
{
    test_site();
    test_sites();
    return test_status();
}
