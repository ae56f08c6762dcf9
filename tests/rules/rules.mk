# tests/rules/: one guest kernel per rule the hypervisor enforces (spec
# section 11), the direct system-call gate and timer delivery, each one C
# file on the guest runtime.  tests/guest.cfg says how each boots, and for
# the rules whose breach ends the guest, which termination to expect
# (tests/lib/boot.sh --expect-terminated).

RULE_TESTS   := rule1-eflags syscall rule2-flat-stack rule3-stack-room rule45-flat-segments rule10-faulting-iret rule6-user-interrupts rule7-iopl rule8-fault-eip rule9-v8086 timer idt-gates isolation paging unserved stack16 nmi portio devices iofast
RULE_KERNELS := $(RULE_TESTS:%=$(BUILD)/tests/rules/%.elf)
GUEST_TEST_KERNELS += $(RULE_KERNELS)

$(foreach t,$(RULE_TESTS),\
  $(eval $(call rt_kernel,$(BUILD)/tests/rules/$(t).elf,tests/rules/$(t).c)))
