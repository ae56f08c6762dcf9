# tests/hv/: host unit tests of the hypervisor's pure logic.

HV_TESTS := $(BUILD)/tests/hv/desc-test $(BUILD)/tests/hv/decode-test $(BUILD)/tests/hv/cpuval-test
HV_TEST_CFLAGS := $(HOST_CFLAGS) -Ihypervisor -Itests/lib

$(BUILD)/tests/hv/%-test: tests/hv/%-test.c hypervisor/%.c tests/lib/check.c \
                          $(wildcard hypervisor/*.h) $(SPEC_HDR) | $(DEPS_STAMP)
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HV_TEST_CFLAGS) -o $@ $< hypervisor/$*.c tests/lib/check.c
