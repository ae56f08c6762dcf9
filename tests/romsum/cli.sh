#!/usr/bin/env bash
# cli.sh - tests of the romsum command line: exit codes, messages, build,
# check, info and scan on good, damaged, empty, truncated, garbage and
# oversized files.
#
# Usage: tests/romsum/cli.sh ROM ROMSUM
#   ROM     the built ROM ($(BUILD)/rom/vmi.rom)
#   ROMSUM  the romsum binary ($(BUILD)/tools/romsum/romsum)
# Prints "PASS: what" or "FAIL: what: why" per check; exits 1 on any FAIL.
set -u
rom=${1:?usage: cli.sh ROM ROMSUM}
romsum=${2:?usage: cli.sh ROM ROMSUM}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
max=98304            # HR_ROM_MAX_SIZE: the option-ROM area C8000h-DFFFFh
size=$(stat -c %s "$rom")

# pass WHAT / fail WHAT WHY: one protocol line each.
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failures=$((failures + 1)); }

# run ARGS...: run romsum, keeping status in $rc, output in $tmp/out, $tmp/err.
run() {
    "$romsum" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# expect WHAT STATUS [STREAM REGEX]...: after run, the status is STATUS and
# each STREAM (out or err) matches its extended REGEX.
expect() {
    local what=$1 want=$2 stream regex
    shift 2
    if [ "$rc" != "$want" ]; then
        fail "$what" "exit status $rc, expected $want; stderr: $(head -c 300 "$tmp/err")"
        return
    fi
    while [ $# -ge 2 ]; do
        stream=$1 regex=$2
        shift 2
        if ! grep -Eq -- "$regex" "$tmp/$stream"; then
            fail "$what" "std$stream does not match /$regex/: $(head -c 300 "$tmp/$stream")"
            return
        fi
    done
    pass "$what"
}

# poke FILE OFFSET HEXBYTES: overwrite bytes in place ("34 12").
poke() {
    local b
    for b in $3; do printf "\\x$b"; done |
        dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}

# u16 FILE OFFSET: the little-endian 16-bit value there, in decimal.
u16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' '; }

# ---------------------------------------------------------------------
# Usage
# ---------------------------------------------------------------------
run;                      expect "no arguments: usage on stderr, status 2" 2 err '^usage: romsum'
run --help;               expect "--help: usage on stdout, status 0" 0 out '^usage: romsum build'
run -h;                   expect "-h: usage, status 0" 0 out 'romsum scan IMAGE'
run --help;               expect "--help explains every command, --vmi and --legacy" 0 \
    out '^romsum check \[--vmi\] ROM$' out '^romsum build \[--vmi\] IN OUT$' \
    out '^romsum info ROM$' out '^romsum scan IMAGE' out '^  --legacy  scan from C0000h' \
    out '^  --need M\.N' out 'a VMI ROM with --vmi'
run frobnicate;           expect "unknown command: status 2" 2 err 'unknown command'
run check;                expect "check without ROM: status 2" 2 err 'check needs one ROM'
run check "$rom" "$rom";  expect "check with two ROMs: status 2" 2 err 'usage:'
run build "$rom";         expect "build without OUT: status 2" 2 err 'build needs IN and OUT'
run scan;                 expect "scan without IMAGE: status 2" 2 err 'missing IMAGE'

# ---------------------------------------------------------------------
# check
# ---------------------------------------------------------------------
run check "$rom"; expect "check: the built ROM is a valid option ROM and VMI ROM" 0 \
    out "^$rom: valid option ROM \\(1 image: x86 \\(PC-AT\\)\\), valid VMI ROM \\(API 3\\.0\\)\$"
[ -s "$tmp/err" ] && fail "check: the built ROM prints nothing on stderr" "$(cat "$tmp/err")" \
                  || pass "check: the built ROM prints nothing on stderr"
run check --vmi "$rom"; expect "check --vmi: the built ROM passes" 0 out 'valid VMI ROM'
run check "$rom" --vmi; expect "check ROM --vmi (flag last): usage, status 2" 2 err 'check needs one ROM'
run check "$tmp/nope.rom"; expect "check: missing file: status 2" 2 err "nope.rom: No such file"
run check "$tmp";          expect "check: a directory: status 2" 2 err '^romsum: '
: > "$tmp/empty"
run check "$tmp/empty"; expect "check: empty file: status 1" 1 \
    err "empty: firmware: header @0x0000: fewer bytes than an option ROM header: expected 0x1c, found 0x0"
head -c 1000 "$rom" > "$tmp/trunc.rom"
run check "$tmp/trunc.rom"; expect "check: truncated ROM: romLength error" 1 \
    err "trunc.rom: firmware: romLength @0x0002: romLength \\* 512 runs past"
yes garbage | head -c 4096 > "$tmp/garbage"
run check "$tmp/garbage"; expect "check: garbage: romSignature error" 1 err 'garbage: firmware: romSignature @0x0000'
truncate -s 17M "$tmp/huge"    # more than a PCI expansion ROM's 16 MiB
run check "$tmp/huge"; expect "check: 17 MiB file: refused, status 1" 1 err 'huge: larger than 16777216 bytes'
{ cat "$rom"; head -c 204800 /dev/zero; } > "$tmp/over.rom"
run check "$tmp/over.rom"; expect "check: ROM plus 200 KiB: status 1" 1 \
    err "VMI: file is [0-9]+ bytes, more than the $max-byte option-ROM area" \
    err 'VMI: romLength @0x0002: romLength \* 512 differs from the file size' \
    err 'firmware: warning: size @0x[0-9a-f]+: bytes after the last image'
cp "$rom" "$tmp/flip.rom"
poke "$tmp/flip.rom" 0x100 "$(printf %02x $(( ($(od -An -tu1 -j256 -N1 "$rom") + 1) & 255 )))"
run check "$tmp/flip.rom"; expect "check: one byte flipped: the checksum line, exactly" 1 \
    err "^romsum: $tmp/flip.rom: firmware: checksum @0x$(printf %04x $((size - 1))): 8-bit sum of the romLength \\* 512 bytes is not zero: expected 0x0, found 0x1\$" \
    err "flip.rom: invalid option ROM: 1 error\$"

# ---------------------------------------------------------------------
# build
# ---------------------------------------------------------------------
pcir=$(u16 "$rom" 24)                       # header: pciHeaderOffset @24
head -c $((size - 1)) "$rom" > "$tmp/raw"   # the ROM without its checksum byte
run build "$tmp/raw" "$tmp/out.rom"
if [ "$rc" = 0 ] && cmp -s "$tmp/out.rom" "$rom"; then
    pass "build: rebuilding the ROM reproduces it byte for byte"
else
    fail "build: rebuilding the ROM reproduces it byte for byte" "status $rc; $(cat "$tmp/err")"
fi
: > "$tmp/raw0"
run build "$tmp/raw0" "$tmp/out0.rom"
expect "build: empty input refused, status 1" 1 err 'too short to hold the 28-byte option ROM header'
cp "$tmp/raw" "$tmp/raw-vendor"
poke "$tmp/raw-vendor" $((pcir + 4)) "34 12"  # PCIR.vendor_id
run build "$tmp/raw-vendor" "$tmp/vendor.rom"
expect "build: a foreign vendor builds, with a warning" 0 \
    err "warning: PCIR.vendor_id @0x$(printf %04x $((pcir + 4))): not the vendor Linux expects: expected 0x15ad, found 0x1234\$"
run check "$tmp/vendor.rom"
expect "check: a foreign vendor is OK with one warning" 0 out "vendor.rom: valid option ROM .*, valid VMI ROM \\(API 3\\.0\\) \\(1 warning\\)\$" \
    err "^romsum: $tmp/vendor.rom: VMI: warning: PCIR.vendor_id @0x"
{ cat "$tmp/raw"; head -c $((max - size)) /dev/zero; } > "$tmp/raw-max"
run build "$tmp/raw-max" "$tmp/max.rom"
if [ "$rc" = 0 ] && [ "$(stat -c %s "$tmp/max.rom")" = "$max" ] &&
   "$romsum" check "$tmp/max.rom" >/dev/null 2>&1; then
    pass "build: $((max - 1)) bytes make a $max-byte ROM that checks OK"
else
    fail "build: $((max - 1)) bytes make a $max-byte ROM that checks OK" "status $rc; $(cat "$tmp/err")"
fi
{ cat "$tmp/raw-max"; printf '\0'; } > "$tmp/raw-over"
echo old > "$tmp/over.rom"
run build "$tmp/raw-over" "$tmp/over.rom"
expect "build: a $max-byte VMI image refused: with its checksum byte it overflows the option-ROM area, status 1" 1 \
    err "raw-over: VMI: file is $((max + 512)) bytes, more than the $max-byte option-ROM area" \
    err 'not writing .*over.rom: the built ROM fails its check'
[ -e "$tmp/over.rom" ] || [ -e "$tmp/over.rom.tmp" ] &&
    fail "build: a refused build leaves no OUT behind" "$(ls "$tmp")" ||
    pass "build: a refused build leaves no OUT behind"
run build "$tmp/huge" "$tmp/huge.rom"
expect "build: a 2 MiB input refused, status 1" 1 err 'too large'
echo old > "$tmp/garbage.rom"
run build "$tmp/garbage" "$tmp/garbage.rom"
expect "build: garbage fails its check, status 1" 1 err 'romSignature @0x0000' \
    err 'not writing .*garbage.rom: the built ROM fails its check'
[ -e "$tmp/garbage.rom" ] || [ -e "$tmp/garbage.rom.tmp" ] &&
    fail "build: a failed check leaves no OUT (not even an old one)" "$(ls "$tmp")" ||
    pass "build: a failed check leaves no OUT (not even an old one)"
run build "$tmp/nope" "$tmp/x.rom"; expect "build: missing input, status 2" 2 err 'nope: No such file'
run build "$tmp/raw" "$tmp/no/such/dir/x.rom"
expect "build: unwritable output, status 2" 2 err 'x.rom.tmp: No such file'

# A non-VMI option ROM: our raw image with hyperSignature @8 changed.
cp "$tmp/raw" "$tmp/raw-novmi"; poke "$tmp/raw-novmi" 8 "78 78 78 78"
run build "$tmp/raw-novmi" "$tmp/novmi.rom"
expect "build: a non-VMI option ROM builds" 0
run check "$tmp/novmi.rom"
expect "check: a non-VMI option ROM: valid, not a VMI ROM, status 0" 0 \
    out "^$tmp/novmi.rom: valid option ROM, not a VMI ROM \\(1 image: x86 \\(PC-AT\\)\\)\$"
[ -s "$tmp/err" ] && fail "check: a non-VMI ROM gets no VMI messages" "$(cat "$tmp/err")" ||
    pass "check: a non-VMI ROM gets no VMI messages"
run check --vmi "$tmp/novmi.rom"
expect "check --vmi: a non-VMI ROM is an error, status 1" 1 \
    err 'VMI: hyperSignature @0x0008: not "cVmi": not a VMI ROM \(--vmi\)'
run build --vmi "$tmp/raw-novmi" "$tmp/novmi2.rom"
expect "build --vmi: a non-VMI image refused, status 1" 1 err 'not a VMI ROM \(--vmi\)'
[ -e "$tmp/novmi2.rom" ] && fail "build --vmi: refused, no OUT" "$(ls "$tmp")" ||
    pass "build --vmi: refused, no OUT"
run info "$tmp/novmi.rom"
expect "info: a non-VMI ROM: decoded, no VMI entry points, status 0" 0 \
    out '^not a VMI ROM \(hyperSignature @0x0008 is 0x78787878' out 'vendor:device +15ad:0801'
grep -q 'SetGDT' "$tmp/out" && fail "info: a non-VMI ROM lists no VMI calls" "SetGDT listed" ||
    pass "info: a non-VMI ROM lists no VMI calls"
{ printf '\x55\xaa'; head -c 140000 /dev/zero; } > "$tmp/raw-big"
run build "$tmp/raw-big" "$tmp/big.rom"
expect "build: more than 255 * 512 bytes refused, status 1" 1 \
    err 'too large; the image and its checksum byte must fit 130560 bytes'

# ---------------------------------------------------------------------
# The firmware check's structure rules, on a two-image seed (an x86 image
# with a revision-3 PCIR, device list and PnP header, then an EFI image)
# ---------------------------------------------------------------------
seed=$(dirname "$0")/../fuzz/corpus/romsum/two-images.seed
# two NAME OFFSET HEXBYTES: a copy of the seed with bytes changed and the
# first image's checksum byte (its last, @1FFh) fixed again.
two() {
    local s
    cp "$seed" "$tmp/$1"
    poke "$tmp/$1" "$2" "$3"
    s=$(od -An -tu1 -v -N 511 "$tmp/$1" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s % 256 }')
    poke "$tmp/$1" 511 "$(printf %02x $(( (256 - s) & 255 )))"
}
run check "$seed"
expect "check: the two-image seed: valid, x86 then EFI" 0 out '\(2 images: x86 \(PC-AT\), EFI\)$'
two devlist.rom 0x24 "f0 01"               # PCIR @1Ch: device list @+8
run check "$tmp/devlist.rom"
expect "check: a device list that does not end inside the image" 1 \
    err 'firmware: PCIR.device_list @0x0024: list does not end \(0000h\) inside the image: found 0x1f0$'
two config.rom 0x34 "00 04"                # configuration utility @+18h
run check "$tmp/config.rom"
expect "check: a configuration utility pointer outside the image" 1 \
    err 'firmware: PCIR.config_utility @0x0034: points outside the image: found 0x400$'
two clp.rom 0x36 "00 02"                   # DMTF CLP entry @+1Ah
run check "$tmp/clp.rom"
expect "check: a CLP entry point outside the image" 1 err 'firmware: PCIR.clp_entry @0x0036: points outside'
two pnploop.rom 0x46 "40 00"               # PnP @40h: next header @+6 = itself
run check "$tmp/pnploop.rom"
expect "check: PnP headers in a loop" 1 err 'firmware: PnP.next @0x[0-9a-f]+: more than 16 headers: a loop'
two pnpnext.rom 0x46 "80 00"               # next header: the "seed" string
run check "$tmp/pnpnext.rom"
expect "check: a PnP next pointer that finds no header" 1 \
    err 'firmware: PnP.next @0x0046: does not point at a \$PnP header inside the ROM: found 0x80$'
two bev.rom 0x5a "00 02"                   # PnP BEV @+1Ah past romLength
run check "$tmp/bev.rom"
expect "check: a BEV outside the ROM" 1 err 'firmware: PnP.bev @0x005a: entry point outside the ROM: found 0x200$'
two rev1.rom 0x28 "01"                     # PCIR revision 1: no spec has it
run check "$tmp/rev1.rom"
expect "check: PCIR revision 1: a warning, and the revision-0 length expected" 1 \
    err 'firmware: warning: PCIR.revision @0x0028: neither 0 \(PCI 2.x\) nor 3' \
    err 'firmware: PCIR.length @0x0026: not the size of a revision-0 structure: expected 0x18, found 0x1c$'
two last.rom 0x31 "80"                     # image 0 says it is the last
run check "$tmp/last.rom"
expect "check: one image and 512 bytes nothing points at: valid, a warning" 0 \
    out '\(1 image: x86 \(PC-AT\)\) \(1 warning\)$' \
    err 'firmware: warning: size @0x0200: bytes after the last image: firmware ignores them: found 0x200$'
cp "$seed" "$tmp/efisig.rom"; poke "$tmp/efisig.rom" 0x204 "f2 0e"
run check "$tmp/efisig.rom"
expect "check: image 1 without the EFI signature" 1 \
    err 'firmware: image 1: EFI.signature @0x0204: not an EFI image header \(0EF1h\): expected 0xef1, found 0xef2$'
head -c 512 "$seed" > "$tmp/half.rom"
run check "$tmp/half.rom"
expect "check: not the last image, and nothing follows" 1 \
    err 'firmware: PCIR.indicator @0x0031: last-image bit clear, but no image follows: found 0x0$'

# ---------------------------------------------------------------------
# info
# ---------------------------------------------------------------------
run info "$rom"
expect "info: the built ROM, every part shown" 0 \
    out 'romLength +[0-9]+ \([0-9]+ bytes\)' out 'API version +3\.0' \
    out 'license_offset +0x[0-9a-f]+ "GPL v2"' out 'vendor:device +15ad:0801' \
    out 'PCI data structure @0x[0-9a-f]+: revision 3, length 0x1c' \
    out 'manufacturer +"HyperROM project"' out 'product +"HyperROM' \
    out '@0x0080 VMI_Init +jmp rel(8|32) -> 0x' out '@0x0088 VMI_GetRelocationInfo +jmp' \
    out '^ +3 SetGDT +0x[0-9a-f]{4} CALL_REL +symbol agrees' \
    out '^ +33 IRET +0x[0-9a-f]{4} JUMP_REL' out '^ +73 SetLazyMode ' \
    out "^$rom: valid option ROM .*, valid VMI ROM \\(API 3\\.0\\)\$"
n=$(grep -c 'symbol agrees' "$tmp/out")
[ "$n" = 74 ] && pass "info: all 74 entry points have agreeing symbols" ||
    fail "info: all 74 entry points have agreeing symbols" "$n agree"
run info "$tmp/garbage"; expect "info: garbage: no crash, status 1" 1 out '^check: [0-9]+ errors? \(listed on stderr\)'
run info "$tmp/empty";   expect "info: empty file: status 1" 1 err 'header @0x0000'
run info "$tmp/trunc.rom"; expect "info: truncated ROM: status 1" 1 out 'romLength'
run info "$tmp/huge";    expect "info: 17 MiB file: status 1" 1 err 'larger than'

# ---------------------------------------------------------------------
# scan
# ---------------------------------------------------------------------
# image FILE OFFSET ROM...: a 128 KiB dump of C0000h-DFFFFh (zeros) with
# each ROM copied to its OFFSET from C0000h (pairs: OFFSET ROM).
image() {
    local out=$1
    shift
    head -c 131072 /dev/zero > "$out"
    while [ $# -ge 2 ]; do
        dd if="$2" of="$out" bs=1 seek=$(($1)) conv=notrunc status=none
        shift 2
    done
}
# A 3.1 copy of the ROM: minor version @12, rebuilt to fix the checksum.
cp "$tmp/raw" "$tmp/raw31"; poke "$tmp/raw31" 12 01
"$romsum" build "$tmp/raw31" "$tmp/rom31" 2>/dev/null || fail "build the 3.1 ROM" "status $?"

image "$tmp/one.img" 0x8000 "$rom"
run scan "$tmp/one.img"
expect "scan: ROM at C8000h found and picked" 0 \
    out '^  0xc8000 +[0-9]+ bytes  PCI 15ad:0801 system peripheral  "HyperROM VMI 3\.0 reference ROM"  VMI API 3\.0  valid VMI ROM$' \
    out '^a guest needing API 3\.0 picks the ROM at 0xc8000 \(API 3\.0\)$'
run scan "$tmp/one.img" --need 3.1
expect "scan --need 3.1: a 3.0 ROM does not fit, status 1" 1 \
    out 'needing API 3\.1 finds no usable ROM and stays native'
run scan --need 2.0 "$tmp/one.img"
expect "scan --need 2.0 (option first): no fit, status 1" 1 out 'API 2\.0 finds no usable ROM'
image "$tmp/two.img" 0x8000 "$rom" 0xC000 "$tmp/rom31"
run scan "$tmp/two.img"
expect "scan: 3.0 and 3.1 ROMs: the guest picks 3.1" 0 \
    out '0xcc000 .* API 3\.1  valid' out 'picks the ROM at 0xcc000 \(API 3\.1\)'
image "$tmp/c0.img" 0 "$rom"
run scan "$tmp/c0.img"
expect "scan: a ROM at C0000h is below the default scan" 1 out 'no option ROMs \(55 AA\) found'
run scan "$tmp/c0.img" --legacy
expect "scan --legacy: the ROM at C0000h is picked" 0 out 'scanning 0xc0000-0xdffff' \
    out 'picks the ROM at 0xc0000'
run scan "$rom" --base 0xC8000
rom_end=$(printf '0x%x' $((0xc8000 + $(stat -c %s "$rom") - 1)))   # the ROM's size grows with it
expect "scan --base 0xC8000: a dump starting with the ROM" 0 \
    out "image 0xc8000-$rom_end" out 'picks the ROM at 0xc8000'
image "$tmp/bad.img" 0x8000 "$tmp/flip.rom" 0x10000 "$rom"
run scan "$tmp/bad.img"
expect "scan: bad checksum reported, the good ROM picked" 0 \
    out '0xc8000 .*INVALID: checksum @0x[0-9a-f]+: 8-bit sum' out 'picks the ROM at 0xd0000'
image "$tmp/end.img" 0x1F000 "$rom"
truncate -s 131072 "$tmp/end.img"   # the ROM ran past the dump
run scan "$tmp/end.img"
expect "scan: a ROM running past DFFFFh is INVALID" 1 \
    out '0xdf000 .*INVALID: romLength @0x0002: ROM ends past the last byte of the option-ROM area: expected 0xdffff'
run scan "$tmp/one.img" --base xyz; expect "scan: bad --base, status 2" 2 err '--base needs an address'
run scan "$tmp/one.img" --base;     expect "scan: --base without value, status 2" 2 err 'unknown or incomplete option'
run scan "$tmp/one.img" --need 3;   expect "scan: --need 3, status 2" 2 err '--need needs a version'
run scan "$tmp/one.img" --need 3.x; expect "scan: --need 3.x, status 2" 2 err '--need needs a version'
run scan "$tmp/one.img" --need 256.0; expect "scan: --need 256.0, status 2" 2 err '--need needs a version'
run scan "$tmp/one.img" --frob;     expect "scan: unknown option, status 2" 2 err 'unknown or incomplete option'
run scan "$tmp/one.img" "$tmp/one.img"; expect "scan: two images, status 2" 2 err 'more than one IMAGE'
run scan "$tmp/nope.img";           expect "scan: missing image, status 2" 2 err 'nope.img: No such file'
run scan "$tmp/empty";              expect "scan: empty image, status 1" 1 out 'no option ROMs'
# 55 AA at every 2 KiB step, then garbage: 64 invalid candidates, no crash
for i in $(seq 64); do printf '\x55\xaa\x03'; head -c 2045 /dev/zero | tr '\0' 'g'; done > "$tmp/junk.img"
run scan "$tmp/junk.img" --legacy
n=$(grep -c 'INVALID' "$tmp/out")
[ "$rc" = 1 ] && [ "$n" = 64 ] && pass "scan: 55 AA garbage at all 64 steps: 64 INVALID, status 1" ||
    fail "scan: 55 AA garbage at all 64 steps: 64 INVALID, status 1" "status $rc, $n INVALID"

[ "$failures" = 0 ]
