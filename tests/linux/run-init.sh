#!/usr/bin/env bash
# run-init.sh - the unmodified reference Linux (../shared/linux) runs
# HyperROM's /init (tests/linux/init.c) to the end, and all its checks
# pass: natively, natively with the VMI ROM loaded by SeaBIOS, and on the
# hypervisor in VMI mode.
#
# Usage: tests/linux/run-init.sh BUILD MODE KERNEL
#   MODE native      plain QEMU + SeaBIOS: Linux says "Booting
#                    paravirtualized kernel on bare hardware";
#        native-rom  the same with -option-rom vmi.rom: Linux finds the ROM
#                    ("VMI: Found HyperROM"), VMI_Init fails (no hypervisor)
#                    and it boots on bare hardware;
#        hv          on the hypervisor: "VMI_Init from the guest: VMI mode
#                    on" on the hypervisor's console and "Booting
#                    paravirtualized kernel on vmi" on Linux's.
#        hv-grub     the same, booted by GRUB 2 from a CD (tests/grub/mkiso.sh):
#                    `module bzImage console=ttyS0`, the ROM, the initrd.
# In every mode /init's PASS/FAIL lines and SUMMARY are the guest's
# checks, and it ends through the exit port: QEMU status 1 means all
# passed.  Prints SKIP (with where to get a kernel) when KERNEL is absent.
# EXPECT_TERMINATED=REASON judges a run that must end in that termination.
set -u
. "$(dirname "$0")/../lib/qemu.sh"
BUILD=${1:?usage: $0 BUILD MODE KERNEL} mode=${2:?} kernel=${3:?}
HV=$BUILD/hypervisor/hypervisor.elf ROM=$BUILD/rom/vmi.rom
INITRD=${INITRD:-$BUILD/tests/linux/init.cpio}       # or another /init: klibc.cpio
APPEND="console=ttyS0"
name=$(basename "$kernel")-$(basename "$INITRD" .cpio)-$mode
if [ ! -f "$kernel" ]; then
    echo "SKIP: $name: $kernel is missing (the VMI-era reference kernel; ../shared/linux/README.md says how it is built)"
    exit 0
fi
for f in "$HV" "$ROM" "$INITRD"; do
    [ -f "$f" ] || { echo "FAIL: $name: $f is missing: run make BUILD=$BUILD"; exit 1; }
done
work=$BUILD/tests/linux && mkdir -p "$work"
serial=$work/$name.serial hvlog=$work/$name.hv fwlog=$work/$name.fwlog
case "$mode" in
    native)     args=(-kernel "$kernel" -initrd "$INITRD" -append "$APPEND") ;;
    native-rom) args=(-kernel "$kernel" -initrd "$INITRD" -append "$APPEND" -option-rom "$ROM") ;;
    hv)         args=(-kernel "$HV" -initrd "$kernel $APPEND,$ROM,$INITRD") ;;
    hv-grub)    tests/grub/mkiso.sh "$work/$name.iso" "$HV" "" "$kernel" "$APPEND" "$ROM" \
                    "$INITRD" || { echo "FAIL: $name: mkiso.sh could not build the CD"; exit 1; }
                args=(-cdrom "$work/$name.iso") ;;
    *) echo "FAIL: $name: unknown mode $mode (native, native-rom, hv, hv-grub)"; exit 1 ;;
esac
qemu_boot "$fwlog" "$hvlog" -m 128 "${args[@]}" < /dev/null 2> "$work/$name.stderr" \
    | tr -d '\r' > "$serial"
status=${PIPESTATUS[0]}
touch "$hvlog"
# EXPECT_TERMINATED=REASON: the run must instead end with the hypervisor
# terminating the guest for REASON (a kernel that needs what it lacks).
if [ -n "${EXPECT_TERMINATED:-}" ]; then
    grep -v '^\[ ' "$serial"                   # /init's own lines, if it ran
    grep -q '^SUMMARY: ' "$serial" && check "grep -q '^SUMMARY: [0-9]* passed, 0 failed' '$serial'" \
        "$name: /init's summary says 0 failed"
    check "[ $status = 225 ]" "$name: the hypervisor ends the guest (QEMU status 225)" "status $status"
    check "grep -q '^hv: guest terminated: $EXPECT_TERMINATED' '$hvlog'" \
          "$name: the reason is '$EXPECT_TERMINATED'" "$(grep -m1 'terminated' "$hvlog")"
    check "! grep -q PANIC '$hvlog'" "$name: no hypervisor panic"
    exit 0
fi
grep -v '^\[ ' "$serial"                       # /init's own lines: its checks
seen() { grep -qF "$2" "$1"; }
check "[ $status = 1 ]" "$name: /init passed all its checks (QEMU status 1)" \
      "QEMU status $status (3: a check failed, 124: hang, 225: terminated, 227: panic; log $serial)"
check "grep -q '^SUMMARY: [0-9]* passed, 0 failed' '$serial'" "$name: /init's summary says 0 failed"
case "$mode" in
    native) check "seen '$serial' 'Booting paravirtualized kernel on bare hardware'" \
                  "$name: Linux boots on bare hardware" ;;
    native-rom)
        check "seen '$serial' 'VMI: Found HyperROM'" "$name: Linux finds our ROM"
        check "seen '$serial' 'Booting paravirtualized kernel on bare hardware'" \
              "$name: VMI_Init fails cleanly and Linux boots on bare hardware" ;;
    hv|hv-grub)
        check "seen '$hvlog' 'hv: VMI_Init from the guest: VMI mode on'" \
              "$name: the hypervisor says VMI mode on"
        check "seen '$serial' 'Booting paravirtualized kernel on vmi'" \
              "$name: Linux says it runs paravirtualized on vmi"
        check "! seen '$hvlog' 'PANIC'" "$name: no hypervisor panic"
        [ "$mode" = hv ] || check "seen '$hvlog' 'hv: Linux zero page at 0x00090000, command line at 0x00091000: \"$APPEND\"'" \
              "$name: GRUB's 'module bzImage $APPEND' gives Linux the command line \"$APPEND\"" ;;
esac
