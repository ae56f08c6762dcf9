# tests/bench/: the benchmark (not part of make test).
#   make bench   boot the benchmark kernel natively, with the ROM but no
#                hypervisor, on the hypervisor with VMI and trapped and
#                emulated, twice, under QEMU -icount (TSC = instructions);
#                print the table and check the two runs agree.  The table
#                goes to $(BENCH_RESULTS) too, into README.md, and drawn
#                by gnuplot, into tests/bench/bench.svg.
# Include after guest/rt/rt.mk (it uses rt_kernel).

BENCH_KERNELS := $(BUILD)/tests/bench/bench.elf
BENCH_RESULTS := $(BUILD)/bench/results.txt

$(eval $(call rt_kernel,$(BUILD)/tests/bench/bench.elf,tests/bench/bench.c))

# tests/host.cfg's bench-lines row boots the kernel once.
test: $(BENCH_KERNELS)

# gnuplot draws the chart (tests/bench/bench.svg); only make bench needs it.
BENCH_STAMP := $(BUILD)/.deps-bench
$(BENCH_STAMP): | $(DEPS_STAMP)
	$(Q)$(call need_packages,command -v gnuplot,gnuplot-nox,make bench)
	$(Q)touch $@

.PHONY: bench
bench: $(BENCH_KERNELS) $(HV) $(ROM) | $(BENCH_STAMP)
	$(Q)BUILD=$(BUILD) ROM=$(ROM) HV=$(HV) tests/bench/run.sh $(BENCH_KERNELS) $(BENCH_RESULTS)
	$(Q)tests/linux/bench.sh $(BUILD) $(LINUX)
