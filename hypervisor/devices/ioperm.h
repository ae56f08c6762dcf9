/*
 * ioperm.h - the I/O permission check of a port access (ioperm.c):
 * IOPL, then the I/O permission bitmap of the current 32-bit TSS.
 * Pure logic; host-testable.
 */
#ifndef HV_IOPERM_H
#define HV_IOPERM_H

#include "x86.h"

/* Reads n bytes at linear address va into dst: 0, or -1 where it cannot
 * (guest_read's contract; a test passes its own). */
typedef int ioperm_read_fn(uint32_t va, void *dst, uint32_t n);

int ioperm_allows(uint32_t cpl, uint32_t iopl, const struct seg_desc *tr,
                  uint32_t port, uint32_t size, ioperm_read_fn *read);

#endif /* HV_IOPERM_H */
