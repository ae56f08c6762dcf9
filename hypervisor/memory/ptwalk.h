/*
 * ptwalk.h - the guest's page-table walk (ptwalk.c): two-level 32-bit
 * paging over a guest memory buffer.  Pure logic; host-testable.
 */
#ifndef HV_PTWALK_H
#define HV_PTWALK_H

#include "x86.h"

/* #PF error code bits (SDM vol. 3A 4.7). */
#define PF_P 0x1u                        /* protection (else not present)   */
#define PF_W 0x2u                        /*   a write                        */
#define PF_U 0x4u                        /*   from ring 3                    */

/* What the walk sees: the guest's memory and paging registers. */
struct ptwalk_env {
    uint8_t *mem;              /* guest-physical 0, in the walker's address space */
    uint32_t mem_size;         /* bytes of guest memory (whole pages)             */
    int paging;                /* CR0.PG: without it, linear = guest-physical     */
    uint32_t cr3, cr4;         /* the directory, and CR4.PSE for 4 MiB pages      */
    uint32_t ro_lo, ro_hi;     /* guest-physical [ro_lo, ro_hi) is read-only (ROMs) */
    int set_ad;                /* set accessed/dirty bits as the CPU would        */
};

enum ptwalk_result {
    PTWALK_OK,                 /* gpa (its page inside guest memory), bits     */
    PTWALK_FAULT,              /* err: the #PF error code the guest would get   */
    PTWALK_TABLE_OUTSIDE,      /* gpa: a directory/table entry beyond memory, table */
    PTWALK_FRAME_OUTSIDE,      /* allowed, but gpa's page is not guest memory   */
};

/* The answer of one walk. */
struct ptwalk_out {
    uint32_t gpa;              /* the translation (or the entry outside)        */
    uint32_t err;              /* #PF error code: PF_W/PF_U of the access, PF_P */
    uint32_t bits;             /* the mapping's PTE_W, PTE_U and PTE_D          */
    const char *table;         /* "page directory" or "page table"              */
};

enum ptwalk_result ptwalk(const struct ptwalk_env *env, uint32_t va, uint32_t access,
                          struct ptwalk_out *out);
int ptwalk_readonly(const struct ptwalk_env *env, uint32_t gpa, uint32_t n);

#endif /* HV_PTWALK_H */
