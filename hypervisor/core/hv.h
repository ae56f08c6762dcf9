/*
 * hv.h - the hypervisor's shared declarations: console, panic, the vCPU,
 * and the services each file offers the others.
 */
#ifndef HV_HV_H
#define HV_HV_H

#include <stdint.h>
#include <stdarg.h>
#include "x86.h"
#include "ptwalk.h"     /* PF_P, PF_W, PF_U: the #PF error code */

#define HV_BASE         HR_VIRTUAL_TOP          /* linked and mapped here  */
#define P2V(pa)         ((void *)((uintptr_t)(pa) + HV_BASE))
#define V2P(va)         ((uint32_t)(uintptr_t)(va) - HV_BASE)
#define HV_DIRECT_MAP   (256u << 20)            /* physical bytes mapped   */

/* The hypervisor's own GDT slots (above the guest's HR_GUEST_GDT_ENTRIES). */
#define GDT_HV_CS       480u
#define GDT_HV_DS       481u
#define GDT_FLAT_KCS    482u
#define GDT_FLAT_KDS    483u
#define GDT_FLAT_UCS    484u
#define GDT_FLAT_UDS    485u
#define GDT_TSS         486u
#define GDT_GUEST_LDT   488u
#define GDT_ESPFIX      490u       /* the stack of an IRET to a 16-bit SS */
#define SEL(idx, rpl)   ((uint16_t)(((idx) << 3) | (rpl)))
#define HV_CS           SEL(GDT_HV_CS, 0)
#define HV_DS           SEL(GDT_HV_DS, 0)
_Static_assert(SEL(GDT_FLAT_KCS, 1) == HR_FLAT_KERNEL_CS, "flat kernel CS");
_Static_assert(SEL(GDT_FLAT_KDS, 1) == HR_FLAT_KERNEL_DS, "flat kernel DS");
_Static_assert(SEL(GDT_FLAT_UCS, 3) == HR_FLAT_USER_CS, "flat user CS");
_Static_assert(SEL(GDT_FLAT_UDS, 3) == HR_FLAT_USER_DS, "flat user DS");

/* Why the hypervisor was entered: each entry from the guest counts once,
 * under one reason.  (Real interrupts that wake a halted hypervisor are
 * not entries from the guest and are not counted.) */
enum exit_reason {
    EXIT_HYPERCALL,     /* a VMI call that trapped                        */
    EXIT_EXCEPTION,     /* a guest fault, reflected to the guest          */
    EXIT_EMULATE,       /* a trapped instruction the hypervisor served    */
    EXIT_IRQ,           /* a hardware interrupt while the guest ran       */
    EXIT_SHADOW,        /* a page fault the guest's tables allow: filled  */
    EXIT_REASONS
};

/* One virtual CPU: everything the guest believes about its machine. */
struct vcpu {
    struct hr_vcpu_area *area;   /* shared with the ROM: virtual IF, pending */
    struct dtr gdtr, idtr;       /* the guest's descriptor-table registers */
    uint16_t ldtr, tr;           /* the guest's LDT and task selectors     */
    struct seg_desc tr_desc;     /* the TSS descriptor cached at SetTR/LTR */
    uint32_t cr0, cr2, cr3, cr4; /* virtual control registers              */
    uint32_t dr[8];              /* virtual debug registers                */
    uint16_t kernel_ss;          /* the stack for traps from user mode     */
    uint32_t kernel_esp;
    uint32_t iopl_mask;          /* virtual IOPL (SetIOPLMask)             */
    uint32_t sysenter_cs, sysenter_esp, sysenter_eip; /* virtual MSRs      */
    uint32_t lazy_mode;          /* SetLazyMode                            */
    uint32_t callbacks;          /* SetCallbacks: the guest's table        */
    int emulating;               /* serving a trapped instruction          */
    uint32_t mem_base, mem_size; /* guest-physical 0 is machine mem_base   */
    uint64_t exits[EXIT_REASONS];
    uint64_t delivered;          /* faults and interrupts given to the guest */
    uint32_t delivered_by[IDT_VECTORS]; /* ... by the guest's vector          */
    uint64_t lazy_applied;       /* updates queued in lazy mode, applied    */
    uint64_t calls[VMI_CALL_COUNT];
    uint64_t vectors[T_EXCEPTIONS];
};
extern struct vcpu vcpu0;

/* Keep the area's must_exit (spec section 9) as the ROM's IRET reads it:
 * set while an interrupt is pending, updates are queued or the virtual
 * IOPL is not 0, else clear.  Called wherever one of those changes. */
static inline void vcpu_sync_must_exit(void)
{
    struct hr_vcpu_area *a = vcpu0.area;
    a->must_exit = (a->pending | a->queued | vcpu0.iopl_mask) ? HR_MUST_EXIT : 0;
}

/* console.c */
void console_init(const char *cmdline);
int console_shared(void);
void hv_printf(const char *fmt, ...);
void hv_info(const char *fmt, ...);      /* silenced by log=quiet */
extern int hv_quiet, hv_stats;
void hv_vprintf(const char *fmt, va_list ap);
void hv_exit_qemu(uint32_t code) __attribute__((noreturn));
#define hv_panic(...) hv_panic_at(__FILE__, __LINE__, __VA_ARGS__)
void hv_panic_at(const char *file, int line, const char *fmt, ...) __attribute__((noreturn));

/* lib.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
const char *cmdline_get(const char *cmdline, const char *key);
uint32_t parse_uint(const char *s);
uint64_t udiv64(uint64_t n, uint64_t d);

/* mem.c */
void mem_init(uint32_t mbi_phys);
uint32_t mem_alloc(uint32_t bytes);      /* physical, page aligned, zeroed */

/* segments.c */
void gdt_init(void);
void gdt_set_system(uint32_t index, struct seg_desc d);
void tss_set_guest_stack(uint16_t ss, uint32_t esp);
void iopb_sync(void);
struct seg_desc seg_guest_view(uint32_t index);
struct seg_desc seg_loadable(uint16_t sel);
struct seg_desc seg_current(uint16_t sel);
uint16_t seg_compress(uint16_t sel);
int seg_is_flat(uint16_t sel);
int seg_valid_cs(uint16_t sel);
int seg_valid_ss(uint16_t sel, uint32_t rpl);
uint32_t seg_limit(uint16_t sel);
int seg_resync(uint16_t sel, const char **why);
void seg_return(struct trapframe *tf, struct trapframe *final);
extern uint32_t seg_generation;    /* bumped by every change a selector could see */
/* The selectors (CS, SS, DS, ES, FS, GS) seg_return last passed in full
 * at seg_generation gen (0: none), CS's byte limit, and whether they also
 * pass rules 4 and 5 (ring 1, flat CS, SS, DS and ES). */
struct seg_ret_memo {
    uint32_t gen, sel[6], cs_limit, vmi_flat;
};
extern struct seg_ret_memo ret_memo;

/* May the guest be entered at cs:eip with SS, DS and ES by the fast
 * return (entry.asm: an IRET and the DS/ES reloads, FS and GS left as they
 * are), seg_return having passed exactly these at this seg_generation? */
static inline int seg_fast_return_ok(uint32_t cs, uint32_t ss, uint32_t ds, uint32_t es,
                                     uint32_t eip)
{
    return ret_memo.gen == seg_generation && cs == ret_memo.sel[0] && ss == ret_memo.sel[1] &&
           ds == ret_memo.sel[2] && es == ret_memo.sel[3] && eip <= ret_memo.cs_limit;
}

/* The same for a VMI call from frame tf returning to eip, rules 4 and 5
 * holding too: hypercall_fast's condition for skipping both checks. */
static inline int seg_vmi_return_remembered(const struct trapframe *tf, uint32_t eip)
{
    return ret_memo.vmi_flat && seg_fast_return_ok(tf->cs, tf->ss, tf->ds, tf->es, eip);
}

int seg_reentry_ok(const struct trapframe *tf);
struct trapframe *guest_frame(void);
extern uint8_t *const hv_stack_top;
int seg_guest_set_gdt(const struct dtr *d, uint32_t *bad, const char **why);
int seg_guest_write_gdt(uint32_t index, struct seg_desc d, const char **why);
int seg_guest_gdt_holds(uint32_t index, struct seg_desc d);
int seg_guest_set_ldt(uint16_t sel, const char **why);
int seg_guest_write_ldt(uint32_t index, struct seg_desc d, const char **why);
/* segload.c: the hardware half of segments.c */
void segload_gdt(const struct dtr *d);
void segload_ldt(uint16_t sel);
void segload_tr(uint16_t sel);

/* traps.c */
void idt_init(void);

/* traps.c */
void idt_sync_syscall(struct trapframe *tf);
void exit_inject(struct trapframe *tf);
void guest_terminate(struct trapframe *tf, const char *rule, const char *fmt, ...) __attribute__((noreturn));
/* deliver.c */
int reflect(struct trapframe *tf, uint32_t vector, int has_error, uint32_t error);
int reflect_soft(struct trapframe *tf, uint32_t vector, uint32_t len);
int reflect_fast(struct trapframe *tf, uint32_t vector);
void fast_reflect_sync(void);
int guest_gate(uint32_t vector, struct gate_desc *g);
int guest_check(uint32_t va, uint32_t n, int write);
int guest_read(uint32_t va, void *dst, uint32_t n);
int guest_write(uint32_t va, const void *src, uint32_t n);
int guest_copy(uint32_t va, void *buf, uint32_t n, uint32_t access);
void stats_print(void);

/* hypercall.c */
void hypercall(struct trapframe *tf);
int hypercall_fast(struct trapframe *tf);      /* entry.asm: 1 if served */
int lazy_flush(struct trapframe *tf);    /* lazy.c */
const char *vmi_call_name(uint32_t call);

/* emulate.c */
int emulate(struct trapframe *tf);
int emulate_io_fast(struct trapframe *tf);   /* entry.asm: 1 or 2 if served */
extern int backdoor_enabled;
uint64_t exits_total(void);          /* hc_cpu.c */
void vcpu_publish(void);             /* hc_cpu.c: the per-vCPU area's copy */
int backdoor(struct trapframe *tf); /* ports.c */
int port_in(uint16_t port, uint32_t size, uint32_t *value);
int port_out(uint16_t port, uint32_t size, uint32_t value);

/* paging.c */
void paging_init_guest(uint32_t mem_base, uint32_t mem_size);
void paging_protect(uint32_t gpa, uint32_t bytes);   /* make read-only */
extern uint32_t paging_ro_lo, paging_ro_hi;          /* read-only [lo, hi) */

/* Does guest-physical [gpa, gpa + n) touch a range the guest may not
 * write (a ROM)?  Inline: every shadow entry made asks. */
static inline int paging_readonly(uint32_t gpa, uint32_t n)
{
    return gpa < paging_ro_hi && gpa + n > paging_ro_lo;
}
void paging_readonly_range(uint32_t *lo, uint32_t *hi);
struct hr_vcpu_area *paging_map_vcpu_area(void);
uint32_t paging_vcpu_frame(void);
void paging_set_pde(uint32_t i, uint32_t pde);
extern uint32_t *paging_hv_pd;      /* the loaded pair's hypervisor directory */

/* Page-directory entry i below the top (the same in both directories
 * of the loaded pair).  Inline: InvalPage's log
 * application finds a logged address's page with it. */
static inline uint32_t paging_pde(uint32_t i)
{
    return paging_hv_pd[i];
}
void paging_identity(void);
void paging_clear(void);
void paging_space_load(uint32_t s);
void paging_space_set_pde(uint32_t s, uint32_t i, uint32_t pde);

/* mmu.c: the guest's virtual MMU and the shadow page tables (the walk is
 * ptwalk.c's; ptwalk.h has the #PF error code bits PF_P, PF_W, PF_U) */
int mmu_walk(uint32_t va, uint32_t access, uint32_t *gpa, uint32_t *err);
int mmu_shadow_fault(struct trapframe *tf, uint32_t va, uint32_t *err);
void mmu_reset(void);
void mmu_set_cr3(uint32_t cr3);
void mmu_flush(int global);
void mmu_invlpg(uint32_t va);
void mmu_pt_logged(uint32_t what, uint32_t kind);
void mmu_stats_print(void);
uint8_t *guest_access_ptr(uint32_t va, uint32_t access);
extern uint32_t mmu_generation;      /* bumped when cached translations go (gtlb.c) */

/* gtlb.c: one-page translation caches for the exit path */
struct gtlb {
    uint32_t page, cr3, cr0_pg, gen, write;
    uint8_t *base;              /* NULL: empty */
};
uint8_t *gtlb_fill(struct gtlb *t, uint32_t va, uint32_t n, int write);
void gtlb_flush(void);
#define GTLB_PAGE_BITS 32u     /* gtlb_pages: one bit per linear page number mod 32 */
extern uint32_t gtlb_pages;    /* pages any cache translated (gtlb.c) */

/* The bit of gtlb_pages for linear va. */
static inline uint32_t gtlb_page_bit(uint32_t va)
{
    return 1u << ((va >> PAGE_SHIFT) % GTLB_PAGE_BITS);
}

/* INVLPG of linear va: the translations of va's page go (all of them,
 * when some cache may hold that page: they share one generation).
 * Inline: every InvalPage asks, and the answer is nearly always no. */
static inline void gtlb_invlpg(uint32_t va)
{
    if (gtlb_pages & gtlb_page_bit(va))
        gtlb_flush();
}

/* The hypervisor's pointer to the n bytes at guest linear va (within one
 * page) for a ring-1 read or write (gtlb.c); inline for the hit. */
static inline uint8_t *gtlb_ptr(struct gtlb *t, uint32_t va, uint32_t n, int write)
{
    uint32_t off = va & (PAGE_SIZE - 1);
    if (t->page == va - off && t->base && t->gen == mmu_generation && t->cr3 == vcpu0.cr3 &&
        t->cr0_pg == (vcpu0.cr0 & CR0_PG) && (t->write || !write) && n <= PAGE_SIZE - off)
        return t->base + off;
    return gtlb_fill(t, va, n, write);
}

/* guest.c */
void guest_load(uint32_t mbi_phys) __attribute__((noreturn));
void hv_enter(struct trapframe *tf) __attribute__((noreturn));  /* entry.asm; tf = guest_frame() */
void hv_enter_elsewhere(const struct trapframe *tf) __attribute__((noreturn));  /* traps.c */

#endif /* HV_HV_H */
