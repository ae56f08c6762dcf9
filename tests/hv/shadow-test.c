/*
 * shadow-test.c - host tests of hypervisor/memory/shadow.c, the shadow
 * cache: address spaces kept per CR3 (hits, misses, LRU), tables shared
 * between spaces by guest PDE, logged changes reaching every shadow, frames
 * released, the clock reclaim of a bounded pool, and a long random run
 * checked after every step against the cache's invariants and a model of
 * what each slot may link.  The machine side is simulated here: frames are
 * pages of a static array, each space's directory an array of entries.
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "shadow.h"

#define FRAMES       (SHADOW_TABLES + 8u)
#define FIRST_FRAME  0x100000u             /* machine address of frame 0   */
#define GUEST_PT(n)  (0x400000u + (n) * PAGE_SIZE)   /* guest page tables   */
#define CR3(n)       (0x800000u + (n) * PAGE_SIZE)   /* guest directories   */
#define KERNEL_SLOT  768u                  /* Linux's PAGE_OFFSET C0000000h */
#define RANDOM_STEPS 200000u
#define RANDOM_CR3S  (SHADOW_SPACES + 8u)
#define RANDOM_SLOTS 12u
#define RANDOM_PTS   40u

static uint32_t frames[FRAMES][PT_ENTRIES];
static uint32_t frames_given;
static uint32_t dir[SHADOW_SPACES][SHADOW_PDES];   /* each space's directory */
static uint32_t loaded = SHADOW_SPACES;            /* the space "the CPU" uses */
static uint32_t model[RANDOM_CR3S][RANDOM_SLOTS]; /* key last asked per slot */
static uint32_t seed = 2463534242u;

uint32_t shadow_env_alloc(void)
{
    if (frames_given == FRAMES)
        return 0;
    return FIRST_FRAME + frames_given++ * PAGE_SIZE;
}

uint32_t *shadow_env_table(uint32_t frame)
{
    return frames[(frame - FIRST_FRAME) / PAGE_SIZE];
}

void shadow_env_zero(uint32_t *entries, uint32_t n)
{
    memset(entries, 0, n * sizeof(*entries));
}

void shadow_env_set_pde(uint32_t space, uint32_t i, uint32_t pde)
{
    dir[space][i] = pde;
}

void shadow_env_load(uint32_t space)
{
    loaded = space;
}

/* A small deterministic generator (xorshift32). */
static uint32_t rnd(void)
{
    seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
    return seed;
}

/* The space that shadows guest directory cr3, or SHADOW_SPACES. */
static uint32_t space_of(uint32_t cr3)
{
    for (uint32_t s = 0; s < SHADOW_SPACES; s++)
        if (shadow_spaces[s].used && shadow_spaces[s].cr3 == cr3)
            return s;
    return SHADOW_SPACES;
}

/* Every structural invariant; "" if they hold, else what broke. */
static const char *broken(void)
{
    static char why[160];
    uint32_t links[SHADOW_TABLES] = { 0 };
    for (uint32_t s = 0; s < SHADOW_SPACES; s++)
        for (uint32_t i = 0; i < SHADOW_PDES; i++) {
            const struct shadow_space *sp = &shadow_spaces[s];
            uint32_t t = sp->pt[i], bit = (sp->linked[i / 32] >> (i % 32)) & 1u;
            if (!sp->used && (t || dir[s][i]))
                return snprintf(why, sizeof why, "unused space %u links slot %u", s, i), why;
            if (!!t != bit)
                return snprintf(why, sizeof why, "space %u slot %u: bitmap %u, table %u", s, i, bit, t), why;
            if (!t) {
                if (dir[s][i])
                    return snprintf(why, sizeof why, "space %u slot %u: PDE %x, no table", s, i, dir[s][i]), why;
                continue;
            }
            const struct shadow_table *st = &shadow_tables[t - 1];
            if (!st->live || st->index != i || dir[s][i] != (st->frame | SHADOW_PDE_FLAGS))
                return snprintf(why, sizeof why, "space %u slot %u: table %u live %u index %u PDE %x",
                                s, i, t - 1, st->live, st->index, dir[s][i]), why;
            links[t - 1]++;
        }
    for (uint32_t t = 0; t < SHADOW_TABLES; t++)
        if (shadow_tables[t].live != (links[t] != 0) || (links[t] && shadow_tables[t].users != links[t]))
            return snprintf(why, sizeof why, "table %u: live %u users %u, %u links", t,
                            shadow_tables[t].live, shadow_tables[t].users, links[t]), why;
    return "";
}

/* Misses, hits and least-recently-used replacement of whole spaces. */
static void test_spaces(void)
{
    shadow_flush();
    struct shadow_stats before = shadow_stats;
    int a = shadow_switch(CR3(1)), b = shadow_switch(CR3(2)), again = shadow_switch(CR3(1));
    check(!a && !b && again, "a new directory misses, a kept one hits",
          "results %d %d %d", a, b, again);
    check(shadow_stats.hits == before.hits + 1 && shadow_stats.misses == before.misses + 2,
          "hits and misses are counted", "hits +%u, misses +%u",
          shadow_stats.hits - before.hits, shadow_stats.misses - before.misses);
    check(loaded == space_of(CR3(1)), "the CPU is given the space switched to",
          "loaded %u, space %u", loaded, space_of(CR3(1)));
    for (uint32_t n = 0; n < SHADOW_SPACES + 2; n++)
        shadow_switch(CR3(10 + n));
    check(space_of(CR3(10)) == SHADOW_SPACES && space_of(CR3(11)) == SHADOW_SPACES &&
          space_of(CR3(12 + SHADOW_SPACES - 1)) != SHADOW_SPACES,
          "the least recently used spaces make room", "oldest kept: %u %u",
          space_of(CR3(10)), space_of(CR3(11)));
    check(shadow_stats.space_reclaims >= before.space_reclaims + 2, "space reclaims are counted",
          "%u", shadow_stats.space_reclaims - before.space_reclaims);
    check(!*broken(), "invariants after space replacement", "%s", broken());
}

/* Two directories with the same kernel PDE share one table; rights and
 * frames make the key; a changed PDE relinks. */
static void test_sharing(void)
{
    shadow_flush();
    uint32_t kernel_pde = GUEST_PT(1) | PTE_P | PTE_W;
    shadow_switch(CR3(1));
    uint32_t *ta = shadow_table_for(KERNEL_SLOT, kernel_pde, NULL);
    ta[5] = 0xABC001u;
    shadow_wrote(KERNEL_SLOT, 5);
    uint32_t shared = shadow_stats.shared;
    shadow_switch(CR3(2));
    uint32_t *tb = shadow_table_for(KERNEL_SLOT, kernel_pde | PTE_A, NULL);
    check(ta == tb && tb[5] == 0xABC001u && shadow_stats.shared == shared + 1,
          "the same guest PDE in two directories shares one shadow table (accessed bit ignored)",
          "%p %p", (void *)ta, (void *)tb);
    uint32_t *ro = shadow_table_for(KERNEL_SLOT + 1, GUEST_PT(1) | PTE_P, NULL);
    shadow_switch(CR3(1));
    uint32_t *rw = shadow_table_for(KERNEL_SLOT + 1, GUEST_PT(1) | PTE_P | PTE_W, NULL);
    check(ro != rw, "different PDE rights get different tables", "same %p", (void *)ro);
    uint32_t *other = shadow_table_for(KERNEL_SLOT + 1, GUEST_PT(2) | PTE_P | PTE_W, NULL);
    check(shadow_linked(KERNEL_SLOT + 1, GUEST_PT(2) | PTE_P | PTE_W) == other &&
          shadow_linked(KERNEL_SLOT + 1, GUEST_PT(1) | PTE_P | PTE_W) == NULL,
          "a changed PDE unlinks the old table and links another", "%p", (void *)other);
    check(!*broken(), "invariants after sharing", "%s", broken());
}

/* A new space links at once the tables the old one has for the PDEs its
 * directory holds too, and marks those PDEs accessed. */
static void test_adopt(void)
{
    static uint32_t guest_pd[PT_ENTRIES];
    uint32_t kernel_pde = GUEST_PT(5) | PTE_P | PTE_W, user_pde = GUEST_PT(6) | PTE_P | PTE_U;
    shadow_flush();
    shadow_switch(CR3(1));
    uint32_t *kernel = shadow_table_for(KERNEL_SLOT, kernel_pde, NULL);
    shadow_table_for(10, user_pde, NULL);
    uint32_t from = shadow_current();
    memset(guest_pd, 0, sizeof(guest_pd));
    guest_pd[KERNEL_SLOT] = kernel_pde;
    guest_pd[10] = GUEST_PT(7) | PTE_P | PTE_U;            /* another process's table */
    shadow_switch(CR3(2));
    uint32_t n = shadow_adopt(from, guest_pd, 1);
    check(n == 1 && shadow_linked(KERNEL_SLOT, kernel_pde) == kernel &&
          !shadow_spaces[shadow_current()].pt[10] && (guest_pd[KERNEL_SLOT] & PTE_A) &&
          !(guest_pd[10] & PTE_A), "a new space adopts the tables of the PDEs it shares, "
          "marked accessed, and no other", "%u linked, PDE %x", n, guest_pd[KERNEL_SLOT]);
    shadow_switch(CR3(3));
    guest_pd[KERNEL_SLOT] = kernel_pde;
    n = shadow_adopt(from, guest_pd, 0);
    check(n == 1 && !(guest_pd[KERNEL_SLOT] & PTE_A), "a read-only directory is not marked",
          "%u linked, PDE %x", n, guest_pd[KERNEL_SLOT]);
    check(!*broken(), "invariants after adoption", "%s", broken());
}

/* A logged entry write resets it in every shadow of the page; a logged
 * directory write unlinks that slot only where that directory is. */
static void test_changes(void)
{
    shadow_flush();
    uint32_t pde = GUEST_PT(3) | PTE_P | PTE_W | PTE_U;
    shadow_switch(CR3(1));
    uint32_t *t1 = shadow_table_for(KERNEL_SLOT, pde, NULL);
    uint32_t *t2 = shadow_table_for(KERNEL_SLOT + 2, pde, NULL);   /* same PT, other slot */
    t1[7] = t2[7] = 0x123001u, t1[8] = 0x124001u;
    shadow_wrote(KERNEL_SLOT, 7), shadow_wrote(KERNEL_SLOT + 2, 7), shadow_wrote(KERNEL_SLOT, 8);
    shadow_entry_changed(GUEST_PT(3), 7);
    check(!t1[7] && !t2[7] && t1[8] == 0x124001u, "a logged entry write reaches every shadow of the page",
          "entries %x %x %x", t1[7], t2[7], t1[8]);
    shadow_switch(CR3(2));
    shadow_table_for(KERNEL_SLOT, pde, NULL);
    shadow_entry_changed(CR3(1), KERNEL_SLOT);
    shadow_switch(CR3(1));
    check(dir[loaded][KERNEL_SLOT] == 0 && dir[space_of(CR3(2))][KERNEL_SLOT] != 0,
          "a logged directory write unlinks that slot of that directory only",
          "PDEs %x %x", dir[loaded][KERNEL_SLOT], dir[space_of(CR3(2))][KERNEL_SLOT]);
    shadow_frame_released(GUEST_PT(3));
    check(dir[space_of(CR3(2))][KERNEL_SLOT] == 0 && dir[loaded][KERNEL_SLOT + 2] == 0,
          "a released page table leaves no shadow", "PDEs %x %x",
          dir[space_of(CR3(2))][KERNEL_SLOT], dir[loaded][KERNEL_SLOT + 2]);
    shadow_table_for(1, pde, NULL);
    shadow_frame_released(CR3(2));
    int hit = shadow_switch(CR3(2));
    check(!hit, "a released directory is no longer kept", "switch hit");
    shadow_frame_released(CR3(2));                   /* the current one */
    check(shadow_spaces[loaded].used && space_of(CR3(2)) == loaded, "releasing the current "
          "directory empties its space but keeps it current", "space %u", space_of(CR3(2)));
    check(!*broken(), "invariants after logged changes", "%s", broken());
}

/* shadow_entry: the entry of the table linked for a PDE (accessed bit
 * ignored), none for another PDE or an empty slot, and noted as set, so
 * the table comes back empty when it is reused. */
static void test_entry(void)
{
    shadow_flush();
    uint32_t pde = GUEST_PT(4) | PTE_P | PTE_W | PTE_U;
    shadow_switch(CR3(1));
    uint32_t *t = shadow_table_for(20, pde, NULL);
    uint32_t *e = shadow_entry(20, 900, pde | PTE_A);
    check(e == t + 900, "shadow_entry finds the entry of the table linked for the PDE",
          "%p, table %p", (void *)e, (void *)t);
    check(!shadow_entry(20, 900, GUEST_PT(5) | PTE_P | PTE_W | PTE_U) && !shadow_entry(21, 900, pde),
          "no entry for another PDE or an empty slot", "found one");
    *e = 0xBEEF001u;
    shadow_unlink_current(20);                          /* the table is free */
    uint32_t *again = shadow_table_for(22, GUEST_PT(6) | PTE_P | PTE_W, NULL);
    check(again == t && !again[900], "an entry set through shadow_entry is cleared when its "
          "table is reused", "table %p (was %p), entry %x", (void *)again, (void *)t, again[900]);
    check(!*broken(), "invariants after shadow_entry", "%s", broken());
}

/* More tables than the pool: the clock takes some back, a reused frame
 * comes back empty, and nothing is linked twice. */
static void test_reclaim(void)
{
    shadow_flush();
    shadow_switch(CR3(1));
    uint32_t before = shadow_stats.table_reclaims, extra = 40, dirty = SHADOW_PDES;
    for (uint32_t i = 0; i < SHADOW_TABLES + extra; i++) {
        uint32_t *t = shadow_table_for(i, GUEST_PT(i) | PTE_P | PTE_W, NULL);
        for (uint32_t e = 0; e < PT_ENTRIES && dirty == SHADOW_PDES; e++)
            dirty = t[e] ? i : dirty;
        t[(i * 37u) % PT_ENTRIES] = 0xFEED001u;
        shadow_wrote(i, (i * 37u) % PT_ENTRIES);
    }
    check(dirty == SHADOW_PDES, "every new shadow table starts empty, reused frames too",
          "slot %u", dirty);
    check(shadow_stats.table_reclaims - before == extra, "the pool stays bounded: exactly the "
          "tables past it are reclaimed", "%u reclaims", shadow_stats.table_reclaims - before);
    check(frames_given <= SHADOW_TABLES, "no more frames than the pool holds", "%u", frames_given);
    check(!*broken(), "invariants after reclaim", "%s", broken());
}

/* One random step: switch, fill, change, release or flush. */
static void random_step(void)
{
    uint32_t r = rnd() % 100, c = rnd() % RANDOM_CR3S, slot = rnd() % RANDOM_SLOTS;
    uint32_t cur_cr3 = shadow_spaces[shadow_current()].cr3, cur = (cur_cr3 - CR3(0)) / PAGE_SIZE;
    uint32_t key = GUEST_PT(rnd() % RANDOM_PTS) | PTE_P | (rnd() % 2 ? PTE_W : 0);
    if (r < 20) {
        if (!shadow_switch(CR3(c)))
            memset(model[c], 0, sizeof model[c]);
    } else if (r < 80) {
        shadow_table_for(slot, key, NULL);
        model[cur][slot] = key;
    } else if (r < 90) {
        uint32_t gpt = GUEST_PT(rnd() % RANDOM_PTS), e = rnd() % PT_ENTRIES;
        shadow_entry_changed(gpt, e);
        for (uint32_t t = 0; t < SHADOW_TABLES; t++)
            if (shadow_tables[t].live && (shadow_tables[t].key & ~(PAGE_SIZE - 1)) == gpt &&
                shadow_env_table(shadow_tables[t].frame)[e])
                check(0, "random: a changed entry is reset in every shadow", "table %u", t);
    } else if (r < 95) {
        shadow_entry_changed(CR3(c), slot);
        model[c][slot] = 0;
    } else if (r < 99) {
        shadow_frame_released(CR3(c));
        memset(model[c], 0, sizeof model[c]);
    } else {
        shadow_flush();
        memset(model, 0, sizeof model);
        shadow_switch(CR3(c));
    }
}

/* Each linked slot holds what the model says was last asked for it. */
static const char *model_broken(void)
{
    static char why[120];
    for (uint32_t s = 0; s < SHADOW_SPACES; s++) {
        const struct shadow_space *sp = &shadow_spaces[s];
        uint32_t c = (sp->cr3 - CR3(0)) / PAGE_SIZE;
        for (uint32_t i = 0; sp->used && i < RANDOM_SLOTS; i++)
            if (sp->pt[i] && shadow_tables[sp->pt[i] - 1].key != model[c][i])
                return snprintf(why, sizeof why, "cr3 %u slot %u links key %x, asked %x", c, i,
                                shadow_tables[sp->pt[i] - 1].key, model[c][i]), why;
    }
    return "";
}

/* A long random run, checked after every step. */
static void test_random(void)
{
    shadow_flush();
    memset(model, 0, sizeof model);
    shadow_switch(CR3(0));
    uint32_t step;
    const char *why = "";
    for (step = 0; step < RANDOM_STEPS && !*why; step++) {
        random_step();
        why = *broken() ? broken() : model_broken();
    }
    check(!*why, "random: every step keeps the invariants and links only the PDE asked for",
          "step %u: %s", step, why);
    check(shadow_stats.hits && shadow_stats.shared && shadow_stats.table_reclaims &&
          shadow_stats.space_reclaims, "random: the run hit, shared and reclaimed",
          "hits %u shared %u table reclaims %u space reclaims %u", shadow_stats.hits,
          shadow_stats.shared, shadow_stats.table_reclaims, shadow_stats.space_reclaims);
}

int main(void)
{
    test_spaces();
    test_sharing();
    test_adopt();
    test_changes();
    test_entry();
    test_reclaim();
    test_random();
    shadow_flush();
    check(!*broken() && !dir[loaded][KERNEL_SLOT], "a flush leaves nothing linked", "%s", broken());
    return test_status();
}
