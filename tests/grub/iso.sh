#!/usr/bin/env bash
# iso.sh - the hypervisor booted by GRUB 2 as by QEMU -kernel.
#
# Usage: tests/grub/iso.sh BUILD
# 1. The hypervisor's ELF is one any multiboot loader takes: its entry is
#    inside a PT_LOAD segment whose virtual and physical addresses agree.
# 2. make iso's CD ($BUILD/hyperrom.iso) boots through GRUB and the demo
#    passes, with the ROM placed as under -kernel.
# 3. The same arguments give the same result under both loaders: a CD with
#    HV_ARGS and GUEST_ARGS, and -kernel/-append/-initrd with the same
#    words, give the guest the same command line and the hypervisor the
#    same option (spec 9, "Modules").
set -u
build=${1:?usage: iso.sh BUILD}
. "$(dirname "$0")/../lib/qemu.sh"
hv=$build/hypervisor/hypervisor.elf demo=$build/guest/demo/demo.elf rom=$build/rom/vmi.rom
dir=$build/tests/grub
mkdir -p "$dir"

# 1: the entry and the segment holding it, from readelf.
entry=$(readelf -h "$hv" | awk '/Entry point/ { print $4 }')
seg=
while read -r type off vaddr paddr filesz memsz rest; do
    [ "$type" = LOAD ] && (( entry >= vaddr && entry < vaddr + memsz )) && seg="$vaddr $paddr"
done < <(readelf -lW "$hv")
check '[ -n "$seg" ]' "ELF entry $entry is inside a PT_LOAD segment" \
      "no PT_LOAD segment holds it (GRUB 2: entry point isn't in a segment)"
check '[ -n "$seg" ] && (( ${seg% *} == ${seg#* } ))' \
      "that segment's virtual and physical addresses agree (${seg:-none})" \
      "virtual ${seg% *} and physical ${seg#* }: QEMU and GRUB would enter different places"

# Boot $2 (QEMU arguments after $1 = log prefix); sets st, out, hvlog.
boot() {
    local name=$1; shift
    out=$dir/$name.out hvlog=$dir/$name.hv
    qemu_boot "$dir/$name.fw" "$hvlog" -m 128 "$@" > "$out" 2>&1; st=$?
}

# 2: make iso's CD.
boot make-iso -cdrom "$build/hyperrom.iso"
check '[ $st = 1 ]' "make iso's CD: the guest wrote 0 to the exit port (QEMU status 1)" \
      "QEMU status $st; COM1 in $out, COM2 (GRUB and hypervisor) in $hvlog"
check 'grep -q "^SUMMARY: 2 passed, 0 failed" "$out"' "make iso's CD: the demo passes" \
      "no 'SUMMARY: 2 passed, 0 failed' in $out"
check 'grep -q "^hv: boot loader \"GRUB 2" "$hvlog"' "the hypervisor was booted by GRUB 2" \
      "no 'boot loader \"GRUB 2' in $hvlog"
check 'grep -q "^hv: ROM module 2 at 0xc8000" "$hvlog"' \
      "GRUB 2's second module (no file name: 'module 2') is the ROM, at C8000h" \
      "no 'hv: ROM module 2 at 0xc8000' in $hvlog"

# 3: the same words through GRUB and through -kernel.
args="alpha beta=1 gamma"   # GRUB re-joins words with one space
tests/grub/mkiso.sh "$dir/args.iso" "$hv" "guest_mem=16M" "$demo" "$args" "$rom" ||
    echo "FAIL: mkiso.sh could not build $dir/args.iso"
boot grub-args -cdrom "$dir/args.iso"
grub_line=$(grep '^demo: HyperROM demo guest, command line' "$out" | tr -d '\r')
grub_mem=$(grep -o 'guest memory: [0-9]* MiB' "$hvlog")
grub_kernel=$(grep -o 'guest kernel [^,]*' "$hvlog")
boot kernel-args -kernel "$hv" -append "guest_mem=16M" -initrd "$demo $args,$rom"
kernel_line=$(grep '^demo: HyperROM demo guest, command line' "$out" | tr -d '\r')
kernel_mem=$(grep -o 'guest memory: [0-9]* MiB' "$hvlog")
kernel_kernel=$(grep -o 'guest kernel [^,]*' "$hvlog")
check '[ "$grub_line" = "demo: HyperROM demo guest, command line \"$args\"" ]' \
      "GRUB 2: 'module demo.elf $args' gives the guest \"$args\"" "it printed: $grub_line"
check '[ "$grub_line" = "$kernel_line" ]' \
      "-initrd \"demo.elf $args\" gives the guest the same command line" \
      "GRUB: $grub_line; -kernel: $kernel_line"
check '[ "$grub_mem" = "guest memory: 16 MiB" ] && [ "$grub_mem" = "$kernel_mem" ]' \
      "the hypervisor's option guest_mem=16M works from GRUB's multiboot line as from -append" \
      "GRUB: '$grub_mem', -kernel: '$kernel_mem'"
check '[ "$grub_kernel" = "guest kernel module 1" ] && [ "$kernel_kernel" = "guest kernel $demo" ]' \
      "the kernel module is named by its file under -kernel, by its number under GRUB 2" \
      "GRUB: '$grub_kernel', -kernel: '$kernel_kernel'"
