#!/usr/bin/env bash
# boot.sh - boot one guest kernel in one mode and judge the run.
#
# Usage: tests/lib/boot.sh MODE KERNEL [--expect-terminated REASON] [QEMU ARGS...]
#   native      QEMU + SeaBIOS, no VMI ROM: the guest must run native.
#   native-rom  the same plus -option-rom $BUILD/rom/vmi.rom: SeaBIOS runs
#               the ROM's init, the guest finds it, VMI_Init fails (no
#               hypervisor) and the guest carries on native.
#   hv          on the hypervisor ($BUILD/hypervisor/hypervisor.elf), the
#               guest and the ROM as multiboot modules: the guest in ring 1
#               uses the ROM's entry points (VMI mode).
#   hv-novmi    the same with "novmi" on the guest's command line: the
#               guest runs its native code in ring 1 and the hypervisor
#               traps and emulates.
# The guest's command line is "mode=MODE" followed by whatever -append in
# ARGS says, so a guest always knows how it was booted.
#
# Prints the guest's serial output (COM1: its PASS/FAIL lines), then the
# hypervisor's own console (COM2, which no guest can reach), then this
# script's own checks.  Exits 0 only when QEMU's status says the guest
# wrote 0 to the exit port (status 1) and the guest printed its SUMMARY
# line; otherwise prints a "FAIL: ..." line saying what went wrong.
#
# --expect-terminated REASON (modes hv, hv-novmi): the guest breaks a rule
# on purpose and the run passes only when the hypervisor ended it for that:
# QEMU status 225 (HR_EXIT_GUEST_TERMINATED), a line starting
# "hv: guest terminated: REASON" on the hypervisor's console, its
# statistics printed after it (it was still healthy: no panic, status 227,
# and no reset), and no FAIL line from the guest.  Each of these prints a
# PASS or FAIL line.  The verdict is read from the hypervisor's console
# alone: what the guest prints, even "hv: guest terminated: ...", is never
# taken for it.
# Logs beside each other in $BUILD/tests/boot/NAME-MODE.{serial,hv,fwlog};
# BOOT_DEBUG=1 adds QEMU's interrupt and reset log (.qemu.log) there.
set -u
. "$(dirname "$0")/qemu.sh"
BUILD=${BUILD:-build}
ROM=${ROM:-$BUILD/rom/vmi.rom}
HV=${HV:-$BUILD/hypervisor/hypervisor.elf}

if [ $# -lt 2 ]; then
    echo "usage: $0 MODE KERNEL [QEMU ARGS...]" >&2
    exit 2
fi
mode=$1 kernel=$2
shift 2

# Take -append out of the arguments: it joins "mode=MODE" in one -append.
extra=
expect_term=
qemu_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        -append) extra="$extra ${2:-}"; shift 2 || shift ;;
        --expect-terminated) expect_term=${2:-}; shift 2 || shift ;;
        *) qemu_args+=("$1"); shift ;;
    esac
done
append="mode=$mode$extra"

# Logs are named after the kernel, the mode and any extra command line.
name=$(basename "$kernel" .elf)
tag=$(echo $extra | tr -c 'A-Za-z0-9=.\n' '_' | tr -d '\n')
work=$BUILD/tests/boot
mkdir -p "$work"
base=$work/$name-$mode${tag:+-$tag}
serial=$base.serial fwlog=$base.fwlog hvlog=$base.hv
rm -f "$serial" "$fwlog" "$hvlog" "$base.qemu.log"

fail() { echo "FAIL: $name ($mode): $*"; }

# What each mode adds to the QEMU command line, and the files it needs.
# Multiboot module strings are "file args", comma-separated: the guest's
# command line must not contain a comma.
case "$mode" in
    native)
        needs=("$kernel")
        mode_args=(-kernel "$kernel" -append "$append") ;;
    native-rom)
        needs=("$kernel" "$ROM")
        mode_args=(-kernel "$kernel" -append "$append" -option-rom "$ROM") ;;
    hv|hv-novmi)
        [ "$mode" = hv-novmi ] && append="$append novmi"
        needs=("$kernel" ${ROM//,/ } "$HV")    # ROM may list several
        mode_args=(-kernel "$HV" -initrd "$kernel $append,$ROM") ;;
    *)
        fail "unknown mode '$mode' (native, native-rom, hv, hv-novmi)"
        exit 1 ;;
esac
if [ -n "$expect_term" ] && [[ "$mode" != hv* ]]; then
    fail "--expect-terminated needs mode hv or hv-novmi, not $mode"
    exit 1
fi
if [[ "$append" == *,* ]]; then
    fail "the guest command line may not contain a comma: $append"
    exit 1
fi
for f in "${needs[@]}"; do
    [ -f "$f" ] || { fail "$f is missing: run make"; exit 1; }
done
[ "${BOOT_DEBUG:-0}" = 1 ] && qemu_args+=(-d int,cpu_reset -D "$base.qemu.log")

qemu_boot "$fwlog" "$hvlog" "${mode_args[@]}" "${qemu_args[@]}" < /dev/null 2> "$base.stderr" \
    | tr -d '\r' | tee "$serial"
status=${PIPESTATUS[0]}
touch "$hvlog"
tr -d '\r' < "$hvlog" > "$hvlog.txt" && mv "$hvlog.txt" "$hvlog"
cat "$hvlog"

# Explain QEMU's exit status: sets meaning, and ok=1 only for a clean exit.
judge_status() {
    ok=0
    case "$status" in
        1) ok=1 meaning="the guest wrote 0 to the exit port" ;;
        3) meaning="the guest wrote 1 to the exit port: checks failed"
           grep -q '^FAIL: ' "$serial" || fail "guest exited with failures but printed no FAIL line" ;;
        124) meaning="killed by our timeout"
             fail "guest hung: no exit within ${QEMU_TIMEOUT}s (serial log: $serial)" ;;
        0) meaning="QEMU stopped by itself"
           fail "QEMU stopped without the exit port: a triple fault or reset (rerun with BOOT_DEBUG=1)" ;;
        225) meaning="the hypervisor terminated the guest"
             fail "the hypervisor terminated the guest (exit value 0x70)" ;;
        227) meaning="the hypervisor panicked"
             fail "the hypervisor panicked (exit value 0x71)" ;;
        *) if [ $((status & 1)) = 1 ] && [ "$status" -lt 256 ]; then
               meaning="the guest wrote $(((status - 1) / 2)) to the exit port"
               fail "$meaning"
           else
               meaning="QEMU failed"
               fail "QEMU failed with status $status: $(head -c 300 "$base.stderr")"
           fi ;;
    esac
}

# A guest that exited must have printed its summary, consistent with the status.
judge_summary() {
    local summary
    summary=$(grep '^SUMMARY: ' "$serial" | tail -n 1)
    if [ -z "$summary" ]; then
        fail "guest printed no SUMMARY line"
        ok=0
    elif [ "$ok" = 1 ] && ! [[ "$summary" =~ ^SUMMARY:\ [0-9]+\ passed,\ 0\ failed$ ]]; then
        fail "guest exited 0 but its summary says: $summary"
        ok=0
    fi
}

# The ROM addresses the guest reports ("ROM-ADDRESS: 0x...") must be ones
# the firmware or hypervisor put a ROM at.  $1: where those are, one hex
# address per line; $2: who put them there.
judge_rom_address() {
    local placed=$1 who=$2 addr p found
    found=$(sed -n 's/^ROM-ADDRESS: \(0x[0-9a-fA-F]*\).*/\1/p' "$serial")
    if [ -z "$found" ]; then
        [[ " $append " == *" novmi "* ]] && return
        fail "guest reported no ROM-ADDRESS, but $who placed ROMs at: $(echo $placed)"
        ok=0
        return
    fi
    for addr in $found; do
        for p in $placed; do
            [ $((p)) = $((addr)) ] && continue 2
        done
        fail "guest found a ROM at $addr, where $who put none (it did at: $(echo $placed))"
        ok=0
        return
    done
    echo "PASS: $name ($mode): the ROM the guest found ($(echo $found)) is one $who placed"
}

# SeaBIOS logs "Running option rom at SEG:0003" for a ROM at SEG * 16.
seabios_roms() {
    local seg
    for seg in $(sed -n 's/.*Running option rom at \([0-9a-fA-F]*\):0003.*/\1/p' "$fwlog"); do
        printf '0x%x\n' $((0x$seg * 16))
    done
}

# The hypervisor logs "hv: ROM FILE at 0xADDR ..." for each ROM it places.
hypervisor_roms() {
    sed -n 's/^hv: ROM .* at \(0x[0-9a-fA-F]*\) .*/\1/p' "$hvlog"
}

# The line number of the first line of the hypervisor's console that
# starts with $1, or nothing.
first_line_starting() {
    awk -v p="$1" 'index($0, p) == 1 { print NR; exit }' "$hvlog"
}

# A run that should end with the hypervisor terminating the guest for
# $expect_term: sets ok=1 only when every check below passed.
judge_termination() {
    local term stats got
    ok=1
    case "$status" in
        225) meaning="the hypervisor terminated the guest"
             echo "PASS: $name ($mode): QEMU status 225: the hypervisor terminated the guest" ;;
        227) meaning="the hypervisor panicked"
             fail "the hypervisor panicked (status 227) instead of terminating the guest"; ok=0 ;;
        0)   meaning="QEMU stopped by itself"
             fail "QEMU stopped without the exit port (a triple fault or reset), not status 225"; ok=0 ;;
        124) meaning="killed by our timeout"
             fail "guest hung: no exit within ${QEMU_TIMEOUT}s, not status 225"; ok=0 ;;
        *)   meaning="status $status"
             fail "QEMU exit status $status, not 225: the guest was not terminated"; ok=0 ;;
    esac
    term=$(first_line_starting "hv: guest terminated: $expect_term")
    if [ -n "$term" ]; then
        echo "PASS: $name ($mode): the hypervisor names the reason: $(sed -n "${term}p" "$hvlog")"
    else
        got=$(grep -m 1 '^hv: guest terminated: ' "$hvlog")
        fail "no line 'hv: guest terminated: $expect_term...' (${got:-no termination line})"
        ok=0
    fi
    stats=$(first_line_starting "hv: exits by reason:")
    if [ -n "$term" ] && [ -n "$stats" ] && [ "$stats" -gt "$term" ]; then
        echo "PASS: $name ($mode): the hypervisor printed its statistics after the reason"
    else
        fail "no statistics ('hv: exits by reason:') after the termination reason"
        ok=0
    fi
    if grep -q '^FAIL: ' "$serial"; then
        fail "the guest printed FAIL lines before it was terminated"
        ok=0
    fi
}

# A run meant to end in termination is judged on that alone.
if [ -n "$expect_term" ]; then
    judge_termination
    echo "boot.sh: $name ($mode): QEMU exit status $status: $meaning"
    [ "$ok" = 1 ]
    exit
fi
# Only a guest that reached its exit is judged on what it printed.
judge_status
if [ "$status" = 1 ] || [ "$status" = 3 ]; then
    judge_summary
    case "$mode" in
        native-rom) judge_rom_address "$(seabios_roms)" SeaBIOS ;;
        hv) judge_rom_address "$(hypervisor_roms)" "the hypervisor" ;;
    esac
fi
echo "boot.sh: $name ($mode): QEMU exit status $status: $meaning"
[ "$ok" = 1 ]
