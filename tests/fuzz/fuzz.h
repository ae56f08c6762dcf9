/*
 * fuzz.h - what every fuzz harness in tests/fuzz/ shares: the libFuzzer
 * entry point's prototype, invariant checks that abort, and little-endian
 * loads from the fuzzer's bytes.
 *
 * A harness is plain hosted C11.  clang -fsanitize=fuzzer links it with
 * libFuzzer (make fuzz); gcc links it with replay.c (make test), which
 * feeds it the stored corpus.  A broken invariant prints one line naming
 * it and calls abort(), which both libFuzzer and the replay driver report.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>     /* size_t */
#include <stdint.h>
#include <stdio.h>      /* fprintf */
#include <stdlib.h>     /* abort */

/* For a harness's own bulk loops (sums over whole ROMs): no coverage
 * counters, which would serialize the loop and tell the fuzzer nothing. */
#if defined(__clang__)
#define FUZZ_UNCOVERED __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_UNCOVERED
#endif

/* libFuzzer's entry point: check one input; returns 0 (libFuzzer's rule). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with "invariant broken: what" unless ok holds. */
#define FUZZ_REQUIRE(ok, what)                                              \
    do {                                                                    \
        if (!(ok)) {                                                        \
            fprintf(stderr, "invariant broken: %s (%s:%d)\n", (what),       \
                    __FILE__, __LINE__);                                    \
            abort();                                                        \
        }                                                                   \
    } while (0)

/* Little-endian 16-bit value at p (the caller checked the bounds). */
static inline uint32_t fuzz_le16(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8;
}

/* Little-endian 32-bit value at p (the caller checked the bounds). */
static inline uint32_t fuzz_le32(const uint8_t *p)
{
    return fuzz_le16(p) | fuzz_le16(p + 2) << 16;
}

/* The 32-bit word number i of data (size bytes), zero-filled past the end:
 * harnesses that take fixed-size values read them this way. */
static inline uint32_t fuzz_word(const uint8_t *data, size_t size, size_t i)
{
    uint32_t v = 0;
    size_t k;

    for (k = 0; k < sizeof v; k++)
        if (i * sizeof v + k < size)
            v |= (uint32_t)data[i * sizeof v + k] << (8 * k);
    return v;
}

#endif /* TESTS_FUZZ_H */
