/*
 * strio.h - where a string instruction's memory operand lies (strio.c):
 * segment, offset and limit as the CPU checks them.  Pure logic;
 * host-testable.
 */
#ifndef HV_STRIO_H
#define HV_STRIO_H

#include "x86.h"

uint32_t strio_linear(struct seg_desc d, int is_ss, uint32_t off, uint32_t size, int write,
                      uint32_t *linear);

#endif /* HV_STRIO_H */
