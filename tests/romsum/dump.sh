#!/usr/bin/env bash
# dump.sh - romsum scan on a real memory dump of C0000h-FFFFFh.
#
# Boots QEMU + SeaBIOS with the standard VGA (its ROM is SeaBIOS's
# vgabios-stdvga.bin), an e1000 NIC with iPXE's efi-e1000.rom (ipxe-qemu;
# SeaBIOS copies its x86 image) and
# our ROM (-option-rom), waits until SeaBIOS starts booting (its debug log
# says "Booting from": every option ROM has run, the area is read-only),
# then dumps C0000h-FFFFFh with the monitor's pmemsave.  The facts come
# from outside romsum: the addresses from SeaBIOS's "Running option rom at
# SSSS:0003" lines, the PCI IDs from its "PCI: init bdf=... id=V:D" lines,
# each ROM's bytes (romLength, checksum, PCIR, PnP product) read from the
# dump with od, and our ROM found by comparing the dump with vmi.rom.
#
# Usage: tests/romsum/dump.sh ROM ROMSUM   (as every romsum test)
#   ROM     the built ROM ($(BUILD)/rom/vmi.rom); ROMSUM the romsum binary
# Prints "PASS: what" or "FAIL: what: why" per check; exits 1 on any FAIL.
set -u
rom=${1:?usage: dump.sh ROM ROMSUM}
romsum=${2:?usage: dump.sh ROM ROMSUM}
BUILD=${BUILD:-$(dirname "$rom")/..}
. "$(dirname "$0")/../lib/qemu.sh"
nicrom=/usr/lib/ipxe/qemu/efi-e1000.rom    # ipxe-qemu: x86 then EFI image
work=$BUILD/tests/romsum/dump
mkdir -p "$work"
fwlog=$work/seabios.log dump=$work/c0000.bin scan=$work/scan.out
rm -f "$fwlog" "$dump" "$work/monitor" "$scan"
failures=0
BASE=$((0xC0000)) DUMP_LEN=$((0x40000)) WAIT=60   # seconds SeaBIOS may take

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failures=$((failures + 1)); }

# u8/u16 OFFSET: byte or little-endian 16-bit value of the dump there.
u8()  { od -An -tu1 -j "$1" -N1 "$dump" | tr -d ' '; }
u16() { od -An -tu2 -j "$1" -N2 "$dump" | tr -d ' '; }
# str OFFSET: the NUL-terminated string of the dump there (up to 80 bytes).
str() { dd if="$dump" bs=1 skip="$1" count=80 status=none | tr '\0' '\n' | head -n1; }
# sum8 OFFSET LENGTH: the 8-bit sum of the dump's bytes there.
sum8() {
    od -An -tu1 -v -j "$1" -N "$2" "$dump" |
        awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s % 256 }'
}

# ---------------------------------------------------------------------
# Boot, wait for the boot stage, dump
# ---------------------------------------------------------------------
mkfifo "$work/monitor"
timeout $((WAIT + 30)) "$QEMU" -nodefaults -vga std -display none -no-reboot \
    -serial none -monitor stdio \
    -chardev file,id=fwlog,path="$fwlog" -device isa-debugcon,iobase=0x402,chardev=fwlog \
    -netdev user,id=n0 -device e1000,netdev=n0,romfile="$nicrom" -option-rom "$rom" \
    < "$work/monitor" > "$work/qemu.out" 2>&1 &
qemu=$!
exec 3> "$work/monitor"
for _ in $(seq $((WAIT * 5))); do
    grep -q '^Booting from' "$fwlog" 2>/dev/null && break
    kill -0 "$qemu" 2>/dev/null || break
    sleep 0.2
done
booting=$(grep -c '^Booting from' "$fwlog" 2>/dev/null)
echo "pmemsave $BASE $DUMP_LEN \"$dump\"" >&3
echo quit >&3
exec 3>&-
wait "$qemu"
rm -f "$work/monitor"
[ "$booting" -gt 0 ] && pass "SeaBIOS ran the option ROMs and started booting" ||
    fail "SeaBIOS started booting within ${WAIT}s" "$(tail -n 3 "$fwlog" 2>/dev/null)"
if [ "$(stat -c %s "$dump" 2>/dev/null)" = "$DUMP_LEN" ]; then
    pass "pmemsave dumped C0000h-FFFFFh ($DUMP_LEN bytes)"
else
    fail "pmemsave dumped C0000h-FFFFFh" "$(cat "$work/qemu.out")"
    exit 1
fi

# ---------------------------------------------------------------------
# romsum scan --legacy: every ROM SeaBIOS ran, with the right verdict
# ---------------------------------------------------------------------
"$romsum" scan "$dump" --base $BASE --legacy > "$scan" 2>&1; rc=$?
[ "$rc" = 0 ] && pass "scan: status 0 (a guest finds our VMI ROM)" ||
    fail "scan: status 0" "status $rc: $(cat "$scan")"
addrs=$(sed -n 's/^Running option rom at \([0-9a-f]*\):0003$/\1/p' "$fwlog")
[ -n "$addrs" ] || fail "SeaBIOS logged the option ROMs it ran" "none in $fwlog"
ours=""
for seg in $addrs; do
    a=$((0x$seg * 16)) off=$((0x$seg * 16 - BASE))
    line=$(grep "^  0x$(printf %05x $a) " "$scan")
    if [ -z "$line" ]; then
        fail "scan lists the ROM SeaBIOS ran at $seg:0003" "$(cat "$scan")"
        continue
    fi
    len=$(( $(u8 $((off + 2))) * 512 ))
    cmp -s -n "$(stat -c %s "$rom")" "$rom" <(tail -c +$((off + 1)) "$dump") && ours=$a
    if [ "$(sum8 "$off" "$len")" = 0 ]; then
        [[ "$line" == *"  valid"* ]] &&
            pass "0x$(printf %05x $a): its $len bytes sum to zero: romsum says valid" ||
            fail "0x$(printf %05x $a): sums to zero: valid" "$line"
    else
        [[ "$line" == *"INVALID: checksum"* ]] &&
            pass "0x$(printf %05x $a): its $len bytes in memory do not sum to zero: romsum says INVALID: checksum" ||
            fail "0x$(printf %05x $a): a non-zero sum: INVALID: checksum" "$line"
    fi
done

# pci_id BDF: the vendor:device SeaBIOS logged for a PCI function.
pci_id() { sed -n "s/^PCI: init bdf=$1 id=\([0-9a-f:]*\)$/\1/p" "$fwlog"; }
# pcir_id OFFSET: vendor:device of the PCIR of the dump's ROM at OFFSET.
pcir_id() {
    local p=$(( $1 + $(u16 $(($1 + 24))) ))
    printf '%04x:%04x' "$(u16 $((p + 4)))" "$(u16 $((p + 6)))"
}

# The VGA BIOS: at C0000h, for the function SeaBIOS made primary VGA.
vga_bdf=$(sed -n 's/^PCI: Using \([0-9a-f:.]*\) for primary VGA$/\1/p' "$fwlog")
vga_id=$(pci_id "$vga_bdf")
line=$(grep '^  0xc0000 ' "$scan")
if [ -n "$vga_id" ] && [ "$(pcir_id 0)" = "$vga_id" ] &&
   [[ "$line" == *"PCI $vga_id display (VGA)  valid, not a VMI ROM" ]]; then
    pass "scan names the VGA BIOS at 0xc0000: PCI $vga_id (SeaBIOS's primary VGA $vga_bdf), display (VGA), valid, not VMI"
else
    fail "scan names the VGA BIOS at 0xc0000 as PCI $vga_id" "PCIR $(pcir_id 0); $line"
fi

# The NIC's ROM: the IDs in the ROM file's own PCIR (read with od), which
# SeaBIOS must have found on a PCI function; the product from the dump's
# own PnP header.
p=$(od -An -tu2 -j 24 -N2 "$nicrom" | tr -d ' ')
nic_id=$(printf '%04x:%04x' "$(od -An -tu2 -j $((p + 4)) -N2 "$nicrom")" \
                             "$(od -An -tu2 -j $((p + 6)) -N2 "$nicrom")")
grep -q "^PCI: init bdf=[0-9a-f:.]* id=$nic_id\$" "$fwlog" &&
    pass "SeaBIOS found the NIC whose ROM is $nicrom: PCI $nic_id" ||
    fail "SeaBIOS found a PCI $nic_id function" "$(grep '^PCI: init' "$fwlog")"
line=$(grep " PCI $nic_id network (Ethernet) " "$scan")
a=$(echo "$line" | awk '{ print $1 }')
if [ -n "$nic_id" ] && [ -n "$line" ]; then
    off=$((a - BASE))
    pnp=$((off + $(u16 $((off + 26)))))
    product=$(str $((off + $(u16 $((pnp + 16))))))
    if [ "$(pcir_id "$off")" = "$nic_id" ] && [[ "$product" == iPXE* ]] &&
       [[ "$line" == *"\"$product\"  valid, not a VMI ROM" ]]; then
        pass "scan names the NIC ROM at $a: PCI $nic_id, \"$product\", valid, not VMI"
    else
        fail "scan names the NIC ROM at $a" "PCIR $(pcir_id "$off"), product '$product': $line"
    fi
else
    fail "scan lists a PCI $nic_id network ROM (the e1000 SeaBIOS found)" "$(cat "$scan")"
fi

# Our ROM: where the dump holds vmi.rom byte for byte.
if [ -n "$ours" ]; then
    a=$(printf 0x%05x "$ours")
    line=$(grep "^  $a " "$scan")
    [[ "$line" == *"PCI 15ad:0801 system peripheral  \"HyperROM VMI 3.0 reference ROM\"  VMI API 3.0  valid VMI ROM" ]] &&
        grep -q "picks the ROM at $a " "$scan" &&
        pass "scan names our VMI ROM at $a (where the dump holds vmi.rom) and the guest picks it" ||
        fail "scan names our VMI ROM at $a and picks it" "$line / $(tail -n1 "$scan")"
else
    fail "the dump holds vmi.rom where SeaBIOS ran a ROM" "$(cat "$scan")"
fi

[ "$failures" = 0 ]
