#!/usr/bin/env bash
# run.sh - boot the in-guest VMI-call fuzzer (tests/vmifuzz/vmifuzz.c) with
# seeds 1..K in modes hv and hv-novmi and judge the hypervisor's health.
#
# Usage: tests/vmifuzz/run.sh [BUILD_DIR]
#   FUZZ_SEEDS   how many seeds (N: seeds 1..N), a range ("17-17": seed 17
#                alone) or a list ("3 17 40"); default 5
#   FUZZ_HOSTILE_SEEDS  seeds booted again with rare=FUZZ_HOSTILE_RARE
#                (default 16 and 256): the choices the hypervisor ends the
#                guest for (bad descriptors, tables, stacks) 64 times as
#                often; these boots end early but reach the hard paths
#   FUZZ_COUNT   calls per boot (default 15000)
#   FUZZ_MODES   default "hv hv-novmi"
#   FUZZ_JOBS    boots at once (default 2)
#   FUZZ_MIN     the total the run must reach (default 100000)
#   FUZZ_TRACE   passed as trace=N: the guest prints every call from N on
#   FUZZ_ARGS    more of the guest's command line, e.g. "rare=512" (make
#                the choices the hypervisor terminates for more common)
#
# A boot is healthy when the guest finished its calls and exited 0 (QEMU
# status 1), or the hypervisor terminated it cleanly (status 225, a line
# "hv: guest terminated: REASON" and its statistics after it).  A panic
# (227), a reset (0), a hang (124, our timeout) or anything else is
# unhealthy.  One PASS/FAIL line per boot, then one line for the total:
# calls counted from the guest's last progress line ("vmifuzz: seed S:
# N calls") or its final one ("... done: N calls").  Reproduce a boot with
#   FUZZ_SEEDS=S-S FUZZ_HOSTILE_SEEDS=0 FUZZ_MODES=hv FUZZ_TRACE=FROM \
#       tests/vmifuzz/run.sh BUILD
# (add FUZZ_ARGS=rare=256 for a hostile boot).  The calls and their
# arguments follow from the seed alone; alarm expiries are read from the
# cycle counter, so when a timer interrupt lands can vary.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. tests/lib/qemu.sh
BUILD=${1:-${BUILD:-build}}
KERNEL=$BUILD/tests/vmifuzz/vmifuzz.elf
HV=${HV:-$BUILD/hypervisor/hypervisor.elf}   # HV=... tries another build
ROM=$BUILD/rom/vmi.rom
seeds=${FUZZ_SEEDS:-5}
hostile=${FUZZ_HOSTILE_SEEDS:-16}
hostile_rare=${FUZZ_HOSTILE_RARE:-256}
count=${FUZZ_COUNT:-15000}
modes=${FUZZ_MODES:-hv hv-novmi}
jobs=${FUZZ_JOBS:-2}
min=${FUZZ_MIN:-100000}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-15}
work=$BUILD/tests/vmifuzz
mkdir -p "$work"
# N means 1..N, A-B the range, anything else is a list.
seed_list() {
    if [[ "$1" =~ ^[0-9]+$ ]]; then seq 1 "$1"
    elif [[ "$1" =~ ^([0-9]+)-([0-9]+)$ ]]; then seq "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    else echo $1; fi
}
seeds=$(seed_list "$seeds")
hostile=$(seed_list "$hostile")

for f in "$KERNEL" "$HV" "$ROM"; do
    [ -f "$f" ] || { echo "FAIL: vmifuzz: $f is missing: run make"; exit 1; }
done

# Every boot as "MODE SEED FLAVOUR": FLAVOUR plain or hostile.
plan() {
    local mode seed
    for mode in $modes; do
        for seed in $seeds; do echo "$mode $seed plain"; done
        for seed in $hostile; do echo "$mode $seed hostile"; done
    done
}

# Boot seed $2 in mode $1 and flavour $3; the serial log goes to
# $work/MODE-SEED[-hostile].serial and QEMU's status beside it.
boot() {
    local mode=$1 seed=$2 base=$work/$1-$2 line
    line="$KERNEL mode=$mode seed=$seed count=$count"
    [ "$3" = hostile ] && line="$line rare=$hostile_rare" base=$base-hostile
    [ "$mode" = hv-novmi ] && line="$line novmi"
    [ -n "${FUZZ_TRACE:-}" ] && line="$line trace=$FUZZ_TRACE"
    [ -n "${FUZZ_ARGS:-}" ] && line="$line $FUZZ_ARGS"
    qemu_boot "$base.fwlog" "$base.hv" -kernel "$HV" -initrd "$line,$ROM" < /dev/null \
        2> "$base.stderr" | tr -d '\r' > "$base.serial"
    echo "${PIPESTATUS[0]}" > "$base.status"
}

# Calls the guest reported in serial log $1.
calls_made() {
    sed -n 's/^vmifuzz: seed [0-9]*: \(done: \)\{0,1\}\([0-9]*\) calls.*/\2/p' "$1" | tail -n 1
}

# Judge one boot ($1 mode, $2 seed, $3 flavour): print its PASS/FAIL
# line, add to the totals.
judge() {
    local mode=$1 seed=$2 base=$work/$1-$2 status calls what term stats ok=0 name
    name="$mode seed $seed"
    [ "$3" = hostile ] && base=$base-hostile name="$name rare=$hostile_rare"
    status=$(cat "$base.status")
    calls=$(calls_made "$base.serial"); calls=${calls:-0}
    term=$(grep -a -n -m 1 '^hv: guest terminated: ' "$base.hv")          # the hypervisor's
    stats=$(grep -a -n -m 1 '^hv: exits by reason:' "$base.hv" | cut -d: -f1)  # own console
    case "$status" in
        1)   if grep -aq "^vmifuzz: seed $seed: done: " "$base.serial"; then
                 ok=1 what="finished"
                 grep -aq '^hv: guest requested' "$base.hv" && what="finished, then $(grep -a -m 1 '^hv: guest requested' "$base.hv" | cut -c5-)"
             else what="exit status 1 but no 'done' line"; fi ;;
        225) if [ -n "$term" ] && [ -n "$stats" ] && [ "$stats" -gt "${term%%:*}" ]; then
                 ok=1 what="terminated: ${term#*: guest terminated: }"
             else what="status 225 without a termination line and statistics after it"; fi ;;
        227) what="PANIC: $(grep -a -m 1 'PANIC' "$base.hv" | tr -cd '[:print:]')" ;;
        0)   what="RESET (QEMU stopped by itself: triple fault or reset)" ;;
        124) what="HANG (no exit within ${QEMU_TIMEOUT}s)" ;;
        3)   what="the fuzzer failed: $(grep -a -m 1 '^FAIL: ' "$base.serial")" ;;
        *)   what="QEMU status $status" ;;
    esac
    total=$((total + calls)); boots=$((boots + 1))
    [ "$mode" = hv ] && calls_hv=$((calls_hv + calls)) || calls_novmi=$((calls_novmi + calls))
    if [ "$ok" = 1 ]; then
        echo "PASS: vmifuzz $name: $calls calls, $what"
    else
        bad=$((bad + 1))
        echo "FAIL: vmifuzz $name: after $calls calls: $what (log $base.serial)"
    fi
}

start=$(date +%s)
running=0
while read -r mode seed flavour; do
    boot "$mode" "$seed" "$flavour" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done < <(plan)
wait
total=0 boots=0 bad=0 calls_hv=0 calls_novmi=0
while read -r mode seed flavour; do judge "$mode" "$seed" "$flavour"; done < <(plan)
secs=$(( $(date +%s) - start ))
summary="$boots boots in ${secs}s, calls: hv $calls_hv, hv-novmi $calls_novmi, total $total"
if [ "$bad" = 0 ] && [ "$total" -ge "$min" ]; then
    echo "PASS: vmifuzz: $summary >= $min, every boot healthy"
else
    echo "FAIL: vmifuzz: $summary (need >= $min), $bad unhealthy boots"
    exit 1
fi
