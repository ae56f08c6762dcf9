#!/usr/bin/env bash
# bench.sh - what Linux user space pays: the reference kernel
# (../shared/linux) running "/init bench" (tests/linux/init.c) natively and
# on the hypervisor in VMI mode, each twice, under QEMU -icount (TSC =
# instructions executed, so every figure is exact and repeatable).  Prints
# a table of instructions / hypervisor exits per operation, checks that the
# two runs agree, and puts the table into README.md between its markers.
#
# Usage: tests/linux/bench.sh BUILD [KERNEL]   (part of make bench)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/qemu.sh"
BUILD=${1:-build} kernel=${2:-../shared/linux/bzImage-noapic}
HV=$BUILD/hypervisor/hypervisor.elf ROM=$BUILD/rom/vmi.rom INITRD=$BUILD/tests/linux/init.cpio
APPEND="console=ttyS0 norandmaps bench"    # no address randomization: same work each run
MODES=(native hv) RUNS=2
OPS=(getpid pipe_write_read fork_exit_wait page_fault mmap_munmap)
work=$BUILD/bench/linux
if [ ! -f "$kernel" ]; then
    echo "bench: Linux rows skipped: $kernel is missing (../shared/linux/README.md)"
    exit 0
fi
mkdir -p "$work"

# Boot mode $1 (run $2); the BENCH lines go to $work/run$2-$1.out.
boot() {
    local args
    if [ "$1" = native ]; then
        args=(-kernel "$kernel" -initrd "$INITRD" -append "$APPEND")
    else
        args=(-kernel "$HV" -initrd "$kernel $APPEND,$ROM,$INITRD")
    fi
    # The console goes to a file: a pipe's reader would pace the UART by
    # host time, and with it every interrupt the guest sees.
    timeout "$QEMU_TIMEOUT" "$QEMU" -nodefaults -display none -no-reboot -monitor none \
        -serial file:"$work/console-$2-$1" -serial file:"$work/hv-$2-$1" -m 128 \
        -device isa-debug-exit,iobase=$DEBUG_EXIT_PORT,iosize=4 \
        -icount shift=0,align=off,sleep=off "${args[@]}" < /dev/null 2> "$work/stderr"
    tr -d '\r' < "$work/console-$2-$1" | grep '^BENCH ' > "$work/run$2-$1.out"
    [ "$(grep -c '^BENCH ' "$work/run$2-$1.out")" = "${#OPS[@]}" ]
}

# "instructions / exits" of op $2 in file $1.
cell() {
    sed -n "s/^BENCH op=$2 cycles_per_op=\([0-9]*\) exits_per_op=\([0-9.]*\)$/\1 \/ \2/p" "$1" |
        sed 's/\.000$//'
}

# The markdown table of run 1.
table() {
    printf '| %-16s | %-14s | %-18s |\n' "Linux operation" "native" "VMI (hv)"
    printf '| %-16s | %-14s | %-18s |\n' "----------------" "--------------" "------------------"
    for op in "${OPS[@]}"; do
        printf '| %-16s | %-14s | %-18s |\n' "$op" "$(cell "$work/run1-native.out" "$op")" \
               "$(cell "$work/run1-hv.out" "$op")"
    done
}

for run in $(seq 1 $RUNS); do
    for mode in "${MODES[@]}"; do
        printf '  BENCH   Linux run %s: %s\n' "$run" "$mode"
        boot "$mode" "$run" || { echo "bench: Linux $mode run $run gave no full set of BENCH lines"; exit 1; }
    done
done
same=yes
for mode in "${MODES[@]}"; do
    cmp -s "$work/run1-$mode.out" "$work/run2-$mode.out" || same=no
done
cmp -s <(tr -d '\r' < "$work/hv-1-hv" | grep '^hv:   ') <(tr -d '\r' < "$work/hv-2-hv" | grep '^hv:   ') || same=no
# The hypervisor's exit counts for the whole boot and workload of run 1
# (its statistics at the end, on COM2): by reason, then the VMI calls
# that exited, most frequent first.
exits() {
    local log=$work/hv-1-hv
    tr -d '\r' < "$log" | sed -n '/^hv: exits by reason:/,/^hv: exceptions trapped/p' |
        sed -n 's/^hv:   \(.*\): \([0-9]*\)$/\1 \2/p' |
        awk '{ n = $NF; $NF = ""; sub(/ $/, ""); total += n; rows[++k] = $0; counts[k] = n }
             END { printf "| %-32s | %10s |\n", "Linux (hv) exits, by reason", "count"
                   printf "| %-32s | %10s |\n", "--------------------------------", "----------"
                   for (i = 1; i <= k; i++) printf "| %-32s | %10d |\n", rows[i], counts[i]
                   printf "| %-32s | %10d |\n", "all", total }'
    echo
    printf 'VMI calls that exited: '
    tr -d '\r' < "$log" | sed -n 's/^hv:   VMI_\([A-Za-z]*\): \([0-9]*\)$/\2 \1/p' | sort -rn |
        awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 } END { print "" }'
    echo
    # The shadow cache's two lines (memory/shadow.c), joined into one.
    printf 'Shadow cache '
    tr -d '\r' < "$log" | sed -n '/^hv: shadow cache /{s/^hv: shadow cache //;N;s/\nhv: */; /;p;}'
}

table | tee "$work/table.md"
exits | tee "$work/exits.md"
echo "Linux deterministic: $same ($RUNS runs of each mode compared)"
[ "$same" = yes ] || exit 1
readme=$here/../../README.md begin='<!-- make bench: linux table -->' end='<!-- end of make bench linux table -->'
if grep -qF "$begin" "$readme"; then
    awk -v b="$begin" -v e="$end" -v t="$work/table.md" '
        $0 == b { print; while ((getline line < t) > 0) print line; skip = 1; next }
        $0 == e { skip = 0 }
        !skip' "$readme" > "$work/README.new" && mv "$work/README.new" "$readme"
    echo "(the Linux table in README.md is updated)"
fi
begin='<!-- make bench: linux exits -->' end='<!-- end of make bench linux exits -->'
if grep -qF "$begin" "$readme"; then
    awk -v b="$begin" -v e="$end" -v t="$work/exits.md" '
        $0 == b { print; while ((getline line < t) > 0) print line; skip = 1; next }
        $0 == e { skip = 0 }
        !skip' "$readme" > "$work/README.new" && mv "$work/README.new" "$readme"
    echo "(the Linux exit counts in README.md are updated)"
fi
