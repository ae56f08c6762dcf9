# qemu.sh - how the tests start QEMU (sourced, not run).
#
# QEMU's exit status tells who ended the run: a write of V to the
# isa-debug-exit port gives (V << 1) | 1; 0 means QEMU stopped by itself;
# 124 means our timeout killed it (a hang).

QEMU=${QEMU:-qemu-system-i386}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-20}      # seconds; a hang, never a slow pass
DEBUG_EXIT_PORT=0xf4

# Boot a PC: $1 = file for the firmware's debug console (port 0x402),
# $2 = file for the second serial port (COM2: a HyperROM hypervisor's own
# console, which no guest can reach), the rest are extra QEMU arguments.
# The first serial port (COM1, the guest's console) goes to stdout.
qemu_boot() {
    local fwlog=$1 hvlog=$2; shift 2
    timeout "$QEMU_TIMEOUT" "$QEMU" -nodefaults -vga std -display none \
        -no-reboot -serial stdio -serial file:"$hvlog" -monitor none \
        -chardev file,id=fwlog,path="$fwlog" \
        -device isa-debugcon,iobase=0x402,chardev=fwlog \
        -device isa-debug-exit,iobase=$DEBUG_EXIT_PORT,iosize=4 "$@"
}

# Print "PASS: $2" when the command $1 succeeds, else "FAIL: $2: $3".
check() {
    if eval "$1"; then echo "PASS: $2"; else echo "FAIL: $2: ${3:-check failed: $1}"; fi
}
