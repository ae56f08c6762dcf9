# tests/: what the tests need built, and the targets that run them.

TEST_KERNEL_LD := tests/rom/kernel.ld
EXIT_KERNEL    := $(BUILD)/tests/rom/exit-kernel.elf

$(BUILD)/tests/rom/%.o: tests/rom/%.asm | $(DEPS_STAMP)
	$(call say,NASM,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(NASM) -f elf32 -o $@ $<

$(EXIT_KERNEL): $(BUILD)/tests/rom/exit-kernel.o $(TEST_KERNEL_LD)
	$(call say,LD,$@)
	$(Q)$(LD32) -T $(TEST_KERNEL_LD) -o $@ $<

include tests/hv/hv-tests.mk

TEST_DEPS := $(ROM) $(ROM_ELF) $(ROMSUM) $(EXIT_KERNEL) $(HV_TESTS) $(HV) $(GUEST_TEST_KERNELS) $(DEMO_ELF) \
             $(SHIM_KERNELS) $(SHIM_TESTS) $(ROMSUM_TESTS)
ALL_TARGETS += $(EXIT_KERNEL)

.PHONY: test
test: $(TEST_DEPS)
	$(Q)tests/run $(BUILD) $(T)
