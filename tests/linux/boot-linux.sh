#!/usr/bin/env bash
# boot-linux.sh - boot a Linux kernel on the hypervisor through its own
# Linux boot loader (hypervisor/loaders/linux.c, spec section 9 "Booting Linux")
# and judge the loader's part only.
#
# Usage: tests/linux/boot-linux.sh BUILD KERNEL
#   KERNEL is a bzImage or a vmlinux (../shared/linux/bzImage-noapic ...),
#   given relative to the top of the tree.  It is a multiboot module beside
#   the VMI ROM and a small initrd (an empty newc cpio made here), with the
#   command line "console=ttyS0 earlyprintk=serial".
#
# Checks, from the hypervisor's console (COM2) and the file itself: the
# hypervisor took the kernel for Linux with the file's protocol version and
# entry point; the zero page, command line, initrd and boot GDT are where
# spec section 9 says; it entered the guest at that entry; and the guest
# ran its own code: either Linux printed on COM1 (a line with "Linux"), or the run ended with a
# termination whose EIP lies in the kernel (its physical extent while it
# boots, or the same at PAGE_OFFSET).  Where Linux stops is reported, not
# judged, so the test keeps passing as Linux gets further; only a
# hypervisor panic, a refused image or no sign of the guest running fail.
# Prints SKIP when KERNEL is missing.  Logs in $BUILD/tests/linux/.
set -u
# The loader's part is over within the first second; Linux then runs on
# until it stops or this timeout ends the run (either is fine here).
QEMU_TIMEOUT=${QEMU_TIMEOUT:-10}
. "$(dirname "$0")/../lib/qemu.sh"
BUILD=${1:?usage: $0 BUILD KERNEL}
kernel=${2:?usage: $0 BUILD KERNEL}
HV=${HV:-$BUILD/hypervisor/hypervisor.elf}
ROM=${ROM:-$BUILD/rom/vmi.rom}
APPEND="console=ttyS0 earlyprintk=serial"
MEM_END=$((32 << 20))            # the hypervisor's default guest_mem
PAGE_OFFSET=0xC0000000           # CONFIG_PAGE_OFFSET of ../shared/linux's kernels
name=$(basename "$kernel")

if [ ! -f "$kernel" ]; then
    echo "SKIP: $name: $kernel is missing (a Linux 2.6.32 VMI kernel: see ../shared/linux/README.md)"
    exit 0
fi
for f in "$HV" "$ROM"; do
    [ -f "$f" ] || { echo "FAIL: $name: $f is missing: run make BUILD=$BUILD"; exit 1; }
done
work=$BUILD/tests/linux
mkdir -p "$work"
base=$work/$name
initrd=$work/initrd.cpio serial=$base.serial hvlog=$base.hv fwlog=$base.fwlog
rm -f "$serial" "$hvlog" "$fwlog"

# An empty newc archive: one header (magic, 13 fields of 8 hex digits)
# naming TRAILER!!!, padded to 4 bytes, then to 512.
make_initrd() {
    { printf '070701'; printf '%08X' 0 0 0 0 1 0 0 0 0 0 0 11 0; printf 'TRAILER!!!\0\0\0'; } > "$initrd"
    truncate -s 512 "$initrd"
}

# Little-endian unsigned integer of $2 bytes at offset $1 of the kernel file.
file_uint() {
    local v
    v=$(od -An -t u"$2" -j "$1" -N "$2" "$kernel" | tr -d ' ')
    echo "${v:-0}"
}

make_initrd
qemu_boot "$fwlog" "$hvlog" -m 128 -kernel "$HV" \
    -initrd "$kernel $APPEND,$ROM,$initrd" < /dev/null 2> "$base.stderr" | tr -d '\r' > "$serial"
status=${PIPESTATUS[0]}
touch "$hvlog"
tr -d '\r' < "$hvlog" > "$hvlog.txt" && mv "$hvlog.txt" "$hvlog"
echo "--- hypervisor console ($hvlog), QEMU status $status:"
cat "$hvlog"
echo "--- guest console, first lines ($serial):"
head -n 20 "$serial"
echo "---"

# What the file says: protocol version and entry point.
if [ "$(file_uint 0 4)" = $((0x464c457f)) ]; then
    kind="Linux ELF" want_version=2.07 want_entry=$(file_uint 24 4)
else
    v=$(file_uint $((0x206)) 2)
    kind="Linux bzImage" want_version=$(printf '%u.%02u' $((v >> 8)) $((v & 255)))
    want_entry=$(file_uint $((0x214)) 4)
fi
kline=$(grep -m 1 "^hv: guest kernel $kernel: " "$hvlog")
check '[[ "$kline" == *": $kind"*"boot protocol $want_version"* ]]' \
    "$name: the hypervisor loads it as a $kind, boot protocol $want_version" "got: ${kline:-no kernel line}"
entry=$(sed -n 's/.* entry \(0x[0-9a-f]*\).*/\1/p' <<< "$kline")
check '[ -n "$entry" ] && [ $((entry)) = "$want_entry" ]' \
    "$name: entry point $(printf '%#x' "$want_entry") (the file's)" "logged entry ${entry:-none}"
zline=$(grep -m 1 '^hv: Linux zero page at ' "$hvlog")
check '[ "$zline" = "hv: Linux zero page at 0x00090000, command line at 0x00091000: \"$APPEND\"" ]' \
    "$name: zero page at 0x90000, command line at 0x91000: \"$APPEND\"" "got: ${zline:-none}"
needs=$(sed -n 's/.* needs memory up to \(0x[0-9a-f]*\).*/\1/p' <<< "$kline")
iline=$(grep -m 1 '^hv: Linux initrd at ' "$hvlog")
iaddr=$(sed -n 's/^hv: Linux initrd at \(0x[0-9a-f]*\), \([0-9]*\) bytes$/\1/p' <<< "$iline")
ilen=$(sed -n 's/^hv: Linux initrd at \(0x[0-9a-f]*\), \([0-9]*\) bytes$/\2/p' <<< "$iline")
check '[ -n "$iaddr" ] && [ -n "$needs" ] && [ "$ilen" = "$(stat -c %s "$initrd")" ] &&
       [ $((iaddr & 4095)) = 0 ] && [ $((iaddr)) -ge $((needs)) ] && [ $((iaddr + ilen)) -le $MEM_END ]' \
    "$name: the initrd is page aligned, above the kernel ($needs), in guest memory" "got: ${iline:-none}"
gline=$(grep -m 1 '^hv: Linux boot GDT at ' "$hvlog")
check '[ "$gline" = "hv: Linux boot GDT at 0x00092000: CS 11 DS 19, flat, DPL 1" ]' \
    "$name: boot GDT at 0x92000, CS 0x11, DS/ES/FS/GS/SS 0x19" "got: ${gline:-none}"
check 'grep -qx "hv: entering guest at $(printf "0x%08x" "$want_entry") in ring 1" "$hvlog"' \
    "$name: the guest is entered at its entry point in ring 1"

# Did the guest run its own code?  Linux's output, or a termination inside it.
term=$(grep -m 1 '^hv: guest terminated: ' "$hvlog")
eip=$(sed -n 's/^hv:   eip \([0-9a-f]*\) .*/0x\1/p' "$hvlog" | head -n 1)
in_kernel() {
    [ -n "$eip" ] && [ -n "$needs" ] &&
    { { [ $((eip)) -ge $((want_entry)) ] && [ $((eip)) -lt $((needs)) ]; } ||
      { [ $((eip)) -ge $((PAGE_OFFSET + want_entry)) ] && [ $((eip)) -lt $((PAGE_OFFSET + needs)) ]; }; }
}
if grep -q 'Linux' "$serial"; then
    echo "PASS: $name: the guest ran: Linux printed on COM1: $(grep -m 1 'Linux' "$serial")"
elif in_kernel; then
    echo "PASS: $name: the guest ran its own code: stopped at eip $eip, inside the kernel"
else
    echo "FAIL: $name: no sign that the guest ran: nothing on COM1, termination eip ${eip:-none} (${term:-no termination})"
fi
check '[ "$status" != 227 ] && ! grep -q "^hv: guest terminated: guest image" "$hvlog"' \
    "$name: no hypervisor panic, no refused image" "QEMU status $status: ${term:-}"
echo "note: $name: the run ended with QEMU status $status; ${term:-no termination}${eip:+ (eip $eip)}"
