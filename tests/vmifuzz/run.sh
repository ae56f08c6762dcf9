#!/usr/bin/env bash
# run.sh - boot the in-guest VMI-call fuzzer (tests/vmifuzz/vmifuzz.c) with
# seeds 1..K in modes hv and hv-novmi and judge the hypervisor's health.
#
# Usage: tests/vmifuzz/run.sh [BUILD_DIR]
#   FUZZ_SEEDS   how many seeds (N: seeds 1..N) or a list ("3 17 40");
#                default 5
#   FUZZ_COUNT   calls per boot (default 15000)
#   FUZZ_MODES   default "hv hv-novmi"
#   FUZZ_JOBS    boots at once (default 2)
#   FUZZ_MIN     the total the run must reach (default 100000)
#   FUZZ_TRACE   passed as trace=N: the guest prints every call from N on
#
# A boot is healthy when the guest finished its calls and exited 0 (QEMU
# status 1), or the hypervisor terminated it cleanly (status 225, a line
# "hv: guest terminated: REASON" and its statistics after it).  A panic
# (227), a reset (0), a hang (124, our timeout) or anything else is
# unhealthy.  One PASS/FAIL line per boot, then one line for the total:
# calls counted from the guest's last progress line ("vmifuzz: seed S:
# N calls") or its final one ("... done: N calls").  Reproduce a boot with
#   FUZZ_SEEDS="S" FUZZ_MODES=hv FUZZ_TRACE=FROM tests/vmifuzz/run.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. tests/lib/qemu.sh
BUILD=${1:-${BUILD:-build}}
KERNEL=$BUILD/tests/vmifuzz/vmifuzz.elf
HV=$BUILD/hypervisor/hypervisor.elf
ROM=$BUILD/rom/vmi.rom
seeds=${FUZZ_SEEDS:-5}
count=${FUZZ_COUNT:-15000}
modes=${FUZZ_MODES:-hv hv-novmi}
jobs=${FUZZ_JOBS:-2}
min=${FUZZ_MIN:-100000}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-15}
work=$BUILD/tests/vmifuzz
mkdir -p "$work"
[[ "$seeds" =~ ^[0-9]+$ ]] && seeds=$(seq 1 "$seeds")

for f in "$KERNEL" "$HV" "$ROM"; do
    [ -f "$f" ] || { echo "FAIL: vmifuzz: $f is missing: run make"; exit 1; }
done

# Boot seed $2 in mode $1; the serial log goes to $work/MODE-SEED.serial
# and QEMU's status to $work/MODE-SEED.status.
boot() {
    local mode=$1 seed=$2 base=$work/$1-$2 line
    line="$KERNEL mode=$mode seed=$seed count=$count"
    [ "$mode" = hv-novmi ] && line="$line novmi"
    [ -n "${FUZZ_TRACE:-}" ] && line="$line trace=$FUZZ_TRACE"
    qemu_boot "$base.fwlog" -kernel "$HV" -initrd "$line,$ROM" < /dev/null \
        2> "$base.stderr" | tr -d '\r' > "$base.serial"
    echo "${PIPESTATUS[0]}" > "$base.status"
}

# Calls the guest reported in serial log $1.
calls_made() {
    sed -n 's/^vmifuzz: seed [0-9]*: \(done: \)\{0,1\}\([0-9]*\) calls.*/\2/p' "$1" | tail -n 1
}

# Judge one boot: print its PASS/FAIL line, add to the totals.
judge() {
    local mode=$1 seed=$2 base=$work/$1-$2 status calls what term stats ok=0
    status=$(cat "$base.status")
    calls=$(calls_made "$base.serial"); calls=${calls:-0}
    term=$(grep -n -m 1 '^hv: guest terminated: ' "$base.serial")
    stats=$(grep -n -m 1 '^hv: exits by reason:' "$base.serial" | cut -d: -f1)
    case "$status" in
        1)   if grep -q "^vmifuzz: seed $seed: done: " "$base.serial"; then
                 ok=1 what="finished"
                 grep -q '^hv: guest requested' "$base.serial" && what="finished, then $(grep -m 1 '^hv: guest requested' "$base.serial" | cut -c5-)"
             else what="exit status 1 but no 'done' line"; fi ;;
        225) if [ -n "$term" ] && [ -n "$stats" ] && [ "$stats" -gt "${term%%:*}" ]; then
                 ok=1 what="terminated: ${term#*: guest terminated: }"
             else what="status 225 without a termination line and statistics after it"; fi ;;
        227) what="PANIC: $(grep -m 1 -i 'panic' "$base.serial")" ;;
        0)   what="RESET (QEMU stopped by itself: triple fault or reset)" ;;
        124) what="HANG (no exit within ${QEMU_TIMEOUT}s)" ;;
        3)   what="the fuzzer failed: $(grep -m 1 '^FAIL: ' "$base.serial")" ;;
        *)   what="QEMU status $status" ;;
    esac
    total=$((total + calls)); boots=$((boots + 1))
    [ "$mode" = hv ] && calls_hv=$((calls_hv + calls)) || calls_novmi=$((calls_novmi + calls))
    if [ "$ok" = 1 ]; then
        echo "PASS: vmifuzz $mode seed $seed: $calls calls, $what"
    else
        bad=$((bad + 1))
        echo "FAIL: vmifuzz $mode seed $seed: after $calls calls: $what (log $base.serial)"
    fi
}

start=$(date +%s)
running=0
for mode in $modes; do
    for seed in $seeds; do
        boot "$mode" "$seed" &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
    done
done
wait
total=0 boots=0 bad=0 calls_hv=0 calls_novmi=0
for mode in $modes; do
    for seed in $seeds; do judge "$mode" "$seed"; done
done
secs=$(( $(date +%s) - start ))
summary="$boots boots in ${secs}s, calls: hv $calls_hv, hv-novmi $calls_novmi, total $total"
if [ "$bad" = 0 ] && [ "$total" -ge "$min" ]; then
    echo "PASS: vmifuzz: $summary >= $min, every boot healthy"
else
    echo "FAIL: vmifuzz: $summary (need >= $min), $bad unhealthy boots"
    exit 1
fi
