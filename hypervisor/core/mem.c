/*
 * mem.c - physical memory: a page allocator over the multiboot memory map.
 * Ring 0.  Frames are handed out once and never returned: the hypervisor
 * runs one guest, sized at boot.
 */
#include "hv.h"
#include "multiboot.h"

#define ONE_MIB (1u << 20)

extern char hv_image_end[];
static uint32_t next_free, limit;

/* Round up to a page boundary. */
static uint32_t page_up(uint32_t a)
{
    return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* Free memory starts past the hypervisor image and every module. */
static uint32_t first_free(const struct mb_info *mbi)
{
    uint32_t end = V2P(hv_image_end);
    if (mbi->flags & MB_INFO_MODS) {
        const struct mb_module *m = P2V(mbi->mods_addr);
        for (uint32_t i = 0; i < mbi->mods_count; i++)
            if (m[i].end > end)
                end = m[i].end;
        uint32_t table_end = mbi->mods_addr + mbi->mods_count * sizeof(*m);
        if (table_end > end && mbi->mods_addr >= ONE_MIB)
            end = table_end;
    }
    return page_up(end);
}

/* Find the available region holding 1 MiB and allocate from its free part. */
void mem_init(uint32_t mbi_phys)
{
    const struct mb_info *mbi = P2V(mbi_phys);
    if (!(mbi->flags & MB_INFO_MMAP))
        hv_panic("the boot loader gave no memory map");
    uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
    while (p < end) {
        const struct mb_mmap *e = P2V(p);
        if (e->type == MB_MMAP_AVAILABLE && e->addr <= ONE_MIB &&
            e->addr + e->len > ONE_MIB) {
            uint64_t top = e->addr + e->len;
            limit = top > HV_DIRECT_MAP ? HV_DIRECT_MAP : (uint32_t)top;
        }
        p += e->size + sizeof(e->size);
    }
    next_free = first_free(mbi);
    if (!limit || next_free >= limit)
        hv_panic("no usable memory above the hypervisor");
    hv_info("hv: memory: %u KiB free from %p\n", (limit - next_free) >> 10, next_free);
}

/* Allocate page-aligned, zeroed physical memory; panic when exhausted. */
uint32_t mem_alloc(uint32_t bytes)
{
    uint32_t pa = next_free;
    bytes = page_up(bytes);
    if (bytes > limit - next_free)
        hv_panic("out of memory allocating %u bytes", bytes);
    next_free += bytes;
    memset(P2V(pa), 0, bytes);
    return pa;
}
