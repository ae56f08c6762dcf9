# tests/vmifuzz/: the in-guest random VMI-call fuzzer (one kernel on the
# guest runtime); tests/vmifuzz/run.sh boots it with many seeds in hv and
# hv-novmi and judges the hypervisor's health (tests/host.cfg row vmifuzz).

VMIFUZZ_KERNEL := $(BUILD)/tests/vmifuzz/vmifuzz.elf
GUEST_TEST_KERNELS += $(VMIFUZZ_KERNEL)

$(eval $(call rt_kernel,$(VMIFUZZ_KERNEL),tests/vmifuzz/vmifuzz.c))
