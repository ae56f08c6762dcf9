# guest/demo/: the demo guest, and the targets that boot it.
#   make run-native       QEMU + SeaBIOS, no VMI ROM
#   make run-native-rom   QEMU + SeaBIOS + the VMI ROM (no hypervisor)
#   make run-hv           on the hypervisor, with the ROM (needs $(HV))
# All go through tests/lib/boot.sh: the guest's serial output on the
# terminal, then QEMU's exit status and what it means.

DEMO_ELF := $(BUILD)/guest/demo/demo.elf

$(eval $(call rt_kernel,$(DEMO_ELF),guest/demo/demo.c))

.PHONY: run-native run-native-rom run-hv
run-native: $(DEMO_ELF)
	$(Q)BUILD=$(BUILD) tests/lib/boot.sh native $(DEMO_ELF)

run-native-rom: $(DEMO_ELF) $(ROM)
	$(Q)BUILD=$(BUILD) ROM=$(ROM) tests/lib/boot.sh native-rom $(DEMO_ELF)

run-hv: $(DEMO_ELF) $(ROM) $(HV)
	$(Q)BUILD=$(BUILD) ROM=$(ROM) HV=$(HV) tests/lib/boot.sh hv $(DEMO_ELF)
