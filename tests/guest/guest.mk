# tests/guest/: guest test kernels, one C file each, on the guest runtime.
# tests/guest.cfg says which modes each one boots in (tests/lib/boot.sh).

GUEST_TESTS        := detect ops patch linuxscan backdoor
GUEST_TEST_KERNELS := $(GUEST_TESTS:%=$(BUILD)/tests/guest/%.elf)

$(foreach t,$(GUEST_TESTS),\
  $(eval $(call rt_kernel,$(BUILD)/tests/guest/$(t).elf,tests/guest/$(t).c)))
include tests/rules/rules.mk
include tests/vmifuzz/vmifuzz.mk
include tests/hostile/hostile.mk
