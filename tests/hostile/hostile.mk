# tests/hostile/: the hostile-guest suite, a few kernels grouped by area,
# each one C file on the guest runtime taking case=NAME (and expect=...).
# tests/hostile.cfg is the one table of cases: what each does and what
# must come of it (tests/run reads it like tests/guest.cfg).

HOSTILE_TESTS   := segments iret idt stacks cpu paging calls ports toctou lazy
HOSTILE_KERNELS := $(HOSTILE_TESTS:%=$(BUILD)/tests/hostile/%.elf)
GUEST_TEST_KERNELS += $(HOSTILE_KERNELS)

$(foreach t,$(HOSTILE_TESTS),\
  $(eval $(call rt_kernel,$(BUILD)/tests/hostile/$(t).elf,tests/hostile/$(t).c)))
