#!/usr/bin/env bash
# hv-roms.sh - the hypervisor's ROM modules beyond our own VMI ROM.
#
# Boots the demo guest on the hypervisor (tests/lib/boot.sh hv) twice:
#  1. ROMs vmi.rom and SeaBIOS's vgabios-stdvga.bin, a valid option ROM
#     that is not a VMI ROM: the hypervisor places it and says so in one
#     line naming the PCI IDs (read here from the file's PCIR with od), the
#     guest's VMI scan skips it, and the demo still passes on vmi.rom;
#  2. vmi.rom plus two damaged copies: the VGA BIOS with its revision-0
#     PCIR length set to 1Ch (checksum fixed: its only problem), and our
#     ROM with its two jump points and license offset zeroed (checksum
#     fixed: several VMI problems, as many as romsum check counts).
#     Each is refused in exactly one line naming the verdict, field and
#     offset; the demo still passes on vmi.rom.
#
# Usage: tests/romsum/hv-roms.sh ROM ROMSUM   (as every romsum test)
# Prints "PASS: what" or "FAIL: what: why" per check; exits 1 on any FAIL.
set -u
rom=${1:?usage: hv-roms.sh ROM ROMSUM}
romsum=${2:?usage: hv-roms.sh ROM ROMSUM}
export BUILD=${BUILD:-$(dirname "$rom")/..}
demo=$BUILD/guest/demo/demo.elf
vga=/usr/share/seabios/vgabios-stdvga.bin
work=$BUILD/tests/romsum/hv
mkdir -p "$work"
failures=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failures=$((failures + 1)); }
u8()  { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' '; }
poke() {
    local b
    for b in $3; do printf "\\x$b"; done |
        dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}
# fixsum FILE AT: make romLength * 512 bytes sum to zero with byte AT.
fixsum() {
    local len=$(( $(u8 "$1" 2) * 512 )) s
    s=$(od -An -tu1 -v -N "$len" "$1" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s % 256 }')
    poke "$1" "$2" "$(printf %02x $(( ($(u8 "$1" "$2") - s) & 255 )))"
}
# boot NAME ROMS: the demo on the hypervisor with ROMS; its PASS/FAIL lines
# are this test's; the hypervisor's console is left in $hvlog.
# ("roms=NAME" on the guest's command line names boot.sh's logs apart
# from the demo row's.)
boot() {
    ROM=$2 tests/lib/boot.sh hv "$demo" -append "roms=$1" > "$work/$1.out" 2>&1
    grep -E '^(PASS|FAIL): ' "$work/$1.out"
    grep -q '^FAIL: ' "$work/$1.out" && failures=$((failures + 1))
    cp "$BUILD/tests/boot/demo-hv-roms=$1.hv" "$work/$1.hv"
}

pcir=$(u16 "$vga" 24)
id=$(printf '%04x:%04x' "$(u16 "$vga" $((pcir + 4)))" "$(u16 "$vga" $((pcir + 6)))")

# 1. A valid option ROM that is not a VMI ROM.
boot foreign "$rom,$vga"
n=$(grep -c "$vga" "$work/foreign.hv")
if [ "$n" = 1 ] && grep -q "^hv: ROM $vga at 0x[0-9a-f]* ($(stat -c %s "$vga") bytes): an option ROM (PCI $id), not a VMI ROM; the guest's VMI scan skips it\$" "$work/foreign.hv"; then
    pass "hv: $vga placed, in one line: PCI $id, not a VMI ROM"
else
    fail "hv: $vga placed, in one line" "$(grep "$vga" "$work/foreign.hv")"
fi
grep -q '^VMI: skipped ROM at 0x[0-9a-f]*: hyperSignature: not a VMI ROM' "$work/foreign.out" &&
    pass "the guest's VMI scan skips the VGA BIOS as not a VMI ROM" ||
    fail "the guest's VMI scan skips the VGA BIOS" "$(grep '^VMI:' "$work/foreign.out")"

# 2. Damaged copies, each refused in one line.
badvga=$work/bad-vga.bin badvmi=$work/bad-vmi.rom
cp "$vga" "$badvga"
poke "$badvga" $((pcir + 10)) "1c 00"          # revision 0 is 18h long
fixsum "$badvga" 6                               # SeaBIOS's checksum byte
cp "$rom" "$badvmi"
head -c 16 /dev/zero | dd of="$badvmi" bs=1 seek=128 conv=notrunc status=none
poke "$badvmi" 22 "00 00"                       # license_offset
fixsum "$badvmi" $(( $(stat -c %s "$rom") - 1 ))  # our checksum byte is last
"$romsum" check "$badvmi" > "$work/bad-vmi.check" 2>&1
vmi_errors=$(grep -c ': VMI: [^w]' "$work/bad-vmi.check")
boot damaged "$rom,$badvga,$badvmi"
n=$(grep -c "$badvga" "$work/damaged.hv")
want="^hv: ROM $badvga refused: firmware: PCIR.length @0x$(printf %x $((pcir + 10))): not the size of a revision-0 structure (found 0x1c, expected 0x18)\$"
[ "$n" = 1 ] && grep -q "$want" "$work/damaged.hv" &&
    pass "hv: the VGA BIOS with PCIR length 1Ch refused in one line: PCIR.length @0x$(printf %x $((pcir + 10)))" ||
    fail "hv: the damaged VGA BIOS refused in one line" "$(grep "$badvga" "$work/damaged.hv")"
n=$(grep -c "$badvmi" "$work/damaged.hv")
[ "$n" = 1 ] && [ "$vmi_errors" -gt 1 ] &&
    grep -q "^hv: ROM $badvmi refused: VMI: jump VMI_Init @0x80: .*; $((vmi_errors - 1)) more problems (romsum check lists them)\$" "$work/damaged.hv" &&
    pass "hv: our ROM without jump points and license refused in one line, of romsum's $vmi_errors VMI problems" ||
    fail "hv: our damaged ROM refused in one line" "$(grep "$badvmi" "$work/damaged.hv"); romsum: $vmi_errors"

[ "$failures" = 0 ]
