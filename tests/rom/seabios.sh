#!/usr/bin/env bash
# seabios.sh - SeaBIOS, not our code, judges the ROM.
#
# Boots QEMU + SeaBIOS three times with a kernel that exits at once: with no
# extra ROM, with our ROM, and with a copy that has one byte flipped.
# SeaBIOS must run our ROM (one more "Running option rom" line than the
# baseline, the boot carrying on to the kernel) and refuse the flipped copy
# with "bad checksum"; romsum check must refuse it too.
set -u
. "$(dirname "$0")/../lib/qemu.sh"
BUILD=${BUILD:-build}
rom=$BUILD/rom/vmi.rom
kernel=$BUILD/tests/rom/exit-kernel.elf
romsum=$BUILD/tools/romsum/romsum
work=$BUILD/tests/rom
mkdir -p "$work"
size=$(stat -c %s "$rom")

# Boot with the given extra QEMU args; sets runs= and status= from the log.
boot() {
    local log=$work/$1.fwlog; shift
    rm -f "$log"
    qemu_boot "$log" /dev/null -kernel "$kernel" "$@" > /dev/null 2>&1; status=$?
    runs=$(grep -c 'Running option rom at' "$log")
    fwlog=$log
}

boot baseline
base_runs=$runs
check '[ $status = 1 ]' "baseline boot reaches the kernel" "QEMU status $status"

boot good -option-rom "$rom"
check '[ $status = 1 ]' "boot with our ROM still reaches the kernel" "QEMU status $status"
check '[ $runs = $((base_runs + 1)) ]' "SeaBIOS ran our ROM's init entry" \
    "$runs option ROMs ran, baseline $base_runs"
check '! grep -qi "checksum\|invalid" $fwlog' "SeaBIOS complained about nothing" \
    "$(grep -i 'checksum\|invalid' "$fwlog")"

# Flip one byte in the middle of the image.
bad=$work/flipped.rom
cp "$rom" "$bad"
printf '\x5a' | dd of="$bad" bs=1 seek=$((size / 2)) conv=notrunc status=none
boot flipped -option-rom "$bad"
check 'grep -q "bad checksum.*len=$size" $fwlog' "SeaBIOS refuses a flipped copy: bad checksum" \
    "no 'bad checksum ... len=$size' in $fwlog"
check '[ $runs = $base_runs ]' "SeaBIOS did not run the flipped copy" "$runs ROMs ran"
"$romsum" check "$bad" > "$work/flipped.check" 2>&1; rc=$?
check '[ $rc = 1 ] && grep -qi checksum $work/flipped.check' \
    "romsum check refuses the flipped copy, naming the checksum" "$(cat "$work/flipped.check")"
"$romsum" check "$rom" > "$work/good.check" 2>&1; rc=$?
check '[ $rc = 0 ]' "romsum check accepts the built ROM" "$(cat "$work/good.check")"
