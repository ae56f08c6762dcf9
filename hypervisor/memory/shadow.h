/*
 * shadow.h - the shadow cache (shadow.c): shadow address spaces kept per
 * guest CR3, shadow page tables shared between them, a bounded pool with
 * clock reclaim.  Pure bookkeeping, host-testable: the machine side (page
 * frames, the CPU's page directories) is reached through the shadow_env_*
 * functions its user provides (mmu.c in the hypervisor, the host test).
 */
#ifndef HV_SHADOW_H
#define HV_SHADOW_H

#include "x86.h"

#define SHADOW_PDES    (HR_VIRTUAL_TOP >> PDE_SHIFT)   /* 960 guest slots      */
#define SHADOW_TABLES  128u     /* shadow page tables in the pool               */
#define SHADOW_SPACES  16u      /* address spaces kept                          */
#define SHADOW_BUCKETS 64u      /* hash of tables by the guest frame they shadow */
#define SHADOW_GROUP   (PT_ENTRIES / 32u)  /* entries per bit of a table's dirty mask */
/* What of a guest PDE a shadow table depends on: the table (or 4 MiB page)
 * it points to, present, writable, user, page size (SDM vol. 3A 4.3). */
#define SHADOW_KEY_MASK (~(PAGE_SIZE - 1) | PTE_PS | PTE_U | PTE_W | PTE_P)
#define SHADOW_PDE_FLAGS (PTE_P | PTE_W | PTE_U)  /* rights live in the PTEs */

/* One shadow page table: a machine frame holding the shadow entries of
 * one guest PDE (a guest page table, or a 4 MiB page split into 4 KiB). */
struct shadow_table {
    uint32_t frame;       /* machine frame; 0 until first used               */
    uint32_t *entries;    /* its entries (shadow_env_table), once it has one */
    uint32_t key;         /* the guest PDE it shadows, SHADOW_KEY_MASK'd     */
    uint16_t index;       /* its directory slot                              */
    uint16_t users;       /* address spaces linking it; 0: free              */
    uint16_t next;        /* next table + 1 in its hash bucket; 0: none      */
    uint32_t dirty;       /* groups of SHADOW_GROUP entries that may be set  */
    uint8_t ref;          /* used since the clock hand last passed           */
    uint8_t live;         /* holds a key                                     */
    uint8_t pad[6];       /* 32 bytes: an index is a shift, not a multiply   */
};
_Static_assert(sizeof(void *) != 4 || sizeof(struct shadow_table) == 32,
               "shadow_table: 32 bytes in the hypervisor (the host test's pointers are wider)");

/* One shadow address space: the guest directory it shadows and, per
 * directory slot, the shadow table linked there. */
struct shadow_space {
    uint32_t cr3;                     /* guest-physical frame of the directory */
    uint32_t stamp;                   /* last switch to it (LRU)               */
    int used;
    uint16_t pt[SHADOW_PDES];         /* table index + 1; 0: none              */
    uint32_t linked[(SHADOW_PDES + 31) / 32];   /* slots with a table          */
};

/* What the cache did (printed at the end of a run). */
struct shadow_stats {
    uint32_t hits, misses;            /* switches to a kept / a new space       */
    uint32_t space_reclaims;          /* spaces dropped to make room (LRU)      */
    uint32_t table_reclaims;          /* tables taken back by the clock         */
    uint32_t shared;                  /* links to a table another space built   */
    uint32_t built;                   /* tables built                           */
    uint32_t entry_updates;           /* shadow entries a logged write reset    */
    uint32_t slot_updates;            /* directory slots a logged write unlinked */
    uint32_t releases;                /* frames whose shadows were dropped      */
    uint32_t flushes;                 /* everything forgotten                   */
};

/* Provided by the user of shadow.c. */
uint32_t shadow_env_alloc(void);                 /* a machine frame, zeroed   */
uint32_t *shadow_env_table(uint32_t frame);      /* its entries               */
void shadow_env_zero(uint32_t *entries, uint32_t n);   /* n entries to 0  */
void shadow_env_set_pde(uint32_t space, uint32_t i, uint32_t pde);
void shadow_env_load(uint32_t space);            /* the CPU uses this space   */

int shadow_switch(uint32_t cr3);
uint32_t *shadow_table_for(uint32_t i, uint32_t guest_pde, int *built);
uint32_t *shadow_linked(uint32_t i, uint32_t guest_pde);
uint32_t shadow_adopt(uint32_t from, uint32_t *guest_pd, int mark);
void shadow_wrote(uint32_t i, uint32_t index);
void shadow_unlink_current(uint32_t i);
void shadow_directory_changed(uint32_t gframe, uint32_t index);
void shadow_frame_released(uint32_t gframe);
void shadow_flush(void);
uint32_t shadow_current(void);

extern struct shadow_table shadow_tables[SHADOW_TABLES];
extern struct shadow_space shadow_spaces[SHADOW_SPACES];
extern struct shadow_stats shadow_stats;
extern uint32_t shadow_cur;                      /* the space the CPU uses */
extern uint16_t shadow_bucket[SHADOW_BUCKETS];   /* first table + 1 of each chain */
extern uint32_t shadow_roots;                    /* shadow_root_bit of every space */

/* The bit of shadow_roots for guest directory frame f. */
static inline uint32_t shadow_root_bit(uint32_t f)
{
    return 1u << ((f >> PAGE_SHIFT) % 32u);
}

/* The guest changed entry index of its page at gframe: reset that entry
 * in every shadow of gframe as a page table, and unlink slot index of
 * every space whose directory gframe is.  Inline: every logged write
 * comes here, nearly always to a page no directory is. */
static inline void shadow_entry_changed(uint32_t gframe, uint32_t index)
{
    gframe &= ~(PAGE_SIZE - 1);
    for (uint32_t n = shadow_bucket[(gframe >> PAGE_SHIFT) % SHADOW_BUCKETS]; n;
         n = shadow_tables[n - 1].next)
        if ((shadow_tables[n - 1].key & ~(PAGE_SIZE - 1)) == gframe) {
            shadow_tables[n - 1].entries[index] = 0;
            shadow_stats.entry_updates++;
        }
    if (index < SHADOW_PDES && (shadow_roots & shadow_root_bit(gframe)))
        shadow_directory_changed(gframe, index);
}

/* Entry index of the current space's table in slot i, if that table
 * shadows guest_pde (else NULL), noted as set (shadow_wrote) for the
 * caller to fill.  Inline: InvalPage and every shadow fill ask. */
static inline uint32_t *shadow_entry(uint32_t i, uint32_t index, uint32_t guest_pde)
{
    uint32_t t = shadow_spaces[shadow_cur].pt[i];
    if (!t || shadow_tables[t - 1].key != (guest_pde & SHADOW_KEY_MASK))
        return NULL;
    struct shadow_table *st = &shadow_tables[t - 1];
    st->ref = 1;
    st->dirty |= 1u << (index / SHADOW_GROUP);
    return st->entries + index;
}

#endif /* HV_SHADOW_H */
