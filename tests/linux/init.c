/*
 * init.c - HyperROM's /init for Linux 2.6.32 (i386): a real workload run
 * by the unmodified reference kernel, natively and on the hypervisor.
 *
 * A static 32-bit program with no C library: system calls by "int $0x80"
 * (arch/x86/include/asm/unistd_32.h numbers).  It exercises what a kernel
 * does for user space: process creation and exit status (fork, execve,
 * waitpid), pipes, brk and mmap with the page faults they bring, signal
 * delivery and return, the console; prints a PASS or FAIL line for each
 * check and a summary, then ends the run through QEMU's isa-debug-exit port
 * (after iopl(3)), so QEMU's status carries the result: 0 when every check
 * passed.  Run as "/init exec-child" it only proves that execve ran it;
 * with "bench" on the kernel command line (Linux passes it to init as
 * argv[1]) it times getpid, a pipe, fork+exit+wait, a page fault and
 * mmap+munmap instead ("BENCH op=..." lines, tests/linux/bench.sh).
 */
#include <stdint.h>
#include <stddef.h>

/* System call numbers, i386 (asm/unistd_32.h of 2.6.32). */
#define NR_exit          1
#define NR_fork          2
#define NR_read          3
#define NR_write         4
#define NR_waitpid       7
#define NR_execve       11
#define NR_getpid       20
#define NR_kill         37
#define NR_pipe         42
#define NR_brk          45
#define NR_old_mmap     90
#define NR_munmap       91
#define NR_iopl        110
#define NR_rt_sigreturn 173
#define NR_rt_sigaction 174

#define STDOUT          1
#define SIGUSR1        10          /* asm/signal.h */
#define SA_SIGINFO     0x00000004u /* an RT frame, left by rt_sigreturn */
#define SA_RESTORER    0x04000000u
#define PROT_RW        3u          /* PROT_READ | PROT_WRITE */
#define MAP_PRIV_ANON  0x22u       /* MAP_PRIVATE | MAP_ANONYMOUS */
#define PAGE           4096u
#define USER_TOP       0xC0000000ul /* CONFIG_PAGE_OFFSET: the kernel above */
#define HEAP_GROWTH    (64u * 1024u)
#define MAP_BYTES      (64u * 1024u)
#define CHILD_STATUS   7           /* what the forked child exits with */
#define EXEC_STATUS    42          /* what "/init exec-child" exits with */
#define EXIT_PORT      0xF4u       /* QEMU isa-debug-exit (iobase 0xf4) */
#define IOPL_ALL       3
#define WAIT_CODE(s)   (((s) >> 8) & 0xFF)
#define WAIT_EXITED(s) (((s) & 0x7F) == 0)

static int passed, failed;

/* A system call with up to five arguments; the kernel's result. */
static long sys5(long nr, long a, long b, long c, long d, long e)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "0"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
                     : "memory");
    return r;
}
#define sys3(nr, a, b, c) sys5(nr, (long)(a), (long)(b), (long)(c), 0, 0)

/* Length of a C string. */
static size_t len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Write a string to the console. */
static void put(const char *s)
{
    sys3(NR_write, STDOUT, s, len(s));
}

/* Write an unsigned decimal number to the console. */
static void put_uint(unsigned long v)
{
    char buf[12];
    int i = sizeof(buf);
    buf[--i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(buf + i);
}

/* Report one check: "PASS: what" or "FAIL: what". */
static void check(int ok, const char *what)
{
    put(ok ? "PASS: " : "FAIL: ");
    put(what);
    put("\n");
    ok ? passed++ : failed++;
}

/* End the run with status code through QEMU's exit port; then exit. */
static void finish(int code)
{
    put("SUMMARY: ");
    put_uint((unsigned long)passed);
    put(" passed, ");
    put_uint((unsigned long)failed);
    put(" failed\n");
    if (sys3(NR_iopl, IOPL_ALL, 0, 0) == 0)
        __asm__ volatile("outb %b0, %w1" :: "a"((uint8_t)code), "Nd"((uint16_t)EXIT_PORT));
    for (;;)
        sys3(NR_exit, code, 0, 0);
}

/* brk: the heap grows, and each new page faults in on first touch. */
static void check_brk(void)
{
    long start = sys3(NR_brk, 0, 0, 0);
    long end = sys3(NR_brk, start + HEAP_GROWTH, 0, 0);
    check(start > 0 && end == start + (long)HEAP_GROWTH, "brk grows the heap by 64 KiB");
    volatile uint8_t *p = (volatile uint8_t *)start;
    for (uint32_t off = 0; off < HEAP_GROWTH; off += PAGE)
        p[off] = (uint8_t)(off / PAGE);
    int same = 1;
    for (uint32_t off = 0; off < HEAP_GROWTH; off += PAGE)
        same &= p[off] == (uint8_t)(off / PAGE);
    check(same, "every new heap page faults in and keeps what was written");
}

/* mmap and munmap of anonymous memory. */
static void check_mmap(void)
{
    const uint32_t args[6] = { 0, MAP_BYTES, PROT_RW, MAP_PRIV_ANON, (uint32_t)-1, 0 };
    long a = sys3(NR_old_mmap, args, 0, 0);          /* addr len prot flags fd off */
    int ok = (unsigned long)a < USER_TOP;             /* errors are -4095..-1 */
    check(ok, "mmap maps 64 KiB of anonymous memory");
    if (!ok)
        return;
    volatile uint32_t *w = (volatile uint32_t *)a;
    uint32_t zero = 0;
    for (uint32_t i = 0; i < MAP_BYTES / 4; i += PAGE / 4)
        zero |= w[i], w[i] = i;
    check(zero == 0, "fresh anonymous pages read as zero");
    check(sys3(NR_munmap, a, MAP_BYTES, 0) == 0, "munmap gives them back");
}

/* fork, a pipe from child to parent, and waitpid's exit status. */
static void check_fork_pipe(void)
{
    int fds[2];
    char buf[8];
    check(sys3(NR_pipe, fds, 0, 0) == 0, "pipe");
    long pid = sys3(NR_fork, 0, 0, 0);
    if (pid == 0) {
        sys3(NR_write, fds[1], "ping", 4);
        sys3(NR_exit, CHILD_STATUS, 0, 0);
    }
    check(pid > 0, "fork makes a child");
    long n = sys3(NR_read, fds[0], buf, 4);
    check(n == 4 && buf[0] == 'p' && buf[3] == 'g', "the child's bytes come through the pipe");
    int status = 0;
    long w = sys3(NR_waitpid, pid, &status, 0);
    check(w == pid && WAIT_EXITED(status) && WAIT_CODE(status) == CHILD_STATUS,
          "waitpid reports the child's exit status 7");
}

/* execve: a child runs /init again as "exec-child", which exits 42. */
static void check_exec(void)
{
    static char *const argv[] = { "/init", "exec-child", NULL };
    static char *const envp[] = { NULL };
    long pid = sys3(NR_fork, 0, 0, 0);
    if (pid == 0) {
        sys3(NR_execve, "/init", argv, envp);
        sys3(NR_exit, 1, 0, 0);
    }
    int status = 0;
    long w = sys3(NR_waitpid, pid, &status, 0);
    check(w == pid && WAIT_EXITED(status) && WAIT_CODE(status) == EXEC_STATUS,
          "execve runs a new program in the child (exit status 42)");
}

static volatile int signalled;

/* SIGUSR1's handler (SA_SIGINFO: siginfo and context pointers unused). */
static void on_usr1(int sig)
{
    signalled = sig;
}

/* The signal frame's way back (SA_RESTORER): rt_sigreturn. */
__asm__(".text\n\t.globl restorer\nrestorer:\n\tmovl $173, %eax\n\tint $0x80");
void restorer(void);

/* A signal sent to ourselves runs the handler and returns. */
static void check_signal(void)
{
    struct { void (*handler)(int); uint32_t flags; void (*restorer)(void); uint32_t mask[2]; }
        sa = { on_usr1, SA_SIGINFO | SA_RESTORER, restorer, { 0, 0 } };
    _Static_assert(NR_rt_sigreturn == 173, "restorer's number");
    check(sys5(NR_rt_sigaction, SIGUSR1, (long)&sa, 0, sizeof(sa.mask), 0) == 0,
          "rt_sigaction installs a handler");
    sys3(NR_kill, sys3(NR_getpid, 0, 0, 0), SIGUSR1, 0);
    check(signalled == SIGUSR1, "kill delivers SIGUSR1 to the handler, which returns");
}

/* ---- "/init bench": what user space pays, per operation ---- */
#define BENCH_ITERS    200u        /* per operation; -icount makes one run exact */
#define BENCH_PAGES    64u         /* fresh pages touched by the fault benchmark */
#define BACKDOOR_PORT  0x5658u     /* spec/hyperrom.h HR_BACKDOOR_PORT  */
#define BACKDOOR_MAGIC 0x564D5868u /* HR_BACKDOOR_MAGIC                 */
#define BACKDOOR_VER   10u         /* HR_BACKDOOR_GETVERSION            */
#define BACKDOOR_EXITS 0x4801u     /* HR_BACKDOOR_GETEXITS              */

static int have_backdoor;

/* The TSC (under QEMU -icount: instructions executed). */
static uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* The hypervisor backdoor command cmd (after iopl(3): natively the port
 * is nothing and reads all ones); EAX. */
static uint32_t backdoor(uint32_t cmd)
{
    uint32_t a = BACKDOOR_MAGIC, b = 0, c = cmd, d = BACKDOOR_PORT;
    __asm__ volatile("inl %%dx, %%eax" : "+a"(a), "+b"(b), "+c"(c), "+d"(d));
    return have_backdoor || cmd == BACKDOOR_VER ? a : 0;
}

/* The hypervisor's exits so far, or 0 natively. */
static uint32_t exits(void)
{
    return have_backdoor ? backdoor(BACKDOOR_EXITS) : 0;
}

/* One benchmark operation, iteration i. */
typedef void bench_fn(uint32_t i, void *ctx);

static void op_getpid(uint32_t i, void *ctx) { (void)i; (void)ctx; sys3(NR_getpid, 0, 0, 0); }

/* A byte through a pipe and back out of it. */
static void op_pipe(uint32_t i, void *ctx)
{
    int *fds = ctx;
    char c = (char)i;
    sys3(NR_write, fds[1], &c, 1);
    sys3(NR_read, fds[0], &c, 1);
}

/* A child that exits at once, and the wait for it. */
static void op_fork(uint32_t i, void *ctx)
{
    (void)i; (void)ctx;
    int status;
    long pid = sys3(NR_fork, 0, 0, 0);
    if (pid == 0)
        sys3(NR_exit, 0, 0, 0);
    sys3(NR_waitpid, pid, &status, 0);
}

/* The first touch of a fresh anonymous page: one page fault. */
static void op_fault(uint32_t i, void *ctx)
{
    ((volatile uint8_t *)ctx)[(i % BENCH_PAGES) * PAGE] = 1;
}

/* Map and unmap one anonymous page. */
static void op_mmap(uint32_t i, void *ctx)
{
    (void)i; (void)ctx;
    const uint32_t args[6] = { 0, PAGE, PROT_RW, MAP_PRIV_ANON, (uint32_t)-1, 0 };
    long a = sys3(NR_old_mmap, args, 0, 0);
    sys3(NR_munmap, a, PAGE, 0);
}

/* n / d by shift and subtract (no libgcc in a program without a C library). */
static uint64_t div64(uint64_t n, uint32_t d)
{
    uint64_t q = 0, r = 0;
    for (int bit = 63; bit >= 0; bit--) {
        r = (r << 1) | ((n >> bit) & 1u);
        if (r >= d) {
            r -= d;
            q |= (uint64_t)1 << bit;
        }
    }
    return q;
}

/* Time n iterations of fn and print "BENCH op=NAME ..." per operation. */
static void bench(const char *name, bench_fn *fn, void *ctx, uint32_t n)
{
    uint32_t e0 = exits();
    uint64_t t0 = tsc();
    for (uint32_t i = 0; i < n; i++)
        fn(i, ctx);
    uint64_t t = tsc() - t0;
    uint32_t e = exits() - e0;
    put("BENCH op=");
    put(name);
    put(" cycles_per_op=");
    put_uint((unsigned long)div64(t, n));
    put(" exits_per_op=");
    put_uint(e / n);
    put(".");
    put_uint((e % n) * 1000 / n / 100);
    put_uint((e % n) * 1000 / n / 10 % 10);
    put_uint((e % n) * 1000 / n % 10);
    put("\n");
}

/* Run every benchmark once, then end the run like the checks do. */
static void bench_all(void)
{
    int fds[2];
    const uint32_t args[6] = { 0, BENCH_PAGES * PAGE, PROT_RW, MAP_PRIV_ANON, (uint32_t)-1, 0 };
    sys3(NR_iopl, IOPL_ALL, 0, 0);          /* natively the probe's port needs it */
    have_backdoor = backdoor(BACKDOOR_VER) == 1;
    sys3(NR_iopl, 0, 0, 0);                 /* measure a process as most run: at
                                               IOPL 0 (at 1-3 every system call and
                                               IRET exits, spec section 9, "IOPL");
                                               the hypervisor's backdoor answers ring
                                               3 at any IOPL, and finish() raises it
                                               again for the exit port */
    sys3(NR_pipe, fds, 0, 0);
    long area = sys3(NR_old_mmap, args, 0, 0);
    bench("getpid", op_getpid, NULL, BENCH_ITERS);
    bench("pipe_write_read", op_pipe, fds, BENCH_ITERS);
    bench("fork_exit_wait", op_fork, NULL, BENCH_ITERS / 4);
    bench("page_fault", op_fault, (void *)area, BENCH_PAGES);
    bench("mmap_munmap", op_mmap, NULL, BENCH_ITERS);
    check(1, "benchmarks ran");
    finish(0);
}

/* Linux starts us here with argc, argv and envp on the stack. */
void init_main(int argc, char **argv)
{
    if (argc > 1 && argv[1][0] == 'e')
        sys3(NR_exit, EXEC_STATUS, 0, 0);
    if (argc > 1 && argv[1][0] == 'b')
        bench_all();
    put("init: HyperROM /init on Linux\n");
    check(sys3(NR_getpid, 0, 0, 0) == 1, "we are process 1");
    check_brk();
    check_mmap();
    check_fork_pipe();
    check_exec();
    check_signal();
    finish(failed ? 1 : 0);
}

__asm__(".text\n\t.globl _start\n_start:\n\tmovl (%esp), %eax\n\tleal 4(%esp), %edx\n\t"
        "andl $-16, %esp\n\tpushl %edx\n\tpushl %eax\n\tcall init_main\n\thlt");
