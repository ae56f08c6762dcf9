/*
 * desc.h - guest descriptor validation (desc.c); host-testable.
 */
#ifndef HV_DESC_H
#define HV_DESC_H

#include "x86.h"

uint32_t desc_limit_bytes(struct seg_desc d);
int desc_validate(struct seg_desc *d, const char **why);
int desc_is_flat(struct seg_desc d);

#endif /* HV_DESC_H */
