/*
 * report.c - PASS/FAIL lines, the summary, and the way out.
 *
 * tests/run and tests/lib/boot.sh read the serial output line by line:
 * "PASS: what", "FAIL: what", "SKIP: what", and one final
 * "SUMMARY: N passed, N failed".  The run then ends through QEMU's
 * isa-debug-exit port: QEMU exits with status (value << 1) | 1, so 1 when
 * every check passed and 3 otherwise.  On a real PC the port is nothing
 * and the kernel halts.
 */
#include "rt.h"     /* report, rt_exit */
#include "vmi.h"    /* vmi_outl, vmi_halt, the shim's state */

#define DEBUG_EXIT_PORT HR_DEBUG_EXIT_PORT   /* spec/hyperrom.h */

static unsigned passed, failed;

/* Print one report line with the given prefix. */
static void report_line(const char *prefix, const char *fmt, va_list ap)
{
    printf("%s: ", prefix);
    vprintf(fmt, ap);
    printf("\n");
}

/* Print "PASS: what" or "FAIL: what" and count it; returns cond. */
int report(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_line(cond ? "PASS" : "FAIL", fmt, ap);
    va_end(ap);
    if (cond)
        passed++;
    else
        failed++;
    return cond;
}

/* Print "SKIP: what": a check that does not apply in this mode. */
void report_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_line("SKIP", fmt, ap);
    va_end(ap);
}

/* How many checks failed so far. */
unsigned report_failures(void)
{
    return failed;
}

/* Print the summary and exit with the verdict. */
void report_summary(void)
{
    printf("SUMMARY: %u passed, %u failed\n", passed, failed);
    rt_exit(failed ? RT_EXIT_FAIL : RT_EXIT_PASS);
}

/* Leave through the exit port; if we are still here, halt for good. */
void rt_exit(uint32_t code)
{
    vmi_outl(DEBUG_EXIT_PORT, code);
    for (;;)
        if (vmi.entry[VMI_CALL_Halt])
            vmi_halt();        /* with interrupts off: stays halted */
}
