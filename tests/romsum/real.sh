#!/usr/bin/env bash
# real.sh - romsum on the option ROMs Debian ships for QEMU and SeaBIOS.
#
# The ROMs come from seabios (/usr/share/seabios: the VGA BIOSes),
# ipxe-qemu (/usr/lib/ipxe/qemu: iPXE's pxe-*.rom and efi-*.rom) and
# qemu-system-data (/usr/share/qemu: linuxboot, multiboot, kvmvapic, ...);
# qemu-system-x86 depends on all three, so a machine that runs the tests
# has them.  The verdicts are judged against facts read here with od, not
# against romsum: a file whose first bytes are 55 AA and whose romLength *
# 512 bytes sum to zero (what SeaBIOS's is_valid_rom checks) must pass
# `romsum check` with status 0 and the "not a VMI ROM" line; any other file
# must fail.  efi-*.rom carry an x86 image then an EFI image, chained by the
# PCIR image length; copies with one field damaged must fail naming it.
#
# Usage: tests/romsum/real.sh ROM ROMSUM   (as every romsum test; ROM unused)
# Prints "PASS: what" or "FAIL: what: why" per check; exits 1 on any FAIL.
set -u
romsum=${2:?usage: real.sh ROM ROMSUM}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
dirs="/usr/share/seabios /usr/lib/ipxe/qemu /usr/share/qemu"

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failures=$((failures + 1)); }

# u8/u16 FILE OFFSET: the byte or little-endian 16-bit value there.
u8()  { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' '; }

# sum8 FILE OFFSET LENGTH: the 8-bit sum of LENGTH bytes from OFFSET.
sum8() {
    od -An -tu1 -v -j "$2" -N "$3" "$1" |
        awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s % 256 }'
}

# poke FILE OFFSET HEXBYTES: overwrite bytes in place ("34 12").
poke() {
    local b
    for b in $3; do printf "\\x$b"; done |
        dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}

# fixsum FILE: make the first image's romLength * 512 bytes sum to zero
# again by adjusting byte 6 (iPXE's and SeaBIOS's checksum byte).
fixsum() {
    local len=$(( $(u8 "$1" 2) * 512 )) s b
    s=$(sum8 "$1" 0 "$len")
    b=$(( ($(u8 "$1" 6) - s) & 255 ))
    poke "$1" 6 "$(printf %02x $b)"
}

# run ARGS...: run romsum; status in $rc, output in $tmp/out and $tmp/err.
run() { "$romsum" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

# ---------------------------------------------------------------------
# Every file: romsum's verdict against SeaBIOS's own test
# ---------------------------------------------------------------------
for d in $dirs; do
    [ -d "$d" ] || fail "$d exists" "missing: install qemu-system-x86 (it depends on seabios, ipxe-qemu, qemu-system-data)"
done
valid=0 other=0
for f in /usr/share/seabios/*.bin /usr/lib/ipxe/qemu/*.rom /usr/share/qemu/*.bin \
         /usr/share/qemu/*.rom; do
    [ -f "$f" ] || continue
    len=$(( $(u8 "$f" 2) * 512 ))
    if [ "$(u16 "$f" 0)" = 43605 ] && [ "$len" -gt 0 ] &&
       [ "$len" -le "$(stat -Lc %s "$f")" ] && [ "$(sum8 "$f" 0 "$len")" = 0 ]; then
        valid=$((valid + 1))
        run check "$f"
        if [ "$rc" = 0 ] && grep -q "^$f: valid option ROM, not a VMI ROM (" "$tmp/out"; then
            pass "check $f: 55 AA and a zero sum over romLength * 512: valid, not a VMI ROM"
        else
            fail "check $f: valid, not a VMI ROM" "status $rc: $(cat "$tmp/out" "$tmp/err" | head -c 400)"
        fi
        run info "$f"
        if [ "$rc" = 0 ] && grep -q '^not a VMI ROM (hyperSignature' "$tmp/out" &&
           ! grep -q 'SetGDT' "$tmp/out"; then
            pass "info $f: decoded, no VMI entry points"
        else
            fail "info $f: decoded, no VMI entry points" "status $rc: $(head -c 300 "$tmp/err")"
        fi
    else
        other=$((other + 1))
        run check "$f"
        [ "$rc" = 1 ] && pass "check $f: not an option ROM by SeaBIOS's test: status 1" ||
            fail "check $f: not an option ROM: status 1" "status $rc: $(head -c 300 "$tmp/out")"
    fi
done
[ "$valid" -ge 26 ] && pass "$valid option ROMs found among Debian's files ($other other files)" ||
    fail "at least 26 option ROMs (10 VGA BIOSes, 16 iPXE ROMs)" "found $valid"

# ---------------------------------------------------------------------
# Two images: efi-*.rom
# ---------------------------------------------------------------------
for f in /usr/lib/ipxe/qemu/efi-*.rom; do
    [ -f "$f" ] || continue
    pcir=$(u16 "$f" 24)
    next=$(( $(u16 "$f" $((pcir + 16))) * 512 ))   # PCIR image length
    run info "$f"
    if [ "$rc" = 0 ] &&
       grep -q '^image 0 @0x00000 .*: x86 (PC-AT), ' "$tmp/out" &&
       grep -q "^image 1 @0x$(printf %05x $next) .*: EFI, " "$tmp/out" &&
       ! grep -q '^image 2' "$tmp/out"; then
        pass "info $f: image 0 x86, image 1 EFI at the x86 image's length 0x$(printf %x $next)"
    else
        fail "info $f: two images, x86 then EFI at 0x$(printf %x $next)" \
             "status $rc: $(grep '^image' "$tmp/out")"
    fi
done
f=/usr/lib/ipxe/qemu/efi-e1000.rom
run check "$f"
grep -q "(2 images: x86 (PC-AT), EFI)\$" "$tmp/out" &&
    pass "check efi-e1000.rom names both images" || fail "check efi-e1000.rom names both images" "$(cat "$tmp/out")"

# ---------------------------------------------------------------------
# build: any option ROM, not only ours
# ---------------------------------------------------------------------
# The VGA BIOS rebuilt from its own bytes: one more 512-byte unit (romsum
# puts the checksum in a last byte of its own), romLength and the PCIR's
# image length follow, and the result sums to zero by od's count.
src=/usr/share/seabios/vgabios-stdvga.bin
run build "$src" "$tmp/vga.rom"
size=$(stat -c %s "$tmp/vga.rom" 2>/dev/null || echo 0)
pcir=$(u16 "$src" 24)
if [ "$rc" = 0 ] && [ "$size" = $(( $(stat -Lc %s "$src") + 512 )) ] &&
   [ "$(u8 "$tmp/vga.rom" 2)" = $((size / 512)) ] &&
   [ "$(u16 "$tmp/vga.rom" $((pcir + 16)))" = $((size / 512)) ] &&
   [ "$(sum8 "$tmp/vga.rom" 0 "$size")" = 0 ]; then
    pass "build vgabios-stdvga.bin: $size bytes, romLength and PCIR image length $((size / 512)), sum 0"
else
    fail "build vgabios-stdvga.bin" "status $rc, $size bytes: $(head -c 300 "$tmp/err")"
fi
run build --vmi "$src" "$tmp/vga2.rom"
[ "$rc" = 1 ] && [ ! -e "$tmp/vga2.rom" ] && grep -q 'not a VMI ROM (--vmi)' "$tmp/err" &&
    pass "build --vmi vgabios-stdvga.bin: refused, not a VMI ROM" ||
    fail "build --vmi vgabios-stdvga.bin: refused" "status $rc: $(head -c 300 "$tmp/err")"

# ---------------------------------------------------------------------
# Damaged copies fail, naming the field and its offset
# ---------------------------------------------------------------------
src=/usr/lib/ipxe/qemu/pxe-e1000.rom
pcir=$(u16 "$src" 24)
len=$(( $(u8 "$src" 2) * 512 ))

# expect_fail WHAT REGEX: after run, status 1 and stderr matching REGEX.
expect_fail() {
    if [ "$rc" = 1 ] && grep -Eq -- "$2" "$tmp/err"; then pass "$1"
    else fail "$1" "status $rc; stderr: $(head -c 400 "$tmp/err")"; fi
}

cp "$src" "$tmp/flip.rom"
poke "$tmp/flip.rom" $((len / 2)) "$(printf %02x $(( ($(u8 "$src" $((len / 2))) + 1) & 255 )))"
run check "$tmp/flip.rom"
expect_fail "pxe-e1000.rom, one byte flipped: checksum @0x$(printf %04x $((len - 1))), sum 0x1" \
    "firmware: checksum @0x$(printf %04x $((len - 1))): .*found 0x1\$"

cp "$src" "$tmp/len.rom"
poke "$tmp/len.rom" $((pcir + 10)) "20 00"     # PCIR.length 0x1c -> 0x20
fixsum "$tmp/len.rom"
run check "$tmp/len.rom"
expect_fail "pxe-e1000.rom, PCIR length 0x20 (revision 3 is 0x1c): PCIR.length @0x$(printf %04x $((pcir + 10)))" \
    "firmware: PCIR.length @0x$(printf %04x $((pcir + 10))): not the size of a revision-3 structure: expected 0x1c, found 0x20\$"

cp "$src" "$tmp/ilen.rom"
poke "$tmp/ilen.rom" $((pcir + 16)) "10 00"    # image length below romLength
fixsum "$tmp/ilen.rom"
run check "$tmp/ilen.rom"
expect_fail "pxe-e1000.rom, PCIR image length 16 units: PCIR.image_length @0x$(printf %04x $((pcir + 16)))" \
    "firmware: PCIR.image_length @0x$(printf %04x $((pcir + 16))): shorter than the initialization size"

efi=/usr/lib/ipxe/qemu/efi-e1000.rom
next=$(( $(u16 "$efi" $((pcir + 16))) * 512 ))
epcir=$(( next + $(u16 "$efi" $((next + 24))) ))
cp "$efi" "$tmp/efi-len.rom"
poke "$tmp/efi-len.rom" $((epcir + 10)) "1c 00"  # revision 0 is 0x18 long
run check "$tmp/efi-len.rom"
expect_fail "efi-e1000.rom, image 1's revision-0 PCIR length 0x1c: PCIR.length @0x$(printf %x $((epcir + 10)))" \
    "firmware: image 1: PCIR.length @0x$(printf %04x $((epcir + 10))): not the size of a revision-0 structure: expected 0x18, found 0x1c\$"

cp "$efi" "$tmp/efi-last.rom"
poke "$tmp/efi-last.rom" $((epcir + 21)) "00"    # clear the last-image bit
run check "$tmp/efi-last.rom"
expect_fail "efi-e1000.rom, last-image bit cleared: PCIR.indicator @0x$(printf %x $((epcir + 21)))" \
    "firmware: image 1: PCIR.indicator @0x$(printf %04x $((epcir + 21))): last-image bit clear, but no image follows"

[ "$failures" = 0 ]
