#!/usr/bin/env bash
# gdb.sh - make debug's launcher (tools/debug/debug.sh) run non-interactively:
# gdb stops in the guest and in the hypervisor, backtraces, and resolves
# the guest's and the ROM's symbols at the addresses they run at.
#
# Usage: tests/debug/gdb.sh BUILD
set -u
build=${1:?usage: gdb.sh BUILD}
. "$(dirname "$0")/../lib/qemu.sh"
hv=$build/hypervisor/hypervisor.elf demo=$build/guest/demo/demo.elf rom=$build/rom/vmi.rom
dir=$build/tests/debug
if ! command -v gdb > /dev/null; then
    echo "SKIP: make debug: no gdb on this machine (apt-get install gdb)"; exit 0
fi
# A port no other run is listening on (tests may run side by side).
port=$((20000 + $$ % 20000))
while (exec 3<> /dev/tcp/127.0.0.1/$port) 2> /dev/null; do port=$((port + 1)); done
out=$dir/gdb.out
mkdir -p "$dir"
GDB_PORT=$port timeout "$QEMU_TIMEOUT" tools/debug/debug.sh "$dir" "$hv" "" "$demo" "" "$rom" \
    -batch -ex 'hbreak guest_main' -ex continue -ex bt \
    -ex 'hbreak hc_CPUID' -ex continue -ex bt \
    -ex 'info address guest_main' -ex 'info address VMI_CPUID' < /dev/null > "$out" 2>&1
st=$?
check '[ $st = 0 ]' "gdb -batch ran to its end and QEMU was stopped (status $st)" "see $out"
check 'grep -q "^Breakpoint 1, guest_main (" "$out"' \
      "a hardware breakpoint in the guest's guest_main stops there" "no 'Breakpoint 1, guest_main' in $out"
check 'grep -q "^Breakpoint 2, hc_CPUID (" "$out"' \
      "a hardware breakpoint in the hypervisor's hc_CPUID stops there" "no 'Breakpoint 2, hc_CPUID' in $out"
check 'grep -qE "^#[0-9].* in (hv_trap|hypercall_fast) \(" "$out"' \
      "bt from hc_CPUID shows the dispatcher that served it (hv_trap, or hypercall_fast on the fast path)" \
      "no hv_trap or hypercall_fast frame in $out"
want=$(printf '%x' $((0x$(nm "$demo" | awk '$3 == "guest_main" { print $1 }'))))
check 'grep -qE "^Symbol \"guest_main\" is .*0x$want[^0-9a-f]" "$out"' \
      "the guest's guest_main resolves to its ELF address 0x$want" "$(grep guest_main "$out" | tail -n 1)"
rom_sym=$(tail -c +65 "$rom" > "$dir/rom.elf" && readelf -sW "$dir/rom.elf" |
          awk '$8 == "VMI_CPUID" { print $2 }')
want=$(printf '%x' $((0xC8000 + 0x$rom_sym)))
check 'grep -qE "^Symbol \"VMI_CPUID\" is .*0x$want[^0-9a-f]" "$out"' \
      "the ROM's VMI_CPUID resolves to C8000h + its ROM offset, 0x$want" \
      "$(grep VMI_CPUID "$out" | tail -n 1)"
check 'grep -q "^hv: ROM .* at 0xc8000 " "$dir/hv.log"' \
      "the hypervisor placed the ROM at C8000h, where its symbols were loaded" \
      "no 'hv: ROM ... at 0xc8000' in $dir/hv.log"
