# tests/hv/: host unit tests of the hypervisor's pure logic.

HV_TESTS := $(BUILD)/tests/hv/desc-test $(BUILD)/tests/hv/decode-test $(BUILD)/tests/hv/cpuval-test \
            $(BUILD)/tests/hv/elf-test $(BUILD)/tests/hv/linux-test $(BUILD)/tests/hv/ioperm-test \
            $(BUILD)/tests/hv/strio-test \
            $(BUILD)/tests/hv/shadow-test \
            $(BUILD)/tests/hv/vpit-test $(BUILD)/tests/hv/vpic-test $(BUILD)/tests/hv/vcmos-test \
            $(BUILD)/tests/hv/vkbc-test
HV_TEST_CFLAGS := $(HOST_CFLAGS) $(HV_INCS) -Itests/lib
# A test NAME-test links hypervisor/*/NAME.c (found in the subsystem
# folders) and the project files listed here.
vpath %.c $(HV_DIRS:%=hypervisor/%)
HV_TEST_LINK_ioperm := hypervisor/segments/desc.c
HV_TEST_LINK_strio := hypervisor/segments/desc.c
HV_TEST_LINK_vpit := hypervisor/devices/portb.c

$(BUILD)/tests/hv/ioperm-test: hypervisor/segments/desc.c tests/hv/ioperm-ref.h
$(BUILD)/tests/hv/strio-test: hypervisor/segments/desc.c
$(BUILD)/tests/hv/vpit-test: hypervisor/devices/portb.c
$(BUILD)/tests/hv/%-test: tests/hv/%-test.c %.c tests/lib/check.c $(HV_HDRS) $(SPEC_HDR) \
                          | $(DEPS_STAMP)
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HV_TEST_CFLAGS) -o $@ $< $(filter %/$*.c,$^) $(HV_TEST_LINK_$*) tests/lib/check.c

# A guest kernel the hypervisor must refuse: the demo with e_machine (@18)
# set to 62 (x86-64).  tests/guest.cfg expects the termination.
BAD_KERNEL := $(BUILD)/tests/hv/bad-machine.elf
ELF_MACHINE_OFFSET := 18
$(BAD_KERNEL): $(DEMO_ELF)
	$(call say,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)cp $< $@.tmp && printf '\076' | \
	    dd of=$@.tmp bs=1 seek=$(ELF_MACHINE_OFFSET) conv=notrunc status=none && mv $@.tmp $@
GUEST_TEST_KERNELS += $(BAD_KERNEL)
