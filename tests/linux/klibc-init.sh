#!/bin/sh
# klibc-init.sh - /init of the shell initramfs (tests/linux/klibc.mk): a
# script for Debian's klibc sh (dash-derived) on the reference Linux.  It
# runs pipes, fork and exec of several programs and redirections, prints a
# PASS or FAIL line for each check and a summary, then powers off through
# Linux's own path (poweroff -f: with no way to cut the power, Linux 2.6.32
# halts for good, which the hypervisor ends by name: "Halt with no
# interrupt source").  With "shell" on the kernel command line it starts
# an interactive sh on the console instead (make run-linux-shell).
passed=0 failed=0
check() {                       # check "what" command...: PASS if it succeeds
    what=$1; shift
    if "$@"; then echo "PASS: $what"; passed=$((passed + 1))
    else echo "FAIL: $what"; failed=$((failed + 1)); fi
}
echo "klibc: sh on Linux $(uname -r)"
mkdir -p /tmp
mount -t devtmpfs devtmpfs /dev          # /dev/null for background jobs
echo hello > /tmp/a
check "a redirection writes a file" [ "$(cat /tmp/a)" = hello ]
cat /tmp/a | cat | cat > /tmp/b
check "a pipeline of three programs" [ "$(cat /tmp/b)" = hello ]
echo more >> /tmp/b
check "an append" [ "$(cat /tmp/b)" = "$(printf 'hello\nmore')" ]
ls / > /tmp/ls
check "ls sees the initramfs" [ -n "$(cat /tmp/ls)" ]
n=0
for i in 1 2 3 4 5 6 7 8; do /bin/true && n=$((n + 1)); done
check "eight fork+exec of /bin/true" [ $n = 8 ]
( exit 3 ); st=$?
check "a subshell's exit status" [ $st = 3 ]
/bin/false; check "a program's failure is seen" [ $? != 0 ]
( echo from-the-background > /tmp/c ) &
wait $!
check "a background job, and wait for it" [ "$(cat /tmp/c)" = from-the-background ]
echo through | { read line; echo "$line" > /tmp/d; }
check "a pipe into a compound command" [ "$(cat /tmp/d)" = through ]
echo "SUMMARY: $passed passed, $failed failed"
mkdir -p /proc && mount -t proc proc /proc
case " $(cat /proc/cmdline) " in
    *" shell "*) echo "klibc: a shell on the console (poweroff -f to end)"; exec sh ;;
esac
poweroff -f
