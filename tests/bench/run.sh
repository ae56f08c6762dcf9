#!/usr/bin/env bash
# run.sh - the HyperROM benchmark: native vs. VMI vs. trap-and-emulate.
#
# Usage: tests/bench/run.sh KERNEL [RESULTS]
#            Boot the benchmark kernel (tests/bench/bench.c) in every mode
#            of tests/lib/boot.sh under QEMU -icount (TSC = instructions
#            executed), twice; print a table of cycles and exits per
#            operation, the hypervisor's exit statistics per mode, and
#            whether the two runs agree ("deterministic: yes/no").  The
#            same text goes to RESULTS (default $BUILD/bench/results.txt);
#            when the runs agree, the table goes into README.md and, drawn
#            by gnuplot, into tests/bench/bench.svg.
#            Exits 0 only if every boot succeeded, every BENCH line is
#            there and well-formed, and the runs agree.
#        tests/bench/run.sh --check MODE KERNEL
#            Boot once in MODE and check that every BENCH line is present
#            and well-formed (never the numbers): PASS/FAIL lines for
#            tests/run.
# Logs: $BUILD/bench/runN-MODE.out (boot.sh's output for run N).
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-build}
export BUILD
BOOT=$here/../lib/boot.sh
ICOUNT=(-icount shift=0,align=off,sleep=off)
MODES=(native native-rom hv hv-novmi)
RUNS=2
# What bench.c measures, in its order; "loop" is the empty loop.
OPS=(loop intr_pair flags_save_restore cpuid cpuid_leaf1 out_emulated out_passthrough
     get_cr0 write_gdt_entry exception syscall pte_update)
NUM='[0-9]+(\.[0-9]+)?'

# The column heading for a mode.
mode_title() {
    case "$1" in
        hv) echo "VMI (hv)" ;;
        hv-novmi) echo "trap-and-emulate (hv-novmi)" ;;
        *) echo "$1" ;;
    esac
}

# Boot $2 in mode $1 under -icount; output to file $3.  Status of boot.sh.
boot() {
    "$BOOT" "$1" "$2" "${ICOUNT[@]}" > "$3" 2>&1
}

# Check the BENCH lines of boot output $1 from mode $2: one well-formed
# line per operation, nothing else.  Prints FAIL lines; status 0 if fine.
check_lines() {
    local out=$1 mode=$2 op n bad=0 line
    for op in "${OPS[@]}"; do
        n=$(grep -c "^BENCH op=$op " "$out")
        line=$(grep "^BENCH op=$op " "$out" | head -n 1)
        if [ "$n" != 1 ]; then
            echo "FAIL: bench ($mode): $n BENCH lines for op=$op, want 1"
            bad=1
        elif ! [[ "$line" =~ ^BENCH\ op=$op\ mode=$mode\ cycles_per_op=$NUM\ exits_per_op=$NUM(\ [a-z_]+=$NUM)*$ ]]; then
            echo "FAIL: bench ($mode): malformed: $line"
            bad=1
        fi
    done
    n=$(grep -c '^BENCH ' "$out")
    if [ "$n" != "${#OPS[@]}" ]; then
        echo "FAIL: bench ($mode): $n BENCH lines, want ${#OPS[@]} (one per operation: ${OPS[*]})"
        bad=1
    fi
    return $bad
}

# The value of field $3 (e.g. cycles_per_op) of op $2 in boot output $1.
field() {
    sed -n "s/^BENCH op=$2 .* $3=\([0-9.]*\).*/\1/p" "$1" | head -n 1
}

# The hypervisor's end-of-run statistics in boot output $1, one group per
# line (wrapped), as its headings group them: exits by reason, exceptions
# trapped by vector, faults and interrupts delivered to the guest, VMI calls
# that exited.
hv_stats() {
    sed -n '/^hv: exits by reason:/,$p' "$1" | sed -n 's/^hv: \{1,\}\(.*\): \([0-9]*\)$/\1 \2/p' |
        awk 'function add(g, item) { items[g] = items[g] (items[g] == "" ? "" : ", ") item }
             function wrap(label, text,   n, w, i, line) {   # items per line, < 75 columns
                 if (text == "") return
                 n = split(text, w, ", "); line = label " " w[1]
                 for (i = 2; i <= n; i++) {
                     if (length(line) + 2 + length(w[i]) > 74) { print line ","; line = "   " w[i] }
                     else line = line ", " w[i]
                 }
                 print line
             }
             /^exception [0-9]+ / { add("v", "#" $2 " " $3); next }
             /^VMI_/ { sub(/^VMI_/, "", $1); add("c", $1 " " $2); next }
             /^faults and interrupts delivered/ { add("d", "all " $NF); next }
             /^vector [0-9]+ / { add("d", "#" $2 " " $3); next }
             { add("r", $0) }
             END { wrap("exits by reason:", items["r"])
                   wrap("exceptions trapped, by vector:", items["v"])
                   wrap("faults and interrupts delivered to the guest, by vector:", items["d"])
                   wrap("VMI calls that exited:", items["c"]) }'
}

# Print a markdown table row: cells padded to the widths in $widths.
row() {
    local i=0 cell line="|"
    for cell in "$@"; do
        line+=$(printf " %-*s |" "${widths[$i]}" "$cell")
        i=$((i + 1))
    done
    echo "$line"
}

# The table: a row per operation, "cycles / exits" per mode (run 1).
print_table() {
    local mode op c e t w cells
    widths=(18)
    for mode in "${MODES[@]}"; do
        t=$(mode_title "$mode")
        widths+=($(( ${#t} > 12 ? ${#t} : 12 )))
    done
    cells=(operation)
    for mode in "${MODES[@]}"; do cells+=("$(mode_title "$mode")"); done
    row "${cells[@]}"
    cells=()
    for w in "${widths[@]}"; do cells+=("$(printf '%*s' "$w" '' | tr ' ' '-')"); done
    row "${cells[@]}"
    for op in "${OPS[@]}"; do
        cells=("$op")
        for mode in "${MODES[@]}"; do
            c=$(field "$work/run1-$mode.out" "$op" cycles_per_op)
            e=$(field "$work/run1-$mode.out" "$op" exits_per_op)
            cells+=("${c:-?} / ${e:-?}")
        done
        row "${cells[@]}"
    done
    cells=("boot_to_guest")
    for mode in "${MODES[@]}"; do cells+=("$(boot_cell "$work/run1-$mode.out")"); done
    row "${cells[@]}"
}

# The hypervisor's boot cost in boot output $1: instructions (the TSC under
# -icount) before the guest's first instruction, in millions; "-" natively.
boot_cell() {
    local t
    t=$(sed -n "s/^hv: guest's first instruction at TSC \([0-9]*\)$/\1/p" "$1" | head -n 1)
    [ -n "$t" ] || { echo "-"; return; }
    awk -v t="$t" 'BEGIN { printf "%.1f M\n", t / 1e6 }'
}

# What the table cannot say by itself.
print_notes() {
    echo "loop: the empty loop, already taken off every other row.  native-rom: the ROM"
    echo "present without a hypervisor (VMI_Init fails; the kernel stays native)."
    echo "Trap-and-emulate does not see CPUID, PUSHF/POPF or direct descriptor writes:"
    echo "they do not fault in ring 1 and run unchecked (spec section 12).  Its system"
    echo "calls exit: the direct gate needs the kernel stack from UpdateKernelStack."
    echo "cpuid (leaf 0) and get_cr0 are answered in the ROM without an exit;"
    echo "cpuid_leaf1 is a plain hypercall (leaf 1 is the one the hypervisor adjusts)."
    echo "pte_update: SetPxE, InvalPage and a read of the remapped page, paging on; on"
    echo "the hypervisor SetPxE is a store (in the ROM, or plain), InvalPage one exit"
    echo "that fills the shadow entry, and the read no exit.  boot_to_guest: instructions"
    echo "from QEMU's reset to the guest's first instruction (the hypervisor logs its TSC"
    echo "there)."
}

# The whole report for run 1; $1 = the determinism verdict (yes/no).
report() {
    local n mode
    n=$(sed -n 's/^bench: \([0-9]*\) iterations.*/\1/p' "$work/run1-native.out")
    echo "HyperROM benchmark: ${ICOUNT[*]} (TSC = instructions executed)"
    echo "per operation, $n iterations each: cycles / exits (hypervisor entries)"
    echo
    print_table
    echo
    print_notes
    echo
    echo "Hypervisor exit statistics for the whole run (boot included):"
    for mode in hv hv-novmi; do
        echo "  $(mode_title "$mode"):"
        hv_stats "$work/run1-$mode.out" | sed 's/^/    /'
    done
    echo
    echo "deterministic: $1 ($RUNS runs of each mode: the whole output compared, line for line)"
}

# --check MODE KERNEL: one boot, the lines' form only.
if [ "${1:-}" = --check ]; then
    [ $# = 3 ] || { echo "usage: $0 --check MODE KERNEL" >&2; exit 2; }
    mode=$2 kernel=$3
    out=$BUILD/bench/check-$mode.out
    mkdir -p "$BUILD/bench"
    boot "$mode" "$kernel" "$out"; status=$?
    cat "$out"
    [ "$status" = 0 ] || exit 1
    check_lines "$out" "$mode" || exit 1
    echo "PASS: bench ($mode): all ${#OPS[@]} BENCH lines present and well-formed"
    exit 0
fi

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 KERNEL [RESULTS] | $0 --check MODE KERNEL" >&2
    exit 2
fi
kernel=$1
work=$BUILD/bench
results=${2:-$work/results.txt}
mkdir -p "$work" "$(dirname "$results")"

ok=1
for run in $(seq 1 $RUNS); do
    for mode in "${MODES[@]}"; do
        out=$work/run$run-$mode.out
        printf '  BENCH   run %s: %s\n' "$run" "$mode"
        if ! boot "$mode" "$kernel" "$out"; then
            echo "bench: $mode failed in run $run:"
            grep -E '^(FAIL|boot.sh): ' "$out" | sed 's/^/  /'
            ok=0
        elif ! check_lines "$out" "$mode"; then
            ok=0
        fi
    done
done
[ "$ok" = 1 ] || { echo "bench: failed (logs in $work)"; exit 1; }

verdict=yes
for mode in "${MODES[@]}"; do
    if ! diff "$work/run1-$mode.out" "$work/run2-$mode.out" > "$work/diff-$mode.txt"; then
        verdict=no
        echo "bench: $mode differs between runs:"
        sed 's/^/  /' "$work/diff-$mode.txt"
    fi
done
# Put the table (run 1) into README.md between its two marker lines, so
# the figures there are always this script's, never typed.
update_readme() {
    local readme=$here/../../README.md begin='<!-- make bench: table -->' end='<!-- end of make bench table -->'
    grep -qF "$begin" "$readme" && grep -qF "$end" "$readme" || return 0
    print_table > "$work/table.md"
    awk -v b="$begin" -v e="$end" -v t="$work/table.md" '
        $0 == b { print; while ((getline line < t) > 0) print line; skip = 1; next }
        $0 == e { skip = 0 }
        !skip' "$readme" > "$work/README.new" && mv "$work/README.new" "$readme"
    echo "(the table in $readme is updated)"
}

# Draw the table (run 1, instructions per operation) as tests/bench/bench.svg
# with gnuplot (tests/bench/chart.gp); README links it.  Every operation but
# the empty loop, which the others already have taken off.
update_chart() {
    local chart=$here/bench.svg data=$work/chart.dat op mode c line
    command -v gnuplot > /dev/null ||
        { echo "bench: no gnuplot: the chart is not drawn (apt-get install gnuplot-nox)"; return 1; }
    {
        line=operation
        for mode in "${MODES[@]}"; do line+=" \"$(mode_title "$mode")\""; done
        echo "$line"
        for op in "${OPS[@]}"; do
            [ "$op" = loop ] && continue
            line=$op
            for mode in "${MODES[@]}"; do
                c=$(field "$work/run1-$mode.out" "$op" cycles_per_op)
                line+=" ${c:-?}"
            done
            echo "$line"
        done
    } > "$data"
    gnuplot -e "data='$data'; out='$chart'" "$here/chart.gp" || return 1
    echo "(the chart $chart is drawn)"
}

echo
report "$verdict" | tee "$results"
echo "(written to $results)"
[ "$verdict" = yes ] && update_readme && update_chart
[ "$verdict" = yes ]
