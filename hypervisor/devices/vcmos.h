/*
 * vcmos.h - the guest's CMOS RAM and MC146818 real-time clock (vcmos.c):
 * ports 70h (index, bit 7 the NMI mask) and 71h (data).  Pure logic; the
 * caller passes the wall-clock time in.  Host-testable.
 */
#ifndef HV_VCMOS_H
#define HV_VCMOS_H

#include <stdint.h>

#define CMOS_BYTES       128u
#define CMOS_PORT_INDEX  0u        /* port 70h - 70h */
#define CMOS_PORT_DATA   1u

/* Wall-clock time: seconds since 1970-01-01 00:00 UTC, and microseconds. */
struct wall_time {
    uint64_t secs;
    uint32_t usec;
};

struct cmos {
    uint8_t ram[CMOS_BYTES];     /* NVRAM; the time registers as frozen (SET) */
    uint8_t index, nmi_masked;
    int64_t offset;              /* the guest's RTC seconds minus wall seconds */
    uint64_t flags_at;           /* RTC time (us) register C is up to date at */
};

void cmos_reset(struct cmos *c, uint32_t ext_kb, const struct wall_time *now);
uint8_t cmos_read(struct cmos *c, uint32_t port, const struct wall_time *now);
void cmos_write(struct cmos *c, uint32_t port, uint8_t v, const struct wall_time *now);

#endif /* HV_VCMOS_H */
