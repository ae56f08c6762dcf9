/*
 * shadow.c - the shadow cache: which shadow page tables exist, which
 * address space links which, and which go when memory runs short.  Ring 0,
 * but pure bookkeeping (host-tested by tests/hv/shadow-test.c); mmu.c
 * decides what goes into the entries.
 *
 * A shadow address space is kept per guest CR3 (its directory's frame), so
 * a switch back to a space the guest used before finds its shadow ready.
 * A shadow page table belongs to a guest PDE, not to a space: it is keyed
 * by the slot and the PDE (the guest table, or 4 MiB page, it points to and
 * the PDE's rights), and every space whose directory holds that PDE in
 * that slot links the same table.  A kernel mapped the same in every
 * process (Linux above PAGE_OFFSET) is shadowed once.
 *
 *   space A (cr3 a) ---- slot 768 ----.
 *                                      >-- table {768, guest PT p} -- entries
 *   space B (cr3 b) ---- slot 768 ----'
 *   space B         ---- slot  32 ------- table {32, guest PT q}
 *
 * Tables are hashed by the guest page table they shadow, so a write the
 * guest logs into one reaches every shadow of it.  The pool is bounded
 * (SHADOW_TABLES, SHADOW_SPACES): a new table takes a free one or the first
 * one a clock hand finds unused since its last pass; a new space takes the
 * least recently used one.  Forgetting is always allowed: a TLB may.
 */
#include "shadow.h"

#define FRAME(e)    ((e) & ~(PAGE_SIZE - 1))
#define WORD_BITS   32u

struct shadow_table shadow_tables[SHADOW_TABLES];
struct shadow_space shadow_spaces[SHADOW_SPACES];
struct shadow_stats shadow_stats;
uint16_t shadow_bucket[SHADOW_BUCKETS];     /* first table + 1 of each chain; 0: none */
uint32_t shadow_cur;                        /* the space the CPU uses (shadow.h) */
static uint32_t clock_hand, now;
uint32_t shadow_roots;                      /* shadow_root_bit of every space's cr3 */
static uint16_t free_stack[SHADOW_TABLES];  /* free tables that have a frame */
static uint32_t free_top;

/* Recompute roots after a space went. */
static void roots_update(void)
{
    shadow_roots = 0;
    for (uint32_t s = 0; s < SHADOW_SPACES; s++)
        if (shadow_spaces[s].used)
            shadow_roots |= shadow_root_bit(shadow_spaces[s].cr3);
}

/* Does a key name a guest page table, whose entries the guest writes? */
static int key_is_table(uint32_t key)
{
    return (key & PTE_P) && !(key & PTE_PS);
}

/* The hash chain of guest frame gframe. */
static uint16_t *chain(uint32_t gframe)
{
    return &shadow_bucket[(gframe >> PAGE_SHIFT) % SHADOW_BUCKETS];
}

/* Put table t on its guest frame's chain (if it shadows a table). */
static void hash_add(uint32_t t)
{
    struct shadow_table *st = &shadow_tables[t];
    st->next = 0;
    if (!key_is_table(st->key))
        return;
    uint16_t *head = chain(FRAME(st->key));
    st->next = *head;
    *head = (uint16_t)(t + 1);
}

/* Take table t off its chain. */
static void hash_del(uint32_t t)
{
    if (!key_is_table(shadow_tables[t].key))
        return;
    uint16_t *p = chain(FRAME(shadow_tables[t].key));
    while (*p != t + 1)
        p = &shadow_tables[*p - 1].next;
    *p = shadow_tables[t].next;
}

/* Link table t into slot i of space s. */
static void link(uint32_t s, uint32_t i, uint32_t t)
{
    struct shadow_space *sp = &shadow_spaces[s];
    sp->pt[i] = (uint16_t)(t + 1);
    sp->linked[i / WORD_BITS] |= 1u << (i % WORD_BITS);
    shadow_tables[t].users++;
    shadow_tables[t].ref = 1;
    shadow_env_set_pde(s, i, shadow_tables[t].frame | SHADOW_PDE_FLAGS);
}

/* Unlink slot i of space s; a table nobody links any more is free. */
static void unlink(uint32_t s, uint32_t i)
{
    struct shadow_space *sp = &shadow_spaces[s];
    uint32_t t = sp->pt[i] - 1u;
    sp->pt[i] = 0;
    sp->linked[i / WORD_BITS] &= ~(1u << (i % WORD_BITS));
    shadow_env_set_pde(s, i, 0);
    if (--shadow_tables[t].users == 0) {
        hash_del(t);
        shadow_tables[t].live = 0;
        free_stack[free_top++] = (uint16_t)t;
    }
}

/* Unlink every slot of space s (it stays in use). */
static void drop_links(uint32_t s)
{
    struct shadow_space *sp = &shadow_spaces[s];
    for (uint32_t w = 0; w < sizeof(sp->linked) / sizeof(sp->linked[0]); w++)
        for (uint32_t bits = sp->linked[w]; bits; bits &= bits - 1)
            unlink(s, w * WORD_BITS + (uint32_t)__builtin_ctz(bits));
}

/* Forget space s altogether. */
static void drop_space(uint32_t s)
{
    drop_links(s);
    shadow_spaces[s].used = 0;
    roots_update();
}

/* Take table t out of every space that links it: it becomes free. */
static void evict_table(uint32_t t)
{
    uint32_t i = shadow_tables[t].index;
    for (uint32_t s = 0; s < SHADOW_SPACES && shadow_tables[t].live; s++)
        if (shadow_spaces[s].used && shadow_spaces[s].pt[i] == t + 1)
            unlink(s, i);
}

/* Zero the entries of table t that may be set (its dirty groups). */
static void clear_table(uint32_t t)
{
    uint32_t *e = shadow_tables[t].entries;
    for (uint32_t d = shadow_tables[t].dirty; d; d &= d - 1)
        shadow_env_zero(e + (uint32_t)__builtin_ctz(d) * SHADOW_GROUP, SHADOW_GROUP);
    shadow_tables[t].dirty = 0;
}

/* A free, empty table: a freed one if any, else a slot never used yet,
 * else the first table the clock hand finds unused since its last pass
 * (after one full pass every mark is clear, so this ends). */
static uint32_t take_table(void)
{
    while (!free_top) {
        uint32_t t = clock_hand;
        struct shadow_table *st = &shadow_tables[t];
        clock_hand = (clock_hand + 1) % SHADOW_TABLES;
        if (!st->frame) {
            st->frame = shadow_env_alloc();          /* zeroed */
            st->entries = shadow_env_table(st->frame);
            return t;
        }
        if (st->ref) {
            st->ref = 0;
            continue;
        }
        evict_table(t);                              /* onto the free stack */
        shadow_stats.table_reclaims++;
    }
    uint32_t t = free_stack[--free_top];
    clear_table(t);
    return t;
}

/* Make the space of guest directory cr3 current: 1 if it was kept (a
 * hit), 0 if it starts empty (the least recently used one made room). */
int shadow_switch(uint32_t cr3)
{
    uint32_t f = FRAME(cr3), pick = SHADOW_SPACES;
    now++;
    for (uint32_t s = 0; s < SHADOW_SPACES; s++) {
        struct shadow_space *sp = &shadow_spaces[s];
        if (sp->used && sp->cr3 == f) {
            sp->stamp = now, shadow_cur = s;
            shadow_env_load(s);
            shadow_stats.hits++;
            return 1;
        }
        if (pick == SHADOW_SPACES || (!sp->used && shadow_spaces[pick].used) ||
            (sp->used == shadow_spaces[pick].used && sp->stamp < shadow_spaces[pick].stamp))
            pick = s;
    }
    if (shadow_spaces[pick].used) {
        drop_space(pick);
        shadow_stats.space_reclaims++;
    }
    shadow_spaces[pick] = (struct shadow_space){ .cr3 = f, .stamp = now, .used = 1 };
    shadow_roots |= shadow_root_bit(f);
    shadow_cur = pick;
    shadow_env_load(pick);
    shadow_stats.misses++;
    return 0;
}

/* Link into the current (new) space every table space from links in a
 * slot where the guest's directory guest_pd holds the same PDE: a new
 * process then finds the kernel it shares already shadowed, with no fault
 * per slot.  As a CPU that loads those translations would, set the
 * accessed bit of each such PDE (unless mark is 0: a read-only directory).
 * Returns how many were linked. */
uint32_t shadow_adopt(uint32_t from, uint32_t *guest_pd, int mark)
{
    const struct shadow_space *sp = &shadow_spaces[from];
    uint32_t n = 0;
    if (from == shadow_cur || !sp->used)
        return 0;
    for (uint32_t w = 0; w < sizeof(sp->linked) / sizeof(sp->linked[0]); w++)
        for (uint32_t bits = sp->linked[w]; bits; bits &= bits - 1) {
            uint32_t i = w * WORD_BITS + (uint32_t)__builtin_ctz(bits), t = sp->pt[i] - 1u;
            if (!shadow_spaces[shadow_cur].pt[i] &&
                shadow_tables[t].key == (guest_pd[i] & SHADOW_KEY_MASK)) {
                link(shadow_cur, i, t);
                guest_pd[i] |= mark ? PTE_A : 0;
                n++;
            }
        }
    shadow_stats.shared += n;
    return n;
}

/* The current space's table in slot i if it shadows guest_pde, else NULL. */
uint32_t *shadow_linked(uint32_t i, uint32_t guest_pde)
{
    uint32_t t = shadow_spaces[shadow_cur].pt[i];
    if (!t || shadow_tables[t - 1].key != (guest_pde & SHADOW_KEY_MASK))
        return NULL;
    shadow_tables[t - 1].ref = 1;
    return shadow_tables[t - 1].entries;
}

/* The current space's table for slot i under guest_pde: the one linked,
 * another space's for the same PDE (shared), or a new, empty one (then
 * *built is set, if built is not NULL). */
uint32_t *shadow_table_for(uint32_t i, uint32_t guest_pde, int *built)
{
    uint32_t key = guest_pde & SHADOW_KEY_MASK, *entries = shadow_linked(i, guest_pde);
    if (built)
        *built = 0;
    if (entries)
        return entries;
    if (shadow_spaces[shadow_cur].pt[i])
        unlink(shadow_cur, i);                             /* the PDE changed */
    for (uint32_t s = 0; s < SHADOW_SPACES; s++) {
        uint32_t t = shadow_spaces[s].pt[i];
        if (s != shadow_cur && shadow_spaces[s].used && t && shadow_tables[t - 1].key == key) {
            link(shadow_cur, i, t - 1);
            shadow_stats.shared++;
            return shadow_tables[t - 1].entries;
        }
    }
    uint32_t t = take_table();
    struct shadow_table *st = &shadow_tables[t];
    st->key = key, st->index = (uint16_t)i, st->users = 0, st->live = 1;
    hash_add(t);
    link(shadow_cur, i, t);
    shadow_stats.built++;
    if (built)
        *built = 1;
    return st->entries;
}

/* Note that entry index of the current space's table in slot i may now
 * be set (SHADOW_ENTRIES: all of them), so a reuse clears it. */
void shadow_wrote(uint32_t i, uint32_t index)
{
    uint32_t t = shadow_spaces[shadow_cur].pt[i];
    if (t)
        shadow_tables[t - 1].dirty |= index >= PT_ENTRIES ? ~0u : 1u << (index / SHADOW_GROUP);
}

/* Unlink slot i of the current space (its guest PDE is gone or changed). */
void shadow_unlink_current(uint32_t i)
{
    if (shadow_spaces[shadow_cur].pt[i])
        unlink(shadow_cur, i);
}

/* shadow_entry_changed's rare half: entry index of the page at gframe,
 * which may be a space's directory, changed: unlink slot index of every
 * space whose directory gframe is. */
void shadow_directory_changed(uint32_t gframe, uint32_t index)
{
    for (uint32_t s = 0; s < SHADOW_SPACES; s++)
        if (shadow_spaces[s].used && shadow_spaces[s].cr3 == gframe && shadow_spaces[s].pt[index]) {
            unlink(s, index);
            shadow_stats.slot_updates++;
        }
}

/* Guest frame gframe stops being (or becomes) a page table or directory:
 * drop every shadow of its old contents. */
void shadow_frame_released(uint32_t gframe)
{
    gframe = FRAME(gframe);
    for (uint32_t n = *chain(gframe); n;) {
        uint32_t next = shadow_tables[n - 1].next;
        if (FRAME(shadow_tables[n - 1].key) == gframe) {
            evict_table(n - 1);
            next = *chain(gframe);                  /* the chain changed */
        }
        n = next;
    }
    for (uint32_t s = 0; s < SHADOW_SPACES; s++)
        if (shadow_spaces[s].used && shadow_spaces[s].cr3 == gframe) {
            drop_links(s);
            if (s != shadow_cur)
                drop_space(s);
        }
    shadow_stats.releases++;
}

/* Forget every space and table; shadow_switch makes one current again. */
void shadow_flush(void)
{
    for (uint32_t s = 0; s < SHADOW_SPACES; s++)
        if (shadow_spaces[s].used)
            drop_space(s);
    shadow_stats.flushes++;
}

/* The space the CPU uses. */
uint32_t shadow_current(void)
{
    return shadow_cur;
}
