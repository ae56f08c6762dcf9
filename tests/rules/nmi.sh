#!/usr/bin/env bash
# nmi.sh - NMIs sent through QEMU's monitor while the hypervisor runs a
# guest (tests/rules/nmi.c) are noted by the hypervisor and change nothing
# else: each gives one "hv: NMI" line on its console, the guest finishes
# (status 1) and no NMI resets the machine or panics the hypervisor.
#
# Usage: tests/rules/nmi.sh BUILD MODE [COUNT]
# The guest's COM1 and QEMU's monitor are FIFO pairs (QEMU's "pipe:"
# backend), so the script can wait for "nmi: ready", send the NMIs, wait
# for the hypervisor to log them and then send the guest its go-ahead.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/qemu.sh"
BUILD=${1:-build} mode=${2:-hv} count=${3:-3}
HV=$BUILD/hypervisor/hypervisor.elf ROM=$BUILD/rom/vmi.rom KERNEL=$BUILD/tests/rules/nmi.elf
work=$BUILD/tests/nmi/$mode
POLL=0.1 POLLS=200                      # 20 s for each wait: a hang, never a slow pass
rm -rf "$work"; mkdir -p "$work"
for f in "$HV" "$ROM" "$KERNEL"; do
    [ -f "$f" ] || { echo "FAIL: nmi ($mode): $f is missing: run make"; exit 1; }
done
mkfifo "$work/com1.in" "$work/com1.out" "$work/mon.in" "$work/mon.out"
line="$KERNEL mode=$mode"
[ "$mode" = hv-novmi ] && line="$line novmi"

timeout "$QEMU_TIMEOUT" "$QEMU" -nodefaults -vga std -display none -no-reboot \
    -serial pipe:"$work/com1" -serial file:"$work/hv" -monitor pipe:"$work/mon" \
    -device isa-debug-exit,iobase=$DEBUG_EXIT_PORT,iosize=4 \
    -kernel "$HV" -initrd "$line,$ROM" < /dev/null 2> "$work/stderr" &
qemu=$!
cat "$work/com1.out" > "$work/serial" &        # unbuffered: read as it comes
cat "$work/mon.out" > "$work/monitor" &
exec 3<> "$work/com1.in" 4<> "$work/mon.in"   # read-write: opening never blocks

# Wait until command $1 succeeds (at most POLLS times POLL seconds).
wait_for() {
    local i
    for ((i = 0; i < POLLS; i++)); do
        eval "$1" && return 0
        kill -0 "$qemu" 2> /dev/null || return 1
        sleep "$POLL"
    done
    return 1
}
nmis() { grep -c '^hv: NMI at' "$work/hv" 2> /dev/null; }

# NMIs that struck while the guest's page directory was loaded: in guest
# code, or in the hypervisor's entry or exit path before or after its
# CR3 switch (where QEMU's TCG delivers most of them: it takes a pending
# NMI at the instruction boundary after a trap).  That is the case that
# once reset the machine.
in_guest() { grep -c '^hv: NMI at .*guest map loaded' "$work/hv" 2> /dev/null; }

# Send NMIs, one at a time, until $count were logged and at least one of
# them struck with the guest's map loaded, at most MAX_NMIS: a hypervisor
# that lives through NMIs in both places.
MAX_NMIS=40
ready=0 logged=0 sent=0
wait_for 'grep -q "^nmi: ready" "$work/serial"' && ready=1
while [ "$ready" = 1 ] && [ "$sent" -lt "$MAX_NMIS" ]; do
    echo nmi >&4
    sent=$((sent + 1))
    wait_for '[ "$(nmis)" -ge "$sent" ]' || break
    [ "$sent" -ge "$count" ] && [ "$(in_guest)" -ge 1 ] && { logged=1; break; }
done
printf 'g' >&3
wait "$qemu"; status=$?
exec 3>&- 4>&-
sleep 0.2                                # the readers drain the FIFOs
cat "$work/serial" "$work/hv" | tr -d '\r'
check "[ $ready = 1 ]" "nmi ($mode): the guest came up" "no 'nmi: ready' from the guest"
check "[ $logged = 1 ] && [ $(nmis) = $sent ]" \
      "nmi ($mode): the hypervisor logged each of the $sent NMIs, $(in_guest) with the guest's map loaded" \
      "it logged $(nmis) of $sent, $(in_guest) with the guest's map loaded (want one at least)"
check "[ $status = 1 ]" "nmi ($mode): the guest finished (QEMU status 1)" \
      "QEMU status $status (0: reset, 124: hang, 225: terminated, 227: panic)"
check "! grep -q 'PANIC' '$work/hv'" "nmi ($mode): no hypervisor panic"
